"""The entries of a GitHub tree answer, checked before the GitHub source trusts them.

Why: the listing is the one answer whose fields become paths, sizes and hashes in the database.
PyGithub hands its JSON over as it came, so an answer of another shape (a proxy's page, a
server's bug) would otherwise surface as an AttributeError or ValueError traceback from deep in
the listing. It is refused here with one line instead (exit 2, nothing written).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ontosync.sources import SourceError
from ontosync.sources.github_http import is_sha, safe_relpath
from ontosync.sources.names import display_name


class TreeItem(NamedTuple):
    name: str  # as GitHub spells it, relative to the listed folder
    type: str  # "blob", "tree" or "commit" (a submodule)
    mode: str
    sha: str
    size: int


def tree_items(data: Any, description: str) -> tuple[list[TreeItem], bool]:
    """(entries, truncated) of one `GET .../git/trees/SHA` answer; SourceError for any other shape."""
    entries = data.get("tree") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise _unexpected(description)
    items = [_item(entry, description) for entry in entries]
    seen: set[str] = set()
    for item in items:  # git's tree holds each name once: the later entry silently replaced the earlier
        if item.name in seen:
            raise _unexpected(description, f"a path listed twice: {_shown(item.name)}")
        seen.add(item.name)
    return items, bool(data.get("truncated"))


def folders_left_out(items: list[TreeItem]) -> bool:
    """Does a recursive answer name a folder without listing anything in it?

    Why: git stores no empty folder, so such an answer is not recursive (a redirect or a proxy
    dropped `?recursive=1`: PyGithub follows a 301 without the query). Taken whole, it silently
    dropped every file under a folder from the database; the caller walks the tree instead.
    """
    parents = {item.name.rpartition("/")[0] for item in items if "/" in item.name}
    return any(item.type == "tree" and item.name not in parents for item in items)


def _item(entry: Any, description: str) -> TreeItem:
    if not isinstance(entry, dict):
        raise _unexpected(description)
    name, size = entry.get("path"), entry.get("size")
    if size is None:
        size = 0  # folders and submodules have none
    if not isinstance(name, str) or not name or isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise _unexpected(description)
    if (why := _path_flaw(name)) is not None:
        raise _unexpected(description, f"{why}: {_shown(name)}")
    sha = entry.get("sha")
    if not is_sha(sha):
        # the sha goes into the next request's URL (a folder's listing, a link's blob)
        raise _unexpected(description, f"{_shown(name)} has no git object id (40 hex digits)")
    return TreeItem(name, str(entry.get("type", "")), str(entry.get("mode", "")), str(sha), size)


def _path_flaw(name: str) -> str | None:
    """Why a listed path cannot be a path in a git tree, or None. Why: the API can lie where a
    checkout cannot (git stores no NUL, no empty, `.` or `..` name, no absolute path), and such
    a path was silently dropped, or kept as a link's key. Only `/` separates: a backslash or a
    `:` is a character of a name (`..\\x`, a folder `C:`), which git holds and a checkout syncs."""
    if "\0" in name:
        return "a path holding NUL"
    if safe_relpath(name):
        return None
    if name.startswith("/"):
        return "an absolute path"
    if ".." in name.split("/"):
        return "a path that leaves the repository"
    return "a path git cannot hold"


def _shown(name: str) -> str:
    shown = display_name(name)
    return f"'{shown}'" if len(shown) <= 80 else f"'{shown[:77]}...'"


def _unexpected(description: str, why: str = "") -> SourceError:
    return SourceError(f"unexpected tree listing from the GitHub API for {description}" + (f": {why}" if why else ""))
