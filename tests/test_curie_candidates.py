"""CurieMap finds an IRI's base among the bases filed under its first characters (issue 11, ninth
round): the answer must be the one trying every base longest first gives, nested and short bases
included."""

from __future__ import annotations

import itertools

from ontosync.parsing.curies import _LOCAL_OK, OBO_BASE, CurieMap

NAMESPACES = {
    "ex": "http://example.org/",
    "exa": "http://example.org/a/",  # nested in ex: wins for its IRIs
    "exab": "http://example.org/a/b#",
    "u": "u:",  # shorter than every built-in base: every IRI's candidates include it
    "tag": "tag:example.org,2024:",
    "mv": "http://narrativegoldmine.com/metaverse#",
}


def naive(cmap: CurieMap, iri: str) -> str:
    """The rule, independently: the longest base the IRI starts with; a local part that cannot
    stand in a CURIE keeps the full IRI."""
    if iri.startswith(OBO_BASE):
        return cmap._compact(iri)  # the OBO convention is not what this test is about
    for base, name in sorted(cmap.by_base.items(), key=lambda kv: -len(kv[0])):
        if iri.startswith(base):
            local = iri[len(base):]
            return f"{name}:{local}" if local and _LOCAL_OK.fullmatch(local) else iri
    return iri


def test_every_iri_gets_the_longest_base_as_before() -> None:
    cmap = CurieMap(NAMESPACES)
    bases = [*cmap.by_base, "http://example.org", "http://other.org/", "urn:x:", "", "u", "http://exa"]
    locals_ = ["", "X", "a/b#C", "Thing_1", "with space", "a/", "b#", "%20"]
    iris = {base + local for base, local in itertools.product(bases, locals_)}
    assert len(iris) > 150
    for iri in sorted(iris):
        assert cmap.compact(iri) == naive(cmap, iri), iri
    assert cmap.compact("http://example.org/a/b#C") == "exab:C"
    assert cmap.compact("http://example.org/a/X") == "exa:X"
    assert cmap.compact("u:X") == "u:X"
    assert cmap.compact("http://www.w3.org/2000/01/rdf-schema#label") == "rdfs:label"
    assert cmap.compact("http://nowhere.example/x") == "http://nowhere.example/x"
