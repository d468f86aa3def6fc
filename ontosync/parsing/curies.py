"""IRIs -> CURIEs, the way semantic-sql writes them (`PATO:0000001`, `rdfs:label`, `oio:hasExactSynonym`).

The map is the built-in namespace table plus `.ontosync.yml` `namespaces:`, with semantic-sql's own
names winning for the bases it knows (`oio` for oboInOwl, `dcterms` for DC terms), so one base has
one prefix and the `prefix` table stays a bijection (OAK's CURIE converter refuses duplicates).
OBO IRIs follow the OBO convention: `http://purl.obolibrary.org/obo/PFX_123` -> `PFX:123`.

An IRI with no known prefix, or whose local part would not survive as a CURIE (empty, spaces,
angle brackets...), stays the full IRI: never a broken CURIE.
"""

from __future__ import annotations

import re

OBO_BASE = "http://purl.obolibrary.org/obo/"

# semantic-sql's names for the bases it uses; they win over any alias for the same base.
PREFERRED: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "oio": "http://www.geneontology.org/formats/oboInOwl#",
    "dcterms": "http://purl.org/dc/terms/",
    "dce": "http://purl.org/dc/elements/1.1/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "obo": OBO_BASE,
}

_OBO_ID = re.compile(r"([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9_.\-]+)")
_PREFIX_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_LOCAL_OK = re.compile(r"[A-Za-z0-9_.\-~%#/:+=@!$&'*,;?()]*")


# The memo's bound. It was 200,000 entries, which a large graph fills (every class IRI, each ~250
# bytes with its CURIE): ~15 MB of the writer's memory at 50,000 pages against ~3 MB at 10,000, most
# of what the peak still grew by (issue 18). The IRIs compacted again and again (parents, hubs,
# properties) are few; a run that compacts more is slower by a little, not by a pass per IRI.
CACHE_MAX = 20_000


class CurieMap:
    """One prefix per base; `compact` is deterministic for a given map (the database must be a
    function of the source tree and the settings)."""

    def __init__(self, namespaces: dict[str, str]) -> None:
        by_base: dict[str, str] = {}
        preferred_bases = {base: name for name, base in PREFERRED.items()}
        for name in sorted(namespaces, key=lambda n: (len(n), n)):  # an alias: the shortest name wins
            base = namespaces[name]
            if _PREFIX_NAME.fullmatch(name) and base and base not in by_base:
                by_base[base] = name
        for base, name in preferred_bases.items():
            by_base[base] = name
        self.by_base = by_base
        self.bases: dict[str, str] = {name: base for base, name in by_base.items()}
        # longest base first, so a nested namespace beats its parent
        self._ordered = sorted(by_base.items(), key=lambda kv: -len(kv[0]))
        self._head, self._by_head = _candidates(self._ordered)
        self._cache: dict[str, str] = {}
        # The prefix (before the first `:`) of every string `compact` returned: what a caller needs
        # to know which prefixes its rows can use without scanning them (store/semsql_deferred.py).
        self.used: set[str] = set()

    def compact(self, iri: str) -> str:
        """Memoised: a writer compacts the same IRIs again and again (bounded, cleared when full)."""
        found = self._cache.get(iri)
        if found is None:
            if len(self._cache) > CACHE_MAX:
                self._cache.clear()
            found = self._cache[iri] = self._compact(iri)
            i = found.find(":")
            if i > 0:
                self.used.add(found[:i])
        return found

    def _compact(self, iri: str) -> str:
        if iri.startswith(OBO_BASE):
            m = _OBO_ID.fullmatch(iri, len(OBO_BASE))
            if m and self.bases.get(m.group(1), self.obo_base(m.group(1))) == self.obo_base(m.group(1)):
                return f"{m.group(1)}:{m.group(2)}"
        for base, name in self._by_head.get(iri[:self._head], ()):
            if iri.startswith(base):
                local = iri[len(base):]
                if local and _LOCAL_OK.fullmatch(local):
                    return f"{name}:{local}"
                return iri
        return iri

    @staticmethod
    def obo_base(prefix: str) -> str:
        return f"{OBO_BASE}{prefix}_"


def _candidates(ordered: list[tuple[str, str]]) -> tuple[int, dict[str, list[tuple[str, str]]]]:
    """The bases an IRI can start with, found by its first `head` characters (the shortest base's
    length): each base is filed under its own first `head` characters, in `ordered`'s order, so the
    first base of an IRI's list that it starts with is the first of all `ordered` (the same answer).
    Why: a first run compacts every IRI once at its end (corpus: 5,758), and trying the ~20 bases
    one after another was 2 us an IRI, most of them failing (issue 11, ninth round)."""
    head = min((len(base) for base, _ in ordered), default=0)
    by_head: dict[str, list[tuple[str, str]]] = {}
    for base, name in ordered:
        by_head.setdefault(base[:head], []).append((base, name))
    return head, by_head

