"""Where a JSON-LD document's semantic error is: its JSON path, and its line.

Why: pyoxigraph's JSON-LD errors that are not JSON syntax ("@id value must be a string", "@type
and @language cannot be used together") carry no position, so a failed file's one line named
nothing in it, and a user had to search a large document for the member at fault. The message
names a keyword; the first member of the parsed document that breaks the rule it states is the
place (found in the document's own order; an error no rule here reads keeps no place, rather than
a wrong one). Its line is found by walking the text along the path with Python's JSON decoder, on
the error path only. A document whose contexts were inlined is parsed re-serialised, so its path is
walked in the user's own text as far as that text is the same place (`_users_part`): the member's
line, or the line of the context reference the fault came in by.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections.abc import Callable
from typing import Any

from ontosync.parsing.facts import ParseError
from ontosync.parsing.jsonld_context import ContextList

Rule = Callable[[dict, list], str | None]  # an object and its path -> the key of its member at fault, or None

_KINDS = {"string": str, "null": type(None), "boolean": bool, "number": (int, float), "object": dict,
          "map": dict, "array": list}
_VALUE_MUST = re.compile(r"(@\w+) values? must be (.+)")
_FOUND = re.compile(r"The (?:allowed|only supported) (@\w+) values? .*found '?([^']*)'?|Invalid (@base) '([^']*)': .*")
_TOGETHER = re.compile(r"(?:Both )?(@\w+) and (@\w+) (?:cannot be used together|can't be set at the same time"
                       r"|are incompatible)( in a context)?")
_LISTED = ("@type", "@included")  # keys whose value may be a list of what the message names
_REDEFINED = re.compile(r"(@\w+) keyword can't be redefined in context")
_ONLY_KEYS = re.compile(r"(@\w+) and (@\w+) must be the only keys of an object")


def located(error: ParseError, message: str, doc: Any, data: bytes, keep_lines: bool) -> ParseError:
    """`error` (pyoxigraph's `message`, without a line) with the place of the member at fault:
    its JSON path in the message (the user's indices as far as they go, then `doc`'s), and its line
    in `data`, the user's text (when it is not the text parsed, `keep_lines` False, the line of as
    much of the path as is the user's)."""
    rule = _rule(message)
    path = None if rule is None or error.line is not None else _first(doc, rule)
    if path is None:
        return error
    users, whole = (path, True) if keep_lines else _users_part(data, doc, path)
    inlined = "" if whole else ", in what a mapped context on that line brought in"
    # (the user's own indices as far as the path is theirs: a mapped URL's, then the inlined rest)
    return ParseError(f"{error.message} (at {_path_text(users + path[len(users):])}{inlined})", _line(data, users),
                      error.kind)


def _users_part(data: bytes, doc: Any, path: list) -> tuple[list, bool]:
    """The path in the user's text of as much of `path` (a place in `doc`, the document with its
    contexts inlined) as is the user's, and whether that is all of it. A key the user wrote keeps
    its value (an @import's keys give way to the context's own); an index keeps its item, but in a
    `@context` array a mapped URL became its context's items: the user's own objects before the
    first URL keep their index, and those after the last one are counted from the end."""
    try:
        mine = json.loads(data)
    except (ValueError, RecursionError):
        return [], False
    users: list = []
    for depth, step in enumerate(path):
        if mine == doc:
            return users + path[depth:], True
        at = _index_in(mine, doc, step, depth > 0 and path[depth - 1] == "@context") if isinstance(step, int) else (
            step if isinstance(mine, dict) and step in mine else None)
        if at is None:
            return users, False
        if isinstance(mine[at], str) and not isinstance(doc[step], str):  # what the URL there brought in
            return [*users, at], False
        mine, doc = mine[at], doc[step]
        users.append(at)
    return users, True


def _index_in(mine: Any, doc: list, index: int, contexts: bool) -> int | None:
    """The index in the user's array `mine` of item `index` of `doc`'s; None when it is none of
    the user's (an item a mapped context brought into a `@context` array, whose URL is not known)."""
    if not isinstance(mine, list):
        return None
    if not contexts:
        return index
    if isinstance(doc, ContextList) and len(doc.spans) == len(mine):  # each user item's share of `doc`
        return bisect.bisect_right(list(itertools.accumulate(doc.spans)), index)  # (the spans add up to len(doc))
    urls = [i for i, item in enumerate(mine) if isinstance(item, str)]
    if not urls or index < urls[0]:
        return index
    after = len(doc) - index  # counted from the end: the user's trailing objects are the array's last
    return len(mine) - after if after <= len(mine) - urls[-1] - 1 else None


_SCOPED = "Invalid scoped context: "  # pyoxigraph's prefix of an error in a term definition's @context


def _rule(message: str) -> Rule | None:
    """The test of an object that finds the member `message` is about; None for a message no rule reads."""
    while message.startswith(_SCOPED):  # the same rule: the first context to break it is the scoped one
        message = message[len(_SCOPED):]
    for pattern, build in _RULES:
        if found := pattern.fullmatch(message):
            return build(found)
    return None


def _value_must(found: re.Match) -> Rule | None:
    """`@kw value must be a string` (`..., number, boolean or null`, `a JSON object`): a value of another kind."""
    key, kinds = found.group(1), tuple(k for word, k in _KINDS.items() if word in found.group(2))
    if key == "@included":  # "@included values must be node objects": each one's
        kinds = (dict,)
    each = key in _LISTED
    return (lambda obj, _: key if key in obj and not _fits(obj[key], kinds, each) else None) if kinds else None


def _found(found: re.Match) -> Rule:
    """`The allowed @direction values are ..., found 'up'`, `Invalid @base 'sub/': ...`: that value."""
    key, value = found.group(1, 2) if found.group(1) else found.group(3, 4)
    return lambda obj, _: key if key in obj and str(obj[key]) == value else None


def _together(found: re.Match) -> Rule:
    """`@type and @language cannot be used together`: the one of the two written second (of a term
    definition, for `... in a context` and `Both @language and @type can't be set ...`)."""
    pair, in_term = {found.group(1), found.group(2)}, bool(found.group(3)) or found.group(0).startswith("Both")
    return lambda obj, path: ([k for k in obj if k in pair][-1] if pair <= obj.keys()
                              and (not in_term or _in_term(path)) else None)


def _in_term_definition(found: re.Match) -> Rule:
    """`Unexpected key in term definition '@foo'`, `The value of @type in a context must be a
    string`: that member of a term definition."""
    key, string = found.group(1) or found.group(2), found.group(2) is not None
    return lambda obj, path: (key if key in obj and _in_term(path) and not (string and isinstance(obj[key], str))
                              else None)


def _in_value_object(found: re.Match) -> Rule:
    """`Only a single @type is allowed when @value is present`, `@language can be used only on a
    string @value`: the member of a value object at fault."""
    key, kind = ("@type", list) if found.group(0).startswith("Only") else ("@value", (int, float, bool, dict, list))
    return lambda obj, _: key if "@value" in obj and key in obj and isinstance(obj[key], kind) else None


def _only_keys(found: re.Match) -> Rule:
    """`@list and @set must be the only keys of an object`: the first other key."""
    allowed = {*found.groups(), "@index"}
    return lambda obj, _: next((k for k in obj if k not in allowed), None) if allowed & obj.keys() else None


def _term_definition(_found: re.Match) -> Rule:
    """`Term definition value must be null, a string or a map`: a context's member of another kind."""
    return lambda obj, path: next((k for k, v in obj.items() if not k.startswith("@") and not isinstance(
        v, (type(None), str, dict))), None) if _in_context(path) else None


def _redefined(found: re.Match) -> Rule:
    """`@id keyword can't be redefined in context`: that keyword, a context's member."""
    key = found.group(1)
    return lambda obj, path: key if key in obj and _in_context(path) else None


def _cyclic(_found: re.Match) -> Rule:
    """`Cyclic IRI mapping`: the first term of a context whose IRI depends on itself."""
    return lambda obj, path: next((t for t in obj if _loops(obj, t)), None) if _in_context(path) else None


def _loops(context: dict, term: str) -> bool:
    """Whether defining `term` of `context` needs `term` defined first (JSON-LD's Create Term
    Definition: a value, @type or @reverse that is another of the context's terms, or whose prefix
    is one, is defined first; a term's own name as its @id is no loop, as pyoxigraph reads it)."""
    seen, todo = set(), list(_needs(context, term))
    while todo:
        other = todo.pop()
        if other == term:
            return True
        if other not in seen:
            seen.add(other)
            todo += _needs(context, other)
    return False


def _needs(context: dict, term: str) -> list[str]:
    """The terms of `context` that `term`'s definition expands with."""
    value = context.get(term)
    if isinstance(value, str):
        value = {"@id": value}
    if not isinstance(value, dict) or term.startswith("@"):
        return []
    found = [_term_in(context, v, v == term and key == "@id") for key, v in value.items()
             if key in ("@id", "@type", "@reverse") and isinstance(v, str)]
    if "@id" not in value and "@reverse" not in value:
        found.append(_term_in(context, term, True))
    return [t for t in found if t is not None]


def _term_in(context: dict, value: str, whole_is_self: bool) -> str | None:
    """The term of `context` that `value` expands with: itself, or its prefix (`p:x`, not `p://x`)."""
    if value in context and not whole_is_self and not value.startswith("@"):
        return value
    prefix, colon, rest = value.partition(":")
    return prefix if colon and prefix in context and prefix != "_" and not rest.startswith("//") else None


def _inside(found: re.Match) -> Rule:
    """`Literals are not allowed inside of reverse properties`, `Sets are not allowed inside of
    @included`: that member of an object in a `@reverse` property's value, or in `@included`."""
    key = {"Literals": "@value", "Sets": "@set", "Lists": "@list"}[found.group(1)]
    depth = 2 if found.group(2) == "reverse properties" else 1  # @reverse -> its property -> the object

    def in_it(path: list) -> bool:
        steps = path[:-1] if path and isinstance(path[-1], int) else path  # (an item of a list of them)
        return len(steps) >= depth and steps[-depth] == ("@reverse" if depth == 2 else "@included")

    return lambda obj, path: key if key in obj and in_it(path) else None


def _language_map(_found: re.Match) -> Rule:
    """`The values in a @language map must be null or strings`: the first member of a language map
    (the value of a term whose definition, in a context met earlier in the walk, has `@container`
    `@language`) that is not null, a string or a list of strings."""
    terms: set[str] = set()

    def rule(obj: dict, path: list) -> str | None:
        if _in_context(path):
            terms.update(t for t, d in obj.items() if isinstance(d, dict) and "@language" in (
                d.get("@container") if isinstance(d.get("@container"), list) else [d.get("@container")]))
        elif path and path[-1] in terms:
            return next((k for k, v in obj.items() if not (v is None or isinstance(v, str) or (
                isinstance(v, list) and all(isinstance(x, str) for x in v)))), None)
        return None

    return rule


_RULES: tuple[tuple[re.Pattern, Callable[[re.Match], Rule | None]], ...] = (
    (_VALUE_MUST, _value_must), (_FOUND, _found), (_TOGETHER, _together), (_ONLY_KEYS, _only_keys),
    (re.compile(r"Term definition value must be .*"), _term_definition), (_REDEFINED, _redefined),
    (re.compile("Cyclic IRI mapping"), _cyclic),
    (re.compile(r"Unexpected key in term definition '(.*)'|The value of (@\w+) in a context must be a string"),
     _in_term_definition),
    (re.compile("@context terms must not be the empty strings"),
     lambda _: lambda obj, path: "" if "" in obj and _in_context(path) else None),
    (re.compile("Only a single @type is allowed when @value is present|@language can be used only on a string @value"),
     _in_value_object),
    (re.compile(r"@type definition can only contain .*, (@\w+) found"), lambda found: lambda obj, path: found.group(1)
     if found.group(1) in obj and path and path[-1] == "@type" and _in_context(path[:-1]) else None),
    (re.compile("@index inside of term definitions is only allowed when .*"),
     lambda _: lambda obj, path: "@index" if "@index" in obj and _in_term(path) else None),
    (re.compile(r"(Literals|Sets|Lists) are not allowed inside of (reverse properties|@included)"), _inside),
    (re.compile("The values in a @language map must be null or strings"), _language_map))


def _in_context(path: list) -> bool:
    """Whether the object at `path` is a context (`"@context": {...}`, or one of a list of them)."""
    return bool(path) and (path[-1] == "@context" or (len(path) > 1 and isinstance(path[-1], int)
                                                       and path[-2] == "@context"))


def _in_term(path: list) -> bool:
    """Whether the object at `path` is a term definition (a member of a context)."""
    return len(path) > 1 and isinstance(path[-1], str) and _in_context(path[:-1])


def _fits(value: Any, kinds: tuple, each: bool) -> bool:
    """A value of an accepted kind; a list of a key whose values may be listed (`each`) when each item is."""
    if isinstance(value, list) and each:
        return all(_fits(v, kinds, False) for v in value)
    return bool in kinds if isinstance(value, bool) else isinstance(value, kinds)


def _first(doc: Any, rule: Rule) -> list | None:
    """The path (keys and indices) to the first member `rule` finds, each object tested before
    what it holds, in the document's order."""
    todo: list[tuple[Any, list]] = [(doc, [])]
    while todo:
        node, path = todo.pop()
        if isinstance(node, dict):
            key = rule(node, path)
            if key is not None:
                return [*path, key]
            todo += [(v, [*path, k]) for k, v in reversed(node.items())]
        elif isinstance(node, list):
            todo += [(v, [*path, i]) for i, v in reversed(list(enumerate(node)))]
    return None


def _path_text(path: list) -> str:
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f"[{json.dumps(step)}]" for step in path)


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def _line(data: bytes, path: list) -> int | None:
    """The 1-based line where the value at `path` starts, walking the text."""
    text = data.decode("utf-8", "replace")
    at = _SPACE.match(text).end()
    try:
        for step in path:
            at = _item(text, at, step) if isinstance(step, int) else _member(text, at, step)
    except (ValueError, IndexError, RecursionError):
        return None
    return text.count("\n", 0, at) + 1


def _item(text: str, at: int, index: int) -> int:
    """Where the `index`-th item of the array at `at` starts."""
    at = _SPACE.match(text, at + 1).end()
    for _ in range(index):
        _, end = _DECODER.raw_decode(text, at)
        at = _SPACE.match(text, _SPACE.match(text, end).end() + 1).end()  # past the comma
    return at


def _member(text: str, at: int, key: str) -> int:
    """Where the value of member `key` of the object at `at` starts (its last one, as json.loads keeps)."""
    found = None
    at = _SPACE.match(text, at + 1).end()
    while text[at] == '"':
        name, end = json.decoder.scanstring(text, at + 1)
        value = _SPACE.match(text, _SPACE.match(text, end).end() + 1).end()  # past the colon
        if name == key:
            found = at
        _, end = _DECODER.raw_decode(text, value)
        at = _SPACE.match(text, end).end()
        if text[at] != ",":
            break
        at = _SPACE.match(text, at + 1).end()
    if found is None:
        raise ValueError(key)
    return _value_of(text, found)


def _value_of(text: str, at: int) -> int:
    """The value's start of the member whose key starts at `at`."""
    _, end = json.decoder.scanstring(text, at + 1)
    return _SPACE.match(text, _SPACE.match(text, end).end() + 1).end()
