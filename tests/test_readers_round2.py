"""The readers' layer of a Logseq page's ```turtle fence, checked against rdflib's reading of the
fence, and what a real OAK answers on it.

A functional-syntax fence's `SubClassOf(A ObjectSomeValuesFrom(P C))` and `owl:deprecated` reach
`statements` (tests/test_ofn_layer.py); the same axioms written in a `turtle` fence must too, or
`runoak relationships`, `ancestors -p P` and `obsoletes` miss them. The expectation is rdflib's own
parse of the fence text, not ontosync's code. Checked on a first (deferred) run and on the per-file
path of a later sync. The OAK test runs its commands in one OAK process (tests/oak_batch.py).
"""

from __future__ import annotations

import os
import sqlite3
import textwrap
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDFS

from ontosync.cli import main

EX = "http://example.org/ontosync-example#"
CONFIG = f'namespaces:\n  ex: "{EX}"\n'
FENCE = """\
ex:Horse skos:altLabel "Equine" ;
    rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:eats ; owl:someValuesFrom ex:Grass ] .
ex:Pony a owl:Class ; rdfs:label "Pony" ; rdfs:subClassOf ex:Horse ;
    owl:deprecated true .
ex:Mule a owl:Class ; rdfs:label "Mule" ; owl:deprecated "true"^^xsd:boolean ;
    rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:eats ;
                      owl:someValuesFrom [ owl:unionOf ( ex:Grass ex:Hay ) ] ] .
"""
HORSE = ("- ### OntologyBlock\n\t- preferred-term:: Horse\n\t- owl:class:: ex:Horse\n\t- ```turtle\n"
         + textwrap.indent(FENCE, "\t  ") + "\t  ```\n")
OTHER = "- ### OntologyBlock\n\t- preferred-term:: Grass\n\t- owl:class:: ex:Grass\n"
PREFIXES = """@prefix ex: <http://example.org/ontosync-example#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def curie(term) -> str:
    return "ex:" + str(term)[len(EX):]


def expected() -> dict[str, set]:
    """rdflib's reading of the fence: named existential restrictions, deprecated classes."""
    g = rdflib.Graph().parse(data=PREFIXES + FENCE, format="turtle")
    some = set()
    for s, b in g.subject_objects(RDFS.subClassOf):
        prop, filler = g.value(b, OWL.onProperty), g.value(b, OWL.someValuesFrom)
        if isinstance(b, rdflib.BNode) and isinstance(filler, rdflib.URIRef):
            some.add((curie(s), curie(prop), curie(filler)))
    deprecated = {curie(s) for s, v in g.subject_objects(OWL.deprecated) if v.toPython() is True}
    return {"some": some, "deprecated": deprecated}


def sync(src: Path, db: Path) -> None:
    assert main(["sync", str(src), "--db", str(db), "--quiet", "--workers", "1"]) == 0


def tree(root: Path, pages: dict[str, str]) -> Path:
    (root / "pages").mkdir(parents=True, exist_ok=True)
    (root / ".ontosync.yml").write_text(CONFIG, encoding="utf-8")
    for name, text in pages.items():
        (root / "pages" / name).write_text(text, encoding="utf-8")
    return root


def layer(db: Path) -> dict[str, set]:
    conn = sqlite3.connect(db)
    try:
        return {
            "some": set(conn.execute("SELECT subject, predicate, object FROM owl_subclass_of_some_values_from")),
            "deprecated": {r[0] for r in conn.execute("SELECT id FROM deprecated_node")},
            "entailed": set(conn.execute("SELECT subject, predicate, object FROM entailed_edge "
                                         "WHERE predicate = 'ex:eats'")),
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def horse_db(tmp_path_factory) -> Path:
    """The page with the fence, synced into an empty database (the first run's deferred path)."""
    tmp = tmp_path_factory.mktemp("fence")
    db = tmp / "first.db"
    sync(tree(tmp / "src", {"Horse.md": HORSE, "Grass.md": OTHER}), db)
    return db


def test_a_turtle_fence_gives_its_restrictions_and_deprecations(horse_db: Path, tmp_path: Path) -> None:
    want = expected()
    assert want["some"] == {("ex:Horse", "ex:eats", "ex:Grass")}  # the union filler is no named class
    assert want["deprecated"] == {"ex:Pony", "ex:Mule"}
    first = layer(horse_db)
    assert first["some"] == want["some"]
    assert first["deprecated"] == want["deprecated"]
    # the existential edge, propagated to the subclass the fence declares
    assert first["entailed"] == {("ex:Horse", "ex:eats", "ex:Grass"), ("ex:Pony", "ex:eats", "ex:Grass")}
    # the per-file path: the page added by a later sync gives the same rows
    src = tree(tmp_path / "src", {"Grass.md": OTHER})
    db = tmp_path / "later.db"
    sync(src, db)
    (src / "pages" / "Horse.md").write_text(HORSE, encoding="utf-8")
    sync(src, db)
    assert layer(db) == first


# -- what OAK answers: every command of this module in one OAK process ----------------------------------

RUNOAK = os.environ.get("ONTOSYNC_RUNOAK")
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ontology"


@pytest.fixture(scope="module")
def oak(horse_db: Path, tmp_path_factory, oak_server) -> dict[str, str]:
    """The fence's database and the bundled example's, and OAK's answers on both (one process)."""
    if not RUNOAK or not Path(RUNOAK).is_file():
        if os.environ.get("ONTOSYNC_REQUIRE_OAK") == "1":
            raise RuntimeError(f"ONTOSYNC_REQUIRE_OAK=1 but ONTOSYNC_RUNOAK={RUNOAK!r} is not a runoak")
        pytest.skip("OAK not installed: set ONTOSYNC_RUNOAK (bash .ci/oak.sh prints it)")
    from tests.test_oak import run_jobs

    example = tmp_path_factory.mktemp("example") / "example.db"
    sync(EXAMPLE, example)
    return run_jobs({
        "obsoletes": (horse_db, ["obsoletes"]),
        "relationships": (horse_db, ["relationships", "ex:Horse"]),
        "ancestors": (horse_db, ["ancestors", "-p", "i,ex:eats", "ex:Pony"]),
        "aliases": (horse_db, ["aliases", "ex:Horse"]),
        # OAK's query language, search syntax, OBO output, paths: on the example
        "query": (example, ["info", ".desc//p=i", "ex:Machine"]),
        "search_like": (example, ["search", "l~mach"]),
        "search_term": (example, ["search", "t=Machine"]),
        "obo": (example, ["info", "ex:Robot", "--output-type", "obo"]),
        "paths": (example, ["paths", "-p", "i", "ex:IndustrialRobot", "--target", "ex:Machine"]),
    }, server=oak_server)


@pytest.mark.slow
def test_oak_reads_the_fence(oak: dict[str, str]) -> None:
    from tests.test_oak import ids

    want = expected()
    assert ids(oak["obsoletes"]) == want["deprecated"]
    rows = {tuple(line.split("\t")[:3]) for line in oak["relationships"].splitlines()[1:]}
    assert rows == want["some"]
    assert ids(oak["ancestors"]) == {"ex:Pony", "ex:Horse", "ex:Grass"}
    assert ("ex:Horse", "skos:altLabel", "Equine") in {tuple(r.split("\t")) for r in oak["aliases"].splitlines()}


@pytest.mark.slow
def test_oak_query_language_search_and_obo_on_the_example(oak: dict[str, str]) -> None:
    """What users reach for after the contract's commands, against the example's own files."""
    from tests.test_oak import ids

    # the subclasses by the pages' is-subclass-of links (Robot -> Machine, Industrial Robot -> Robot)
    assert ids(oak["query"]) == {"ex:Machine", "ex:Robot", "ex:IndustrialRobot"}
    assert ids(oak["search_like"]) == ids(oak["search_term"]) == {"ex:Machine"}
    robot = (EXAMPLE / "pages" / "Robot.md").read_text(encoding="utf-8")
    definition = robot.split("definition:: ")[1].splitlines()[0]
    obo = oak["obo"].splitlines()
    assert "name: Robot" in obo and "is_a: ex:Machine ! Machine" in obo
    assert f'def: "{definition}" []' in obo
    path = oak["paths"].splitlines()[1].split("\t")
    assert path[2] == "ex:IndustrialRobot|ex:Robot|ex:Machine"
