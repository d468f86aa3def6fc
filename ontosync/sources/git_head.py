"""The commit a local checkout is at, and the repository its `origin` names, read from `.git`
without running git.

`.git` comes with the tree, which may be a stranger's: its files are read as untrusted input. Only
regular files are opened (a FIFO or /dev/zero in their place would hang the run or fill memory),
each read is bounded, a `ref:` must name a ref under `refs/` (no `..`, so nothing outside `.git` is
read), and only a hexadecimal object name is taken as the revision (anything else is None: the
revision is recorded in the database, the report and the checkpoint).
"""

from __future__ import annotations

import os
import re
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
    at = _checkout_head(root / ".git")
    if at is None and github_sha and os.environ.get("GITHUB_SHA"):
        return os.environ["GITHUB_SHA"]
    return at


def _checkout_head(git: Path) -> str | None:
    head = _first_line(git / "HEAD")
    if head is None or not head.startswith("ref: "):
        return _sha(head)
    ref = head[5:].strip()
    if not _REF.fullmatch(ref) or ".." in ref.split("/"):
        return None
    loose = _first_line(git / ref)
    if loose is not None:
        return _sha(loose)
    for line in _lines(git / "packed-refs"):
        if line.endswith(" " + ref):
            return _sha(line.split()[0])
    return None


def _sha(text: str | None) -> str | None:
    return text if text is not None and _SHA.fullmatch(text) else None


def _first_line(path: Path) -> str | None:
    return next(iter(_lines(path)), None)


def _lines(path: Path, encoding: str = "ascii") -> list[str]:
    """The stripped lines of a regular file, read as the parse workers read a file (no FIFO, no
    link swapped in, bounded); none when it is absent, not a regular file, too large, unreadable
    or not in `encoding`."""
    from ontosync.sources.local import read_regular_file  # local.py imports this module

    try:
        return [line.strip() for line in read_regular_file(str(path), MAX_BYTES).decode(encoding).splitlines()]
    except (OSError, UnicodeDecodeError):
        return []


def checkout_origin(source: str) -> str | None:
    """In CI (GITHUB_REPOSITORY set), OWNER/REPO of the `origin` of the nearest checkout holding the
    local folder `source` within GITHUB_WORKSPACE (db_url.default_source_name names its PostgreSQL
    schema so); None for a github: source, outside CI (no `.git/config` read: the folder's name
    stays the schema's), for a folder outside the workspace or no workspace known, or when no
    checkout in it holds the folder or its origin is no GitHub repository. Why the workspace: a
    walk up to `/` took a runner's home folder's `.git` (a self-hosted runner; a workspace fetched
    without git) for the source's checkout."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if source.startswith("github:") or not os.environ.get("GITHUB_REPOSITORY") or not workspace:
        return None
    folder, top = Path(os.path.realpath(source)), Path(os.path.realpath(workspace))
    if not folder.is_relative_to(top):
        return None
    for place in (folder, *folder.parents):
        if (place / ".git").exists():
            return origin_repository(place)
        if place == top:
            break
    return None


def origin_repository(root: Path) -> str | None:
    """OWNER/REPO of the checkout's `origin` remote (what actions/checkout's `repository:` input
    cloned, which need not be the workflow's GITHUB_REPOSITORY), None when `.git/config` names no
    such remote. Only the name is taken from the URL: a token in it is never returned. Read as
    UTF-8, not ASCII: a `name = Jörg` elsewhere in it must not hide the origin."""
    section = ""
    for line in _lines(root / ".git" / "config", "utf-8"):
        if line.startswith("["):
            section = line.replace(" ", "").lower()
        elif section == '[remote"origin"]' and line.partition("=")[0].strip().lower() == "url":
            match = _ORIGIN_URL.fullmatch(line.partition("=")[2].strip())
            name = match.group("name") if match else ""
            return name if is_repository(name) else None
    return None
