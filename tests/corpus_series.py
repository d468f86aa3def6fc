"""One series of changes to a copy of the corpus pages, shared by two tests so that one fresh sync
of its result (conftest's fresh_sync) is the reference of both: test_semsql syncs after each change
(the semantic-sql layer's incremental path), test_postgres_corpus once after all of them (the
PostgreSQL copy of the corpus). Each sync of the corpus from nothing costs ~5 CPU-seconds."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path


def hub_page(db: Path) -> str:
    """The file declaring the class with the most direct subclasses (a SQLite sync of the corpus)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT source_file FROM statements WHERE subject = (SELECT object FROM rdfs_subclass_of_named_statement "
            "GROUP BY object ORDER BY count(*) DESC, object LIMIT 1) AND predicate = 'rdf:type' "
            "ORDER BY source_file LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def corpus_changes(src: Path, hub_file: str) -> list[Callable[[], None]]:
    """The changes, to apply in order: the hub page loses its parents, one page is deleted, one
    renamed, one gets a new relationship (3 files to parse, 2 to delete, 1,680 unchanged)."""
    pages = sorted(p.name for p in src.glob("*.md"))
    hub = src / hub_file

    def unparent() -> None:
        hub.write_text("\n".join(line for line in hub.read_text().splitlines() if "is-subclass-of::" not in line))

    def link() -> None:
        with (src / pages[30]).open("a") as f:
            f.write(f"\n- has-part:: [[{Path(pages[40]).stem}]]\n")

    return [unparent, (src / pages[10]).unlink, lambda: (src / pages[20]).rename(src / ("renamed " + pages[20])), link]
