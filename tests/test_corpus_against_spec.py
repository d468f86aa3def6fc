"""The synced corpus against ../shared/spec/logseq-format.md's measured figures and rules, read
independently of ontosync (plain regexes over the page text), so a rule the parser drops shows up
as a difference in the database's rows."""

from __future__ import annotations

import re
import sqlite3

from tests.helpers import PAGES

PUBLIC = re.compile(r"[ \t]*(?:-[ \t]+)?public::[ \t]*true[ \t]*\Z")  # exact `true`, as Logseq reads it
FENCE = re.compile(r"[ \t]*(?:-[ \t]+)?```")


def _public_pages() -> set[str]:
    """Pages with a `public:: true` line outside code fences (the spec: "on any line ... recorded
    for the page", whether or not the page has an OntologyBlock)."""
    found = set()
    for page in PAGES.glob("*.md"):
        in_fence = False
        for line in page.read_text(encoding="utf-8").splitlines():
            if FENCE.match(line) and line.count("```") % 2:  # ```one-line``` quotes open nothing
                in_fence = not in_fence
            elif not in_fence and PUBLIC.match(line):
                found.add(page.name)
                break
    return found


def test_public_recorded_for_every_page_with_the_line(corpus_db):
    """A user listing `source_files WHERE public = 1` saw 23 of the corpus's 47 public pages: the
    24 without an OntologyBlock (skipped) lost the flag."""
    expected = _public_pages()
    assert len(expected) == 47  # the spec's measured figure
    with sqlite3.connect(corpus_db) as db:
        stored = {path for (path,) in db.execute("SELECT path FROM source_files WHERE public = 1")}
    assert stored == expected


HEADING = re.compile(r"[ \t]*(?:-[ \t]+)?###[ \t]+OntologyBlock[ \t]*\Z")
PROPERTY = re.compile(r"[ \t]*(?:-[ \t]+)?(owl:class|preferred-term|definition)::(.*)\Z")
NAMESPACES = {  # README's namespace table, the prefixes the corpus uses
    "mv": "http://narrativegoldmine.com/metaverse#", "ai": "http://narrativegoldmine.com/ai#",
    "bc": "http://narrativegoldmine.com/blockchain#", "rb": "http://narrativegoldmine.com/robotics#",
    "tc": "http://narrativegoldmine.com/telecollaboration#", "dt": "http://narrativegoldmine.com/disruptive-tech#",
    "aigo": "http://narrativegoldmine.com/aigo#", "tele": "http://narrativegoldmine.com/telecollaboration#",
}


def _expected_class(lines: list[str]):
    """(heading line, IRI or None when minted, label or None for the title, comment) of a page."""
    heading = next((no for no, line in enumerate(lines, 1) if HEADING.match(line)), None)
    props: dict[str, str] = {}
    for line in lines:
        m = PROPERTY.match(line)
        if m and m.group(1) not in props:
            props[m.group(1)] = m.group(2).strip()
    prefix, _, local = props.get("owl:class", "").partition(":")
    iri = NAMESPACES[prefix] + local if prefix in NAMESPACES else None
    return heading, iri, props.get("preferred-term") or None, props.get("definition") or None


def test_one_class_per_ontology_block_with_its_iri_label_and_comment(corpus_db):
    """Each OntologyBlock page declares one class at its heading line: the IRI from owl:class
    expanded by the namespace table, label = preferred-term else the title, comment = definition
    (an empty `definition::` gives none)."""
    with sqlite3.connect(corpus_db) as db:
        rows = {(path, line): (iri, label, comment)
                for path, iri, label, comment, line in db.execute(
                    "SELECT path, class_iri, label, comment, line FROM file_classes")}
    pages = prefixed = 0
    for page in PAGES.glob("*.md"):
        heading, iri, label, comment = _expected_class(page.read_text(encoding="utf-8").split("\n"))
        if heading is None:
            continue
        pages += 1
        stored = rows.get((page.name, heading))
        assert stored is not None, page.name
        if iri is not None:
            prefixed += 1
            assert stored[0] == iri, page.name
        assert stored[1] == (label or page.stem), page.name
        assert stored[2] == comment, page.name
    assert (pages, prefixed) == (1524, 802)  # the spec's figures: mv+bc+ai+aigo+tele+rb+dt+tc = 802
