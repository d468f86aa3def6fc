"""A local tree: the Action's checkout, or any folder.

The walk is lazy and sorted (a stable order), and never leaves the root: a symbolic link is
followed only when its target stays inside the root, a linked folder is never descended (but named
in a `linked-folder` warning, the files in it being left out), and
FIFOs, sockets and devices are refused without being opened. Each selected file is hashed as git
would (streamed, nothing kept), so unchanged files are skipped without parsing; the worker that
parses a file reads it again itself, so no file contents travel through the pipeline. With the
stat cache (pipeline/stat_cache.py), a file whose stat matches is not read at all, and a path the
database does not know is hashed only by the worker that parses it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ontosync.console import not_there
from ontosync.sources import (
    LINK_BROKEN,
    LINK_INTO_GIT,
    LINK_LOOP,
    LINK_OUTSIDE,
    LINK_TO_FOLDER,
    LINK_UNEXAMINED,
    FileTooLarge,
    PathFilter,
    SourceError,
    SourceFile,
    link_warning,
    submodule_warning,
    too_large,
)
from ontosync.sources.git_head import checkout_revision
from ontosync.sources.names import display_name, needs_escape, os_name, recorded_name, unescape_name

READ_CHUNK = 1 << 20


class LocalSource:
    def __init__(self, root: str | Path, path_filter: PathFilter, max_file_size: int):
        self.root = Path(root)
        if not os.path.isdir(self.root):  # Path.is_dir() raised on a name past NAME_MAX (not_there says so)
            raise SourceError(not_there("source directory", root, "a folder"))
        self.real_root = Path(os.path.realpath(self.root))
        self._root = str(self.real_root)  # joined with each path as a str: pathlib interns every part it parses
        self._root_slash = os.path.join(self._root, "")  # each path is this + its recorded path (or not: odd names)
        self.filter = path_filter
        self.max_file_size = max_file_size
        # as file names are recorded: a folder named in Latin-1 (`src\xff`) made the checkpoint's
        # JSON unwritable (UnicodeEncodeError), a traceback before the first file
        self.description = recorded_name(str(root))
        self.revision, unread = checkout_revision(self.real_root)
        # names the walk had to leave out (see sources/names.py); a `.git/HEAD` it could not read
        self.warnings: list[dict] = [{"path": None, "kind": "revision", "line": None, "message": unread}] \
            if unread else []
        self._os_paths: dict[str, str] = {}  # recorded path -> OS path, for escaped names only
        self._linked: set[tuple[str, str]] = set()  # links named in `warnings`, once (the counting walk meets them too)
        self._submodules: set[str] = set()  # "path/" of each submodule a `.gitmodules` the walk met declares
        self._start_prefix = ""
        self.stat_cache = None  # set by the sync: pipeline/stat_cache.py (hashes only what `stat` says changed)
        self._check_listable(self._start())
        self.filter.check_selectable()  # (after --path's own problems: _start)

    def _start(self) -> Path:
        if not self.filter.subdir:
            return self.real_root
        sub = self.filter.os_subdir.rstrip("/")
        start = self.real_root / sub
        if not start.is_dir():
            raise SourceError(f"--path {sub}: not a folder" if os.path.lexists(start)
                              else f"--path folder not found in the source: {sub}")
        if os.path.realpath(start) != str(start):  # a link on the way: the walk would leave the root
            raise SourceError(f"--path must not pass through a symbolic link: {sub}")
        return start

    def _check_listable(self, folder: Path) -> None:
        """A root that cannot be listed would read as an empty tree and delete every row: exit 2."""
        try:
            with os.scandir(folder) as it:
                next(it, None)
        except OSError as exc:
            raise SourceError(f"cannot list the source folder {folder}: {exc.strerror or exc}") from exc

    def list_files(self) -> Iterator[SourceFile]:
        for os_path, rel, marker in self._selected():
            if marker is not None:
                yield marker
                continue
            if os_path != self._root_slash + rel:  # a concatenation: os.path.join a file cost ~3 us (issue 18)
                self._os_paths[rel] = os_path
            yield self._describe(_PathEntry(os_path), rel)

    def count_files(self) -> int:
        """How many files `list_files` will yield: the same walk without hashing (names only), so
        the progress bar has its total before the first file is parsed."""
        return sum(1 for _, _, marker in self._selected() if marker is None)

    def _selected(self) -> Iterator[tuple[str, str, SourceFile | None]]:
        """The walk, depth first, with a stack of the folders being listed rather than recursion:
        a tree nested a thousand folders deep (a path of 2,000 bytes) passed Python's recursion
        limit as nested generators, a traceback that stopped every sync of it."""
        start = self._start()
        self._start_prefix = recorded_name(self._rel(start))  # recorded form, as the filter's subdir
        above = ""
        for part in self.filter.os_subdir.split("/")[:-1]:  # the folders above --path: their .gitmodules too
            self._read_gitmodules(os.path.join(self._root, above), recorded_name(above))
            above += part + "/"
        stack = [self._walk(start, self._start_prefix)]
        while stack:
            item = next(stack[-1], None)
            if item is None:
                stack.pop()
            elif item[2] is _DESCEND:
                stack.append(self._walk(Path(item[0]), item[1]))
            else:
                yield item
        self.filter.unmatched.walked = True  # every file a glob may select was seen (unmatched-glob)

    def contents(self, files: Iterable[SourceFile]) -> Iterator[tuple[SourceFile, str]]:
        for sf in files:  # the worker opens the file itself
            path = self._os_paths.pop(sf.path, None) or os.path.join(self._root, sf.path)
            if os.path.islink(path):
                # A link the walk accepted leads to a file inside the root: hand over that file, since
                # the worker opens without following a final link. A link changed since the walk to
                # lead outside stays unresolved, and the worker's open refuses it.
                target = os.path.realpath(path)
                if self._inside(target):
                    path = target
            yield sf, path

    def read_file(self, path: str, max_size: int) -> bytes | None:
        """A small file by path (see `Source.read_file`); never one outside the root."""
        if not _safe_relpath(path):
            return None
        full = os.path.realpath(self.real_root / unescape_name(path))  # the OS name of a recorded path
        if not self._inside(full) or self._in_git(full):
            # as the walk: never through a link into .git/ (`logseq/config.edn -> ../.git/config`
            # applied the file where actions/checkout keeps the job's token as the graph's settings)
            return None
        try:
            return read_with_stat(full, max_size)[0]  # `full` has no link left: read only there
        except FileTooLarge:
            raise
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EIO):
                # there but unreadable: taken for absent, its settings (config.edn: what is a page,
                # what it is called) would silently change every file's facts
                raise SourceError(f"cannot read {path}: {exc.strerror}") from None
            return None

    def _inside(self, target: str) -> bool:
        return os.path.commonpath([target, str(self.real_root)]) == str(self.real_root)

    def _in_git(self, target: str) -> bool:
        """Whether `target` (a real path inside the root) lies in a `.git` folder, in any case: on a
        case-insensitive file system (macOS, Windows) `../.GIT/config` is the clone's `.git/config`,
        where actions/checkout keeps the job's token (config.py compares the outputs' paths so too)."""
        return ".git" in (part.lower() for part in Path(target).relative_to(self.real_root).parts)

    def _rel(self, p: Path) -> str:
        rel = p.relative_to(self.real_root).as_posix()
        return "" if rel == "." else rel + "/"

    def _walk(self, folder: Path, prefix: str) -> Iterator[tuple[str, str, SourceFile | None]]:
        """(OS path, recorded path, None) for each selected file of one folder, in recorded-path
        order, and (OS path, recorded path + "/", _DESCEND) where a subfolder's turn comes. A folder
        that cannot be listed yields one marker instead, `SourceFile("<folder>/", refused="cannot
        list folder: ...")`, so the planner keeps the rows of the files it held instead of taking
        them for deleted."""
        try:
            # Folders sort as "name/": the walk then yields full paths in plain string order, the
            # order the pipeline's merge join with the database relies on. The sorted names are kept
            # as one "\0"-separated string while the folder is walked (a Logseq pages folder holds
            # every page, and its walk lasts the whole run): a list of os.DirEntry objects, which
            # keep their stat results, took ~850 bytes a file, a list of str ~60 bytes plus the name.
            # Names are sorted in their recorded form (escaped when odd: sources/names.py).
            odd: dict[str, str] = {}
            with os.scandir(folder) as it:
                keys = "\0".join(sorted(k for k in (self._key(e, odd) for e in it) if k is not None))
        except OSError as exc:
            if prefix == self._start_prefix:
                raise SourceError(f"cannot list the source folder {folder}: {exc.strerror or exc}") from exc
            yield "", prefix, SourceFile(prefix, None, 0, f"cannot list folder: {exc.strerror or exc}")
            return
        base = os.path.join(os.fspath(folder), "")  # ends with the separator: each file's path is base + name
        self._submodules_in(base, prefix, keys)
        pos, end = 0, len(keys)
        while pos < end:
            stop = keys.find("\0", pos)
            stop = end if stop < 0 else stop
            key, pos = keys[pos:stop], stop + 1
            is_dir = key.endswith("/")
            name = key[:-1] if is_dir else key
            os_name = odd.get(name, name)
            rel = prefix + name
            if name == ".git":
                continue
            if is_dir:
                if self.filter.may_select_under(rel + "/"):  # not an --exclude'd folder (as on GitHub)
                    yield base + os_name, rel + "/", _DESCEND
                continue
            if not self.filter(rel):
                continue
            yield base + os_name, rel, None

    def _submodules_in(self, base: str, prefix: str, keys: str) -> None:
        """Note the submodules a folder's `.gitmodules` declares (a submodule's own, nested, names
        paths from its folder), and name a declared one that is empty: not checked out, its files
        are not synced (sources.submodule_warning, as the GitHub source names every submodule)."""
        if not keys and prefix in self._submodules:
            warning = submodule_warning(prefix.rstrip("/"))
            if warning not in self.warnings:  # the counting walk meets it too
                self.warnings.append(warning)
        if "\0.gitmodules\0" in f"\0{keys}\0":
            self._read_gitmodules(base, prefix)

    def _read_gitmodules(self, base: str, prefix: str) -> None:
        """The submodules the `.gitmodules` in `base` (the folder recorded as `prefix`) declares."""
        try:
            text = read_regular_file(base + ".gitmodules", 1 << 20).decode("utf-8", "surrogateescape")
        except OSError:
            return
        for m in re.finditer(r"^\s*path\s*=\s*(.*?)\s*$", text, re.MULTILINE):
            path = m.group(1).strip('"').strip("/")
            if path and _safe_relpath(path):
                self._submodules.add(prefix + display_name(path) + "/")  # git's name, read as UTF-8

    def _key(self, entry: os.DirEntry, odd: dict[str, str]) -> str | None:
        """The sort key of an entry: its recorded name, plus "/" for a folder; None to leave it out."""
        name = entry.name
        if needs_escape(name):
            shown = recorded_name(name)
            if shown in odd or _plain_twin(entry, shown):
                rel = recorded_name(os.path.relpath(entry.path, self.real_root))
                warning = {"path": rel, "kind": "file-name", "line": None,
                           "message": "left out: its escaped name is also another file's name"}
                if warning not in self.warnings:  # the counting walk meets it too
                    self.warnings.append(warning)
                return None
            odd[shown] = name
            name = shown
        if entry.is_symlink():
            self._note_linked_folder(entry)
        return name + "/" if _is_dir(entry) else name

    def _note_linked_folder(self, entry: os.DirEntry) -> None:
        """Warn of a link to a folder the filter could select files in (sources.link_warning):
        the walk does not descend it, and its files were lost without a word."""
        try:
            if entry.name == ".git" or not entry.is_dir():  # followed: the link's target
                return
            why = LINK_TO_FOLDER
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM):  # a loop: no folder to lose
                return
            why = f"{LINK_UNEXAMINED} ({exc.strerror})"  # `pages -> /srv/private/pages`: a folder, maybe
        rel = recorded_name(os.path.relpath(entry.path, self.real_root))
        if self.filter(rel):  # `x.md -> /elsewhere/folder`: the walk names it (linked-file), once
            return
        if self.filter.may_select_under(rel + "/") and not self._synced_anyway(entry.path):
            self._link_not_followed(rel, why)

    def _synced_anyway(self, link: str) -> bool:
        """Is the link's target a folder the walk lists itself? `src/latest -> pages` was warned
        of as "the files in it are not synced", though pages/ was synced."""
        target = os.path.realpath(link)
        if not self._inside(target) or self._in_git(target):
            return False
        rel = recorded_name(self._rel(Path(target)))
        return rel.startswith(self._start_prefix) and self.filter.may_select_under(rel)

    def _link_not_followed(self, rel: str, why: str) -> SourceFile:
        """The refused file of a link not followed, and its warning, once (sources.link_warning)."""
        warning = link_warning(rel, why)
        if warning is not None and (warning["kind"], rel) not in self._linked:
            self._linked.add((warning["kind"], rel))
            self.warnings.append(warning)
        return SourceFile(rel, None, 0, why)

    def _describe(self, entry: os.DirEntry | _PathEntry, rel: str) -> SourceFile:
        try:
            st = entry.stat(follow_symlinks=False)
            path = entry.path
            if stat.S_ISLNK(st.st_mode):
                target = os.path.realpath(entry.path)
                if not self._inside(target):
                    return self._link_not_followed(rel, LINK_OUTSIDE)
                if self._in_git(target):
                    # the walk never reads .git/ (actions/checkout keeps the job's token in its config)
                    return self._link_not_followed(rel, LINK_INTO_GIT)
                try:
                    st = os.stat(target)
                except (FileNotFoundError, NotADirectoryError):  # `a.md -> file.md/x` too, as on GitHub
                    return self._link_not_followed(rel, LINK_BROKEN)
                except OSError as exc:
                    if exc.errno == errno.ELOOP:
                        return self._link_not_followed(rel, LINK_LOOP)
                    raise
                if stat.S_ISDIR(st.st_mode):
                    return self._link_not_followed(rel, LINK_TO_FOLDER)
                path = target  # hashed as the worker reads it: the file inside, not through the link
            if not stat.S_ISREG(st.st_mode):
                return SourceFile(rel, None, 0, f"not a regular file ({file_kind(st.st_mode)})")
            if st.st_size > self.max_file_size:
                return SourceFile(rel, None, st.st_size, too_large(st.st_size, self.max_file_size))
            if self.stat_cache is None:
                return SourceFile(rel, hash_file(path, st.st_size), st.st_size)
            # None when the stat cache has no match: hashed later, in the planner for a path the
            # database knows, in the parsing worker for a new one (pipeline/stat_cache.py).
            return SourceFile(rel, self.stat_cache.lookup(rel, st, lambda: hash_file(path, st.st_size)), st.st_size)
        except OSError as exc:
            return SourceFile(rel, None, 0, f"cannot read: {exc.strerror or exc}")


_DESCEND: Any = object()  # the walk's marker: list this subfolder now (LocalSource._selected)


class _PathEntry:
    """The part of os.DirEntry that _describe uses, made from a path."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        return os.stat(self.path, follow_symlinks=follow_symlinks)


def _plain_twin(entry: os.DirEntry, shown: str) -> bool:
    """Another file of the folder whose own name is `shown`, the recorded form of `entry`'s name."""
    try:
        twin = os_name(shown)
    except UnicodeError:  # no name under this locale: no such file
        return False
    return twin != entry.name and os.path.lexists(os.path.join(os.path.dirname(entry.path), twin))


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def hash_file(path: str, size: int) -> str:
    """git blob hash, streamed. Opened as a worker opens (`_open_regular`): the walk's stat said
    regular file, but a FIFO swapped in since blocked the plain open() for ever, the run hung."""
    h = hashlib.sha1(b"blob %d\0" % size)
    fd, _ = _open_regular(path)
    with os.fdopen(fd, "rb") as fh:
        while chunk := fh.read(READ_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def read_regular_file(path: str, max_size: int) -> bytes:
    """Read a file without following a final symlink swapped in since the walk (a path that may
    lead through links: git's HEAD through a worktree's `gitdir`)."""
    return read_with_stat(path, max_size, walked=False)[0]


def read_with_stat(path: str, max_size: int, walked: bool = True) -> tuple[bytes, os.stat_result]:
    """`read_regular_file`, and the fstat of the file it read (what the stat cache keys on); a
    `walked` path (the walk's, links resolved: `contents`) is read only where the walk found it."""
    fd, st = _open_regular(path, walked)
    try:
        if st.st_size > max_size:
            raise FileTooLarge(st.st_size, max_size)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return read_bounded(fh, min(st.st_size, max_size) + 1, max_size + 1), st
    finally:
        os.close(fd)


def _open_regular(path: str, walked: bool = True) -> tuple[int, os.stat_result]:
    """A descriptor on the regular file at `path`, and its fstat, or OSError: never through a final
    link (one swapped in since the walk), never blocking on a FIFO or a device. A `walked` path has
    no link in it (the walk descends into no linked folder, `contents` resolves a linked file): the
    file opened must be at that very path, else a folder on it became a link since the walk, which
    O_NOFOLLOW (the last name only) let through: `pages/` swapped for a link out of the source had
    a file outside read as `pages/a.md`."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a link that was not there (or not inside) at the walk
            raise OSError("the file became a symbolic link since the walk; not followed") from None
        raise
    try:
        if walked and _opened_elsewhere(fd, path):
            raise OSError("a folder on its path changed since the walk (a symbolic link now?); not read")
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"not a regular file ({file_kind(st.st_mode)})")
    except OSError:
        os.close(fd)
        raise
    return fd, st


def _opened_elsewhere(fd: int, path: str) -> bool:
    """Whether the kernel's name of the open file (/proc/self/fd, Linux) is not `path` as given;
    False where that name cannot be read."""
    try:
        # a walked path is absolute and normal already (the root's realpath joined to walked names)
        return os.readlink(f"/proc/self/fd/{fd}") != (path if path.startswith("/") else os.path.abspath(path))
    except OSError:
        return False


def read_bounded(fh, first: int, limit: int) -> bytes:
    """Up to `limit` bytes: `first` (the size fstat gave, plus one) in one read, then, for a file
    that grew since, the rest in chunks. `fh.read(limit)` at once asked for a buffer of the limit's
    size: `--max-file-size 10**15` failed every file with MemoryError."""
    data = fh.read(first)
    if len(data) < first:
        return data
    parts, got = [data], len(data)
    while got < limit and (chunk := fh.read(min(READ_CHUNK, limit - got))):
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _safe_relpath(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and ".." not in parts and "" not in parts


def file_kind(mode: int) -> str:
    """What a file that is no regular file is, in the words the run's messages use ("a FIFO")."""
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"
