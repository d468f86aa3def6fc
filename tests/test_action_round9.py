"""The Action, ninth round (h84): a re-run of an older push after newer ones, an input naming a file
the run removes before its sync (the report, the change JSON), the warning of a pull request's base
that could not be synced into the restored artifact, and the outputs and summary of failed syncs
(exit 2: a reason naming the container's path, a traceback before the sync). Against the fakes on
127.0.0.1 (tests/fake_artifacts.py, tests/fake_github.py); each test is a user-visible outcome."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ontosync.action import run as action_run
from ontosync.action.commands import Commands
from ontosync.action.inputs import read_inputs
from ontosync.action.pull_request import PullRequest, prepare_base
from ontosync.cli import main as cli_main
from tests.fake_artifacts import FakeArtifactServer
from tests.test_action import REPO, TOKEN, make_env, parse_outputs
from tests.test_action_round8 import push_run, synced_artifact, write_classes
from tests.test_pr_comment import github, pr_tree, run_pr  # noqa: F401  (github: the fixture)

Q, R, S = "d4" * 20, "e5" * 20, "f6" * 20  # three pushes of main, in this order


def test_a_re_run_of_an_older_push_is_not_uploaded_as_the_branch_s_newest(tmp_path, monkeypatch):
    """Pushes Q, R, S; then the run of R is re-run. It restores the newest artifact (synced at S) and
    syncs back to R; uploaded under the same name, its database (at R) became the branch's newest:
    the next push started from R, and `fetch-db` gave an application the older ontology. The figures
    are R's own (from Q, which the log holds); the upload goes under another name, said."""
    at_s = synced_artifact(tmp_path / "s", monkeypatch, (Q, ("A",)), (R, ("A", "B")), (S, ("A", "B", "C")))
    opened = _count_log_reads(monkeypatch)
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", at_s, head_sha=S)
        outputs, summary, log = push_run(tmp_path, fake, Q, "A", "B", sha=R)
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("1", "0") and "## What changed" in summary
    assert opened == ["before the sync", "the figures"]  # (round 8: the log was opened twice before the sync)
    assert outputs["artifact-name"] == f"ontology-db-at-{R[:12]}"
    assert f"::warning title=ontosync%3A restore::this run's commit {R[:12]} is older than {S[:12]}" in log
    assert f"uploaded as 'ontology-db-at-{R[:12]}', so that 'ontology-db' stays the newest" in log


def _count_log_reads(monkeypatch) -> list[str]:
    """Each opening of the change log by action/changes.py, named by whether the sync has run."""
    from ontosync.action import changes

    opened: list[str] = []
    real = changes._reading

    def reading(db, source, path=""):
        opened.append("the figures" if any(Path(db).parent.glob("ontosync-report.json")) else "before the sync")
        return real(db, source, path)
    monkeypatch.setattr(changes, "_reading", reading)
    return opened


def test_a_re_run_of_an_older_push_gives_no_figures_rather_than_the_later_ones_reversed(tmp_path, monkeypatch):
    """The same re-run when the restored database's log no longer holds R's previous commit (pruned,
    or S's run started from R's own upload): the figures were S's class removed, shown as R's change."""
    at_s = synced_artifact(tmp_path / "s", monkeypatch, (R, ("A", "B")), (S, ("A", "B", "C")))
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", at_s, head_sha=S)
        outputs, summary, log = push_run(tmp_path, fake, Q, "A", "B", sha=R)
    assert outputs["classes-added"] == outputs["classes-removed"] == outputs["changes"] == ""
    assert "## What changed" not in summary and "classes removed" not in summary
    assert f"the database no longer holds {Q[:12]}, so no change figures" in log
    assert outputs["artifact-name"] == f"ontology-db-at-{R[:12]}"


def test_a_new_branch_at_an_older_commit_is_no_re_run(tmp_path, monkeypatch):
    """A branch created at Q (main's first push) after main's pushes R and S: its first push finds no
    artifact of its own and starts from main's (synced at S, its log holding Q). Taken for a re-run of
    an older push (found at the merge), it warned, uploaded as 'ontology-db-at-Q' (so the branch never
    got an 'ontology-db' and its next push did the same) and gave no figures. Only a branch's own
    artifact tells that: the figures are measured from main's database, as the summary says."""
    at_s = synced_artifact(tmp_path / "s", monkeypatch, (Q, ("A",)), (R, ("A", "B")), (S, ("A", "B", "C")))
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", at_s, head_sha=S, head_branch="main")
        outputs, summary, log = push_run(tmp_path, fake, "0" * 40, "A", branch="fix", sha=Q)
    assert "artifact-name" not in outputs and "is older than" not in log  # (not renamed: the upload step names it)
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("0", "2")
    assert "branch fix had no artifact yet" in summary


@pytest.mark.parametrize("name", ["database", "checkpoint", "config"])
def test_a_database_or_checkpoint_named_as_the_change_json_is_refused_not_deleted(tmp_path, name):
    """`database: ontosync-changes.json` (or the checkpoint): the Action removed that file before the
    sync, as an earlier run's change JSON, and wrote its JSON over it after: a restored database was
    lost and the sync started from nothing. Refused (exit 2), one line naming both inputs; kept."""
    env = make_env(tmp_path, **{name: "ontosync-changes.json"})
    kept = Path(env["GITHUB_WORKSPACE"]) / "ontosync-changes.json"
    kept.write_bytes(b"an earlier step's file")
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 2
    assert kept.read_bytes() == b"an earlier step's file"
    assert f"::error title=ontosync%3A bad input::input '{name}' (ontosync-changes.json) is the change JSON the " \
           "Action writes beside input 'report' (ontosync-report.json)" in log.getvalue()


def test_a_base_not_synced_into_the_restored_artifact_names_the_artifact_s_commit(tmp_path, monkeypatch):
    """A pull request's base commit could not be synced into the restored database: the warning
    said "comparing with the artifact as it is", and the comment "compared with the newest artifact
    of the base branch", neither saying which commit the figures start from. Both name it."""
    members = synced_artifact(tmp_path / "s", monkeypatch, (S, ("A",)))
    env = make_env(tmp_path, restore_artifact="ontology-db")
    pr = PullRequest(7, REPO, Q, "main", R)
    out = io.StringIO()
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", members, head_sha=S)
        env["GITHUB_API_URL"] = fake.api_url
        inputs = read_inputs(env)
        inputs.token = TOKEN
        note = prepare_base(Commands(out), inputs, pr, lambda argv, revision, workspace: 3)
    assert f"comparing with the artifact as it is, synced at commit {S[:12]}" in out.getvalue()
    assert note == f"the newest 'ontology-db' artifact of the base branch, synced at commit {S[:12]} (the base " \
                   f"commit {Q[:12]} could not be synced into it)"


def test_a_failed_sync_s_reason_names_files_relative_to_the_workspace(tmp_path):
    """Exit 2 on a bad `.ontosync.yml`: the job summary and the error annotation quoted the
    container's path (/github/workspace/.ontosync.yml), which is no path on the runner nor in the
    repository; the pull request's comment already said `.ontosync.yml`. All three say it now."""
    env = make_env(tmp_path)
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    (ws / ".ontosync.yml").write_text("workers: [\n", encoding="utf-8")
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 2
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8").replace("\\", "")
    assert "> ontosync: error: .ontosync.yml line 2: invalid YAML" in summary
    assert "::error title=ontosync%3A exit 2::ontosync: error: .ontosync.yml line 2" in log.getvalue()
    assert str(ws) not in summary
    assert parse_outputs(tmp_path / "output.txt")["report"] == ""


@pytest.mark.parametrize(("name", "path"), [("database", "ontology.db"), ("checkpoint", "ontology.db.checkpoint.json")])
def test_a_report_named_as_the_database_or_checkpoint_does_not_delete_it(tmp_path, name, path):
    """`report: ontology.db` (a typo): the sync refuses a report named as the database, but the
    Action had removed "the earlier run's report" first: a restored database (or a self-hosted
    runner's kept one) was deleted, and the upload then held none. Refused before anything is removed."""
    env = make_env(tmp_path, report=path)
    kept = Path(env["GITHUB_WORKSPACE"]) / path
    kept.write_bytes(b"the database")
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 2
    assert kept.read_bytes() == b"the database"
    assert f"input '{name}' ({path}) is also input 'report': give '{name}' or 'report' another path" in log.getvalue()


def test_a_report_under_a_file_is_named_by_the_sync_not_a_traceback(tmp_path):
    """`report: out/r.json` where `out` is a file of the checkout: removing "the earlier report"
    raised NotADirectoryError, a traceback ended the step with no outputs and no job summary.
    The sync names the path (exit 2), and the outputs and summary are written."""
    env = make_env(tmp_path, report="out/r.json")
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    (ws / "out").write_text("a file", encoding="utf-8")
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 2
    assert "::error title=ontosync%3A exit 2::ontosync: error: --report out/r.json" in log.getvalue()
    assert parse_outputs(tmp_path / "output.txt")["database"] == "ontology.db"
    assert "## ontosync: ❌ usage or configuration error" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_a_pull_request_s_database_under_a_file_is_named_not_a_traceback(tmp_path, github):  # noqa: F811
    """The same on a pull request (`database: out/x.db`, `out` a file): clearing the place for the
    base branch's database raised NotADirectoryError, a traceback with no outputs, no summary, and a
    comment left showing the earlier push's figures."""
    files = pr_tree()
    files["out"] = "a file"
    code, outputs, summary, log = run_pr(tmp_path, github, files, inputs={"database": "out/x.db"})
    assert code == 2, log[-2000:]
    assert outputs["database"] == "out/x.db" and "❌" in summary


def test_a_job_cancelled_during_the_restore_ends_in_one_line_not_a_traceback(tmp_path, monkeypatch):
    """A cancelled job (docker stop: SIGTERM, which the Action turns into an interrupt, as for the
    sync) while the artifact was being restored: the interrupt left `main` as a traceback. Now one
    error line and exit 130, as an interrupted sync. The signal is real, sent as the restore runs."""
    import os
    import signal

    from ontosync.pipeline.interrupts import as_interrupt

    def cancelled(*_args, **_kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        return None

    env = make_env(tmp_path, restore_artifact="ontology-db")
    write_classes(Path(env["GITHUB_WORKSPACE"]), "A")
    monkeypatch.setattr(action_run, "restore", cancelled)
    old = signal.signal(signal.SIGTERM, as_interrupt)  # as main installs it in the container
    try:
        log = io.StringIO()
        assert action_run.main(env, cli_main=cli_main, out=log) == 130
    finally:
        signal.signal(signal.SIGTERM, old)
    said = log.getvalue()
    assert "::error title=ontosync%3A interrupted::the run was stopped (job cancelled) outside the sync" in said
    assert "Traceback" not in said
