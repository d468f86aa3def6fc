"""Page links whose minted IRI another name holds: two pages in Logseq, one class here.

Why this check exists: a link to a name no page answers to resolves to the IRI minted from that
name (`parsing.logseq.mint_page_iri`: lower-cased, each run of whitespace as `-`), and so does a
page without `owl:class::`. Names Logseq keeps apart can mint one IRI: `[[On-Chain Voting]]` and
the page `On Chain Voting`, or `[[Low Latency Link]]` and `[[Low-Latency Link]]`. Minting them
apart would move IRIs users already hold for names that never collide; the run says which names
merged instead (warning `minted-collision`, naming a linking file), so it is never silent. Two
pages that mint one class are already a `duplicate-declaration` warning when saved.

Two files that one title names (`pages/Dog.md`, and `title:: Dog` in `pages/zz.md`) are one page
in Logseq, which reports it as an error ("Page already exists with another file") and shows the
file it parsed last; here the links to that name reach one of them (`store/own_rows.page_names`):
warning `page-conflict` names both and the one taken (`page_conflicts`).

Plain SQL on both backends, run at the end of a sync that saved or deleted a file (a file's own
warnings are reported when it is read, too; ~0.1 s on the 1,684-page corpus, none on a sync with
nothing to read). It reads only links that resolve to no page name (the `page_names` index
answers each `NOT EXISTS`).
"""

from __future__ import annotations

from collections import defaultdict

_UNRESOLVED = """
SELECT e.ontology_id, e.parent_ref_key, e.parent_fallback, MIN(e.path) FROM file_edges e
 WHERE e.parent_ref_key IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM page_names pn WHERE pn.ontology_id = e.ontology_id AND pn.name_key = e.parent_ref_key)
 GROUP BY e.ontology_id, e.parent_ref_key, e.parent_fallback
UNION ALL
SELECT x.ontology_id, x.object_ref_key, x.object_fallback, MIN(x.source_file) FROM owl_axioms x
 WHERE x.object_ref_key IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM page_names pn WHERE pn.ontology_id = x.ontology_id AND pn.name_key = x.object_ref_key)
 GROUP BY x.ontology_id, x.object_ref_key, x.object_fallback"""
_PAGE_CLASSES = "SELECT ontology_id, class_iri, MIN(path) FROM page_names GROUP BY ontology_id, class_iri"
# Titles (stored rank 0, or 1 on a page without an OntologyBlock) that another file's title repeats:
# one grouped pass over the page_names_key index (ontology, name, rank, path) finds them, then the
# index gives the few hits' files (a correlated look-up per title row read the index twice over).
_SHARED_TITLES = """
SELECT pn.ontology_id, pn.name_key, pn.rank, pn.path FROM (
       SELECT ontology_id, name_key FROM page_names WHERE rank < 2
        GROUP BY ontology_id, name_key HAVING min(path) <> max(path)) shared
  JOIN page_names pn ON pn.ontology_id = shared.ontology_id AND pn.name_key = shared.name_key AND pn.rank < 2
 ORDER BY 1, 2, 3, 4"""


def name_collisions(execute) -> list[dict]:
    """The run's warnings about names: `minted_collisions`, then `page_conflicts`."""
    return minted_collisions(execute) + page_conflicts(execute)


def page_conflicts(execute) -> list[dict]:
    """A `page-conflict` warning for each title two files give: the first of them in link
    resolution's order (the rank, then the path) is the one its links reach."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for onto, key, _rank, path in execute(_SHARED_TITLES).fetchall():
        if path not in found[(onto, key)]:
            found[(onto, key)].append(path)
    out = []
    for (_onto, key), paths in sorted(found.items()):
        taken, others = paths[0], ", ".join(paths[1:])
        out.append({"path": paths[1], "kind": "page-conflict", "line": None, "message": (
            f"{others} and {taken} are one page in Logseq, [[{key}]], which it reports as an error (\"Page already "
            f"exists with another file\"); its links reach the class of {taken}: keep one file")})
    return out


def minted_collisions(execute) -> list[dict]:
    """Run-report warnings (path, kind, message, line) for each link name whose minted IRI is a
    page's class, and each IRI that several unresolved link names mint. `execute` is the
    connection's `execute` (SQLite's, or the PostgreSQL translation's)."""
    unresolved: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for onto, key, iri, path in execute(_UNRESOLVED):
        names, path = unresolved[(onto, iri)], path or ""
        names[key] = min(names.get(key, path), path)
    if not unresolved:
        return []
    # only the classes an unresolved link mints: every page's class, held whole, was a 50,000-page
    # sync's peak memory (issue 18: 121% of a 10,000-page one's; tests/test_large_file_speed.py)
    pages = {(onto, iri): path for onto, iri, path in execute(_PAGE_CLASSES) if (onto, iri) in unresolved}
    out = []
    for (onto, iri), names in sorted(unresolved.items()):
        page = pages.get((onto, iri))
        if page is not None:
            out.extend(_warning(path, f"[[{key}]] names no page, and the IRI minted from it, {iri}, is the class of "
                                      f"{page}: two pages in Logseq, one class here; give {page} an owl:class:: "
                                      "or correct the link") for key, path in sorted(names.items()))
        elif len(names) > 1:
            shown = ", ".join(f"[[{key}]]" for key in sorted(names))
            out.append(_warning(min(names.values()), f"{shown} name no page and mint one IRI, {iri}: "
                                                     "pages Logseq keeps apart are one class here"))
    return out


def _warning(path: str, message: str) -> dict:
    return {"path": path or None, "kind": "minted-collision", "message": message, "line": None}
