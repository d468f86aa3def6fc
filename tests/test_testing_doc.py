"""docs/testing.md's "Where each capability is tested" names every test module once, so a newcomer's
map of tests/ stays whole: a module added without its row, a row left behind by a removed or renamed
module, or a module listed under two capabilities fails here, naming it."""

from __future__ import annotations

import re
from collections import Counter

from tests.helpers import ROOT

HEADING = "## Where each capability is tested"
MODULE = re.compile(r"\btest_[a-z0-9_]+\.py\b")


def table_rows(text: str) -> list[str]:
    """The table lines of the section (from its heading to the next `## `); the prose around the
    table may name modules freely."""
    section = text.split(HEADING + "\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("|")]


def table_gaps(text: str, modules: set[str]) -> dict[str, list[str]]:
    """What the table gets wrong about `modules` (file names): left out, named twice, named but gone."""
    named = Counter(MODULE.findall("\n".join(table_rows(text))))
    return {"missing": sorted(modules - set(named)),
            "listed twice": sorted(m for m, n in named.items() if n > 1),
            "listed but absent": sorted(set(named) - modules)}


def module_files() -> set[str]:
    """The file names of the test modules under tests/."""
    return {p.name for p in (ROOT / "tests").glob("test_*.py")}


def test_the_table_names_every_test_module_once():
    gaps = table_gaps((ROOT / "docs" / "testing.md").read_text(encoding="utf-8"), module_files())
    assert not any(gaps.values()), (
        f"docs/testing.md, '{HEADING[3:]}': {gaps}; give each tests/test_*.py module one row entry "
        "under the capability it checks, with a few words of what it holds")


def test_the_check_sees_what_it_checks():
    text = (f"{HEADING}\n\nProse naming `test_prose.py` is not the table.\n\n| capability | modules |\n"
            "| --- | --- |\n| one | `test_a.py`: a<br>`test_b.py`: b |\n| two | `test_b.py`: again<br>"
            "`test_gone.py`: gone |\n\n## Next\n\n| x | `test_c.py` |\n")
    assert table_gaps(text, {"test_a.py", "test_b.py", "test_c.py", "test_prose.py"}) == {
        "missing": ["test_c.py", "test_prose.py"], "listed twice": ["test_b.py"],
        "listed but absent": ["test_gone.py"]}
