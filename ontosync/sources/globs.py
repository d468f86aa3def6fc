"""Path globs, matched by wcmatch (a maintained implementation of shell globbing).

The semantics users are told (README, the Action's inputs): paths are relative to the source root
and use `/`; `**` spans any number of folders (also none), `*` and `?` stay within one; `[...]` is a
character class; `{a,b}` braces expand (`**/*.{ttl,owl}`); a leading `/` means the root; a trailing
`/` means everything below that folder; dot files and folders are matched like any other; matching is
case-sensitive on every platform. Parentheses are literal (no extended globs), so page names such as
`Exchange Protocol (SXP).md` need no escaping, and a leading `!` is literal too (exclusion has its
own option).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

_MAGIC = frozenset("*?[{\\")


class Matcher(Protocol):
    def match(self, filename: str) -> bool: ...


def normalise(pattern: str) -> str:
    """A user's glob in the form wcmatch reads: no leading `/`, a trailing `/` as `/**`."""
    pattern = pattern.lstrip("/")
    return pattern + "**" if pattern.endswith("/") else pattern


def compile_globs(patterns: Iterable[str]) -> Matcher:
    """One matcher for several globs: a path matches when any of them does.

    The common cases skip wcmatch (and its ~10 ms import, paid by every run): no globs (no
    `--exclude`) match nothing, and globs that are all `**/*<suffix>` (the default include list)
    are a suffix test; see `SuffixMatcher`."""
    normalised = tuple(normalise(p) for p in patterns)
    if not normalised:
        return NoMatch()
    suffixes = [p[4:] for p in normalised if p.startswith("**/*")]
    if len(suffixes) == len(normalised) and not any(_MAGIC.intersection(s) or "/" in s for s in suffixes):
        return SuffixMatcher(tuple(suffixes), normalised)
    return _wcmatch(normalised)


class GlobError(ValueError):
    """A glob wcmatch refuses to compile: a one-line usage error, never a traceback."""


def _wcmatch(patterns: tuple[str, ...]) -> Matcher:
    from wcmatch import _wcparse, glob

    flags = glob.GLOBSTAR | glob.BRACE | glob.DOTGLOB | glob.FORCEUNIX | glob.CASE
    try:
        return glob.compile(list(patterns), flags=flags)
    except _wcparse.PatternLimitException:
        # `{a,b}` twenty times is a million patterns, and 2,000 globs are 2,000: wcmatch stops at 1,000
        shown = ", ".join(repr(p if len(p) <= 60 else p[:57] + "...") for p in patterns[:5])
        more = f" and {len(patterns) - 5} more" if len(patterns) > 5 else ""  # a line, not a page of globs
        raise GlobError(f"globs {shown}{more}: more than 1000 patterns (each glob counts one, and each "
                        "choice of its braces)") from None


class NoMatch:
    """No globs at all: nothing matches (as wcmatch answers for an empty list)."""

    def match(self, filename: str) -> bool:
        return False


class SuffixMatcher:
    """`**/*.md`-style globs, matched by `str.endswith`: with DOTGLOB, `**/` is any number of folders
    (dot folders too, or none) and `*` any name in the last one (a dot name too, or an empty one), so
    such a glob matches exactly the paths ending with its literal suffix. wcmatch answers otherwise
    only for paths no walk records (a `.` or `..` folder, a trailing `/`): those go to wcmatch.
    tests/test_fixed_costs.py compares both on such paths."""

    def __init__(self, suffixes: tuple[str, ...], patterns: tuple[str, ...]):
        self.suffixes = suffixes
        self.patterns = patterns
        self._wc: Matcher | None = None

    def match(self, filename: str) -> bool:
        if filename.endswith("/") or "/./" in f"/{filename}/" or "/../" in f"/{filename}/":
            self._wc = self._wc or _wcmatch(self.patterns)
            return self._wc.match(filename)
        return filename.endswith(self.suffixes)


def literal_folder_prefix(pattern: str) -> str:
    """The folders a glob starts with literally, with the trailing `/` ('' when it starts with a
    wildcard or a brace): a folder outside it holds no match, so a remote listing may skip it."""
    folders = normalise(pattern).split("/")[:-1]
    literal = []
    for folder in folders:
        if _MAGIC.intersection(folder):
            break
        literal.append(folder + "/")
    return "".join(literal)
