"""`words()`: a vocabulary written as a block of text, as the frozen set of its words.

The parsers list their keywords (OFN axiom names, Logseq metadata keys) as readable paragraphs
rather than hundreds of quoted strings; this is the one function that turns them into sets.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())
