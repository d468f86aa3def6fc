"""The Action's pull-request comment and restored databases (issue h14). Each test but those marked
"held" failed on integ12 before its fix:

- the comment is found again by its marker AND its author being the token's own account (a
  personal access token's comment is a User's; a person quoting the marker is never edited);
- a restored database from a newer ontosync is refused like another program's: a full sync;
- rate limits (429; 403 with X-RateLimit-Remaining: 0) on the comment calls are waited out per the
  one retry policy, a lost answer is tried again without posting twice, and a locked conversation
  or a long rate limit is a warning that says so (not "grant pull-requests: write");
- GitHub Enterprise Server's API path (held); `pull_request_target` with the base checked out.

GitHub's API is the fakes on 127.0.0.1 (tests/fake_github.py, tests/fake_artifacts.py): the fake
posts a comment as `token_owner` and answers `GET /user` for a personal access token only (403 for
GITHUB_TOKEN and a GitHub App's installation token, as GitHub does).
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from ontosync import __version__
from ontosync.action import artifacts as artifact_calls
from ontosync.action import run as action_run
from ontosync.cli import main as cli_main
from ontosync.retry import RetryPolicy
from ontosync.store.migrations import available_migrations
from tests.fake_artifacts import FakeArtifactServer
from tests.fake_github import FakeGitHub
from tests.test_action import REPO, TOKEN, make_env
from tests.test_action_hostile import MARK, post
from tests.test_pr_comment import BASE, branched_repo, git, pr_tree, run_as_target, run_pr, write_tree
from tests.test_pr_comment import TOKEN as PR_TOKEN

PAT_OWNER = {"login": "onto-maintainer", "id": 5150, "type": "User"}
APP_BOT = {"login": "onto-helper[bot]", "id": 9090, "type": "Bot"}


@pytest.fixture
def github():
    """Only the comment endpoints are used: no repository content."""
    with FakeGitHub(owner="acme", repo="onto", token=TOKEN) as server:
        yield server


def by(github: FakeGitHub, login: str) -> list[str]:
    return [c["body"] for c in github.pr_comments(7) if c["user"]["login"] == login]


def wait_for_log(github: FakeGitHub, entries: int) -> None:
    """The fake logs a request after answering it: let the last answers' entries land."""
    for _ in range(500):
        if len(github.log) >= entries:
            return
        time.sleep(0.01)


def calls(github: FakeGitHub) -> list[tuple[str, str]]:
    return [(method, path) for _kind, method, path, _status in github.log]


# --- whose comment is ours ---------------------------------------------------------------------------

@pytest.mark.parametrize("owner", [PAT_OWNER, APP_BOT], ids=["personal-access-token", "app-token"])
def test_the_next_push_updates_the_comment_a_token_of_another_account_posted(github, owner):
    """With a personal access token the comment is a User's: every push posted another one."""
    github.token_owner = owner
    assert post(github, f"{MARK}\nfirst")[0]
    done, log = post(github, f"{MARK}\nsecond")
    assert done, log
    assert by(github, owner["login"]) == [f"{MARK}\nsecond"] and len(github.pr_comments(7)) == 1
    assert "updated the comment" in log


def test_a_person_quoting_the_marker_is_left_alone_whatever_the_token(github):
    """Held on the base for GITHUB_TOKEN; with a personal access token a person (a User, as the
    token's owner is) quoting the marker must not be taken for ours either."""
    quote = f"> {MARK}\n> what the bot said"
    github.add_comment(7, quote, login="reviewer")
    for owner in (github.token_owner, PAT_OWNER):
        github.token_owner = owner
        assert post(github, f"{MARK}\nby {owner['login']}")[0]
    assert by(github, "reviewer") == [quote]
    assert by(github, "github-actions[bot]") == [f"{MARK}\nby github-actions[bot]"]
    assert by(github, PAT_OWNER["login"]) == [f"{MARK}\nby {PAT_OWNER['login']}"]


def test_a_personal_access_token_never_edits_a_bots_comment_with_the_marker(github):
    """The marker in a comment by github-actions[bot] (an earlier run with GITHUB_TOKEN): not this
    token's comment; it may not be edited in the token owner's name."""
    github.add_comment(7, f"{MARK}\nold", login="github-actions[bot]", user_type="Bot")
    github.token_owner = PAT_OWNER
    assert post(github, f"{MARK}\nnew")[0]
    assert by(github, "github-actions[bot]") == [f"{MARK}\nold"]
    assert by(github, PAT_OWNER["login"]) == [f"{MARK}\nnew"]


def test_finding_the_owner_costs_one_call_and_only_when_a_comment_has_the_marker(github):
    github.token_owner = PAT_OWNER
    assert post(github, f"{MARK}\nfirst")[0]  # nothing carried the marker: nobody to tell apart
    assert post(github, f"{MARK}\nsecond")[0]
    # counted, not ordered: the fake logs a request after answering it, so two runs' entries may interleave
    # (the last one even after the client has its answer: wait for all six entries). The first post lists
    # again after posting, for a comment a concurrent job posted meanwhile (round 14), and knows the
    # token's account from the comment it posted: no `GET /user` then. Each, before posting or editing,
    # asks the pull request's head once (a later push's run writes the comment: h149)
    wait_for_log(github, 8)
    listing = "/repos/acme/onto/issues/7/comments"
    ours = f"/repos/acme/onto/issues/comments/{github.pr_comments(7)[0]['id']}"
    assert Counter(calls(github)) == {("GET", listing): 3, ("GET", "/user"): 1, ("POST", listing): 1,
                                      ("PATCH", ours): 1, ("GET", "/repos/acme/onto/pulls/7"): 2}


# --- a restored database from a newer ontosync -------------------------------------------------------

APPLE = "- ### OntologyBlock\n  - ontology:: true\n  - preferred-term:: Apple\n"


@pytest.fixture
def artifacts():
    with FakeArtifactServer(token=TOKEN) as server:
        yield server


def newer_database(tmp_path: Path) -> tuple[bytes, int]:
    """A database a sync by this ontosync wrote, then carried one migration further (as a newer
    ontosync would): (its bytes, the migration number this release does not have)."""
    tree, db = tmp_path / "newer-tree", tmp_path / "newer.db"
    tree.mkdir()
    (tree / "Pear.md").write_text(APPLE.replace("Apple", "Pear"), encoding="utf-8")
    assert cli_main(["sync", str(tree), "--db", str(db), "--quiet", "--workers", "1"]) == 0
    future = max(m.version for m in available_migrations()) + 1
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("CREATE TABLE from_the_future (x TEXT)")
        conn.execute("INSERT INTO schema_migrations (version, name, applied_at, checksum, execution_time_ms) "
                     "VALUES (?, 'from_the_future', '2030-01-01', 'abc', 1)", (future,))
    conn.close()
    return db.read_bytes(), future


def test_a_restored_database_from_a_newer_ontosync_is_a_full_sync_not_a_failure_every_run(tmp_path, artifacts):
    """The Action pinned back to an older version: the sync refused the restored database (exit 3),
    and the failed run uploaded it again, so every later run failed the same way."""
    data, future = newer_database(tmp_path)
    artifacts.add(REPO, "ontology-db", {"ontology.db": data})
    env = make_env(tmp_path, restore_artifact="ontology-db", workers="1")
    env["GITHUB_API_URL"] = artifacts.api_url
    ws = Path(env["GITHUB_WORKSPACE"])
    (ws / "A.md").write_text(APPLE, encoding="utf-8")
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 0, log.getvalue()[-2000:]
    warnings = [line for line in log.getvalue().splitlines() if line.startswith("::warning")]
    assert len(warnings) == 1, warnings
    newest = max(m.version for m in available_migrations())
    assert "newer ontosync" in warnings[0] and f"{future:03d}" in warnings[0] and f"{newest:03d}" in warnings[0]
    assert __version__ in warnings[0] and "running a full sync" in warnings[0]
    conn = sqlite3.connect(ws / "ontology.db")
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'from_the_future'").fetchone() == (0,)
    assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (newest,)
    assert [r[0] for r in conn.execute("SELECT path FROM source_files")] == ["A.md"]


# --- rate limits and refusals on the comment calls ---------------------------------------------------

def test_a_secondary_rate_limit_on_the_comment_is_waited_out_and_the_comment_posted(github):
    """A 429 with Retry-After answered the listing: no comment, and a warning saying it failed."""
    github.queue_too_many_requests(retry_after=0)
    done, log = post(github, f"{MARK}\nnew")
    assert done, log
    assert by(github, "github-actions[bot]") == [f"{MARK}\nnew"] and "::warning" not in log
    assert github.log[0][3] == 429  # logged before it is answered


def test_a_primary_rate_limit_is_waited_for_when_it_resets_soon_and_not_blamed_on_the_token(github):
    """403 with X-RateLimit-Remaining: 0 was taken for a token without `pull-requests: write`."""
    github.queue_primary_rate_limit(reset_in=0)
    done, log = post(github, f"{MARK}\nnew")
    assert done, log
    assert by(github, "github-actions[bot]") == [f"{MARK}\nnew"] and "pull-requests: write" not in log


def test_a_rate_limit_resetting_later_than_the_step_may_wait_is_one_warning_saying_so(github):
    github.queue_primary_rate_limit(reset_in=3600)
    done, log = post(github, f"{MARK}\nnew")
    assert not done and github.pr_comments(7) == []
    [warning] = [line for line in log.splitlines() if line.startswith("::warning")]
    assert "rate limit" in warning and "pull-requests: write" not in warning and "job summary" in warning
    assert "Traceback" not in log


def test_a_locked_conversation_is_not_blamed_on_the_token(github):
    """GitHub answers 403 "Unable to create comment because issue is locked." to a locked pull request."""
    github.comments_forbidden = True
    github.forbidden_message = "Unable to create comment because issue is locked."
    done, log = post(github, f"{MARK}\nnew")
    assert not done and github.pr_comments(7) == []
    [warning] = [line for line in log.splitlines() if line.startswith("::warning")]
    assert "locked" in warning and "pull-requests: write" not in warning


def test_a_comment_stored_before_its_answer_was_lost_is_not_posted_twice(github, monkeypatch):
    """The create is tried again from the listing: the comment GitHub stored is found and edited."""
    monkeypatch.setattr(artifact_calls.with_retries, "__defaults__",
                        (RetryPolicy(factor=0.001), artifact_calls.MAX_WAIT))
    store = github.add_comment

    def stored_then_dropped(*args, **kwargs):
        store(*args, **kwargs)
        github.add_comment = store
        raise ConnectionResetError("the answer is lost")  # the server drops the connection unanswered

    github.add_comment = stored_then_dropped
    done, log = post(github, f"{MARK}\nnew")
    assert done, log
    assert by(github, "github-actions[bot]") == [f"{MARK}\nnew"] and "updated the comment" in log


# --- GitHub Enterprise Server: the API under a path ---------------------------------------------------

def test_a_pull_request_on_github_enterprise_uses_the_api_path_for_the_base_and_the_comment(tmp_path):
    """Held: GITHUB_API_URL https://HOST/api/v3 (a path) for the base commit's files and the comment."""
    write_tree(tmp_path / "base", BASE)
    with FakeGitHub(tmp_path / "base", owner="acme", repo="onto", token=PR_TOKEN, prefix="/api/v3") as ghe:
        code, outputs, summary, log = run_pr(tmp_path, ghe, pr_tree(Boat=None))
        paths = [path for _kind, _method, path, _status in ghe.log]
    assert code == 0, log[-3000:]
    assert "the base commit, through the GitHub API" in summary and outputs["classes-removed"] == "1"
    assert "**1** removed" in by(ghe, "github-actions[bot]")[0]
    assert paths and all(p.startswith("/api/v3/") for p in paths), paths


# --- pull_request_target ------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_pull_request_target_with_the_base_checked_out_comments_nothing_false(tmp_path, monkeypatch):
    """`pull_request_target` checks out the base branch unless told otherwise: the Action compared
    the base branch with itself and commented the base branch's newer commits as the pull
    request's change (here: Boat, removed on main since the pull request's base)."""
    ws = tmp_path / "ws"
    pr_base, head, main_now = branched_repo(ws)
    run_as_target(monkeypatch, main_now)
    with FakeGitHub(None, owner="acme", repo="onto", token=PR_TOKEN) as fake:
        code, _outputs, _summary, log = run_pr(tmp_path, fake, None, head=head, base_sha=pr_base)
        assert code == 0, log[-3000:]
        assert fake.pr_comments(7) == []
        [warning] = [line for line in log.splitlines() if line.startswith("::warning")]
        assert "pull_request_target" in warning and "github.event.pull_request.head.sha" in warning
        assert main_now[:12] in warning
        # held: with the pull request's head checked out, the comment is the pull request's change
        git(ws, "checkout", "-q", head)
        code, outputs, _summary, log = run_pr(tmp_path, fake, None, head=head, base_sha=pr_base)
        assert code == 0 and "::warning" not in log, log[-3000:]
        [comment] = fake.pr_comments(7)
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("1", "0")
    assert "**1** classes added, **0** removed" in comment["body"] and "Truck" in comment["body"]
