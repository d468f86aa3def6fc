"""Logseq pages: small pages written here for every rule, hostile shapes, and the real corpus
checked against counts made independently in the test by grep-like code."""

from __future__ import annotations

import os
import pickle
import re
import sys
import time
import types
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ontosync.parsing import DEFAULT_NAMESPACES, ParseOptions, parse_file
from ontosync.parsing.facts import AxiomFact, ClassFact, EdgeFact, FileFacts, ParseError, ParseWarning
from ontosync.parsing.logseq import SKIP_REASON, mint_page_iri, parse_page
from ontosync.parsing.logseq_names import page_name

OPT = ParseOptions()
NS = OPT.page_namespace
MV = "http://narrativegoldmine.com/metaverse#"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "visionflow-pages"


def page(text: str, name: str = "Page.md", options: ParseOptions = OPT) -> FileFacts:
    return parse_page(name, text.encode("utf-8"), options)


METAVERSE = """\
- ### OntologyBlock
  id:: x-ontology
  collapsed:: true
\t- ontology:: true
\t- term-id:: 20181
\t- preferred-term:: AI Governance Framework
\t- definition:: Set of policies for [[AI]] components.
\t- source:: [[ISO/IEC 42001]], [[OECD AI Principles]]
\t- owl:class:: mv:AIGovernanceFramework
\t- owl:physicality:: VirtualEntity
\t- belongsToDomain:: [[TrustAndGovernanceDomain]]
\t- #### Relationships
\t\t- has-part:: [[Ethical Framework]], [[Compliance Policy|policies]]
\t\t- bridges-to:: [[Governance Model]] via is-part-of
\t\t- owl:disjointWith:: [[Physical Object]]
\t\t- owl:equivalentClass:: mv:AIGovFramework
\t- #### OWL Axioms
\t\t- ```clojure
\t\t  Declaration(Class(mv:AIGovernanceFramework))
\t\t  # comment
\t\t  SubClassOf(mv:AIGovernanceFramework mv:VirtualEntity)
\t\t  SubClassOf(mv:AIGovernanceFramework
\t\t    ObjectSomeValuesFrom(mv:hasPart mv:EthicalFramework)
\t\t  )
  TransitiveObjectProperty(dt:ispartof)
```
- ## About
\t- Tags:: [[Governance]]
\t- text

### Relationships
- is-subclass-of:: [[AIGovernance]], [[Metaverse]]
"""


def test_metaverse_style_page() -> None:
    facts = page(METAVERSE, "AI Governance Framework.md")
    cls = MV + "AIGovernanceFramework"
    assert facts.format == "logseq" and facts.skipped is None
    assert facts.page_class == cls
    assert facts.names == [("AI Governance Framework", 0), ("AI Governance Framework", 2)]
    assert facts.classes == [ClassFact(cls, "AI Governance Framework", "Set of policies for [[AI]] components.", 1)]
    assert facts.edges == [
        EdgeFact(cls, MV + "VirtualEntity"),  # from the fence (line 20)
        EdgeFact(cls, NS + "aigovernance", "AIGovernance"),  # line 34
        EdgeFact(cls, NS + "metaverse", "Metaverse"),
    ]
    rel = [(a.axiom_type, a.object, a.object_ref, a.annotations) for a in facts.axioms if a.object_ref]
    assert rel == [
        ("Relationship", NS + "trustandgovernancedomain", "TrustAndGovernanceDomain", {"relation": "belongsToDomain"}),
        ("Relationship", NS + "ethical-framework", "Ethical Framework", {"relation": "has-part"}),
        # Logseq names the page "Compliance Policy|policies" (tests/test_logseq_round4.py)
        ("Relationship", NS + "compliance-policy%7Cpolicies", "Compliance Policy|policies", {"relation": "has-part"}),
        (
            "Relationship",
            NS + "governance-model",
            "Governance Model",
            {"relation": "bridges-to", "via": "is-part-of"},
        ),
        ("DisjointClasses", NS + "physical-object", "Physical Object", {"relation": "owl:disjointWith"}),
    ]
    assert AxiomFact("EquivalentClasses", cls, MV + "AIGovFramework", {"relation": "owl:equivalentClass"}) in (
        facts.axioms
    )
    fence = [a for a in facts.axioms if a.object_ref is None and a.axiom_type != "EquivalentClasses"]
    assert [(a.axiom_type, a.subject) for a in fence] == [
        ("SubClassOf", cls),
        ("TransitiveObjectProperty", "http://narrativegoldmine.com/disruptive-tech#ispartof"),
    ]
    assert [w.kind for w in facts.warnings] == ["pipe-link"]
    assert facts.public is False


AI_STYLE = """\
- ### OntologyBlock
  id:: ai-0091
\t- term-id:: AI-0091
\t- preferred-term:: Federated Learning
\t- ontology:: true
\t- **Definition**
\t\t- definition:: Training across devices.

## About
public:: true

### Relationships
- is-subclass-of:: [[MachineLearning]]
"""


def test_ai_style_page_mints_its_class_from_the_title() -> None:
    facts = page(AI_STYLE, "pages/AI-0091 Federated  Learning.md")
    cls = NS + "ai-0091-federated-learning"
    assert facts.page_class == cls == mint_page_iri("AI-0091 Federated Learning", OPT)
    assert facts.classes == [ClassFact(cls, "Federated Learning", "Training across devices.", 1)]
    assert facts.edges == [EdgeFact(cls, NS + "machinelearning", "MachineLearning")]
    assert facts.names == [("AI-0091 Federated  Learning", 0), ("Federated Learning", 2)]
    assert facts.public is True


def test_no_heading_is_skipped() -> None:
    for text in ("", "- just a page\n- is-subclass-of:: [[X]]\n", "- ## OntologyBlock\n", "- ### MetaOntologyBlock"):
        facts = page(text)
        assert facts.skipped == SKIP_REASON == "no OntologyBlock heading"
        assert (facts.classes, facts.edges, facts.axioms) == ([], [], [])


def test_heading_variants() -> None:
    for heading in ("- ### OntologyBlock", "### OntologyBlock", "\t\t- ###  OntologyBlock  ", "  ### OntologyBlock"):
        assert page(heading + "\n").skipped is None, heading


def test_titles_decode_logseq_file_names() -> None:
    assert page_name("pages/ETSI_Domain_AI___Governance.md", {}) == "ETSI_Domain_AI/Governance"
    assert page_name("Presentation%3A Conclusion.md", {}) == "Presentation: Conclusion"
    assert page_name("50%zz off.md", {}) == "50%zz off"
    assert page_name("bad%FF.md", {}) == "bad%FF"  # not UTF-8 once decoded: kept as written
    facts = page("- ### OntologyBlock\n", "ETSI_Domain_AI___Governance.md")
    assert facts.names == [("ETSI_Domain_AI/Governance", 0)]
    assert facts.classes[0].label == "ETSI_Domain_AI/Governance"


def test_mint_page_iri() -> None:
    assert mint_page_iri("  Machine   Learning ", OPT) == NS + "machine-learning"
    assert mint_page_iri("ISO/IEC 42001", OPT) == NS + "iso%2Fiec-42001"
    assert mint_page_iri("Café", OPT) == NS + "caf%C3%A9"
    assert mint_page_iri("X", ParseOptions(page_namespace="https://e.org/p/")) == "https://e.org/p/x"


def test_owl_class_forms() -> None:
    def cls(value: str) -> tuple[str | None, list[str]]:
        facts = page(f"- ### OntologyBlock\n  - owl:class:: {value}\n", "My Page.md")
        return facts.page_class, [w.kind for w in facts.warnings]

    assert cls("mv:X") == (MV + "X", [])
    assert cls("<http://e.org/X>") == ("http://e.org/X", [])
    assert cls("https://e.org/X") == ("https://e.org/X", [])
    assert cls("blockchain:X") == (NS + "my-page", ["unknown-prefix"])
    assert cls("Just Words") == (NS + "my-page", ["bad-owl-class"])
    custom = ParseOptions(namespaces={**DEFAULT_NAMESPACES, "blockchain": "http://b/#"})
    assert page("- ### OntologyBlock\n- owl:class:: blockchain:X\n", options=custom).page_class == "http://b/#X"
    warned = page("- ### OntologyBlock\n\n  - owl:class:: zz:X\n")
    assert warned.warnings[0].line == 3


def test_subclass_values_links_curies_and_old_keys() -> None:
    facts = page(
        "- ### OntologyBlock\n"
        "- owl:class:: mv:C\n"
        "- is-subclass-of:: [[A]], [[A]], [[ b |label]]\n"
        "- subClassOf:: mv:P, <http://e.org/Q>\n"
        "- subclass-of:: [[OldKey]]\n"
        "- is-subclass-of:: zz:Nope\n"
        "- is-subclass-of::\n"
    )
    c = MV + "C"
    assert facts.edges == [
        EdgeFact(c, NS + "a", "A"),
        EdgeFact(c, NS + "b-%7Clabel", "b |label"),  # Logseq's page name (tests/test_logseq_round4.py)
        EdgeFact(c, MV + "P"),
        EdgeFact(c, "http://e.org/Q"),
        EdgeFact(c, NS + "oldkey", "OldKey"),
    ]
    assert [(w.kind, w.line) for w in facts.warnings] == [("pipe-link", 3), ("unreadable-value", 6)]


def test_metadata_keys_are_not_relationships() -> None:
    facts = page(
        "- ### OntologyBlock\n"
        "- source:: [[A Book]]\n- tags:: [[T]]\n- alias:: [[Other]]\n- definition:: uses [[X]]\n"
        "- imported-from:: [[Sheet]]\n- requires:: [[Need]] or [[Other Need]] later\n"
    )
    assert [a.object_ref for a in facts.axioms] == ["Need", "Other Need"]


def test_second_ontology_block() -> None:
    facts = page(
        "- ### OntologyBlock\n"
        "  - owl:class:: mv:First\n"
        "  - preferred-term:: First\n"
        "- ### OntologyBlock\n"
        "  - owl:class:: mv:Second\n"
        "  - preferred-term:: Second\n"
        "  - is-subclass-of:: [[Parent]]\n"
        "  - has-part:: [[Part]]\n"
    )
    assert facts.page_class == MV + "First"
    assert facts.classes == [ClassFact(MV + "First", "First", line=1)]  # the first heading
    assert facts.edges == [EdgeFact(MV + "First", NS + "parent", "Parent")]
    assert [a.object_ref for a in facts.axioms] == ["Part"]
    assert facts.warnings == [
        ParseWarning("second-ontology-block", "second OntologyBlock; the first one declares the page's class", 4)
    ]


def test_fence_rules() -> None:
    text = (
        "- ### OntologyBlock\n"  # 1
        "  - owl:class:: mv:C\n"  # 2
        "\t- ### Original Content\n"  # 3
        "\t\t- ```markdown\n"  # 4 quoted old version of the page
        "\t\t  - is-subclass-of:: [[Quoted]]\n"  # 5 inside a fence: not a property
        "\t\t  ### OntologyBlock\n"  # 6 inside a fence: not a heading
        "\t\t  ```clojure\n"  # 7 nested, real
        "\t\t  (SubClassOf :C :Nested)\n"  # 8
        "\t\t  ```\n"  # 9
        "\t\t  ```\n"  # 10 closes the markdown fence
        "\t- ```yaml\n"  # 11
        "\t  public:: true\n"  # 12
        "\t  ```\n"  # 13
        "\t- ```owl\n"  # 14
        "\t  Declaration(Class(:Unclosed))\n"  # 15
        "- is-subclass-of:: [[After]]\n"  # 16 a column-0 bullet ends every open fence
        "\t- ```clojure\n"  # 17
        "\t  Broken(\n"  # 18
        "\t  ```\n"  # 19
        "- {{renderer plantuml}} ```@startuml\n"  # 20 inline opener
        "- is-subclass-of:: [[NotRead]]\n"  # 21 ends it again
        "- one ```inline``` code\n"  # 22
        "- ```python one line ```\n"  # 23
    )
    facts = page(text)
    c = MV + "C"
    assert facts.edges == [
        EdgeFact(c, MV + "Nested"),
        EdgeFact(c, NS + "after", "After"),
        EdgeFact(c, NS + "notread", "NotRead"),
    ]
    assert facts.public is False
    assert ClassFact(MV + "Unclosed", line=15) in facts.classes  # its Declaration
    assert [(w.kind, w.line) for w in facts.warnings] == [("unclosed-fence", 14), ("fence-syntax", 18)]


def test_fence_labels_do_not_override_the_page() -> None:
    text = (
        "- ### OntologyBlock\n  - owl:class:: mv:C\n  - ```clojure\n"
        '  (AnnotationAssertion rdfs:label :C "Fence C")\n'
        '  (AnnotationAssertion rdfs:comment :C "fence comment")\n'
        "  (Declaration (Class :C))\n  (Declaration (Class :D))\n"
        '  (AnnotationAssertion rdfs:label :D "Fence D")\n  ```\n'
    )
    facts = page(text, "Page C.md")
    assert facts.classes == [ClassFact(MV + "C", "Page C", line=1), ClassFact(MV + "D", "Fence D", line=7)]


def test_fence_indentation_and_line_numbers() -> None:
    text = "- ### OntologyBlock\n  - owl:class:: mv:C\n\t\t- ```clojure\n\t\t  SubClassOf(:C)\n\t\t  ```\n"
    facts = page(text)
    assert [(w.kind, w.line) for w in facts.warnings] == [("fence-syntax", 4)]


def _stub_rdf(monkeypatch: pytest.MonkeyPatch, fn) -> list[bytes]:
    seen: list[bytes] = []
    module = types.ModuleType("ontosync.parsing.rdf")

    def parse_turtle_fence(data, options):
        seen.append(data)
        return fn(data)

    module.parse_turtle_fence = parse_turtle_fence  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ontosync.parsing.rdf", module)
    return seen


TURTLE_PAGE = """\
- ### OntologyBlock
    - term-id:: BC-0426
  - #### Relationships
    - is-subclass-of:: [[Enterprise Blockchain]]
    - preferred-term:: Hyperledger Fabric

\t\t  ```turtle
\t\t  bc:HyperledgerFabric a owl:Class ;
\t\t      rdfs:label "Hyperledger Fabric"@en .
\t\t  ```
"""


def test_turtle_fence_goes_to_the_rdf_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    bc = "http://narrativegoldmine.com/blockchain#HyperledgerFabric"
    seen = _stub_rdf(
        monkeypatch,
        lambda data: FileFacts(
            format="turtle",
            classes=[ClassFact(bc, "Hyperledger Fabric")],
            edges=[EdgeFact(bc, "http://e/P")],
            warnings=[ParseWarning("x", "from rdf", 2)],
        ),
    )
    facts = page(TURTLE_PAGE, "BC-0426-hyperledger-fabric.md")
    assert seen == [b'bc:HyperledgerFabric a owl:Class ;\n    rdfs:label "Hyperledger Fabric"@en .']
    assert ClassFact(bc, "Hyperledger Fabric") in facts.classes
    assert EdgeFact(bc, "http://e/P") in facts.edges
    assert facts.warnings == [ParseWarning("x", "from rdf", 9)]


def test_turtle_errors_become_warnings_at_page_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(data: bytes) -> FileFacts:
        raise ParseError("Turtle syntax error: prefix meta: not declared", 2)

    _stub_rdf(monkeypatch, fail)
    facts = page(TURTLE_PAGE)
    assert [(w.kind, w.line) for w in facts.warnings] == [("fence-syntax", 9)]
    assert facts.page_class is not None and facts.edges  # the page itself is fine


def test_turtle_fence_with_the_real_rdf_parser() -> None:
    pytest.importorskip("ontosync.parsing.rdf")
    facts = page(TURTLE_PAGE.replace("bc:HyperledgerFabric a", "bc:HyperledgerFabric rdfs:subClassOf bc:B ; a"))
    bc = "http://narrativegoldmine.com/blockchain#"
    assert any(c.iri == bc + "HyperledgerFabric" for c in facts.classes)
    broken = page(TURTLE_PAGE.replace("owl:Class ;", "owl:Class ; meta:x"))
    assert [w.kind for w in broken.warnings] == ["fence-syntax"]
    assert 7 < broken.warnings[0].line <= 10


# -- hostile shapes -----------------------------------------------------------------------------------


def test_invalid_utf8_and_nul_fail_with_the_line() -> None:
    with pytest.raises(ParseError) as bad:
        parse_page("p.md", b"- ### OntologyBlock\n- ok\n- caf\xe9\n", OPT)
    assert bad.value.line == 3 and "UTF-8" in bad.value.message
    with pytest.raises(ParseError) as nul:
        parse_page("p.md", b"- ### OntologyBlock\n\x00\n", OPT)
    assert nul.value.line == 2
    with pytest.raises(ParseError):  # also for a page that would be skipped: it cannot be read at all
        parse_page("p.md", b"\xff", OPT)
    with pytest.raises(ParseError):
        parse_file("x/p.md", b"\xff", OPT)


def test_bom_and_crlf() -> None:
    text = "\ufeff- ### OntologyBlock\r\n  - owl:class:: mv:C\r\n  - preferred-term:: C Term\r\n"
    facts = parse_page("p.md", (text + "- is-subclass-of:: [[P]]\r\n").encode("utf-8"), OPT)
    assert facts.classes == [ClassFact(MV + "C", "C Term", line=1)]
    assert facts.edges == [EdgeFact(MV + "C", NS + "p", "P")]


def test_ten_megabyte_single_lines() -> None:
    head = "- ### OntologyBlock\n  - owl:class:: mv:C\n"
    shapes = [
        "x" * 10_000_000,
        "- is-subclass-of:: " + "[[A]], " * 1_400_000,
        "- a" + ":" * 10_000_000,
        "`" * 10_000_000,
        "- rel:: " + "[[" * 5_000_000,
        "- ```clojure\n" + '"' + "y" * 10_000_000,
        "- ```clojure\n" + "SubClassOf(:A :B) " * 550_000,
    ]
    for shape in shapes:
        start = time.perf_counter()
        facts = page(head + shape + "\n")
        assert time.perf_counter() - start < 15, shape[:30]
        assert facts.page_class == MV + "C"


def test_hundred_thousand_nested_parentheses_in_a_fence() -> None:
    text = (
        "- ### OntologyBlock\n  - owl:class:: mv:C\n  - ```clojure\n"
        + "(" * 100_000
        + "\n  SubClassOf(mv:C mv:Never)\n  ```\n- is-subclass-of:: [[Still]]\n"
    )
    facts = page(text)
    assert facts.edges == [EdgeFact(MV + "C", NS + "still", "Still")]
    assert [(w.kind, w.line) for w in facts.warnings] == [("fence-syntax", 4)]


def test_deterministic_and_picklable() -> None:
    first = page(METAVERSE)
    assert page(METAVERSE) == first
    assert pickle.loads(pickle.dumps(first)) == first


# -- the real graph -------------------------------------------------------------------------------------

corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
_HEADING = re.compile(r"^\s*(- )?### OntologyBlock\s*$", re.M)
_PROP = re.compile(r"^\s*(?:- )?([\w:-]+)::[ \t]*(.*?)\s*$", re.M)


@pytest.fixture(scope="module")
def graph() -> dict[str, tuple[str, FileFacts]]:
    out = {}
    for name in sorted(os.listdir(CORPUS)):
        data = (CORPUS / name).read_bytes()
        out[name] = (data.decode("utf-8"), parse_page(name, data, OPT))
    return out


def _first(text: str, key: str) -> str | None:
    for k, v in _PROP.findall(text):
        if k == key and v:
            return v
    return None


@corpus
@pytest.mark.corpus
def test_corpus_pages_and_skips(graph) -> None:
    onto = {n for n, (text, _) in graph.items() if _HEADING.search(text)}
    assert len(graph) == 1684 and len(onto) == 1524
    for name, (_text, facts) in graph.items():
        assert (facts.skipped is None) == (name in onto), name
        if facts.skipped:
            assert facts.skipped == SKIP_REASON
        else:
            assert facts.page_class and facts.classes[0].iri == facts.page_class


@corpus
@pytest.mark.corpus
def test_corpus_owl_classes(graph) -> None:
    expected: dict[str, str] = {}
    for name, (text, facts) in graph.items():
        value = _first(text, "owl:class")
        if value is None or facts.skipped:
            continue
        prefix, _, local = value.partition(":")
        ns = DEFAULT_NAMESPACES.get(prefix)
        expected[name] = ns + local if ns else mint_page_iri(name[:-3], OPT)
        assert facts.page_class == expected[name], name
    counts = Counter(expected.values())
    assert len(expected) == 804
    assert len(counts) == 685
    assert sum(1 for n in counts.values() if n == 2) == 119 and max(counts.values()) == 2


@corpus
@pytest.mark.corpus
def test_corpus_every_subclass_link_is_an_edge(graph) -> None:
    total = 0
    for name, (text, facts) in graph.items():
        if facts.skipped:
            continue
        links: set[str] = set()
        for line in text.split("\n"):
            if "is-subclass-of::" in line:
                links.update(re.findall(r"\[\[(.*?)\]\]", line.split("is-subclass-of::", 1)[1]))
        total += len(links)
        got = {e.parent_ref for e in facts.edges if e.parent_ref}
        assert got == links, name
        for e in facts.edges:
            if e.parent_ref:
                assert e.child == facts.page_class and e.parent == mint_page_iri(e.parent_ref, OPT)
    assert total == 1563


@corpus
@pytest.mark.corpus
def test_corpus_labels_comments_names_public(graph) -> None:
    public = 0
    for name, (text, facts) in graph.items():
        if facts.skipped:
            continue
        term, definition = _first(text, "preferred-term"), _first(text, "definition")
        title = page_name(name, {})
        cls = facts.classes[0]
        assert cls.label == (term or title), name
        if definition:
            assert cls.comment == definition, name
        assert facts.names[0] == (title, 0)
        assert ((term, 2) in facts.names) == bool(term)
        has_public = bool(re.search(r"^\s*(- )?public:: true\s*$", text, re.M))
        assert facts.public == has_public, name
        public += has_public
    assert public == 23


@corpus
@pytest.mark.corpus
def test_corpus_fence_warnings_carry_fence_lines(graph) -> None:
    fence_facts = warned = 0
    for name, (text, facts) in graph.items():
        lines = text.split("\n")
        for w in facts.warnings:
            assert w.line is not None and 1 <= w.line <= len(lines), (name, w)
            if w.kind in ("fence-syntax", "undeclared-prefix"):
                # The nearest line above with backticks opens a fence the page parser reads.
                above = next(lines[i] for i in range(w.line - 2, -1, -1) if "```" in lines[i])
                assert re.search(r"```(clojure|owl|turtle)", above), (name, w)
                warned += 1
        fence_facts += sum(1 for a in facts.axioms if a.object_ref is None)
    # Regression floors for the dialect reader (measured: 187 warnings, 2,900+ axioms).
    assert 100 <= warned <= 200
    assert fence_facts >= 2800



_LINES = st.sampled_from(
    [
        "- ### OntologyBlock",
        "### OntologyBlock",
        "  - owl:class:: mv:X",
        "  - owl:class:: zz:Y",
        "\t- owl:class:: ",
        "- preferred-term:: Term",
        "- definition:: [[Def]]",
        "- is-subclass-of:: [[A]], [[B|b]]",
        "- is-subclass-of:: mv:P, junk",
        "- has-part:: [[P]] via x, [[",
        "- owl:equivalentClass:: mv:E",
        "public:: true",
        "- ```clojure",
        "\t\t- ```owl",
        "  ```markdown",
        "```",
        "  ```",
        "@enduml ```",
        "- {{r}} ```x",
        "(Declaration (Class :A))",
        "SubClassOf(:A",
        ")))",
        '"open string',
        "- plain text",
        "",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=40), st.sampled_from(["\n", "\r\n"]))
def test_never_raises_on_any_line_soup(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    facts = parse_page("Soup Page.md", text.encode("utf-8"), OPT)
    n = text.count("\n") + 1
    assert all(w.line is None or 1 <= w.line <= n for w in facts.warnings)
    if facts.skipped is None:
        assert facts.classes[0].iri == facts.page_class
