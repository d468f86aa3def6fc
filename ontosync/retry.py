"""One retry policy for what may fail for a moment: GitHub's API and artifact storage, a locked database.

Exponential backoff with full jitter, through `backoff`: the wait before retry n is drawn uniformly
from [0, min(max_wait, factor * 2**(n-1))], so clients that failed together do not come back
together; `attempts` counts every try, the first included (the contract's `--retries`). Failures
that name their own wait (`Retry-After`, a rate limit's reset) are waited out by `waiting` instead.

Three ways to wait, one policy: `retrying` (a call tried again, for `attempts` tries or for
`max_time` seconds: GitHub's clients, the database writer waiting out another writer's lock),
`waiting` (the failure names its wait) and `RetryQueue` (work that must not block the caller:
the pipeline's parse requeue schedules a file again after `wait(n)` while the workers go on).

At the bottom of the layers (it imports nothing of ontosync), so sources, the Action's clients and
the pipeline can all use it. `backoff` is imported after a first failure only: it pulls in asyncio
(~40 ms), which a run that never retries should not pay at start-up.
"""

from __future__ import annotations

import heapq
import math
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

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
    attempts: int | None = 3  # tries in all, the first included; None: as long as `max_time` allows
    factor: float = field(default_factory=default_factor)  # seconds: the first wait is at most this
    max_wait: float = 60.0  # seconds: no wait is longer

    def wait(self, retry: int) -> float:
        """The wait before retry number `retry` (1-based), for loops that cannot be decorated
        (a download that resumes where it stopped decides itself what counts as an attempt)."""
        return random.uniform(0, self._cap(retry - 1))  # backoff.full_jitter, without importing it

    def _cap(self, n: int) -> float:
        return min(self.max_wait, self.factor * 2 ** n)

    def _caps_from(self, n: int):
        """backoff's wait generator: the caps of retries n+1, n+2, ... (primed by one send)."""
        yield
        while True:
            yield self._cap(n)
            n += 1

    def retrying(self, fn: Callable[..., T], on: Exceptions, *, on_retry: OnRetry | None = None,
                 giveup: Callable[[BaseException], bool] | None = None,
                 max_time: float | None = None) -> Callable[..., T]:
        """`fn`, tried again after a failure in `on` (unless `giveup` says it is final) until it
        succeeds, `attempts` tries failed or `max_time` seconds passed since the first try; the
        last failure is raised. The first try runs as is: `backoff` is needed only after it fails."""
        final = giveup or _never

        def call(*args, **kwargs):
            started = time.monotonic()
            try:
                return fn(*args, **kwargs)
            except on as exc:
                if final(exc) or (self.attempts is not None and self.attempts <= 1):
                    raise
                first = exc
            wait = self.wait(1)
            if on_retry is not None:
                on_retry(first, 1, wait)
            time.sleep(wait)
            left = None if max_time is None else max(0.0, max_time - (time.monotonic() - started))
            return self._retried(fn, on, on_retry, final, left)(*args, **kwargs)

        return call

    def _retried(self, fn, on, on_retry, final, max_time):
        """`fn` under backoff for the tries after the first (waits continuing the same sequence)."""
        import backoff

        return backoff.on_exception(
            self._caps_from, on, max_tries=None if self.attempts is None else self.attempts - 1,
            max_time=max_time, jitter=backoff.full_jitter, giveup=final, n=1,
            on_backoff=_details_to(on_retry, 1), logger=None,
        )(fn)


class RetryQueue(Generic[T]):
    """Items to try again later without blocking: `push(item, retry)` makes the item due after
    `policy.wait(retry)`; `due()` yields the items whose time has come, earliest first."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self._heap: list[tuple[float, int, T]] = []  # (due at, push number, item): ties keep push order
        self._pushed = 0

    def push(self, item: T, retry: int) -> None:
        self._pushed += 1
        heapq.heappush(self._heap, (time.perf_counter() + self.policy.wait(retry), self._pushed, item))

    def due(self) -> Iterator[T]:
        now = time.perf_counter()
        while self._heap and self._heap[0][0] <= now:
            yield heapq.heappop(self._heap)[2]

    def next_in(self) -> float:
        """Seconds until the earliest item is due (0 when one is; inf when the queue is empty)."""
        return max(0.0, self._heap[0][0] - time.perf_counter()) if self._heap else float("inf")

    def __len__(self) -> int:
        return len(self._heap)


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


def _details_to(on_retry: OnRetry | None, earlier: int = 0) -> Callable[[dict[str, Any]], None] | None:
    """backoff's `details` dict -> (failure, tries so far, wait); `earlier` tries ran before backoff."""
    if on_retry is None:
        return None
    return lambda details: on_retry(details.get("exception"), details["tries"] + earlier, details.get("wait") or 0.0)
