"""The change log on PostgreSQL (CONTRACT section 7 and 8): the same series of syncs into a SQLite
file and into a schema on the server gives the same `ontosync diff` for every run, the same
`--since` fold, and `--base` compares across the two databases. Skips without a server
(tests/postgres_server.py); CI requires it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ontosync.cli import main as cli_main
from tests.postgres_server import connect, drop_schema, new_schema, schema_url, server_url

EX = "http://example.org/t#"
TTL = f"""@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <{EX}> .
ex:Thing a owl:Class ; rdfs:label "Thing" .
ex:Part a owl:Class ; rdfs:label "Part" ;
    rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:partOf ; owl:someValuesFrom ex:Thing ] .
ex:partOf a owl:ObjectProperty ; rdfs:label "part of" ; rdfs:domain ex:Part .
ex:Part owl:disjointWith ex:Thing .
"""


def page(label: str, *parents: str, definition: str = "") -> str:
    lines = ["- ### OntologyBlock", f"  - preferred-term:: {label}"]
    lines += [f"  - is-subclass-of:: [[{p}]]" for p in parents]
    if definition:
        lines.append(f"  - definition:: {definition}")
    return "\n".join(lines) + "\n"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout.strip()


def write(src: Path, name: str, text: str) -> None:
    (src / name).write_text(text, encoding="utf-8")


# Each step edits the tree; the runs after the first must log exactly one kind of change each.
STEPS = [
    lambda s: (write(s, "Animal.md", page("Animal", definition="a living thing")),
               write(s, "Dog.md", page("Dog", "Animal")), write(s, "Cat.md", page("Cat", "Animal")),
               write(s, "Pet.md", page("Pet")), write(s, "onto.ttl", TTL)),
    lambda s: write(s, "Dog.md", page("Hound", "Animal")),                          # label
    lambda s: write(s, "Dog.md", page("Hound", "Animal", "Pet")),                   # parent added
    lambda s: write(s, "Dog.md", page("Hound", "Pet", definition="barks")),         # parent removed, definition
    lambda s: (s / "Cat.md").unlink(),                                              # a page deleted
    lambda s: write(s, "onto.ttl", TTL.replace('"part of"', '"is part of"').replace(
        "ex:Part owl:disjointWith ex:Thing .\n", "")),                              # property label, axiom gone
]


def diff(db: str, *args: str, capsys) -> dict:
    capsys.readouterr()
    assert cli_main(["diff", "--db", db, "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def pg_db():
    server_url()  # skips without a server
    schema = new_schema()
    yield schema_url(schema), schema
    drop_schema(schema)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_series_gives_the_same_diff_on_both_backends(tmp_path, pg_db, capsys):
    url, _schema = pg_db
    src = tmp_path / "src"
    src.mkdir()
    git(src, "init", "-q")
    lite = str(tmp_path / "lite.db")
    revisions = []
    for step in STEPS:
        step(src)
        git(src, "add", "-A")
        git(src, "commit", "-qm", "step")
        revisions.append(git(src, "rev-parse", "HEAD"))
        for db in (lite, url):
            assert cli_main(["sync", str(src), "--db", db, "--quiet", "--workers", "1"]) == 0
    for run in range(1, len(STEPS) + 1):
        on_lite = diff(lite, "--run", str(run), capsys=capsys)
        on_pg = diff(url, "--run", str(run), capsys=capsys)
        assert on_pg == on_lite, run
        assert on_lite["head"] == {"run": run, "revision": revisions[run - 1]}
    # each step's change, as the edit says (so the equality above is not two empty logs)
    first = diff(url, "--run", "1", capsys=capsys)
    assert {c["label"] for c in first["classes"]["added"]} >= {"Animal", "Dog", "Cat", "Pet", "Thing", "Part"}
    assert first["properties"]["added"] == [{"iri": f"{EX}partOf", "label": "part of", "type": "ObjectProperty"}]
    assert first["axioms"]["added"] >= 2
    label = diff(url, "--run", "2", capsys=capsys)["classes"]["changed"]
    assert [c["changes"] for c in label] == [{"label": ["Dog", "Hound"]}]
    added = diff(url, "--run", "3", capsys=capsys)["classes"]["changed"]
    assert [[p["label"] for p in c["changes"]["parents_added"]] for c in added] == [["Pet"]]
    removed = diff(url, "--run", "4", capsys=capsys)["classes"]["changed"][0]["changes"]
    assert [p["label"] for p in removed["parents_removed"]] == ["Animal"]
    assert removed["definition"] == [None, "barks"]
    gone = diff(url, "--run", "5", capsys=capsys)["classes"]
    assert [c["label"] for c in gone["removed"]] == ["Cat"] and not gone["added"]
    last = diff(url, capsys=capsys)  # by default the last run that changed something
    assert last["head"]["run"] == 6 and last["axioms"]["removed"] == 1
    assert last["properties"]["changed"][0]["changes"] == {"label": ["part of", "is part of"]}
    assert diff(url, "--since", revisions[1], capsys=capsys) == diff(lite, "--since", revisions[1], capsys=capsys)


def _sync(src: Path, db: str) -> None:
    assert cli_main(["sync", str(src), "--db", db, "--quiet", "--workers", "1"]) == 0


def test_base_compares_across_backends(tmp_path, pg_db, capsys):
    """`--base` a SQLite file with a PostgreSQL head, and a PostgreSQL schema with a SQLite head: the
    same JSON (but for the names) as the SQLite-to-SQLite comparison."""
    url, _schema = pg_db
    src = tmp_path / "src"
    src.mkdir()
    STEPS[0](src)
    base = str(tmp_path / "base.db")
    _sync(src, base)
    for step in STEPS[1:]:
        step(src)
    head = str(tmp_path / "head.db")
    _sync(src, head)
    _sync(src, url)
    lite = diff(head, "--base", base, capsys=capsys)
    pg_head = diff(url, "--base", base, capsys=capsys)
    assert lite["counts"]["classes_removed"] == 1 and lite["axioms"]["removed"] == 1
    for key in ("classes", "properties", "axioms", "counts"):
        assert pg_head[key] == lite[key], key
    back = diff(base, "--base", url, capsys=capsys)  # the server's schema as the base
    assert back["base"]["database"].endswith(f"schema {_schema}")
    assert server_url().split("//")[1].split("@")[0] not in back["base"]["database"]  # user:password masked
    assert {e["iri"] for e in back["classes"]["added"]} == {e["iri"] for e in lite["classes"]["removed"]}
    assert back["axioms"]["added"] == lite["axioms"]["removed"]


def test_no_log_outside_a_run_and_errors(tmp_path, pg_db, capsys):
    """Writes by other sessions (no `ontosync.run` set) log nothing; a missing run exits 2."""
    url, schema = pg_db
    src = tmp_path / "src"
    src.mkdir()
    STEPS[0](src)
    _sync(src, url)
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'SELECT count(*) FROM "{schema}".run_changes')
        before = cur.fetchone()[0]
        cur.execute(f"""UPDATE "{schema}".owl_classes SET label = 'X' WHERE label = 'Pet'""")
        cur.execute(f'SELECT count(*) FROM "{schema}".run_changes')
        # the triggers stayed off: armed, they would have failed (this session has no pg_temp.chg_cls)
        assert cur.fetchone()[0] == before > 0
    finally:
        conn.close()
    capsys.readouterr()
    assert cli_main(["diff", "--db", url, "--run", "99"]) == 2
    assert "no run 99" in capsys.readouterr().err


def test_the_action_outputs_the_changes_of_a_postgres_sync(tmp_path, pg_db, capsys):
    """The Action's `classes-*` outputs and `changes` JSON after a sync into PostgreSQL: the first
    run adds every class, a second after one label edit changes exactly that class, and the JSON
    file is `ontosync diff`'s for that run."""
    from ontosync.action import run as action_run
    from tests.test_postgres_action import action_env, outputs

    url, _schema = pg_db
    env = action_env(tmp_path, database=url, workers="1")
    assert action_run.main(dict(env), cli_main=cli_main) == 0
    out = outputs(Path(env["GITHUB_OUTPUT"]))
    declared = diff(url, capsys=capsys)["counts"]["classes_added"]
    assert int(out["classes-added"]) == declared > 0 and out["classes-removed"] == "0"
    page_path = Path(env["GITHUB_WORKSPACE"]) / "pages" / "Actuator.md"
    page_path.write_text(page_path.read_text(encoding="utf-8").replace("preferred-term:: Actuator",
                                                                       "preferred-term:: Motor"), encoding="utf-8")
    Path(env["GITHUB_OUTPUT"]).unlink()
    assert action_run.main(dict(env), cli_main=cli_main) == 0
    out = outputs(Path(env["GITHUB_OUTPUT"]))
    assert (out["classes-added"], out["classes-removed"], out["classes-changed"]) == ("0", "0", "1")
    written = json.loads(Path(out["changes"] if Path(out["changes"]).is_absolute()
                              else Path(env["GITHUB_WORKSPACE"]) / out["changes"]).read_text(encoding="utf-8"))
    assert written == diff(url, capsys=capsys)
    assert written["classes"]["changed"][0]["changes"] == {"label": ["Actuator", "Motor"]}
    assert "What changed" in Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
