"""JSON-LD contexts from local copies only.

Contexts given by URL are replaced by the local copies the user mapped in
`ParseOptions.jsonld_contexts`; any other URL is a ParseError. (pyoxigraph would refuse to fetch them
anyway; the substitution makes mapped contexts work and the message actionable.)
"""

from __future__ import annotations

import json
import re
from typing import Any

from ontosync.parsing.facts import ParseError
from ontosync.parsing.jsonld_terms import check_term_chains
from ontosync.parsing.rdf_vocab import clip

MAX_JSONLD_CONTEXTS = 64  # local context substitutions per document (also stops cycles)


class ContextList(list):
    """A `@context` array with its URLs replaced: `spans[i]`, how many of its items the user's
    item `i` became (a URL: its context's, none or several; a mapped context naming others: all of
    theirs), so an error's place in it is found in the user's own array (jsonld_errors)."""

    __slots__ = ("spans",)

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[int] = []


def inline_jsonld_contexts(data: bytes, contexts: dict[str, str]) -> tuple[bytes, bool, Any]:
    """Replace every context given by URL (`"@context": "url"`, in arrays, scoped contexts and
    `@import`) with the local copy mapped in `contexts`; an unmapped URL is a ParseError.

    Returns the bytes to parse, whether line numbers still refer to the user's file (False once
    the document had to be re-serialised), and the parsed document with its contexts substituted
    (jsonld_ids.dropped_nodes reads it rather than parsing the bytes again).
    """
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ParseError(clip(f"JSON-LD syntax error: {exc.msg} (column {exc.colno})"), exc.lineno) from None
    except RecursionError:
        raise ParseError("JSON-LD syntax error: nested too deeply") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(f"JSON-LD syntax error: invalid UTF-8 (byte 0x{data[exc.start]:02x})", line) from None
    except ValueError as exc:  # e.g. integers over Python's digit limit
        raise ParseError(clip(f"JSON-LD syntax error: {exc}")) from None
    substitutions = 0

    def resolve(url: str) -> Any:
        nonlocal substitutions
        if url not in contexts:
            raise ParseError(clip(f"remote JSON-LD context {url!r} not fetched; "
                                   "map it to a local file in .ontosync.yml"))
        substitutions += 1
        if substitutions > MAX_JSONLD_CONTEXTS:
            raise ParseError(f"JSON-LD: more than {MAX_JSONLD_CONTEXTS} context substitutions "
                             "(a context that includes itself?)")
        try:
            local = json.loads(contexts[url])
        except (ValueError, RecursionError):
            raise ParseError(clip(f"JSON-LD: the local copy of context {url!r} is not valid JSON")) from None
        if not isinstance(local, dict) or "@context" not in local:
            raise ParseError(clip(f"JSON-LD: the local copy of context {url!r} has no @context"))
        return local["@context"]

    def substitute(value: Any) -> Any:
        """A context value with every URL replaced, repeatedly (a local context may name others),
        keeping order; arrays are flattened, as context arrays cannot nest."""
        if not isinstance(value, (str, list)):
            return value
        out = ContextList()
        for top in value if isinstance(value, list) else [value]:
            before = len(out)
            pending: list[Any] = [top]
            while pending:
                item = pending.pop()
                if isinstance(item, list):
                    pending.extend(reversed(item))
                elif isinstance(item, str):
                    pending.append(resolve(item))
                else:
                    out.append(item)
            out.spans.append(len(out) - before)
        return out[0] if len(out) == 1 and not isinstance(value, list) else out

    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("@import"), str):
            imported = substitute(node.pop("@import"))
            if not isinstance(imported, dict):
                raise ParseError("JSON-LD: an @import must refer to a context object")
            merged = {**imported, **node}
            node.clear()
            node.update(merged)
        if "@context" in node:
            node["@context"] = substitute(node["@context"])
            check_term_chains(node["@context"])
        for key, value in node.items():
            if key != "@value" and isinstance(value, (dict, list)):
                stack.append(value)
    if not substitutions:
        return data, True, doc
    try:  # ASCII output: lone surrogates from \u escapes stay escapes for the parser to judge
        return json.dumps(doc).encode("ascii"), False, doc
    except (RecursionError, ValueError):
        raise ParseError("JSON-LD syntax error: nested too deeply") from None


_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate(doc: Any, data: bytes) -> ParseError | None:
    """The error for a string holding half of a UTF-16 surrogate pair (`"\\ud800"` without its other
    half), or None. JSON allows the escape, Python's JSON reader keeps it, but it is no character,
    so no RDF literal or IRI can hold it: pyoxigraph refuses the document saying "Unexpected end of
    file", which sent users looking for a truncated file. Only called once pyoxigraph has failed; the
    line is that of the escape in `data`, the user's text (none when a mapped context holds it)."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack += [*node.keys(), *node.values()]
        elif isinstance(node, list):
            stack += node
        elif isinstance(node, str) and (found := _SURROGATE.search(node)):
            code = f"\\u{ord(found.group()):04x}"
            at = data.lower().find(code.encode())
            return ParseError(f"JSON-LD syntax error: {code} is half of a UTF-16 surrogate pair, not a character "
                              "(text cut in the middle of a character, or mis-encoded)",
                              data.count(b"\n", 0, at) + 1 if at >= 0 else None)
    return None
