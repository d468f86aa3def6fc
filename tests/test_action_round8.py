"""The Action and the GitHub source, eighth round (h78): a pull request's comment when an input is
bad or the image cannot start, a pull request's base synced in part, what a push's change figures
are measured from (a restored database synced at another commit, a re-run, a new branch, a merge
group, a tag, a run GitHub stopped), two steps' change JSONs, and the artifact download's one retry
path. Against the fakes on 127.0.0.1 (tests/fake_github.py, tests/fake_artifacts.py); each test is
a user-visible outcome."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ontosync.action import artifacts, container_step
from ontosync.action import run as action_run
from ontosync.action.changes import branch_note, push_previous, start_note
from ontosync.action.pull_request import MARKER
from ontosync.cli import main as cli_main
from tests.fake_artifacts import FakeArtifactServer, make_zip
from tests.test_action import REPO, TOKEN, FakeCli, make_env, parse_outputs
from tests.test_pr_comment import TOKEN as GITHUB_TOKEN
from tests.test_pr_comment import bot_comments, github, pr_tree, run_pr  # noqa: F401  (github: the fixture)

EARLIER = f"{MARKER.format(key='ontology.db')}\n**1** classes added, **0** removed"


# -- 1. a bad input on a pull request: the comment says this push's run failed ---------------------------

def test_a_bad_input_does_not_leave_the_earlier_push_s_figures_in_the_comment(tmp_path, github):  # noqa: F811
    """A bad `workers:` (or any input read before the settings) returned exit 2 before the pull
    request was looked at: the comment went on showing the earlier push's figures as this push's,
    while an empty workspace or a failed sync said so in it. Now the same failure body."""
    github.add_comment(7, EARLIER, login="github-actions[bot]", user_type="Bot")
    (tmp_path / "ws").mkdir()
    code, _outputs, _summary, log = run_pr(tmp_path, github, None, head="ef" * 20, inputs={"workers": "abc"})
    assert code == 2 and "input 'workers' must be a whole number" in log
    [comment] = bot_comments(github)
    shown = comment["body"].replace("\\", "")
    assert "classes added" not in shown and "efefefefefef" in shown
    assert "the sync failed (exit 2): input 'workers' must be a whole number, not 'abc'" in shown


def test_a_base_synced_in_part_gives_no_figures_rather_than_wrong_ones(tmp_path, github):  # noqa: F811
    """The base commit's sync through the API stopped early (a primary rate limit resetting past the
    allowed wait: exit 1, "run again after"), and exit 1 passed for a synced base: the comment said
    "compared with main at <base>" and "3 classes added, 0 removed" for a pull request removing one
    class, the base's unfetched files counted as the pull request's. No figures now (outputs empty,
    no summary section, no comment posted), and a warning says why."""
    github.queue_primary_rate_limit(reset_in=7200, after=2)  # the commit and its tree, then refused
    code, outputs, summary, log = run_pr(tmp_path, github, pr_tree(Boat=None))
    assert code == 0, log[-2000:]
    assert "::warning title=ontosync%3A pull request::the base commit" in log and "was synced only in part" in log
    assert outputs["classes-added"] == outputs["classes-removed"] == outputs["changes"] == ""
    assert "## What changed" not in summary and "classes added" not in summary
    assert bot_comments(github) == []


def test_no_token_asks_nothing_of_the_comments_api(github, capsys):  # noqa: F811
    """A fork's pull request run without a token (`github-token: ''`): the comment's calls went out
    anonymously and the 401 was read as a token lacking `pull-requests: write`. Nothing is asked;
    the warning names the empty input."""
    from ontosync.action.commands import Commands
    from ontosync.action.pull_request import PullRequest, post_comment

    pr = PullRequest(7, "acme/onto", "ab" * 20, "main", "cd" * 20)
    assert post_comment(Commands(), pr, "body", "ontology.db", "", github.url) is False
    out = capsys.readouterr().out
    assert "::warning title=ontosync%3A pull-request comment::not commenting on pull request #7: no token " \
           "(the github-token input is empty)" in out
    assert "pull-requests: write" not in out and github.log == []


def test_a_step_whose_image_cannot_start_says_so_in_the_summary(tmp_path, monkeypatch, capsys):
    """Before the container (its image not built or pulled: no docker, a registry down) nothing
    wrote the job summary, and a pull request's comment went on showing the earlier push's figures
    with nothing saying this push's run never started. The step's summary says both."""
    summary = tmp_path / "summary.md"
    for name, value in {"PATH": str(tmp_path), "GITHUB_OUTPUT": str(tmp_path / "out"), "ONTOSYNC_INPUTS": "{}",
                        "ONTOSYNC_ACTION_IMAGE": "docker://example.org/o@sha256:" + "0" * 64,
                        "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_EVENT_NAME": "pull_request"}.items():
        monkeypatch.setenv(name, value)  # (PATH: no docker command here)
    assert container_step.main() == 2
    assert "the docker command is not installed" in capsys.readouterr().out
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## ontosync: not run\n\nThe Action's image could not be built or pulled")
    assert "comment, if any, was not updated: its figures are an earlier push's" in text


# -- 2. a restored database synced at another commit than the push's previous one -----------------------

OWL_CLASS = "<http://www.w3.org/2002/07/owl#Class>"
P, X, Y = "a1" * 20, "b2" * 20, "c3" * 20  # the push's previous commit, an older one, the pushed one


def write_classes(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.ttl"):
        old.unlink()
    for name in names:
        (folder / f"{name}.ttl").write_text(f"<http://x/{name}> a {OWL_CLASS} .\n", encoding="utf-8")


def synced_artifact(tmp_path: Path, monkeypatch, *commits: tuple[str, tuple[str, ...]]) -> dict[str, bytes]:
    """An earlier run's upload: the database (and checkpoint) after syncing each (commit, classes)."""
    tree, db = tmp_path / "earlier", tmp_path / "earlier.db"
    for sha, names in commits:
        write_classes(tree, *names)
        monkeypatch.setenv("GITHUB_SHA", sha)
        assert cli_main(["sync", str(tree), "--db", str(db), "--checkpoint", str(tmp_path / "earlier.ck"),
                         "--quiet"]) == 0
    monkeypatch.delenv("GITHUB_SHA")
    return {"ontology.db": db.read_bytes()}


def push_run(tmp_path: Path, fake: FakeArtifactServer, before: str, *names: str,
             branch: str = "main", sha: str = "", forced: bool = False, attempt: int = 1,
             run_id: str = "") -> tuple[dict, str, str]:
    """The Action on a push of `sha` (Y by default; previous commit `before`; `forced`: a force-push;
    `attempt`: GITHUB_RUN_ATTEMPT; `run_id`: GITHUB_RUN_ID) to `branch` restoring the artifact:
    outputs, summary, log."""
    sha = sha or Y
    env = make_env(tmp_path, restore_artifact="ontology-db")
    write_classes(Path(env["GITHUB_WORKSPACE"]), *names)
    event = tmp_path / "event.json"
    payload = {"ref": f"refs/heads/{branch}", "before": before, "after": sha, "forced": forced}
    event.write_text(json.dumps(payload), encoding="utf-8")
    env.update({"GITHUB_API_URL": fake.api_url, "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(event),
                "GITHUB_REF": f"refs/heads/{branch}", "GITHUB_REF_NAME": branch, "GITHUB_SHA": sha,
                "GITHUB_RUN_ATTEMPT": str(attempt), **({"GITHUB_RUN_ID": run_id} if run_id else {})})
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 0, log.getvalue()[-2000:]
    shown = (tmp_path / "summary.md").read_text(encoding="utf-8").replace("\\", "")  # markdown's escapes aside
    return parse_outputs(tmp_path / "output.txt"), shown, log.getvalue()


def test_an_artifact_older_than_the_push_s_previous_commit_is_said_to_be_the_base(tmp_path, monkeypatch):
    """The newest artifact of the branch was synced at X, two pushes back (the last push's run was
    cancelled before its upload): the figures are the change from X, which holds the last push's
    classes too, and nothing said so: "2 classes added" read as this push's. The summary names X."""
    members = synced_artifact(tmp_path, monkeypatch, (X, ("A",)))
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", members, head_sha=X)
        outputs, summary, log = push_run(tmp_path, fake, P, "A", "B", "C")
    assert outputs["classes-added"] == "2"  # B (the last push's) and C: what the database lacked
    said = f"not at {P[:12]}, the commit this push (or merge group) follows"
    assert said in summary and X[:12] in summary
    assert f"::warning title=ontosync%3A changes::the database this run started from was synced at {X[:12]}" in log


def test_a_re_run_of_a_push_reports_the_push_s_change_not_nothing(tmp_path, monkeypatch):
    """A job re-run after its sync had uploaded: the newest artifact is this commit's own (synced
    at P, then at Y), and the figures were "no change" since the database already held Y; a later
    step acting on `classes-added` missed the push. The change log still has the run at P."""
    members = synced_artifact(tmp_path, monkeypatch, (P, ("A",)), (Y, ("A", "B")))
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", members, head_sha=Y)
        outputs, _summary, log = push_run(tmp_path, fake, P, "A", "B")
    assert outputs["classes-added"] == "1"
    changes = json.loads((tmp_path / "workspace" / outputs["changes"]).read_text(encoding="utf-8"))
    assert [c["iri"] for c in changes["classes"]["added"]] == ["http://x/B"]
    assert changes["base"]["revision"] == P
    assert "::warning" not in log
    # a push that started from no database (no artifact yet): its figures are the whole ontology, said
    empty = {"base": {"run": None, "revision": None}}
    assert start_note(empty, P).startswith("Compared with an empty database") and start_note(empty, None) == ""


def test_a_new_branch_s_first_push_starts_from_the_default_branch_s_database(tmp_path, monkeypatch):
    """A push creating a branch (`before` all zeros) found no artifact of its own branch and ran a
    full sync: its outputs and summary showed the whole ontology as added by that push. It starts
    from the default branch's newest artifact, and the summary says the figures are measured from it."""
    members = synced_artifact(tmp_path, monkeypatch, (X, ("A",)))
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", members, head_sha=X, head_branch="main")
        outputs, summary, log = push_run(tmp_path, fake, "0" * 40, "A", "B", branch="feature")
    assert outputs["classes-added"] == "1", log[-2000:]
    assert "Compared with the default branch's database (artifact 'ontology-db'" in summary
    assert "branch feature had no artifact yet" in summary
    # a tag's run (restore.pushed_branch: the default branch's artifact) says so too
    info = artifacts.ArtifactInfo(5, "ontology-db", 9, None, False, "", head_sha=X, head_branch="main")
    note = branch_note(info, artifacts.DEFAULT_BRANCH)
    assert note.startswith("Compared with the default branch's database (artifact 'ontology\\-db'")
    assert note.endswith(f"commit {X[:12]}\\)): this run is on no branch (a tag?).")
    assert branch_note(info, "main") == branch_note(None, "feature") == ""


def test_a_merge_group_s_figures_start_from_its_base_commit(tmp_path):
    """A merge queue's run restores its base branch's database: its figures are measured from the
    group's base commit (`merge_group.base_sha`) as a push's are from `before`."""
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"merge_group": {"base_sha": P, "head_sha": Y}}), encoding="utf-8")
    env = {"GITHUB_EVENT_NAME": "merge_group", "GITHUB_EVENT_PATH": str(event)}
    assert push_previous(env) == P
    assert push_previous({**env, "GITHUB_EVENT_NAME": "schedule"}) is None


# -- hunt: two Action steps in one job ------------------------------------------------------------------

def test_two_steps_with_their_own_reports_keep_their_own_change_json(tmp_path):
    """Two Action steps in one job (two databases, each its own `report:` in one folder) shared one
    `ontosync-changes.json`: the second step removed (or overwrote) the first's, whose `changes`
    output then named a missing file or the other database's classes. The change JSON is named
    after a report that is not the default one, as the report itself is."""
    env = make_env(tmp_path, database="a.db", report="a-report.json")
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    assert action_run.main(env, cli_main=cli_main, out=io.StringIO()) == 0
    first = parse_outputs(tmp_path / "output.txt")
    assert first["changes"] == "a-report-changes.json"
    second = make_env(tmp_path, database="b.db", report="b-report.json")
    assert action_run.main(second, cli_main=FakeCli(None, code=4, stderr="ontosync: database busy"),
                           out=io.StringIO()) == 4
    kept = json.loads((ws / first["changes"]).read_text(encoding="utf-8"))
    assert [c["iri"] for c in kept["classes"]["added"]] == ["http://x/A"]


def test_a_run_github_stopped_says_its_figures_are_partial(tmp_path, github):  # noqa: F811
    """A `repository:` sync GitHub stopped (a rate limit resetting past the allowed wait: exit 1,
    the checkpoint kept) reported the classes it reached under "What changed" as the push's change;
    only the run's own section, below, said it stopped early. The figures now say they are partial."""
    github.queue_primary_rate_limit(reset_in=7200, after=3)  # the commit, its tree, one blob
    env = make_env(tmp_path, repository="acme/onto")
    env["GITHUB_API_URL"] = github.url
    env["INPUT_GITHUB-TOKEN"] = GITHUB_TOKEN
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 1, log.getvalue()[-2000:]
    outputs = parse_outputs(tmp_path / "output.txt")
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert outputs["classes-added"] == "1" and "stopped early" in summary
    assert "This run stopped before its end: these are the changes it made; what it did not reach is in the " \
           "next run's figures." in summary


# -- 3. the artifact download: the retry helper's behaviour ---------------------------------------------

class DroppingServer(ThreadingHTTPServer):
    """Drops the connection unanswered (a reset by the storage host) for the first `drops` requests,
    then serves `body`."""

    def __init__(self, drops: int, body: bytes) -> None:
        self.drops, self.body, self.requests = drops, body, 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                server.requests += 1
                if server.requests <= server.drops:
                    self.close_connection = True  # no status line: the client sees the connection go
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

        super().__init__(("127.0.0.1", 0), Handler)

    def __enter__(self) -> DroppingServer:
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


@pytest.mark.parametrize(("drops", "requests"), [(2, 3), (9, 3)])
def test_a_dropped_download_is_tried_again_with_the_backoff_the_environment_gives(tmp_path, monkeypatch, drops,
                                                                                   requests):
    """The download went through its own retry chain; now the project's `with_retries`: a dropped
    connection is tried again (3 tries in all, the default policy with `$ONTOSYNC_RETRY_BACKOFF`
    read when it runs), and the last one is named without the URL (its query is a download grant)."""
    monkeypatch.setenv("ONTOSYNC_RETRY_BACKOFF", "0.001")
    with DroppingServer(drops, make_zip({"ontology.db": b"db"})) as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/zip?sig=grant"
        info = artifacts.ArtifactInfo(1, "ontology-db", 2, None, False, url)
        if drops < 3:
            artifacts.download_artifact(info, TOKEN, tmp_path / "a.zip")
            assert (tmp_path / "a.zip").read_bytes()[:2] == b"PK"
        else:
            with pytest.raises(artifacts.ArtifactError) as err:
                artifacts.download_artifact(info, TOKEN, tmp_path / "a.zip")
            assert str(err.value) == f"download of {info.describe()} failed: connection failed or was reset " \
                                     "(3 attempts)"
        assert server.requests == requests
