"""Shared test helpers: database dumps compared while ignoring timestamps and row ids."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
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
