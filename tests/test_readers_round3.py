"""The readers' layer, third round: what OAK shows for classes only linked to, and SSSOM output.

- A link to no page makes a referenced-only class whose label (owl_classes) is the link as written;
  the layer must carry it too (`runoak labels`), and drop it when a page comes to answer the link,
  the result equal to a fresh sync of the final tree.
- OAK's SSSOM writer gives each prefix missing from `prefix` a base made from the prefix in lower
  case, so `MESH:` and `MeSH:` xrefs (RO has both) clashed and `runoak mappings -O sssom` failed;
  the prefixes semantic-sql's own table knows are listed with its base (store/xref_prefixes.py).
The OAK answers come from one OAK process (tests/oak_batch.py).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tests.test_readers_round2 import sync

EX = "http://example.org/r3#"
CONFIG = f'namespaces:\n  ex: "{EX}"\n'
LINKER = ("- ### OntologyBlock\n\t- preferred-term:: Robot Arm\n\t- owl:class:: ex:RobotArm\n"
          "\t- is-subclass-of:: [[Zebra Thing]]\n")
ZEBRA = "- ### OntologyBlock\n\t- preferred-term:: Zebra Thing\n\t- owl:class:: ex:ZebraThing\n"
XREFS = f"""@prefix ex: <{EX}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
ex:Cell a owl:Class ; rdfs:label "cell" ; oio:hasDbXref "MESH:D002477", "FMA:68646", "PMID:123" .
ex:Synteny a owl:Class ; rdfs:label "synteny" ; oio:hasDbXref "MeSH:Synteny" .
"""


def pages(root: Path, files: dict[str, str]) -> Path:
    """A graph: its `.ontosync.yml` and `pages/` (the round-2 module's `tree` writes its own config)."""
    for name, text in {".ontosync.yml": CONFIG, **{f"pages/{n}": t for n, t in files.items()}}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def query(db: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


def referenced_only(db: Path) -> dict[str, str]:
    """The contract's referenced-only classes with a label: IRI -> label (independent of the layer)."""
    return dict(query(db, "SELECT class_iri, label FROM owl_classes WHERE source_file IS NULL AND label <> ''"))


def layer_labels(db: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for subject, value in query(db, "SELECT subject, value FROM rdfs_label_statement ORDER BY 1, 2"):
        found.setdefault(subject, []).append(value)
    return found


STATEMENTS = ("SELECT subject, predicate, object, value, datatype, language, graph, source_file "
              "FROM statements ORDER BY 1, 2, 3, 4, 5, 6, 7, 8")


@pytest.fixture(scope="module")
def linked_db(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("linked")
    db = tmp / "linked.db"
    sync(pages(tmp / "src", {"Robot Arm.md": LINKER}), db)
    return db


def test_a_class_only_linked_to_has_its_link_text_as_label(linked_db: Path, tmp_path: Path) -> None:
    contract = referenced_only(linked_db)
    assert contract == {"urn:ontosync:page:zebra-thing": "Zebra Thing"}
    labels = layer_labels(linked_db)
    assert labels["page:zebra-thing"] == ["Zebra Thing"]
    assert labels["ex:RobotArm"] == ["Robot Arm"]
    # a page comes to answer the link: the link moves to its class, the stand-in's label goes
    src = pages(tmp_path / "src", {"Robot Arm.md": LINKER})
    db = tmp_path / "later.db"
    sync(src, db)
    assert layer_labels(db)["page:zebra-thing"] == ["Zebra Thing"]
    (src / "pages" / "Zebra Thing.md").write_text(ZEBRA, encoding="utf-8")
    sync(src, db)
    assert referenced_only(db) == {}
    assert "page:zebra-thing" not in layer_labels(db)
    assert layer_labels(db)["ex:ZebraThing"] == ["Zebra Thing"]
    fresh = tmp_path / "fresh.db"
    sync(src, fresh)
    assert query(db, STATEMENTS) == query(fresh, STATEMENTS)
    # and the page going again brings the stand-in's label back
    (src / "pages" / "Zebra Thing.md").unlink()
    sync(src, db)
    assert query(db, STATEMENTS) == query(linked_db, STATEMENTS)


@pytest.fixture(scope="module")
def xref_db(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("xrefs")
    (tmp / "src").mkdir()
    (tmp / "src" / "xrefs.ttl").write_text(XREFS, encoding="utf-8")
    (tmp / "src" / ".ontosync.yml").write_text(CONFIG, encoding="utf-8")
    db = tmp / "xrefs.db"
    sync(tmp / "src", db)
    return db


def test_the_prefix_table_lists_the_xref_prefixes_semantic_sql_knows(xref_db: Path) -> None:
    prefixes = dict(query(xref_db, "SELECT prefix, base FROM prefix"))
    # semantic-sql's bases (semsql/builder/prefixes/prefixes.csv, the first row of each prefix)
    assert prefixes["MESH"] == "http://identifiers.org/mesh/"
    assert prefixes["FMA"] == "http://purl.obolibrary.org/obo/FMA_"
    assert "MeSH" not in prefixes and "PMID" not in prefixes  # semantic-sql lists neither
    assert len(set(prefixes.values())) == len(prefixes)  # still one prefix per base


def test_the_xref_prefixes_follow_the_mappings_run_by_run(tmp_path: Path) -> None:
    """A run that changes no mapping keeps them without reading every row; one that removes the
    last MESH xref drops MESH: the table equals a fresh sync's after each step."""
    src = tmp_path / "src"
    (src / "pages").mkdir(parents=True)
    (src / ".ontosync.yml").write_text(CONFIG, encoding="utf-8")
    (src / "xrefs.ttl").write_text(XREFS, encoding="utf-8")
    db = tmp_path / "db.db"
    sync(src, db)
    steps = [("pages/Robot Arm.md", LINKER), ("xrefs.ttl", XREFS.replace('"MESH:D002477", ', ""))]
    for n, (name, text) in enumerate(steps):
        (src / name).write_text(text, encoding="utf-8")
        sync(src, db)
        fresh = tmp_path / f"fresh{n}.db"
        sync(src, fresh)
        assert query(db, "SELECT * FROM prefix ORDER BY 1") == query(fresh, "SELECT * FROM prefix ORDER BY 1")
    assert "MESH" not in dict(query(db, "SELECT prefix, base FROM prefix"))
    assert "FMA" in dict(query(db, "SELECT prefix, base FROM prefix"))


def test_node_is_the_subjects_as_in_semantic_sql(xref_db: Path) -> None:
    """semantic-sql's `node` is the subjects (its objects-with-a-datatype half is empty); ours also
    listed every IRI object (`owl:Class`), and OAK's `info .all` (its `entities`) reads it."""
    import rdflib

    subjects = {"ex:" + str(s)[len(EX):] for s in rdflib.Graph().parse(data=XREFS, format="turtle").subjects()}
    assert subjects == {"ex:Cell", "ex:Synteny"}
    assert {r[0] for r in query(xref_db, "SELECT id FROM node")} == subjects


OBSOLETE_TTL = """ex:OldHorse a owl:Class ; rdfs:label "Old horse" ; owl:deprecated true ;
    obo:IAO_0100001 ex:Horse ; oboInOwl:consider ex:Mare .
"""
OBSOLETE_OFN = """AnnotationAssertion(owl:deprecated ex:OldPony "true"^^xsd:boolean)
AnnotationAssertion(obo:IAO_0100001 ex:OldPony ex:Horse)
AnnotationAssertion(oboInOwl:consider ex:OldPony ex:Mare)
"""
TTL_PREFIXES = f"""@prefix ex: <{EX}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .
"""
MIGRATIONS = "SELECT subject, predicate, object FROM statements WHERE predicate IN ('IAO:0100001', 'oio:consider')"


def fenced(term: str, syntax: str, body: str) -> str:
    lines = "".join(f"\t  {line}\n" for line in body.splitlines())
    return f"- ### OntologyBlock\n\t- preferred-term:: {term}\n\t- owl:class:: ex:{term.replace(' ', '')}\n" \
           f"\t- ```{syntax}\n{lines}\t  ```\n"


OBSOLETE_PAGES = {"Old Horse.md": fenced("Old Horse", "turtle", OBSOLETE_TTL),
                  "Old Pony.md": fenced("Old Pony", "owl", OBSOLETE_OFN)}


def expected_migrations() -> set[tuple]:
    """rdflib's reading of the two fences (the functional-syntax one says the same of ex:OldPony)."""
    import rdflib

    g = rdflib.Graph().parse(data=TTL_PREFIXES + OBSOLETE_TTL + OBSOLETE_TTL.replace("OldHorse", "OldPony"),
                             format="turtle")
    short = {"http://purl.obolibrary.org/obo/IAO_0100001": "IAO:0100001",
             "http://www.geneontology.org/formats/oboInOwl#consider": "oio:consider"}
    return {("ex:" + str(s)[len(EX):], short[str(p)], "ex:" + str(o)[len(EX):])
            for s, p, o in g if str(p) in short}


@pytest.fixture(scope="module")
def obsolete_db(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("obsolete")
    db = tmp / "obsolete.db"
    sync(pages(tmp / "src", OBSOLETE_PAGES), db)
    return db


def test_fences_give_the_migration_targets_of_obsolete_classes(obsolete_db: Path, tmp_path: Path) -> None:
    """`IAO:0100001` (term replaced by) and `oio:consider` in a turtle or functional-syntax fence were
    dropped: OAK's `obsoletes --show-migration-relationships` showed the class with no target."""
    want = expected_migrations()
    assert len(want) == 4
    assert set(query(obsolete_db, MIGRATIONS)) == want  # a first (deferred) run
    src = pages(tmp_path / "src", {"Robot Arm.md": LINKER})
    db = tmp_path / "later.db"
    sync(src, db)
    for name, text in OBSOLETE_PAGES.items():
        (src / "pages" / name).write_text(text, encoding="utf-8")
    sync(src, db)  # the per-file path
    assert set(query(db, MIGRATIONS)) == want


TAGGED_TTL = """ex:Foal a owl:Class ; rdfs:label "Foal"@en ; skos:altLabel "Poulain"@fr ;
    rdfs:comment "A young horse."@en-GB .
ex:grazes a owl:ObjectProperty ; rdfs:label "grazes"@en .
"""
TAGGED_OFN = """Declaration(Class(ex:Colt))
AnnotationAssertion(rdfs:label ex:Colt "Colt"@en)
AnnotationAssertion(skos:altLabel ex:Colt "Jeune cheval"@fr)
AnnotationAssertion(rdfs:comment ex:Colt "A young male horse."@en-GB)
Declaration(ObjectProperty(ex:nibbles))
AnnotationAssertion(rdfs:label ex:nibbles "nibbles"@en)
"""
# fences on other pages than the classes' own (a page's own class keeps the page's label and definition)
TAGGED = {"Stable.md": fenced("Stable", "turtle", TAGGED_TTL), "Barn.md": fenced("Barn", "owl", TAGGED_OFN)}
# rdfs:comment: a fence's comment is no definition (round 4: it was written as `IAO:0000115`)
LITERALS = ("SELECT subject, value, language FROM statements WHERE predicate IN ('rdfs:label', 'skos:altLabel', "
            "'rdfs:comment') AND subject IN ('ex:Foal', 'ex:Colt', 'ex:grazes', 'ex:nibbles')")


def expected_literals() -> list[tuple]:
    """rdflib's reading of the two fences as Turtle: each literal with its language tag."""
    import rdflib

    text = TAGGED_TTL + TAGGED_TTL.replace("Foal", "Colt").replace("Poulain", "Jeune cheval").replace(
        "A young horse.", "A young male horse.").replace("grazes", "nibbles")
    g = rdflib.Graph().parse(data=TTL_PREFIXES + "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n" + text,
                             format="turtle")
    return sorted(("ex:" + str(s)[len(EX):], str(o), o.language) for s, _, o in g if isinstance(o, rdflib.Literal))


def test_a_fences_language_tags_reach_the_layer(tmp_path: Path) -> None:
    """`rdfs:label "Foal"@en` in a turtle or functional-syntax fence (a class's label, definition and
    synonym, a property's label): the layer's rows carry the tag (a .ttl file's do), on a first run
    and on the per-file path of a later sync."""
    want = expected_literals()
    assert {lang for _, _, lang in want} == {"en", "fr", "en-GB"} and len(want) == 8
    src = pages(tmp_path / "src", TAGGED)
    first = tmp_path / "first.db"
    sync(src, first)
    assert sorted(query(first, LITERALS)) == want
    later = tmp_path / "later.db"
    sync(pages(tmp_path / "later", {"Robot Arm.md": LINKER}), later)
    pages(tmp_path / "later", TAGGED)
    sync(tmp_path / "later", later)
    assert sorted(query(later, LITERALS)) == want


# -- what OAK answers: every command of this module in one OAK process ----------------------------------

RUNOAK = os.environ.get("ONTOSYNC_RUNOAK")


@pytest.fixture(scope="module")
def oak(linked_db: Path, xref_db: Path, obsolete_db: Path, oak_server) -> dict[str, str]:
    if not RUNOAK or not Path(RUNOAK).is_file():
        if os.environ.get("ONTOSYNC_REQUIRE_OAK") == "1":
            raise RuntimeError(f"ONTOSYNC_REQUIRE_OAK=1 but ONTOSYNC_RUNOAK={RUNOAK!r} is not a runoak")
        pytest.skip("OAK not installed: set ONTOSYNC_RUNOAK (bash .ci/oak.sh prints it)")
    from tests.test_oak import run_jobs

    return run_jobs({
        "labels": (linked_db, ["labels", "page:zebra-thing", "ex:RobotArm"]),
        "sssom": (xref_db, ["mappings", "-O", "sssom"]),
        "entities": (xref_db, ["info", ".all"]),
        "obsoletes": (obsolete_db, ["obsoletes", "--show-migration-relationships"]),
    }, server=oak_server)


@pytest.mark.slow
def test_oak_labels_a_class_only_linked_to(oak: dict[str, str]) -> None:
    rows = {tuple(line.split("\t")) for line in oak["labels"].splitlines()[1:]}
    assert rows == {("page:zebra-thing", "Zebra Thing"), ("ex:RobotArm", "Robot Arm")}


@pytest.mark.slow
def test_oak_writes_sssom_for_xrefs_whose_prefixes_differ_in_case(oak: dict[str, str]) -> None:
    lines = oak["sssom"].splitlines()
    mappings = {tuple(line.split("\t")[i] for i in (0, 2, 3)) for line in lines if line.startswith("ex:")}
    assert mappings == {("ex:Cell", "oio:hasDbXref", "MESH:D002477"), ("ex:Cell", "oio:hasDbXref", "FMA:68646"),
                        ("ex:Cell", "oio:hasDbXref", "PMID:123"), ("ex:Synteny", "oio:hasDbXref", "MeSH:Synteny")}
    assert "#   MESH: http://identifiers.org/mesh/" in lines


@pytest.mark.slow
def test_oak_entities_are_what_the_files_describe(oak: dict[str, str]) -> None:
    from tests.test_oak import ids

    assert ids(oak["entities"]) == {"ex:Cell", "ex:Synteny"}


@pytest.mark.slow
def test_oak_shows_the_migration_targets_from_fences(oak: dict[str, str]) -> None:
    rows = {tuple(line.split("\t")) for line in oak["obsoletes"].splitlines()}
    assert rows == {("id", "label", "IAO:0100001", "oio:consider"),
                    ("ex:OldHorse", "Old Horse", "ex:Horse", "ex:Mare"),
                    ("ex:OldPony", "Old Pony", "ex:Horse", "ex:Mare")}
