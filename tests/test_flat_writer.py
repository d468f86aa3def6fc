"""A save's cost does not grow with the database (issue 18: 44 files/s at 50,000 pages).

The cost is counted in SQLite virtual-machine instructions (a progress handler called every
instruction), not in seconds: the same save on a database with 4x the rows must run about as many
instructions. Each case is one that grew with the graph before: a class referred to by many pages
and declared by none (its label is the smallest link text), and a class deleted while the change
log is armed (its children's cards were looked up by reading the whole hierarchy).
"""

from __future__ import annotations

from ontosync.parsing import ParseOptions, parse_file
from ontosync.sources import git_blob_sha
from ontosync.store.changelog import ChangeLog
from ontosync.store.migrations import utc_now
from ontosync.store.repository import Repository

NOW = "2026-01-01T00:00:00Z"


def page(title: str, parents: list[str]) -> bytes:
    lines = ["- ### OntologyBlock", f"  - term-id:: T-{title}", f"  - preferred-term:: {title}",
             "  - owl:class:: http://example.org/" + title.replace(" ", "")]
    lines += [f"  - is-subclass-of:: [[{p}]]" for p in parents]
    return ("\n".join(lines) + "\n").encode()


def save(repo: Repository, path: str, data: bytes) -> None:
    repo.save_parsed(path, git_blob_sha(data), len(data), parse_file(path, data, ParseOptions()), NOW)


def instructions(repo: Repository, work) -> int:
    """SQLite VM instructions `work()` runs on the repository's connection."""
    count = [0]

    def tick() -> int:
        count[0] += 1
        return 0

    repo.conn.set_progress_handler(tick, 1)
    try:
        work()
    finally:
        repo.conn.set_progress_handler(None, 1)
    return count[0]


def repository(tmp_path, name: str) -> Repository:
    repo = Repository(tmp_path / f"{name}.db")
    repo.ensure_schema()
    repo.changes = ChangeLog.start(repo, None, "test", utc_now())
    return repo


def cost_of_one_more_child(tmp_path, pages: int) -> int:
    """`pages` pages name [[Popular]], which no page declares; then one more page does."""
    repo = repository(tmp_path, f"popular-{pages}")
    for n in range(pages):
        save(repo, f"pages/child{n:05d}.md", page(f"Child {n:05d}", ["Popular"]))
    # the label the store must find: the smallest link text among the links (code-point order)
    assert repo.conn.execute("SELECT label FROM owl_classes WHERE class_iri LIKE '%:popular'").fetchone() == (
        "Popular",)
    cost = instructions(repo, lambda: save(repo, "pages/zzz.md", page("Zzz", ["Popular"])))
    assert repo.conn.execute("SELECT count(*) FROM file_edges WHERE parent_iri LIKE '%:popular'").fetchone() == (
        pages + 1,)
    repo.close()
    return cost


def test_a_page_linking_to_a_class_many_pages_name_costs_the_same_at_4x_the_pages(tmp_path):
    small, large = cost_of_one_more_child(tmp_path, 60), cost_of_one_more_child(tmp_path, 240)
    assert large < small * 1.25, (small, large)


def cost_of_a_deleted_class(tmp_path, pages: int) -> int:
    """`pages` unrelated pages each with a parent (hierarchy rows), then a page that linked to a
    missing page is saved again without the link: that referenced-only class is deleted."""
    repo = repository(tmp_path, f"delete-{pages}")
    for n in range(pages):
        save(repo, f"pages/p{n:05d}.md", page(f"P {n:05d}", [f"Parent {n:05d}"]))
    save(repo, "pages/zzz.md", page("Zzz", ["Nowhere"]))
    assert repo.conn.execute("SELECT count(*) FROM owl_classes WHERE class_iri LIKE '%:nowhere'").fetchone() == (1,)
    cost = instructions(repo, lambda: save(repo, "pages/zzz.md", page("Zzz", [])))
    assert repo.conn.execute("SELECT count(*) FROM owl_classes WHERE class_iri LIKE '%:nowhere'").fetchone() == (0,)
    assert repo.conn.execute("SELECT count(*) FROM owl_class_hierarchy").fetchone() == (pages,)
    repo.close()
    return cost


def test_deleting_a_class_with_the_change_log_armed_costs_the_same_at_4x_the_hierarchy(tmp_path):
    small, large = cost_of_a_deleted_class(tmp_path, 60), cost_of_a_deleted_class(tmp_path, 240)
    assert large < small * 1.25, (small, large)


def test_a_page_that_appears_rewrites_only_the_link_rows_that_moved(tmp_path):
    """Page A links to X and Y, neither of which exists; X appears. A's row for X moves to X's class
    (deleted and inserted), its row for Y is the same row as before (same rowid), and A's rows are
    what a fresh sync of both pages gives."""
    repo = repository(tmp_path, "relink")
    save(repo, "pages/a.md", page("A", ["X", "Y"]))

    def rows() -> dict[str, tuple]:
        return {o: (rowid, o) for rowid, o in repo.conn.execute(
            "SELECT rowid, object FROM statements WHERE source_file = 'pages/a.md' "
            "AND predicate = 'rdfs:subClassOf'")}

    before = rows()
    assert set(before) == {"page:x", "page:y"}
    save(repo, "pages/x.md", page("X", []))
    after = rows()
    assert set(after) == {"http://example.org/X", "page:y"}
    assert after["page:y"] == before["page:y"]
    fresh = repository(tmp_path, "relink-fresh")
    save(fresh, "pages/x.md", page("X", []))
    save(fresh, "pages/a.md", page("A", ["X", "Y"]))
    cols = "subject, predicate, object, value FROM statements WHERE source_file = 'pages/a.md'"
    assert sorted(repo.conn.execute(f"SELECT {cols}")) == sorted(fresh.conn.execute(f"SELECT {cols}"))
    repo.close()
    fresh.close()
