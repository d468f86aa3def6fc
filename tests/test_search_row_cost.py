"""A class's search row costs the same whatever the size of the file that declares it.

An incremental run rebuilds the `class_search` rows of the classes it touched (up to `BULK` of
them; store/search.py: `_SOME_ROWS` in one statement on SQLite, `_ROW` a class at a time on
PostgreSQL). The definition beside a class's chosen label is
looked up among the chosen file's statements of that class; SQLite planned that look-up through
`statements_source_file`, reading every statement of the chosen file for each class: a 200-line
note file edited next to `pato-base.owl` (35,080 triples) took 2.0-2.5 s in the refresh instead of
0.2-0.3 s. Counted in SQLite virtual-machine steps (the progress handler), which the machine's load
does not move: one class's row must not cost more because its file holds more statements.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ontosync.store import search
from tests.helpers import synced_pages

HEAD = """@prefix : <http://example.org/d#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
"""
C1 = "http://example.org/d#C1"  # no prefix shortens it: the IRI is the row's key


def big_file(classes: int) -> str:
    """`classes` classes, each labelled and defined, in one file: the file every class's row chooses."""
    return HEAD + "".join(f':C{k} a owl:Class ; rdfs:label "class {k}" ; obo:IAO_0000115 "the class {k}" .\n'
                          for k in range(classes))


def steps_for_one_row(db: Path, curie: str) -> tuple[int, tuple]:
    """SQLite VM steps (in thousands, the handler's granularity) of the class's row, by the query of
    one class (PostgreSQL's) and by the touched classes' (SQLite's), and the row both give."""
    conn = sqlite3.connect(db)
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    conn.set_progress_handler(count, 1000)
    row = conn.execute(search._ROW, {"c": curie}).fetchone()
    rows = conn.execute(search._SOME_ROWS, {"keys": json.dumps([curie])}).fetchall()
    conn.set_progress_handler(None, 0)
    conn.close()
    assert rows == [(curie, *row)]
    return steps[0], row


def test_a_class_row_does_not_read_its_whole_file(tmp_path):
    costs = {}
    for classes in (20, 2000):
        db = synced_pages(tmp_path / f"tree{classes}", {
            "big.ttl": big_file(classes),
            "notes.ttl": HEAD + ':C1 rdfs:comment "a note" .\n'})  # a second file: the general query
        costs[classes], row = steps_for_one_row(db, C1)
        label, _synonyms, definition, source = row
        assert (label, definition, source) == ("class 1", "the class 1", "big.ttl")
        # the same row as the full rebuild gives the class
        with sqlite3.connect(db) as conn:
            sql, params = search.all_rows_query(conn)
            assert [r[1:] for r in conn.execute(sql, params) if r[0] == C1] == [row]
    # 2,000 classes: ~6,000 statements more to read if the look-up scanned the file (before: 0 -> 30)
    assert costs[2000] <= costs[20] + 2, costs
