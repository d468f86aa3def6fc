"""Names in functional syntax that are not written as full IRIs: the prefixes a text may use
without declaring them, and the IRIs minted for Logseq page names and a page's `:local` names.

Apart from parsing/ofn.py because the Logseq reader mints page IRIs the same way (parsing/logseq.py),
and ofn.py is at the module size limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from ontosync.parsing.facts import normalize_name
from ontosync.parsing.rdf_vocab import RDFS

if TYPE_CHECKING:  # pragma: no cover
    from ontosync.parsing import ParseOptions

# Used only when neither the text nor the namespace table declares them: common enough in the
# wild (and in the measured fences) that a warning for them would be noise.
WELL_KNOWN_PREFIXES: dict[str, str] = {
    "dct": "http://purl.org/dc/terms/",
    "dcterms": "http://purl.org/dc/terms/",
    "xml": "http://www.w3.org/XML/1998/namespace",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": RDFS,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}


def mint_name(name: str, options: ParseOptions) -> str:
    """page_namespace + URL-quoted normalized name, each run of whitespace as one `-` (see
    logseq.mint_page_iri): IRIs minted before names kept their inner whitespace stay the same."""
    return options.page_namespace + quote("-".join(normalize_name(name).split()), safe="")


def namespace_of(iri: str) -> str | None:
    """The namespace part of an IRI: up to and including its last `#`, else `/`, else `:`."""
    for sep in ("#", "/", ":"):
        pos = iri.rfind(sep)
        if pos >= 0:
            return iri[: pos + 1]
    return None
