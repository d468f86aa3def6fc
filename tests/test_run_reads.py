"""Issue 15: the change log's reads go through Peewee (store/run_reads.py) and answer, on both
backends (the `backend` fixture), exactly what plain SQL over the tables answers; the models of
store/changelog_models.py match the tables both dialects' migrations create."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from ontosync.store.changelog_models import CHANGELOG_MODELS
from ontosync.store.run_reads import RunLog
from tests.helpers import cli, copy_example
from tests.postgres_server import connect


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout.strip()


def opened(backend):
    """(a connection as the store's reads get it, a plain cursor-like `rows(sql)` for the check)."""
    if backend.schema is None:
        conn = sqlite3.connect(backend.db)
        return conn, conn, lambda sql: conn.execute(sql).fetchall()
    from ontosync.store.pg.database import connect as pg_connect
    from ontosync.store.pg.database import target

    db, conn = pg_connect(target(backend.db, "test"), "ontosync test")
    raw = connect()
    cur = raw.cursor()
    cur.execute(f'SET search_path = "{backend.schema}"')

    def rows(sql: str) -> list[tuple]:
        cur.execute(sql)
        return cur.fetchall()

    return db, conn, rows


def columns(backend, rows, table: str) -> set[str]:
    if backend.schema is None:
        return {r[1] for r in rows(f"PRAGMA table_info({table})")}
    return {r[0] for r in rows("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                               f"current_schema() AND table_name = '{table}'")}


def test_the_change_log_reads_equal_plain_sql(backend, tmp_path):
    tree = copy_example(tmp_path)
    git(tree, "init", "-q")
    revisions = []
    for step in range(3):
        if step:
            page = sorted(tree.rglob("*.md"))[step]
            page.write_text(page.read_text(encoding="utf-8").replace("preferred-term::", "preferred-term:: X"),
                            encoding="utf-8")
        git(tree, "add", "-A")
        git(tree, "commit", "-q", "-m", f"step {step}")
        revisions.append(git(tree, "rev-parse", "HEAD"))
        proc = cli("sync", str(tree), "--db", backend.db, "--quiet", "--checkpoint", str(tmp_path / "c.json"))
        assert proc.returncode == 0, proc.stderr
    owner, conn, rows = opened(backend)
    try:
        for model in CHANGELOG_MODELS:
            table = model._meta.table_name
            assert {f.column_name for f in model._meta.sorted_fields} == columns(backend, rows, table), table
        log = RunLog(conn)
        ids = [r[0] for r in rows("SELECT id FROM runs ORDER BY id")]
        assert len(ids) == 3 and log.newest() == ids[-1]
        assert log.kept() == f"runs kept: {ids[0]} to {ids[-1]}" and log.span() == (ids[0], ids[-1])
        assert log.previous(ids[-1]) == ids[-2] and log.previous(ids[0]) is None
        assert log.exists(ids[1]) and not log.exists(ids[-1] + 1)
        by_revision = dict(rows("SELECT revision, id FROM runs"))
        assert all(log.at_revision(rev) == by_revision[rev] for rev in revisions)
        assert log.at_revision(revisions[1][:7].upper()) == by_revision[revisions[1]]  # a prefix, any case
        assert log.at_revision(revisions[1][:6]) is None  # too short to be a prefix
        expected = rows("SELECT kind, ontology_id, iri, item, old, new FROM run_changes ORDER BY run_id, kind, "
                        "ontology_id, iri, item")
        assert sorted(log.changes(ids[0], ids[-1]), key=repr) == sorted(expected, key=repr) and len(expected) > 10
        assert log.last_with_changes() == rows("SELECT max(run_id) FROM run_changes")[0][0]
        cls = rows("SELECT ontology_id, class_iri, label FROM owl_classes WHERE label IS NOT NULL")
        assert cls and all(log.label(o, iri) == label for o, iri, label in cls)
        assert log.label("default", "http://example.org/none#Nothing") is None
    finally:
        owner.close()
