"""A pull request whose head cannot be synced: the one comment must not go on showing an earlier
push's figures as if they were this push's. It is updated to say the sync of this head failed and
why (escaped), and no comment is posted when there was none."""

from __future__ import annotations

try:
    from tests.test_pr_comment import BASE, bot_comments, github, page, pr_tree, run_pr  # github: the fixture
except ImportError:  # tests/ is not a package: pytest put this folder on sys.path
    from test_pr_comment import BASE, bot_comments, github, page, pr_tree, run_pr  # noqa: F401

BROKEN = {".ontosync.yml": "path: [unclosed\n"}  # the head's settings cannot be read: exit 2


def test_a_failed_sync_replaces_the_earlier_figures_in_the_comment(tmp_path, github):
    code, *_ = run_pr(tmp_path, github, pr_tree(Boat=None, Truck=page("Truck", parent="Vehicle")))
    assert code == 0
    [first] = bot_comments(github)
    assert "**1** classes added, **1** removed" in first["body"]

    code, _outputs, _summary, log = run_pr(tmp_path, github, {**pr_tree(Boat=None), **BROKEN}, head="ef" * 20)
    assert code == 2, log[-3000:]
    [comment] = bot_comments(github)
    assert comment["id"] == first["id"]  # the same comment, edited in place
    body = comment["body"]
    assert body.startswith("<!-- ontosync:changes ontology.db -->")
    assert "classes added" not in body and "Truck" not in body  # the earlier push's figures are gone
    assert "efefefefefef" in body and "failed" in body and "exit 2" in body
    shown = body.replace("\\", "")  # markdown's escapes aside: what the reader sees
    assert "the sync failed (exit 2): ontosync: error: .ontosync.yml line 2: invalid YAML" in shown
    assert str(tmp_path) not in shown  # the runner's workspace path is noise in a review


def test_a_failed_sync_posts_no_comment_when_there_was_none(tmp_path, github):
    code, _outputs, _summary, log = run_pr(tmp_path, github, {**dict(BASE), **BROKEN})
    assert code == 2, log[-3000:]
    assert github.pr_comments(7) == []


def test_the_failure_reason_cannot_inject_markup(tmp_path, github):
    code, *_ = run_pr(tmp_path, github, pr_tree(Boat=None))
    assert code == 0
    hostile = {".ontosync.yml": "path: '[x](https://evil.example) @octocat <b>'\n"}  # a folder that is not there
    code, _o, _s, log = run_pr(tmp_path, github, {**pr_tree(Boat=None), **hostile}, head="ef" * 20)
    assert code == 2, log[-3000:]
    [comment] = bot_comments(github)
    body = comment["body"]
    assert "failed" in body
    assert "](https://evil.example)" not in body and "@octocat" not in body and "<b>" not in body


def test_a_base_that_cannot_be_synced_replaces_the_earlier_figures_too(tmp_path, github):
    code, *_ = run_pr(tmp_path, github, pr_tree(Boat=None))
    assert code == 0
    [first] = bot_comments(github)
    # a base commit the API does not have (force-pushed away): its sync fails
    code, _o, _s, log = run_pr(tmp_path, github, pr_tree(Boat=None), head="ef" * 20, base_sha="0f" * 20)
    assert code == 0, log[-3000:]  # the head itself synced
    assert "could not be synced" in log
    [comment] = bot_comments(github)
    assert comment["id"] == first["id"]
    shown = comment["body"].replace("\\", "")
    assert "classes added" not in shown and "the base branch could not be synced" in shown
