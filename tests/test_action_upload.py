"""One `uses:` line does the whole job: action.yml runs the image and uploads the database,
checkpoint and report itself (also when the sync fails), and what it uploads is what
`restore-artifact` and `fetch-db` read back.

actions/upload-artifact zips the paths it is given relative to their least common ancestor folder;
`upload_layout` builds that archive here and the fake artifact service on 127.0.0.1 serves it to
the real restore and fetch-db code. The container step itself runs for real in
tests/test_image_registry.py (docker).
"""

from __future__ import annotations

import json
import posixpath
import re
import sqlite3
from pathlib import Path

import pytest
import yaml

from ontosync.action import container_step
from ontosync.action import run as action_run
from ontosync.action.fetch_db import fetch_db
from tests.fake_artifacts import FakeArtifactServer
from tests.helpers import ROOT
from tests.test_action import REPO, TOKEN, FakeCli, make_db, make_env, sample_report

SPEC = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def steps() -> dict[str, dict]:
    return {s.get("id") or s["name"]: s for s in SPEC["runs"]["steps"]}


def test_the_upload_runs_always_with_the_inputs():
    upload = next(s for s in SPEC["runs"]["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@"))
    assert re.fullmatch(r"actions/upload-artifact@[0-9a-f]{40}", upload["uses"])  # pinned by SHA
    assert "always()" in upload["if"] and "inputs.upload-artifact == 'true'" in upload["if"]
    assert upload["with"]["name"] == "${{ steps.sync.outputs.artifact-name || inputs.artifact-name }}"
    assert upload["with"]["retention-days"] == "${{ steps.sync.outputs.artifact-retention-days }}"  # checked
    assert "steps.sync.outputs.artifact-paths" in upload["with"]["path"]
    assert SPEC["inputs"]["upload-artifact"]["default"] == "true"
    assert SPEC["inputs"]["artifact-name"]["default"] == "ontology-db"  # fetch-db's default


def test_every_input_reaches_the_container_and_every_output_comes_back():
    sync = steps()["sync"]
    assert sync["env"]["ONTOSYNC_INPUTS"] == "${{ toJSON(inputs) }}"  # new inputs need no edit here
    assert "container_step.py" in sync["run"]
    for name, meta in SPEC["outputs"].items():
        assert meta["value"] == f"${{{{ steps.sync.outputs.{name} }}}}", name


@pytest.mark.parametrize(("inputs", "expected"), [
    ({"database": "ontology.db", "checkpoint": "", "report": "ontosync-report.json"},
     ["ontology.db", "ontology.db.checkpoint.json", "ontosync-report.json"]),
    ({"database": "build/x.db", "checkpoint": "state/ck.json", "report": ""},
     ["build/x.db", "state/ck.json", "ontosync-report.json"]),  # "": the default report, which the sync writes
])
def test_artifact_paths(inputs, expected):
    assert container_step.artifact_paths(inputs) == expected


def test_container_env_keeps_values_off_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "cmds" / "set_output_1"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "cmds" / "step_summary_1"))
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("RUNNER_TEMP", "/tmp/runner")
    env, mounts = container_step.container_env({"github-token": TOKEN, "file-timeout": "5"})
    assert env["INPUT_GITHUB-TOKEN"] == TOKEN and env["INPUT_FILE-TIMEOUT"] == "5"
    assert env["GITHUB_OUTPUT"] == "/github/file_commands/0/set_output_1"
    assert env["GITHUB_STEP_SUMMARY"] == "/github/file_commands/0/step_summary_1"
    assert env["GITHUB_WORKSPACE"] == "/github/workspace" and env["RUNNER_TEMP"] == "/tmp/runner"
    assert mounts == ["-v", f"{tmp_path / 'cmds'}:/github/file_commands/0"]
    assert TOKEN not in " ".join(mounts)


def upload_layout(workspace: Path, paths: list[str]) -> dict[str, bytes]:
    """The archive actions/upload-artifact makes of `paths`: members relative to their least
    common ancestor folder; missing files are left out (if-no-files-found: warn)."""
    present = [p for p in paths if (workspace / p).is_file()]
    root = posixpath.commonpath([posixpath.dirname(p) or "." for p in present]) if present else ""
    root = "" if root == "." else root
    return {posixpath.relpath(p, root or "."): (workspace / p).read_bytes() for p in present}


@pytest.mark.parametrize("database", ["ontology.db", "build/out/example.db"])
def test_what_the_action_uploads_restores_and_fetches(tmp_path, capsys, database):
    # A run wrote its database and checkpoint (and, failing, maybe no report) into its workspace.
    first = tmp_path / "first"
    inputs = {"database": database, "checkpoint": "", "report": "reports/run.json"}
    (first / database).parent.mkdir(parents=True)
    make_db(first / database, "uploaded")
    (first / f"{database}.checkpoint.json").write_text(json.dumps({"version": 1, "processed": 7}))
    members = upload_layout(first, container_step.artifact_paths(inputs))
    assert len(members) == 2  # no report: the upload still carries database and checkpoint

    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", members)
        # The next run: restore-artifact with the same name and inputs.
        (tmp_path / "next").mkdir()
        env = make_env(tmp_path / "next", restore_artifact="ontology-db", **inputs)
        env["GITHUB_API_URL"] = fake.api_url
        cli = FakeCli(sample_report(failed=0))
        assert action_run.main(env, cli_main=cli) == 0
        assert cli.db_marker == "uploaded"
        ws = Path(env["GITHUB_WORKSPACE"])
        assert json.loads((ws / f"{database}.checkpoint.json").read_text())["processed"] == 7
        # An application: fetch-db with its defaults finds the database in the same artifact.
        out = tmp_path / "app" / "ontology.db"
        assert fetch_db(REPO, out=out, api_url=fake.api_url, token=TOKEN) == 0
        conn = sqlite3.connect(out)
        assert conn.execute("SELECT value FROM marker").fetchone() == ("uploaded",)
        conn.close()
    capsys.readouterr()


def test_no_docker_on_the_runner_is_one_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # no docker command here
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    monkeypatch.setenv("ONTOSYNC_INPUTS", json.dumps({"database": "x.db"}))
    monkeypatch.setenv("ONTOSYNC_ACTION_IMAGE", "docker://example.org/o@sha256:" + "0" * 64)
    assert container_step.main() == 2
    out = capsys.readouterr().out
    assert "::error::ontosync: the docker command is not installed" in out
    assert "Traceback" not in out
    assert "artifact-paths<<" in (tmp_path / "out").read_text()
