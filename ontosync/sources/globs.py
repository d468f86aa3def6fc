"""Path globs, matched a folder name at a time, each name as wcmatch (maintained shell globbing) reads it.

The semantics users are told (README, the Action's inputs): paths are relative to the source root
and use `/`; `**` spans any number of folders (also none), `*` and `?` stay within one; `[...]` is a
character class; `{a,b}` braces expand (`**/*.{ttl,owl}`), each choice a glob of its own (`{/a,/b}/`
is `/a/` and `/b/`); a leading `/` (or `./`) means the root, and `/` or `./` alone the whole root; a
trailing `/` means everything below that folder; a `..` after a folder's name goes back up (one
above the root or after a wildcard is refused); the blanks around a glob and around each choice of
its braces (`{ttl, owl}`) are dropped; dot files and folders are matched like any other; matching is
case-sensitive on every platform. Parentheses are literal (no extended globs), so page names such as
`Exchange Protocol (SXP).md` need no escaping, and a leading `!` is literal too (exclusion has its own
option).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

_MAGIC = frozenset("*?[{\\")
_DOT_FOLDER = re.compile(r"(?:^|(?<=/))\.(?:/|$)")  # a `.` part of a glob, with its `/` after it


class Matcher(Protocol):
    def match(self, filename: str) -> bool: ...


def normalise(pattern: str) -> str:
    """A user's glob (one choice of its braces) in the form wcmatch reads: no leading `/`, no `.`
    folder, a trailing `/` as `/**`, and the root itself (`/`, `./`, `.`) as `**`.
    Why the `.`: no walk records one, so `--include './pages/*.md'` selected nothing and `--exclude
    './drafts/'` left nothing out, where `--path ./pages` names pages. Why the root: `--include './'`
    and `--include /` selected nothing, where `pages/` selects the folder pages."""
    bare = from_root(pattern)  # `pages/.` is `pages/`, as `--path pages/.` is pages
    if ".." in bare.split("/"):
        bare = _up_folders(bare, pattern)
    if not bare and pattern:  # the root folder, written `/`, `./` or `.` (or `pages/..`)
        return "**"
    return bare + "**" if bare.endswith("/") else bare


def from_root(pattern: str) -> str:
    """A glob as a path from the source root: the blanks around it, its `.` folders and a leading `/`
    dropped (`./pages/ ` is `pages/`): what `normalise` starts from, and what a hint shows."""
    return _DOT_FOLDER.sub("", _trimmed(pattern)).lstrip("/")


def _up_folders(bare: str, pattern: str) -> str:
    """A glob's `..` parts applied to the literal folder before each, as `--path pages/..` is the root.
    Why: no walk records a `..`, so `--include 'pages/../core.ttl'` selected nothing, and `../pages/*.md`
    (a path from the working folder, not the source root) synced nothing without a word; a `..` that
    climbs above the root, or follows a wildcard (`**/..`, whose folder is not known), is a GlobError."""
    kept: list[str] = []
    for part in filter(None, bare.split("/")):  # (`a//b` is `a/b`, as wcmatch reads it)
        if part != "..":
            kept.append(part)
            continue
        if not kept or kept[-1] == "**" or _MAGIC.intersection(kept[-1]):
            where = "follows a wildcard, whose folder is not known" if kept else "climbs above the source root"
            raise GlobError(f"glob {pattern!r}: its `..` {where} (globs are relative to the source root, "
                            "not the working folder)")
        kept.pop()
    folder = bare.endswith("/") or bare.rsplit("/", 1)[-1] == ".."  # `a/b/..` is the folder a
    return "/".join(kept) + ("/" if kept and folder else "")


def expand(patterns: Iterable[str]) -> tuple[str, ...]:
    """Every choice of each glob's braces, each normalised: a brace glob selects exactly what its
    choices select. Why expanded here, before `normalise`: `{/drafts,/old}/` selected nothing (a
    `/` or `./` inside braces was never the root, a `/` ending a choice never the whole folder),
    where `/drafts/` and `/old/` each work. Past MAX_PATTERNS choices, a GlobError."""
    given = tuple(patterns)
    out: list[str] = []
    for pattern in map(_trimmed, given):
        choices = _choices(pattern, given) if "{" in pattern else [pattern]
        if choices != [pattern]:  # (braces that expand: `{a}`, `{ a` are literal names)
            choices = _choices(_trimmed_choices(pattern), given)
        out += [normalise(one) for one in choices]
        if len(out) > MAX_PATTERNS:
            raise _too_many(given)
    return tuple(out)


def _trimmed(pattern: str) -> str:
    """A glob without the blanks around it (an escaped one, `a\\ `, kept). Why: the Action's `include`
    input strips each glob, the command line and `.ontosync.yml` did not: `--include 'pages/ '` (a
    pasted blank, `"$GLOB "`) selected nothing, where the same input selects pages."""
    core = pattern.strip()
    if core.endswith("\\") and len(pattern.rstrip()) < len(pattern):
        core += pattern[len(pattern.rstrip())]
    return core


def _trimmed_choices(pattern: str) -> str:
    """A brace glob without the blanks around each choice (an escaped one, `a\\ `, kept), as around
    a glob. Why: `*.{ttl, owl}` (a blank after the comma, as lists are written) expanded to `*. owl`
    and selected no `.owl` file, without a word."""
    out: list[str] = []
    depth, after_sep = 0, False
    for token in re.findall(r"\\.|.", pattern, flags=re.S):  # (an escape and its character: one token)
        if after_sep and token.isspace():
            continue
        after_sep = False
        if token in ",}" and depth:
            while out and out[-1].isspace():
                out.pop()
            depth -= token == "}"
        if token in "{,":
            depth += token == "{"
            after_sep = depth > 0
        out.append(token)
    return "".join(out)


MAX_PATTERNS = 1000  # wcmatch's own limit: `{a,b}` twenty times is a million patterns


def _choices(pattern: str, given: tuple[str, ...]) -> list[str]:
    import bracex  # wcmatch's own brace expansion (installed with it), as wcmatch reads braces

    try:  # (escapes kept: `\{` stays a literal brace for wcmatch)
        return bracex.expand(pattern, keep_escapes=True, limit=MAX_PATTERNS)
    except bracex.ExpansionLimitException:
        raise _too_many(given) from None


def compile_globs(patterns: Iterable[str]) -> Matcher:
    """One matcher for several globs: a path matches when any of them does.

    The common cases skip wcmatch (and its ~10 ms import, paid by every run): no globs (no
    `--exclude`) match nothing, and globs that are all `**/*<suffix>` (the default include list,
    `**/*.{ttl,owl}` once expanded) are a suffix test; see `SuffixMatcher`."""
    normalised = expand(patterns)
    if not normalised:
        return NoMatch()
    suffixes = [p[4:] for p in normalised if p.startswith("**/*")]
    if len(suffixes) == len(normalised) and not any(_MAGIC.intersection(s) or "/" in s for s in suffixes):
        return SuffixMatcher(tuple(suffixes), normalised)
    return PartsMatcher(normalised)


class GlobError(ValueError):
    """A glob wcmatch refuses to compile: a one-line usage error, never a traceback."""


def _wcmatch(patterns: tuple[str, ...]) -> Matcher:
    """wcmatch's matcher of globs `expand` gave (their braces expanded already: BRACE stays off)."""
    from wcmatch import _wcparse, glob

    flags = glob.GLOBSTAR | glob.DOTGLOB | glob.FORCEUNIX | glob.CASE
    try:
        return glob.compile(list(patterns), flags=flags)
    except _wcparse.PatternLimitException:
        raise _too_many(patterns) from None


def _too_many(patterns: tuple[str, ...]) -> GlobError:
    """The refusal of globs past MAX_PATTERNS, naming a few of them (a line, not a page of globs)."""
    shown = ", ".join(repr(p if len(p) <= 60 else p[:57] + "...") for p in patterns[:5])
    more = f" and {len(patterns) - 5} more" if len(patterns) > 5 else ""
    return GlobError(f"globs {shown}{more}: more than {MAX_PATTERNS} patterns (each glob counts one, and each "
                     "choice of its braces)")


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


class PartsMatcher:
    """Globs matched a folder name at a time: each glob part against one name of the path (by
    wcmatch's fnmatch, as `FolderTest` reads a part), `**` as any number of names, the glob's parts
    still possible after each name kept as a set. Why: wcmatch's whole-path regular expression
    backtracks over every way its `**`s split a deep path, so a pull request's `.ontosync.yml` with
    `**/a/**/a/**/a/**/a/**/a/**/a/**/b` cost 76 s per file 60 folders deep, before any
    `--file-timeout`; this costs names x parts. Paths no walk records (a `.` or `..` folder, an
    empty name, a trailing `/`) still go to wcmatch, as in `SuffixMatcher`; a `/` escaped or
    inside `[...]` is a folder's end for wcmatch too. tests/test_security_round5.py compares both on
    random globs."""

    def __init__(self, patterns: tuple[str, ...]):
        self.patterns = patterns
        self._globs = tuple(_one_name_under(tuple(p.split("/"))) for p in patterns)
        self._wc: Matcher | None = None  # wcmatch's, compiled when first asked
        self._parts = _PartTest()

    def match(self, filename: str) -> bool:
        names = filename.split("/")
        if "" in names or "." in names or ".." in names:
            self._wc = self._wc or _wcmatch(self.patterns)
            return self._wc.match(filename)
        return any(self._matches(parts, names) for parts in self._globs)

    def _matches(self, parts: tuple[str, ...], names: list[str]) -> bool:
        states = _past_globstars(parts, {0})
        for name in names:
            ahead = self._parts.step(parts, states, name)
            if not ahead:
                return False
            states = _past_globstars(parts, ahead)
        return len(parts) in states


def _one_name_under(parts: tuple[str, ...]) -> tuple[str, ...]:
    """A glob's parts with a closing `**` after a folder read as `*/**`: wcmatch's `pages/**` matches
    the paths below pages, not pages itself (where a `**` elsewhere may match no folder)."""
    if parts[-1:] != ("**",) or all(p == "**" for p in parts):
        return parts
    while parts[-1] == "**":
        parts = parts[:-1]
    return (*parts, "*", "**")


class _PartTest:
    """One glob part against one folder or file name: literal parts compared as they are, others by
    wcmatch's fnmatch (compiled once each): the one reading of a part, for `FolderTest` and
    `PartsMatcher`."""

    def __init__(self) -> None:
        self._parts: dict[str, Matcher | None] = {}  # None: a literal part, compared as it is

    def match(self, part: str, name: str) -> bool:
        if part not in self._parts:
            from wcmatch import fnmatch

            self._parts[part] = fnmatch.compile(part, flags=fnmatch.DOTMATCH | fnmatch.CASE | fnmatch.FORCEUNIX) \
                if _MAGIC.intersection(part) else None
        matcher = self._parts[part]
        return part == name if matcher is None else matcher.match(name)

    def step(self, parts: tuple[str, ...], states: Iterable[int], name: str) -> set[int]:
        """The parts of a glob matched once `name` is matched at `states` (a `**` stays where it is)."""
        return {j + (parts[j] != "**") for j in states
                if j < len(parts) and (parts[j] == "**" or self.match(parts[j], name))}


class FolderTest:
    """What a list of globs can say of a folder (ending in '/') before any path in it is seen: may
    one of them match a path inside it (`may_match_inside`), or does one match every path inside
    it (`matches_all_inside`)? The one reading of a glob's folders, for every walk that prunes (a
    checkout's, GitHub's folder by folder listing, a link's target).

    Why: the literal leading folders of a glob (`docs/` of `docs/*.md`) walked `docs/sub/`, where
    nothing can match, and warned of a link there as "the files in it are not synced"; and a folder
    the excludes matched five probe names in (`docs/*` with `docs/*/*`) was pruned although
    `docs/a/b/c.ttl` is matched by neither. A glob is read a folder at a time: braces expanded, `**`
    any number of folders (none too), any other part one folder's name as wcmatch matches a name.
    Where unsure (a `\\` escape, a `/` inside `[...]`), a glob may match inside and matches not all.
    """

    def __init__(self, patterns: Iterable[str]):
        self._unsure = False  # a glob read as "may match inside, matches not all"
        self._sure: list[tuple[str, ...]] = []  # each other glob's parts
        for pattern in expand(patterns):  # (each choice of its braces, as compile_globs reads them)
            if "\\" in pattern or re.search(r"\[[^\]]*/", pattern):
                self._unsure = True
                continue
            self._sure.append(tuple(p for p in pattern.split("/") if p))
        # (glob, the parts that may come next) of each glob that may still match below the root
        self._root = tuple((g, start) for g, parts in enumerate(self._sure) if (start := _ahead(parts, {0})))
        self._anywhere = any(parts[:1] == ("**",) for parts in self._sure)  # as the default globs: alive everywhere
        self._seen: dict[str, tuple[tuple[int, frozenset[int]], ...]] = {}  # a folder's, as `_live` says
        self._ahead: dict[tuple[int, frozenset[int]], frozenset[int]] = {}  # (glob, parts matched): `_ahead`'s
        self._parts = _PartTest()

    def may_match_inside(self, folder: str) -> bool:
        return self._unsure or self._anywhere or bool(self._live(folder))

    def matches_all_inside(self, folder: str) -> bool:
        return any(_any_path(self._sure[g][j:]) for g, states in self._live(folder) for j in states)

    def _live(self, folder: str) -> tuple[tuple[int, frozenset[int]], ...]:
        """(glob, the parts that may come next) of each glob still alive once `folder`'s names are
        matched: its parent's, one name further. Why kept per folder: a walk asks of a folder after
        its parent, and a glob is one step a folder where it is alive; every glob matched against
        every name of every folder's path, 900 excluded folders cost a 20,000-folder walk 3 minutes."""
        names = folder.split("/")[:-1]
        known = len(names)
        while known and "/".join(names[:known]) + "/" not in self._seen:
            known -= 1
        live = self._seen["/".join(names[:known]) + "/"] if known else self._root
        for i in range(known, len(names)):
            live = tuple((g, ahead) for g, states in live if (ahead := self._step(g, states, names[i])))
            if len(self._seen) >= MAX_FOLDERS_KEPT:  # (a walk's path is asked again at most: depth steps)
                self._seen.clear()
            self._seen["/".join(names[: i + 1]) + "/"] = live
        return live

    def _step(self, g: int, states: frozenset[int], name: str) -> frozenset[int]:
        """The parts of glob `g` that may come next once `name` is matched at `states`."""
        parts = self._sure[g]
        key = (g, frozenset(self._parts.step(parts, states, name)))
        if key not in self._ahead:
            if len(self._ahead) >= MAX_FOLDERS_KEPT:
                self._ahead.clear()
            self._ahead[key] = _ahead(parts, key[1])
        return self._ahead[key]

MAX_FOLDERS_KEPT = 4096  # FolderTest's folders answered, kept for their children (a walk's next questions)


def _ahead(parts: tuple[str, ...], states: Iterable[int]) -> frozenset[int]:
    """`states` past their `**`s (_past_globstars), without the end: a glob used up matches nothing below."""
    return frozenset(j for j in _past_globstars(parts, states) if j < len(parts))


def _past_globstars(parts: tuple[str, ...], states: Iterable[int]) -> set[int]:
    """`states` with, for each `**` at one of them, the part after it too (`**` matches no folder too)."""
    todo, out = list(states), set(states)
    while todo:
        j = todo.pop()
        if j < len(parts) and parts[j] == "**" and j + 1 not in out:
            out.add(j + 1)
            todo.append(j + 1)
    return out


def _any_path(rest: tuple[str, ...]) -> bool:
    """Do these glob parts match every path of one or more names: `**`, `**/*` (wcmatch's `*/**`
    wants two names)."""
    return "**" in rest and all(p == "**" for p in rest[:-1]) and rest[-1] in ("**", "*")
