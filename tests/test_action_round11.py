"""The Action, eleventh round (h96): an empty boolean input means its default, the job summary names
the repository that was checked out (not the workflow's), and the numeric inputs read as the
command line reads the same values. In process, against the real CLI; each test is a user-visible
outcome."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import yaml

from ontosync.action import container_step
from ontosync.action import run as action_run
from ontosync.action.checked_out import shown_source
from ontosync.action.inputs import ActionInputs, InputError, option_flags, read_inputs
from ontosync.cli import main as cli_main
from ontosync.options import BY_INPUT
from tests.fake_artifacts import FakeArtifactServer
from tests.test_action import REPO, TOKEN, FakeCli, make_env, sample_report
from tests.test_action_round6 import host_step
from tests.test_action_round7 import host_outputs
from tests.test_action_round8 import write_classes

ROOT = Path(__file__).resolve().parent.parent


# -- 1. an empty boolean input means its default ---------------------------------------------------

def test_an_empty_upload_artifact_uploads_as_its_default_says(tmp_path, monkeypatch):
    """`upload-artifact: ${{ inputs.upload }}` on a push (no workflow_dispatch input: "") uploaded
    nothing, without a word, and every next run was a full sync; `pr-comment: ""` meant its default
    (true). Empty means the input's default for every boolean: the upload step's `if:` is true, the
    comment names the artifact, and `full-sync: ""` is its default (no full sync)."""
    out = tmp_path / "o"
    assert host_step(out, monkeypatch, {"upload-artifact": "", "artifact-name": "nightly"}, "push") == "nightly"
    outputs = (out / "host-output.txt").read_text(encoding="utf-8")
    assert "upload-artifact<<" in outputs and "\ntrue\n" in outputs.split("upload-artifact<<", 1)[1]
    assert action_run.uploaded_artifact({"INPUT_ARTIFACT-NAME": "nightly", "INPUT_UPLOAD-ARTIFACT": ""}) == "nightly"
    assert action_run.uploaded_artifact({"INPUT_ARTIFACT-NAME": "x", "INPUT_UPLOAD-ARTIFACT": "no"}) == ""
    assert option_flags(BY_INPUT["full-sync"], "") == []
    assert option_flags(BY_INPUT["full-sync"], " ") == []
    assert option_flags(BY_INPUT["full-sync"], "yes") == ["--full"]
    # the upload step's own fallback (the sync step wrote no outputs) reads "" as its default too
    steps = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["runs"]["steps"]
    condition = next(s["if"] for s in steps if "upload-artifact" in str(s.get("uses")))
    assert "inputs.upload-artifact == ''" in condition


def test_every_boolean_input_defaults_to_what_empty_means():
    """What empty means is each boolean input's action.yml default, so the two cannot drift apart."""
    spec = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["inputs"]
    booleans = [o for o in BY_INPUT.values() if o.kind == "bool"]
    assert {o.input for o in booleans} >= {"upload-artifact", "pr-comment", "full-sync"}
    for option in booleans:
        assert str(spec[option.input]["default"]) == option.input_default in ("true", "false")
    assert container_step.upload_wanted("") is (BY_INPUT["upload-artifact"].input_default == "true")


# -- 2. the summary names the repository that was checked out ----------------------------------------

def checkout_config(folder: Path, url: str) -> None:
    """`.git/config` as actions/checkout writes it (its `repository:` input is the origin), with a
    user's name that is not ASCII."""
    (folder / ".git").mkdir(parents=True, exist_ok=True)
    (folder / ".git" / "config").write_text(
        "[core]\n\trepositoryformatversion = 0\n[user]\n\tname = J\u00f6rg\n[remote \"origin\"]\n"
        f"\turl = {url}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n", encoding="utf-8")


def run_summary(env: dict[str, str], tmp_path: Path) -> str:
    assert action_run.main(env, cli_main=cli_main, out=io.StringIO()) == 0
    return (tmp_path / "summary.md").read_text(encoding="utf-8").replace("\\", "")


def checked_out_repository(env: dict, workspace: Path, folder: str) -> str:
    """The repository the summary names for `folder` of the workspace (action/checked_out.shown_source)."""
    inputs = ActionInputs(workspace=workspace, database=workspace / "o.db", checkpoint=workspace / "o.ck",
                          report=workspace / "r.json", source=str(workspace / folder), path=folder)
    return shown_source(env, inputs)["source"]


def test_the_summary_names_the_checked_out_repository_not_the_workflow_s(tmp_path):
    """A workflow of `acme/ontology` checking out `lab/terms` (actions/checkout `repository:`) had
    its summary say "Source `acme/ontology`": GITHUB_REPOSITORY, the workflow's, not what was synced.
    The checkout's origin names it (an SSH remote too); with no origin it is GITHUB_REPOSITORY."""
    env = make_env(tmp_path)
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    checkout_config(ws, "https://github.com/lab/terms")
    summary = run_summary(env, tmp_path)
    assert "Source <code>lab/terms</code>" in summary
    assert REPO not in summary
    checkout_config(ws, "git@github.com:acme/other-onto.git")
    assert "Source <code>acme/other-onto</code>" in run_summary(env, tmp_path)
    (ws / ".git" / "config").unlink()
    assert f"Source <code>{REPO}</code>" in run_summary(env, tmp_path)


def test_a_checkout_into_the_path_folder_is_named_and_its_credentials_never(tmp_path):
    """`actions/checkout` with `repository: lab/terms` and `path: onto`, then `path: onto`:
    the folder's own origin names the source (the workspace's is the workflow's repository). A
    remote with a token in it is named without it; a remote that is no OWNER/REPO is not named."""
    env = make_env(tmp_path, path="onto")
    ws = Path(env["GITHUB_WORKSPACE"])
    checkout_config(ws, f"https://github.com/{REPO}")
    write_classes(ws / "onto", "A")
    checkout_config(ws / "onto", "https://x-access-token:ghs_SECRET123@github.com/lab/terms.git")
    summary = run_summary(env, tmp_path)
    assert "Source <code>lab/terms</code>, folder <code>onto</code>" in summary
    assert "SECRET" not in summary and "x-access-token" not in summary
    elsewhere = tmp_path / "elsewhere"  # a `path` folder linked out of the workspace: its checkout is not read
    checkout_config(elsewhere, "https://github.com/other/outside")
    write_classes(elsewhere, "A")
    shutil.rmtree(ws / "onto")
    (ws / "onto").symlink_to(elsewhere, target_is_directory=True)
    assert checked_out_repository(env, ws, "onto") == REPO  # (the sync itself refuses such a folder)
    (ws / "onto").unlink()
    write_classes(ws / "onto", "A")
    for url in ("/srv/git/mirror", "https://github.com/evil/<b>x</b>", "https://github.com/lab"):
        checkout_config(ws / "onto", url)  # no OWNER/REPO in it: the workflow's repository
        summary = run_summary(env, tmp_path)
        assert f"Source <code>{REPO}</code>, folder <code>onto</code>" in summary and "<b>" not in summary


# -- 3. numbers: the Action reads what the command line reads ----------------------------------------

@pytest.mark.parametrize("name, value", [
    ("file-timeout", "inf"), ("file-timeout", "1e400"), ("file-timeout", "nan"), ("file-timeout", "-inf"),
    ("workers", "1_0"), ("workers", "\u0661\u0660"), ("workers", "10.0"), ("workers", "0x10"),
    ("max-error-rate", "\u0660.\u0665"), ("max-error-rate", "infinity"), ("lock-timeout", "inf"),
    ("queue-size", "+5"), ("retries", "\uff13"),
])
def test_a_number_input_is_taken_or_refused_as_the_cli_takes_its_flag(name, value, tmp_path, capsys):
    """`file-timeout: inf`, `workers: 1_0`, non-ASCII digits: the Action hands the sync the value the
    command line would take from the same flag, and refuses (one line naming the input, exit 2)
    exactly the values the command line refuses."""
    option = BY_INPUT[name]
    try:
        flags = option_flags(option, value)
    except InputError as exc:
        flags = None
        assert str(exc).startswith(f"input {name!r}") and "\n" not in str(exc)
    code = cli_main(["sync", str(tmp_path / "none"), "--db", str(tmp_path / "x.db"), f"{option.flag}={value}"])
    err = capsys.readouterr().err
    if flags is None:
        assert code == 2 and option.flag in err
    else:  # taken: the CLI goes on to the source (missing here, exit 2 naming it), not the flag
        assert option.flag not in err and "none" in err
        env = make_env(tmp_path, **{name.replace("-", "_"): value})
        assert flags[0] in read_inputs(env).flags


# -- hunt: the upload's paths ------------------------------------------------------------------------

@pytest.mark.parametrize("database", ["build/x.db", "postgresql://ontosync:s3cret@db.example.org/onto"])
def test_an_empty_report_input_is_uploaded_as_the_default_report_the_sync_wrote(tmp_path, database):
    """`report: ""` is its default (`ontosync-report.json`), which the sync writes; the upload's list
    left it out, so the artifact of a failed run had no report saying why. With a PostgreSQL
    `database` and no `checkpoint`, the list was empty and the upload step fell back to
    `inputs.database`: the server's URL, password and all, given to upload-artifact as a path."""
    inputs = {"database": database, "checkpoint": "", "report": ""}
    used = read_inputs(make_env(tmp_path, **inputs))
    paths = container_step.artifact_paths(inputs)
    assert paths[-1] == used.relative(used.report) == "ontosync-report.json"
    assert not any("s3cret" in path for path in paths)


@pytest.mark.parametrize("name, value", [("artifact-name", "db/main"), ("artifact-name", "onto: nightly"),
                                         ("restore-artifact", "db\\main"), ("restore-artifact", "what?")])
def test_an_artifact_name_upload_artifact_refuses_is_refused_before_the_sync(tmp_path, monkeypatch, name, value):
    """`artifact-name: db/main`: the sync ran, then the upload step failed ("The artifact name is not
    valid"), the database unsaved and every next run a full sync; `restore-artifact: db\\main` named
    an artifact that cannot exist: a full sync every run, without a word. Refused before the sync,
    one line naming the input (exit 2), and the upload step, told not to run, adds no second error."""
    env = make_env(tmp_path, **{name.replace("-", "_"): value})
    write_classes(Path(env["GITHUB_WORKSPACE"]), "A")
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 2
    errors = [line for line in log.getvalue().splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and f"input {name!r}" in errors[0] and "actions/upload-artifact refuses" in errors[0]
    assert not (Path(env["GITHUB_WORKSPACE"]) / "ontology.db").exists()
    if name == "artifact-name":
        host_step(tmp_path / "host", monkeypatch, {"artifact-name": value}, "push")
        outputs = (tmp_path / "host" / "host-output.txt").read_text(encoding="utf-8")
        assert "\nfalse\n" in outputs.split("upload-artifact<<", 1)[1]
        assert read_inputs(make_env(tmp_path / "off", artifact_name=value, upload_artifact="false")).flags == []


@pytest.mark.parametrize("url, origin, folder, schema", [
    ("postgresql://u:pw@127.0.0.1:9/onto", "https://github.com/lab/terms", "terms", "lab_terms"),
    ("postgresql://u:pw@127.0.0.1:9/onto?schema=terms", "https://github.com/lab/terms", "terms", "terms"),
    ("postgresql://u:pw@127.0.0.1:9/onto", f"https://github.com/{REPO}", "terms", "acme_ontology"),
    ("postgresql://u:pw@127.0.0.1:9/onto", "https://github.com/lab/terms", "", "lab_terms"),  # (round 9)
])
def test_a_postgresql_schema_is_named_after_the_synced_folder_s_checkout(tmp_path, monkeypatch, url, origin, folder,
                                                                         schema):
    """A workflow of acme/ontology checking out lab/terms into its `path` folder, a PostgreSQL
    `database` without `?schema=`: the schema was named after the workspace's checkout (the sync's
    source), so a second job checking out another repository the same way synced into the same
    schema, each deleting the other's rows; round 11 warned. Round 12 (h103): the `path` folder's
    checkout names it, as the workspace's does (round 9), so the Action and the sync agree on it
    (the checkpoint is named by it) and there is nothing to warn of; a schema named in the URL
    stays named."""
    env = make_env(tmp_path, database=url, **({"path": folder} if folder else {}))
    for name in ("GITHUB_REPOSITORY", "GITHUB_WORKSPACE"):
        monkeypatch.setenv(name, env[name])
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws / folder, "A")
    checkout_config(ws / folder, origin)
    if folder:
        checkout_config(ws, f"https://github.com/{REPO}")
    log, cli = io.StringIO(), FakeCli(sample_report(failed=0))
    assert action_run.main(env, cli_main=cli, out=log) == 0
    assert cli.argv[cli.argv.index("--checkpoint") + 1] == str(ws / f"ontosync-{schema}.postgres.checkpoint.json")


def test_a_postgresql_database_downloads_no_artifact_and_says_no_full_sync(tmp_path):
    """`restore-artifact` with a PostgreSQL `database`: the artifact was listed and downloaded, held no
    `ontosync-SCHEMA.postgres` (a path never written), and the log warned "running a full sync",
    while the sync started from the server's rows. Not downloaded; one notice says why."""
    env = make_env(tmp_path, database="postgresql://u:pw@127.0.0.1:9/onto", restore_artifact="ontology-db")
    write_classes(Path(env["GITHUB_WORKSPACE"]), "A")
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {"ontology.db": b"SQLite format 3\x00"}, head_sha="1" * 40)
        env.update({"GITHUB_API_URL": fake.api_url, "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main"})
        log = io.StringIO()
        assert action_run.main(env, cli_main=FakeCli(sample_report(failed=0)), out=log) == 0
        assert not fake.requests.get("list") and not fake.requests.get("zip")
    assert "full sync" not in log.getvalue()
    assert not [line for line in log.getvalue().splitlines() if line.startswith("::warning") and "artifact" in line]
    assert "::notice::restore-artifact 'ontology-db' not restored: a PostgreSQL database" in log.getvalue()


@pytest.mark.parametrize("origin, linked", [("https://github.com/lab/terms", False),
                                            (f"https://github.com/{REPO}", True)])
def test_a_failed_file_of_another_repository_s_checkout_is_not_marked_in_the_workflow_s(tmp_path, origin, linked):
    """A failed file's annotation names it (`file=`), which GitHub shows in the workflow's repository
    at the run's commit: for a checkout of lab/terms it marked `Broken.ttl` of acme/ontology, another
    file or none. Named in the title only, as for the API's source; the workflow's own checkout keeps
    its link."""
    env = make_env(tmp_path, max_error_rate="1")
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    (ws / "Broken.ttl").write_text("<http://x/B> a .\n", encoding="utf-8")
    checkout_config(ws, origin)
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 0
    marked = [line for line in log.getvalue().splitlines() if line.startswith("::error") and "Broken.ttl" in line]
    assert len(marked) == 1 and ("file=Broken.ttl" in marked[0]) is linked


def test_the_retention_days_reads_whole_numbers_as_the_other_inputs_do(tmp_path, monkeypatch, capsys):
    """`workers: 1_0` and `workers: ١٠` are 10 (as `--workers` reads them), while
    `artifact-retention-days: 1_0` or `٣٠` was "not a whole number": a warning, and the repository's
    setting. Read as every whole-number input is, then handed to upload-artifact in ASCII digits."""
    for given, passed in (("1_0", "10"), ("\u0663\u0660", "30"), ("+7", "7"), ("10.0", ""), ("9_1", "")):
        outputs, log = host_outputs(tmp_path, monkeypatch, {"artifact-retention-days": given}, capsys)
        assert outputs["artifact-retention-days"] == passed
        assert ("::warning::ontosync: input 'artifact-retention-days'" in log) is (passed == "")
