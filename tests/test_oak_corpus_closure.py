"""Issue 11's acceptance on the Logseq corpus: a real OAK (`runoak descendants -p i`) on the database
ontosync builds from ../shared/corpora/visionflow-pages answers, for the hub class (the class with
the most descendants), exactly the closure the test computes from the page files themselves.

The closure is computed apart from ontosync: tests/logseq_reference.py reads the pages by the
documented rules (is-subclass-of links resolved to pages by title and preferred-term, SubClassOf
in `clojure`/`owl` fences, rdfs:subClassOf in `turtle` fences) and imports nothing of ontosync.
Of the database the test reads only the `prefix` table, to write the IRIs as the CURIEs OAK prints.
Every other OAK command must answer on the same database too (exit 0), with the hub as its term.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import copy_db
from tests.helpers import PAGES, reachable
from tests.logseq_reference import subclass_edges
from tests.test_oak import commands_for, ids, run_all

pytestmark = [pytest.mark.corpus, pytest.mark.slow, pytest.mark.skipif(not PAGES.is_dir(), reason="corpus not present")]


def compact(prefixes: list[tuple[str, str]]):
    """IRI -> CURIE by the longest matching base of the database's `prefix` table."""
    ordered = sorted(prefixes, key=lambda pb: -len(pb[1]))

    def to_curie(iri: str) -> str:
        for prefix, base in ordered:
            if iri.startswith(base) and len(iri) > len(base):
                return f"{prefix}:{iri[len(base):]}"
        return iri
    return to_curie


def test_descendants_of_the_hub_equal_the_closure_computed_from_the_pages(corpus_db: Path, tmp_path: Path) -> None:
    db = copy_db(corpus_db, tmp_path / "corpus.db")  # the session's full sync of the pages
    conn = sqlite3.connect(db)
    to_curie = compact(conn.execute("SELECT prefix, base FROM prefix").fetchall())
    children: dict[str, set[str]] = {}
    for child, parent in subclass_edges(PAGES):
        children.setdefault(to_curie(parent), set()).add(to_curie(child))
    size, hub = max((len(reachable(children, node)), node) for node in sorted(children))
    closure = reachable(children, hub)
    assert size == len(closure) > 300  # a real hub: hundreds of classes, over several levels

    calls = commands_for(hub, "virtual")
    child = sorted(children[hub])[0]  # a page that names the hub as its parent
    calls["relationships"] = ["relationships", child]
    out = run_all(db, calls)
    assert ids(out["descendants"]) == closure
    # the contract table's hierarchy, walked here, agrees as well
    contract: dict[str, set[str]] = {}
    for sub, sup in conn.execute("SELECT class_iri, parent_iri FROM owl_class_hierarchy"):
        contract.setdefault(to_curie(sup), set()).add(to_curie(sub))
    assert reachable(contract, hub) == closure
    assert hub in ids(out["ancestors"]) and out["statistics"].strip()
    assert any(row.split("\t")[:3] == [child, "rdfs:subClassOf", hub] for row in out["relationships"].splitlines())
