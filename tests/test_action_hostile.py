"""The Action's glue against hostile or unlucky surroundings: artifacts uploaded by a fork's pull
request, a comment deleted under our feet, odd input values, error messages that would carry a
signed download URL. Each test failed on main before its fix; GitHub's API is the fakes on
127.0.0.1 (tests/fake_artifacts.py, tests/fake_github.py)."""

from __future__ import annotations

import io
import json
import socket
import sqlite3
import zipfile
from pathlib import Path

import pytest
import yaml

from ontosync.action import artifacts, container_step
from ontosync.action import run as action_run
from ontosync.action.artifacts import find_newest_artifact
from ontosync.action.commands import Commands
from ontosync.action.fetch_db import fetch_db
from ontosync.action.inputs import read_inputs
from ontosync.action.pull_request import MARKER, PullRequest, post_comment
from ontosync.cli import main as cli_main
from ontosync.retry import RetryPolicy
from tests.fake_artifacts import FakeArtifactServer
from tests.fake_github import FakeGitHub
from tests.helpers import ROOT, cli
from tests.test_action import REPO, TOKEN, FakeCli, make_db, make_env, parse_outputs, sample_report

FORK_REPOSITORY_ID = 777  # a run of a pull request from a fork: its head repository is the fork


@pytest.fixture
def fake():
    with FakeArtifactServer(token=TOKEN) as server:
        yield server


def add_ours_and_a_forks(fake: FakeArtifactServer, tmp_path: Path) -> int:
    """Our main branch's database (older) and a newer one a fork's pull-request run uploaded under
    the same name from its own branch called `main` (a fork's runs may upload artifacts)."""
    ours = fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "ours.db", "ours")}, age_hours=5)
    fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "fork.db", "fork")}, age_hours=1,
             head_branch="main", head_repository_id=FORK_REPOSITORY_ID)
    return ours.id


# --- artifacts from forks --------------------------------------------------------------------------

def test_a_push_run_never_starts_from_a_forks_artifact(tmp_path, fake, capsys):
    """A fork's pull request could plant a database whose facts for main's files are forged; the next
    push skips those files by blob hash and keeps the forged facts (and uploads them again)."""
    add_ours_and_a_forks(fake, tmp_path)
    env = make_env(tmp_path, restore_artifact="ontology-db")
    env["GITHUB_API_URL"] = fake.api_url
    cli = FakeCli(sample_report(failed=0))
    assert action_run.main(env, cli_main=cli) == 0
    assert cli.db_marker == "ours"


def test_a_pull_requests_base_never_comes_from_a_forks_branch_of_the_same_name(tmp_path, fake):
    ours = add_ours_and_a_forks(fake, tmp_path)
    info, _ = find_newest_artifact(REPO, "ontology-db", TOKEN, fake.api_url, branch="main")
    assert info is not None and info.id == ours


def test_fetch_db_never_hands_out_a_forks_database(tmp_path, fake):
    add_ours_and_a_forks(fake, tmp_path)
    out = tmp_path / "fetched.db"
    assert fetch_db(REPO, out=out, api_url=fake.api_url, token=TOKEN) == 0
    assert sqlite3.connect(out).execute("SELECT value FROM marker").fetchone()[0] == "ours"


# --- the pull-request comment ----------------------------------------------------------------------

PR = PullRequest(7, "acme/onto", "a" * 40, "main", "b" * 40)
MARK = MARKER.format(key="ontology.db")


@pytest.fixture
def github():
    with FakeGitHub(owner="acme", repo="onto", token=TOKEN) as server:
        server.commit({"pages/A.md": b"- a\n"})
        yield server


def post(github: FakeGitHub, body: str, create: bool = True) -> tuple[bool, str]:
    log = io.StringIO()
    done = post_comment(Commands(log), PR, body, "ontology.db", TOKEN, github.url, create=create)
    return done, log.getvalue()


def bodies(github: FakeGitHub, user_type: str = "Bot") -> list[str]:
    return [c["body"] for c in github.pr_comments(7) if c["user"]["type"] == user_type]


def test_our_comment_on_the_third_page_is_found_and_a_quote_of_it_left_alone(github):
    """Held on main: 250 comments (three pages of 100), a person quoting our marker on page one."""
    quote = f"> {MARK}\n> the bot said this"
    github.add_comment(7, quote, login="reviewer")
    for i in range(228):
        github.add_comment(7, f"comment {i}")
    github.add_comment(7, f"{MARK}\nold", login="github-actions[bot]", user_type="Bot")
    for i in range(20):
        github.add_comment(7, f"later {i}")
    done, log = post(github, f"{MARK}\nnew")
    assert done, log
    assert bodies(github) == [f"{MARK}\nnew"] and len(github.pr_comments(7)) == 250
    assert bodies(github, "User")[0] == quote
    pages = [e for e in github.log if e[1] == "GET" and e[2].endswith("/comments")]
    assert len(pages) == 3


def deleted_after_listing(github: FakeGitHub) -> None:
    """Our comment is there when listed, and deleted right after (by a maintainer, or another run).
    Once: the comment posted in its place is listed again after posting, and stays."""
    old = github.add_comment(7, f"{MARK}\nold", login="github-actions[bot]", user_type="Bot")

    def list_then_delete(handler, seg, query):
        if seg[-1] != "comments":
            return None
        status = handler._issues(seg[3:], query, "GET", None)
        with github.lock:
            github.comments.pop(old["id"], None)
        return status

    github.answer_hook = list_then_delete


def test_our_comment_deleted_after_the_listing_is_posted_again(github):
    """Someone deletes the comment between our listing and our update: the edit answers 404. The user
    saw no comment at all and a warning blaming the token's permissions."""
    deleted_after_listing(github)
    done, log = post(github, f"{MARK}\nnew")
    assert done, log
    assert bodies(github) == [f"{MARK}\nnew"]
    assert "pull-requests: write" not in log and "::warning" not in log


def test_a_deleted_comment_with_nothing_to_say_is_not_posted_again(github):
    deleted_after_listing(github)
    done, log = post(github, f"{MARK}\nNo change to the ontology.", create=False)
    assert done and github.pr_comments(7) == [] and "none posted" in log


# --- odd input values ------------------------------------------------------------------------------

@pytest.mark.parametrize("database, checkpoint, report", [
    ("ontology.db\n", "", "ontosync-report.json"),  # `database: |` in YAML keeps a final newline
    ("  data/ontology.db  ", "", " reports/run.json\n"),
    ("ontology.db", " state/ck.json ", "ontosync-report.json"),
])
def test_the_upload_names_the_files_the_sync_wrote(tmp_path, database, checkpoint, report):
    """The sync step strips its inputs; the upload's paths came from the raw values, so a final
    newline split `ontology.db\\n.checkpoint.json` into two lines and the checkpoint was never
    uploaded: the next run could not resume."""
    inputs = {"database": database, "checkpoint": checkpoint, "report": report}
    used = read_inputs(make_env(tmp_path, **inputs))
    assert container_step.artifact_paths(inputs) == [
        used.relative(used.database), used.relative(used.checkpoint), used.relative(used.report)]


def test_a_postgresql_url_with_spaces_is_not_uploaded_as_a_path():
    url = " postgresql://ontosync:s3cret@db.example.org/onto "
    assert container_step.artifact_paths({"database": url, "checkpoint": "", "report": "r.json"}) == ["r.json"]


@pytest.mark.parametrize("value, upload", [
    ("yes", "true"), (" TRUE\n", "true"), ("on", "true"), ("1", "true"), ("true", "true"),
    ("no", "false"), ("False", "false"), ("0", "false"), ("maybe", "false"),
])
def test_upload_artifact_takes_the_booleans_the_other_inputs_take(tmp_path, monkeypatch, capsys, value, upload):
    """`full-sync: yes` and `pr-comment: yes` work; `upload-artifact: yes` silently uploaded nothing
    (the upload step compared the raw input with 'true'), and the next run started from scratch."""
    spec = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    step = next(s for s in spec["runs"]["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@"))
    assert "steps.sync.outputs.upload-artifact == 'true'" in step["if"]
    monkeypatch.setenv("PATH", str(tmp_path))  # no docker here: the step stops after its outputs
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    monkeypatch.setenv("ONTOSYNC_INPUTS", json.dumps({"upload-artifact": value}))
    monkeypatch.setenv("ONTOSYNC_ACTION_IMAGE", "docker://example.org/o@sha256:" + "0" * 64)
    container_step.main()
    assert parse_outputs(tmp_path / "out")["upload-artifact"] == upload
    warned = "::warning::ontosync: input 'upload-artifact' must be true or false, not 'maybe'"
    assert (warned in capsys.readouterr().out) == (value == "maybe")


# --- what the log may say --------------------------------------------------------------------------

def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_storage_host_is_reported_without_the_signed_url(tmp_path, fake, capsys, monkeypatch):
    """The redirect's URL carries a short-lived grant to download the artifact; requests puts the URL
    in its exception text, which reached the (often public) job log and fetch-db's stderr."""
    # the failure is the point, not the waits between the 3 tries: a few milliseconds each
    monkeypatch.setitem(artifacts.download_artifact.__kwdefaults__, "retry", RetryPolicy(factor=0.001))
    art = fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "db.db", "x")})
    fake.storage_base = f"http://127.0.0.1:{closed_port()}"
    env = make_env(tmp_path, restore_artifact="ontology-db")
    env["GITHUB_API_URL"] = fake.api_url
    log = io.StringIO()
    assert action_run.main(env, cli_main=FakeCli(sample_report(failed=0)), out=log) == 0
    assert fetch_db(REPO, out=tmp_path / "f.db", api_url=fake.api_url, token=TOKEN) == 2
    said = log.getvalue() + "\n".join(capsys.readouterr())
    assert art.signature not in said and "sig=" not in said
    assert "::warning::restore-artifact 'ontology-db': download of artifact 'ontology-db'" in log.getvalue()


# --- what a restored artifact holds ----------------------------------------------------------------

def test_a_restored_database_of_another_schema_is_a_full_sync_not_a_failure_every_run(tmp_path, fake):
    """An artifact of the name holding some other SQLite database (another tool's, under a name the
    user reused) passed the integrity checks, so the sync refused it (exit 2); the failed run uploaded
    it again, and every later run failed the same way."""
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE marker (value TEXT)")
    other.commit()
    other.close()
    fake.add(REPO, "ontology-db", {"ontology.db": (tmp_path / "other.db").read_bytes()})
    env = make_env(tmp_path, restore_artifact="ontology-db", workers="1")
    env["GITHUB_API_URL"] = fake.api_url
    ws = Path(env["GITHUB_WORKSPACE"])
    (ws / "A.md").write_text("- ### OntologyBlock\n  - ontology:: true\n  - preferred-term:: Apple\n", encoding="utf-8")
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 0, log.getvalue()[-2000:]
    assert "not a database ontosync can use" in log.getvalue() and "running a full sync" in log.getvalue()
    conn = sqlite3.connect(ws / "ontology.db")
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'marker'").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM source_files").fetchone() == (1,)


# --- event payloads --------------------------------------------------------------------------------

@pytest.mark.parametrize("payload", [
    None,  # GITHUB_EVENT_PATH names no file
    "{not json",
    '{"pull_request": {"number": 7, "base": {"sha": "not a sha"}, "head": {"sha": "also not"}}}',
    '{"pull_request": {"number": 7, "base": {"sha": "' + "a" * 40 + '", "repo": "o/r"}, "head": {"sha": "b"}}}',
])
def test_a_pull_request_event_without_a_usable_payload_says_why_there_is_no_comment(tmp_path, payload):
    """The run went on as a push run, silently: no comparison with the base branch, no comment, and
    nothing in the log to say why."""
    env = make_env(tmp_path)
    event = tmp_path / "event.json"
    if payload is not None:
        event.write_text(payload, encoding="utf-8")
    env.update({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)})
    log = io.StringIO()
    assert action_run.main(env, cli_main=FakeCli(sample_report(failed=0)), out=log) == 0
    warnings = [line for line in log.getvalue().splitlines() if line.startswith("::warning")]
    assert len(warnings) == 1 and "no comparison with the base branch and no comment" in warnings[0], warnings
    assert TOKEN not in log.getvalue().replace(f"::add-mask::{TOKEN}", "")


@pytest.mark.parametrize("event", ["push", "workflow_dispatch", "merge_group", "schedule"])
def test_other_events_are_plain_syncs_without_a_word_about_pull_requests(tmp_path, event):
    """Held on main."""
    env = make_env(tmp_path)
    env.update({"GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": str(tmp_path / "missing.json")})
    log = io.StringIO()
    assert action_run.main(env, cli_main=FakeCli(sample_report(failed=0)), out=log) == 0
    assert "::warning" not in log.getvalue() and "pull request" not in log.getvalue()


def test_a_restored_database_that_cannot_be_written_is_a_warning_not_a_traceback(tmp_path, fake):
    """A folder where the database goes (or a full disk): the copy raised out of the Action, so the
    step ended in a traceback with no outputs and no job summary, instead of the sync's own error."""
    fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "db.db", "x")})
    env = make_env(tmp_path, restore_artifact="ontology-db")
    env["GITHUB_API_URL"] = fake.api_url
    (Path(env["GITHUB_WORKSPACE"]) / "ontology.db").mkdir()
    log = io.StringIO()
    code = action_run.main(env, cli_main=cli_main, out=log)
    assert code == 2 and "::error title=ontosync%3A exit 2::" in log.getvalue()  # the sync's own word
    assert "::warning::restore-artifact 'ontology-db': cannot write ontology.db" in log.getvalue()
    assert "running a full sync" in log.getvalue()
    assert parse_outputs(Path(env["GITHUB_OUTPUT"]))["database"] == "ontology.db"
    assert "## ontosync:" in Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")


def damaged_zip(how: str, data: bytes) -> bytes:
    """A zip of one `ontology.db` whose member cannot be unpacked, as a damaged or hostile upload."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED if how == "bad crc" else zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ontology.db", data)
    raw = bytearray(buf.getvalue())
    central = raw.rfind(b"PK\x01\x02")
    data_at = 30 + len("ontology.db")  # the member's data, after its local header
    if how == "bad crc":
        raw[data_at + 40] ^= 0xFF  # a stored byte: the data reads, its CRC-32 does not match
    elif how == "bad deflate":
        raw[data_at] |= 0x06  # the first block's type, 3: reserved. (A byte flipped further in made
        # a stream that sometimes still inflated, to data with a bad CRC: the test failed now and then.)
    elif how == "encrypted":
        raw[6] |= 1  # the "encrypted" flag, in the local header and the central directory
        raw[central + 8] |= 1
    elif how == "unknown method":
        raw[8] = raw[central + 10] = 99  # AES, which zipfile cannot read
    return bytes(raw)


@pytest.mark.parametrize("how, why", [
    ("bad crc", "its data is damaged (Bad CRC-32 for file 'ontology.db')"),
    ("bad deflate", "its data is damaged (Error -3 while decompressing data: invalid"),
    ("encrypted", "it is encrypted"), ("unknown method", "its compression method is not supported"),
])
def test_a_member_that_cannot_be_unpacked_is_a_full_sync_and_a_clean_fetch_db_error(tmp_path, fake, capsys, how,
                                                                                     why):
    """zipfile raises BadZipFile, zlib.error, RuntimeError or NotImplementedError for these; they
    came out of the Action as a traceback (no outputs, no summary) and out of fetch-db the same way."""
    fake.add(REPO, "ontology-db", damaged_zip(how, make_db(tmp_path / "db.db", "x")))
    env = make_env(tmp_path, restore_artifact="ontology-db")
    env["GITHUB_API_URL"] = fake.api_url
    log = io.StringIO()
    cli = FakeCli(sample_report(failed=0))
    assert action_run.main(env, cli_main=cli, out=log) == 0
    assert cli.db_marker is None and f"archive member 'ontology.db' cannot be unpacked: {why}" in log.getvalue()
    assert "running a full sync" in log.getvalue()
    assert fetch_db(REPO, out=tmp_path / "f.db", api_url=fake.api_url, token=TOKEN) == 2
    err = capsys.readouterr().err
    assert err.startswith("ontosync: error: archive member 'ontology.db' cannot be unpacked: ")
    assert len(err.splitlines()) == 1 and "ZipInfo" not in err
    assert not (tmp_path / "f.db").exists()


def test_a_push_starts_from_its_own_branchs_database_not_a_pull_requests(tmp_path, fake):
    """README's pull-request workflow uploads its run's database under the same name (the default).
    A push to main then started from the newest of any branch, a pull request's: its summary and
    change outputs said the pull request's unmerged classes were removed from main."""
    fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "main.db", "main")}, age_hours=5)
    fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "pr.db", "pr")}, age_hours=1,
             head_branch="feature")
    env = make_env(tmp_path, restore_artifact="ontology-db")
    env.update({"GITHUB_API_URL": fake.api_url, "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main",
                "GITHUB_REF_NAME": "main"})
    cli = FakeCli(sample_report(failed=0))
    assert action_run.main(env, cli_main=cli, out=io.StringIO()) == 0
    assert cli.db_marker == "main"


def test_fetch_db_hands_out_the_default_branchs_database_not_a_pull_requests(tmp_path, fake):
    """The same pull-request workflow's uploads: fetch-db gave applications the newest database of any
    branch, an unmerged pull request's. Now the repository's default branch, unless --branch says."""
    fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "main.db", "main")}, age_hours=5)
    fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "pr.db", "pr")}, age_hours=1,
             head_branch="feature")
    got = tmp_path / "got.db"
    assert fetch_db(REPO, out=got, api_url=fake.api_url, token=TOKEN) == 0
    assert sqlite3.connect(got).execute("SELECT value FROM marker").fetchone() == ("main",)
    assert cli("fetch-db", REPO, "--branch", "feature", "--out", str(got), "--api-url", fake.api_url,
               env={"GITHUB_TOKEN": TOKEN}).returncode == 0
    assert sqlite3.connect(got).execute("SELECT value FROM marker").fetchone() == ("pr",)
