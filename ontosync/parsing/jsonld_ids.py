"""JSON-LD nodes whose `@id` (or types whose `@type`, or properties whose key) is no IRI: named
in a warning, since the parser drops them silently.

JSON-LD's algorithms drop a node (and every statement naming it) whose `@id` does not expand to an
absolute IRI: a relative one in a document without `@base`, or one with spaces. pyoxigraph does so
without a word, so a user lost a class and saw nothing. Turtle fails such a file ("relative IRIs
need a base"); JSON-LD keeps the rest of the file, as its specification says, and says what went.

A heuristic on the JSON, not a second JSON-LD processor: `@id` (and its aliases, `"id": "@id"` in a
context) outside contexts; an id counts as absolute when it has a scheme (`ex:Foo`, a compact IRI,
too) and as resolvable against a base when the document declares one. A property's key is kept
when it is a term of a context, a keyword, or has a scheme, or when a context sets `@vocab`
(`"label": "x"` without one is dropped, and the label with it; so it is with a relative `@vocab`
and no `@base`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ontosync.parsing.facts import ParseWarning
from ontosync.parsing.rdf_vocab import SCHEME, clip

MAX_NAMED = 50  # ids named one by one; the rest are counted
_SCHEME = re.compile(SCHEME)
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_NO_ID = "its @id is not an absolute IRI (relative @id needs @base; no spaces)"
_MAP_CONTAINERS = {"@language", "@index", "@id", "@type"}
_NO_TYPE = "not an absolute IRI nor a term of the context (needs @vocab)"


def dropped_nodes(doc: Any) -> list[ParseWarning]:
    """One `dropped-node` warning per distinct `@id` the parser will drop, one per `@type` value
    it will drop (a relative type without `@vocab` or `@base`: the node loses that type, a class
    its `owl:Class`), and one per property key it will drop (with every value under it). `doc` is
    the document jsonld_context.inline_jsonld_contexts parsed, its contexts substituted."""
    contexts, nodes = _split(doc)
    ctx = _Contexts(contexts)
    bad: dict[str, str] = {}
    not_nodes = _maps(nodes, ctx)
    for node in nodes:
        bad.update(_dropped_in(node, ctx, id(node) not in not_nodes))
    found = [ParseWarning("dropped-node", clip(f"JSON-LD {what} dropped: {why}", 500))
             for what, why in list(bad.items())[:MAX_NAMED]]
    if len(bad) > MAX_NAMED:
        more = len(bad) - MAX_NAMED
        found.append(ParseWarning("dropped-node", f"{more} more JSON-LD ids, types or properties dropped"))
    return found


def _maps(nodes: list[dict], ctx: _Contexts) -> set[int]:
    """The ids of the objects that are no nodes: a language (index, id, type) map, whose keys are
    no properties, and the objects of a JSON literal."""
    found = {id(node[k]) for node in nodes for k in ctx.maps if isinstance(node.get(k), dict)}
    found.update(id(d) for node in nodes for k in ctx.json if k in node for d in _objects([node[k]], _all))
    return found


def _dropped_in(node: dict, ctx: _Contexts, is_node: bool) -> Iterator[tuple[str, str]]:
    """(what, why) of each property key, `@id` and `@type` of `node` that the parser drops."""
    if is_node:
        yield from ((f"property {key!r}", _NO_TYPE) for key in node
                    if not key.startswith("@") and key not in ctx.terms and _dropped(key, ctx.has_vocab))
    yield from ((f"node {v!r}", _NO_ID) for v in _values(node, ctx.id_keys) if _dropped(v, ctx.has_base))
    yield from ((f"type {v!r}", _NO_TYPE) for v in _values(node, ctx.type_keys)
                if v not in ctx.terms and not v.startswith("@") and _dropped(v, ctx.has_base or ctx.has_vocab))


def _values(node: dict, keys: set[str]) -> Iterator[str]:
    """The strings under `keys` in `node` (one or a list each)."""
    for key in keys:
        values = node.get(key)
        yield from (v for v in (values if isinstance(values, list) else [values]) if isinstance(v, str))


def _dropped(value: str, resolvable: bool) -> bool:
    if value.startswith("_:"):
        return False
    if _NOT_IN_IRI.search(value):
        return True
    return not resolvable and not _SCHEME.match(value)


def _split(doc: Any) -> tuple[list[Any], list[dict]]:
    """(every @context value, every other JSON object)."""
    contexts: list[Any] = []

    def children(node: dict) -> list[Any]:
        if "@context" in node:
            contexts.append(node["@context"])
        return [v for k, v in node.items() if k not in ("@context", "@value") and isinstance(v, (dict, list))]

    nodes = list(_objects([doc], children))
    return contexts, nodes


def _objects(start: list[Any], children: Callable[[dict], list[Any]]) -> Iterator[dict]:
    """The JSON objects in `start` and below (lists flattened, `children` says where to go on),
    walked iteratively: a deep document hits no recursion limit."""
    stack = list(start)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            yield item
            stack.extend(children(item))


class _Contexts:
    """What the document's contexts say, all taken together: the keys that mean `@id` and `@type`
    (the keywords and their aliases), the terms they define, and whether any sets a base or a
    vocabulary. A heuristic: scoping is ignored, so it errs towards no warning."""

    def __init__(self, contexts: list[Any]) -> None:
        self.id_keys, self.type_keys, self.terms = {"@id"}, {"@type"}, set()
        self.has_base = self.has_vocab = self.relative_vocab = False
        self.maps: set[str] = set()  # terms whose value is a map (`@container`: @language, @index, ...)
        self.json: set[str] = set()  # terms whose value is a JSON literal (`"@type": "@json"`)
        for context in _objects(contexts, _scoped_contexts):
            self._read(context)
        # a relative `@vocab` ("terms#") names IRIs only against a base: without one, nothing
        self.has_vocab = self.has_vocab or (self.relative_vocab and self.has_base)

    def _read(self, context: dict) -> None:
        self.has_base = self.has_base or isinstance(context.get("@base"), str)
        vocab = context.get("@vocab")
        if isinstance(vocab, str):
            self.has_vocab = self.has_vocab or bool(_SCHEME.match(vocab))
            self.relative_vocab = self.relative_vocab or not _SCHEME.match(vocab)
        self.terms.update(k for k in context if not k.startswith("@"))
        self.id_keys.update(k for k, v in context.items() if v == "@id")
        self.type_keys.update(k for k, v in context.items() if v == "@type")
        for k, v in context.items():
            container = v.get("@container") if isinstance(v, dict) else None
            if _MAP_CONTAINERS & set(container if isinstance(container, list) else [container]):
                self.maps.add(k)
            if isinstance(v, dict) and v.get("@type") == "@json":
                self.json.add(k)


def _all(node: dict) -> list[Any]:
    return [v for v in node.values() if isinstance(v, (dict, list))]


def _scoped_contexts(context: dict) -> list[Any]:
    return [v["@context"] for v in context.values() if isinstance(v, dict) and "@context" in v]
