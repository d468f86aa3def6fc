"""Where files come from: a local tree or a GitHub repository.

A source lists the selected files with their git blob hashes (so unchanged files are skipped
without being read) and later hands over the contents of the files that must be parsed. Local
contents are handed over as a filesystem path the worker process reads itself; remote contents as
bytes. Sources never parse and never touch the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import NamedTuple, Protocol

from ontosync.formats import SUPPORTED_GLOBS, is_bare_extension, is_page_file, not_read_reason
from ontosync.sources.globs import FolderTest, GlobError, compile_globs, from_root
from ontosync.sources.names import recorded_name
from ontosync.sources.unmatched import FLAG, UnmatchedGlobs


class SourceFile(NamedTuple):
    path: str  # POSIX path relative to the source root (after --path, still from the root)
    blob_sha: str | None  # git blob hash; None when the file is refused before reading
    size: int
    refused: str | None = None  # why the file is not read at all (too large, a FIFO, ...)


# Why a symbolic link is not followed: the same words from a checkout's walk (sources/local.py) and
# from the GitHub source (sources/github_links.py), which follow links alike.
LINK_OUTSIDE = "symbolic link leads outside the source root"
LINK_INTO_GIT = "symbolic link into .git/ (not read)"
LINK_BROKEN = "broken symbolic link: its target does not exist"
LINK_LOOP = "symbolic link loop: the link leads back to itself"
LINK_TO_FOLDER = "symbolic link to a folder"
LINK_UNEXAMINED = "symbolic link whose target cannot be examined"  # a folder, maybe: its files lost


def link_warning(path: str, why: str) -> dict | None:
    """The warning of a selected link that is not followed (`why`, one of the LINK_ words), or None
    for another refusal. Why: the file was recorded `skipped`, one more among the pages that hold
    no class, and neither the report nor the terminal named it."""
    if why == LINK_TO_FOLDER:
        return linked_folder_warning(path)
    if why.startswith(LINK_UNEXAMINED):  # named by a checkout's walk only: GitHub has no permissions
        return {"path": path, "kind": "linked-folder", "line": None,
                "message": f"{why}, not followed: if it leads to a folder, the files in it are not synced"}
    if why not in (LINK_OUTSIDE, LINK_INTO_GIT, LINK_BROKEN, LINK_LOOP):
        return None
    return {"path": path, "kind": "linked-file", "line": None,
            "message": f"{why}: not followed, the file is recorded skipped"}


def linked_folder_warning(path: str) -> dict:
    """The `linked-folder` warning of a symbolic link to a folder. Why: a link to a folder is never
    descended (it could lead out of the source), and `pages -> ../elsewhere/pages` lost every page
    in it without a word: no row, no warning, "0 files ... ok". Said alike by a checkout's walk
    (sources/local.py) and the GitHub source (sources/github.py)."""
    return {"path": path, "kind": "linked-folder", "line": None,
            "message": "a symbolic link to a folder, not followed: the files in it are not synced "
                       "(links to folders are never descended; sync the folder itself, or link its files)"}


def submodule_warning(path: str) -> dict:
    """The `submodule` warning of a submodule whose files the sync does not read. Why: the GitHub
    source skipped each one (a tree entry of mode 160000) without a word, as a checkout's walk
    skipped one not checked out (an empty folder), every page in it missing from the database.
    Said alike by both sources (sources/github.py, sources/local.py)."""
    return {"path": path, "kind": "submodule", "line": None,
            "message": "a submodule, not read: the files in it are not synced (the GitHub source reads no "
                       "submodule; a checkout holds its files once they are checked out: `git submodule update "
                       "--init`, actions/checkout's `submodules: true`)"}


class Source(Protocol):
    description: str  # what the report calls the source: a directory or github:owner/repo@ref
    revision: str | None  # commit sha when known

    def list_files(self) -> Iterator[SourceFile]:
        """Every selected file, lazily, in a stable order."""

    def count_files(self) -> int:
        """How many files `list_files` will yield, cheaply (no hashing, no download): the
        progress total, known before the first file is parsed."""

    def contents(self, files: Iterable[SourceFile]) -> Iterator[tuple[SourceFile, bytes | str]]:
        """For each file to parse: its bytes, or a local path the worker opens itself."""

    def read_file(self, path: str, max_size: int) -> bytes | None:
        """One small file by its path from the source root, whether or not the filter selects it
        (a Logseq graph's `logseq/config.edn`); None when it is absent or not a regular file;
        FileTooLarge when it is larger than `max_size` (there, so its caller can say why it is not
        used); SourceError when it is there but cannot be read."""


class FileTooLarge(OSError):
    """A file larger than the size its reader allows. An OSError, so a parse worker's read reports
    it as any failed read; `Source.read_file` raises it rather than returning None, which would
    take the file for absent (an oversized config.edn was silently ignored, its warning never said)."""

    def __init__(self, size: int | None, limit: int):  # (None: more than the limit, the read stopped there)
        super().__init__(f"file too large: {_bytes(size, limit)} (limit {limit})")
        self.size, self.limit = size, limit

    @classmethod
    def check(cls, size: int, limit: int) -> int:
        """`size` when within `limit`, else raised."""
        if size > limit:
            raise cls(size, limit)
        return size


def too_large(size: int | None, limit: int) -> str:
    """Why a file larger than --max-file-size is refused unread: the same words from either source."""
    return f"file too large: {_bytes(size, limit)} (limit {limit}, --max-file-size)"


def _bytes(size: int | None, limit: int) -> str:
    """A file's size, or (None: its read stopped past the limit) what is known of it."""
    return f"more than {limit} bytes" if size is None else f"{size} bytes"


class SourceError(Exception):
    """The source cannot be read at all (missing folder, bad token, unknown repository): exit 2."""


class SourceInterrupted(Exception):
    """The source cannot go on for now (a rate limit past the allowed wait): checkpoint, exit 1."""

    def said(self, saved: bool) -> str:
        """The run's last line, once it knows whether its last checkpoint was `saved`."""
        return str(self)


def git_blob_sha(data: bytes) -> str:
    """The hash git (and GitHub's API) reports for a file: sha1 of `blob <len>\\0` + content."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


MAX_NOT_READ = 100  # `not-read` warnings named one by one in a report


def nothing_under_path(subdir: str, included: tuple[str, ...]) -> str:
    """The refusal of `--include` globs none of which can select a file under `--path`. Why: globs are
    relative to the source root, and `--path pages --include '*.md'` synced nothing, exit 0, without
    a word."""
    shown = ", ".join(repr(g) for g in included[:3]) + (f" and {len(included) - 3} more" if len(included) > 3 else "")
    return (f"--include {shown}: no glob can select a file under --path {subdir.rstrip('/')} (globs are relative "
            f"to the source root, not to --path: write {_under(subdir, included[0])})")


def all_left_out(subdir: str, excluded: tuple[str, ...]) -> str | None:
    """The refusal of an `--exclude` glob that leaves out every file `--path` can hold (not only the
    files there now). Why: `--path pages --exclude pages/` synced nothing, exit 0, without a word."""
    for glob in excluded:
        if FolderTest([glob]).matches_all_inside(subdir):
            return (f"--exclude {glob!r} leaves out every file under --path {subdir.rstrip('/')} "
                    "(nothing would be synced)")
    return None


def _under(subdir: str, glob: str) -> str:
    """A glob from the source root that selects under `subdir` what `glob` was meant to: `glob` below
    it, or, for a glob naming that folder or one above it (`pages` for --path pages), the folder's
    own glob (`pages/`). Why: the hint said "write pages/pages", and "journals/./pages/*.md"."""
    bare = from_root(glob)
    folder = bare.rstrip("/")
    return f"{folder}/" if folder and subdir.startswith(f"{folder}/") else subdir + bare


class PathFilter:
    """Include/exclude globs relative to the source root (see `ontosync.sources.globs` for the
    syntax: `**`, braces, classes).

    With no include globs, the supported extensions are included (a Logseq page's in any letter
    case). `.git/` is always excluded, and so is a file named only an extension (`.md`:
    formats.is_bare_extension).
    """

    def __init__(self, include: Iterable[str] = (), exclude: Iterable[str] = (), subdir: str | None = None,
                 include_from: str = FLAG):
        included = tuple(include)
        self.include_globs = included or SUPPORTED_GLOBS
        self.default = not included  # the default selection takes `Cat.MD`, as Logseq does (formats.is_page_file)
        # path -> why: ontology files the default selection leaves out (formats.not_read_reason),
        # for the sync's `not-read` warnings. Under the user's own --include, nothing is noted.
        self.not_read: dict[str, str] | None = {} if self.default else None
        self.exclude_globs = tuple(exclude)
        try:
            self._include = compile_globs(self.include_globs)
            self._exclude = compile_globs(self.exclude_globs)
            self.unmatched = UnmatchedGlobs(included, include_from)  # (the user's globs: none by default)
        except GlobError as exc:
            raise SourceError(str(exc)) from None
        # what the globs say of a folder before any path in it is seen (may_select_under)
        self._include_folders, self._exclude_folders = FolderTest(self.include_globs), FolderTest(self.exclude_globs)
        # `--path` as the OS names it (the local walk starts there) and as the paths under it are
        # recorded (escaped when odd, sources/names.py): the filter meets recorded paths only, the
        # listing's and the database's, so a --path sync records what a whole-tree sync records.
        self.os_subdir = subdir.strip("/") + "/" if subdir and subdir.strip("/") not in ("", ".") else ""
        self.subdir = recorded_name(self.os_subdir)
        # (said by the source once it has found --path a folder: check_selectable)
        self.unselectable = nothing_under_path(self.subdir, included) if self.subdir and included and \
            not self._include_folders.may_match_inside(self.subdir) else None
        self.unselectable = self.unselectable or (self.subdir and all_left_out(self.subdir, self.exclude_globs))

    def check_selectable(self) -> None:
        """SourceError when no include glob can select a file under --path. Called by a source once
        --path is known to be a folder. Why not in __init__: `--path pages/p.md` (a file) or a
        misspelt folder was refused for its globs, with a hint that cannot work ("write
        pages/p.md/pages/p.md"), where the problem is --path's, said in its own words."""
        if self.unselectable:
            raise SourceError(self.unselectable)

    def __call__(self, path: str) -> bool:
        if path.startswith(".git/") or "/.git/" in path:
            return False
        if self.subdir and not path.startswith(self.subdir):
            return False
        if not self._include.match(path) and not (self.default and is_page_file(path)):
            self._note_not_read(path)
            return False
        self.unmatched.seen(path)
        return not self._exclude.match(path) and not is_bare_extension(path)

    def may_select_under(self, folder: str) -> bool:
        """Can any path under `folder` (ending in '/') pass the filter? The one decision of every walk
        that prunes: a checkout's folders, GitHub's truncated tree, a link's target (and whether its
        `linked-folder` warning is said). Exact for `--path` and `.git`; for the globs as
        `globs.FolderTest` reads them, True when unsure (the files are filtered one by one anyway)."""
        if folder.startswith(".git/") or "/.git/" in folder:
            return False
        if self.subdir and not (folder.startswith(self.subdir) or self.subdir.startswith(folder)):
            return False
        return self._include_folders.may_match_inside(folder) and not self._exclude_folders.matches_all_inside(folder)

    def not_read_warnings(self) -> list[dict]:
        """The `not-read` warnings of the report, in path order (past MAX_NOT_READ, one count), and
        the `unmatched-glob` ones (sources/unmatched.py)."""
        found = sorted((self.not_read or {}).items())
        out = self.unmatched.warnings()
        out += [{"path": p, "kind": "not-read", "message": why, "line": None} for p, why in found[:MAX_NOT_READ]]
        if len(found) > MAX_NOT_READ:
            out.append({"path": None, "kind": "not-read", "line": None,
                        "message": f"{len(found) - MAX_NOT_READ} more files not read"})
        return out

    def _note_not_read(self, path: str) -> None:
        if self.not_read is None:
            return
        reason = not_read_reason(path)  # None for nearly every file: the cheap test first
        if reason is not None and not self._exclude.match(path):
            self.not_read[path] = reason
