"""The run report's entity counts (and so the Action's outputs): four plain SQL counts.

One definition for every caller and both databases: the writer's connection after a sync
(SQLite's `sqlite3` connection or the PostgreSQL store's), and `ontosync status` through a Peewee
database's `execute_sql`. Plain SQL rather than the Peewee models so that a SQLite sync, which
writes through `sqlite3` alone, need not import Peewee (and with it psycopg2) to count (issue 18).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ENTITY_COUNTS = {
    "classes": "SELECT count(*) FROM owl_classes WHERE source_file IS NOT NULL",
    "properties": "SELECT count(*) FROM owl_properties",
    "axioms": "SELECT count(*) FROM owl_axioms",
    "hierarchy_edges": "SELECT count(*) FROM owl_class_hierarchy",
}


def entity_counts(execute: Callable[[str], Any]) -> dict[str, int]:
    """Each count, through `execute(sql)` returning a cursor (a connection's or Peewee's)."""
    return {name: execute(sql).fetchone()[0] for name, sql in ENTITY_COUNTS.items()}
