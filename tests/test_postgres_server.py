"""Issue 15: what only a PostgreSQL server has: many sources in one server, the per-source lock,
readers during a sync, credentials, migrations per dialect, and the reads (status, verify).

Needs the server of tests/postgres_server.py (skips without it; CI sets ONTOSYNC_REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ontosync.db_url import mask, password, schema_for, split_schema
from tests.helpers import CONTENT_TABLES, ROOT, cli, copy_example
from tests.postgres_server import connect, drop_schema, new_schema, pg_dump, schema_url, server_url, sqlite_dump

# the contract tables, the per-file facts and the semantic-sql layer (class_search's id aside)
TABLES = (*CONTENT_TABLES, "file_synonyms", "statements", "prefix", "entailed_edge", "class_search")


@pytest.fixture
def schema():
    server_url()
    name = new_schema()
    yield name
    drop_schema(name)


def make_tree(root: Path, n: int, tag: str) -> Path:
    """`n` Turtle files, a chain of subclasses, with IRIs of their own per tree (`tag`)."""
    root.mkdir(parents=True)
    for i in range(n):
        (root / f"f{i:03d}.ttl").write_text(
            "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            f"<http://example.org/{tag}#C{i}> a owl:Class ; rdfs:label \"{tag} {i}\" ;\n"
            f"  rdfs:subClassOf <http://example.org/{tag}#C{i + 1}> , <http://example.org/{tag}#C{i // 2}> .\n",
            encoding="utf-8")
    return root


def sqlite_of(tree: Path, work: Path) -> dict:
    db = work / f"{tree.name}.db"
    proc = cli("sync", str(tree), "--db", str(db), "--quiet", "--checkpoint", str(work / f"{tree.name}.sq.json"))
    assert proc.returncode == 0, proc.stderr
    return sqlite_dump(db, TABLES)


# -- URLs and credentials ---------------------------------------------------------------------------
def test_masking_and_schema_names():
    url = "postgresql://alice:s3cr%40t@db.example:5432/onto?sslmode=require&schema=Team-A"
    assert "s3cr" not in mask(f"could not connect: {url}") and "alice:***@db.example" in mask(url)
    assert mask("host=x password=hunter2 user=y") == "host=x password=*** user=y"
    assert password(url) == "s3cr%40t"
    assert split_schema(url) == ("postgresql://alice:s3cr%40t@db.example:5432/onto?sslmode=require", "Team-A")
    assert schema_for(url, ".") == "team_a"
    assert schema_for("postgresql://h/db", "github:Org/My.Repo@main") == "org_my_repo"
    assert schema_for("postgresql://h/db", "/work/123-ontology") == "s_123_ontology"
    long_a, long_b = schema_for("postgresql://h/db?schema=" + "a" * 80, "."), schema_for(
        "postgresql://h/db?schema=" + "a" * 79 + "b", ".")
    assert len(long_a) <= 63 and long_a != long_b


def test_no_password_in_any_output(schema, tmp_path):
    tree = copy_example(tmp_path)
    url = schema_url(schema)
    secret = password(url)
    assert secret
    report, ckpt = tmp_path / "r.json", tmp_path / "c.json"
    outputs = []
    for args in (("sync", str(tree), "--db", url, "--report", str(report), "--checkpoint", str(ckpt)),
                 ("status", "--db", url, "--checkpoint", str(ckpt), "--json"), ("verify", "--db", url),
                 ("status", "--db", url)):
        proc = cli(*args)
        assert proc.returncode == 0, proc.stderr
        outputs += [proc.stdout, proc.stderr]
    outputs += [report.read_text(), ckpt.read_text()]
    assert all(secret not in text for text in outputs)
    assert "schema " + schema in outputs[2]  # status names the source's schema
    # a wrong password: exit 2, one line, and neither password printed
    bad = url.replace(f":{secret}@", ":wrong-pass-123@")
    proc = cli("sync", str(tree), "--db", bad, "--checkpoint", str(ckpt))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "wrong-pass-123" not in proc.stderr and secret not in proc.stderr
    assert "cannot use postgresql://" in proc.stderr and proc.stderr.count("\n") == 1


def test_an_unreachable_server_is_a_clear_error(tmp_path):
    import socket

    tree = copy_example(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free: nothing listens there once closed
    proc = cli("sync", str(tree), "--db", f"postgresql://u:topsecret@127.0.0.1:{port}/x?connect_timeout=3",
               "--checkpoint", str(tmp_path / "c.json"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "topsecret" not in proc.stderr
    assert f"127.0.0.1:{port}" in proc.stderr


def test_the_default_checkpoint_is_named_by_the_schema(schema, tmp_path):
    tree = copy_example(tmp_path)
    proc = cli("sync", str(tree), "--db", schema_url(schema), "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    ckpt = tmp_path / f"ontosync-{schema}.checkpoint.json"
    assert json.loads(ckpt.read_text())["finished"] is True


# -- schema per source, migrations -------------------------------------------------------------------
def test_migrations_are_recorded_and_a_newer_schema_is_refused(schema, tmp_path):
    tree = copy_example(tmp_path)
    url = schema_url(schema)
    assert cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json")).returncode == 0
    conn = connect()
    cur = conn.cursor()
    cur.execute(f'SELECT version, name, length(checksum) FROM "{schema}".schema_migrations ORDER BY 1')
    from ontosync.store.migrations import available_migrations
    from ontosync.store.pg.database import migrations_dir

    shipped = [(m.version, m.name, 64) for m in available_migrations(migrations_dir())]
    assert cur.fetchall() == shipped and shipped[:2] == [(1, "initial", 64), (2, "semantic_sql", 64)]
    cur.execute(f"""SELECT count(*) FROM information_schema.referential_constraints r
                    JOIN information_schema.table_constraints t ON t.constraint_name = r.constraint_name
                    AND t.constraint_schema = r.constraint_schema
                    WHERE r.constraint_schema = '{schema}' AND t.table_name = 'owl_class_hierarchy'
                    AND r.delete_rule = 'CASCADE'""")
    assert cur.fetchone()[0] == 2  # both composite foreign keys of the hierarchy cascade
    cur.execute(f"""INSERT INTO "{schema}".schema_migrations VALUES (999, 'future', 'now', 'x', 0)""")
    before = pg_dump(schema, TABLES)
    (tree / "pages" / "Notes.md").unlink()
    proc = cli("sync", str(tree), "--db", url, "--checkpoint", str(tmp_path / "c.json"))
    assert proc.returncode == 3 and "newer than this ontosync" in proc.stderr and "Traceback" not in proc.stderr
    assert pg_dump(schema, TABLES) == before  # nothing written
    assert cli("verify", "--db", url).returncode == 3
    cur.execute(f'DELETE FROM "{schema}".schema_migrations WHERE version = 999')
    cur.execute(f"UPDATE \"{schema}\".schema_migrations SET checksum = 'tampered' WHERE version = 1")
    proc = cli("sync", str(tree), "--db", url, "--checkpoint", str(tmp_path / "c.json"))
    assert proc.returncode == 3 and "changed after it was applied" in proc.stderr
    conn.close()


def test_verify_finds_an_orphan_and_status_counts(schema, tmp_path):
    tree = copy_example(tmp_path)
    url = schema_url(schema)
    assert cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json")).returncode == 0
    proc = cli("status", "--db", url, "--json", "--checkpoint", str(tmp_path / "c.json"))
    info = json.loads(proc.stdout)
    dump = pg_dump(schema, TABLES)
    assert info["classes"] == sum(1 for r in dump["owl_classes"] if r[4] is not None)
    assert info["hierarchy_edges"] == len(dump["owl_class_hierarchy"]) and info["checkpoint"]["finished"]
    conn = connect()
    cur = conn.cursor()
    # an orphan only a NOT VALID constraint lets in: verify must find it
    cur.execute(f'ALTER TABLE "{schema}".file_classes DROP CONSTRAINT file_classes_path_fkey')
    cur.execute(f"""INSERT INTO "{schema}".file_classes VALUES ('nowhere.ttl', 'o', 'http://x#C', NULL, NULL)""")
    cur.execute(f'ALTER TABLE "{schema}".file_classes ADD CONSTRAINT file_classes_path_fkey FOREIGN KEY (path) '
                f'REFERENCES "{schema}".source_files (path) ON DELETE CASCADE NOT VALID')
    conn.close()
    proc = cli("verify", "--db", url)
    assert proc.returncode == 3
    assert "file_classes_path_fkey" in proc.stderr and "1 rows of" in proc.stderr


def test_the_schema_must_be_named_when_the_server_holds_several(schema, tmp_path):
    tree = copy_example(tmp_path)
    other = new_schema()
    try:
        for name in (schema, other):
            assert cli("sync", str(tree), "--db", schema_url(name), "--quiet",
                       "--checkpoint", str(tmp_path / f"{name}.json")).returncode == 0
        proc = cli("status", "--db", server_url())
        assert proc.returncode == 2 and "?schema=NAME" in proc.stderr and schema in proc.stderr
    finally:
        drop_schema(other)


# -- many sources at once, the same source twice ---------------------------------------------------
def _popen(tree: Path, url: str, work: Path, *extra: str, workers: int = 1) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "ontosync", "sync", str(tree), "--db", url, "--quiet",
                             "--workers", str(workers), "--checkpoint", str(work / f"{tree.name}.ckpt.json"),
                             "--report", str(work / f"{tree.name}.report.json"), *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_four_concurrent_syncs_of_four_trees_into_one_server(tmp_path):
    server_url()
    trees = [make_tree(tmp_path / f"tree{i}", 40 + 10 * i, f"t{i}") for i in range(4)]
    shared = copy_example(tmp_path, "shared")  # plus one file all four share, in every tree
    for tree in trees:
        shutil.copy(shared / "core.ttl", tree / "core.ttl")
    schemas = [new_schema() for _ in trees]
    try:
        procs = [_popen(tree, schema_url(s), tmp_path) for tree, s in zip(trees, schemas, strict=True)]
        results = [p.communicate(timeout=300) for p in procs]
        for proc, (_out, err) in zip(procs, results, strict=True):
            assert proc.returncode == 0 and "Traceback" not in err, err
        for tree, s in zip(trees, schemas, strict=True):
            got = pg_dump(s, TABLES)
            assert got == sqlite_of(tree, tmp_path)
            report = json.loads((tmp_path / f"{tree.name}.report.json").read_text())
            assert report["files"]["ok"] == len(list(tree.iterdir())) and report["retries"] >= 0
    finally:
        for s in schemas:
            drop_schema(s)


def test_a_second_sync_of_the_same_source_waits_then_exits_4(schema, tmp_path):
    tree = copy_example(tmp_path)
    url = schema_url(schema)
    holder = connect()
    cur = holder.cursor()
    cur.execute("SET application_name = 'the-other-sync'")
    cur.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (f"ontosync:{schema}",))
    try:
        started = time.monotonic()
        proc = cli("sync", str(tree), "--db", url, "--lock-timeout", "1", "--checkpoint", str(tmp_path / "c.json"))
        assert proc.returncode == 4, proc.stderr
        assert time.monotonic() - started >= 1.0  # it waited for the lock first
        assert f"schema {schema}" in proc.stderr and "the-other-sync" in proc.stderr and "--lock-timeout" in proc.stderr
        assert password(url) not in proc.stderr
    finally:
        holder.close()  # the session ends: its lock goes with it
    proc = cli("sync", str(tree), "--db", url, "--quiet", "--lock-timeout", "5",
               "--checkpoint", str(tmp_path / "c.json"))
    assert proc.returncode == 0, proc.stderr


def test_two_syncs_of_the_same_source_at_once_end_as_one(schema, tmp_path):
    tree = make_tree(tmp_path / "same", 60, "same")
    url = schema_url(schema)
    for i in range(2):
        (tmp_path / f"w{i}").mkdir()
    procs = [_popen(tree, url, tmp_path / f"w{i}", "--lock-timeout", "300") for i in range(2)]
    for p in procs:
        _out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert pg_dump(schema, TABLES) == sqlite_of(tree, tmp_path)


# -- readers ----------------------------------------------------------------------------------------
def test_a_reader_never_sees_a_half_written_file(schema, tmp_path):
    """A reader polls throughout a full sync; in every snapshot each file it sees has all its rows
    (its facts and its semantic-sql statements, which are written in the file's transaction)."""
    n = 150
    tree = make_tree(tmp_path / "tree", n, "r")
    url = schema_url(schema)
    seen: list[dict] = []
    stop = threading.Event()

    def poll() -> None:
        conn = connect()
        cur = conn.cursor()
        while not stop.is_set():
            try:
                cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                cur.execute(f"""SELECT s.path, (SELECT count(*) FROM "{schema}".file_classes f WHERE f.path = s.path),
                                   (SELECT count(*) FROM "{schema}".file_edges e WHERE e.path = s.path),
                                   (SELECT count(*) FROM "{schema}".statements t WHERE t.source_file = s.path)
                                FROM "{schema}".source_files s""")
                seen.append({p: rest for p, *rest in cur.fetchall()})
                cur.execute("COMMIT")
                time.sleep(0.02)  # a snapshot every ~20 ms: dozens during the sync, not a busy loop
            except Exception:  # the schema or its tables do not exist yet
                cur.execute("ROLLBACK")
                time.sleep(0.01)
        conn.close()

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        proc = _popen(tree, url, tmp_path, workers=2)
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    finally:
        stop.set()
        reader.join(timeout=60)
    conn = connect()
    cur = conn.cursor()
    cur.execute(f"""SELECT s.path, (SELECT count(*) FROM "{schema}".file_classes f WHERE f.path = s.path),
                       (SELECT count(*) FROM "{schema}".file_edges e WHERE e.path = s.path),
                       (SELECT count(*) FROM "{schema}".statements t WHERE t.source_file = s.path)
                    FROM "{schema}".source_files s""")
    final = {p: rest for p, *rest in cur.fetchall()}
    conn.close()
    partial = [snap for snap in seen if 0 < len(snap) < n]
    assert len(partial) >= 3, f"the reader saw too few moments of the sync ({len(seen)} snapshots)"
    for snap in partial:
        for path, counts in snap.items():  # the file's facts and its semantic-sql rows, all or nothing
            assert counts == final[path], path


# -- another session holding rows: retried, counted, then exit 4 ------------------------------------
def _hold_row(schema: str, path: str, seconds: float, release: threading.Event | None = None) -> threading.Thread:
    """Another session locks `path`'s source_files row for `seconds` (as a long transaction would),
    or until `release` is set, if sooner."""
    ready, release = threading.Event(), release or threading.Event()

    def hold() -> None:
        conn = connect()
        cur = conn.cursor()
        cur.execute("BEGIN")
        cur.execute(f'SELECT 1 FROM "{schema}".source_files WHERE path = %s FOR UPDATE', (path,))
        ready.set()
        release.wait(seconds)
        cur.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait(30)
    return thread


def test_a_locked_row_is_retried_and_counted(schema, tmp_path):
    tree = copy_example(tmp_path)
    url = schema_url(schema)
    ckpt, report = str(tmp_path / "c.json"), tmp_path / "r.json"
    assert cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", ckpt).returncode == 0
    core = tree / "core.ttl"
    core.write_text(core.read_text(encoding="utf-8").replace('"Machine"', '"A machine"', 1), encoding="utf-8")
    holder = _hold_row(schema, "core.ttl", 2.5)
    proc = cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", ckpt, "--report", str(report))
    holder.join()
    assert proc.returncode == 0, proc.stderr
    assert json.loads(report.read_text())["retries"] >= 1
    assert pg_dump(schema, TABLES) == sqlite_of(tree, tmp_path)

    core.write_text(core.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    done = threading.Event()  # the holder lets go once the sync has given up, not 8 s regardless
    holder = _hold_row(schema, "core.ttl", 8, done)  # held until then: a shorter --busy-timeout only waits less
    proc = cli("sync", str(tree), "--db", url, "--checkpoint", ckpt, "--busy-timeout", "0.5")
    done.set()
    holder.join()
    assert proc.returncode == 4 and "database busy" in proc.stderr and "Traceback" not in proc.stderr
    assert password(url) not in proc.stderr


def test_the_database_url_may_come_from_the_environment(schema, tmp_path):
    """ONTOSYNC_DATABASE_URL (a CI secret) stands for --db in sync, status and verify."""
    tree = copy_example(tmp_path)
    env = {"ONTOSYNC_DATABASE_URL": schema_url(schema)}
    proc = cli("sync", str(tree), "--quiet", "--checkpoint", str(tmp_path / "c.json"), env=env)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "ontology.db").exists() and not Path("ontology.db").exists()
    assert len(pg_dump(schema, ("owl_classes",))["owl_classes"]) > 0
    proc = cli("status", "--json", "--checkpoint", str(tmp_path / "c.json"), env=env)
    assert proc.returncode == 0 and json.loads(proc.stdout)["files"]["ok"] > 0
    assert cli("verify", env=env).returncode == 0


def test_search_answers_like_sqlite(schema, tmp_path):
    tree = copy_example(tmp_path)
    url, db = schema_url(schema), tmp_path / "s.db"
    assert cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json")).returncode == 0
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    for text in ("robo", "programmable mach", "part", "no such words here"):
        pg, sq = (cli("search", text, "--db", d, "--json") for d in (url, str(db)))
        assert pg.returncode == sq.returncode == 0, pg.stderr
        assert {h["curie"] for h in json.loads(pg.stdout)} == {h["curie"] for h in json.loads(sq.stdout)}, text
    pg, sq = (cli("search", "  ", "--db", d, "--json") for d in (url, str(db)))  # no word: a usage error on both
    assert pg.returncode == sq.returncode == 2 and pg.stderr == sq.stderr and "no word to find" in pg.stderr
    assert json.loads(cli("search", "robo", "--db", url, "--json").stdout)  # it finds something


def test_the_postgres_writer_has_every_attribute_of_the_sqlite_one(schema, tmp_path):
    """PgRepository inherits the SQLite writer's steps but not its __init__ (which opens SQLite): an
    attribute a later change adds there must be set here too, or the inherited steps break."""
    from ontosync.store.pg.database import target
    from ontosync.store.pg.repository import PgRepository
    from ontosync.store.repository import Repository

    sqlite_repo = Repository(tmp_path / "a.db")
    pg_repo = PgRepository(target(schema_url(schema), "."), lock_timeout=5)
    try:
        assert set(vars(sqlite_repo)) - set(vars(pg_repo)) == set()
    finally:
        sqlite_repo.close()
        pg_repo.close()


def test_sessions_creating_one_schema_at_once_all_succeed(schema):
    """Sessions connect to one new schema at the same moment, twenty times over: CREATE SCHEMA IF
    NOT EXISTS alone lets two of them collide on pg_namespace's unique index (a CI run saw it, as
    two syncs of one source started together); each must get a working connection."""
    from ontosync.store.pg.database import PgTarget
    from ontosync.store.pg.database import connect as pg_connect

    errors: list[str] = []

    def one(start: threading.Barrier) -> None:
        start.wait()
        try:
            db, _conn = pg_connect(PgTarget(schema_url(schema), schema))
            db.close()
        except Exception as exc:  # any failure is the finding
            errors.append(repr(exc))

    for _ in range(20):
        drop_schema(schema)
        start = threading.Barrier(8)
        threads = [threading.Thread(target=one, args=(start,)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert errors == []
