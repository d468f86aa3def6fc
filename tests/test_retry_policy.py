"""The one retry policy (ontosync/retry.py) and the artifact client that now uses it, against the
fake REST artifact endpoints on 127.0.0.1 answering 502 a given number of times."""

from __future__ import annotations

from pathlib import Path

import pytest

from ontosync.action import artifacts
from ontosync.action.fetch_db import fetch_db
from ontosync.retry import RetryPolicy, waiting
from tests.fake_artifacts import FakeArtifactServer
from tests.test_fetch_db import make_db, marker_of

REPO = "acme/ontology"
TOKEN = "test-token"
FAST = RetryPolicy(attempts=3, factor=0.01, max_wait=0.05)


class Flaky(Exception):
    pass


def flaky(failures: int, exc: type[Exception] = Flaky):
    """A function failing `failures` times before it answers; `calls` counts every call."""
    calls = []

    def fn(x):
        calls.append(x)
        if len(calls) <= failures:
            raise exc(f"failure {len(calls)}")
        return x * 2
    return fn, calls


# -- the policy ---------------------------------------------------------------------------------------

def test_retries_until_success_and_reports_each_retry() -> None:
    fn, calls = flaky(2)
    seen = []
    assert FAST.retrying(fn, Flaky, on_retry=lambda exc, tries, wait: seen.append((str(exc), tries)))(21) == 42
    assert len(calls) == 3
    assert seen == [("failure 1", 1), ("failure 2", 2)]


def test_gives_up_after_the_attempts_with_the_last_failure() -> None:
    fn, calls = flaky(10)
    with pytest.raises(Flaky, match="failure 3"):
        FAST.retrying(fn, Flaky)(1)
    assert len(calls) == 3
    fn, calls = flaky(10)
    with pytest.raises(Flaky, match="failure 1"):
        RetryPolicy(attempts=1).retrying(fn, Flaky)(1)
    assert len(calls) == 1


def test_final_failures_and_other_exceptions_are_not_retried() -> None:
    fn, calls = flaky(10)
    with pytest.raises(Flaky):
        FAST.retrying(fn, Flaky, giveup=lambda exc: True)(1)
    assert len(calls) == 1
    fn, calls = flaky(10, KeyError)
    with pytest.raises(KeyError):
        FAST.retrying(fn, Flaky)(1)
    assert len(calls) == 1


def test_waits_are_full_jitter_under_the_exponential_cap() -> None:
    policy = RetryPolicy(attempts=5, factor=0.5, max_wait=3.0)
    for retry, cap in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (9, 3.0)):
        waits = [policy.wait(retry) for _ in range(200)]
        assert all(0 <= w <= cap for w in waits), retry
        assert max(waits) > cap / 2  # drawn over the whole range, not a fixed fraction


def test_waiting_waits_what_the_failure_names() -> None:
    class Limited(Exception):
        wait = 0.01

    fn, calls = flaky(2, Limited)
    waits = []
    assert waiting(fn, Limited, lambda exc: exc.wait, 3, on_retry=lambda e, t, w: waits.append(w))(5) == 10
    assert waits == [0.01, 0.01] and len(calls) == 3


# -- the artifact client --------------------------------------------------------------------------------

@pytest.fixture
def fake(tmp_path, monkeypatch):
    monkeypatch.setenv("ONTOSYNC_RETRY_BACKOFF", "0.001")  # the tries are counted; no 1-3 s backoff waited
    with FakeArtifactServer(token=TOKEN) as server:
        server.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "src.db", "restored")})
        yield server


def test_listing_is_retried_after_server_errors(fake) -> None:
    fake.fail_next["list"] = 2
    info, expired = artifacts.find_newest_artifact(REPO, "ontology-db", TOKEN, fake.api_url, retry=FAST)
    assert info is not None and info.name == "ontology-db" and expired == 0
    assert fake.requests["list"] == 3


def test_listing_gives_up_with_a_clear_error(fake) -> None:
    fake.fail_next["list"] = 5
    with pytest.raises(artifacts.ArtifactError) as err:
        artifacts.find_newest_artifact(REPO, "ontology-db", TOKEN, fake.api_url, retry=FAST)
    assert str(err.value) == f"listing artifacts of {REPO} failed: HTTP 502 Server Error (3 attempts)"
    assert fake.requests["list"] == 3


def test_unknown_repository_is_not_retried(fake) -> None:
    with pytest.raises(artifacts.ArtifactError, match="not found"):
        artifacts.find_newest_artifact("acme/nothing", "ontology-db", TOKEN, fake.api_url, retry=FAST)
    assert fake.requests["not-found"] == 1


def test_download_starts_again_from_the_api_after_server_errors(fake, tmp_path) -> None:
    info, _ = artifacts.find_newest_artifact(REPO, "ontology-db", TOKEN, fake.api_url, retry=FAST)
    fake.fail_next["zip"] = 1  # the API's redirect fails once
    fake.fail_next["storage"] = 1  # then the storage download fails once (it answers 400 to any token)
    zip_path = artifacts.download_artifact(info, TOKEN, tmp_path / "a.zip", retry=FAST)
    with artifacts.open_zip(zip_path) as zf:
        assert zf.namelist() == ["ontology.db"]
    assert (fake.requests["zip"], fake.requests["storage"]) == (3, 2)


def test_download_gives_up_and_refusals_are_not_retried(fake, tmp_path) -> None:
    info, _ = artifacts.find_newest_artifact(REPO, "ontology-db", TOKEN, fake.api_url, retry=FAST)
    fake.fail_next["storage"] = 9
    with pytest.raises(artifacts.ArtifactError) as err:
        artifacts.download_artifact(info, TOKEN, tmp_path / "a.zip", retry=FAST)
    assert str(err.value) == f"download of {info.describe()} failed: HTTP 502 (3 attempts)"
    assert fake.requests["storage"] == 3
    with pytest.raises(artifacts.AuthError):
        artifacts.download_artifact(info, "wrong-token", tmp_path / "b.zip", retry=FAST)
    assert fake.requests["bad-credentials"] == 1  # refused: not retried


def test_fetch_db_gets_through_a_hiccup(fake, tmp_path: Path, capsys) -> None:
    fake.fail_next["list"] = 1
    fake.fail_next["storage"] = 1
    out = tmp_path / "got" / "ontology.db"
    assert fetch_db(REPO, "ontology-db", out, fake.api_url, TOKEN) == 0, capsys.readouterr().err
    assert marker_of(out) == "restored"
    assert (fake.requests["list"], fake.requests["storage"]) == (2, 2)
