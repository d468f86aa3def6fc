"""The commit a local checkout is at, and the repository its `origin` names, read from `.git`
without running git.

`.git` comes with the tree, which may be a stranger's: its files are read as untrusted input. Only
regular files are opened (a FIFO or /dev/zero in their place would hang the run or fill memory),
each read is bounded, a `ref:` must name a ref under `refs/` (no `..`, so nothing outside `.git` is
read), and only a hexadecimal object name is taken as the revision (anything else is None: the
revision is recorded in the database, the report and the checkpoint). A `.git` that is a file
(`gitdir: PATH`: a submodule's checkout, a worktree's) or a link is followed only to a folder
inside the bound the caller names (the workspace, else the checkout itself): a stranger's tree
must not have the run read git files elsewhere on the machine.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from ontosync.sources.names import is_repository

_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1, or SHA-256 repositories
_REF = re.compile(r"refs/[^\s\\]+")
# `url = ...` of `[remote "origin"]`: https://HOST/OWNER/REPO[.git] or git@HOST:OWNER/REPO[.git]
_ORIGIN_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://[^/\s]+/|[^@/\s]+@[^:/\s]+:)(?P<name>[^/\s]+/[^/\s]+?)(?:\.git)?/?")
MAX_BYTES = 64 * 1024 * 1024  # packed-refs of a very large repository; HEAD and a ref are ~50 bytes


def git_head(root: Path, github_sha: bool = True) -> str | None:
    """The checkout's commit, or None when it cannot be told. `.git` comes first: GITHUB_SHA names
    the event's commit, and a workflow may check out another (a scheduled run syncing `release`, a
    pull request's head rather than its merge commit), whose tree was then recorded under the
    event's commit. GITHUB_SHA (unless `github_sha` is False) when `.git` tells nothing."""
    return checkout_revision(root, github_sha)[0]


def checkout_revision(root: Path, github_sha: bool = True) -> tuple[str | None, str]:
    """(git_head's answer, what to tell the user about it: "" unless `.git` holds a HEAD or branch
    the run could not read, when the revision recorded is GITHUB_SHA, or none). The commit handed
    for `root` (head_handed), when one is."""
    if (handed := _HEADS.get(Path(os.path.realpath(root)))) is not None:
        return handed, ""
    at, why = head_revision(root)
    if at is None and github_sha and os.environ.get("GITHUB_SHA"):
        at = os.environ["GITHUB_SHA"]
        return at, why and (f"cannot read {why}; the revision recorded is GITHUB_SHA {at[:12]}, the workflow "
                            "event's commit, which need not be the one checked out")
    return at, why and f"cannot read {why}; no revision is recorded"


def head_revision(root: Path, within: Path | None = None) -> tuple[str | None, str]:
    """(the checkout's commit or None, why `.git/HEAD` could not be read: "" when it was, or when
    there is no checkout to read). The why is said to the user (sources/local.py): unsaid, a HEAD
    the run may not read (mode 000, another user's) recorded GITHUB_SHA, the event's commit, as the
    revision of whatever the workflow had checked out. `within`: the folder its git files must be in
    (by default _bound's)."""
    folders = git_folders(root, within or _bound(root))
    if folders is None:
        return None, ""
    git, common = folders
    lines, why = _read(git / "HEAD")
    head = lines[0] if lines else None
    if head is None or not head.startswith("ref: "):
        return _sha(head), why and f".git/HEAD: {why}"
    ref = head[5:].strip()
    if not _REF.fullmatch(ref) or ".." in ref.split("/"):
        return None, ""
    for folder in dict.fromkeys((git, common)):  # a worktree's branches are its repository's
        loose, why = _read(folder / ref)
        if loose:
            return _sha(loose[0]), ""
        for line in _lines(folder / "packed-refs"):
            if line.endswith(" " + ref):
                return _sha(line.split()[0]), ""
        if why:
            return None, f".git/{ref}: {why}"
    return None, ""


def _bound(root: Path) -> Path:
    """The folder a checkout's `.git` may lead into: the workspace in CI when it holds `root`, else
    `root` itself (a submodule's `gitdir: ../.git/modules/x` is then not followed)."""
    real = Path(os.path.realpath(root))
    workspace = os.environ.get("GITHUB_WORKSPACE")
    top = Path(os.path.realpath(workspace)) if workspace else None
    return top if top is not None and real.is_relative_to(top) else real


def git_folders(place: Path, within: Path) -> tuple[Path, Path] | None:
    """(the git folder of the checkout at `place`, its common folder), None when it has none inside
    `within`. The git folder is `.git`, or the folder a `.git` file names (`gitdir: PATH`, relative
    to `place` or absolute); the common folder, where a worktree's config and branches are, is the
    one its `commondir` names, else the git folder itself."""
    dot = place / ".git"
    if os.path.isdir(dot):
        git = Path(os.path.realpath(dot))  # (a link: followed, and bounded as a gitdir is)
    else:
        line = _first_line(dot, "utf-8")  # (a path: a worktree's is absolute, under any folder's name)
        if line is None or not line.startswith("gitdir:"):
            return None
        git = Path(os.path.realpath(place / line[len("gitdir:"):].strip()))
    if not git.is_relative_to(within) or not git.is_dir():
        return None
    named = _first_line(git / "commondir", "utf-8")
    common = Path(os.path.realpath(git / named)) if named else git
    return git, common if common.is_relative_to(within) and common.is_dir() else git


def links_back(place: Path) -> bool:
    """Whether the checkout at `place` is a worktree its git folder names back: `place/.git` a file
    (`gitdir: PATH`) whose git folder's `gitdir` file names that `.git` file, as `git worktree add`
    links them. Such a git folder outside any bound is the checkout's own, not one a stranger's tree
    points at (which never names that tree back)."""
    folders = git_folders(place, Path("/")) if os.path.isfile(place / ".git") else None
    back = _first_line(folders[0] / "gitdir", "utf-8") if folders else None
    return back is not None and os.path.realpath(back) == os.path.realpath(place / ".git")


def _sha(text: str | None) -> str | None:
    return text if text is not None and _SHA.fullmatch(text) else None


def _first_line(path: Path, encoding: str = "ascii") -> str | None:
    return next(iter(_lines(path, encoding)), None)


def _lines(path: Path, encoding: str = "ascii") -> list[str]:
    """The stripped lines of a regular file; none when it cannot be read (_read)."""
    return _read(path, encoding)[0] or []


def _read(path: Path, encoding: str = "ascii") -> tuple[list[str] | None, str]:
    """(the stripped lines of a regular file, read as the parse workers read a file: no FIFO, no
    link swapped in, bounded; None when it cannot be, and "" or why not): an absent file is no
    problem to say, one that is there but unreadable (no permission, not a regular file, too
    large, not in `encoding`) is."""
    from ontosync.sources.local import read_regular_file  # local.py imports this module

    try:
        return [line.strip() for line in read_regular_file(str(path), MAX_BYTES).decode(encoding).splitlines()], ""
    except FileNotFoundError:
        return None, ""
    except OSError as exc:
        return None, exc.strerror or str(exc)
    except UnicodeDecodeError:
        return None, f"not {encoding.upper()} text"


_HANDED: dict[tuple[str, str], str | None] = {}  # (source, path): the origin read already (origin_handed)
_HEADS: dict[Path, str] = {}  # a checkout's real path: the commit read already (head_handed)


@contextlib.contextmanager
def _handing(table: dict, key: object, value: object) -> Iterator[None]:
    """`table[key]` is `value` for the block (what the Action read once, handed to its sync)."""
    table[key] = value
    try:
        yield
    finally:
        table.pop(key, None)


def origin_handed(source: str, path: str, origin: str | None) -> contextlib.AbstractContextManager[None]:
    """For the block, checkout_origin(`source`, `path`) is `origin`: the Action runs the sync in its own
    process and hands it the origin it read once (action/inputs.read_checkout); read again by the
    sync, a `.git/config` changed meanwhile had the rows written into one schema and the change
    figures read from another. Not an environment variable: a user's (or an earlier step's) would
    silently redirect a command-line sync's schema."""
    return _handing(_HANDED, (source, path), origin)


def head_handed(root: Path, revision: str | None) -> contextlib.AbstractContextManager[None]:
    """For the block, checkout_revision(`root`) is `revision` (None: read from `.git` as ever): the
    Action reads a `pull_request_target` run's checked-out commit once, to tell the pull request's
    head from its base (action/target_checkout.py), and hands it to the sync it runs in its own
    process; read again there, a HEAD moved meanwhile was recorded as the revision of a run that
    compared another commit. Not an environment variable, for origin_handed's reason."""
    if revision is None:
        return contextlib.nullcontext()
    return _handing(_HEADS, Path(os.path.realpath(root)), revision)


def checkout_origin(source: str, path: str = "") -> str | None:
    """In CI (GITHUB_REPOSITORY set), OWNER/REPO of the `origin` of the nearest checkout holding the
    synced folder (`source`, or its `path` folder: the sync's --path) within GITHUB_WORKSPACE
    (db_url.default_source_name names its PostgreSQL schema so); None for a github: source, outside
    CI (no `.git/config` read: the folder's name stays the schema's), for a folder outside the
    workspace or no workspace known, or when no checkout in it holds the folder or its origin is no
    GitHub repository. Why the workspace: a walk up to `/` took a runner's home folder's `.git` (a
    self-hosted runner; a workspace fetched without git) for the source's checkout. Why `path`: the
    Action syncs the workspace with --path, and two jobs syncing two repositories checked out into
    two `path` folders shared the workspace's schema, each deleting the other's rows. (The Action's
    sync: the origin the Action read, origin_handed.)"""
    if (source, path) in _HANDED:
        return _HANDED[(source, path)]
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if source.startswith("github:") or not os.environ.get("GITHUB_REPOSITORY") or not workspace:
        return None
    top = Path(os.path.realpath(workspace))
    place = nearest_checkout(Path(source, path), top)
    return origin_repository(place, top) if place is not None else None


def nearest_checkout(folder: Path, top: Path) -> Path | None:
    """The nearest folder holding `folder`, its links followed, that has a `.git` (a folder, a file,
    a link, even a dangling one: a checkout is there, whose git files may not be readable), up to
    `top` (a real path: the workspace); None when none does, or `folder` is not inside `top`. The
    one walk of the sync's schema (checkout_origin) and the Action's (action/inputs.py read_checkout):
    two walks with other link rules named one repository for the schema and another in the summary."""
    real = Path(os.path.realpath(folder))
    if not real.is_relative_to(top):
        return None
    for place in (real, *real.parents):
        if os.path.lexists(place / ".git"):
            return place
        if place == top:
            break
    return None


def origin_repository(root: Path, within: Path) -> str | None:
    """OWNER/REPO of the checkout's `origin` remote (what actions/checkout's `repository:` input
    cloned, which need not be the workflow's GITHUB_REPOSITORY), None when its config names no
    such remote, or it has no git folder inside `within` (git_folders). Only the name is taken from
    the URL: a token in it is never returned. Read as UTF-8, not ASCII: a `name = Jörg` elsewhere in
    it must not hide the origin."""
    url = origin_url(root, within)
    match = _ORIGIN_URL.fullmatch(url) if url is not None else None
    name = match.group("name") if match else ""
    return name if is_repository(name) else None


def origin_url(root: Path, within: Path) -> str | None:
    """The `url` of the checkout's `origin` remote as its config writes it (a token in it too: never
    shown, stored or returned by the callers), None when it names none or the checkout has no git
    folder inside `within` (git_folders)."""
    folders = git_folders(root, within)
    section = ""
    for line in _lines(folders[1] / "config", "utf-8") if folders else []:
        if line.startswith("["):
            section = line.replace(" ", "").lower()
        elif section == '[remote"origin"]' and line.partition("=")[0].strip().lower() == "url":
            return line.partition("=")[2].strip()
    return None
