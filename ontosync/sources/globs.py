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

from wcmatch import glob

FLAGS = glob.GLOBSTAR | glob.BRACE | glob.DOTGLOB | glob.FORCEUNIX | glob.CASE
_MAGIC = frozenset("*?[{\\")


class Matcher(Protocol):
    def match(self, filename: str) -> bool: ...


def normalise(pattern: str) -> str:
    """A user's glob in the form wcmatch reads: no leading `/`, a trailing `/` as `/**`."""
    pattern = pattern.lstrip("/")
    return pattern + "**" if pattern.endswith("/") else pattern


def compile_globs(patterns: Iterable[str]) -> Matcher:
    """One matcher for several globs: a path matches when any of them does."""
    return glob.compile([normalise(p) for p in patterns], flags=FLAGS)


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
