"""JSON-LD nodes whose `@id` is no IRI: named in a warning, since the parser drops them silently.

JSON-LD's algorithms drop a node (and every statement naming it) whose `@id` does not expand to an
absolute IRI: a relative one in a document without `@base`, or one with spaces. pyoxigraph does so
without a word, so a user lost a class and saw nothing. Turtle fails such a file ("relative IRIs
need a base"); JSON-LD keeps the rest of the file, as its specification says, and says what went.

A heuristic on the JSON, not a second JSON-LD processor: `@id` (and its aliases, `"id": "@id"` in a
context) outside contexts; an id counts as absolute when it has a scheme (`ex:Foo`, a compact IRI,
too) and as resolvable against a base when the document declares one.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ontosync.parsing.facts import ParseWarning
from ontosync.parsing.rdf_vocab import clip

MAX_NAMED = 50  # ids named one by one; the rest are counted
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def dropped_nodes(data: bytes) -> list[ParseWarning]:
    """One `dropped-node` warning per distinct `@id` the parser will drop (data is valid JSON:
    jsonld_context.inline_jsonld_contexts has read it)."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):  # reported by the parser itself
        return []
    contexts, nodes = _split(doc)
    aliases, has_base = _id_keys(contexts)
    bad: dict[str, None] = {}
    for node in nodes:
        for key in aliases:
            value = node.get(key)
            if isinstance(value, str) and _dropped(value, has_base):
                bad[value] = None
    found = [ParseWarning("dropped-node", clip(f"JSON-LD node {value!r} dropped: its @id is not an absolute IRI "
                                               "(relative @id needs @base; no spaces)", 500))
             for value in list(bad)[:MAX_NAMED]]
    if len(bad) > MAX_NAMED:
        found.append(ParseWarning("dropped-node", f"{len(bad) - MAX_NAMED} more JSON-LD nodes dropped"))
    return found


def _dropped(value: str, has_base: bool) -> bool:
    if value.startswith("_:"):
        return False
    if _NOT_IN_IRI.search(value):
        return True
    return not has_base and not _SCHEME.match(value)


def _split(doc: Any) -> tuple[list[Any], list[dict]]:
    """(every @context value, every other JSON object), walking iteratively (deep documents)."""
    contexts: list[Any] = []
    nodes: list[dict] = []
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            nodes.append(item)
            for key, value in item.items():
                if key == "@context":
                    contexts.append(value)
                elif key != "@value" and isinstance(value, (dict, list)):
                    stack.append(value)
    return contexts, nodes


def _id_keys(contexts: list[Any]) -> tuple[set[str], bool]:
    """The keys that mean `@id` (itself and its aliases) and whether any context sets a base."""
    keys, has_base = {"@id"}, False
    stack = list(contexts)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            has_base = has_base or isinstance(item.get("@base"), str)
            keys.update(k for k, v in item.items() if v == "@id")
            stack.extend(v["@context"] for v in item.values() if isinstance(v, dict) and "@context" in v)
    return keys, has_base
