"""Which pull-request comment is ours: it carries our marker AND the token's own account wrote it.

The marker alone is not enough: a person may quote it, and editing their comment would put our
text in their name. Nor is "written by a bot": with a personal access token our comment is the
token owner's (a User), and the next push, not recognising it, posted another one on every push.
`GET /user` names a personal access token's owner; GITHUB_TOKEN and a GitHub App's installation
token get 403 there, and what they post is a Bot's (github-actions[bot], or the app's `slug[bot]`,
which that call cannot name), so for them any Bot's comment with the marker is taken. The marker must
open a line, as it opens ours (also after a maintainer's edit above it): another bot quoting ours (a
digest, a mirror: `> <!-- ...`) was overwritten. The call is made once, and only when some comment
carries the marker.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ontosync.action.artifacts import PER_PAGE  # what github_client asks for
from ontosync.sources.github_http import limit_of

MAX_PAGES = 100  # 10,000 comments: past any conversation GitHub still lets a bot comment on


def listed(comments: Any, per_page: int = PER_PAGE, max_pages: int = MAX_PAGES) -> Iterator[Any]:
    """A pull request's comments (a PyGithub PaginatedList), page by page by number, each once.

    Why not the list's own iteration: it follows each answer's `Link: rel="next"`, and a server
    whose link names the page just read (a proxy, a cache in front of GitHub Enterprise Server)
    kept the step listing until the job's timeout. By number, the listing ends at a short page, at
    a page that brings no comment not already seen (a server ignoring `page`), or at `max_pages`."""
    seen: set[int] = set()
    for number in range(max_pages):
        page = comments.get_page(number)
        new = [c for c in page if c.id not in seen]
        seen.update(c.id for c in new)
        yield from new
        if len(page) < per_page or not new:
            return


def token_owner_id(gh: Any) -> int | None:
    """The id of the account a personal access token belongs to; None for an installation token
    (GITHUB_TOKEN, a GitHub App's), which `GET /user` refuses with 401 or 403. A 403 that is a rate
    limit is no such refusal: raised, for the caller's retry to wait out (read as one, a personal
    access token's own comment was not recognised and a second one was posted)."""
    from github import GithubException

    try:
        return int(gh.get_user().id)
    except GithubException as exc:
        if exc.status in (401, 403) and limit_of(exc) is None:
            return None
        raise


def find_ours(gh: Any, comments: Iterable[Any], marker: str, author: int | None = None) -> list[Any]:
    """Every comment holding `marker` that the token's account wrote, oldest first. Usually one;
    two runs of the same pull request racing (two quick pushes) may each have posted one, and the
    caller must know all of them: updating the first alone left the other showing stale figures.
    `author`: the token's account when known already (the author of a comment it just posted): no call."""
    owner: list[int | None] = [] if author is None else [author]  # else asked once, at the first with the marker
    found = []
    for c in comments:
        if not _opens_a_line(marker, c.body or "") or c.user is None:
            continue
        if not owner:
            owner.append(token_owner_id(gh))
        if (c.user.id == owner[0]) if owner[0] is not None else c.user.type == "Bot":
            found.append(c)
    return found


def _opens_a_line(marker: str, body: str) -> bool:
    return body.startswith(marker) or f"\n{marker}" in body
