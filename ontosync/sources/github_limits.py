"""How the GitHub source says a rate limit: the stop (checkpoint, exit 1) and its one line.

Why a module of its own: the stop's words must say what happened, and there are three cases a
single sentence ("it resets in N s, longer than the M s this run may wait") got wrong. A reset
further off than the run may wait is that sentence. A reset time that has passed (GitHub and this
machine's clocks apart, or a proxy's stale header) is no wait at all: it said "resets in 1 s,
longer than the 0 s". A limit met on every try of one request is no long wait either: it said
"resets in 0 s, longer than the 900 s this run may wait", and counted its waits one too many.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from ontosync.sources import SourceInterrupted
from ontosync.sources.github_http import LONGEST_STOP_WAIT

RATE_LIMIT_TRIES = 6  # rate-limit answers in a row to one request before the run stops (5 waits between)


class RateLimitStop(SourceInterrupted):
    """The rate limit resets later than this run may wait: checkpoint, exit 1, retry later.

    `reset_at` is when GitHub said the limit resets (UTC), `wait_s` how long that was from now.
    """

    def __init__(self, message: str, reset_at: datetime, wait_s: float):
        super().__init__(message)
        self.reset_at = reset_at
        self.wait_s = wait_s


class RateLimited(Exception):
    """Wait `wait` seconds, then retry (Retry-After or a reset within the allowed wait)."""

    def __init__(self, message: str, wait: float):
        super().__init__(message)
        self.wait = wait


def reset_passed(headers: dict[str, str]) -> bool:
    """Does a used-up limit's answer (`headers` lower-case) name a reset time already past?"""
    if headers.get("x-ratelimit-remaining") != "0" or "retry-after" in headers:
        return False
    try:
        return float(headers.get("x-ratelimit-reset") or "inf") <= time.time()
    except ValueError:  # an HTTP date, or nothing readable: rate_limit_wait's own reading stands
        return False


def stop(
    description: str, reason: str, wait: float, max_wait: float, *, passed: bool = False, tries: int = 0
) -> RateLimitStop:
    """The stop of a limit that outlasts `max_wait` (or whose reset `passed`, or met `tries` times
    in a row), saying when to run again."""
    wait = min(wait, LONGEST_STOP_WAIT)
    reset_at = datetime.fromtimestamp(time.time() + wait, timezone.utc).replace(microsecond=0)
    when = reset_at.isoformat().replace("+00:00", "Z")
    if tries:
        why = f"still limited after {tries} tries in a row ({tries - 1} waits); run again after {when}"
    elif passed:
        why = (
            "its reset time has already passed (GitHub's clock and this machine's differ?), and this run may "
            f"not wait (--max-rate-limit-wait {max_wait:.0f}); run again now"
        )
    else:
        why = (
            f"it resets in {wait:.0f} s, longer than the {max_wait:.0f} s this run may wait "
            f"(--max-rate-limit-wait); run again after {when}"
        )
    return RateLimitStop(f"{reason} for {description}: {why}", reset_at, wait)


def clock(wait: float) -> str:
    """The UTC time `wait` seconds from now, as a line about a wait names it: `14:20:03Z`."""
    return datetime.fromtimestamp(time.time() + min(wait, LONGEST_STOP_WAIT), timezone.utc).strftime("%H:%M:%SZ")
