"""Issue 18, fifteenth round: statements a save runs only when they can change a row.

A first run's save of a page re-points every link to the page's names (store/repository.py
`_repoint`: an UPDATE of `file_edges`, one of `owl_axioms`), which changed rows at 55 and 144 of the
corpus's 1,684 saves; a run into an empty database now notes the names its rows link to
(store/fresh_run.py) and skips the UPDATEs for names nothing links to; likewise the hierarchy's
delete for children no earlier edge had, and the look for duplicates of classes no earlier file
declared. A save of a path with no old rows skips the deletes of classes and properties nothing
refers to any more (a key it marked is one its new rows hold). Each test counts the statements and
compares the database with the one plain saves make, and the edits after the first run still
re-point and delete.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ontosync.parsing import ParseOptions, parse_file
from ontosync.sources import git_blob_sha
from ontosync.store.changelog import ChangeLog
from ontosync.store.fresh_run import PathBits
from ontosync.store.migrations import utc_now
from tests.test_fresh_run import dump, end_run, saved, start_run

PAGES = {
    "pages/Alpha.md": "- ### OntologyBlock\n  - term-id:: AL-1\n  - preferred-term:: Alpha\n"
                      "  - is-subclass-of:: [[Zeta]]\n  - has-part:: [[Zeta]]\n",
    "pages/Beta.md": "- ### OntologyBlock\n  - term-id:: BE-1\n  - preferred-term:: Beta\n"
                     "  - is-subclass-of:: [[Alpha]], [[Ghost]]\n",
    "pages/Zeta.md": "- ### OntologyBlock\n  - term-id:: ZE-1\n  - preferred-term:: Zeta\n",
}
FILES = [(rel, text.encode()) for rel, text in PAGES.items()]
KINDS = ("UPDATE file_edges", "UPDATE owl_axioms", "DELETE FROM owl_classes", "DELETE FROM owl_properties",
         "DELETE FROM owl_class_hierarchy", "SELECT f.class_iri, MIN(o.path)")


def counted(repo, rel: str, data: bytes) -> dict[str, int]:
    """Save one file; how many statements of each of KINDS it ran, and its warnings' kinds."""
    seen: list[str] = []
    repo.conn.set_trace_callback(seen.append)
    try:
        warnings = repo.save_parsed(rel, git_blob_sha(data), len(data), parse_file(rel, data, ParseOptions()),
                                    utc_now())
    finally:
        repo.conn.set_trace_callback(None)
    counts = {kind: sum(" ".join(sql.split()).startswith(kind) for sql in seen) for kind in KINDS}
    return {**counts, "warnings": [w.kind for w in warnings]}


def parents(db: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return set(conn.execute("SELECT c.label, coalesce(p.label, h.parent_iri) FROM owl_class_hierarchy h "
                                "JOIN owl_classes c ON c.class_iri = h.class_iri "
                                "LEFT JOIN owl_classes p ON p.class_iri = h.parent_iri"))


def test_a_first_run_repoints_only_the_names_its_rows_link_to(tmp_path):
    db = tmp_path / "first.db"
    repo = start_run(db)
    runs = [counted(repo, rel, data) for rel, data in FILES]
    end_run(repo)
    # Alpha's links name Zeta, which comes later: only Zeta's save re-points, both tables;
    # Beta links to Alpha (already there) and to a page that never comes; no one links to Beta.
    assert [r["UPDATE file_edges"] for r in runs] == [0, 0, 1]
    assert [r["UPDATE owl_axioms"] for r in runs] == [0, 0, 1]
    # Nor had Alpha or Beta hierarchy rows to drop before their first edges; Alpha's re-pointed edge has.
    assert [r["DELETE FROM owl_class_hierarchy"] for r in runs] == [0, 0, 1]
    assert parents(db) == {("Alpha", "Zeta"), ("Beta", "Alpha"), ("Beta", "Ghost")}
    assert dump(db) == saved(tmp_path / "plain.db", FILES, first_run=False)


def test_a_new_paths_save_deletes_nothing_and_an_edit_still_does(tmp_path):
    db = tmp_path / "first.db"
    repo = start_run(db)
    runs = [counted(repo, rel, data) for rel, data in FILES]
    end_run(repo)
    assert [r["DELETE FROM owl_classes"] for r in runs] == [0, 0, 1]  # Zeta re-pointed Alpha's edge
    assert all(r["DELETE FROM owl_properties"] == 0 for r in runs)
    # An incremental run: Beta no longer names Ghost, a class only it referred to, which goes.
    repo = start_run(db, first_run=False)
    edit = PAGES["pages/Beta.md"].replace(", [[Ghost]]", "").encode()
    assert counted(repo, "pages/Beta.md", edit)["DELETE FROM owl_classes"] >= 1  # a known path: asked
    end_run(repo)
    assert parents(db) == {("Alpha", "Zeta"), ("Beta", "Alpha")}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM owl_classes WHERE label = 'Ghost' "
                            "OR class_iri LIKE '%Ghost%'").fetchone()[0] == 0
    files = [(rel, edit if rel == "pages/Beta.md" else data) for rel, data in FILES]
    assert dump(db) == saved(tmp_path / "plain.db", files, first_run=False)


def test_a_child_another_file_gave_edges_has_its_hierarchy_dropped(tmp_path):
    """A second file naming Beta's page (its class) gives it another parent: its save must drop
    and rebuild the child's hierarchy, and report the duplicate declaration, as plain saves do."""
    twin = ("pages/beta.md", b"- ### OntologyBlock\n  - term-id:: BE-1\n  - preferred-term:: Beta\n"
                                  b"  - is-subclass-of:: [[Zeta]]\n")
    files = [*FILES[:2], twin, FILES[2]]
    db = tmp_path / "first.db"
    repo = start_run(db)
    runs = [counted(repo, rel, data) for rel, data in files]
    end_run(repo)
    assert [r["DELETE FROM owl_class_hierarchy"] for r in runs] == [0, 0, 1, 1]
    # Only the twin declares a class an earlier file declared: only it looks for duplicates, and finds one.
    assert [r["SELECT f.class_iri, MIN(o.path)"] for r in runs] == [0, 0, 1, 0]
    assert [r["warnings"] for r in runs] == [[], [], ["duplicate-declaration"], []]
    assert ("Beta", "Zeta") in parents(db)
    assert dump(db) == saved(tmp_path / "plain.db", files, first_run=False)


def test_the_bits_never_miss_a_noted_link():
    """A name the bits call unlinked is skipped, so a noted key must always be found (a false hit
    only costs the statements); a crowded bitmap still tells some unnoted keys apart."""
    bits = PathBits(64)
    keys = [("edge", "default", f"name {n}") for n in range(40)]
    for key in keys[:20]:
        bits.add(key)
    assert all(key in bits for key in keys[:20])  # no false miss, even in a crowded bitmap
    assert not all(key in bits for key in keys[20:])


def test_a_first_run_whose_layer_keeps_per_file_rows_relinks_the_pages_that_link(tmp_path):
    """A fresh run without the deferred layer reads the re-pointed files from `aff_names`: filled
    only when a noted link names the page, which Zeta's is (Alpha's rows move to it)."""
    db = tmp_path / "first.db"
    repo = start_run(db, first_run=False)
    repo.changes = ChangeLog.start(repo, None, "test", utc_now())  # fresh, but the layer per file
    runs = [counted(repo, rel, data) for rel, data in FILES]
    end_run(repo)
    assert [r["UPDATE file_edges"] for r in runs] == [0, 0, 1]
    assert dump(db) == saved(tmp_path / "plain.db", FILES, first_run=False)
