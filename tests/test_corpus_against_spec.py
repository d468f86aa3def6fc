"""The synced corpus against ../shared/spec/logseq-format.md's measured figures and rules, read
independently of ontosync (plain regexes over the page text), so a rule the parser drops shows up
as a difference in the database's rows."""

from __future__ import annotations

import re
import sqlite3

from tests.helpers import PAGES

PUBLIC = re.compile(r"[ \t]*(?:-[ \t]+)?public::[ \t]*true[ \t]*\Z", re.IGNORECASE)
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
