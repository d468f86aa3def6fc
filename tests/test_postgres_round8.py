"""An organisation's PostgreSQL server, round 8: `status` of a checkpoint another schema's sync
left says whose it is, as a sync reads it.

Each test of a defect failed before its fix. Skips without a server (tests/postgres_server.py).
"""

from __future__ import annotations

import json

import pytest

from ontosync.cli import main
from tests.postgres_server import own_schema, schema_url

TTL = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://e.org/{0}> a owl:Class .\n"

schema = pytest.fixture(own_schema)  # a schema of the test's own, dropped after it
other = pytest.fixture(own_schema)  # and a second one


def _sync(tree, url: str, checkpoint) -> int:
    return main(["sync", str(tree), "--db", url, "--quiet", "--workers", "1", "--checkpoint", str(checkpoint)])


def _checkpoint_line(capsys) -> str:
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("checkpoint")]
    return line


def test_status_does_not_promise_to_resume_another_schema_s_checkpoint(schema, other, tmp_path, capsys):
    """`status --db ...?schema=a --checkpoint shared.json`, the checkpoint of an unfinished sync into
    schema b: status said "a sync of SRC resumes it", and that sync into a refuses the file (exit 2,
    "holds the unfinished sync of another database"); the SQLite half said whose it is (round 7).
    A default checkpoint (`ontosync-<schema>.checkpoint.json`, one name for a schema on any server)
    another server's sync left is named as another's too; this schema's own is resumed and said so."""
    tree, shared = tmp_path / "t", tmp_path / "shared.json"
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format("A"), encoding="utf-8")
    mine, theirs = schema_url(schema), schema_url(other)
    assert _sync(tree, mine, shared) == 0 and _sync(tree, theirs, shared) == 0
    ckpt = json.loads(shared.read_text())
    shared.write_text(json.dumps({**ckpt, "finished": False}), encoding="utf-8")  # b's sync, interrupted
    capsys.readouterr()
    assert main(["status", "--db", mine, "--checkpoint", str(shared)]) == 0
    assert _checkpoint_line(capsys) == (
        f"checkpoint    UNFINISHED: 1/1 processed, 0 failed; a sync of {tree} into another database, "
        f"{ckpt['database']}, resumes it (not a sync into this one)")
    assert other in ckpt["database"] and _sync(tree, mine, shared) == 2  # the sync refuses it, as status says
    assert main(["status", "--db", theirs, "--checkpoint", str(shared)]) == 0
    assert _checkpoint_line(capsys) == f"checkpoint    UNFINISHED: 1/1 processed, 0 failed; a sync of {tree} resumes it"


def test_a_default_checkpoint_of_another_server_is_named_as_another_s(schema, tmp_path, capsys, monkeypatch):
    tree = tmp_path / "t"
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format("A"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    url = schema_url(schema)
    assert main(["sync", str(tree), "--db", url, "--quiet", "--workers", "1"]) == 0
    default = tmp_path / f"ontosync-{schema}.checkpoint.json"
    ckpt = json.loads(default.read_text())
    assert ckpt["database"].startswith(f"schema {schema} on PostgreSQL server ")
    elsewhere = f"schema {schema} on PostgreSQL server 000000000000"
    default.write_text(json.dumps({**ckpt, "finished": False, "database": elsewhere}), encoding="utf-8")
    capsys.readouterr()
    assert main(["status", "--db", url]) == 0
    line = _checkpoint_line(capsys)
    assert line.endswith(f"into another database, {elsewhere}, resumes it (not a sync into this one)"), line
    assert main(["sync", str(tree), "--db", url, "--quiet", "--workers", "1"]) == 2
