"""The pull-request comment's API calls under the one retry policy, and what a refusal means.

A server error or a dropped connection is tried again after a backoff (ontosync/retry.py); a rate
limit (429, or 403 with `X-RateLimit-Remaining: 0`) is waited out when it resets within
`MAX_WAIT`. Each try runs the whole exchange again from the listing: a create that failed
after GitHub stored it is then found and edited, not posted twice. What is still refused is one
warning whose words match the cause: a rate limit or a locked conversation is not a token without
`pull-requests: write`, the fix that warning sends the user to.
"""

from __future__ import annotations

from ontosync.action.artifacts import MAX_WAIT
from ontosync.sources.github_http import limit_of, server_message


def refusal(exc, number: int, token: str | None) -> str:
    """The warning for a refused comment call (GithubException `exc`); GitHub's reason is shown as
    `server_message` shows it, `token` scrubbed (a gateway may echo it; outside Actions no runner masks it)."""
    reason = server_message(exc.data, token)
    limit = limit_of(exc)
    if limit is not None:
        return (f"commenting on pull request #{number} hit GitHub's API {limit[0]} (HTTP {exc.status}), which "
                f"resets in {limit[1]:.0f} s, longer than this step waits ({MAX_WAIT:.0f} s); the changes are in "
                "the job summary")
    if exc.status == 403 and "locked" in reason.lower():
        return (f"cannot comment on pull request #{number}: its conversation is locked (HTTP 403: {reason}); "
                "the changes are in the job summary")
    if exc.status in (401, 403, 404):
        return (f"cannot comment on pull request #{number} (HTTP {exc.status}: {reason or 'refused'}): the token "
                "needs `pull-requests: write` (pull requests from forks get a read-only token); the changes are "
                "in the job summary")
    return (f"commenting on pull request #{number} failed: HTTP {exc.status} {reason}; the changes are in the job "
            "summary")
