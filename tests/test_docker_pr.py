"""The Action's real image on a pull_request event, against a fake GitHub API on 127.0.0.1.

The container runs with --network host, so it reaches the fake (tests/fake_github.py), which
serves the base commit (synced through the GitHub source: the checkout has no git history) and the
issue-comment endpoints. Checked: the first run creates the comment, the next push updates the same
comment, a 403 is a warning with exit 0, a diff over the limit is cut with the link, and the token
appears nowhere in the output but the mask command.

Marked `docker` like tests/test_docker_action.py, whose engine, image and runner helpers it uses.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

try:
    from tests.fake_github import FakeGitHub
    from tests.test_docker_action import REPO, TOKEN, client, image, run_action
except ImportError:  # tests/ is not a package: pytest put this folder on sys.path
    from fake_github import FakeGitHub
    from test_docker_action import REPO, TOKEN, client, image, run_action  # noqa: F401

pytestmark = pytest.mark.docker
WORKSPACE = "/github/workspace"
RUN_ID = "987654"


def page(title: str, label: str | None = None, parent: str | None = None) -> str:
    lines = ["- ### OntologyBlock", "  - ontology:: true", f"  - preferred-term:: {label or title}"]
    if parent:
        lines.append(f"  - is-subclass-of:: [[{parent}]]")
    return "\n".join(lines) + "\n"


BASE = {
    "pages/Vehicle.md": page("Vehicle"),
    "pages/Car.md": page("Car", parent="Vehicle"),
    "pages/Boat.md": page("Boat", parent="Vehicle"),
}


def write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def pr_workspace(tmp_path: Path, fake: FakeGitHub, files: dict[str, str], head: str) -> tuple[Path, dict]:
    """A fresh checkout of the pull request (as a new runner has) and its event payload."""
    ws = tmp_path / f"ws-{uuid.uuid4().hex[:8]}"
    write_tree(ws, files)
    (ws / "_runner_file_commands").mkdir()
    (ws / "_runner_file_commands" / "event.json").write_text(json.dumps({"action": "synchronize", "pull_request": {
        "number": 12, "head": {"sha": head, "ref": "feature"},
        "base": {"sha": fake.head, "ref": "main", "repo": {"full_name": REPO}}}}), encoding="utf-8")
    env = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": f"{WORKSPACE}/_runner_file_commands/event.json",
           "GITHUB_API_URL": fake.url, "GITHUB_SERVER_URL": "https://github.com", "GITHUB_RUN_ID": RUN_ID}
    return ws, env


@pytest.fixture
def fake(tmp_path):
    base = tmp_path / "base"
    write_tree(base, BASE)
    owner, name = REPO.split("/")
    with FakeGitHub(base, owner=owner, repo=name, token=TOKEN) as server:
        yield server


def bot_comments(fake: FakeGitHub) -> list[dict]:
    return [c for c in fake.pr_comments(12) if c["user"]["type"] == "Bot"]


def assert_token_hidden(run, *texts: str) -> None:
    out = run.stdout + run.stderr
    assert out.count(TOKEN) == 1 and run.stdout.startswith(f"::add-mask::{TOKEN}\n")
    for text in (run.summary, json.dumps(run.outputs), *texts):
        assert TOKEN not in text


def test_first_push_comments_then_the_next_push_updates_it(client, image, fake, tmp_path):
    files = {**BASE, "pages/Truck.md": page("Truck", parent="Vehicle"),
             "pages/Car.md": page("Car", label="Motor car", parent="Vehicle")}
    ws, env = pr_workspace(tmp_path, fake, files, "a1" * 20)
    first = run_action(client, image, ws, env=env, network="host")
    assert first.code == 0, first.stdout[-3000:] + first.stderr[-2000:]
    comments = bot_comments(fake)
    assert len(comments) == 1, fake.pr_comments(12)
    body = comments[0]["body"]
    assert body.startswith("<!-- ontosync:changes ontology.db -->")
    assert "**1** classes added, **0** removed, **1** changed" in body and "label: Car → Motor car" in body
    assert (first.outputs["classes-added"], first.outputs["classes-changed"]) == ("1", "1")
    assert first.summary.startswith("## What changed")
    assert_token_hidden(first, body)

    files = {**files, "pages/Boat.md": None}
    files = {k: v for k, v in files.items() if v is not None}
    ws2, env2 = pr_workspace(tmp_path, fake, files, "b2" * 20)
    second = run_action(client, image, ws2, env=env2, network="host")
    assert second.code == 0, second.stdout[-3000:]
    again = bot_comments(fake)
    assert [c["id"] for c in again] == [comments[0]["id"]]
    assert "**1** classes added, **1** removed, **1** changed" in again[0]["body"] and "Boat" in again[0]["body"]
    assert second.outputs["classes-removed"] == "1"
    assert_token_hidden(second, again[0]["body"])


def test_a_token_without_write_gives_a_warning_and_exit_0(client, image, fake, tmp_path):
    fake.comments_forbidden = True
    ws, env = pr_workspace(tmp_path, fake, {**BASE, "pages/Truck.md": page("Truck")}, "c3" * 20)
    run = run_action(client, image, ws, env=env, network="host")
    assert run.code == 0, run.stdout[-3000:]
    warnings = [line for line in run.stdout.splitlines() if line.startswith("::warning ")]
    assert any("cannot comment on pull request #12 (HTTP 403" in w and "pull-requests: write" in w
               for w in warnings), warnings
    assert fake.pr_comments(12) == []
    assert run.outputs["classes-added"] == "1" and "Truck" in run.summary
    assert_token_hidden(run)


def test_a_diff_over_the_limit_is_cut_with_the_link(client, image, fake, tmp_path):
    files = dict(BASE)
    for i in range(1000):
        files[f"pages/Term {i:04d}.md"] = page(f"Term {i:04d}", label=f"Term {i:04d} " + "y" * 150, parent="Vehicle")
    ws, env = pr_workspace(tmp_path, fake, files, "d4" * 20)
    run = run_action(client, image, ws, env=env, network="host")
    assert run.code == 0, run.stdout[-3000:]
    body = bot_comments(fake)[0]["body"]
    assert len(body) < 65536 and run.outputs["classes-added"] == "1000"
    assert f"more rows not shown here; [the run's summary](https://github.com/{REPO}/actions/runs/{RUN_ID}) has " \
           in body
    assert 50 < body.count("| Term ") < 1000
    data = json.loads((ws / run.outputs["changes"]).read_text(encoding="utf-8"))
    assert len(data["classes"]["added"]) == 1000
    assert_token_hidden(run, body)

