"""The Action, seventh round (h75): small reported items. Settings of `.ontosync.yml` the Action
overrides are named, a bad `artifact-retention-days` is caught before the upload step, and a
refused artifact's database is named by its member name, not by our temporary file's. Each test
is a user-visible outcome, against the fake artifact service on 127.0.0.1."""

from __future__ import annotations

import io
import json

import yaml

from ontosync.action import container_step
from ontosync.action import run as action_run
from ontosync.action.fetch_db import fetch_db
from tests.fake_artifacts import FakeArtifactServer
from tests.helpers import ROOT
from tests.test_action import REPO, TOKEN, FakeCli, make_env, parse_outputs, sample_report
from tests.test_pr_comment import bot_comments, github, pr_tree, run_pr  # noqa: F401  (github: the fixture)

UPLOAD = next(s for s in yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["runs"]["steps"]
              if str(s.get("uses", "")).startswith("actions/upload-artifact@"))


# -- 1. `db:`, `checkpoint:`, `report:` in .ontosync.yml: the Action says its input wins -----------------

def test_a_config_file_path_the_action_overrides_is_named_with_the_input_that_wins(tmp_path):
    """The Action always passes --db/--checkpoint/--report (it restores and uploads those files), so
    a `db:` in `.ontosync.yml` was silently ignored: the user looked for a database that was never
    written. One notice per such key, naming its line and the input whose value is used."""
    env = make_env(tmp_path)
    ws = tmp_path / "workspace"
    (ws / ".ontosync.yml").write_text("workers: 2\ndatabase: build/onto.db\ncheckpoint: ck.json\n",
                                      encoding="utf-8")
    log = io.StringIO()
    cli = FakeCli(sample_report(failed=0))
    assert action_run.main(env, cli_main=cli, out=log) == 0
    notices = [line for line in log.getvalue().splitlines() if line.startswith("::notice")]
    assert len(notices) == 2, notices
    assert ".ontosync.yml line 2: 'database' is not used by the Action: its input 'database' (ontology.db)" \
        in notices[0]
    assert ".ontosync.yml line 3: 'checkpoint' is not used by the Action: its input 'checkpoint' " \
           "(ontology.db.checkpoint.json)" in notices[1]
    assert cli.argv[cli.argv.index("--db") + 1] == str(ws / "ontology.db")  # what the notice says


def test_the_config_input_s_file_is_the_one_looked_at(tmp_path):
    """With `config: ci/onto.yml` the sync reads that file, not `.ontosync.yml`: the notice names it."""
    env = make_env(tmp_path, config="ci/onto.yml", report="out/r.json")
    ws = tmp_path / "workspace"
    (ws / ".ontosync.yml").write_text("db: never-read.db\n", encoding="utf-8")
    (ws / "ci").mkdir()
    (ws / "ci" / "onto.yml").write_text("report: elsewhere.json\n", encoding="utf-8")
    log = io.StringIO()
    assert action_run.main(env, cli_main=FakeCli(sample_report(failed=0)), out=log) == 0
    notices = [line for line in log.getvalue().splitlines() if line.startswith("::notice")]
    assert len(notices) == 1, notices
    assert "ci/onto.yml line 1: 'report' is not used by the Action: its input 'report' (out/r.json)" in notices[0]


# -- 2. artifact-retention-days: checked by the sync step, not refused by the upload after the sync -------

def host_outputs(tmp_path, monkeypatch, inputs: dict[str, str], capsys) -> tuple[dict[str, str], str]:
    """The sync step's host part (no docker): its outputs and its log."""
    out = tmp_path / "host-output.txt"
    out.write_text("")
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.setenv("ONTOSYNC_INPUTS", json.dumps(inputs))
    monkeypatch.setattr(container_step, "prepare_image", lambda *a: None)
    assert container_step.main() == 2  # stopped where the image would start
    return parse_outputs(out), capsys.readouterr().out


def test_a_bad_retention_is_a_warning_before_the_sync_and_the_upload_still_runs(tmp_path, monkeypatch, capsys):
    """`artifact-retention-days: abc` went to actions/upload-artifact as written, which failed the job
    after the sync ("Invalid retention-days") and uploaded nothing: the next run started from
    scratch. The sync step warns, naming the input, and the upload keeps the repository's setting."""
    assert UPLOAD["with"]["retention-days"] == "${{ steps.sync.outputs.artifact-retention-days }}"
    for given, passed in (("30", "30"), (" 7\n", "7"), ("", "")):
        outputs, log = host_outputs(tmp_path, monkeypatch, {"artifact-retention-days": given}, capsys)
        assert outputs["artifact-retention-days"] == passed and "::warning" not in log
    for bad in ("abc", "0", "91", "3.5", "-1"):
        outputs, log = host_outputs(tmp_path, monkeypatch, {"artifact-retention-days": bad}, capsys)
        assert outputs["artifact-retention-days"] == ""
        assert f"::warning::ontosync: input 'artifact-retention-days' must be a whole number from 1 to 90, " \
               f"not {bad!r}; the artifact is kept for the repository's setting" in log
    outputs, log = host_outputs(tmp_path, monkeypatch, {"artifact-retention-days": "abc", "upload-artifact": "false"},
                                capsys)  # nothing uploaded: nothing to say about how long it is kept
    assert outputs["artifact-retention-days"] == "" and "::warning" not in log


# -- 3. a refused artifact's database is named by its member name ------------------------------------------

def test_a_refused_database_is_named_as_the_artifact_holds_it(tmp_path, capsys):
    """The restore's warning said "restored.db: file is not a database" and fetch-db's
    "fetched.db ...": temporary files the user never saw. Both name the artifact's member."""
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {"build/onto.db": b"SQLite format 3\x00" + b"\xff" * 5000})
        fake.add(REPO, "text-db", {"onto.db": b"not sqlite at all" * 10})
        env = make_env(tmp_path, restore_artifact="ontology-db", database="build/onto.db")
        env["GITHUB_API_URL"] = fake.api_url
        log = io.StringIO()
        assert action_run.main(env, cli_main=FakeCli(sample_report(failed=0)), out=log) == 0
        warning = next(line for line in log.getvalue().splitlines() if "fails its checks" in line)
        assert "(build/onto.db: file is not a database)" in warning and "restored" not in warning
        assert fetch_db(REPO, "text-db", tmp_path / "got.db", api_url=fake.api_url, token=TOKEN) == 3
    err = capsys.readouterr().err
    assert "fails verification: onto.db is not an SQLite database" in err and "fetched" not in err


# -- hunt: a sync that fails before its first file -----------------------------------------------------

def test_a_failed_sync_leaves_no_earlier_change_file_to_pass_for_its_own(tmp_path):
    """The report an earlier step left is removed before the sync, the change JSON beside it was
    not: two Action steps in one job (two databases, one report folder), or a self-hosted runner's
    kept workspace, and a sync that failed before its first file (a busy lock, a bad config: exit
    4, 2) left `ontosync-changes.json` holding the earlier sync's classes for a later step to read
    at its documented path, while the `changes` output was empty."""
    env = make_env(tmp_path)
    stale = tmp_path / "workspace" / "ontosync-changes.json"
    for code in (4, 2):
        stale.write_text('{"base": {"run": 1}, "head": {"run": 2}, "counts": {},'  # (the change JSON's shape)
                         ' "classes": {"added": [{"iri": "http://x/Earlier"}], "removed": [], "changed": []}}')
        cli = FakeCli(None, code=code, stderr="ontosync: database busy")
        assert action_run.main(env, cli_main=cli, out=io.StringIO()) == code
        assert not stale.exists()
        assert parse_outputs(tmp_path / "output.txt")["changes"] == ""


def test_a_change_json_that_cannot_be_written_is_not_named(tmp_path):
    """A folder at `ontosync-changes.json` (the checkout holds one): the JSON could not be written,
    yet the `changes` output and the summary named that path, and a later step read a folder. The
    output is empty, a warning says why, and the summary still shows the figures."""
    from ontosync.cli import main as cli_main

    env = make_env(tmp_path)
    ws = tmp_path / "workspace"
    (ws / "a.ttl").write_text("<http://x/A> a <http://www.w3.org/2002/07/owl#Class> .\n", encoding="utf-8")
    (ws / "ontosync-changes.json").mkdir()
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 0
    outputs = parse_outputs(tmp_path / "output.txt")
    assert outputs["classes-added"] == "1" and outputs["changes"] == ""
    assert "::warning title=ontosync%3A changes::cannot write the change JSON ontosync-changes.json" in log.getvalue()
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "## What changed" in summary and "ontosync-changes.json" not in summary


def test_a_push_stopped_before_its_sync_does_not_leave_the_earlier_figures_in_the_comment(tmp_path, github):  # noqa: F811
    """A sync that fails is said in the pull request's comment (test_pr_comment_failed); a run the
    Action itself stopped before the sync (an empty workspace: the pull request's workflow lost its
    checkout step) returned first, and the comment went on showing the earlier push's figures."""
    from ontosync.action.pull_request import MARKER

    earlier = f"{MARKER.format(key='ontology.db')}\n**1** classes added, **0** removed"
    github.add_comment(7, earlier, login="github-actions[bot]", user_type="Bot")
    (tmp_path / "ws").mkdir()
    code, _o, summary, _log = run_pr(tmp_path, github, None, head="ef" * 20)
    assert code == 2 and "Nothing was synced, restored or uploaded" in summary
    [comment] = bot_comments(github)
    assert "classes added" not in comment["body"] and "efefefefefef" in comment["body"]
    assert "the sync failed (exit 2): the workspace" in comment["body"].replace("\\", "")
