"""The Action and the GitHub source, sixth round (h66): what a `pull_request_target` run uploads,
text from GitHub's answers kept free of the token, and the Action's calls under GitHub's rate
limits. Against the fakes on 127.0.0.1 (tests/fake_artifacts.py, tests/fake_github.py); each test
is a user-visible outcome."""

from __future__ import annotations

import io
import json
import re

import yaml

from ontosync.action import container_step
from ontosync.action import run as action_run
from tests.fake_artifacts import FakeArtifactServer
from tests.fake_github import FakeGitHub
from tests.helpers import ROOT
from tests.test_action import REPO, TOKEN, FakeCli, make_db, make_env, parse_outputs, sample_report
from tests.test_action_round5 import restores_under_a_limit

UPLOAD = next(s for s in yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["runs"]["steps"]
              if str(s.get("uses", "")).startswith("actions/upload-artifact@"))


def upload_name(outputs: dict[str, str], inputs: dict[str, str]) -> str:
    """The upload step's `name:` as the runner evaluates it: `${{ A || B }}`, each of A, B a step
    output or an input; the first that is not empty."""
    expression = re.fullmatch(r"\$\{\{(.*)\}\}", UPLOAD["with"]["name"].strip()).group(1)
    for operand in (o.strip() for o in expression.split("||")):
        kind, _, name = operand.rpartition(".")
        value = outputs.get(name, "") if kind == "steps.sync.outputs" else inputs.get(name, "")
        if kind not in ("steps.sync.outputs", "inputs"):
            raise AssertionError(f"an operand this test cannot evaluate: {operand}")
        if value:
            return value
    return ""


def host_step(tmp_path, monkeypatch, inputs: dict[str, str], event: str, payload: dict | None = None) -> str:
    """The name the upload step gives the artifact, after the sync step's host part (no docker)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "host-output.txt"
    out.write_text("")
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload or {}), encoding="utf-8")
    for name, value in {"GITHUB_OUTPUT": str(out), "GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": str(path),
                        "ONTOSYNC_INPUTS": json.dumps(inputs)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(container_step, "prepare_image", lambda *a: None)
    assert container_step.main() == 2  # stopped where the image would start
    return upload_name(parse_outputs(out), inputs)


# -- 1. a pull_request_target run's database is not the default branch's --------------------------------

def test_a_pull_request_target_upload_is_never_restored_by_a_push(tmp_path, monkeypatch):
    """A `pull_request_target` run is the base branch's run for GitHub (GITHUB_REF, the run's
    branch): when it checks out the pull request's head, its database (the pull request's content)
    went up under `artifact-name`, on the default branch, and the next push on main started from an
    unmerged pull request's database: its "what changed" was relative to that pull request. Such a
    run uploads under `NAME-pr-N`, which the comment names; a push run's name is unchanged."""
    inputs = {"artifact-name": "ontology-db", "database": "ontology.db", "upload-artifact": "true"}
    pr_event = {"number": 7, "pull_request": {"number": 7}}
    assert host_step(tmp_path / "push", monkeypatch, inputs, "push") == "ontology-db"
    target_name = host_step(tmp_path / "t", monkeypatch, inputs, "pull_request_target", pr_event)
    assert target_name == "ontology-db-pr-7"
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "main.db", "main")}, age_hours=5)
        # what GitHub records for the pull_request_target run: the base branch, this repository
        fake.add(REPO, target_name, {"ontology.db": make_db(tmp_path / "pr.db", "pr")}, age_hours=1)
        env = make_env(tmp_path / "next", restore_artifact="ontology-db")
        env.update({"GITHUB_API_URL": fake.api_url, "GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_NAME": "push"})
        cli = FakeCli(sample_report(failed=0))
        assert action_run.main(env, cli_main=cli, out=io.StringIO()) == 0
        assert cli.db_marker == "main"
    # the pull request's comment names the artifact its database is in
    env = {"INPUT_ARTIFACT-NAME": "ontology-db", "GITHUB_EVENT_NAME": "pull_request_target",
           "GITHUB_EVENT_PATH": str(tmp_path / "t" / "event.json")}
    assert action_run.uploaded_artifact(env) == "ontology-db-pr-7"


def test_the_uploaded_name_is_the_input_stripped_as_the_comment_names_it(tmp_path, monkeypatch):
    """`artifact-name: |` (a YAML block keeps its newline) reached upload-artifact as it came, which
    refuses a name with a newline: nothing was uploaded and every next run was a full sync. An empty
    one was uploaded as `artifact` while the comment named `ontology-db`. `upload-artifact: ""`
    is its default, an upload, which the comment names (round 11)."""
    for given, name in (("nightly-db\n", "nightly-db"), ("", "ontology-db")):
        assert host_step(tmp_path / name, monkeypatch, {"artifact-name": given}, "push") == name
        assert action_run.uploaded_artifact({"INPUT_ARTIFACT-NAME": given}) == name
    assert container_step.upload_wanted("")
    assert action_run.uploaded_artifact({"INPUT_ARTIFACT-NAME": "x", "INPUT_UPLOAD-ARTIFACT": ""}) == "x"


# -- 2. text from a successful answer is scrubbed of the token --------------------------------------------

def without_masks(log: str) -> str:
    """The log less the `add-mask` lines, the only ones that must name the token."""
    return "\n".join(line for line in log.splitlines() if not line.startswith("::add-mask::"))


def test_a_comment_url_echoing_the_token_is_neither_printed_nor_posted(tmp_path):
    """A server (a gateway, a proxy in front of GitHub Enterprise Server) whose comment URLs echo
    the request's token: the URL was printed (where no runner masks it: `act`, a local run) and,
    worse, written into our superseded comment, posted on the pull request for anyone to read."""
    from ontosync.action.commands import Commands
    from ontosync.action.pull_request import MARKER, PullRequest, post_comment

    pr = PullRequest(7, "acme/onto", "a" * 40, "main", "b" * 40)
    mark = MARKER.format(key="ontology.db")
    with FakeGitHub(owner="acme", repo="onto", token=TOKEN) as fake:
        fake.commit({"a.ttl": b"x"})
        for n in (1, 2):  # two runs racing each posted one: the second points at the first
            fake.add_comment(7, f"{mark}\nold {n}", login="github-actions[bot]", user_type="Bot")
        real = fake.comment_json
        fake.comment_json = lambda c: {**real(c), "html_url": f"{real(c)['html_url']}?access_token={TOKEN}"}
        log = io.StringIO()
        assert post_comment(Commands(log), pr, f"{mark}\nnew figures", "ontology.db", TOKEN, fake.url)
        first, second = fake.pr_comments(7)
    assert first["body"] == f"{mark}\nnew figures" and "Superseded" in second["body"]
    assert TOKEN not in second["body"] and "access_token=***" in second["body"]
    assert TOKEN not in log.getvalue() and "updated the comment on pull request #7" in log.getvalue()


def test_artifact_text_echoing_the_token_is_never_printed(tmp_path, capsys):
    """The artifact's commit and its zip members' names come from the server: a head_sha that is
    no commit (here the token) was printed in part (its first 12 characters, past any scrubbing), a
    member's folder in full, by fetch-db (outside Actions: no runner masks) and by restore."""
    from ontosync.action.fetch_db import fetch_db

    db = make_db(tmp_path / "m.db", "main")
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {f"{TOKEN}/ontology.db": db}, head_sha=TOKEN, age_hours=2)
        assert fetch_db(REPO, out=tmp_path / "ontology.db", api_url=fake.api_url, token=TOKEN) == 0
        env = make_env(tmp_path / "ws", restore_artifact="ontology-db")
        env.update({"GITHUB_API_URL": fake.api_url, "GITHUB_REF": "refs/heads/main"})
        log, cli = io.StringIO(), FakeCli(sample_report(failed=0))
        assert action_run.main(env, cli_main=cli, out=log) == 0 and cli.db_marker == "main"
        fake.add(REPO, "ontology-db", {f"{TOKEN}.txt": b"x"}, age_hours=1)  # no database: its members named
        assert fetch_db(REPO, out=tmp_path / "ontology.db", api_url=fake.api_url, token=TOKEN) == 2
        fake.download_base = f"http://{TOKEN}.invalid"  # a download URL off the API's server: its host named
        assert fetch_db(REPO, out=tmp_path / "ontology.db", api_url=fake.api_url, token=TOKEN) == 2
    printed = capsys.readouterr()
    assert TOKEN[:12] not in printed.out + printed.err + without_masks(log.getvalue())
    assert "***/ontology.db" in printed.out and "restored ***/ontology.db" in log.getvalue()
    assert "(members: ***.txt)" in printed.err and "is on http://***.invalid" in printed.err


# -- 3. rate limits on each call the Action makes -----------------------------------------------------------

def test_a_rate_limit_on_the_artifact_download_is_waited_out_or_named(tmp_path):
    """The listing waited out a short secondary rate limit (round 5), the download did not: its
    403 with `Retry-After` read "refused: HTTP 403", as if the token could not download, and the run
    went on as a full sync. A short one is waited out; a long one says when to run again."""
    log = restores_under_a_limit(tmp_path, "zip")
    assert "secondary rate limit (HTTP 403); run again after" in log and "refused" not in log


def test_a_rate_limit_on_asking_whose_token_it_is_posts_no_second_comment(tmp_path):
    """With a personal access token our comment is the token owner's, which `GET /user` names. A
    secondary rate limit there (403) was read as "an installation token, which may not ask": the
    owner's comment was then not taken for ours, and a second one was posted, the first left
    showing an earlier push's figures. The limit is waited out and our comment updated."""
    from ontosync.action.commands import Commands
    from ontosync.action.pull_request import MARKER, PullRequest, post_comment

    mark = MARKER.format(key="ontology.db")
    with FakeGitHub(owner="acme", repo="onto", token=TOKEN) as fake:
        fake.commit({"a.ttl": b"x"})
        fake.token_owner = {"login": "maintainer", "id": 5, "type": "User"}
        ours = fake.add_comment(7, f"{mark}\nold figures", login="maintainer")
        ours["user"]["id"] = 5
        limited = []

        def limit_once(handler, seg, _query):
            if seg == ["user"] and not limited:
                limited.append(seg)
                handler._send(403, {"message": "You have exceeded a secondary rate limit."}, {"Retry-After": "0"})
                return 403
            return None

        fake.answer_hook = limit_once
        log = io.StringIO()
        pr = PullRequest(7, "acme/onto", "a" * 40, "main", "b" * 40)
        assert post_comment(Commands(log), pr, f"{mark}\nnew figures", "ontology.db", TOKEN, fake.url), log.getvalue()
        assert limited and [c["body"] for c in fake.pr_comments(7)] == [f"{mark}\nnew figures"]


# -- 4. inputs with odd values ---------------------------------------------------------------------------------

def test_a_report_input_naming_a_folder_is_one_error_not_a_traceback(tmp_path):
    """`report: reports` (a folder of the checkout, meant as where the report goes): the Action
    removed the last run's report before the sync, and removing a folder raised: a traceback, no
    outputs, no job summary. It is the sync's own exit 2, naming the input's folder."""
    from ontosync.cli import main as cli_main

    env = make_env(tmp_path, report="reports", workers="1", upload_artifact="false")
    ws = tmp_path / "workspace"
    (ws / "reports").mkdir()
    (ws / "a.ttl").write_bytes(b"<http://example.org/A> a <http://www.w3.org/2002/07/owl#Class> .\n")
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 2
    assert "::error title=ontosync%3A exit 2::" in log.getvalue() and "is a folder" in log.getvalue()
    assert parse_outputs(tmp_path / "output.txt")["files-ok"] == "" and (tmp_path / "summary.md").is_file()


# -- 5. artifacts -------------------------------------------------------------------------------------------------

def test_fetch_db_never_replaces_the_database_with_another_programs(tmp_path, capsys):
    """An artifact of that name whose database is another program's SQLite file (a cache, a
    coverage database: a workflow reusing the name) passed fetch-db's checks, which only asked
    whether it was a sound SQLite file: the application's good database was replaced with it and
    "verify: ok" printed. Refused as restore refuses it; the database in place is left as it was."""
    import sqlite3

    from ontosync.action.fetch_db import fetch_db

    other = tmp_path / "cache.db"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE entries (key TEXT, value BLOB)")
    out = tmp_path / "app" / "ontology.db"
    out.parent.mkdir()
    good = make_db(out, "good")
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {"ontology.db": other.read_bytes()})
        assert fetch_db(REPO, out=out, api_url=fake.api_url, token=TOKEN) == 3
    assert out.read_bytes() == good
    assert "not a database ontosync can use" in capsys.readouterr().err


def test_a_workflow_run_or_comment_of_a_pull_request_uploads_under_its_own_name(tmp_path, monkeypatch):
    """`workflow_run` (the pattern GitHub recommends for a fork's pull request: a second workflow,
    with a write token, after the pull request's run) is also a run of the default branch for
    GitHub, and such a workflow checks out the pull request's head: its database went up as the
    default branch's. A workflow_run after a push keeps the name."""
    inputs = {"artifact-name": "ontology-db"}
    for event, name in ((None, "ontology-db"), ({"event": "push", "pull_requests": []}, "ontology-db"),
                        ({"event": "pull_request", "pull_requests": [{"number": 9}]}, "ontology-db-pr-9"),
                        ({"event": "pull_request", "pull_requests": []}, "ontology-db-pr")):  # from a fork
        payload = {"workflow_run": event} if event else {}
        assert host_step(tmp_path / name / str(bool(event)), monkeypatch, inputs, "workflow_run", payload) == name
    # a command commented on a pull request (ChatOps) runs as the default branch too; on an issue, no head
    for issue, name in (({"number": 4, "pull_request": {"url": "x"}}, "ontology-db-pr-4"),
                        ({"number": 5}, "ontology-db")):
        assert host_step(tmp_path / "c" / name, monkeypatch, inputs, "issue_comment", {"issue": issue}) == name
