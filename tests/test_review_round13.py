"""The change log, `diff`, the job summary and the pull-request comment, round 13 (task h170)."""

from __future__ import annotations

import json
import shlex

from ontosync.store.migrations import available_migrations
from tests.helpers import cli
from tests.test_diff_fidelity import kill_after, page


def test_diff_of_a_run_that_did_not_finish_says_so(tmp_path):
    """A sync stopped half-way (killed, out of memory, the runner cancelled): `ontosync diff` showed
    "run 1 -> run 2" and the classes run 2 had saved, read as what the last sync changed, with
    nothing saying run 2 never reached its end (the database is between two states; its other
    files' changes are not there yet). The output stays as it was; a note on stderr says so, for
    the default selection and for `--run` naming that run."""
    tree, db = tmp_path / "tree", tmp_path / "x.db"
    tree.mkdir()
    (tree / "A.md").write_text(page("A"))
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    (tree / "C.md").write_text(page("C", "A"))
    (tree / "D.md").write_text(page("D", "A"))
    kill_after(db, tree, "C.md")  # run 2 saved C, then stopped: D not saved, finish() never run

    out = cli("diff", "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "run 1 -> run 2"
    assert out.stderr == ("ontosync: note: run 2 did not finish (stopped before its end, or still running): "
                          "shown is what it saved; the next sync of its source saves the rest\n")
    for args in (["--run", "2"], ["--format", "json"]):
        again = cli("diff", "--db", str(db), *args)
        assert again.returncode == 0 and again.stderr == out.stderr, again.stderr
    assert json.loads(cli("diff", "--db", str(db), "--format", "json").stdout)["head"]["run"] == 2

    finished = cli("diff", "--db", str(db), "--run", "1")  # a run that finished: no note
    assert finished.returncode == 0 and finished.stderr == ""
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    resumed = cli("diff", "--db", str(db), "--format", "json")
    assert resumed.stderr == ""
    assert {e["label"] for e in json.loads(resumed.stdout)["classes"]["added"]} == {"C", "D"}
    assert cli("diff", "--db", str(db), "--run", "2").stderr == ""  # a later sync took it on


def _git(tree, *args: str) -> str:
    import os
    import subprocess

    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", *args], cwd=tree, check=True, capture_output=True, text=True, env=env).stdout.strip()


def test_markdown_of_runs_names_the_runs_it_compares(tmp_path):
    """`diff --since R --format markdown` (pasted into a release note, a pull request's text) said
    "What changed" and the counts, and nothing of which runs or commits they are the change
    between: the text's first line says `run 1 (R) -> run 2 (S)`, the markdown of `--base` names
    both databases, the markdown of runs named neither side. It now says them as the text does."""
    tree, db = tmp_path / "tree", tmp_path / "x.db"
    tree.mkdir()
    _git(tree, "init", "-q")
    (tree / "A.md").write_text(page("A"))
    _git(tree, "add", "-A")
    _git(tree, "commit", "-qm", "one")
    first = _git(tree, "rev-parse", "HEAD")
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    (tree / "B.md").write_text(page("B", "A"))
    _git(tree, "add", "-A")
    _git(tree, "commit", "-qm", "two")
    second = _git(tree, "rev-parse", "HEAD")
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0

    for args in (["--since", first[:9]], ["--run", "2"], []):
        out = cli("diff", "--db", str(db), "--format", "markdown", *args)
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        assert lines[:3] == ["### What changed", "", f"Compared: run 1 (`{first[:12]}`) → run 2 (`{second[:12]}`)"], \
            lines[:4]
        assert "| B | `" in out.stdout
    out = cli("diff", "--db", str(db), "--format", "markdown", "--run", "1")
    assert out.stdout.splitlines()[2] == f"Compared: empty → run 1 (`{first[:12]}`)"


def _newer(db, change: str = "ALTER TABLE file_synonyms RENAME TO file_synonyms_v2") -> None:
    """`db` as a newer ontosync would leave it: a migration this release lacks, which made `change`
    to a table diff reads (by default one the comparison reads)."""
    import sqlite3

    conn = sqlite3.connect(db)
    with conn:
        conn.execute("INSERT INTO schema_migrations (version, name, applied_at, checksum, execution_time_ms) "
                     "VALUES (999, 'from_the_future', '2030-01-01', 'abc', 1)")
        conn.execute(change)
    conn.close()


def test_diff_base_or_head_from_a_newer_ontosync_says_so(tmp_path):
    """A database a newer ontosync wrote (an artifact of an Action pinned to a later release),
    compared by an older one: as `--base` it was "NEWER.db is not an ontosync database: no such
    table: file_synonyms" (exit 2), as `--db` "fatal: NEWER.db: no such table: file_synonyms"
    (exit 3, read as a damaged file). Both now say a newer ontosync wrote it and to upgrade
    ontosync, exit 2 as for an older database, one line, stdout empty."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "A.md").write_text(page("A"))
    mine, newer = tmp_path / "mine.db", tmp_path / "newer{0}.db"  # (braces: the path is no format string)
    for db in (mine, newer):
        assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    _newer(newer)
    newest = max(m.version for m in available_migrations())
    for args in (["--db", str(mine), "--base", str(newer)], ["--db", str(newer), "--base", str(mine)]):
        out = cli("diff", *args)
        assert out.returncode == 2, out.stderr
        assert out.stdout == ""
        assert out.stderr == (f"ontosync: error: {newer} was written by a newer ontosync (migration 999; this "
                              f"release reads up to {newest:03d}): upgrade ontosync to read it\n"), out.stderr


_TWO_CLASSES = ("@prefix ex: <http://ex.org/> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                'ex:A a owl:Class ; rdfs:label "Alpha" .\nex:B a owl:Class ; rdfs:label "Beta" ; '
                "owl:disjointWith ex:A .\n")


def test_diff_base_reads_one_state_of_a_base_a_sync_commits_to_meanwhile(tmp_path, monkeypatch, capsys):
    """`diff --base main.db` while a sync of main.db commits: the base's classes, properties and
    axioms were three reads, each of the state of its moment, so a save that changed a label and
    an axiom together showed only its axiom (a change no state of the base ever had), or its
    label only. The head was read in one snapshot already; the base is now too. The sync's
    commit is made, for real, by another connection at the moment the base's second read starts
    (SQLite's statement trace), the one point where it split the reading."""
    import sqlite3

    from ontosync.cli import main as cli_main
    from ontosync.store import diff as store_diff

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.ttl").write_text(_TWO_CLASSES, encoding="utf-8")
    head, base = tmp_path / "head.db", tmp_path / "base.db"
    for db in (head, base):
        assert cli_main(["sync", str(tree), "--db", str(db), "--quiet"]) == 0

    def commit_meanwhile() -> None:  # one save: a label and an axiom
        writer = sqlite3.connect(base)
        with writer:
            writer.execute("UPDATE owl_classes SET label = 'Alpha 2' WHERE class_iri = 'http://ex.org/A'")
            writer.execute("DELETE FROM owl_axioms")
        writer.close()

    opened = store_diff.open_readonly

    def traced(path):
        conn = opened(path)
        done: list[bool] = []

        def trace(statement: str) -> None:
            if "FROM owl_properties" in statement and not done:
                done.append(True)
                commit_meanwhile()
        conn.set_trace_callback(trace)
        return conn

    monkeypatch.setattr(store_diff, "open_readonly", traced)
    capsys.readouterr()
    assert cli_main(["diff", "--db", str(head), "--base", str(base), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["axioms"]["added"], data["axioms"]["removed"], data["classes"]["changed"]) == (0, 0, []), data
    assert cli_main(["diff", "--db", str(head), "--base", str(base), "--format", "json"]) == 0  # the save, whole
    data = json.loads(capsys.readouterr().out)
    assert data["axioms"]["added"] == 1 and [e["label"] for e in data["classes"]["changed"]] == ["Alpha"]


def test_diff_base_on_postgresql_reads_one_state_too(tmp_path, monkeypatch, capsys):
    """The same on PostgreSQL: the reader's statements ran in autocommit, each its own snapshot, so
    a sync committing to the base schema between the base's reads showed part of one save. The
    reads of one diff are now one REPEATABLE READ, READ ONLY transaction. The save is committed
    for real, by another session, as the base's second read is sent."""
    from ontosync.cli import main as cli_main
    from ontosync.store.pg import dialect
    from tests.postgres_server import connect, drop_schema, new_schema, schema_url

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.ttl").write_text(_TWO_CLASSES, encoding="utf-8")
    head, schema = tmp_path / "head.db", new_schema()
    try:
        assert cli_main(["sync", str(tree), "--db", str(head), "--quiet"]) == 0
        assert cli_main(["sync", str(tree), "--db", schema_url(schema), "--quiet"]) == 0
        sent = dialect.PgConnection.execute
        done: list[bool] = []

        def execute(self, sql, params=()):
            if "FROM owl_properties" in sql and not done:
                done.append(True)
                writer = connect()
                try:
                    cur = writer.cursor()
                    cur.execute(f'BEGIN; UPDATE "{schema}".owl_classes SET label = %s WHERE class_iri = %s; '
                                f'DELETE FROM "{schema}".owl_axioms; COMMIT', ("Alpha 2", "http://ex.org/A"))
                finally:
                    writer.close()
            return sent(self, sql, params)

        monkeypatch.setattr(dialect.PgConnection, "execute", execute)
        capsys.readouterr()
        assert cli_main(["diff", "--db", str(head), "--base", schema_url(schema), "--format", "json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert done and (data["axioms"]["added"], data["classes"]["changed"]) == (0, []), data
        assert cli_main(["diff", "--db", str(head), "--base", schema_url(schema), "--format", "json"]) == 0
        data = json.loads(capsys.readouterr().out)  # the save, whole
        assert data["axioms"]["added"] == 1 and [e["label"] for e in data["classes"]["changed"]] == ["Alpha"]
    finally:
        drop_schema(schema)


def test_since_a_branch_or_tag_name_says_the_log_holds_commits(tmp_path):
    """`diff --since main` (or `HEAD~1`, `v1.0`) was "no run at revision main in the change log",
    as if no sync had run at main: runs record the commit they synced, never a branch or tag name,
    and the user was not told to give the commit. A revision that is no hexadecimal commit now says
    so, and how to name it (`git rev-parse`); a commit that no run synced is said as before."""
    tree, db = tmp_path / "tree", tmp_path / "x.db"
    tree.mkdir()
    (tree / "A.md").write_text(page("A"))
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    for name in ("main", "HEAD~1", "v1.0"):
        out = cli("diff", "--db", str(db), "--since", name)
        assert out.returncode == 2 and out.stdout == ""
        assert out.stderr == (f"ontosync: error: --since {name}: the change log records the commit each run synced, "
                              "not branch or tag names: give the commit's SHA "
                              f"(`git rev-parse {shlex.quote(name)}` prints it)\n")
    out = cli("diff", "--db", str(db), "--since", "0123456789abcdef")
    assert out.returncode == 2 and "no run at revision 0123456789abcdef in the change log" in out.stderr


def test_diff_of_runs_in_a_newer_ontosync_database_says_so(tmp_path):
    """The same for the change log itself: a newer ontosync's database whose `runs` table it
    changed was "fatal: NEWER.db: database error: no such column: t1.revision", exit 3, read as a
    damaged file. It now says a newer ontosync wrote it, exit 2."""
    tree, db = tmp_path / "tree", tmp_path / "newer.db"
    tree.mkdir()
    (tree / "A.md").write_text(page("A"))
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    _newer(db, "ALTER TABLE runs RENAME COLUMN revision TO commit_sha")
    newest = max(m.version for m in available_migrations())
    for args in ([], ["--since", "abcdef1"], ["--run", "1", "--format", "json"]):
        out = cli("diff", "--db", str(db), *args)
        assert (out.returncode, out.stdout) == (2, ""), out.stderr
        assert out.stderr == (f"ontosync: error: {db} was written by a newer ontosync (migration 999; this "
                              f"release reads up to {newest:03d}): upgrade ontosync to read it\n")
