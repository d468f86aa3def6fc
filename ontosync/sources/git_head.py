"""The commit a local checkout is at, read from `.git` without running git.

`.git` comes with the tree, which may be a stranger's: its files are read as untrusted input. Only
regular files are opened (a FIFO or /dev/zero in their place would hang the run or fill memory),
each read is bounded, a `ref:` must name a ref under `refs/` (no `..`, so nothing outside `.git` is
read), and only a hexadecimal object name is taken as the revision (anything else is None: the
revision is recorded in the database, the report and the checkpoint).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1, or SHA-256 repositories
_REF = re.compile(r"refs/[^\s\\]+")
LINE_LIMIT = 4096  # a ref line is ~50 bytes: a longer one is read in pieces, never held whole


def git_head(root: Path) -> str | None:
    """The checkout's commit (GITHUB_SHA wins in the Action), or None when it cannot be told."""
    if os.environ.get("GITHUB_SHA"):
        return os.environ["GITHUB_SHA"]
    git = root / ".git"
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
    return next(_lines(path), None)


def _lines(path: Path) -> Iterator[str]:
    """The stripped lines of a regular file; none when it is absent, not a regular file, unreadable
    or not ASCII."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return
    with os.fdopen(fd, "rb") as fh:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return
            for raw in iter(lambda: fh.readline(LINE_LIMIT), b""):
                yield raw.decode("ascii").strip()
        except (OSError, UnicodeDecodeError):
            return
