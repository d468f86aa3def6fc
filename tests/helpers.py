"""Shared test helpers: database dumps compared while ignoring timestamps and row ids."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
PAGES = CORPORA / "visionflow-pages"
ONTOLOGIES = CORPORA / "ontologies"

# Columns that say when, not what: left out of every comparison.
VOLATILE = {"synced_at", "last_synced", "created_at", "applied_at", "execution_time_ms", "id"}
CONTENT_TABLES = ("ontologies", "source_files", "owl_classes", "owl_class_hierarchy", "owl_properties",
                  "owl_axioms", "file_classes", "file_edges", "file_properties", "page_names")


def dump_db(conn: sqlite3.Connection, tables=CONTENT_TABLES) -> dict[str, list[tuple]]:
    out = {}
    for table in tables:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in VOLATILE]
        rows = conn.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
        out[table] = sorted(rows, key=repr)
    return out


def dump_file(db: Path | str) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return dump_db(conn)
    finally:
        conn.close()


def run_cli(*args: str, env: dict | None = None, timeout: float = 600, cwd: Path | None = None):
    """Run `python -m ontosync` in a fresh process, as a user would."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "ontosync", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=cwd)


# -- shared by the failure-path tests (issue 13) ---------------------------------------------------
EXAMPLE = ROOT / "examples" / "ontology"


def copy_example(tmp_path: Path, name: str = "tree") -> Path:
    """A private copy of examples/ontology (skips when the example is missing)."""
    import shutil

    import pytest

    if not EXAMPLE.is_dir():
        pytest.skip(f"{EXAMPLE} is missing")
    shutil.copytree(EXAMPLE, tmp_path / name)
    return tmp_path / name


def assert_equals_fresh_sync(tree: Path, db: Path, work: Path, *args: str) -> None:
    """`db` holds exactly what one fresh full sync of `tree` (with `args`) makes."""
    expected = work / f"fresh-{db.stem}.db"
    proc = cli("sync", str(tree), "--db", str(expected), "--quiet", *args)
    assert proc.returncode == 0, proc.stderr
    assert dump_file(db) == dump_file(expected)


class WriteLockHolder:
    """Another process holding SQLite's write lock on `db` (BEGIN IMMEDIATE, or `begin`: EXCLUSIVE
    keeps every reader of a rollback-journal database out) until the block ends."""

    def __init__(self, db: Path, begin: str = "IMMEDIATE"):
        self.db = db
        self.begin = begin
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> subprocess.Popen:
        self.proc = subprocess.Popen([sys.executable, "-c", (
            "import sqlite3, sys\n"
            f"c = sqlite3.connect({str(self.db)!r}, isolation_level=None)\n"
            f"c.execute('BEGIN {self.begin}'); print('held', flush=True); sys.stdin.read()\n")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "held"
        return self.proc

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.communicate("", timeout=60)


def cli(*args: str, env: dict | None = None, timeout: float = 600, cwd: Path | str | None = None):
    """`ontosync ARGS` in this process: `run_cli`'s result for a fraction of its cost.

    Starting a Python process and importing ontosync costs ~0.3-1 s per call, most of the suite's
    time; in-process, a call costs what the command does. Same `CompletedProcess` shape (exit code,
    captured stdout and stderr), the environment overlaid on os.environ and the working folder
    changed for the call only. An exception escaping `main` becomes exit 1 with its traceback on
    stderr, as the interpreter would print it, so "no traceback reaches the user" stays testable.
    Use `run_cli` where the separate process is the point (signals, exit status of the
    interpreter, `python -m ontosync`). `timeout` is accepted for symmetry; pytest-timeout rules.
    """
    import contextlib
    import io
    import traceback

    from ontosync.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    try:
        os.environ.update({k: str(v) for k, v in (env or {}).items()})
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if exc.code is not None and not isinstance(exc.code, int):
                    print(exc.code, file=sys.stderr)
            except Exception:
                traceback.print_exc()
                code = 1
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(["ontosync", *map(str, args)], code or 0, out.getvalue(), err.getvalue())


def reachable(edges: dict, start) -> set:
    """`start` and everything reachable from it over `edges` (node -> iterable of nodes): the
    tests' own closure, written apart from ontosync's, to check its answers against."""
    seen, todo = {start}, [start]
    while todo:
        for n in edges.get(todo.pop(), ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def q(db: Path, sql: str, *args) -> list[tuple]:
    """Rows of one query on the database file `db` (a connection of its own, closed after)."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def synced_pages(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (path under `root` -> text) and sync `root` in-process into a database next
    to it; returns the database, after checking the sync succeeded with no failed file."""
    import json

    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    db, report = root.parent / f"{root.name}.db", root.parent / f"{root.name}.json"
    r = cli("sync", str(root), "--db", str(db), "--report", str(report), "--quiet")
    assert r.returncode == 0, r.stderr
    assert json.loads(report.read_text())["files"]["failed"] == 0
    return db


DATASETTE = Path(sys.executable).with_name("datasette")


def datasette_get(base: str, path: str, **params) -> list[dict]:
    """Rows of a Datasette JSON endpoint (a table or a canned query) as a list of dicts."""
    import json
    import urllib.parse
    import urllib.request

    query = urllib.parse.urlencode({**params, "_shape": "array"})
    with urllib.request.urlopen(f"{base}{path}.json?{query}", timeout=30) as r:
        return json.loads(r.read())


@contextlib.contextmanager
def datasette_serving(db: Path, metadata: Path):
    """A real Datasette serving `db` with `metadata` on a free 127.0.0.1 port; yields its base URL."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(DATASETTE), "serve", str(db), "--metadata", str(metadata), "--host", "127.0.0.1",
                             "--port", str(port), "--setting", "sql_time_limit_ms", "20000"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=2)
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()[-2000:]
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def make_chain_tree(root: Path, files: int) -> None:
    """`files` Turtle files, f00.ttl ..., each declaring class Ci as a subclass of C(i+1)."""
    root.mkdir()
    for i in range(files):
        (root / f"f{i:02d}.ttl").write_text(
            "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            f"<http://example.org/f#C{i}> a owl:Class ; <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
            f"<http://example.org/f#C{i + 1}> .\n")


def database_at(db: Path, last_version: int) -> None:
    """A new database with migrations 001..last_version only: as an older release left it."""
    from ontosync.store import migrations

    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = wal")
        for mig in migrations.available_migrations():
            if mig.version <= last_version:
                conn.execute("BEGIN IMMEDIATE")
                migrations.apply_migration(conn, mig)
                conn.execute("COMMIT")
    finally:
        conn.close()


class RecordedTime:
    """A `time` module whose sleeps are recorded, not slept: set on a module (monkeypatch) whose
    waits a test checks by their length, not by waiting them out (PyGithub's pace, a rate limit's
    reset; issue 16). Its clocks run ahead by what was "slept", so code that waits until a time
    (a rate limit's reset) sees that time come, as after a real sleep."""

    def __init__(self):
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def time(self) -> float:
        return time.time() + sum(self.slept)

    def monotonic(self) -> float:
        return time.monotonic() + sum(self.slept)

    def __getattr__(self, name: str):
        return getattr(time, name)


# -- a command stopped by a real signal at a chosen point (tests/test_interrupt_paths.py) ----------
# The runner wraps one function (`module:attr`, `attr` dotted for a class's method) so that its
# `nth` call sends this very process `signum` as it starts (`before`) or as it returns (`after`),
# then runs `python -m ontosync`'s entry point with the handlers a user's process has.
_SIGNAL_RUNNER = """
import importlib, os, sys
target, when, signum, nth = sys.argv[1:5]
del sys.argv[1:5]
module_name, _, attr = target.partition(":")
*path, name = attr.split(".")
owner = importlib.import_module(module_name)
for part in path:
    owner = getattr(owner, part)
original, calls = getattr(owner, name), [0]
def signalled(*args, **kwargs):
    calls[0] += 1
    if calls[0] == int(nth) and when == "before":
        os.kill(os.getpid(), int(signum))
    try:
        return original(*args, **kwargs)
    finally:
        if calls[0] == int(nth) and when == "after":
            os.kill(os.getpid(), int(signum))
setattr(owner, name, signalled)
entry = os.environ.pop("ONTOSYNC_SIGNALLED_ENTRY", "")
if entry:  # a script of its own (the Action's entrypoint.py), as its container runs it
    import runpy
    sys.argv[0] = entry
    runpy.run_path(entry, run_name="__main__")
sys.argv[0] = "ontosync"
import ontosync
ontosync.run()
"""


def signalled_run(target: str, *args: str, when: str = "before", signum: int = 15, nth: int = 1,
                  env: dict | None = None, timeout: float = 120,
                  entry: Path | None = None) -> subprocess.CompletedProcess:
    """`ontosync ARGS` in its own process, sent `signum` (SIGTERM by default; SIGINT is Ctrl-C) by
    itself as the `nth` call of `target` ("ontosync.pipeline.outputs:write_report") starts or ends:
    a real signal at a point a test chooses, where a `kill` from outside would be a race. `entry`:
    a script run instead of `ontosync` (the Action's entrypoint.py, its inputs in `env`)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    if entry is not None:
        full_env["ONTOSYNC_SIGNALLED_ENTRY"] = str(entry)
    return subprocess.run([sys.executable, "-c", _SIGNAL_RUNNER, target, when, str(int(signum)), str(nth),
                           *map(str, args)], capture_output=True, text=True, env=full_env, timeout=timeout)
