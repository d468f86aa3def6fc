"""`$ONTOSYNC_RETRY_BACKOFF` sets the retry policy's first backoff step (the test suite's fault tests
run the CLI in another process with 10 ms, so injected faults cost no waiting)."""

from __future__ import annotations

import pytest

from ontosync.retry import RetryPolicy, default_factor
from ontosync.sources import PathFilter
from ontosync.sources.github import GitHubSource


def test_the_first_step_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONTOSYNC_RETRY_BACKOFF", raising=False)
    assert RetryPolicy().factor == default_factor() == 1.0
    monkeypatch.setenv("ONTOSYNC_RETRY_BACKOFF", "0.01")
    assert RetryPolicy().factor == 0.01
    assert all(0 <= RetryPolicy().wait(n) <= 0.01 * 2 ** (n - 1) for n in (1, 2, 3) for _ in range(50))
    source = GitHubSource("github:o/r@main", PathFilter(), "http://127.0.0.1:9")
    assert source.retry.factor == 0.01
    assert GitHubSource("github:o/r@main", PathFilter(), "http://127.0.0.1:9", backoff_factor=2).retry.factor == 2


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf", "61", ""])
def test_a_bad_value_keeps_one_second(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ONTOSYNC_RETRY_BACKOFF", value)
    assert RetryPolicy().factor == 1.0
