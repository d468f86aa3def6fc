"""The readers (`ontosync search`, the FTS index behind it) on small hand-made trees: what a user
types and what the source says, compared with what comes back (issue h11)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import cli

HEAD = """@prefix ex: <http://example.org/x#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def synced(tmp_path: Path, turtle: str, name: str = "t") -> Path:
    """A database synced from one Turtle file holding HEAD + `turtle`."""
    src = tmp_path / f"{name}-src"
    src.mkdir()
    (src / "a.ttl").write_text(HEAD + turtle, encoding="utf-8")
    db = tmp_path / f"{name}.db"
    proc = cli("sync", str(src), "--db", str(db), "--quiet", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    return db


def search(db: Path, *args: str) -> list[dict]:
    proc = cli("search", *args, "--db", str(db), "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_search_text_shows_control_characters_in_labels_as_escapes(tmp_path: Path) -> None:
    # a label with a terminal escape (clear screen), a newline and a tab: the text output is one line
    # per class with three tab-separated columns, and nothing reaches the terminal raw
    db = synced(tmp_path, 'ex:Evil a owl:Class ; rdfs:label "evil\\u001b[2J\\nex:Forged\\tforged\\ttab" .\n')
    proc = cli("search", "evil", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout
    curie, label, source = lines[0].split("\t")
    assert "\x1b" not in proc.stdout
    assert label == "evil\\x1b[2J\\nex:Forged\\tforged\\ttab"
    assert curie.endswith("#Evil") and source == "a.ttl"
    # JSON keeps the text as it is (JSON escapes it)
    assert search(db, "evil")[0]["label"] == "evil\x1b[2J\nex:Forged\tforged\ttab"
