"""The per-file repository: link resolution, shared declarations, deletion, order independence."""

from __future__ import annotations

import itertools
import random

import pytest

from ontosync.parsing.facts import AxiomFact, ClassFact, EdgeFact, FileFacts, PropertyFact
from ontosync.store.integrity import integrity_problems
from ontosync.store.repository import Repository
from tests.helpers import dump_db

NOW = "2026-01-01T00:00:00+00:00"
NS = "urn:ontosync:page:"


def page(title: str, iri: str, label: str | None = None, parents: tuple[str, ...] = (),
         relations: tuple[str, ...] = (), pterm: str | None = None) -> FileFacts:
    """A page's facts as the Logseq parser makes them: links unresolved, fallbacks minted."""
    names = [(title, 0)] + ([(pterm, 1)] if pterm else [])
    return FileFacts(
        format="logseq",
        classes=[ClassFact(iri, label or title, f"about {title}")],
        edges=[EdgeFact(iri, NS + p.lower(), p) for p in parents],
        axioms=[AxiomFact("Relationship", iri, NS + r.lower(), {"relation": "has-part"}, r) for r in relations],
        names=names,
        page_class=iri,
    )


@pytest.fixture()
def repo(tmp_path):
    r = Repository(tmp_path / "t.db")
    r.ensure_schema()
    yield r
    r.close()


def save(repo: Repository, path: str, facts: FileFacts) -> None:
    repo.save_parsed(path, f"sha-{path}", 1, facts, NOW)


def classes(repo: Repository) -> dict[str, tuple]:
    return {iri: (label, src) for iri, label, src in
            repo.conn.execute("SELECT class_iri, label, source_file FROM owl_classes")}


def edges(repo: Repository) -> set[tuple[str, str]]:
    return set(repo.conn.execute("SELECT class_iri, parent_iri FROM owl_class_hierarchy"))


def test_link_to_missing_page_is_referenced_only_then_repointed(repo):
    save(repo, "a.md", page("A", "x:A", parents=("B",)))
    assert edges(repo) == {("x:A", NS + "b")}
    assert classes(repo)[NS + "b"] == ("B", None)  # referenced only: labelled with the link text
    save(repo, "b.md", page("B", "x:B"))
    assert edges(repo) == {("x:A", "x:B")}
    assert NS + "b" not in classes(repo)  # nothing refers to the minted class any more
    repo.delete_file("b.md", NOW)
    assert edges(repo) == {("x:A", NS + "b")}
    assert not integrity_problems(repo.conn)


def test_preferred_term_and_case_insensitive_links(repo):
    save(repo, "a.md", page("A", "x:A", parents=("large language MODEL",)))
    save(repo, "llm.md", page("LLM", "x:LLM", pterm="Large Language Model"))
    assert edges(repo) == {("x:A", "x:LLM")}


def test_title_beats_preferred_term_then_smallest_path(repo):
    save(repo, "a.md", page("A", "x:A", parents=("Robot",)))
    save(repo, "z-robot.md", page("Z", "x:Z", pterm="Robot"))
    assert edges(repo) == {("x:A", "x:Z")}
    save(repo, "robot.md", page("Robot", "x:Robot"))
    assert edges(repo) == {("x:A", "x:Robot")}


def test_shared_declaration_stays_while_any_file_declares_it(repo):
    save(repo, "Manipulator.md", page("Manipulator", "rb:Manipulator", "Manipulator"))
    save(repo, "RB-0003-manipulator.md", page("RB-0003-manipulator", "rb:Manipulator", "Manipulator arm"))
    assert classes(repo)["rb:Manipulator"] == ("Manipulator", "Manipulator.md")  # smallest path wins
    repo.delete_file("Manipulator.md", NOW)
    assert classes(repo)["rb:Manipulator"] == ("Manipulator arm", "RB-0003-manipulator.md")
    save(repo, "c.md", page("C", "x:C", parents=("Manipulator arm",)))
    repo.delete_file("RB-0003-manipulator.md", NOW)
    # still referred to by c.md's link (now falling back to the minted IRI): the declared class goes
    assert "rb:Manipulator" not in classes(repo)
    assert edges(repo) == {("x:C", NS + "manipulator arm")}


def test_delete_removes_exactly_its_facts(repo):
    save(repo, "a.md", page("A", "x:A", parents=("B",), relations=("B",)))
    save(repo, "b.md", page("B", "x:B", parents=("Root",)))
    before = dump_db(repo.conn)
    save(repo, "c.md", page("C", "x:C", parents=("A", "B"), relations=("A",)))
    repo.delete_file("c.md", NOW)
    assert dump_db(repo.conn) == before


def test_relationship_axioms_resolve_and_repoint(repo):
    save(repo, "a.md", page("A", "x:A", relations=("B",)))
    obj = lambda: repo.conn.execute("SELECT object FROM owl_axioms").fetchone()[0]  # noqa: E731
    assert obj() == NS + "b"
    save(repo, "b.md", page("B", "x:B"))
    assert obj() == "x:B"


def test_properties_and_failure_keeps_last_good_version(repo):
    facts = FileFacts(format="turtle", ontology_id="http://o", classes=[ClassFact("x:C", "C")],
                      properties=[PropertyFact("x:p", "ObjectProperty", "p", "x:C", "x:C")])
    repo.save_parsed("o.ttl", "sha1", 10, facts, NOW)
    repo.save_failure("o.ttl", "sha2", 11, "bad token", 3, "parse", "turtle", NOW)
    row = repo.conn.execute("SELECT status, error, error_line, blob_sha, good_blob_sha FROM source_files").fetchone()
    assert row == ("failed", "bad token", 3, "sha2", "sha1")
    assert repo.conn.execute("SELECT property_iri, domain FROM owl_properties").fetchall() == [("x:p", "x:C")]
    assert repo.conn.execute("SELECT ontology_id FROM ontologies").fetchall() == [("http://o",)]


def test_any_order_gives_the_same_database(tmp_path):
    pages = {
        "a.md": page("A", "x:A", parents=("B", "Missing"), relations=("C",)),
        "b.md": page("B", "x:B", parents=("C",), pterm="Bee"),
        "c.md": page("C", "x:C", parents=("bee",)),
        "d.md": page("D", "x:B", label="B again", parents=("A",)),
        "e.md": page("E", "x:E", pterm="C"),
    }
    dumps = set()
    orders = list(itertools.permutations(pages))
    random.Random(7).shuffle(orders)
    for i, order in enumerate(orders[:12]):
        r = Repository(tmp_path / f"o{i}.db")
        r.ensure_schema()
        for p in order:
            save(r, p, pages[p])
        assert not integrity_problems(r.conn)
        dumps.add(repr(dump_db(r.conn)))
        r.close()
    assert len(dumps) == 1
