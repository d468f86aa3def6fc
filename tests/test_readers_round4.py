"""The readers' layer, fourth round: mappings and every label, whatever syntax an ontology is written in.

- `oboInOwl:hasDbXref` and `skos:exactMatch` in a Logseq page property, a turtle or functional-syntax
  fence, or an `.ofn` file gave no `statements` row, so `runoak mappings` missed them, while the
  same annotations in a `.ttl` file gave theirs (docs/decisions.md, "One ontology, one set of rows").
  store/xref_prefixes.py recomputes the xref prefixes only after a run that wrote or deleted a mapping
  row: pages and `.ofn` files now write them, and the `prefix` table must follow them run by run.
- A class with two labels (`rdfs:label "Foal"@en, "Poulain"@fr`) in a fence or an `.ofn` file kept one.
The expectation is rdflib's reading of the same annotations as Turtle, not ontosync's code; each is
checked on a first (deferred) run and on the per-file path of a later sync. OAK answers once, in one
process (tests/oak_batch.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_readers_round2 import sync
from tests.test_readers_round3 import EX, LINKER, TTL_PREFIXES, fenced, pages, query

SKOS = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
UBERON = "http://purl.obolibrary.org/obo/UBERON_0000002"
# The same annotations of one class, written in each syntax; `{c}` is the class's local name.
MAPPED_TTL = f"""ex:{{c}} a owl:Class ; rdfs:label "{{c}}" ;
    oboInOwl:hasDbXref "MESH:D000001", "FMA:7" ; skos:exactMatch <{UBERON}> .
"""
MAPPED_OFN = f"""Declaration(Class(ex:{{c}}))
AnnotationAssertion(rdfs:label ex:{{c}} "{{c}}")
AnnotationAssertion(oboInOwl:hasDbXref ex:{{c}} "MESH:D000001")
AnnotationAssertion(oboInOwl:hasDbXref ex:{{c}} "FMA:7")
AnnotationAssertion(skos:exactMatch ex:{{c}} <{UBERON}>)
"""
OFN_HEAD = (f"Prefix(ex:=<{EX}>)\nPrefix(oboInOwl:=<http://www.geneontology.org/formats/oboInOwl#>)\n"
            "Prefix(skos:=<http://www.w3.org/2004/02/skos/core#>)\nOntology(<http://example.org/r4>\n")
PROPERTY_PAGE = ("- ### OntologyBlock\n\t- preferred-term:: {c}\n\t- owl:class:: ex:{c}\n"
                 f"\t- oboInOwl:hasDbXref:: MESH:D000001, FMA:7\n\t- skos:exactMatch:: {UBERON}\n")
MAPPINGS = ("SELECT subject, predicate, object, value, datatype, language FROM has_mapping_statement "
            "WHERE subject = 'ex:{c}'")


def mapped_tree(root: Path) -> Path:
    """One class per syntax: Turtle file (Ttl), functional-syntax file (Ofn), page property (Prop),
    turtle fence (TtlFence), functional-syntax fence (OfnFence)."""
    pages(root, {"Prop.md": PROPERTY_PAGE.format(c="Prop"),
                 "TtlFence.md": fenced("TtlFence", "turtle", SKOS + MAPPED_TTL.format(c="TtlFence")),
                 "OfnFence.md": fenced("OfnFence", "owl", MAPPED_OFN.format(c="OfnFence"))})
    (root / "mapped.ttl").write_text(TTL_PREFIXES + SKOS + MAPPED_TTL.format(c="Ttl"), encoding="utf-8")
    (root / "mapped.ofn").write_text(OFN_HEAD + MAPPED_OFN.format(c="Ofn") + ")\n", encoding="utf-8")
    return root


def expected_mappings(c: str) -> set[tuple]:
    """rdflib's reading of the Turtle form: (subject, predicate, object, value, datatype, language)."""
    import rdflib

    g = rdflib.Graph().parse(data=TTL_PREFIXES + SKOS + MAPPED_TTL.format(c=c), format="turtle")
    short = {"http://www.geneontology.org/formats/oboInOwl#hasDbXref": "oio:hasDbXref",
             "http://www.w3.org/2004/02/skos/core#exactMatch": "skos:exactMatch"}
    found = set()
    for p, o in g.predicate_objects(rdflib.URIRef(EX + c)):
        if str(p) in short:
            literal = isinstance(o, rdflib.Literal)
            obj = None if literal else "UBERON:" + str(o).rsplit("_", 1)[1]
            found.add((f"ex:{c}", short[str(p)], obj, str(o) if literal else None, None, None))
    return found


SYNTAXES = ("Ttl", "Ofn", "Prop", "TtlFence", "OfnFence")


def assert_same_mappings(db: Path) -> None:
    want = expected_mappings("Ttl")
    assert len(want) == 3
    for c in SYNTAXES:
        rows = query(db, MAPPINGS.format(c=c))
        assert len(rows) == 3, (c, rows)
        assert {(r[0].replace(c, "Ttl"), *r[1:]) for r in rows} == want, c


def test_mappings_reach_the_layer_whatever_the_syntax(tmp_path: Path) -> None:
    first = tmp_path / "first.db"
    sync(mapped_tree(tmp_path / "src"), first)
    assert_same_mappings(first)  # a first (deferred) run
    later = tmp_path / "later.db"
    sync(pages(tmp_path / "later", {"Robot Arm.md": LINKER}), later)
    sync(mapped_tree(tmp_path / "later"), later)  # the per-file path
    assert_same_mappings(later)
    prefixes = dict(query(later, "SELECT prefix, base FROM prefix"))
    assert prefixes["MESH"] == "http://identifiers.org/mesh/" and prefixes["FMA"].endswith("/obo/FMA_")


def test_the_xref_prefixes_follow_a_pages_mappings_run_by_run(tmp_path: Path) -> None:
    """No RDF file holds a mapping: a page's xref coming and going must still bring MESH into the
    `prefix` table and take it out (the cache of store/xref_prefixes.py), as a fresh sync does."""
    src = pages(tmp_path / "src", {"Robot Arm.md": LINKER})
    db = tmp_path / "db.db"
    sync(src, db)
    with_xref = LINKER + "\t- oboInOwl:hasDbXref:: MESH:D000001\n"
    for n, (text, has_mesh) in enumerate(((with_xref, True), (LINKER, False), (with_xref, True))):
        (src / "pages" / "Robot Arm.md").write_text(text, encoding="utf-8")
        sync(src, db)
        fresh = tmp_path / f"fresh{n}.db"
        sync(src, fresh)
        prefixes = query(db, "SELECT * FROM prefix ORDER BY 1")
        assert prefixes == query(fresh, "SELECT * FROM prefix ORDER BY 1")
        assert ("MESH" in dict(prefixes)) is has_mesh, n


LABELLED_TTL = """ex:{c} a owl:Class ; rdfs:label "{c}"@en, "Poulain {c}"@fr, "Pullen {c}"@nl .
"""
LABELLED_OFN = """Declaration(Class(ex:{c}))
AnnotationAssertion(rdfs:label ex:{c} "{c}"@en)
AnnotationAssertion(rdfs:label ex:{c} "Poulain {c}"@fr)
AnnotationAssertion(rdfs:label ex:{c} "Pullen {c}"@nl)
"""
LABELS = "SELECT value, language FROM rdfs_label_statement WHERE subject = 'ex:{c}'"


def labelled_tree(root: Path) -> Path:
    """Classes labelled in three languages on pages other than their own (a page's own class keeps
    the page's label), in either fence syntax and an `.ofn` file; Ttl in a `.ttl` file."""
    pages(root, {"Stable.md": fenced("Stable", "turtle", LABELLED_TTL.format(c="TtlFence")),
                 "Barn.md": fenced("Barn", "owl", LABELLED_OFN.format(c="OfnFence")),
                 "Foal.md": fenced("Foal", "turtle", 'ex:Foal rdfs:label "Foal"@en, "Poulain"@fr, "Young horse" .'),
                 "Colt.md": fenced("Colt", "owl", 'Declaration(Class(ex:Colt))\n'
                                   'AnnotationAssertion(rdfs:label ex:Colt "Young male horse"@en)')})
    (root / "labelled.ttl").write_text(TTL_PREFIXES + LABELLED_TTL.format(c="Ttl"), encoding="utf-8")
    (root / "labelled.ofn").write_text(OFN_HEAD + LABELLED_OFN.format(c="Ofn") + ")\n", encoding="utf-8")
    return root


def expected_labels(c: str) -> set[tuple]:
    import rdflib

    g = rdflib.Graph().parse(data=TTL_PREFIXES + LABELLED_TTL.format(c=c), format="turtle")
    return {(str(o), o.language) for o in g.objects(rdflib.URIRef(EX + c), rdflib.RDFS.label)}


def assert_every_label(db: Path) -> None:
    for c in ("Ttl", "Ofn", "TtlFence", "OfnFence"):
        rows = query(db, LABELS.format(c=c))
        assert len(rows) == 3 and set(rows) == expected_labels(c), (c, rows)
    # a page's own class: the page's label (tagged as the fence tags it) and the fence's other
    # languages; an untagged other label is not kept beside the page's (OAK would show either)
    assert sorted(query(db, LABELS.format(c="Foal"))) == [("Foal", "en"), ("Poulain", "fr")]
    assert sorted(query(db, LABELS.format(c="Colt"))) == [("Colt", None), ("Young male horse", "en")]


def test_a_class_keeps_every_label_whatever_the_syntax(tmp_path: Path) -> None:
    first = tmp_path / "first.db"
    sync(labelled_tree(tmp_path / "src"), first)
    assert_every_label(first)
    later = tmp_path / "later.db"
    sync(pages(tmp_path / "later", {"Robot Arm.md": LINKER}), later)
    sync(labelled_tree(tmp_path / "later"), later)
    assert_every_label(later)
    # the contract's one label per class is unchanged: the no-tag, then `en`, pick
    assert set(query(later, "SELECT label FROM owl_classes WHERE class_iri LIKE '%Ttl' OR class_iri LIKE '%Ofn%'"
                     " OR class_iri LIKE '%TtlFence'")) == {("Ttl",), ("Ofn",), ("TtlFence",), ("OfnFence",)}


# -- what OAK answers: one OAK process ---------------------------------------------------------------------

RUNOAK = os.environ.get("ONTOSYNC_RUNOAK")


@pytest.fixture(scope="module")
def oak(tmp_path_factory, oak_server) -> dict[str, str]:
    if not RUNOAK or not Path(RUNOAK).is_file():
        if os.environ.get("ONTOSYNC_REQUIRE_OAK") == "1":
            raise RuntimeError(f"ONTOSYNC_REQUIRE_OAK=1 but ONTOSYNC_RUNOAK={RUNOAK!r} is not a runoak")
        pytest.skip("OAK not installed: set ONTOSYNC_RUNOAK (bash .ci/oak.sh prints it)")
    from tests.test_oak import run_jobs

    tmp = tmp_path_factory.mktemp("oak4")
    mapped, labelled = tmp / "mapped.db", tmp / "labelled.db"
    sync(mapped_tree(tmp / "mapped"), mapped)
    sync(labelled_tree(tmp / "labelled"), labelled)
    return run_jobs({
        "mappings": (mapped, ["mappings", "-O", "sssom", *(f"ex:{c}" for c in SYNTAXES)]),
        "labels": (labelled, ["labels", "ex:Ttl", "ex:Ofn", "ex:TtlFence", "ex:OfnFence", "--pivot-languages"]),
    }, server=oak_server)


@pytest.mark.slow
def test_oak_lists_the_mappings_of_every_syntax(oak: dict[str, str]) -> None:
    lines = [line.split("\t") for line in oak["mappings"].splitlines() if line.startswith("ex:")]
    found = {(row[0], row[2], row[3]) for row in lines}
    want = {(f"ex:{c}", p, o) for c in SYNTAXES
            for p, o in (("oio:hasDbXref", "MESH:D000001"), ("oio:hasDbXref", "FMA:7"),
                         ("skos:exactMatch", "UBERON:0000002"))}
    assert found == want


@pytest.mark.slow
def test_oak_shows_every_label_of_every_syntax(oak: dict[str, str]) -> None:
    rows = [line.split("\t") for line in oak["labels"].splitlines()]
    assert rows[0] == ["id", "en", "fr", "nl"]
    assert sorted(rows[1:]) == sorted([f"ex:{c}", c, f"Poulain {c}", f"Pullen {c}"]
                                      for c in ("Ttl", "Ofn", "TtlFence", "OfnFence"))


DEFINED_TTL = """ex:{c} a owl:Class ; rdfs:label "{c}" ; rdfs:comment "A note on {c}." ;
    obo:IAO_0000115 "The definition of {c}."@en, "La définition de {c}."@fr .
"""
DEFINED_OFN = """Declaration(Class(ex:{c}))
AnnotationAssertion(rdfs:label ex:{c} "{c}")
AnnotationAssertion(rdfs:comment ex:{c} "A note on {c}.")
AnnotationAssertion(obo:IAO_0000115 ex:{c} "The definition of {c}."@en)
AnnotationAssertion(obo:IAO_0000115 ex:{c} "La définition de {c}."@fr)
"""
TEXTS = ("SELECT predicate, value, language FROM statements WHERE subject = 'ex:{c}' "
         "AND predicate IN ('rdfs:comment', 'IAO:0000115')")


def test_a_comment_is_no_definition_and_every_definition_is_kept(tmp_path: Path) -> None:
    """A class declared in a fence or an `.ofn` file with an rdfs:comment and definitions in two
    languages: the layer wrote the comment as its one `IAO:0000115` (OAK's `definitions` showed the
    note, not the definition) and dropped both definitions, where a `.ttl` file gives each triple."""
    import rdflib

    g = rdflib.Graph().parse(data=TTL_PREFIXES + DEFINED_TTL.format(c="C"), format="turtle")
    short = {str(rdflib.RDFS.comment): "rdfs:comment", "http://purl.obolibrary.org/obo/IAO_0000115": "IAO:0000115"}
    want = {(short[str(p)], str(o).replace("C.", "{c}."), o.language)
            for p, o in g.predicate_objects() if str(p) in short}
    assert len(want) == 3
    for later in (False, True):
        root = tmp_path / f"src{later}"
        db = tmp_path / f"db{later}.db"
        if later:  # the per-file path
            sync(pages(root, {"Robot Arm.md": LINKER}), db)
        own = fenced("Own", "owl", 'AnnotationAssertion(rdfs:comment ex:Own "A foal.")').replace(
            "\t- owl:class::", "\t- definition:: A foal.\n\t- owl:class::")
        pages(root, {"Stable.md": fenced("Stable", "turtle", DEFINED_TTL.format(c="TtlFence")),
                     "Barn.md": fenced("Barn", "owl", DEFINED_OFN.format(c="OfnFence")), "Own.md": own})
        (root / "d.ttl").write_text(TTL_PREFIXES + DEFINED_TTL.format(c="Ttl"), encoding="utf-8")
        ofn_head = OFN_HEAD.replace("Ontology(", "Prefix(obo:=<http://purl.obolibrary.org/obo/>)\nOntology(")
        (root / "d.ofn").write_text(ofn_head + DEFINED_OFN.format(c="Ofn") + ")\n", encoding="utf-8")
        sync(root, db)
        for c in ("Ttl", "Ofn", "TtlFence", "OfnFence"):
            rows = query(db, TEXTS.format(c=c))
            assert len(rows) == 3 and {(p, v.replace(f"{c}.", "{c}."), lang) for p, v, lang in rows} == want, (c, rows)
        # a tagged literal has no datatype in any syntax (a turtle fence's noted `rdf:langString` was kept)
        assert query(db, TEXTS.replace("predicate, value, language", "DISTINCT datatype").replace(
            "subject = 'ex:{c}'", "subject IN ('ex:Ttl', 'ex:Ofn', 'ex:TtlFence', 'ex:OfnFence')")) == [(None,)]
        # a page's own class: the page's `definition::` stays its definition beside the fence's comment
        assert sorted(query(db, TEXTS.format(c="Own"))) == [("IAO:0000115", "A foal.", None),
                                                            ("rdfs:comment", "A foal.", None)]


# One text, two literals: `"Twin"@en` and `"Twin"`, both labels of a class a page's fence declares
# (not the page's own). The merge of a page's fences took a label note as the fact's own when only
# its text matched, so one of the two was in no table, while a `.ttl` file's statements hold both.
TWIN_TTL = 'ex:TtlTwin a owl:Class ; rdfs:label "TtlTwin"@en, "TtlTwin", "Jumeau"@fr .'
TWIN_OFN = ('Declaration(Class(ex:OfnTwin))\nAnnotationAssertion(rdfs:label ex:OfnTwin "OfnTwin"@en)\n'
            'AnnotationAssertion(rdfs:label ex:OfnTwin "OfnTwin")\n'
            'AnnotationAssertion(rdfs:label ex:OfnTwin "Jumeau"@fr)')


def test_a_label_in_two_literals_of_one_text_keeps_both(tmp_path: Path) -> None:
    import rdflib

    db = tmp_path / "twin.db"
    sync(pages(tmp_path / "src", {"Stall.md": fenced("Stall", "turtle", TWIN_TTL),
                                  "Pen.md": fenced("Pen", "owl", TWIN_OFN)}), db)
    for c in ("TtlTwin", "OfnTwin"):
        g = rdflib.Graph().parse(data=TTL_PREFIXES + TWIN_TTL.replace("TtlTwin", c), format="turtle")
        want = {(str(o), o.language) for o in g.objects(rdflib.URIRef(EX + c), rdflib.RDFS.label)}
        assert len(want) == 3
        assert set(query(db, LABELS.format(c=c))) == want, c
        # the contract's one label: the untagged literal, and its row says so (no tag)
        assert query(db, f"SELECT label, label_language FROM file_classes WHERE class_iri = '{EX}{c}'") == [(c, None)]
