"""The read commands on PostgreSQL (`status`, `search`, `diff`, `verify`, `--base`) and
`migrate`: the same `?schema=` a sync took, a schema that holds no store, a busy lock. Each test
failed before its fix. Skips without a server (tests/postgres_server.py)."""

from __future__ import annotations

import json
import secrets

import pytest

from tests.helpers import EXAMPLE, cli
from tests.postgres_server import connect, drop_schema, schema_url, server_url


def _schemas_like(prefix: str) -> set[str]:
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute("SELECT nspname FROM pg_namespace WHERE lower(nspname) LIKE %s", (prefix.lower() + "%",))
        return {r[0] for r in cur.fetchall()}
    finally:
        conn.close()


@pytest.fixture
def prefix():
    server_url()
    name = f"T_{secrets.token_hex(5)}"
    yield name
    for schema in _schemas_like(name):
        drop_schema(schema)


def _one_line_error(proc, code: int) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_read_commands_take_the_schema_the_sync_wrote(prefix, tmp_path):
    """`sync --db URL?schema=T_ab-Robots` writes into schema `t_ab_robots` (README: lower-cased to
    letters, digits and `_`), but status, search, diff and verify with the same URL read (and
    created) schema `T_ab-Robots`: "not an ontosync database", exit 3, on a store that is there."""
    if not EXAMPLE.is_dir():
        pytest.skip(f"{EXAMPLE} is missing")
    url = schema_url(f"{prefix}-Robots")
    sync = cli("sync", str(EXAMPLE), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json"))
    assert sync.returncode == 0, sync.stderr
    assert _schemas_like(prefix) == {f"{prefix.lower()}_robots"}

    status = cli("status", "--db", url, "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["classes"] == 6  # examples/ontology declares six classes
    search = cli("search", "robot", "--db", url, "--json")
    assert search.returncode == 0, search.stderr
    assert sorted(h["curie"] for h in json.loads(search.stdout)) == ["ex:IndustrialRobot", "ex:Robot"]
    diff = cli("diff", "--db", url, "--format", "json")
    assert diff.returncode == 0, diff.stderr
    assert len(json.loads(diff.stdout)["classes"]["added"]) == 6
    assert cli("verify", "--db", url).returncode == 0
    assert _schemas_like(prefix) == {f"{prefix.lower()}_robots"}  # nothing created beside it


@pytest.mark.parametrize("command", [["status"], ["search", "robot"], ["diff"], ["verify"]])
def test_read_commands_on_a_schema_without_a_store_say_so_and_create_nothing(prefix, command):
    """A typo in `?schema=` made each read command CREATE that schema on the server, then fail with
    the driver's three-line "relation ... does not exist / LINE 1: ... / ^" (exit 3)."""
    url = schema_url(prefix.lower())
    line = _one_line_error(cli(*command, "--db", url), 2)
    assert prefix.lower() in line and "no ontosync store" in line
    assert server_url().split("@")[0].split(":")[-1] not in line  # the password stays masked
    assert _schemas_like(prefix) == set()


def test_migrate_while_a_sync_holds_the_source_lock_is_busy_exit_4(prefix, tmp_path, monkeypatch):
    """`migrate` on a schema whose sync lock another session held printed a PgLockBusy traceback
    (exit 1) after its 30 s wait; SQLite's `migrate` says `busy:` and exits 4 (CONTRACT section 9)."""
    import ontosync.pg_commands as pg_commands

    schema = prefix.lower()
    url = schema_url(schema)
    assert cli("migrate", "--db", url).returncode == 0
    monkeypatch.setattr(pg_commands, "MIGRATE_LOCK_TIMEOUT_S", 0.3)  # the wait, not the behaviour
    holder = connect()
    try:
        cur = holder.cursor()
        cur.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (f"ontosync:{schema}",))
        assert cur.fetchone()[0]
        line = _one_line_error(cli("migrate", "--db", url), 4)
    finally:
        holder.close()
    assert line.startswith("ontosync: busy: ") and schema in line
    assert cli("migrate", "--db", url).returncode == 0  # once the holder is gone
