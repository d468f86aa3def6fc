"""Legacy rows without an IRI are reported by one statement for every shape (the end of
migrations/legacy/stage.sql; L1's views read its `iri` columns as `class_iri` / `property_iri`)."""

from __future__ import annotations

import sqlite3

from ontosync.store.upgrade import migrate
from tests.test_migrate import build_l1


def test_l1_rows_without_an_iri_are_reported_and_the_rest_converted(tmp_path) -> None:
    path = tmp_path / "ontology.db"
    build_l1(path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO owl_classes (iri, label) VALUES (NULL, 'nameless')")
        conn.executemany("INSERT INTO owl_properties (iri, label, property_type) VALUES (NULL, ?, 'object')",
                         [("p1",), ("p2",)])
        classes = conn.execute("SELECT count(*) FROM owl_classes WHERE iri IS NOT NULL").fetchone()[0]
        properties = conn.execute("SELECT count(*) FROM owl_properties WHERE iri IS NOT NULL").fetchone()[0]
    conn.close()
    result = migrate(path)
    no_iri = [n for n in result.notes if "without an IRI" in n]
    assert no_iri == ["rows without an IRI, kept only in the legacy copy: owl_classes: 1",
                      "rows without an IRI, kept only in the legacy copy: owl_properties: 2"]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM file_classes").fetchone()[0] == classes
    assert conn.execute("SELECT count(*) FROM file_properties").fetchone()[0] == properties
    assert conn.execute("SELECT count(*) FROM legacy_owl_classes WHERE iri IS NULL").fetchone()[0] == 1
    conn.close()
