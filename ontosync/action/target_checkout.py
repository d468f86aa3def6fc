"""`pull_request_target` runs in the base branch's context, and actions/checkout then checks out the
base branch, not the pull request: the Action compared the base branch with itself and commented
the base branch's newer commits as the pull request's change. Such a run is told apart by the
checkout's commit (read from `.git`, the Action's image has no git) being the base's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ontosync.action.commands import Commands
from ontosync.action.pull_request import PullRequest
from ontosync.sources.git_head import git_head


def base_checked_out(env: Mapping[str, str], at: str | None, pr: PullRequest) -> str | None:
    """`at`, the checkout's commit (synced_revision), when a `pull_request_target` run has the base
    branch checked out."""
    if env.get("GITHUB_EVENT_NAME") != "pull_request_target":
        return None
    return at if at is not None and at != pr.head_sha and at in (pr.base_sha, env.get("GITHUB_SHA")) else None


def synced_revision(env: Mapping[str, str], workspace: Path) -> str | None:
    """The commit to record for a `pull_request_target` run: the checkout's (GITHUB_SHA names the
    base branch's last commit there, whatever the workflow checked out); None elsewhere, where
    GITHUB_SHA is the commit actions/checkout checks out. Read once a run, and that one answer
    passed to checked_out_pr too: read again for the sync, a HEAD moved meanwhile had the run
    compare the pull request's head and record another commit as its revision."""
    if env.get("GITHUB_EVENT_NAME") != "pull_request_target":
        return None
    return git_head(workspace, github_sha=False)


def checked_out_pr(cmd: Commands, env: Mapping[str, str], checked_out: str | None,
                   pr: PullRequest | None) -> PullRequest | None:
    """`pr`, unless the workspace is not the pull request but its base branch (`checked_out`: the
    checkout's commit, synced_revision's answer): then None (the run is a push's), with a warning."""
    at = base_checked_out(env, checked_out, pr) if pr is not None else None
    if at is None:
        return pr
    cmd.warning(f"a pull_request_target run with the base branch checked out (the workspace is at {at[:12]}, not "
                f"the pull request's head {pr.head_sha[:12]}): syncing it as on a push, with no comparison and no "
                "comment. To compare the pull request, check out its head (actions/checkout with "
                "`ref: ${{ github.event.pull_request.head.sha }}`), knowing that this event runs a fork's content "
                "with a write token", title="ontosync: pull request")
    return None
