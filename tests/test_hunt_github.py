"""Bug hunt: `ontosync sync github:OWNER/REPO` against hostile or broken answers of the fake GitHub
API (tests/fake_github.py on 127.0.0.1). Each test is the user-visible failure one fix closed:
no traceback whatever GitHub answers, one line naming the request or file, names recorded as the
local source records them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fake_github import FakeGitHub
from tests.helpers import cli

PAGE = b"- a page\n"


def sync(fake: FakeGitHub, db: Path, *extra: str):
    """One in-process sync of github:o/r@main (each is refused or done within a few requests)."""
    env = {"GITHUB_TOKEN": fake.token, "ONTOSYNC_GITHUB_TIMEOUT": "30", "ONTOSYNC_RETRY_BACKOFF": "0.01"}
    return cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", str(db), "--quiet", *extra, env=env)


def one_line_error(r) -> str:
    """The run's error: one line, no traceback."""
    assert "Traceback" not in r.stderr, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    return lines[0]


@pytest.fixture
def fake():
    with FakeGitHub(None) as server:
        server.commit({"pages/a.md": PAGE})
        yield server


def on_trees(answer):
    """An answer hook replacing every tree answer with `answer(handler, sha)` (status, body, headers)."""
    def hook(handler, seg, query):
        if seg[3:5] != ["git", "trees"]:
            return None
        status, body, headers = answer(handler, seg[-1])
        handler._send(status, body, headers=headers)
        return status
    return hook


@pytest.mark.parametrize("value", ["nan", "-1", "inf"])
def test_an_unusable_max_rate_limit_wait_is_refused_up_front(tmp_path, value):
    """Was: `--max-rate-limit-wait nan` ended in a TypeError traceback while the options were
    checked; -1 and inf were taken (every rate limit stopped the run, or any Retry-After was slept,
    up to an OverflowError)."""
    r = cli("sync", str(tmp_path), "--db", str(tmp_path / "x.db"), "--max-rate-limit-wait", value, "--quiet")
    assert r.returncode == 2
    assert "--max-rate-limit-wait must be between 0 and 86400" in one_line_error(r)
    assert not (tmp_path / "x.db").exists()
