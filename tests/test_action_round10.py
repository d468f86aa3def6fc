"""The Action, tenth round (h90): a new branch's restore lists the artifacts once, the job summary
names the checkout as the user knows it (not the container's /github/workspace), and a force-push
back to a commit whose run never uploaded. Against the fakes on 127.0.0.1 (tests/fake_artifacts.py);
each test is a user-visible outcome."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ontosync.action import container_step
from ontosync.action import run as action_run
from ontosync.cli import main as cli_main
from tests.fake_artifacts import FakeArtifactServer
from tests.test_action import REPO, TOKEN, make_env, parse_outputs
from tests.test_action_round8 import push_run, synced_artifact, write_classes

Q, R, S = "17" * 20, "28" * 20, "39" * 20  # three pushes of main, in this order
T = "4a" * 20  # a fourth, whose run never uploaded


@pytest.fixture(scope="module")
def at_s(tmp_path_factory):
    """The artifact of S's run (the database synced at Q, R, then S), made once for the module."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        return synced_artifact(tmp_path_factory.mktemp("s"), monkeypatch,
                               (Q, ("A",)), (R, ("A", "B")), (S, ("A", "B", "C")))


def test_a_new_branch_s_first_run_lists_the_artifacts_once(tmp_path, monkeypatch):
    """A branch's first push has no artifact of its own and starts from the default branch's: the
    listing was asked twice (once for the branch, once again for the default branch), two requests
    of the API's rate limit and, on a repository of many artifacts, up to six pages more. One
    listing holds both; the run still starts from main's newest."""
    at_s = synced_artifact(tmp_path / "s", monkeypatch, (S, ("A",)))
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", at_s, head_sha=S, head_branch="main")
        fake.add(REPO, "ontology-db", at_s, head_sha=R, head_branch="other", age_hours=0.5)
        outputs, summary, log = push_run(tmp_path, fake, "0" * 40, "A", "B", branch="fix", sha=S)
        assert fake.requests["list"] == 1
    assert "started from artifact 'ontology-db'" in log and f"commit {S[:12]}" in log
    assert outputs["classes-added"] == "1" and "branch fix had no artifact yet" in summary


def test_the_summary_names_the_repository_not_the_container_s_workspace(tmp_path):
    """The job summary said "Source `/github/workspace`": the container's mount, no path on the
    runner nor in the repository (failure reasons already name files relative to the checkout).
    It names the repository the workspace holds; with `path`, the folder synced in it."""
    env = make_env(tmp_path, path="onto")
    write_classes(Path(env["GITHUB_WORKSPACE"]) / "onto", "A")
    assert action_run.main(env, cli_main=cli_main, out=io.StringIO()) == 0
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8").replace("\\", "")
    assert env["GITHUB_WORKSPACE"] not in summary
    assert f"Source <code>{REPO}</code>, folder <code>onto</code>; database <code>ontology.db</code>." in summary


def test_a_force_push_back_to_an_older_commit_is_the_branch_s_newest(tmp_path, at_s):
    """Pushes Q, R, S, T; T's run never uploaded (cancelled); then `git push --force` takes main
    back to R. Taken for a re-run of R's push (the restored database, synced at S, went past R),
    its database was uploaded as 'ontology-db-at-R', so 'ontology-db' stayed S's, and every later
    push started from S's classes, which the branch no longer has; no figures either. A forced push
    (the payload's `forced`, on its first attempt) moved the branch: its database is the branch's
    newest, its figures the change from S, said to start there."""
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", at_s, head_sha=S)
        outputs, summary, log = push_run(tmp_path, fake, T, "A", "B", sha=R, forced=True)
    assert "artifact-name" not in outputs and "is older than" not in log
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("0", "1")
    assert f"synced at {S[:12]}, not at {T[:12]}" in summary


def test_a_database_named_by_the_runner_s_workspace_path_lands_in_the_checkout(tmp_path, monkeypatch):
    """`database: ${{ github.workspace }}/out/onto.db`, a common way to write a path: the runner's
    path (/home/runner/work/r/r/...) is none in the container, which mounts the checkout at
    /github/workspace. The database was written inside the container and lost with it; the upload,
    looking on the runner, found none, and every run was a full sync. The runner's workspace is
    passed in (container_step.py) and such a path is taken as the checkout's."""
    runner = "/home/runner/work/onto/onto"
    monkeypatch.setenv("GITHUB_WORKSPACE", runner)
    assert container_step.container_env({})[0]["ONTOSYNC_RUNNER_WORKSPACE"] == runner
    env = make_env(tmp_path, database=f"{runner}/out/onto.db")
    env["ONTOSYNC_RUNNER_WORKSPACE"] = runner
    write_classes(Path(env["GITHUB_WORKSPACE"]), "A")
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 0
    assert parse_outputs(tmp_path / "output.txt")["database"] == "out/onto.db"
    assert (Path(env["GITHUB_WORKSPACE"]) / "out" / "onto.db").is_file()
    assert "outside the workspace" not in log.getvalue()


def test_a_failure_naming_the_workspace_itself_says_dot(tmp_path):
    """`report: .`: the reason read "--report /github/workspace: is a folder", the container's path
    (failure reasons name files relative to the checkout, but the checkout itself was left as is)."""
    env = make_env(tmp_path, report=".")
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 2
    assert "::error title=ontosync%3A exit 2::ontosync: error: --report .: is a folder" in log.getvalue()
    assert env["GITHUB_WORKSPACE"] not in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_a_re_run_at_the_branch_s_head_is_the_branch_s_newest(tmp_path, at_s):
    """The same force-push back to R, its first attempt cancelled before the upload, then re-run:
    no `forced` first attempt to go by, it passed for a re-run of an older push (renamed upload, no
    figures) though no push came after it. GitHub says where the branch is: at R, so R's database
    is the branch's newest. The re-run of a push that newer ones followed is still told apart."""
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", at_s, head_sha=S)
        fake.heads["main"] = R
        outputs, _summary, log = push_run(tmp_path / "at-head", fake, T, "A", "B", sha=R, forced=True, attempt=2)
        assert "artifact-name" not in outputs and "is older than" not in log
        assert (outputs["classes-added"], outputs["classes-removed"]) == ("0", "1")
        fake.heads["main"] = S  # a push came after R: a re-run of R's is an older push's
        outputs, _summary, log = push_run(tmp_path / "moved-on", fake, T, "A", "B", sha=R, forced=True, attempt=2)
    assert outputs["artifact-name"] == f"ontology-db-at-{R[:12]}"
