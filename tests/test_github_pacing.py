"""The Action's pace of calls to GitHub (artifacts.PACING): 0.25 s before every request and a second
between writes, as GitHub asks of an integration against its secondary rate limits. The rest of the
suite calls the fake GitHub without it (tests/conftest.py's _no_github_pacing, issue 16: ~40 s of
sleeps); this test keeps the pace itself checked, through the client the Action makes, on the real
PyGithub, with its sleeps recorded rather than slept."""

from __future__ import annotations

import github.Requester
import pytest

from ontosync.action.artifacts import github_client
from tests.fake_github import FakeGitHub
from tests.helpers import RecordedTime


@pytest.mark.github_pacing
def test_the_actions_client_waits_a_second_between_writes_and_a_quarter_before_reads(monkeypatch, tmp_path):
    clock = RecordedTime()
    monkeypatch.setattr(github.Requester, "time", clock)
    with FakeGitHub(tmp_path, owner="acme", repo="onto") as fake:
        issue = github_client(fake.token, fake.url).get_repo("acme/onto").get_issue(7)
        issue.create_comment("first")
        issue.create_comment("second")  # a write right after a write: held back to a second after it
        writes = list(clock.slept)
        assert len(issue.get_comments().get_page(0)) == 2  # a read right after: held back a quarter second
    assert [c["body"] for c in fake.pr_comments(7)] == ["first", "second"]
    assert len(writes) == 1 and 0.5 < writes[0] <= 1.0, clock.slept
    assert len(clock.slept) == 2 and 0.0 < clock.slept[1] <= 0.25, clock.slept
