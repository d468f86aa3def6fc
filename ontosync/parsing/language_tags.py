"""Language tags as the file writes them, and RDF/XML's `xml:lang=""`.

pyoxigraph lower-cases every language tag (`en-GB` -> `en-gb`; RDF 1.1 allows it: tags compare
case-insensitively). ontosync keeps the tag as written instead: semantic-sql's rdftab stores it so,
OAK and other readers of the `statements` table show it, and the functional-syntax reader
(parsing/ofn.py) keeps it too, so one ontology gives one tag whatever its syntax. The written form is
found in the bytes (`written_tags`; a JSON-LD language map's keys, `language_map_tags`); a tag
written in several cases in one file takes the first form with capitals (pyoxigraph has already
merged those literals into one).

`xml:lang=""` is legal RDF/XML (it resets the inherited language: the literal has none), but
pyoxigraph 0.5 rejects the whole file ("A subtag should not be empty"). `mask_empty_xml_lang`
writes a private-use tag in its place, which parses like any tag (inherited, overridden), and
`unmask` turns the literals that carry it back into plain ones.
"""

from __future__ import annotations

import re
from typing import Any

# A tag in a language position: after a closing quote and `@` (Turtle, N-Triples), as the value of
# xml:lang (RDF/XML) or of "@language" (JSON-LD). Only tags with a capital letter are of interest.
# Three patterns, each starting with a literal: re then skips to candidates (PATO, 3 MB: ~3 ms),
# where one alternation tried at every byte cost 150 ms.
_TAG_BODY = r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*"
_TAG = rb"(?=[a-z0-9-]*[A-Z])(" + _TAG_BODY.encode() + rb")(?![A-Za-z0-9-])"
_WRITTEN_TAGS = ((b"@", re.compile(rb"@" + _TAG)), (b"xml:lang", re.compile(rb"""xml:lang\s*=\s*["']""" + _TAG)),
                 (b'"@language"', re.compile(rb'"@language"\s*:\s*"' + _TAG)))

_EMPTY_XML_LANG = re.compile(rb"""(xml:lang\s*=\s*)(["'])\2""")
_PLACEHOLDER = "x-ontosync-none"


def written_tags(data: bytes) -> dict[str, str]:
    """Lower-cased tag -> the tag as the file writes it, for the tags written with capitals."""
    found: dict[str, str] = {}
    matches = [m for start, pattern in _WRITTEN_TAGS if start in data for m in pattern.finditer(data)]
    for match in sorted(matches, key=lambda m: m.start()):
        if match.group(0)[0] == 0x40 and data[match.start() - 1:match.start()] not in (b'"', b"'"):
            continue  # `@` not right after a literal's closing quote: `@prefix`, an e-mail address
        tag = match.group(1).decode("ascii")
        found.setdefault(tag.lower(), tag)
    return found


def language_map_tags(doc: Any) -> dict[str, str]:
    """The tags a JSON-LD document writes as the keys of a language map (`"label": {"EN-gb": "Colour"}`,
    its term's `"@container": "@language"`), lower-cased -> as written, for those with capitals:
    no `"@language"` precedes them, so `written_tags` missed them and the rows had `en-gb`."""
    terms, maps, found = set(), [], {}
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack += node
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, dict) and "@language" in _as_list(value.get("@container")):
                    terms.add(key)  # a term definition
                if isinstance(value, dict):
                    maps.append((key, value))  # (a map is a dict: the scalars are not kept)
                stack += [value] if isinstance(value, (dict, list)) else []
    for key, value in maps:
        if key in terms and "@container" not in value:
            for tag in value:
                if tag != tag.lower() and _WRITTEN_TAG.fullmatch(tag):
                    found.setdefault(tag.lower(), tag)
    return found


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


_WRITTEN_TAG = re.compile(_TAG_BODY)


def mask_empty_xml_lang(data: bytes) -> tuple[bytes, bool]:
    """RDF/XML with each `xml:lang=""` replaced by the placeholder tag (same lines), and whether
    any was. A file that already holds the placeholder text is left alone (and fails as before)."""
    if not _EMPTY_XML_LANG.search(data) or _PLACEHOLDER.encode() in data.lower():
        return data, False
    return _EMPTY_XML_LANG.sub(rb"\1\2" + _PLACEHOLDER.encode() + rb"\2", data), True


def unmask(quads: list, ox: Any) -> list:
    """The quads with the placeholder gone: a literal tagged with it is a plain string, and an XML
    literal whose markup held `xml:lang=""` holds it again."""
    literal = ox.Literal
    out = []
    for quad in quads:
        obj = quad.object
        if type(obj) is literal and (obj.language == _PLACEHOLDER or _PLACEHOLDER in obj.value):
            value = obj.value.replace(_PLACEHOLDER, "")
            if obj.language == _PLACEHOLDER:
                obj = literal(value)
            elif obj.language:
                obj = literal(value, language=obj.language)
            else:
                obj = literal(value, datatype=obj.datatype)
            quad = ox.Quad(quad.subject, quad.predicate, obj, quad.graph_name)
        out.append(quad)
    return out
