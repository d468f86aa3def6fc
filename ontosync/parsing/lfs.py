"""Git LFS pointer files: what a file kept in Git LFS looks like where its content is not fetched.

Why: a checkout without `git lfs` installed, GitHub's blob API and (by default) GitHub's tarball
all hold the small pointer text instead of the file. Parsed as Turtle it failed with a syntax
error about a VERSION keyword; read as a Logseq page it was quietly skipped. It is named instead.
"""

from __future__ import annotations

from ontosync.parsing.facts import ParseError

# The pointer format (git-lfs docs/spec.md): a first line naming the spec, then `oid`, `size`;
# pointers are under 1024 bytes. "hawser" is the spec's name from before the first release.
_FIRST_LINES = (b"version https://git-lfs.github.com/spec/v1\n", b"version https://hawser.github.com/spec/v1\n")
MAX_POINTER_SIZE = 1024


def is_lfs_pointer(data: bytes) -> bool:
    return len(data) < MAX_POINTER_SIZE and data.startswith(_FIRST_LINES) and b"\noid " in data


def refuse_lfs_pointer(data: bytes) -> None:
    """ParseError (line 1) when `data` is a Git LFS pointer rather than the file it stands for."""
    if is_lfs_pointer(data):
        raise ParseError("Git LFS pointer, not the file's content (ontosync does not fetch Git LFS "
                         "objects: sync a checkout after `git lfs pull`)", line=1)
