"""One ontology, every syntax, the same rows: what a class's label and definition are does not
depend on whether the file is Turtle, RDF/XML, JSON-LD or OWL functional syntax, nor on the
order the statements are written in.

The expected values come from rdflib (an independent reading of the Turtle text) and the rule
parsing/rdf.py documents for several literals: no language tag first, then `en`, then `en-*`, then
any other; within a rank the smallest value. Definitions: rdfs:comment, else IAO:0000115, else
skos:definition. RDF/XML and JSON-LD are rdflib's own serialisations of the same graph.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import RDFS, Literal, URIRef

from ontosync.parsing import ParseOptions
from ontosync.parsing.facts import FileFacts
from ontosync.parsing.ofn import parse_ofn_document
from ontosync.parsing.rdf import parse_rdf
from tests.helpers import cli, q

EX = "http://example.org/"
IAO_DEFINITION = URIRef("http://purl.obolibrary.org/obo/IAO_0000115")
SKOS_DEFINITION = URIRef("http://www.w3.org/2004/02/skos/core#definition")
OIO = "http://www.geneontology.org/formats/oboInOwl#"

# (subject, predicate CURIE, literal in Turtle/OFN syntax), in the order the files state them.
STATEMENTS = [
    ("A", "rdfs:label", '"Zeta"@de'), ("A", "rdfs:label", '"Beta"@en'), ("A", "rdfs:label", '"Alpha"@en'),
    ("B", "rdfs:label", '"b-en"@en-GB'), ("B", "rdfs:label", '"b plain"'),
    ("B", "obo:IAO_0000115", '"IAO definition of B"'),
    ("C", "skos:definition", '"SKOS definition of C"'), ("C", "obo:IAO_0000115", '"IAO definition of C"'),
    ("D", "rdfs:comment", '"comment of D"'), ("D", "obo:IAO_0000115", '"IAO definition of D"'),
    ("E", "skos:definition", '"SKOS definition of E"'),
    ("p", "rdfs:label", '"Pz"@fr'), ("p", "rdfs:label", '"Pa"'),
]
CLASSES = ["A", "B", "C", "D", "E"]
PREFIXES = {"ex": EX, "owl": "http://www.w3.org/2002/07/owl#", "rdfs": str(RDFS),
            "obo": "http://purl.obolibrary.org/obo/", "skos": "http://www.w3.org/2004/02/skos/core#",
            "oio": OIO}


def turtle(statements: list[tuple[str, str, str]]) -> str:
    head = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
    decls = "".join(f"ex:{c} a owl:Class .\n" for c in CLASSES) + "ex:p a owl:ObjectProperty .\n"
    return head + decls + "".join(f"ex:{s} {p} {o} .\n" for s, p, o in statements)


def ofn(statements: list[tuple[str, str, str]]) -> str:
    head = "".join(f"Prefix({p}:=<{iri}>)\n" for p, iri in PREFIXES.items())
    decls = "".join(f"Declaration(Class(ex:{c}))\n" for c in CLASSES) + "Declaration(ObjectProperty(ex:p))\n"
    body = "".join(f"AnnotationAssertion({p} ex:{s} {o})\n" for s, p, o in statements)
    return f"{head}Ontology(<{EX}o>\n{decls}{body})\n"


def best(literals: list[Literal]) -> str | None:
    def rank(lit: Literal) -> tuple:
        lang = (lit.language or "").lower()
        order = 0 if not lang else 1 if lang == "en" else 2 if lang.startswith("en-") else 3
        return order, str(lit), lang
    return str(min(literals, key=rank)) if literals else None


def expected(graph: rdflib.Graph) -> dict:
    def lits(subject: str, pred: URIRef) -> list[Literal]:
        return [o for o in graph.objects(URIRef(EX + subject), pred) if isinstance(o, Literal)]
    out = {}
    for c in CLASSES:
        comment = best(lits(c, RDFS.comment)) or best(lits(c, IAO_DEFINITION)) or best(lits(c, SKOS_DEFINITION))
        out[EX + c] = (best(lits(c, RDFS.label)), comment)
    out[EX + "p"] = (best(lits("p", RDFS.label)), None)
    return out


def observed(facts: FileFacts) -> dict:
    out = {c.iri: (c.label, c.comment) for c in facts.classes}
    out.update({p.iri: (p.label, None) for p in facts.properties})
    return out


def read_all(statements: list[tuple[str, str, str]]) -> dict[str, dict]:
    text = turtle(statements)
    graph = rdflib.Graph().parse(data=text, format="turtle")
    options = ParseOptions()
    return {
        "rdflib": expected(graph),
        "turtle": observed(parse_rdf("o.ttl", text.encode(), "turtle", options)),
        "rdfxml": observed(parse_rdf("o.owl", graph.serialize(format="xml").encode(), "rdfxml", options)),
        "jsonld": observed(parse_rdf("o.jsonld", graph.serialize(format="json-ld").encode(), "jsonld", options)),
        "ofn": observed(parse_ofn_document("o.ofn", ofn(statements).encode(), options)),
    }


@pytest.mark.parametrize("order", ["as written", "reversed"])
def test_labels_and_definitions_agree_across_syntaxes(order: str) -> None:
    """OFN took the first label written ("Zeta"@de where every RDF syntax gives "Alpha") and no
    IAO:0000115 / skos:definition as a class's definition (Turtle: "IAO definition of B")."""
    statements = STATEMENTS if order == "as written" else STATEMENTS[::-1]
    found = read_all(statements)
    want = found.pop("rdflib")
    assert want[EX + "A"] == ("Alpha", None)  # the reference itself reads the rule
    for syntax, got in found.items():
        assert got == want, syntax


# --------------------------------------------------------------------------------------------------
# The readers' layer: what OAK reads of an OFN file equals what it reads of the same ontology in Turtle

SYNONYMS = [("A", "hasExactSynonym", '"exact A"'), ("A", "hasRelatedSynonym", '"related A"@en'),
            ("B", "hasBroadSynonym", '"broad B"'), ("B", "hasNarrowSynonym", '"narrow B"'),
            ("A", "hasExactSynonym", '"exact A"')]  # stated twice: one row
LAYER_SQL = {
    "synonyms": "SELECT subject, predicate, value FROM has_synonym_statement",
    "file_synonyms": "SELECT class_iri, synonym, predicate FROM file_synonyms",
    "search": "SELECT curie, label, synonyms FROM class_search",
}


def synced_layer(tmp_path: Path, name: str, text: str) -> dict[str, list[tuple]]:
    src = tmp_path / name.replace(".", "_")
    src.mkdir()
    (src / name).write_text(text, encoding="utf-8")
    db = tmp_path / f"{name}.db"
    proc = cli("sync", str(src), "--db", str(db), "--quiet")
    assert proc.returncode == 0, proc.stderr
    return {key: sorted(q(db, sql)) for key, sql in LAYER_SQL.items()}


def test_functional_syntax_synonyms_reach_the_readers_layer(tmp_path: Path) -> None:
    """An .ofn file's oboInOwl synonyms were not stored at all: no file_synonyms, no
    has_exact_synonym_statement, nothing in class_search, where the same Turtle file has them."""
    statements = [(s, f"oio:{p}", o) for s, p, o in SYNONYMS]
    ttl, ofn_text = turtle(statements), ofn(statements)
    graph = rdflib.Graph().parse(data=ttl, format="turtle")
    want = sorted((str(s), str(p), str(o)) for s, p, o in graph
                  if str(p).startswith(OIO) and isinstance(o, Literal))
    assert len(want) == 4
    from_turtle = synced_layer(tmp_path, "o.ttl", ttl)
    from_ofn = synced_layer(tmp_path, "o.ofn", ofn_text)
    assert sorted(from_ofn["file_synonyms"]) == sorted((s, v, p.replace(OIO, "oio:")) for s, p, v in want)
    assert from_ofn == from_turtle


# --------------------------------------------------------------------------------------------------
# Fences: a Logseq page's ```turtle and ```owl blocks keep their synonyms

FENCE_PAGE = """\
- ### OntologyBlock
    - owl:class:: ex:Page
    - alternate-terms:: page term

  ```turtle
  @prefix ex: <http://example.org/> .
  @prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
  ex:Page oio:hasExactSynonym "from turtle" .
  ex:Other a owl:Class ; oio:hasRelatedSynonym "related other" ; skos:altLabel "alt other" .
  ```

  ```owl
  Prefix(oio:=<http://www.geneontology.org/formats/oboInOwl#>)
  AnnotationAssertion(oio:hasBroadSynonym <http://example.org/Page> "from owl")
  ```
"""


def test_fence_synonyms_are_the_pages(tmp_path: Path) -> None:
    """A page's turtle / owl fences lost every synonym they state (the fence's classes and edges
    were kept): expected, rdflib's reading of the turtle fence plus the owl fence's one."""
    from ontosync.parsing.logseq import parse_page

    body = FENCE_PAGE.split("```turtle\n")[1].split("```")[0].replace("\n  ", "\n").strip()
    graph = rdflib.Graph().parse(data=f"@prefix owl: <{PREFIXES['owl']}> . @prefix skos: <{PREFIXES['skos']}> .\n"
                                 + body, format="turtle")
    curie = {OIO: "oio:", PREFIXES["skos"]: "skos:"}
    want = {(str(s), str(o), next(c + str(p)[len(b):] for b, c in curie.items() if str(p).startswith(b)))
            for s, p, o in graph if isinstance(o, Literal)}
    want |= {(EX + "Page", "from owl", "oio:hasBroadSynonym"), (EX + "Page", "page term", "oio:hasExactSynonym")}
    options = ParseOptions(namespaces={**ParseOptions().namespaces, "ex": EX})
    facts = parse_page("Page.md", FENCE_PAGE.encode(), options)
    assert len(want) == 5
    assert {(s.iri, s.text, s.predicate) for s in facts.synonyms} == want


# --------------------------------------------------------------------------------------------------
# class_search: the label a search shows is the class's label (owl_classes), not the smallest text

SEARCH_LABELS = [("A", "rdfs:label", '"Alpha"@de'), ("A", "rdfs:label", '"Beta"@en'),
                 ("B", "rdfs:label", '"aaa"@fr'), ("B", "rdfs:label", '"zzz"'),
                 ("C", "rdfs:label", '"c-gb"@en-GB'), ("C", "rdfs:label", '"c-x"@es'),
                 ("D", "rdfs:label", '"only"@ja')]


def test_search_label_is_the_class_label(tmp_path: Path) -> None:
    """class_search took min(label) whatever its language ("Alpha"@de), where owl_classes and
    OAK's preferred label give the untagged / English one ("Beta"@en): a search result named the
    class differently from every other table."""
    text = turtle(SEARCH_LABELS)
    graph = rdflib.Graph().parse(data=text, format="turtle")
    want = {c: label for c, (label, _) in expected(graph).items() if c != EX + "p"}
    assert want[EX + "A"] == "Beta" and want[EX + "B"] == "zzz"
    src = tmp_path / "src"
    src.mkdir()
    (src / "o.ttl").write_text(text, encoding="utf-8")
    db = tmp_path / "o.db"
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    assert dict(q(db, "SELECT class_iri, label FROM owl_classes")) == want
    assert dict(q(db, "SELECT curie, label FROM class_search")) == want
