"""The revision the Action records is the commit it synced. Under `pull_request_target` the
workflow checks out the pull request's head (`ref: ${{ github.event.pull_request.head.sha }}`) while
GITHUB_SHA names the base branch's last commit: the run recorded the base's commit as the
revision of the head's content (in `sync_meta`, the report and the checkpoint), so `status` and
a reader of the artifact were told the database matched the base branch."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from tests.fake_github import FakeGitHub
from tests.test_pr_comment import TOKEN, branched_repo, git, run_as_target, run_pr


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_pull_request_target_with_the_head_checked_out_records_the_head(tmp_path, monkeypatch):
    ws = tmp_path / "ws"
    pr_base, head, main_now = branched_repo(ws)
    git(ws, "checkout", "-q", head)
    monkeypatch.setenv("GITHUB_SHA", main_now)  # the runner's environment, as the container has it
    run_as_target(monkeypatch, main_now)
    with FakeGitHub(None, owner="acme", repo="onto", token=TOKEN) as fake:
        code, _outputs, _summary, log = run_pr(tmp_path, fake, None, head=head, base_sha=pr_base)
        assert code == 0, log[-3000:]
        assert len(fake.pr_comments(7)) == 1  # the pull request's comparison still runs
    [report] = [json.loads(p.read_text()) for p in ws.glob("*report*.json")]
    assert report["revision"] == head
    [db] = list(ws.glob("*.db"))
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM sync_meta WHERE key = 'revision'").fetchone()[0] == head
