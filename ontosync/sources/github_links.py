"""Symbolic links in a GitHub tree, followed as a checkout's walk follows them (sources/local.py).

Why: the same commit must give the same database whether it is synced from a checkout or through
the API. A checkout follows a link whose target is a file inside the repository and refuses the
rest; the GitHub source skipped every link, so a page kept as a link was in one database and
missing from the other. Git stores a link as a blob holding its target's path (tree mode 120000):
reading that text costs one blob request per link (cached by blob sha), or, past the blob
threshold, one tarball download for all of them (the archive holds each link with its text, and
the download host is not rate limited), and the target is then looked up in the tree listing the
sync already holds. Resolution walks the target's path one folder at a time, as the kernel does:
`..` applies to the folder reached so far, a link met on the way is followed in its turn (a link
to a folder, then a file in it), and never past the repository's root nor more than MAX_HOPS
links (a loop). The link is recorded with its target's blob sha and size, as the checkout's walk
hashes the target's content.
"""

from __future__ import annotations

import logging
import tarfile
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from ontosync.sources import (
    LINK_BROKEN,
    LINK_INTO_GIT,
    LINK_LOOP,
    LINK_OUTSIDE,
    LINK_TO_FOLDER,
    FileTooLarge,
    PathFilter,
    SourceError,
    SourceFile,
    SourceInterrupted,
    git_blob_sha,
    link_warning,
)
from ontosync.sources.github_limits import RateLimitStop
from ontosync.sources.github_tarball import GitHubUnavailable, Transient
from ontosync.sources.github_tree import TreeItem
from ontosync.sources.names import display_name

log = logging.getLogger("ontosync.sources.github")
LINK_MODE = "120000"
MAX_HOPS = 40  # links followed for one path before it is called a loop (Linux's MAXSYMLINKS)
MAX_TARGET = 4096  # PATH_MAX: a longer target cannot be a link in a checkout; never downloaded


class LinkTarget(NamedTuple):
    path: str  # the target's path from the repository root, as git names it
    mode: str
    sha: str
    size: int


Child = Callable[[str, str], "TreeItem | None"]  # (folder path, name) -> that entry, None if absent


def follow_link(path: str, child: Child, link_text: Callable[[str], str],
                reached: list[str] | None = None) -> LinkTarget | str:
    """The file the link at `path` leads to, or why it is not followed (the checkout's words).

    `child(folder, name)` looks an entry up in the tree ("" is the root); `link_text(sha)` is the
    target text a link blob holds. `reached`, when given, is left holding the names of the path
    the resolution reached: for a link to a folder, that folder's.
    """
    resolved: list[str] = [] if reached is None else reached  # the folders reached so far, links resolved
    last: TreeItem | None = None  # the entry reached last; None: a folder
    todo = deque(path.split("/"))
    hops = 0
    while todo:
        name = todo.popleft()
        if name in ("", "."):
            continue
        if name == "..":
            if not resolved:
                return LINK_OUTSIDE
            resolved.pop()
            last = None
            continue
        if name == ".git":
            return LINK_INTO_GIT
        if last is not None:  # a file with more path after it
            return LINK_BROKEN
        item = child("/".join(resolved), name)
        if item is None:
            return LINK_BROKEN
        if item.mode == LINK_MODE:
            hops += 1
            if hops > MAX_HOPS:
                return LINK_LOOP
            if item.size > MAX_TARGET:
                return LINK_BROKEN
            text = link_text(item.sha)
            if text.startswith("/") or "\0" in text:  # an absolute target is outside the repository
                return LINK_OUTSIDE if text.startswith("/") else LINK_BROKEN
            todo.extendleft(reversed(text.split("/")))
            continue
        resolved.append(name)
        last = item if item.type == "blob" else None  # a submodule is a folder in a checkout
    if last is None:
        return LINK_TO_FOLDER
    return LinkTarget("/".join(resolved), last.mode, last.sha, last.size)


def folder_index(items: list[TreeItem], at: str = "") -> dict[str, dict[str, TreeItem]]:
    """folder path -> name -> entry, from a complete recursive listing of the folder `at` ("" the
    root, else its path with a trailing slash); the keys are paths from the repository's root."""
    index: dict[str, dict[str, TreeItem]] = {at.rstrip("/"): {}}
    for item in items:
        folder, _, name = (at + item.name).rpartition("/")
        index.setdefault(folder, {})[name] = item._replace(name=name)
        if item.type == "tree":
            index.setdefault(at + item.name, {})
    return index


def known_texts(texts: object) -> dict[str, str]:
    """The blobs a database kept (blob sha -> content as text, surrogate-escaped: a link's target,
    the graph's config), each checked against its sha: one that does not hash to its key is dropped
    (and read from GitHub again), so a copied or edited database can never point a link elsewhere."""
    if not isinstance(texts, dict):
        return {}
    return {sha: text for sha, text in texts.items() if isinstance(sha, str) and isinstance(text, str)
            and git_blob_sha(text.encode("utf-8", "surrogateescape")) == sha}


_NOT_READ = {LINK_OUTSIDE: "outside the repository", LINK_INTO_GIT: "inside .git/",
             LINK_TO_FOLDER: "a folder, not a file", LINK_LOOP: "a symbolic link loop"}  # (read_path's reasons)


class LinkFollower:
    """`GitHubSource`'s link following (a mixin, as github_tarball.TarballReader: the attributes
    below are the source's own). The folder index comes whole from the recursive listing, or, when
    GitHub truncated it, one folder listing per folder a target passes through."""

    description: str
    blob_threshold: int
    _tree_sha: str | None
    _folders: dict[str, dict[str, TreeItem]]
    _raw_links: dict[str, str]  # recorded path of a link -> its path as git names it
    _link_shas: dict[str, str]  # a link's path as git names it -> its blob sha, until the tarball is tried
    _link_texts: dict[str, str]  # link blob sha -> target text, as read this run
    _known_texts: dict[str, str]  # blob sha -> content, as the database kept them (known_texts)
    _linked_from: dict[str, dict[str, None]]  # recorded path of a target -> links to it, for the tarball
    filter: PathFilter
    warnings: list[dict]
    _maybe_folders: list[str]  # recorded paths of links not selected by name that may be folders
    _get_tree: Callable[..., tuple[list[TreeItem], bool]]
    _fetch_blob: Callable[..., bytes]
    _stopped: RateLimitStop | None  # a stop met outside the run (read_path): list_files raises it
    _read_tarball: Callable[..., Iterator[Any]]
    _entries: Callable[[], Any]

    def _follow(self, path: str, reached: list[str] | None = None) -> LinkTarget | str:
        """The target of the link recorded as `path` (see follow_link)."""
        target = follow_link(self._raw_links.get(path, path), self._child, lambda sha: self._link_text(path, sha),
                             reached)
        if isinstance(target, LinkTarget):
            self._linked_from.setdefault(display_name(target.path), {})[path] = None  # an ordered set
        return target

    def _link_text(self, path: str, sha: str) -> str:
        """The target text of the link blob `sha` met resolving `path`."""
        if self._link_shas:  # decided once, at the first link, for the links no run has read
            self._link_shas = {p: s for p, s in self._link_shas.items() if not self._kept_text(s)}
            if len(self._link_shas) > self.blob_threshold:
                self._texts_from_tarball()
            self._link_shas = {}
        if not self._kept_text(sha):
            try:
                data = self._fetch_blob(SourceFile(path, sha, 0), MAX_TARGET)
            except FileTooLarge:  # served longer than a target can be (its listed size was within): broken
                return "\0"
            self._link_texts[sha] = data.decode("utf-8", "surrogateescape")
        return self._link_texts[sha]

    def read_path(self, path: str, max_size: int) -> bytes:
        """The file at `path` from the repository's root at the synced commit, whether or not the
        filter selects it, its links followed as a checkout's read follows them (never past the
        root, nor into .git/); OSError saying why not (absent, a folder, too large, GitHub's
        failure). Why: a relative `jsonld-contexts:` file was read from the process's folder for
        `github:`, from the source root for a checkout; it is the repository's file on both."""
        try:
            self._entries()  # (the commit resolved; its listing was asked for anyway)
            target = follow_link(path, self._child, lambda sha: self._link_text(path, sha))
            if not isinstance(target, LinkTarget):
                raise OSError(_NOT_READ.get(target, f"not in {self.description}"))
            if target.size > max_size:
                raise OSError(f"{target.size} bytes, larger than --max-file-size ({max_size})")
            data = self._fetch_blob(SourceFile(path, target.sha, target.size))
        except RateLimitStop as exc:  # kept: the run stops at its listing, exit 1, as at any other read
            self._stopped = exc
            raise
        except (SourceError, SourceInterrupted) as exc:  # GitHub down: before the run's start
            raise OSError(f"cannot read it from {self.description}: {exc}") from None
        if len(data) > max_size:  # a listing that said it smaller than it is
            raise OSError(f"{len(data)} bytes, larger than --max-file-size ({max_size})")
        return data

    def _unselected_link(self, path: str, raw: str, sha: str) -> None:
        """A link the filter leaves out by its name (`pages`), where a folder could hold files it
        selects: followed with the selected links (its text counts toward the tarball's choice), to
        warn if it is a folder, whose files a checkout's walk does not descend either."""
        folder = path + "/"
        if self.filter.may_select_under(folder):
            self._maybe_folders.append(path)
            self._link_shas[raw] = sha

    def _name_linked_folders(self) -> None:
        """The `linked-folder` warnings of the links `_unselected_link` kept (once a run)."""
        maybe, self._maybe_folders = self._maybe_folders, []
        for path in sorted(maybe):
            reached: list[str] = []
            try:
                target = self._follow(path, reached)
            except GitHubUnavailable as exc:  # one link's text: no reason to stop the run
                log.warning("%s: cannot read the symbolic link from GitHub: %s", path, exc.last)
                continue
            if target == LINK_TO_FOLDER and not self._synced_anyway(reached):  # else a file or nothing, which
                self._note_link(path, LINK_TO_FOLDER)  # its name does not select: no loss

    def _synced_anyway(self, reached: list[str]) -> bool:
        """Is the folder a link leads to (its names, `reached`) one the listing selects files in
        itself? As a checkout's walk (sources/local.py): `src/latest -> pages` is no loss when
        pages/ is synced, and was named "not synced" from GitHub only."""
        folder = display_name("/".join(reached) + "/") if reached else ""
        return folder.startswith(self.filter.subdir) and self.filter.may_select_under(folder)

    def _unfollowed(self, path: str, why: str) -> SourceFile:
        """The refused file of a selected link that is not followed (`why`)."""
        self._note_link(path, why)
        return SourceFile(path, None, 0, why)

    def _note_link(self, path: str, why: str) -> None:
        """A link's warning (sources.link_warning), once."""
        warning = link_warning(path, why)
        if warning is not None and warning not in self.warnings:
            self.warnings.append(warning)

    def _kept_text(self, sha: str) -> bool:
        """Is the link's text in hand: read this run, or kept by the database from an earlier one
        (then taken into this run's texts, which the pipeline keeps for the next)?"""
        if sha not in self._link_texts and sha in self._known_texts:
            self._link_texts[sha] = self._known_texts[sha]
        return sha in self._link_texts

    def _texts_from_tarball(self) -> None:
        """Every listed link's text from one tarball download; a failed download leaves the rest
        to one blob request each (link_text). The texts are checked against the tree's blob shas."""
        wanted = dict(self._link_shas)

        def texts(tar: tarfile.TarFile) -> Iterator[None]:
            for member in tar:
                sha = wanted.get(member.name.partition("/")[2]) if member.issym() else None
                if sha is not None and git_blob_sha(member.linkname.encode("utf-8", "surrogateescape")) == sha:
                    self._link_texts[sha] = member.linkname
                    del wanted[member.name.partition("/")[2]]
                    if not wanted:
                        return
            yield from ()

        try:
            for _ in self._read_tarball({}, texts):
                pass
        except (Transient, GitHubUnavailable) as exc:
            log.info("link targets from the tarball: %s; reading them one by one", exc)

    def _child(self, folder: str, name: str) -> TreeItem | None:
        entries = self._folders.get(folder)
        if entries is None:
            parent, _, base = folder.rpartition("/")
            item = self._child(parent, base) if folder else None
            if folder and (item is None or item.type != "tree"):
                return None
            sha = item.sha if item is not None else self._tree_sha
            items, _truncated = self._get_tree(sha, recursive=False)
            entries = self._folders[folder] = {i.name: i for i in items}
        return entries.get(name)
