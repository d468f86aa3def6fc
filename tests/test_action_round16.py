"""The Action, sixteenth round (h167): a pull request's base synced with the base's own version of an
explicit `config` input (a file of the checkout), or with the defaults when the base has none; a
cancelled run that wrote its report says so in an `::error` and in the summary; a step whose
container the OOM killer stopped names memory and the inputs that reduce it. In process, or as a
process sent a real signal, against the real CLI; GitHub's API is the fake on 127.0.0.1
(tests/fake_github.py)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from tests.fake_github import FakeGitHub
from tests.helpers import ROOT, signalled_run
from tests.test_action import make_env
from tests.test_action_round8 import write_classes
from tests.test_pr_comment import BASE, TOKEN, git, github, page, run_pr, write_tree  # noqa: F401 (github: a fixture)
from tests.test_pr_comment_failed import bot_comments, pr_tree

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


# -- 1. an explicit `config` input on a pull request ----------------------------------------------------

def pr_repo(ws: Path, base_files: dict[str, str], head_files: dict[str, str]) -> tuple[str, str]:
    """A git workspace: `BASE` plus `base_files` on main, then a feature commit writing `head_files`
    (a value None removes the file), checked out. (the base commit, the head commit)."""
    write_tree(ws, {**BASE, **base_files})
    git(ws, "init", "-q", "-b", "main")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "base")
    base = git(ws, "rev-parse", "HEAD")
    git(ws, "checkout", "-qb", "feature")
    for rel, text in head_files.items():
        if text is None:
            (ws / rel).unlink()
        else:
            (ws / rel).parent.mkdir(parents=True, exist_ok=True)
            (ws / rel).write_text(text, encoding="utf-8")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "the pull request")
    return base, git(ws, "rev-parse", "HEAD")


def pr_with_config(tmp_path: Path, base_files: dict, head_files: dict, config: str) -> tuple[int, dict, str, str]:
    """run_pr on pr_repo's pull request with the `config` input; the base from the checkout's history."""
    base, head = pr_repo(tmp_path / "ws", base_files, head_files)
    with FakeGitHub(None, owner="acme", repo="onto", token=TOKEN) as fake:
        return run_pr(tmp_path, fake, None, head=head, base_sha=base, inputs={"config": config})


@needs_git
def test_a_pull_request_changing_its_config_file_shows_the_change_it_makes(tmp_path):
    """`config: ci/ontosync.yml`, whose exclude the pull request drops: the base was synced with the
    head's file too, Boat in both, and the pull request showed no change. The base is synced with
    the base's own version of the file: Boat is the pull request's one class added."""
    code, outputs, summary, log = pr_with_config(
        tmp_path, {"ci/ontosync.yml": "exclude:\n  - pages/Boat.md\n"}, {"ci/ontosync.yml": "workers: 1\n"},
        "ci/ontosync.yml")
    assert code == 0, log[-3000:]
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("1", "0"), summary


@needs_git
def test_a_config_file_the_base_does_not_have_leaves_the_base_with_the_defaults(tmp_path):
    """The pull request adds `ci/ontosync.yml` (a page namespace of its own): the base has no such
    file and is synced with the defaults, as a base without `.ontosync.yml` is (not with the base's
    `.ontosync.yml`, which the `config` input replaces on both sides): every class moves from the
    default namespace to the file's. It was synced with the head's file: no change shown."""
    code, outputs, summary, log = pr_with_config(
        tmp_path, {".ontosync.yml": "page-namespace: 'urn:base:'\n"},
        {"ci/ontosync.yml": "page-namespace: 'urn:ci:'\n"}, "ci/ontosync.yml")
    assert code == 0, log[-3000:]
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("4", "4"), summary
    changes = json.loads((tmp_path / "ws" / outputs["changes"]).read_text(encoding="utf-8"))
    removed = sorted(row["iri"] for row in changes["classes"]["removed"])
    assert removed == [f"urn:ontosync:page:{name}" for name in ("bicycle", "boat", "car", "vehicle")], removed


@needs_git
@pytest.mark.parametrize("where", ["outside", "untracked"])
def test_a_config_file_no_commit_holds_applies_to_the_base_too(tmp_path, where):
    """A `config` outside the checkout, or one in it that git does not track (an earlier step wrote
    it), is the workflow's own: the base and the head are synced with it alike, so it shows no change
    of its own (the pull request adds Truck, in the file's namespace on both sides)."""
    ws = tmp_path / "ws"
    truck = "- ### OntologyBlock\n  - ontology:: true\n  - preferred-term:: Truck\n"
    base, head = pr_repo(ws, {}, {"pages/Truck.md": truck})
    own = tmp_path / "own.yml" if where == "outside" else ws / "own.yml"
    own.write_text("page-namespace: 'urn:own:'\n", encoding="utf-8")
    with FakeGitHub(None, owner="acme", repo="onto", token=TOKEN) as fake:
        code, outputs, summary, log = run_pr(tmp_path, fake, None, head=head, base_sha=base,
                                             inputs={"config": str(own) if where == "outside" else "own.yml"})
    assert code == 0, log[-3000:]
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("1", "0"), summary


def api_pr(tmp_path: Path, base_files: dict, head_files: dict, inputs: dict | None = None,
           hook=None) -> tuple[int, dict, str, str]:
    """run_pr with the base through the GitHub API (a workspace without git history, as in the
    Action's image, which has no git): the fake serves the base commit (`BASE` plus `base_files`)
    and the head commit (the base's files updated by `head_files`), which is the workspace."""
    base_tree, head_tree = {**BASE, **base_files}, {**BASE, **base_files, **head_files}
    with FakeGitHub(None, owner="acme", repo="onto", token=TOKEN) as fake:
        base = fake.commit({k: v.encode() for k, v in base_tree.items()})
        head = fake.commit({k: v.encode() for k, v in head_tree.items()})
        fake.answer_hook = hook
        return run_pr(tmp_path, fake, head_tree, head=head, base_sha=base, inputs=inputs)


def removed_iris(tmp_path: Path, outputs: dict) -> list[str]:
    changes = json.loads((tmp_path / "ws" / outputs["changes"]).read_text(encoding="utf-8"))
    return sorted(row["iri"] for row in changes["classes"]["removed"])


def test_the_base_read_through_the_api_reads_its_own_ontosync_yml(tmp_path):
    """`.ontosync.yml` setting a page namespace, unchanged by the pull request: the base synced
    through the API (the Action's image has no git: its usual way) read no `.ontosync.yml`, so
    every class was shown removed and added again, in the default namespace and the file's. The
    base's file is fetched at the base commit: no change."""
    code, outputs, summary, log = api_pr(tmp_path, {".ontosync.yml": "page-namespace: 'urn:x:'\n"}, {})
    assert code == 0 and "through the GitHub API" in summary, log[-3000:]
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("0", "0"), summary


def test_a_config_input_changed_by_the_pull_request_is_read_at_the_base_through_the_api(tmp_path):
    """`config: ci/ontosync.yml`, whose page namespace the pull request changes: through the API the
    base was synced with the head's file, no change shown. It reads the base commit's version."""
    code, outputs, summary, log = api_pr(tmp_path, {"ci/ontosync.yml": "page-namespace: 'urn:a:'\n"},
                                         {"ci/ontosync.yml": "page-namespace: 'urn:b:'\n"},
                                         {"config": "ci/ontosync.yml"})
    assert code == 0, log[-3000:]
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("4", "4"), summary
    assert removed_iris(tmp_path, outputs) == [f"urn:a:{name}" for name in ("bicycle", "boat", "car", "vehicle")]


def test_a_config_input_the_base_lacks_leaves_it_with_the_defaults_through_the_api(tmp_path):
    """The pull request adds `ci/ontosync.yml`: the base through the API has none, and is synced with
    the defaults, not its `.ontosync.yml` (the input replaces it on both sides)."""
    code, outputs, summary, log = api_pr(tmp_path, {".ontosync.yml": "page-namespace: 'urn:base:'\n"},
                                         {"ci/ontosync.yml": "page-namespace: 'urn:ci:'\n"},
                                         {"config": "ci/ontosync.yml"})
    assert code == 0, log[-3000:]
    assert removed_iris(tmp_path, outputs) == [f"urn:ontosync:page:{name}"
                                               for name in ("bicycle", "boat", "car", "vehicle")], summary


def test_a_base_config_github_refuses_to_give_stops_the_comparison(tmp_path):
    """The base's `.ontosync.yml` cannot be fetched (a 403): the base is not synced with other
    settings than its own (which showed their difference as the pull request's change); a warning
    says so, and there is no comparison."""
    def refuse(handler, seg, _query):
        if "contents" in seg:
            handler._send(403, {"message": "Resource not accessible by integration"})
            return 403
        return None

    code, outputs, _summary, log = api_pr(tmp_path, {".ontosync.yml": "page-namespace: 'urn:x:'\n"}, {}, hook=refuse)
    assert code == 0, log[-3000:]
    assert "configuration file .ontosync.yml could not be read through the GitHub API (GitHub answered 403)" in log
    assert outputs["classes-added"] == "", outputs


# -- 2. a cancelled run that wrote its report --------------------------------------------------------

@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_run_cancelled_during_the_sync_says_so_in_an_error_and_the_summary(tmp_path, signum):
    """The job cancelled (docker stop's SIGTERM, or Ctrl-C) as the sync wrote its second checkpoint:
    the sync wrote its report and exit 130, and the Action gave no `::error` at all, the step's
    red cross unexplained in the annotations. Now one, saying the run was cancelled, in the sync's
    own words that the checkpoint is saved and a run resumes, and the summary says so too."""
    env = make_env(tmp_path, workers="1", checkpoint_every="1")
    write_classes(Path(env["GITHUB_WORKSPACE"]), *(f"C{i}" for i in range(6)))
    proc = signalled_run("ontosync.pipeline.sync:SyncRun._write_checkpoint", env=env, nth=2, signum=int(signum),
                         entry=ROOT / "entrypoint.py")
    assert (proc.returncode, "Traceback" in proc.stdout + proc.stderr) == (130, False), proc.stdout + proc.stderr
    assert json.loads((Path(env["GITHUB_WORKSPACE"]) / "ontosync-report.json").read_text(encoding="utf-8"))
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error")]
    assert errors == ["::error title=ontosync%3A cancelled::the run was cancelled (exit 130): ontosync: interrupted: "
                      "the checkpoint is saved and every counted file is committed; run the same command again to "
                      "resume"], proc.stdout
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "## ontosync: ⏹️ interrupted" in summary and "> the run was cancelled (exit 130)" in summary, summary


def test_a_pull_request_s_comment_says_the_run_was_cancelled(tmp_path, github, monkeypatch):  # noqa: F811
    """A push whose run was cancelled during the head's sync (a real SIGTERM, handled as in the
    container): the comment said "the sync failed (exit 130): " and nothing after it. It says the
    run was cancelled, in the sync's words."""
    from ontosync.pipeline import sync as sync_module
    from ontosync.pipeline.interrupts import as_interrupt

    code, *_ = run_pr(tmp_path, github, pr_tree(Boat=None, Truck=page("Truck", parent="Vehicle")))
    assert code == 0 and bot_comments(github)
    original, calls = sync_module.SyncRun._write_checkpoint, []

    def cancelled(self, path, background=False):
        if Path(path).name == "ontology.db.checkpoint.json":  # the head's sync, not the base's
            calls.append(path)
            if len(calls) == 2:  # after its first file: the sync had begun, its report is written
                os.kill(os.getpid(), signal.SIGTERM)
        return original(self, path, background)

    monkeypatch.setattr(sync_module.SyncRun, "_write_checkpoint", cancelled)
    old = signal.signal(signal.SIGTERM, as_interrupt)  # as main installs it in the container
    try:
        code, _outputs, _summary, log = run_pr(tmp_path, github, pr_tree(Car=page("Car", label="Auto"), Boat=None,
                                                                  Bicycle=page("Bicycle", label="Bike")),
                                              head="ef" * 20, inputs={"workers": "1", "checkpoint-every": "1"})
    finally:
        signal.signal(signal.SIGTERM, old)
    assert code == 130 and (tmp_path / "ws" / "ontosync-report.json").is_file(), log[-3000:]
    [comment] = bot_comments(github)
    shown = comment["body"].replace("\\", "")
    assert "could not be computed: the run was cancelled (exit 130): ontosync: interrupted" in shown, shown
    assert "the sync failed" not in shown


# -- 3. a container the OOM killer stopped -------------------------------------------------------------

FAKE_DOCKER = """#!/bin/sh
# docker's CLI as the runner has it, but `run` is a container the kernel kills with SIGKILL (as the OOM
# killer does): a real process killed so, whose status docker run reports, 128 + 9
case "$1" in
  run) sh -c 'kill -KILL $$'; exit $? ;;
  *) exit 0 ;;
esac
"""


def step_with_docker(tmp_path: Path, script: str, **env: str):
    """container_step.py run as the sync step, with `script` as the `docker` on its PATH; `env` added
    to the step's environment (GITHUB_OUTPUT and the inputs given by default)."""
    import subprocess
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(script, encoding="utf-8")
    (bin_dir / "docker").chmod(0o755)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "GITHUB_WORKSPACE": str(tmp_path), "ONTOSYNC_INPUTS": "{}",
           "GITHUB_OUTPUT": str(tmp_path / "out.txt"), "ONTOSYNC_ACTION_IMAGE": "Dockerfile",
           "GITHUB_ACTION_PATH": str(ROOT), **env}
    return subprocess.run([sys.executable, str(ROOT / "ontosync" / "action" / "container_step.py")], env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_container_killed_for_memory_names_memory_and_the_inputs_that_reduce_it(tmp_path):
    """The container the OOM killer stopped (docker run's exit 137): the step failed with no
    annotation and an empty summary, nothing saying why. One `::error` names memory and the
    `workers` and `max-file-size` inputs that lower it; the summary says so; the exit is 137."""
    summary = tmp_path / "summary.md"
    proc = step_with_docker(tmp_path, FAKE_DOCKER, GITHUB_STEP_SUMMARY=str(summary),
                            ONTOSYNC_INPUTS=json.dumps({"workers": "8"}))
    assert proc.returncode == 137, proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, proc.stdout
    [error] = errors
    assert "out of memory" in error and "'workers' (8 here)" in error and "'max-file-size'" in error, error
    assert "out of memory" in summary.read_text(encoding="utf-8")


# -- hunt: a cancelled job reaches the container -------------------------------------------------------

CANCELLED_DOCKER = """#!/bin/sh
# `docker run` as its CLI proxies a signal to the container, whose sync stops at once, exit 130: the
# signal it got is written to $MARK (none written: it was killed, the container left running)
case "$1" in
  run)
    trap 'echo INT > "$MARK"; exit 130' INT
    trap 'echo TERM > "$MARK"; exit 130' TERM
    echo $$ > "$MARK.started"
    i=0; while [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done ;;  # (a minute at most, left running)
  *) exit 0 ;;
esac
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_cancel_of_the_step_reaches_the_container(tmp_path, signum):
    """A cancelled job: the runner signals the step's entry process (SIGINT, then SIGTERM), which
    is container_step.py. It died of a KeyboardInterrupt traceback and killed `docker run` with
    SIGKILL, which left the container running: its sync was never interrupted (no checkpoint saved
    at the cancel) and went on writing the database while the `if: always()` step uploaded it. The
    signal is passed on to `docker run` (which proxies it to the container) and the step waits for
    it: exit 130, no traceback. action.yml `exec`s the script, so that it is the entry process."""
    import subprocess
    import sys
    import time

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(CANCELLED_DOCKER, encoding="utf-8")
    (bin_dir / "docker").chmod(0o755)
    mark = tmp_path / "mark"
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "GITHUB_WORKSPACE": str(tmp_path), "MARK": str(mark),
           "GITHUB_OUTPUT": str(tmp_path / "out.txt"), "ONTOSYNC_INPUTS": "{}", "ONTOSYNC_ACTION_IMAGE": "Dockerfile",
           "GITHUB_ACTION_PATH": str(ROOT)}
    step = subprocess.Popen([sys.executable, str(ROOT / "ontosync" / "action" / "container_step.py")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not Path(f"{mark}.started").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        step.send_signal(signum)  # the entry process alone, as the runner signals it
        out, err = step.communicate(timeout=30)
    finally:
        with contextlib.suppress(OSError, ValueError):  # a `docker run` the step left running (it did)
            os.kill(int(Path(f"{mark}.started").read_text(encoding="utf-8")), signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            step.communicate(timeout=5)
    assert (step.returncode, "Traceback" in err) == (130, False), out + err
    assert mark.read_text(encoding="utf-8").strip() == signum.name.removeprefix("SIG"), out + err
    assert not [line for line in out.splitlines() if "out of memory" in line], out
    sync = next(s for s in action_steps() if s.get("id") == "sync")
    assert sync["run"].startswith("exec python3 "), sync["run"]


def action_steps() -> list[dict]:
    import yaml

    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["runs"]["steps"]


# -- hunt: a container docker could not start --------------------------------------------------------

UNSTARTED_DOCKER = """#!/bin/sh
case "$1" in
  run) echo "docker: Error response from daemon: invalid mount config for type \\"bind\\"." >&2; exit 125 ;;
  *) exit 0 ;;
esac
"""


def test_a_container_docker_cannot_start_is_an_error_and_a_summary(tmp_path):
    """`docker run` failing to start the container (exit 125: a daemon error, a bad mount): docker's
    message went to the log, but the step had no annotation and an empty summary, and a pull
    request's comment went on showing an earlier push's figures unsaid. One `::error` and the
    summary's "not run", as for an image that could not be built; the exit is docker's."""
    summary = tmp_path / "summary.md"
    proc = step_with_docker(tmp_path, UNSTARTED_DOCKER, GITHUB_STEP_SUMMARY=str(summary),
                            GITHUB_EVENT_NAME="pull_request")
    assert proc.returncode == 125, proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error")]
    assert errors == ["::error::ontosync: docker could not start the Action's container (exit 125; docker's message "
                      "is above)"], proc.stdout
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## ontosync: not run") and "comment, if any, was not updated" in text, text
