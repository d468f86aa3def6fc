"""RDF fidelity, second round: what the readers' layer and `ontosync search` give for an RDF file
equals an independent reading of the file (rdflib), beyond tests/test_rdf_fidelity.py.

RDFS vocabularies (schema.org, FOAF, Dublin Core) declare their classes `rdf:type rdfs:Class`;
README's "What ontosync reads" counts them as classes (owl_classes rows), so search must find them.
"""

from __future__ import annotations

import json
from pathlib import Path

import rdflib
from rdflib import OWL, RDF, RDFS

from tests.helpers import cli, q

RDFS_VOCABULARY = """\
@prefix ex: <http://example.org/v#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Gadget a rdfs:Class ; rdfs:label "Gadget" .
ex:SmallGadget a rdfs:Class ; rdfs:label "Small gadget" ; rdfs:subClassOf ex:Gadget .
ex:LoneGadget a rdfs:Class ; rdfs:label "Lone gadget" .
ex:OwlGadget a owl:Class ; rdfs:label "OWL gadget" .
ex:thing a ex:Gadget ; rdfs:label "not a class gadget" .
"""


def rdflib_classes(text: str, word: str) -> set[str]:
    """The named classes (owl:Class or rdfs:Class) whose label holds `word`, as rdflib reads them."""
    graph = rdflib.Graph().parse(data=text, format="turtle")
    classes = {s for t in (OWL.Class, RDFS.Class) for s in graph.subjects(RDF.type, t)
               if isinstance(s, rdflib.URIRef)}
    return {str(c) for c in classes if any(word in str(lab).lower() for lab in graph.objects(c, RDFS.label))}


def search(db: Path, word: str) -> set[str]:
    proc = cli("search", word, "--db", str(db), "--json")
    assert proc.returncode == 0, proc.stderr
    return {hit["curie"] for hit in json.loads(proc.stdout)}


def test_search_finds_rdfs_classes(tmp_path: Path) -> None:
    """A class typed rdfs:Class was an owl_classes row, yet `ontosync search gadget` found only the
    owl:Class one: class_search held owl:Class subjects alone. Also after an incremental edit."""
    src, db = tmp_path / "src", tmp_path / "o.db"
    src.mkdir()
    (src / "v.ttl").write_text(RDFS_VOCABULARY, encoding="utf-8")
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    want = rdflib_classes(RDFS_VOCABULARY, "gadget")
    assert len(want) == 4
    assert {r[0] for r in q(db, "SELECT class_iri FROM owl_classes WHERE source_file IS NOT NULL")} == want
    assert search(db, "gadget") == want

    edited = RDFS_VOCABULARY.replace('"Lone gadget"', '"Lone widget"') + \
        'ex:NewGadget a rdfs:Class ; rdfs:label "New gadget" .\n'
    (src / "v.ttl").write_text(edited, encoding="utf-8")
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    assert search(db, "gadget") == rdflib_classes(edited, "gadget")
    assert search(db, "widget") == rdflib_classes(edited, "widget") == {"http://example.org/v#LoneGadget"}


# --------------------------------------------------------------------------------------------------
# OWL/XML (Protégé's "OWL/XML" save format) behind an .owl extension

OWL_XML = """\
<?xml version="1.0"?>
<Ontology xmlns="http://www.w3.org/2002/07/owl#"
     xml:base="http://example.org/o"
     xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
     xmlns:xml="http://www.w3.org/XML/1998/namespace"
     xmlns:xsd="http://www.w3.org/2001/XMLSchema#"
     xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
     ontologyIRI="http://example.org/o">
    <Prefix name="" IRI="http://example.org/o#"/>
    <Declaration>
        <Class IRI="#A"/>
    </Declaration>
</Ontology>
"""


def test_owl_xml_is_skipped_with_its_name(tmp_path: Path) -> None:
    """Protégé's OWL/XML declares the rdf: namespace, so it was read as RDF/XML and failed with
    "RDF/XML syntax error: XML namespaces are required in RDF/XML" (line 8), counted as a failed file,
    where docs/decisions.md says such files are skipped as other XML. It is skipped, naming OWL/XML;
    RDF/XML whose root is a typed owl:Ontology node still reads."""
    src, db = tmp_path / "src", tmp_path / "o.db"
    src.mkdir()
    (src / "o.owl").write_text(OWL_XML, encoding="utf-8")
    rdfxml_root = ('<owl:Ontology xmlns:owl="http://www.w3.org/2002/07/owl#" '
                   'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" rdf:about="http://example.org/r"/>\n')
    (src / "r.owl").write_text(rdfxml_root, encoding="utf-8")
    proc = cli("sync", str(src), "--db", str(db), "--quiet")
    assert proc.returncode == 0, proc.stderr
    rows = dict((r[0], r[1:]) for r in q(db, "SELECT path, status, error FROM source_files"))
    status, error = rows["o.owl"]
    assert status == "skipped" and "OWL/XML" in error, rows
    assert rows["r.owl"] == ("ok", None)
    graph = rdflib.Graph().parse(data=rdfxml_root, format="xml")
    assert q(db, "SELECT id FROM ontology_node") == [(str(s),) for s in graph.subjects(RDF.type, OWL.Ontology)]


# --------------------------------------------------------------------------------------------------
# The definition search and the class card show: the parsers' language rule and definition predicates

DEFINITIONS = """\
@prefix ex: <http://example.org/d#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:A a owl:Class ; rdfs:label "A" ; obo:IAO_0000115 "Zebra definition"@en , "Aardvark Definition"@de .
ex:B a owl:Class ; rdfs:label "B" ; skos:definition "Quokka habitat" .
ex:C a owl:Class ; rdfs:label "C" ; obo:IAO_0000115 "Tapir" ; skos:definition "Okapi" .
"""


def rdflib_definitions(text: str) -> dict[str, str]:
    """IAO:0000115, else skos:definition, each picked as tests/test_rdf_fidelity.best picks."""
    from tests.test_rdf_fidelity import IAO_DEFINITION, SKOS_DEFINITION, best

    graph = rdflib.Graph().parse(data=text, format="turtle")
    out = {}
    for c in graph.subjects(RDF.type, OWL.Class):
        found = [best([o for o in graph.objects(c, p) if isinstance(o, rdflib.Literal)])
                 for p in (IAO_DEFINITION, SKOS_DEFINITION)]
        out[str(c)] = next(d for d in found if d)
    return out


def test_search_definition_is_the_class_definition(tmp_path: Path) -> None:
    """class_search.definition (what `search` matches, the Datasette class card's definition) was
    min(IAO:0000115) in any language ("Aardvark Definition"@de, where owl_classes.comment gives the
    English one) and ignored skos:definition ("quokka" found nothing, while owl_classes.comment held
    it)."""
    src, db = tmp_path / "src", tmp_path / "o.db"
    src.mkdir()
    (src / "d.ttl").write_text(DEFINITIONS, encoding="utf-8")
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    want = rdflib_definitions(DEFINITIONS)
    assert want["http://example.org/d#A"] == "Zebra definition"
    assert dict(q(db, "SELECT curie, definition FROM class_search")) == want
    assert dict(q(db, "SELECT class_iri, comment FROM owl_classes")) == want  # no rdfs:comment here
    assert search(db, "quokka") == {"http://example.org/d#B"}


# --------------------------------------------------------------------------------------------------
# An annotated subclass axiom between named classes is a hierarchy edge in every syntax

ANNOTATED_OFN = """\
Prefix(:=<http://example.org/s#>)
Prefix(oio:=<http://www.geneontology.org/formats/oboInOwl#>)
Ontology(<http://example.org/s>
Declaration(Class(:A))
Declaration(Class(:B))
Declaration(Class(:C))
SubClassOf(Annotation(oio:source "PMID:1") :A :B)
SubClassOf(:B :C)
)
"""
ANNOTATED_TTL = """\
@prefix : <http://example.org/s#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
<http://example.org/s> a owl:Ontology .
:A a owl:Class ; rdfs:subClassOf :B .
:B a owl:Class ; rdfs:subClassOf :C .
:C a owl:Class .
[ a owl:Axiom ; owl:annotatedSource :A ; owl:annotatedProperty rdfs:subClassOf ; owl:annotatedTarget :B ;
  oio:source "PMID:1" ] .
"""


def test_annotated_subclass_of_is_an_edge_in_functional_syntax(tmp_path: Path) -> None:
    """`SubClassOf(Annotation(...) :A :B)` (OBO's provenance on a parent) in an .ofn file or an
    ```owl fence was only an owl_axioms row: A had no parent B in owl_class_hierarchy, nor in
    `statements` / entailed_edge (OAK's ancestors of A lacked B and C), where the same ontology in
    Turtle gives the edge."""
    graph = rdflib.Graph().parse(data=ANNOTATED_TTL, format="turtle")
    want = sorted((str(s), str(o)) for s, o in graph.subject_objects(RDFS.subClassOf)
                  if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef))
    assert len(want) == 2
    found = {}
    for name, text in (("s.ofn", ANNOTATED_OFN), ("s.ttl", ANNOTATED_TTL)):
        src, db = tmp_path / name.replace(".", "_"), tmp_path / f"{name}.db"
        src.mkdir()
        (src / name).write_text(text, encoding="utf-8")
        assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
        assert sorted(q(db, "SELECT class_iri, parent_iri FROM owl_class_hierarchy")) == want, name
        found[name] = sorted(q(db, "SELECT subject, object FROM entailed_edge WHERE subject <> object"))
    assert found["s.ofn"] == found["s.ttl"]
    assert ("http://example.org/s#A", "http://example.org/s#C") in found["s.ofn"]
