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
