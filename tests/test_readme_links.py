"""Every link inside README.md and docs/ lands: `#anchors` name a heading of the page they point
into, and relative file links name a file of the project."""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(text: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"^(`{3,}).*?^\1", "", text, flags=re.S | re.M)  # no headings inside fences
    out = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.M):
        out.add(re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-"))
    return out


def lands(page, target: str) -> bool:
    path, _, anchor = target.partition("#")
    file = (page.parent / path).resolve() if path else page
    if not file.exists():
        return False
    return not anchor or file.suffix != ".md" or anchor in anchors(file.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_lands(page):
    text = re.sub(r"`[^`\n]+`", "", page.read_text(encoding="utf-8"))  # code spans hold no links
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue
        if not lands(page, target):
            broken.append(target)
    assert not broken, f"{page.name}: {broken}"
