"""A large first sync's end: the name-collision check's memory (issue 18, fifteenth round).

At 50,000 synthetic pages the run's peak memory came after the refresh, in the check of minted names
(store/minted_collisions.py): it loaded every page's class into a dict (and first a list of all of
them) to look up the few IRIs that unresolved links mint, which put the 50,000-page run's peak at
~121% of the 10,000-page one's, against issue 18's 110%. It now keeps only the classes those links
mint. Tested on plain tables with the columns the check reads (the store's own schema for them).
"""

from __future__ import annotations

import sqlite3
import tracemalloc

from ontosync.store.minted_collisions import minted_collisions

TABLES = (
    "CREATE TABLE page_names (path TEXT NOT NULL, ontology_id TEXT NOT NULL, name_key TEXT NOT NULL, "
    "rank INTEGER NOT NULL, class_iri TEXT NOT NULL, PRIMARY KEY (path, name_key, rank)) WITHOUT ROWID",
    "CREATE INDEX page_names_key ON page_names (ontology_id, name_key, rank, path)",
    "CREATE TABLE file_edges (path TEXT NOT NULL, ontology_id TEXT NOT NULL, class_iri TEXT NOT NULL, "
    "parent_iri TEXT NOT NULL, parent_fallback TEXT NOT NULL, parent_ref_key TEXT, parent_ref_text TEXT)",
    "CREATE TABLE owl_axioms (id INTEGER PRIMARY KEY, ontology_id TEXT NOT NULL, axiom_type TEXT NOT NULL, "
    "subject TEXT, object TEXT, annotations TEXT, source_file TEXT, object_fallback TEXT, object_ref_key TEXT)",
)
PAGES = 20_000
MINT = "http://example.org/page/"


def graph() -> sqlite3.Connection:
    """PAGES pages, each its own class; two links to names no page has: one mints the IRI of page 7's
    class (`[[Page-7]]` against the page `Page 7`), the other an IRI no page holds."""
    conn = sqlite3.connect(":memory:")
    for sql in TABLES:
        conn.execute(sql)
    conn.executemany("INSERT INTO page_names VALUES (?, 'o', ?, 0, ?)",
                     ((f"pages/Page {i}.md", f"page {i}", f"{MINT}page-{i}") for i in range(PAGES)))
    conn.executemany("INSERT INTO file_edges VALUES ('pages/Page 1.md', 'o', ?, ?, ?, ?, ?)",
                     [(f"{MINT}page-1", f"{MINT}page-7", f"{MINT}page-7", "page-7", "Page-7"),
                      (f"{MINT}page-1", f"{MINT}nowhere", f"{MINT}nowhere", "nowhere", "Nowhere")])
    return conn


def test_minted_collisions_keeps_only_the_classes_unresolved_links_mint():
    conn = graph()
    tracemalloc.start()
    try:
        warnings = minted_collisions(conn.execute)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(w["path"], w["kind"]) for w in warnings] == [("pages/Page 1.md", "minted-collision")]
    assert "[[page-7]]" in warnings[0]["message"] and "pages/Page 7.md" in warnings[0]["message"]
    # every page's class in a dict (and a list first) took ~4 MB for 20,000 pages; the few kept, ~0
    assert peak < 512 * 1024, f"{peak} bytes traced"


def test_a_first_runs_link_rows_do_not_remember_every_files_blank_node_token():
    """The deferred layer numbers each file's link rows `_:<token of its path>_rN`; the token was
    memoised for every path of the run (a 50,000-page sync's refresh grew by ~12 MB at that fill,
    ~5 MB at 10,000 pages). A file's rows come one after another, so a few remembered paths do. (One
    subject and two objects: the CURIE map's own memo, bounded, stays out of the figure.)"""
    from ontosync.parsing import DEFAULT_NAMESPACES
    from ontosync.parsing.rdf_statements import blank_token
    from ontosync.store import semsql_deferred
    from ontosync.store.semsql import ReadersLayer

    conn = sqlite3.connect(":memory:")
    with semsql_deferred._functions(conn, ReadersLayer(DEFAULT_NAMESPACES)):
        conn.executemany("INSERT INTO temp.dv_rel VALUES (?, 'o', ?, 'has-part', ?)",
                         ((f"pages/Page {i:05}.md", f"{MINT}whole", f"{MINT}part-{j}")
                          for i in range(PAGES) for j in range(2)))
        fill = next(sql for sql in semsql_deferred.FILL if sql.startswith("INSERT INTO temp.dv_link"))
        tracemalloc.start()
        try:
            conn.execute(fill)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        rows = conn.execute("SELECT path, b FROM temp.dv_link WHERE path IN ('pages/Page 00000.md', "
                            "'pages/Page 19999.md') ORDER BY path, b").fetchall()
    assert rows == [(p, f"_:{blank_token(p)}_r{n}") for p in ("pages/Page 00000.md", "pages/Page 19999.md")
                    for n in (1, 2)]
    assert peak < 1024 * 1024, f"{peak} bytes traced"
