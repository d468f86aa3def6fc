"""The pull-request comment's API calls under the one retry policy, and what a refusal means.

A server error or a dropped connection is tried again after a backoff (ontosync/retry.py); a rate
limit (429, or 403 with `X-RateLimit-Remaining: 0`) is waited out when it resets within
`MAX_WAIT`. Each try runs the whole exchange again from the listing: a create that failed
after GitHub stored it is then found and edited, not posted twice. What is still refused is one
warning whose words match the cause: a rate limit or a locked conversation is not a token without
`pull-requests: write`, the fix that warning sends the user to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ontosync.action.artifacts import RETRY
from ontosync.retry import RetryPolicy, waiting
from ontosync.sources.github_http import NETWORK_ERRORS, SECONDARY_LIMIT_WAIT, limit_of

T = TypeVar("T")
MAX_WAIT = SECONDARY_LIMIT_WAIT  # a comment is not worth a longer wait: the job summary has the changes


class _Limited(Exception):
    def __init__(self, original: Exception, wait: float) -> None:
        super().__init__(str(original))
        self.original, self.wait = original, wait


def with_retries(exchange: Callable[[], T], retry: RetryPolicy = RETRY, max_wait: float = MAX_WAIT) -> T:
    """Run `exchange` (calls to GitHub's API), tried again per the retry policy; the last failure
    is raised as it came."""
    from github import GithubException

    def attempt() -> T:
        try:
            return exchange()
        except GithubException as exc:
            limit = limit_of(exc)
            if limit is not None and limit[1] <= max_wait:
                raise _Limited(exc, limit[1]) from None
            raise

    def final(exc: BaseException) -> bool:
        status = getattr(exc, "status", None)
        return status is not None and status < 500

    backed = retry.retrying(attempt, (GithubException, *NETWORK_ERRORS), giveup=final)
    try:
        return waiting(backed, _Limited, lambda exc: exc.wait, retry.attempts or 3)()
    except _Limited as exc:
        raise exc.original from None


def refusal(exc, number: int) -> str:
    """The warning for a refused comment call (GithubException `exc`)."""
    data = exc.data if isinstance(exc.data, dict) else {}
    reason = str(data.get("message") or "")
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
