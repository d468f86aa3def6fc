"""Issue 13.1 and 13.2 in the Action's container: a push anyone can make does not stop it.

The push adds a file whose name is not valid UTF-8 and holds control characters (and fails to
parse, so its name reaches an annotation), another with an invalid-UTF-8 name that parses, one
that cannot be read, and makes an existing page unreadable. The Action runs to the end, the job
summary and the annotations render the names escaped on one line each, the unreadable page keeps
its facts, and the next run is not blocked.

Permissions bind root only without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so the container
runs with those two dropped (GitHub runs Docker actions as root with them; a repository's files
can still be unreadable there, through a submodule or a checkout step that sets modes).
Reuses tests/test_docker_action.py's engine, image and runner (marked docker, skipped without an
engine unless ONTOSYNC_REQUIRE_DOCKER=1).
"""

from __future__ import annotations

import os
import sqlite3

import pytest

from tests.test_docker_action import (  # noqa: F401  (client and image are fixtures)
    client,
    error_annotations,
    example_workspace,
    image,
    run_action,
)

pytestmark = pytest.mark.docker

BAD_PARSE = b"broken\x1b\xfe name.ttl"
BAD_PARSE_RECORDED = "broken\\x1b\\xfe name.ttl"
BAD_OK = b"caf\xe9 \xff.ttl"
BAD_OK_RECORDED = "caf\\xe9 \\xff.ttl"


class _DroppedCaps:
    """The docker client, with every container started without the two DAC capabilities."""

    def __init__(self, engine) -> None:
        self._client = engine
        self.containers = self

    def run(self, *args, **kwargs):
        return self._client.containers.run(*args, cap_drop=["DAC_OVERRIDE", "DAC_READ_SEARCH"], **kwargs)


def rows(db) -> dict[str, tuple]:
    conn = sqlite3.connect(db)
    try:
        return {p: (s, k) for p, s, k in conn.execute("SELECT path, status, error_kind FROM source_files")}
    finally:
        conn.close()


def declared(db, path: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM owl_classes WHERE source_file = ?", (path,)).fetchone()[0]
    finally:
        conn.close()


def test_a_push_with_odd_names_and_unreadable_files_does_not_stop_the_action(client, image, tmp_path):  # noqa: F811
    ws = example_workspace(tmp_path)
    inputs = {"max-error-rate": "1"}
    first = run_action(client, image, ws, inputs=inputs)
    assert first.code == 0, first.stdout + first.stderr
    db = ws / "ontology.db"
    page = "pages/Machine.md"
    assert declared(db, page) >= 1
    kept = declared(db, page)

    root = os.fsencode(ws)
    with open(os.path.join(root, BAD_PARSE), "wb") as fh:
        fh.write(b"@prefix ex: <http://example.org/> .\nex:A a ex:B ;\n ex:p \"open .\n")
    with open(os.path.join(root, BAD_OK), "wb") as fh:
        fh.write(b"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://example.org/cafe#C> a owl:Class .\n")
    (ws / "secret.ttl").write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n")
    os.chmod(ws / "secret.ttl", 0o000)
    os.chmod(ws / page, 0o000)
    try:
        run = run_action(_DroppedCaps(client), image, ws, inputs=inputs)
    finally:
        os.chmod(ws / page, 0o644)
        os.chmod(ws / "secret.ttl", 0o644)
    assert run.code == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    got = rows(db)
    assert got[BAD_OK_RECORDED] == ("ok", None) and declared(db, BAD_OK_RECORDED) == 1
    assert got[BAD_PARSE_RECORDED] == ("failed", "parse")
    assert got["secret.ttl"] == ("failed", "io") and got[page] == ("failed", "io")
    assert declared(db, page) == kept  # the unreadable page keeps its facts
    assert run.outputs["files-failed"] == "3"

    annotations = error_annotations(run.stdout)
    assert len(annotations) == 3
    assert any(a.startswith(f"::error file={BAD_PARSE_RECORDED},line=3,") for a in annotations), annotations
    assert any("secret.ttl" in a and "Permission denied" in a for a in annotations), annotations
    for text in (run.stdout, run.summary):
        assert not any((ch < " " and ch not in "\n\t") or "\x7f" <= ch <= "\x9f" for ch in text)
    assert BAD_PARSE_RECORDED in run.summary and "secret.ttl" in run.summary

    # the next push is not blocked: the readable page comes back, the rest is unchanged
    again = run_action(client, image, ws, inputs=inputs)
    assert again.code == 0, again.stdout + again.stderr
    assert rows(db)[page] == ("ok", None) and declared(db, page) == kept
