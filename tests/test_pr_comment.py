"""The Action on a pull_request event, in-process, against a fake GitHub API on 127.0.0.1.

The fake serves the base commit (the Action syncs it through the GitHub source: the workspace has
no git history) and the issue-comment endpoints. Checked: one comment, created then updated in
place; a person's comment with the marker left alone; a 403 is a warning and exit 0; escaping of
labels; a diff over the limit cut with the link; outputs equal to `ontosync diff`; the token never
printed.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ontosync.action.run import main as action_main
from ontosync.cli import main as cli_main

try:
    from tests.fake_artifacts import FakeArtifactServer
    from tests.fake_github import FakeGitHub
except ImportError:  # tests/ is not a package: pytest put this folder on sys.path
    from fake_artifacts import FakeArtifactServer
    from fake_github import FakeGitHub

TOKEN = "ghs_PullRequestTestToken0123456789"
SERVER = "https://github.com"


def page(title: str, label: str | None = None, parent: str | None = None, definition: str | None = None) -> str:
    lines = ["- ### OntologyBlock", "  - ontology:: true", f"  - preferred-term:: {label or title}"]
    if definition:
        lines.append(f"  - definition:: {definition}")
    if parent:
        lines.append(f"  - is-subclass-of:: [[{parent}]]")
    return "\n".join(lines) + "\n"


BASE = {
    "pages/Vehicle.md": page("Vehicle", definition="Something that moves people or goods."),
    "pages/Car.md": page("Car", parent="Vehicle"),
    "pages/Bicycle.md": page("Bicycle", parent="Vehicle"),
    "pages/Boat.md": page("Boat", parent="Vehicle"),
}


def write_tree(root: Path, files: dict[str, str]) -> None:
    if root.exists():
        shutil.rmtree(root)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


@pytest.fixture
def github(tmp_path):
    base = tmp_path / "base"
    write_tree(base, BASE)
    with FakeGitHub(base, owner="acme", repo="onto", token=TOKEN) as fake:
        yield fake


def run_pr(tmp_path: Path, fake: FakeGitHub, files: dict[str, str] | None, head: str = "ab" * 20, number: int = 7,
           inputs: dict[str, str] | None = None, base_sha: str | None = None) -> tuple[int, dict, str, str]:
    """The Action in-process on a pull_request event; `files` None: the workspace is already there."""
    ws = tmp_path / "ws"
    if files is not None:
        write_tree(ws, files)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "number": number, "pull_request": {
        "number": number, "head": {"sha": head, "ref": "feature"},
        "base": {"sha": base_sha or fake.head, "ref": "main", "repo": {"full_name": "acme/onto"}}}}), encoding="utf-8")
    out_file, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    out_file.write_text("")
    summary.write_text("")
    env = {"GITHUB_WORKSPACE": str(ws), "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event),
           "GITHUB_REPOSITORY": "acme/onto", "GITHUB_API_URL": fake.url, "GITHUB_SERVER_URL": SERVER,
           "GITHUB_RUN_ID": "4242", "GITHUB_SHA": "cd" * 20, "GITHUB_OUTPUT": str(out_file),
           "GITHUB_STEP_SUMMARY": str(summary), "INPUT_GITHUB-TOKEN": TOKEN, "INPUT_WORKERS": "2"}
    env.update({f"INPUT_{k.upper()}": v for k, v in (inputs or {}).items()})
    log = io.StringIO()
    code = action_main(env=env, out=log, cli_main=cli_main)
    outputs = dict(line.split("=", 1) for line in out_file.read_text(encoding="utf-8").splitlines() if "=" in line)
    return code, outputs, summary.read_text(encoding="utf-8"), log.getvalue()


def branched_repo(ws: Path) -> tuple[str, str, str]:
    """A git workspace: `BASE` on main, a feature branch adding Truck, then main removing Boat.
    (the pull request's base, its head, main's last commit); main is checked out."""
    write_tree(ws, BASE)
    git(ws, "init", "-q", "-b", "main")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "base")
    pr_base = git(ws, "rev-parse", "HEAD")
    git(ws, "checkout", "-qb", "feature")
    (ws / "pages" / "Truck.md").write_text(page("Truck", parent="Vehicle"), encoding="utf-8")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "the pull request")
    head = git(ws, "rev-parse", "HEAD")
    git(ws, "checkout", "-q", "main")
    (ws / "pages" / "Boat.md").unlink()
    git(ws, "commit", "-qam", "main moved on")
    return pr_base, head, git(ws, "rev-parse", "HEAD")


def run_as_target(monkeypatch, sha: str) -> None:
    """run_pr's Action as a `pull_request_target` run, whose GITHUB_SHA is the base branch's `sha`."""
    from ontosync.action import run as action_run

    def as_target(env, **kwargs):
        env.update({"GITHUB_EVENT_NAME": "pull_request_target", "GITHUB_SHA": sha})
        return action_run.main(env=env, **kwargs)

    monkeypatch.setattr(sys.modules[__name__], "action_main", as_target)


def bot_comments(fake: FakeGitHub, number: int = 7) -> list[dict]:
    return [c for c in fake.pr_comments(number) if c["user"]["type"] == "Bot"]


def pr_tree(**changes: str | None) -> dict[str, str]:
    files = dict(BASE)
    for rel, text in changes.items():
        path = f"pages/{rel}.md"
        if text is None:
            files.pop(path)
        else:
            files[path] = text
    return files


def test_first_push_comments_and_the_next_push_updates_the_same_comment(tmp_path, github, capsys):
    files = pr_tree(Boat=None, Truck=page("Truck", parent="Vehicle"), Car=page("Car", label="Motor car",
                                                                                 parent="Vehicle"))
    code, outputs, summary, log = run_pr(tmp_path, github, files)
    assert code == 0, log[-3000:]
    comments = bot_comments(github)
    assert len(comments) == 1
    body = comments[0]["body"]
    assert body.startswith("<!-- ontosync:changes ontology.db -->")
    assert "**1** classes added, **1** removed, **1** changed" in body
    assert "label: Car → Motor car" in body and "Truck" in body and "Boat" in body
    assert f"{SERVER}/acme/onto/actions/runs/4242" in body
    # outputs and the JSON file equal `ontosync diff` of the pull request's run on the database
    db = tmp_path / "ws" / "ontology.db"
    assert (outputs["classes-added"], outputs["classes-removed"], outputs["classes-changed"]) == ("1", "1", "1")
    data = json.loads((tmp_path / "ws" / outputs["changes"]).read_text(encoding="utf-8"))
    run = sqlite3.connect(db).execute("SELECT max(id) FROM runs").fetchone()[0]
    capsys.readouterr()
    assert cli_main(["diff", "--db", str(db), "--run", str(run), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["classes"] == data["classes"]
    assert [e["label"] for e in data["classes"]["added"]] == ["Truck"]
    assert summary.startswith("## What changed")
    assert "the base commit, through the GitHub API" in summary

    # a person quoting the marker: never edited
    github.add_comment(7, "<!-- ontosync:changes ontology.db --> I quote the bot", login="alice")
    files = pr_tree(Boat=None, Car=page("Car", label="Motor car", parent="Vehicle"))  # Truck dropped again
    code, outputs, _summary, log = run_pr(tmp_path, github, files, head="ef" * 20)
    assert code == 0, log[-3000:]
    again = bot_comments(github)
    assert [c["id"] for c in again] == [comments[0]["id"]]  # the same comment, updated
    assert "Truck" not in again[0]["body"] and "**0** classes added, **1** removed, **1** changed" in again[0]["body"]
    assert [c["body"] for c in github.pr_comments(7) if c["user"]["login"] == "alice"] == [
        "<!-- ontosync:changes ontology.db --> I quote the bot"]
    assert outputs["classes-added"] == "0"
    assert log.count(TOKEN) == 1 and log.startswith(f"::add-mask::{TOKEN}\n")  # masked first, never printed
    assert TOKEN not in capsys.readouterr().err + json.dumps(outputs) + _summary + again[0]["body"]


def test_forbidden_comment_is_a_warning_and_exit_0(tmp_path, github):
    github.comments_forbidden = True
    code, outputs, summary, log = run_pr(tmp_path, github, pr_tree(Boat=None))
    assert code == 0
    assert "::warning title=ontosync%3A pull-request comment::cannot comment on pull request #7 (HTTP 403" in log
    assert "pull-requests: write" in log
    assert github.pr_comments(7) == []
    assert outputs["classes-removed"] == "1" and summary.startswith("## What changed")
    assert TOKEN not in log.replace(f"::add-mask::{TOKEN}", "", 1)


def test_pr_comment_false_posts_nothing(tmp_path, github):
    code, outputs, _summary, _log = run_pr(tmp_path, github, pr_tree(Boat=None), inputs={"pr-comment": "false"})
    assert code == 0 and github.pr_comments(7) == [] and outputs["classes-removed"] == "1"


def test_labels_cannot_inject_markup_or_ping(tmp_path, github):
    evil = "@octocat **bold** <img src=x onerror=alert(1)> [click](https://evil.example) | `tick`"
    code, _outputs, summary, log = run_pr(tmp_path, github, pr_tree(Evil=page("Evil", label=evil)))
    assert code == 0, log[-3000:]
    body = bot_comments(github)[0]["body"]
    for text in (body, summary):
        assert "@octocat" not in text and "@\u200doctocat" in text
        assert "<img" not in text and "&lt;img" in text
        assert "**bold**" not in text and "\\*\\*bold\\*\\*" in text
        assert "[click](" not in text and "\\[click\\]\\(" in text


def test_a_diff_over_the_limit_is_cut_with_the_link(tmp_path, github):
    files = dict(BASE)
    for i in range(1200):
        files[f"pages/Generated {i:04d}.md"] = page(f"Generated {i:04d}", label=f"Generated term {i:04d} " + "x" * 120,
                                                    parent="Vehicle")
    code, outputs, summary, log = run_pr(tmp_path, github, files)
    assert code == 0, log[-3000:]
    body = bot_comments(github)[0]["body"]
    assert len(body) < 65536
    assert outputs["classes-added"] == "1200"
    link = f"{SERVER}/acme/onto/actions/runs/4242"
    shown = body.count("| Generated term ")
    assert 100 < shown < 1200
    # the summary has a larger budget (200,000 characters of 1 MiB) and says where the rest is
    in_summary = summary.count("| Generated term ")
    assert shown < in_summary < 1200 and len(summary.encode()) < 300_000
    # the comment says what the summary holds, and what gives all of it (h29: it said "the full list")
    assert f"more rows not shown here; [the run's summary]({link}) has the first {in_summary} of the 1200 rows, " \
           "and `ontosync diff --db ontology.db --since " in body
    assert "on the database of the run's ontology\\-db artifact gives them all." in body
    command = body.split("and `ontosync diff ", 1)[1].split("`", 1)[0].split()  # it does give them all
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["diff", "--db", str(tmp_path / "ws" / command[1]), *command[2:], "--format", "json"]) == 0
    assert len(json.loads(out.getvalue())["classes"]["added"]) == 1200
    assert "more rows not shown" in summary and "`ontosync-changes.json` (output `changes`)" in summary


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_the_base_comes_from_the_checkout_history_when_it_has_the_commit(tmp_path):
    ws = tmp_path / "ws"
    write_tree(ws, BASE)
    git(ws, "init", "-q")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "base")
    base_sha = git(ws, "rev-parse", "HEAD")
    (ws / "pages" / "Boat.md").unlink()
    git(ws, "commit", "-qam", "pr")
    head_sha = git(ws, "rev-parse", "HEAD")
    with FakeGitHub(None, owner="acme", repo="onto", token=TOKEN) as fake:  # serves no repository content
        code, outputs, summary, log = run_pr(tmp_path, fake, None, base_sha=base_sha)
        api_paths = [path for _kind, _method, path, _status in fake.log]
    assert code == 0, log[-3000:]
    assert "the base commit, from the checkout's git history" in summary
    assert not [p for p in api_paths if "/git/" in p or "/commits/" in p], api_paths  # nothing read via the API
    assert outputs["classes-removed"] == "1" and outputs["classes-added"] == "0"
    assert "**0** classes added, **1** removed" in fake.pr_comments(7)[0]["body"]
    revisions = [r[0] for r in sqlite3.connect(ws / "ontology.db").execute("SELECT revision FROM runs ORDER BY id")]
    assert revisions == [base_sha, head_sha]  # each run recorded at the commit it synced


def test_restore_takes_the_newest_artifact_of_the_base_branch_only():
    from ontosync.action.artifacts import find_newest_artifact

    with FakeArtifactServer(token=TOKEN) as fake:
        on_main = fake.add("acme/onto", "ontology-db", {"ontology.db": b"x"}, age_hours=5, head_branch="main")
        fake.add("acme/onto", "ontology-db", {"ontology.db": b"y"}, age_hours=1, head_branch="feature")
        newest, _ = find_newest_artifact("acme/onto", "ontology-db", TOKEN, fake.api_url)
        for_pr, _ = find_newest_artifact("acme/onto", "ontology-db", TOKEN, fake.api_url, branch="main")
    assert newest.head_branch == "feature"
    assert for_pr.id == on_main.id and for_pr.head_branch == "main"


def test_no_change_posts_no_new_comment_but_updates_an_existing_one(tmp_path, github):
    code, _outputs, summary, log = run_pr(tmp_path, github, dict(BASE))
    assert code == 0, log[-3000:]
    assert github.pr_comments(7) == [] and "No change to the ontology." in summary
    assert "none posted" in log
    code, *_ = run_pr(tmp_path, github, pr_tree(Boat=None), head="12" * 20)
    assert code == 0 and len(bot_comments(github)) == 1
    code, *_ = run_pr(tmp_path, github, dict(BASE), head="34" * 20)  # the pull request reverted its change
    assert code == 0
    [comment] = bot_comments(github)
    assert "No change to the ontology." in comment["body"]


def test_a_push_run_reports_what_it_changed(tmp_path, github, capsys):
    """No pull request: the sync's own run is the change; no comment is attempted."""
    ws = tmp_path / "ws"
    write_tree(ws, BASE)
    out_file, summary = tmp_path / "out.txt", tmp_path / "summary.md"

    def push() -> dict:
        out_file.write_text("")
        summary.write_text("")
        env = {"GITHUB_WORKSPACE": str(ws), "GITHUB_EVENT_NAME": "push", "GITHUB_REPOSITORY": "acme/onto",
               "GITHUB_API_URL": github.url, "GITHUB_OUTPUT": str(out_file), "GITHUB_STEP_SUMMARY": str(summary),
               "INPUT_GITHUB-TOKEN": TOKEN}
        assert action_main(env=env, out=io.StringIO(), cli_main=cli_main) == 0
        return dict(line.split("=", 1) for line in out_file.read_text(encoding="utf-8").splitlines() if "=" in line)

    first = push()
    assert (first["classes-added"], first["classes-removed"], first["classes-changed"]) == ("4", "0", "0")
    (ws / "pages" / "Car.md").write_text(page("Car", label="Automobile", parent="Vehicle"), encoding="utf-8")
    second = push()
    assert (second["classes-added"], second["classes-removed"], second["classes-changed"]) == ("0", "0", "1")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## What changed") and "label: Car → Automobile" in text
    assert text.index("## What changed") < text.index("## ontosync:")
    data = json.loads((ws / second["changes"]).read_text(encoding="utf-8"))
    assert data["classes"]["changed"][0]["changes"] == {"label": ["Car", "Automobile"]}
    assert github.pr_comments(7) == [] and not [e for e in github.log if "/issues" in e[2]]
