"""First contact, second round (issue h94): what a newcomer meets with odd `--db` names and values.

Each test is a defect a first try met, run in this process on a one-file tree.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ontosync.cli import main
from tests.helpers import ROOT

TTL = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/h94#{name}> a owl:Class ; rdfs:label "{name}" .
"""


def _tree(root: Path, name: str) -> Path:
    """A folder holding one Turtle file that declares the class `name`."""
    src = root / f"src-{name}"
    src.mkdir()
    (src / f"{name}.ttl").write_text(TTL.format(name=name), encoding="utf-8")
    return src


def _paths(db: Path) -> list[str]:
    """The files a database records, read through a URI so that its name is never SQLite syntax."""
    conn = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return [path for (path,) in conn.execute("SELECT path FROM source_files ORDER BY path")]
    finally:
        conn.close()


# --- a `--db` name SQLite reads as syntax ----------------------------------------------------------

def test_a_db_name_sqlite_reads_as_syntax_is_that_file(tmp_path, monkeypatch):
    """`sync --db file:other.db` migrated, locked and checkpointed the file `file:other.db`, but the
    writer's connection took the name as a SQLite URI and wrote the facts into `other.db`: another
    database, its files recorded deleted, outside its own lock (exit 0). `--db :memory:` migrated
    the file `:memory:` and wrote into a database in memory (exit 3, "no such table"); a new
    `file:sub/named.db` was built in `sub/` and an empty file linked as the database. The name is
    the file's, as every reader (`status`, `search`) and the lock already took it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file:sub").mkdir()
    (tmp_path / "sub").mkdir()  # where `file:sub/named.db` as a URI points
    assert main(["sync", str(_tree(tmp_path, "Other")), "--db", "other.db", "--quiet"]) == 0
    named = _tree(tmp_path, "Named")
    for name in ("file:other.db", ":memory:", "file:sub/named.db"):
        assert main(["sync", str(named), "--db", name, "--quiet"]) == 0, name
        assert _paths(tmp_path / name) == ["Named.ttl"]
    assert _paths(tmp_path / "other.db") == ["Other.ttl"]  # untouched
    assert main(["verify", "--db", "file:other.db"]) == 0
    assert list((tmp_path / "sub").iterdir()) == []


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal", ".lock"])
def test_a_db_named_as_another_databases_side_file_is_refused(tmp_path, monkeypatch, capsys, suffix):
    """`sync --db o.db-wal` made a database under the name SQLite gives o.db's write-ahead log (exit
    0); the next `sync --db o.db` took that file for its log, found no valid log in it and deleted
    it: the whole first database gone. Now exit 2 before anything is written, naming the reason."""
    monkeypatch.chdir(tmp_path)
    name = f"o.db{suffix}"
    assert main(["sync", str(_tree(tmp_path, "Side")), "--db", name, "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    keeper = "ontosync" if suffix == ".lock" else "SQLite"  # a sync of o.db wrote its lock over o.db.lock
    assert err.startswith(f"ontosync: error: cannot use database {name}: {keeper} keeps its {suffix[1:]} file") \
        and "\n" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src-Side"]  # nothing written
    if suffix == "-journal":  # a name like it whose rest names no database file is anyone's name
        assert main(["sync", str(tmp_path / "src-Side"), "--db", "research-journal", "--quiet"]) == 0
        (tmp_path / "research").touch()  # ... until that rest is there
        assert main(["sync", str(tmp_path / "src-Side"), "--db", "research-journal", "--quiet"]) == 2


# --- `--report -` ----------------------------------------------------------------------------------

def test_report_dash_is_standard_output(tmp_path, monkeypatch, capsys):
    """`sync --report -` wrote the report into a file named `-` in the working folder, and printed
    nothing, though `-` is standard output for `diff --output -` and for most command-line tools."""
    monkeypatch.chdir(tmp_path)
    assert main(["sync", str(_tree(tmp_path, "Dash")), "--db", "d.db", "--report", "-", "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"]["ok"] == 1 and report["entities"]["classes"] == 1
    assert not (tmp_path / "-").exists()
    for argv in (["sync", str(tmp_path / "src-Dash"), "--db", "-", "--quiet"], ["status", "--db", "-"]):
        assert main(argv) == 2  # sync made a database file named `-`
        assert capsys.readouterr().err == ("ontosync: error: --db -: standard input and output cannot hold a "
                                           "database: give a path\n")
    assert not (tmp_path / "-").exists()
    # every file the sync left is one the README's first command says it leaves (the lock was not)
    said = (ROOT / "README.md").read_text("utf-8").split("What the first command left in the folder", 1)[1]
    said = said.split("\n\n", 1)[0]
    left = sorted(p.name.replace("d.db", "example.db") for p in tmp_path.iterdir() if p.is_file())
    assert left == ["example.db", "example.db.checkpoint.json", "example.db.lock"]
    assert [name for name in left if f"`{name}`" not in said] == []
    # a checkpoint there could never be resumed from: refused before the sync, as a FIFO is
    assert main(["sync", str(tmp_path / "src-Dash"), "--db", "d.db", "--checkpoint", "-", "--quiet"]) == 2
    assert capsys.readouterr().err.startswith("ontosync: error: --checkpoint -: standard output")
    assert not (tmp_path / "-").exists()


# --- Datasette's canned search -----------------------------------------------------------------------

CARDS = """@prefix ex: <http://example.org/h94#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:T a owl:Class ; rdfs:label "T-cell receptor" .
ex:A a owl:Class ; rdfs:label "Alzheimer's disease" .
ex:R a owl:Class ; rdfs:label "Robot" .
ex:W a owl:Class ; rdfs:label "Welding robot cell" .
"""
WORDS = ["T-cell", "Alzheimer's", 'robot"', "NEAR(robot", "col:robot", "rob", "robot  cell",
         "welding\trob", "robot OR alzheimer", '"robot cell"', "robot *", "-robot", "robot\x00"]
NO_WORDS = ["", " ", "*", '"', "NEAR(", "(", ")", "-", "^", ":", "\x00"]


def test_datasettes_canned_search_takes_words_as_typed(tmp_path):
    """`/ontology/search?q=T-cell` was HTTP 400 "no such column: cell" (`Alzheimer's`, `robot"`,
    `col:robot`, an empty box: "fts5: syntax error"; a NUL: "unterminated string"), and `q=rob` found
    nothing: the canned query
    handed the text to FTS5 as its syntax, though the README sends users to it as the ranked
    `ontosync search`. Each whitespace-separated piece is now a quoted phrase, the last a prefix,
    as `ontosync search` reads text; FTS5 syntax stays on `class_search?_searchmode=raw`. The query
    is run as Datasette runs it: its SQL with `:q` bound."""
    import ontosync
    from ontosync.store import search as lite_search

    src = tmp_path / "src"
    src.mkdir()
    (src / "cards.ttl").write_text(CARDS, encoding="utf-8")
    db = tmp_path / "ontology.db"
    assert main(["sync", str(src), "--db", str(db), "--quiet"]) == 0
    metadata = json.loads((Path(ontosync.__file__).parent / "datasette" / "metadata.json").read_text("utf-8"))
    sql = metadata["databases"]["ontology"]["queries"]["search"]["sql"]
    conn = sqlite3.connect(db)
    try:
        for text in WORDS:
            rows = [curie for curie, *_ in conn.execute(sql, {"q": text})]
            assert rows == [h["curie"] for h in lite_search.search(conn, text)], text
        for text in NO_WORDS:
            assert conn.execute(sql, {"q": text}).fetchall() == [], text
        found = {t: [c.rsplit("#")[-1] for c, *_ in conn.execute(sql, {"q": t})] for t in ("T-cell", "rob")}
    finally:
        conn.close()
    assert found == {"T-cell": ["T"], "rob": ["R", "W"]}


def test_a_checkouts_config_cannot_name_a_database_outside_through_sqlite_syntax(tmp_path, monkeypatch):
    """The source root's `.ontosync.yml` may name only a relative `db` that stays in the working
    folder. `db: file:/ABS/outside.db` is one (a folder `file:` holding `ABS/`, which a checkout can
    carry), but the writer opened it as a URI: it created /ABS/o.db, outside, and wrote there (into
the user's own database there, as `--db file:other.db` above)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    work = _tree(tmp_path, "Stranger")  # the checkout, the working folder too
    (work / ".ontosync.yml").write_text(f"db: file:{outside}/o.db\n", encoding="utf-8")
    (work / f"file:{outside}").mkdir(parents=True)
    monkeypatch.chdir(work)
    code = main(["sync", ".", "--quiet"])
    assert list(outside.iterdir()) == []  # nothing made there (on main: o.db, its -wal and -shm; exit 3)
    assert code == 0
    assert _paths(work / f"file:{outside}" / "o.db") == ["Stranger.ttl"]


# --- a blank value --------------------------------------------------------------------------------

def test_a_blank_source_is_a_usage_error(tmp_path, monkeypatch, capsys):
    """`sync "$ONTOLOGY" --db o.db` with the variable unset synced the working folder instead: every
    file of the database's ontology recorded deleted, all its classes removed (exit 0, a warning).
    `diff --output` the same."""
    src = _tree(tmp_path, "Kept")
    assert main(["sync", str(src), "--db", str(tmp_path / "o.db"), "--quiet"]) == 0
    capsys.readouterr()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # the working folder: no ontology here
    assert main(["sync", "", "--db", str(tmp_path / "o.db"), "--quiet"]) == 2
    assert capsys.readouterr().err == "ontosync: error: SOURCE must not be empty (a folder or github:OWNER/REPO)\n"
    assert _paths(tmp_path / "o.db") == ["Kept.ttl"]
    # `diff --output "$OUT"`, unset: printed the diff (`""`) or wrote a file named ` `
    for blank in ("", " "):
        assert main(["diff", "--db", str(tmp_path / "o.db"), "--output", blank]) == 2
        assert capsys.readouterr() == ("", "ontosync: error: --output must not be empty (- is standard output)\n")
    assert list((tmp_path / "elsewhere").iterdir()) == []


@pytest.mark.parametrize("flag", ["--include", "--exclude"])
def test_a_blank_glob_is_a_usage_error(tmp_path, monkeypatch, capsys, flag):
    """`--include "$GLOB"` with the variable unset synced no file at all and exited 0 (a new
    database: empty, "0 files"), as a blank `--path` or `--db` once did (those are usage errors);
    `--exclude ""` was ignored. `include: [" "]` in `.ontosync.yml` the same."""
    monkeypatch.chdir(tmp_path)
    src = _tree(tmp_path, "Blank")
    (tmp_path / "c.yml").write_text(f'{flag[2:]}: ["pages/**", " "]\n', encoding="utf-8")
    for extra in ([flag, ""], [flag, " "], ["--config", "c.yml"]):
        assert main(["sync", str(src), "--db", "b.db", "--quiet", *extra]) == 2, extra
        said = f"{flag} must not be empty" if extra[0] == flag else f"c.yml line 1: '{flag[2:]}' must not hold an " \
            "empty glob (item 2)"  # the file's own words, its line and the item (h106)
        assert capsys.readouterr().err == f"ontosync: error: {said}\n"
    assert not (tmp_path / "b.db").exists()


def test_fetch_db_out_naming_a_databases_log_is_refused_before_any_request(tmp_path, capsys):
    """`fetch-db OWNER/REPO --out live.db-wal` wrote the downloaded database over live.db's
    write-ahead log (exit 0, "verify: ok"): the commits not yet copied into live.db were gone, and
    the next open of live.db deleted the download. Now exit 2, before anything is asked of GitHub."""
    from ontosync.action.fetch_db import fetch_db
    from tests.fake_artifacts import FakeArtifactServer
    from tests.test_fetch_db import make_db

    live = tmp_path / "live.db"
    conn = sqlite3.connect(live)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("PRAGMA wal_autocheckpoint = 0")  # the commit below stays in live.db-wal alone
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    log = (tmp_path / "live.db-wal").read_bytes()
    try:
        with FakeArtifactServer(token="t") as fake:
            fake.add("acme/onto", "ontology-db", {"ontology.db": make_db(tmp_path / "up.db")})
            code = fetch_db("acme/onto", out=str(live) + "-wal", api_url=fake.api_url, token="t")
            asked = sum(fake.requests.values())
    finally:
        conn.close()
    assert code == 2 and asked == 0
    assert capsys.readouterr().err.startswith(f"ontosync: error: --out {live}-wal: SQLite keeps its wal file")
    assert len(log) > 0 and sqlite3.connect(live).execute("SELECT x FROM t").fetchall() == [(1,)]


# --- `--help` says what the README says ------------------------------------------------------------

def _synopsis() -> dict[str, list[tuple[str, str | None]]]:
    """The README's CLI reference lines: command -> its (flag, metavar) pairs, `--db PATH` and the like."""
    import re

    block = (ROOT / "README.md").read_text("utf-8").split("## CLI reference", 1)[1].split("```", 2)[1]
    lines = [line.split(None, 2) for line in block.splitlines() if line.startswith("ontosync ")]
    return {command: re.findall(r"(--[a-z-]+)(?: ([A-Z][A-Z.a-z/|-]*))?", rest) for _, command, rest in lines}


def test_each_commands_help_names_its_values_as_the_readme_does():
    """The README's reference says `search TEXT --db PATH [--limit N]`; `--help` said `--db DB`,
    `--limit LIMIT` and `text`, so a reader could not match one with the other."""
    from ontosync.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.choices)
    for command, pairs in _synopsis().items():
        actions = {s: a for a in sub.choices[command]._actions for s in a.option_strings}
        for flag, metavar in pairs:
            action = actions[flag]
            if metavar and "|" not in metavar and action.nargs != 0:
                assert action.metavar == metavar, (command, flag, action.metavar)
    search_text = next(a for a in sub.choices["search"]._actions if a.dest == "text")
    assert search_text.metavar == "TEXT"


@pytest.mark.parametrize("flag", ["artifact", "out", "branch"])
def test_fetch_db_blank_flags_are_usage_errors(tmp_path, capsys, flag):
    """`fetch-db acme/onto --branch "$BRANCH"` with the variable unset fetched the default branch's
    database (exit 0) instead of the branch's; a blank `--artifact` asked GitHub for an artifact
    named '' and a blank `--out` said "--out . is a folder". Now each is a usage error, before any
    request, as a blank `--db` is for `sync`."""
    from ontosync.action.fetch_db import fetch_db
    from tests.fake_artifacts import FakeArtifactServer
    from tests.test_fetch_db import make_db

    given = {"artifact": "ontology-db", "out": str(tmp_path / "o.db"), "branch": None, flag: " "}
    with FakeArtifactServer(token="t") as fake:
        fake.add("acme/onto", "ontology-db", {"ontology.db": make_db(tmp_path / "up.db")})
        code = fetch_db("acme/onto", api_url=fake.api_url, token="t", **given)
        asked = sum(fake.requests.values())
    assert (code, asked) == (2, 0)
    assert capsys.readouterr().err == f"ontosync: error: --{flag} must not be empty\n"
    assert not (tmp_path / "o.db").exists()


def test_fetch_db_out_dash_is_refused_before_any_request(tmp_path, monkeypatch, capsys):
    """`fetch-db --out -` wrote a database file named `-` (where `sync --report -` and `diff
    --output -` print): standard output cannot hold a database, so it is a usage error."""
    from ontosync.action.fetch_db import fetch_db
    from tests.fake_artifacts import FakeArtifactServer
    from tests.test_fetch_db import make_db

    monkeypatch.chdir(tmp_path)
    with FakeArtifactServer(token="t") as fake:
        fake.add("acme/onto", "ontology-db", {"ontology.db": make_db(tmp_path / "up.db")})
        code = fetch_db("acme/onto", out="-", api_url=fake.api_url, token="t")
        asked = sum(fake.requests.values())
    assert (code, asked) == (2, 0)
    assert capsys.readouterr().err == ("ontosync: error: --out -: standard input and output cannot hold a database: "
                                       "give a path\n")  # as --db - says
    assert not (tmp_path / "-").exists()
