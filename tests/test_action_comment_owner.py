"""The pull-request comment is found again by its marker AND its author being the token's own
account, and a restored database from a newer ontosync is refused like another program's.

GitHub's API is the fakes on 127.0.0.1 (tests/fake_github.py, tests/fake_artifacts.py): the fake
posts a comment as `token_owner` and answers `GET /user` for a personal access token only (403 for
GITHUB_TOKEN and a GitHub App's installation token, as GitHub does).
"""

from __future__ import annotations

import pytest

from tests.fake_github import FakeGitHub
from tests.test_action import TOKEN
from tests.test_action_hostile import MARK, post

PAT_OWNER = {"login": "onto-maintainer", "id": 5150, "type": "User"}
APP_BOT = {"login": "onto-helper[bot]", "id": 9090, "type": "Bot"}


@pytest.fixture
def github():
    """Only the comment endpoints are used: no repository content."""
    with FakeGitHub(owner="acme", repo="onto", token=TOKEN) as server:
        yield server


def by(github: FakeGitHub, login: str) -> list[str]:
    return [c["body"] for c in github.pr_comments(7) if c["user"]["login"] == login]


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
    assert post(github, f"{MARK}\nfirst")[0]
    assert ("GET", "/user") not in calls(github)  # nothing carried the marker: nobody to tell apart
    github.reset_log()
    assert post(github, f"{MARK}\nsecond")[0]
    assert calls(github) == [("GET", "/repos/acme/onto/issues/7/comments"), ("GET", "/user"),
                             ("PATCH", f"/repos/acme/onto/issues/comments/{github.pr_comments(7)[0]['id']}")]
