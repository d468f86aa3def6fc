"""Issue 15: the failure guarantees that are not about a SQLite file, on both backends (the
`backend` fixture, tests/conftest.py; the PostgreSQL case skips without a server, CI requires it).

A file that cannot be parsed among good ones: recorded `failed` with its line, the good files
saved, the run's exit code set by --max-error-rate, the report naming the file and line; fixed, it
is saved like any file, and the database equals a fresh SQLite sync. A bad command line is exit 2
with one line whatever the database. (tests/test_postgres_sync.py holds the failed file keeping
its last good version and the interrupted run resuming, on both.)

What stays SQLite-only, and why: a damaged or non-database file, a read-only folder, a WAL that
grows, the database file locked by another process (tests/test_exit_codes.py, test_bounded.py,
test_busy_new_database.py): those are properties of a file. Their PostgreSQL counterparts (an
unreachable server, a row locked by another session, a second sync of the same source) are in
tests/test_postgres_server.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from tests.helpers import EXAMPLE, cli
from tests.postgres_server import sqlite_dump

BROKEN = "@prefix ex: <http://e/> .\nex:a a ex:B .\nex:c ex:d \"unterminated .\n"
TABLES = ("ontologies", "source_files", "owl_classes", "owl_class_hierarchy", "owl_properties", "owl_axioms",
          "file_classes", "file_edges", "file_properties", "page_names")


def sync(backend, tree: Path, work: Path, *args: str):
    return cli("sync", str(tree), "--db", backend.db, "--quiet", "--checkpoint", str(work / "c.json"), *args)


def test_a_malformed_file_among_good_ones(backend, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(EXAMPLE, src)
    (src / "broken.ttl").write_text(BROKEN, encoding="utf-8")
    proc = sync(backend, src, tmp_path, "--report", str(tmp_path / "r.json"))
    assert proc.returncode == 1 and "error rate" in proc.stderr, proc.stderr  # 1 of 8: over 0.05
    assert "Traceback" not in proc.stderr
    rows = {r[0]: r for r in backend.dump(("source_files",))["source_files"]}
    failed = [r for r in rows.values() if "failed" in r]
    assert len(failed) == 1 and failed[0][0] == "broken.ttl" and 3 in failed[0]
    report = json.loads((tmp_path / "r.json").read_text())
    assert [(e["path"], e["line"], e["kind"]) for e in report["errors"]] == [("broken.ttl", 3, "parse")]
    ok = [r for r in rows.values() if "ok" in r]
    assert report["files"]["ok"] == len(ok) == len(list(EXAMPLE.rglob("*.md"))) - 1 + 1  # pages but Notes, core.ttl

    # under a higher threshold the same run is a success; fixed, the file is saved like any other
    assert sync(backend, src, tmp_path, "--max-error-rate", "0.5", "--full").returncode == 0
    (src / "broken.ttl").write_text(BROKEN.replace('"unterminated .', '"terminated" .'), encoding="utf-8")
    proc = sync(backend, src, tmp_path)
    assert proc.returncode == 0, proc.stderr
    fresh = tmp_path / "fresh.db"
    assert cli("sync", str(src), "--db", str(fresh), "--quiet").returncode == 0
    assert backend.dump(TABLES) == sqlite_dump(fresh, TABLES)


def test_bad_command_lines_exit_2_with_one_line(backend, tmp_path):
    for args in (("sync", str(tmp_path / "missing"), "--db", backend.db),
                 ("sync", str(EXAMPLE), "--db", backend.db, "--workers", "zero"),
                 ("sync", str(EXAMPLE), "--db", backend.db, "--max-error-rate", "2")):
        proc = cli(*args)
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2, (args, proc.stderr)
        assert len(lines) == 1 and lines[0].startswith("ontosync: error:"), (args, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert not urlsplit(backend.db).password or urlsplit(backend.db).password not in proc.stderr
    assert backend.count("source_files") == 0  # nothing was written
