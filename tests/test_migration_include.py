"""`-- include: FILE from MARKER [to END]` (store/migrations.py): a migration takes SQL another
file holds instead of a second copy; postgresql/002 takes what reads the same on PostgreSQL from
SQLite's 005."""

from __future__ import annotations

import hashlib
import re

import pytest

from ontosync.store.migrations import INCLUDE, Migration, MigrationError, split_sql
from tests.helpers import ROOT

MIGRATIONS = ROOT / "migrations"


def _pg002() -> Migration:
    return Migration(2, "semantic_sql", MIGRATIONS / "postgresql" / "002_semantic_sql.sql")


def _between(text: str, start: str, end: str | None) -> str:
    """The lines of `text` from the line `start` up to the line `end` (or its end), found by lines."""
    lines = text.splitlines()
    first = lines.index(start)
    last = lines.index(end, first) if end else len(lines)
    return "\n".join(lines[first:last]).rstrip("\n")


def test_postgresql_002_is_its_own_text_with_each_include_replaced_by_005s_lines():
    own = (MIGRATIONS / "postgresql" / "002_semantic_sql.sql").read_text(encoding="utf-8")
    source = (MIGRATIONS / "005_semantic_sql.sql").read_text(encoding="utf-8")
    includes = list(INCLUDE.finditer(own))
    assert [(m["marker"], m["end"]) for m in includes] == [
        ("-- Indexes.", "-- Closure."), ("-- Descendants.", "-- Full-text search."), ("-- Triple views.", None)]
    expected = own
    for m in includes:
        expected = expected.replace(m.group(0), _between(source, m["marker"], m["end"]), 1)
    composed = _pg002().sql
    assert composed == expected
    assert "-- include:" not in composed
    assert _pg002().checksum == hashlib.sha256(composed.encode("utf-8")).hexdigest()


def test_each_object_postgresql_002_creates_is_created_once():
    names = [m.group(1) for st in split_sql(_pg002().sql)
             if (m := re.match(r"\s*CREATE (?:TABLE|INDEX|VIEW) (\w+)", st))]
    assert len(names) == len(set(names))
    # the shared tables, indexes and views come from 005, beside PostgreSQL's own tables
    for name in ("statements", "statements_spo", "statements_source_file", "entailed_edge", "entailed_edge_op",
                 "term_association", "class_search", "class_search_words", "rdf_type_statement", "edge"):
        assert name in names, name
    assert "class_search_fts" not in names  # SQLite's FTS5 table lies outside every included range


def _write(tmp_path, include: str, source: str) -> Migration:
    (tmp_path / "source.sql").write_text(source, encoding="utf-8")
    path = tmp_path / "002_uses.sql"
    path.write_text(f"CREATE TABLE own (x TEXT);\n{include}\nCREATE TABLE after (y TEXT);\n", encoding="utf-8")
    return Migration(2, "uses", path)


SOURCE = ("-- A.\nCREATE TABLE a (x TEXT);\n-- B.\nCREATE TABLE b (x TEXT);\n"
          "-- C.\nCREATE TABLE c (x TEXT);\n")


def test_a_bounded_include_takes_the_lines_from_its_marker_up_to_the_end_marker(tmp_path):
    mig = _write(tmp_path, "-- include: source.sql from -- B. to -- C.", SOURCE)
    assert mig.sql == ("CREATE TABLE own (x TEXT);\n-- B.\nCREATE TABLE b (x TEXT);\n"
                       "CREATE TABLE after (y TEXT);\n")
    open_ended = _write(tmp_path, "-- include: source.sql from -- B.", SOURCE)
    assert "CREATE TABLE c" in open_ended.sql


def test_the_checksum_follows_the_included_lines_only(tmp_path):
    mig = _write(tmp_path, "-- include: source.sql from -- B. to -- C.", SOURCE)
    before = mig.checksum
    (tmp_path / "source.sql").write_text(SOURCE.replace("TABLE a", "TABLE a2").replace("TABLE c", "TABLE c2"),
                                         encoding="utf-8")
    assert mig.checksum == before  # outside the range
    (tmp_path / "source.sql").write_text(SOURCE.replace("TABLE b", "TABLE b2"), encoding="utf-8")
    assert mig.checksum != before


@pytest.mark.parametrize("include, message", [
    ("-- include: source.sql from -- B. to -- D.", "002_uses.sql: source.sql has no line '-- D.' after '-- B.'"),
    ("-- include: source.sql from -- C. to -- A.", "002_uses.sql: source.sql has no line '-- A.' after '-- C.'"),
    ("-- include: source.sql from -- D. to -- C.", "002_uses.sql: source.sql has no line '-- D.' to include from"),
])
def test_a_missing_or_misplaced_marker_is_a_clear_error(tmp_path, include, message):
    mig = _write(tmp_path, include, SOURCE)
    for read in (lambda: mig.sql, lambda: mig.checksum):
        with pytest.raises(MigrationError) as caught:
            read()
        assert str(caught.value).startswith(message), str(caught.value)
