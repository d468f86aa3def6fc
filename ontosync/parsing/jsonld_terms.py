"""JSON-LD term definitions written with other terms too deep for the parser, refused before it reads them.

pyoxigraph defines a term by first defining the terms its IRI is written with (`"a": "b:x"` needs
`b`; `"a": {"@id": "b"}` too), recursively: a context of 6,000 terms each written with the next
overflowed its stack, and the parser's process died (a `crash`, no reason given). Only a context
of more than MAX_TERM_CHAIN terms can hold such a chain, so every other costs one `len`.
"""

from __future__ import annotations

from typing import Any

from ontosync.parsing.facts import ParseError

MAX_TERM_CHAIN = 1000  # terms one is written through (a real context: a few; the parser died past ~5,000)


def check_term_chains(context: Any) -> None:
    """Refuse a context value (an object, or a list of them) holding a chain of terms deeper than
    MAX_TERM_CHAIN. Iterative: the check must not itself hit Python's recursion limit."""
    for one in context if isinstance(context, list) else [context]:
        if isinstance(one, dict) and len(one) > MAX_TERM_CHAIN:
            _check(one)


def _written_with(term: str, value: Any, context: dict) -> list[str]:
    """The terms of `context` that `term`'s definition is written with (a compact IRI's prefix, a
    term used as an IRI), as the JSON-LD context processing algorithm defines them first."""
    used = [term] + ([value] if isinstance(value, str) else
                     [value.get(k) for k in ("@id", "@type", "@reverse")] if isinstance(value, dict) else [])
    names = (u.partition(":")[0] if ":" in u else u for u in used if isinstance(u, str) and not u.startswith("@"))
    return [name for name in names if name != term and name in context]


def _check(context: dict) -> None:
    uses = {term: _written_with(term, value, context) for term, value in context.items()
            if isinstance(term, str) and not term.startswith("@")}
    depth: dict[str, int] = {}
    for root in uses:
        path, on_path = [(root, iter(uses[root]))], {root}
        while path:
            term, rest = path[-1]
            following = next(rest, None)
            if following is None:
                path.pop()
                on_path.discard(term)
                depth[term] = 1 + max((depth.get(t, 0) for t in uses[term]), default=0)
                if depth[term] > MAX_TERM_CHAIN:
                    raise ParseError(f"JSON-LD: the term {root[:100]!r} of a @context is written with another term, "
                                     f"that one with another, more than {MAX_TERM_CHAIN:,} deep; the parser reads no "
                                     "such chain")
            elif following not in depth and following not in on_path:  # (on the path: a cycle, the parser's error)
                on_path.add(following)
                path.append((following, iter(uses[following])))
