"""Syncs into PostgreSQL (`--db postgresql://...`) with values SQLite holds and PostgreSQL
cannot. Each test failed before its fix. Skips without a server (tests/postgres_server.py)."""

from __future__ import annotations

import json
import random
import string

import pytest

from tests.helpers import CONTENT_TABLES, cli, copy_example
from tests.postgres_server import connect, new_schema, own_schema, pg_dump, run_sql, schema_url

HEAD = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")


@pytest.fixture
def schema():
    yield from own_schema()


def _rows(schema: str, sql: str) -> list[tuple]:
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'SET search_path TO "{schema}"')
        cur.execute(sql)
        return sorted(cur.fetchall())
    finally:
        conn.close()


def test_a_value_postgresql_cannot_hold_fails_its_file_and_the_run_goes_on(schema, tmp_path):
    """Was: a label holding NUL (`"\\u0000"` in Turtle) ended the run in a psycopg2 ValueError
    traceback (no report, no checkpoint), and an IRI of 9,000 characters stopped it with exit 3
    ("index row requires 9048 bytes"), whatever else the tree held: one file kept every later
    sync of the repository from finishing. Each is now that file's failure (kind `database`, one
    line naming the limit), its last good facts kept; the other files sync. `a_longiri.ttl` sorts
    first, so its rolled-back save is the run's first: the next save must make the temp tables
    that rollback took again."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "ok.ttl").write_text(HEAD + "<http://e.org/D> a owl:Class .\n")
    (tree / "nul.ttl").write_text(HEAD + '<http://e.org/A> a owl:Class ; rdfs:label "good" .\n')
    url, report = schema_url(schema), tmp_path / "r.json"
    args = ("sync", str(tree), "--db", url, "--quiet", "--max-error-rate", "1", "--report", str(report),
            "--checkpoint", str(tmp_path / "c.json"))
    assert cli(*args).returncode == 0

    rng = random.Random(7)
    long_iri = "http://e.org/" + "".join(rng.choice(string.ascii_letters) for _ in range(9000))
    (tree / "nul.ttl").write_text(HEAD + '<http://e.org/A> a owl:Class ; rdfs:label "nul\\u0000label" .\n')
    (tree / "a_longiri.ttl").write_text(HEAD + f"<{long_iri}> a owl:Class .\n")
    (tree / "later.ttl").write_text(HEAD + "<http://e.org/E> a owl:Class .\n")
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    got = json.loads(report.read_text())
    assert got["files"] == {"total": 4, "ok": 1, "failed": 2, "skipped": 0, "unchanged": 1, "deleted": 0}
    errors = {e["path"]: e for e in got["errors"]}
    assert set(errors) == {"nul.ttl", "a_longiri.ttl"}
    assert "NUL" in errors["nul.ttl"]["message"] and "PostgreSQL" in errors["nul.ttl"]["message"]
    assert "too long" in errors["a_longiri.ttl"]["message"] and "PostgreSQL" in errors["a_longiri.ttl"]["message"]
    assert all(e["kind"] == "database" and "\n" not in e["message"] for e in errors.values())
    assert _rows(schema, "SELECT path, status, error_kind FROM source_files") == [
        ("a_longiri.ttl", "failed", "database"), ("later.ttl", "ok", None), ("nul.ttl", "failed", "database"),
        ("ok.ttl", "ok", None)]
    # nul.ttl keeps its last good facts; the long IRI left no row behind
    assert _rows(schema, "SELECT class_iri, label, source_file FROM owl_classes") == [
        ("http://e.org/A", "good", "nul.ttl"), ("http://e.org/D", None, "ok.ttl"),
        ("http://e.org/E", None, "later.ttl")]


def test_a_path_too_long_for_the_index_is_reported_not_a_traceback(schema, tmp_path):
    """A path of 3,200 characters is more than source_files' key can index in PostgreSQL (about
    2,700 bytes): the file's save is refused, and so is the row that would record its failure.
    Was (before the refusal became the file's failure): exit 3 with the run stopped; then, with
    only the save handled, a ValueRefused traceback from recording the failure. The file is in
    the report's errors (and the checkpoint's `failed`); the other files sync."""
    rng = random.Random(3)
    tree = tmp_path / "tree"
    deep = tree.joinpath(*("".join(rng.choice(string.ascii_letters) for _ in range(200)) for _ in range(16)))
    deep.mkdir(parents=True)
    (deep / "x.ttl").write_text(HEAD + "<http://e.org/Z> a owl:Class .\n")
    (tree / "ok.ttl").write_text(HEAD + "<http://e.org/Y> a owl:Class .\n")
    report = tmp_path / "r.json"
    r = cli("sync", str(tree), "--db", schema_url(schema), "--quiet", "--max-error-rate", "1",
            "--report", str(report), "--checkpoint", str(tmp_path / "c.json"))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    got = json.loads(report.read_text())
    assert got["files"]["ok"] == 1 and got["files"]["failed"] == 1
    [error] = got["errors"]
    assert error["path"].endswith("/x.ttl") and len(error["path"]) > 3000
    assert error["kind"] == "database" and "too long for a PostgreSQL index" in error["message"]
    assert _rows(schema, "SELECT path, status FROM source_files") == [("ok.ttl", "ok")]


def test_a_server_that_goes_away_mid_run_is_one_line_and_the_run_resumes(schema, tmp_path, monkeypatch):
    """Was: the sync's session ended by the server (pg_terminate_backend, a restart, a failover)
    ended the run in a psycopg2 InterfaceError traceback ("connection already closed": the
    rollback, then the change log's close, used the dead connection), hiding the real error. It is
    one line, exit 3, the checkpoint kept; the next sync resumes, and the database equals a fresh
    sync's."""
    from ontosync.pipeline.sync import SyncRun

    tree = copy_example(tmp_path)
    saves = []
    real_save = SyncRun._save_outcome

    def save_then_lose_the_server(self, *args):
        saves.append(args[0])
        if len(saves) == 3:  # from another session, as an operator or a failover would; the 5 s:
            # pg_terminate_backend waits until the session is gone, so the loss cannot come too late
            run_sql(f"SELECT pg_terminate_backend({self.repo.conn.raw.get_backend_pid()}, 5000)")
        return real_save(self, *args)

    monkeypatch.setattr(SyncRun, "_save_outcome", save_then_lose_the_server)
    ckpt = tmp_path / "c.json"
    args = ("sync", str(tree), "--quiet", "--workers", "1", "--checkpoint", str(ckpt))
    r = cli(*args, "--db", schema_url(schema))
    assert r.returncode == 3, r.stderr
    assert "Traceback" not in r.stderr
    [line] = [x for x in r.stderr.splitlines() if "run stopped" in x]
    assert "closed" in line or "terminat" in line
    assert json.loads(ckpt.read_text())["finished"] is False
    monkeypatch.setattr(SyncRun, "_save_outcome", real_save)

    again = cli(*args, "--db", schema_url(schema), "--report", str(tmp_path / "r.json"))
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "r.json").read_text())["resumed"] is True
    fresh = new_schema()
    try:
        assert cli("sync", str(tree), "--quiet", "--db", schema_url(fresh), "--checkpoint",
                   str(tmp_path / "f.json")).returncode == 0
        assert pg_dump(schema, CONTENT_TABLES) == pg_dump(fresh, CONTENT_TABLES)
    finally:
        run_sql(f'DROP SCHEMA IF EXISTS "{fresh}" CASCADE')


def test_the_urls_own_libpq_options_are_kept(schema, tmp_path):
    """Was: `?options=-c ...` in the URL (README: "any libpq parameter") was silently replaced by
    ontosync's own session options, so a sync asked for read-only sessions wrote anyway (as would
    one given a statement_timeout or a role). They are kept, ontosync's after them."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "ok.ttl").write_text(HEAD + "<http://e.org/D> a owl:Class .\n")
    url = schema_url(schema) + "&options=-c%20default_transaction_read_only%3Don"
    r = cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json"))
    assert r.returncode == 3, r.stderr  # the contract's read-only failure (section 9), as SQLite's
    line, = r.stderr.strip().splitlines()
    assert line.startswith("ontosync: fatal: read-only database") and "read-only transaction" in line
    assert _rows("public", f"SELECT 1 FROM pg_namespace WHERE nspname = '{schema}'") == []
    r = cli("sync", str(tree), "--db", schema_url(schema), "--quiet", "--checkpoint", str(tmp_path / "c.json"))
    assert r.returncode == 0, r.stderr  # the same sync without the option writes
