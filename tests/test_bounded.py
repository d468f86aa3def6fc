"""Issue 13.8: bounded resources.

The WAL does not stay at the size a long reader let it grow to (journal_size_limit, a TRUNCATE
checkpoint at the end of each run); configuration files have size, depth and value-count limits;
every key is validated, nested `alerts:` keys included, in the spelling of the other keys; integer
settings refuse non-integers. Each breach is exit 2 with one line.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli, dump_file

EXAMPLE = ROOT / "examples" / "ontology"
CLASSES_PER_FILE = 80


def make_tree(root: Path, files: int, tag: str = "") -> None:
    root.mkdir(exist_ok=True)
    head = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")
    for i in range(files):
        body = "".join(f'<http://example.org/f{i}#C{j}> a owl:Class ; rdfs:label "class {j} of file {i}{tag} '
                       f'{"x" * 80}" ; rdfs:subClassOf <http://example.org/f{i}#C{j + 1}> .\n'
                       for j in range(CLASSES_PER_FILE))
        (root / f"f{i:03d}.ttl").write_text(head + body)


def wal_size(db: Path) -> int:
    try:
        return os.path.getsize(f"{db}-wal")
    except FileNotFoundError:
        return 0


def test_wal_is_emptied_after_a_long_reader_lets_it_grow(tmp_path):
    # 15 files of 80 classes grow the WAL past 10 MB behind the reader (150 did to 170 MB: the
    # growth, not its size, is the point); in-process runs, so the reader is in the same process
    tree, db = tmp_path / "tree", tmp_path / "o.db"
    make_tree(tree, 1)
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM owl_classes").fetchone()  # holds a snapshot: no checkpoint past it
    make_tree(tree, 15)
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    grown = wal_size(db)
    assert grown > 4 * 1024 * 1024, grown  # the reader kept SQLite from reusing the WAL
    reader.execute("COMMIT")  # the reader stays connected, as Datasette or a notebook would
    make_tree(tree, 15, tag=" v2")
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    assert wal_size(db) == 0  # emptied at the end of the run, not left at its largest
    expected = tmp_path / "e.db"
    reader.close()
    assert cli("sync", str(tree), "--db", str(expected), "--quiet").returncode == 0
    assert dump_file(db) == dump_file(expected)


def refused(tmp_path: Path, config_text: str | bytes, *words: str) -> None:
    config = tmp_path / "c.yml"
    config.write_bytes(config_text if isinstance(config_text, bytes) else config_text.encode())
    db = tmp_path / "o.db"
    proc = cli("sync", str(EXAMPLE), "--db", str(db), "--quiet", "--config", str(config))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert all(w in lines[0] for w in words), lines[0]
    assert not db.exists()


def test_config_file_size_limit(tmp_path):
    refused(tmp_path, "namespaces:\n" + "".join(f"  p{i}: 'http://example.org/{i}#'\n" for i in range(20000)),
            "KiB")


def test_config_depth_limit(tmp_path):
    refused(tmp_path, "alerts: " + "[" * 5000 + "]" * 5000 + "\n", "nested")
    refused(tmp_path, "namespaces: {a: {b: {c: {d: {e: {f: {g: {h: {i: {j: x}}}}}}}}}}\n", "nested")


def test_config_alias_bomb(tmp_path):
    lines = ["a0: &a0 [" + ", ".join(["x"] * 30) + "]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 30)}]" for i in range(1, 6)]
    refused(tmp_path, "\n".join(lines) + "\nnamespaces: *a5\n", "values")


def test_alert_keys_use_the_same_spelling_and_are_validated(tmp_path):
    refused(tmp_path, "alerts:\n  max-rss: 10\n", "alerts.max-rss", "unknown")
    config = tmp_path / "ok.yml"
    config.write_text("alerts:\n  max-rss-mb: 1\n")
    report = tmp_path / "r.json"
    proc = cli("sync", str(EXAMPLE), "--db", str(tmp_path / "ok.db"), "--quiet", "--config", str(config),
                   "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    alerts = {a["name"]: a for a in json.loads(report.read_text())["alerts"]}
    assert alerts["peak_rss_mb"]["threshold"] == 1


@pytest.mark.parametrize("text", ["workers: 2.5\n", "checkpoint-every: 1.5\n", "max-file-size: 1000.0\n"])
def test_integer_settings_refuse_non_integers(tmp_path, text):
    refused(tmp_path, text, "whole number")
