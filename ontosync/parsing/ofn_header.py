"""The `Ontology(` header of a functional-syntax document: its IRI and version IRI, its imports and
its annotations, and the rows an `.ofn` file's readers' layer gets of them.

Why apart from parsing/ofn.py: the header is the one part of the text that is not an axiom, and
its rows follow Turtle's header (docs/decisions.md, "One ontology, one set of rows"): `<o> a
owl:Ontology`, `owl:versionIRI`, `owl:imports`, the ontology's annotations; an anonymous
`Ontology(` has them on a blank node, as Turtle's `[] a owl:Ontology`. `Header` is a part of
parsing/ofn.py's interpreter, whose terms (`iri`, `_literal`), rows and warnings it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ontosync.parsing import ofn_rdf, ofn_triples
from ontosync.parsing.facts import AxiomFact, FileFacts
from ontosync.parsing.ofn_reader import Node
from ontosync.parsing.rdf_vocab import OWL, RDF_TYPE


class Header:
    """The header's state and forms, mixed into parsing/ofn.py's `_Interpreter`."""

    # set by the interpreter's __init__: the IRI of the Ontology( being read, an anonymous one's blank
    # node, how many anonymous ones were read; and the interpreter's own
    header_iri: str | None
    header_node: str | None
    anonymous: int
    several_ontologies: bool
    ofn_file: bool
    facts: FileFacts
    axioms: list[AxiomFact]
    iri: Callable[[Any], str | None]
    _literal: Callable[[Any], ofn_triples.Literal | None]
    warn: Callable[..., None]

    def _import(self, target: str) -> None:
        """An .ofn file's `<onto> owl:imports <target>` row, as in RDF (fences ignore headers); an
        anonymous ontology's, on its node (`rdf_graph`), as Turtle's `[] owl:imports <target>`."""
        onto, node = self.header_iri, self.header_node  # the enclosing Ontology(, a second one too
        note = {"rdf_predicate": OWL + "imports"} if onto and self.ofn_file else None
        if node and self.ofn_file:
            note = {"rdf_graph": [[node, node, OWL + "imports", target, None, None, None]]}
        self.axioms.append(AxiomFact("Import", onto or "", target, note))

    def _ontology_annotation(self, node: Node, text: str) -> None:
        """Its row; in an `.ofn` file noted with its triple `<ontology> P value` and the rows of an
        anonymous value and of its own annotations (`rdf_graph`, parsing/ofn_rdf.py)."""
        args, onto = [a for a in node.args if getattr(a, "head", None) != "Annotation"], self.header_iri
        notes: dict = ofn_triples.triple(onto, self.iri(args[0]), self._literal(args[1]) or self.iri(args[1])) \
            if len(args) == 2 and self.ofn_file else {}
        onto = onto or self.header_node
        if onto and self.ofn_file and (rows := ofn_rdf.annotation_note(self.iri, self._literal, onto, node, text,
                                                                       bool(notes))):
            notes["rdf_graph"] = rows
        self.axioms.append(AxiomFact("OntologyAnnotation", self.facts.ontology_id or "", text, notes or None))

    def _ontology(self, iri: str | None, line: int) -> None:
        """The first `Ontology(<iri>` names the document's ontology; a second, other IRI means several,
        and then none is used (the run's --ontology-id is), with a warning, as for an RDF file with
        several `owl:Ontology` (parsing/rdf.py). Fences ignore ontology ids: no warning there.
        An anonymous `Ontology(` (`iri` None) names none; in an `.ofn` file its rows are on a blank
        node, `_:o_<n>` (the n-th such header), as Turtle's `[] a owl:Ontology`."""
        self.header_iri, self.header_node = iri, None
        if iri is None:
            self.anonymous += 1
            self.header_node = f"_:o_{self.anonymous}"
        if self.ofn_file:  # `<o> rdf:type owl:Ontology`, the header's row in Turtle (store/semsql_ofn.saved_rows)
            onto = iri or self.header_node
            self.facts.saved_rows.append([onto, onto, RDF_TYPE, OWL + "Ontology", None, None, None])
        if iri is None:
            return
        if self.facts.ontology_id is None and not self.several_ontologies:
            self.facts.ontology_id = iri
        elif iri != self.facts.ontology_id and self.ofn_file and not self.several_ontologies:
            self.several_ontologies = True
            self.facts.ontology_id = None
            self.warn(f"several Ontology( IRIs (<{iri}> is the second); none is used as ontology id", line,
                      kind="several-ontologies")

    def _version(self, iri: str) -> None:
        """`Ontology(<o> <v>`: an `.ofn` file's `<o> owl:versionIRI <v>` row, the triple Turtle's
        header gives (`statements`); fences ignore headers, as for the ontology IRI."""
        note = ofn_triples.triple(self.header_iri, OWL + "versionIRI", iri) if self.ofn_file else {}
        if note:
            self.axioms.append(AxiomFact("VersionIRI", self.header_iri or "", iri, note))
