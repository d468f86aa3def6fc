"""An RDF file's triples as semantic-sql rows, and its synonyms as plain facts.

semantic-sql keeps every triple of an ontology (`statements`): labels, definitions, synonyms,
`owl:deprecated`, subclass axioms with their `owl:someValuesFrom` restrictions as blank-node
stanzas, domains, ranges, property types, axiom annotations. So does this: every triple of the file,
IRIs written as CURIEs where a prefix is known, literals stored exactly as parsed.

Blank node ids from the parser are random (RDF/XML) or document labels; they are renamed
`_:<path token>_b1`, `_b2`, ... in order of first appearance, so the rows are a function of the
file's path and bytes, and unique across files. `stanza` is the named subject a blank node hangs from (semantic-sql's
meaning: the term the statement is about), or the subject itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ontosync.parsing.curies import CurieMap
from ontosync.parsing.facts import ParseWarning, SynonymFact

if TYPE_CHECKING:  # imported where a file is parsed: the writer (store/semsql.py) needs none of it
    import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

SYNONYM_PREDICATES = {
    "http://www.geneontology.org/formats/oboInOwl#hasExactSynonym": "oio:hasExactSynonym",
    "http://www.geneontology.org/formats/oboInOwl#hasRelatedSynonym": "oio:hasRelatedSynonym",
    "http://www.geneontology.org/formats/oboInOwl#hasBroadSynonym": "oio:hasBroadSynonym",
    "http://www.geneontology.org/formats/oboInOwl#hasNarrowSynonym": "oio:hasNarrowSynonym",
    "http://www.w3.org/2004/02/skos/core#altLabel": "skos:altLabel",
}


SYNONYM_IRIS = frozenset(SYNONYM_PREDICATES)
_SYNONYM_CURIES = frozenset(SYNONYM_PREDICATES.values())


def blank_token(path: str) -> str:
    """A short stable token of a file's path: the file's blank nodes are `_:<token>_...`."""
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:10]


def extract(quads: Iterable[ox.Quad], namespaces: dict[str, str], path: str = "",
            languages: dict[str, str] | None = None) -> list[tuple]:
    """Rows for `statements`, de-duplicated, file order kept. `languages` maps a lower-cased
    language tag to the tag as the file writes it (parsing/language_tags.py).

    Blank nodes are named `_:<token of path>_b<n>`, unique across the files of a database; done here,
    in the parse worker, so the single writer only inserts.

    Written for speed (PATO's 35,000 triples): each distinct IRI or blank node is converted once and
    looked up by the term itself, since reading a pyoxigraph term's fields costs more than a dict hit.
    Literals are read directly: they are mostly distinct (PATO: 16,908 of them), so remembering
    them only added a hash of each (extract 99-107 -> 87-95 ms of CPU); their datatypes are remembered.
    """
    import pyoxigraph as ox

    node = _NodeNames(CurieMap(namespaces).compact, blank_token(path), ox)
    terms: dict[object, str | None] = {}
    datatypes: dict[str, str | None] = {XSD_STRING: None, RDF_LANG_STRING: None}  # None: a plain string
    literal = ox.Literal
    rows: dict[tuple, None] = {}
    get, missing = terms.get, object()
    for quad in quads:
        s, p, o = quad.subject, quad.predicate, quad.object
        subject = get(s, missing)
        if subject is missing:
            subject = terms[s] = node(s)
        predicate = get(p, missing)
        if predicate is missing:
            predicate = terms[p] = node(p)
        if type(o) is literal:
            if subject is None:
                continue
            dt = o.datatype.value
            datatype = datatypes.get(dt, missing)
            if datatype is missing:
                datatype = datatypes[dt] = node.compact(dt)
            language = o.language
            if language and languages:
                language = languages.get(language, language)
            rows[(subject, predicate, None, o.value, datatype, language)] = None
            continue
        obj = get(o, missing)
        if obj is missing:
            obj = terms[o] = node(o)  # before the check below: blank nodes keep their numbers
        if subject is not None and obj is not None:
            rows[(subject, predicate, obj, None, None, None)] = None
    stanzas = hung_from(rows)
    return [(stanzas.get(r[0], r[0]), *r) for r in rows]


def synonyms(quads: Iterable[ox.Quad], namespaces: dict[str, str]) -> list[SynonymFact]:
    """The synonyms of named subjects (literal objects of SYNONYM_PREDICATES), de-duplicated, file
    order kept. `quads` may be only those whose predicate is in SYNONYM_IRIS (parsing/rdf.py puts
    them aside while it indexes the file). Apart from `extract` because the store needs them with
    the facts (file_synonyms and the change log's class cards) before the rows, which a large file
    hands over later (pipeline/handover.py). A predicate counts only where its CURIE is a synonym's,
    as in the rows: with a namespace table that renames oboInOwl, a predicate is no synonym's."""
    import pyoxigraph as ox

    compact = CurieMap(namespaces).compact
    wanted = {iri: curie for iri, curie in SYNONYM_PREDICATES.items() if compact(iri) in _SYNONYM_CURIES}
    named, literal = ox.NamedNode, ox.Literal
    found: dict[SynonymFact, None] = {}
    for quad in quads:
        o = quad.object
        if type(o) is literal:
            syn = wanted.get(quad.predicate.value)
            if syn is not None and type(s := quad.subject) is named:
                found[SynonymFact(s.value, o.value, syn)] = None
    return list(found)


class _NodeNames:
    """An IRI's CURIE (or the IRI), a blank node's file-unique name in order of first appearance;
    None for what has no semantic-sql shape (RDF 1.2 triple terms). Called once per distinct term."""

    def __init__(self, compact, token: str, ox) -> None:
        self.compact = compact
        self.token = token
        self.named, self.blank = ox.NamedNode, ox.BlankNode
        self.blanks = 0

    def __call__(self, term) -> str | None:
        kind = type(term)
        if kind is self.named:
            return self.compact(term.value)
        if kind is self.blank:
            self.blanks += 1
            return f"_:{self.token}_b{self.blanks}"
        return None


def hung_from(rows: Iterable[tuple]) -> dict[str, str]:
    """Blank node -> the named subject it hangs from (following blank-node chains upwards).

    Linear in the number of blank nodes: each chain is walked once and every node on it remembered,
    so a 100,000-deep nesting costs no more than 100,000 flat ones."""
    parent: dict[str, str] = {}
    for s, _p, o, *_ in rows:
        if o is not None and o.startswith("_:") and o not in parent:
            parent[o] = s
    out: dict[str, str] = {}
    for blank in parent:
        if blank in out:
            continue
        path, seen, cur = [], set(), blank
        while cur.startswith("_:") and cur in parent and cur not in out and cur not in seen:
            seen.add(cur)
            path.append(cur)
            cur = parent[cur]
        top = out.get(cur, cur)
        for node in path:
            out[node] = top
    return out


def triple_term_warnings(data: bytes, quads: list) -> list[ParseWarning]:
    """One warning when statements hold RDF 1.2 triple terms (`<<( s p o )>>`, or the `rdf:reifies`
    triple behind `<< s p o >>`): semantic-sql's `statements` has no shape for them, so those rows
    are left out (_NodeNames) and the user is told rather than losing them silently. Triple terms
    need `<<` (Turtle, N-Triples) or `parseType="Triple"` (RDF/XML) in the bytes: other files skip
    the scan."""
    if b"<<" not in data and b"Triple" not in data:
        return []
    import pyoxigraph as ox  # here, not at module level: the writer imports this module and needs none of it

    lost = sum(1 for q in quads if type(q.object) is ox.Triple or type(q.subject) is ox.Triple)
    if not lost:
        return []
    return [ParseWarning("triple-term", f"{lost} statement(s) with an RDF 1.2 triple term not stored: "
                         "semantic-sql's statements hold no triple terms (their other statements are kept)")]
