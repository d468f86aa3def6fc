"""The writer's lock retry and the parse requeue run on ontosync/retry.py, like GitHub's clients:
a time budget instead of a try count, waits that keep the exponential sequence after the first
failure, and a queue that makes work due later without blocking."""

from __future__ import annotations

import ast
import time

import pytest

from ontosync.pipeline import sync
from ontosync.retry import RetryPolicy, RetryQueue
from tests.helpers import ROOT


class Locked(Exception):
    pass


def failing(times: int):
    calls: list[float] = []

    def fn(x):
        calls.append(time.monotonic())
        if len(calls) <= times:
            raise Locked(f"locked {len(calls)}")
        return x + 1
    return fn, calls


def test_tries_are_numbered_across_the_first_try_and_waits_stay_under_the_caps() -> None:
    policy = RetryPolicy(attempts=6, factor=0.002, max_wait=0.005)
    seen: list[tuple[int, float]] = []
    fn, calls = failing(5)
    assert policy.retrying(fn, Locked, on_retry=lambda exc, tries, wait: seen.append((tries, wait)))(1) == 2
    assert len(calls) == 6
    assert [t for t, _ in seen] == [1, 2, 3, 4, 5]
    caps = [min(0.005, 0.002 * 2 ** (t - 1)) for t, _ in seen]  # 0.002, 0.004, then the 0.005 cap
    assert all(0 <= w <= cap for (_, w), cap in zip(seen, caps, strict=True))


def test_attempts_none_retries_until_the_time_budget_is_spent() -> None:
    policy = RetryPolicy(attempts=None, factor=0.001, max_wait=0.002)
    fn, calls = failing(10**9)
    started = time.monotonic()
    with pytest.raises(Locked):
        policy.retrying(fn, Locked, max_time=0.2)(1)
    assert len(calls) > 3  # retried many times, not a fixed count
    assert calls[-1] - started >= 0.2 - 0.01  # and until the budget was spent
    fn, calls = failing(3)
    assert policy.retrying(fn, Locked, max_time=30)(1) == 2 and len(calls) == 4


def test_a_final_failure_on_the_first_try_is_raised_at_once() -> None:
    fn, calls = failing(1)
    with pytest.raises(Locked):
        RetryPolicy(attempts=None).retrying(fn, Locked, giveup=lambda exc: True, max_time=60)(1)
    assert len(calls) == 1


def test_the_queue_makes_items_due_after_their_wait_in_due_order() -> None:
    queue: RetryQueue[str] = RetryQueue(RetryPolicy(attempts=None, factor=0.05, max_wait=0.05))
    assert len(queue) == 0 and queue.next_in() == float("inf") and list(queue.due()) == []
    queue.push("a", 1)
    queue.push("b", 1)
    assert len(queue) == 2 and queue.next_in() <= 0.05
    deadline = time.monotonic() + 5
    got: list[str] = []
    while len(got) < 2 and time.monotonic() < deadline:
        got += queue.due()
        time.sleep(0.01)
    assert sorted(got) == ["a", "b"] and len(queue) == 0
    zero: RetryQueue[int] = RetryQueue(RetryPolicy(factor=0.0))
    for n in range(5):
        zero.push(n, 1)
    assert list(zero.due()) == [0, 1, 2, 3, 4]  # equal times: the order they were pushed


def test_the_pipeline_retries_only_through_the_policy() -> None:
    """No backoff, heap or random numbers of its own in pipeline/sync.py: both retries are the policy's."""
    tree = ast.parse((ROOT / "ontosync" / "pipeline" / "sync.py").read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not imported & {"backoff", "random"}  # no waits or jitter of its own
    assert isinstance(sync.WRITE_RETRY, RetryPolicy) and sync.WRITE_RETRY.attempts is None
    assert isinstance(sync.REQUEUE, RetryPolicy)
    backoff_users = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "ontosync").rglob("*.py")
                           if "import backoff" in p.read_text(encoding="utf-8"))
    assert backoff_users == ["ontosync/retry.py"]
