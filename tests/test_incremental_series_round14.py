"""Incremental syncs against fresh ones over round 14's behaviours together (CONTRACT.md sections 2
and 6): `~~~` fences and `#+BEGIN_X` blocks holding properties and links, names with a doubled inner
space, `.markdown` pages and skipped `.org` files, turtle fences with restrictions and deprecations,
a class two Turtle files declare whose winning file moves (`class_search`'s label, source file and
definition), language-tagged labels. Each was tested alone when merged; the seeded series of
tests/incremental_series.py, narrowed to these edits, checks them against one another, on SQLite
and on PostgreSQL (the incremental database there, the fresh one SQLite)."""

from __future__ import annotations

from tests.incremental_series import round_edit, run_series
from tests.postgres_server import drop_schema, new_schema, server_url


def test_a_seeded_series_of_this_rounds_edits_equals_fresh_syncs(tmp_path):
    found = run_series(tmp_path, 5003, 8, edits=[(round_edit, 1)])
    assert found is None, found


def test_the_series_on_postgresql_equals_fresh_sqlite_syncs(tmp_path):
    server_url()
    schema = new_schema()
    try:
        found = run_series(tmp_path, 1103, 5, schema, edits=[(round_edit, 1)])
    finally:
        drop_schema(schema)
    assert found is None, found
