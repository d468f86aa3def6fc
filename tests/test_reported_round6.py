"""Reported items, round 6: `--workers` without an upper bound, and the canned Datasette search's
cost on a query of thousands of repeated words.

1. `--workers 100000` was taken as asked: the parse pool grows one worker per starved half second up
   to that number, so a long parse-bound run started hundreds of processes (memory, pids). The
   options table now bounds it (MAX_WORKERS), refused alike by the flag, `.ontosync.yml` and the
   Action's `workers:` input, with one line naming the bound, before anything is read or written.
2. Datasette's canned `search` made each space-separated piece a phrase, every repeat included, and
   FTS5 scores every phrase in every hit: `q=a a a ...` (5,000 words) took past Datasette's 1 s limit
   on the corpus ("SQL query took too long"; 36 s in plain SQLite), for the answer of `a a`.
   The query now keeps each piece before the last once (split by json_each, in linear time), as
   `ontosync search` does (store/search.py `searched_words`).
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

import ontosync
from ontosync.action.inputs import InputError, read_inputs
from ontosync.cli import main as cli_main
from ontosync.config import ConfigError, build_settings
from ontosync.options import MAX_WORKERS
from ontosync.store.search import search


def test_workers_has_a_ceiling_everywhere(tmp_path):
    over = MAX_WORKERS + 1
    bound = f"--workers must be between 1 and {MAX_WORKERS}"
    with pytest.raises(ConfigError, match=f"^{bound}"):
        build_settings({"workers": over}, None)
    config = tmp_path / "c.yml"
    config.write_text(f"workers: {over}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{config} line 1: 'workers' must be between 1 and {MAX_WORKERS}"):
        build_settings({}, str(config))
    with pytest.raises(InputError, match="out of range"):
        read_inputs({"GITHUB_WORKSPACE": str(tmp_path), "INPUT_WORKERS": str(over)})
    assert build_settings({"workers": MAX_WORKERS}, None).workers == MAX_WORKERS


def test_sync_refuses_100000_workers_in_one_line_and_writes_nothing(tmp_path, capsys):
    tree = tmp_path / "src"
    (tree / "pages").mkdir(parents=True)
    (tree / "pages" / "A.md").write_text("- a\n", encoding="utf-8")
    db = tmp_path / "o.db"
    assert cli_main(["sync", str(tree), "--db", str(db), "--quiet", "--workers", "100000"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"ontosync: error: --workers must be between 1 and {MAX_WORKERS}"]
    assert not db.exists()


TINY = """@prefix ex: <http://example.org/x#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
ex:Robot a owl:Class ; rdfs:label "Robot" .
ex:Arm a owl:Class ; rdfs:label "Robot arm" ; obo:IAO_0000115 "An arm of a robot, robot and arm." .
ex:Cell a owl:Class ; rdfs:label "Welding robot cell" .
ex:Dog a owl:Class ; rdfs:label "Dog" ; obo:IAO_0000115 "Not a \\"robot\\"." .
"""
X = "http://example.org/x#"
SEARCH = json.loads((Path(ontosync.__file__).parent / "datasette" / "metadata.json").read_text(encoding="utf-8"))[
    "databases"]["ontology"]["queries"]["search"]["sql"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("r6")
    (root / "src").mkdir()
    (root / "src" / "a.ttl").write_text(TINY, encoding="utf-8")
    db = root / "t.db"
    assert cli_main(["sync", str(root / "src"), "--db", str(db), "--quiet", "--workers", "1"]) == 0
    conn = sqlite3.connect(db)
    yield conn
    conn.close()


def canned(conn: sqlite3.Connection, q: str) -> list[str]:
    """The canned search's curies, within Datasette's default limit of 1 s a query (the query before
    took ~5 s here on 20,000 words, 4 classes; now ~0.1 s)."""
    start = time.monotonic()
    rows = [row[0].replace(X, "ex:") for row in conn.execute(SEARCH, {"q": q})]
    assert time.monotonic() - start < 1.0, f"{len(q)} characters took {time.monotonic() - start:.1f} s"
    return rows


def test_canned_search_answers_thousands_of_repeated_words_as_the_words_once(tiny):
    typed = "robot " * 20_000 + "robot"
    found = canned(tiny, typed)
    assert found == canned(tiny, "robot robot") == [h["curie"].replace(X, "ex:") for h in search(tiny, typed)]
    assert sorted(found) == ["ex:Arm", "ex:Cell", "ex:Dog", "ex:Robot"]
    assert canned(tiny, "arm robot arm " * 5_000 + "ro") == canned(tiny, "arm robot ro") == ["ex:Arm"]


@pytest.mark.parametrize("q", ["robot", "Robot arm", "robot  arm", "robot\tarm", "ro", "arm robot", '"robot"',
                               "robot-arm", "robot \\", "a\x01b robot", "robot\x00dog", "", " "])
def test_canned_search_answers_other_queries_as_before(tiny, q):
    """Each word typed once: the answer of the query before (written out here, checked against it)."""
    every = ["ex:Robot", "ex:Arm", "ex:Cell", "ex:Dog"]
    before = {"robot": every, "Robot arm": ["ex:Arm"], "robot  arm": ["ex:Arm"], "robot\tarm": ["ex:Arm"],
              "ro": every, "arm robot": ["ex:Arm"], '"robot"': every, "robot-arm": ["ex:Arm"], "robot \\": every,
              "a\x01b robot": [], "robot\x00dog": every, "": [], " ": []}
    assert canned(tiny, q) == before[q]


@pytest.mark.parametrize("space", ["\u00a0", "\u3000", "\u202f", "\x0b", "\x0c"])
def test_canned_search_splits_words_at_every_space_ontosync_search_splits_at(tiny, space):
    """A no-break space, or the ideographic space Japanese input methods type, joined the words
    around it into one phrase: `robot\u3000arm` found nothing in Datasette where `ontosync search`
    finds Robot arm (the final read's finding)."""
    typed = f"arm{space}robot"
    assert canned(tiny, typed) == canned(tiny, "arm robot") == ["ex:Arm"]
    assert [h["curie"].replace(X, "ex:") for h in search(tiny, typed)] == ["ex:Arm"]
