"""Incremental syncs against fresh ones (CONTRACT.md sections 2 and 6): small hand-written cases
shrunk from the seeded edit series of tests/incremental_series.py, each once a difference between
a database kept by incremental syncs and one fresh full sync of the same tree; and a short run of
the series itself (edit, sync, compare with a fresh sync of the tree, the semantic-sql layer and
the search index included)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import cli, q
from tests.incremental_series import config_edit, dump, round15_edit, round_edit, run_series
from tests.postgres_server import drop_schema, new_schema, server_url

NS = 'namespaces:\n  ex: "http://example.org/s#"\n'


def sync(src: Path, db: Path, *extra: str) -> None:
    proc = cli("sync", str(src), "--db", str(db), "--quiet", "--workers", "1", "--max-error-rate", "1", *extra)
    assert proc.returncode == 0, proc.stderr


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    src = tmp_path / "src"
    for rel, text in {".ontosync.yml": NS, **files}.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text)
    return src


def assert_fresh(src: Path, db: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    sync(src, fresh)
    assert dump(db, set()) == dump(fresh, set())


def page(iri: str, *lines: str) -> str:
    return "\n".join(["- ### OntologyBlock", f"  - owl:class:: {iri}", *(f"  - {x}" for x in lines)]) + "\n"


def test_synonyms_of_a_class_two_pages_declare_are_listed_in_one_order(tmp_path):
    """Two pages declaring one class, each with a synonym: `search`'s synonyms column listed them in
    the order the files were saved, so an incremental sync and a fresh one disagreed."""
    src = tree(tmp_path, {"pages/b.md": page("ex:B", "alternate-terms:: Zed")})
    db = tmp_path / "inc.db"
    sync(src, db)
    (src / "pages" / "a.md").write_text(page("ex:B", "alternate-terms:: Able"))
    sync(src, db)
    # the synonyms by predicate, then value; then the other page's label (`b`: the label shown is `a`)
    assert q(db, "SELECT synonyms FROM class_search WHERE curie = 'ex:B'") == [("Able | Zed | b",)]
    assert_fresh(src, db, tmp_path)


def test_a_short_seeded_series_equals_fresh_syncs(tmp_path):
    """The generator itself, a few seeds of a few steps (the exploration ran hundreds)."""
    found = run_series(tmp_path, 8, 8)
    assert found is None, found


# Session 12's behaviours together: `~~~` fences and `#+BEGIN_X` blocks holding properties and links,
# names with a doubled inner space, `.markdown` pages and skipped `.org` files, turtle fences with
# restrictions and deprecations, a class two Turtle files declare whose winning file moves
# (`class_search`'s label, source file and definition), language-tagged labels. Each was tested
# alone when merged; the series narrowed to these edits checks them against one another, on SQLite
# and on PostgreSQL (the incremental database there, the fresh one SQLite).

def test_a_seeded_series_of_the_new_edits_equals_fresh_syncs(tmp_path):
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


# Round 15's behaviours together (tests/incremental_series.py's round15_edit): links by date and
# with a pipe, the journal page they name appearing and going, a page links named before it
# existed (a referenced-only class and its label row gaining and losing a page), xref prefixes in
# a .ttl (the `prefix` table's cached scan), language-tagged fence labels, an .ofn file's n-ary
# EquivalentClasses. The exploration ran thousands of steps on SQLite and PostgreSQL.

def test_a_seeded_series_of_round_15_edits_equals_fresh_syncs(tmp_path):
    found = run_series(tmp_path, 11528, 5, edits=[(round15_edit, 3), (config_edit, 1)])
    assert found is None, found
