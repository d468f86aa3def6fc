"""One retry policy for calls that may fail for a moment: GitHub's API, its artifact storage.

Exponential backoff with full jitter, through `backoff`: the wait before retry n is drawn uniformly
from [0, min(max_wait, factor * 2**(n-1))], so clients that failed together do not come back
together; `attempts` counts every try, the first included (the contract's `--retries`). Failures
that name their own wait (`Retry-After`, a rate limit's reset) are waited out by `waiting` instead.

At the bottom of the layers (it imports nothing of ontosync), so sources, the Action's clients and
the pipeline can all use it. `backoff` is imported on first use only: it pulls in asyncio (~40 ms),
which a run that never retries should not pay at start-up.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
Exceptions = type[BaseException] | tuple[type[BaseException], ...]
# Told of each retry: the failure, the number of tries so far, and the wait before the next one.
OnRetry = Callable[[BaseException, int, float], None]


def default_factor() -> float:
    """The first backoff step, in seconds: 1, or `$ONTOSYNC_RETRY_BACKOFF` (0 to 60) when set. The
    test suite sets a few milliseconds, so the faults it injects into a CLI run in another process
    cost no waiting; the number of retries, which is what those tests count, does not change."""
    try:
        value = float(os.environ.get("ONTOSYNC_RETRY_BACKOFF") or 1.0)
    except ValueError:
        return 1.0
    return value if math.isfinite(value) and 0 <= value <= 60 else 1.0


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # tries in all, the first included
    factor: float = field(default_factory=default_factor)  # seconds: the first wait is at most this
    max_wait: float = 60.0  # seconds: no wait is longer

    def wait(self, retry: int) -> float:
        """The wait before retry number `retry` (1-based), for loops that cannot be decorated
        (a download that resumes where it stopped decides itself what counts as an attempt)."""
        import backoff

        return backoff.full_jitter(min(self.max_wait, self.factor * 2 ** (retry - 1)))

    def retrying(self, fn: Callable[..., T], on: Exceptions, *, on_retry: OnRetry | None = None,
                 giveup: Callable[[BaseException], bool] | None = None) -> Callable[..., T]:
        """`fn`, tried again after a failure in `on` (unless `giveup` says it is final) until it
        succeeds or `attempts` tries failed; the last failure is raised."""
        import backoff

        return backoff.on_exception(
            backoff.expo, on, max_tries=max(1, self.attempts), jitter=backoff.full_jitter, factor=self.factor,
            max_value=self.max_wait, giveup=giveup or _never, on_backoff=_details_to(on_retry), logger=None,
        )(fn)


def waiting(fn: Callable[..., T], on: Exceptions, wait_of: Callable[[Any], float], tries: int, *,
            on_retry: OnRetry | None = None) -> Callable[..., T]:
    """`fn`, tried again after the wait each failure in `on` names (`wait_of(exc)`, in seconds), at
    most `tries` times in all; the last failure is raised."""
    import backoff

    return backoff.on_exception(
        backoff.runtime, on, value=wait_of, jitter=None, max_tries=max(1, tries), on_backoff=_details_to(on_retry),
        logger=None,
    )(fn)


def _never(_exc: BaseException) -> bool:
    return False


def _details_to(on_retry: OnRetry | None) -> Callable[[dict[str, Any]], None] | None:
    """backoff's `details` dict -> (failure, tries so far, wait)."""
    if on_retry is None:
        return None
    return lambda details: on_retry(details.get("exception"), details["tries"], details.get("wait") or 0.0)
