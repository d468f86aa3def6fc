"""Every figure README.md states about the shared corpora equals what a fresh sync reports.

The figures sit in README.md's `<!-- corpus-figures -->` table; tests/corpus_figures.py computes
them from a sync's run report and database (and rewrites the table with --write). Skipped without
../shared/corpora.
"""

from __future__ import annotations

import pytest

from tests.corpus_figures import ONTOLOGY_COUNTS, ontology_figures, page_figures, readme_figures, render
from tests.helpers import ONTOLOGIES, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_table_reads_back():
    """The table parses, and every row the script writes is there (none dropped by an edit)."""
    figures = readme_figures(README)
    assert len(figures) == 12 + len(ONTOLOGY_COUNTS)
    assert readme_figures(f"<!-- corpus-figures -->\n{render(figures)}<!-- /corpus-figures -->") == figures


@pytest.mark.corpus
def test_readme_corpus_figures_equal_a_fresh_sync(corpus_db, corpus_report, fresh_sync):
    fresh = page_figures(corpus_report, corpus_db)
    fresh.update(ontology_figures(fresh_sync(ONTOLOGIES)))  # made once per run (test_sync reads it too)
    stated = readme_figures(README)
    moved = {name: (stated.get(name), value) for name, value in fresh.items() if stated.get(name) != value}
    assert not moved, f"README figure (stated, fresh): {moved}; refresh with python tests/corpus_figures.py --write"
    assert stated.keys() == fresh.keys()
