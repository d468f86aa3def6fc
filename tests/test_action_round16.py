"""The Action, sixteenth round (h167): a pull request's base synced with the base's own version of an
explicit `config` input (a file of the checkout), or with the defaults when the base has none; a
cancelled run that wrote its report says so in an `::error` and in the summary; a step whose
container the OOM killer stopped names memory and the inputs that reduce it. In process, or as a
process sent a real signal, against the real CLI; GitHub's API is the fake on 127.0.0.1
(tests/fake_github.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.fake_github import FakeGitHub
from tests.test_pr_comment import BASE, TOKEN, git, run_pr, write_tree

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


# -- 1. an explicit `config` input on a pull request ----------------------------------------------------

def pr_repo(ws: Path, base_files: dict[str, str], head_files: dict[str, str]) -> tuple[str, str]:
    """A git workspace: `BASE` plus `base_files` on main, then a feature commit writing `head_files`
    (a value None removes the file), checked out. (the base commit, the head commit)."""
    write_tree(ws, {**BASE, **base_files})
    git(ws, "init", "-q", "-b", "main")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "base")
    base = git(ws, "rev-parse", "HEAD")
    git(ws, "checkout", "-qb", "feature")
    for rel, text in head_files.items():
        if text is None:
            (ws / rel).unlink()
        else:
            (ws / rel).parent.mkdir(parents=True, exist_ok=True)
            (ws / rel).write_text(text, encoding="utf-8")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "the pull request")
    return base, git(ws, "rev-parse", "HEAD")


def pr_with_config(tmp_path: Path, base_files: dict, head_files: dict, config: str) -> tuple[int, dict, str, str]:
    """run_pr on pr_repo's pull request with the `config` input; the base from the checkout's history."""
    base, head = pr_repo(tmp_path / "ws", base_files, head_files)
    with FakeGitHub(None, owner="acme", repo="onto", token=TOKEN) as fake:
        return run_pr(tmp_path, fake, None, head=head, base_sha=base, inputs={"config": config})


@needs_git
def test_a_pull_request_changing_its_config_file_shows_the_change_it_makes(tmp_path):
    """`config: ci/ontosync.yml`, whose exclude the pull request drops: the base was synced with the
    head's file too, Boat in both, and the pull request showed no change. The base is synced with
    the base's own version of the file: Boat is the pull request's one class added."""
    code, outputs, summary, log = pr_with_config(
        tmp_path, {"ci/ontosync.yml": "exclude:\n  - pages/Boat.md\n"}, {"ci/ontosync.yml": "workers: 1\n"},
        "ci/ontosync.yml")
    assert code == 0, log[-3000:]
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("1", "0"), summary


@needs_git
def test_a_config_file_the_base_does_not_have_leaves_the_base_with_the_defaults(tmp_path):
    """The pull request adds `ci/ontosync.yml` (a page namespace of its own): the base has no such
    file and is synced with the defaults, as a base without `.ontosync.yml` is (not with the base's
    `.ontosync.yml`, which the `config` input replaces on both sides): every class moves from the
    default namespace to the file's. It was synced with the head's file: no change shown."""
    code, outputs, summary, log = pr_with_config(
        tmp_path, {".ontosync.yml": "page-namespace: 'urn:base:'\n"},
        {"ci/ontosync.yml": "page-namespace: 'urn:ci:'\n"}, "ci/ontosync.yml")
    assert code == 0, log[-3000:]
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("4", "4"), summary
    changes = json.loads((tmp_path / "ws" / outputs["changes"]).read_text(encoding="utf-8"))
    removed = sorted(row["iri"] for row in changes["classes"]["removed"])
    assert removed == [f"urn:ontosync:page:{name}" for name in ("bicycle", "boat", "car", "vehicle")], removed


@needs_git
@pytest.mark.parametrize("where", ["outside", "untracked"])
def test_a_config_file_no_commit_holds_applies_to_the_base_too(tmp_path, where):
    """A `config` outside the checkout, or one in it that git does not track (an earlier step wrote
    it), is the workflow's own: the base and the head are synced with it alike, so it shows no change
    of its own (the pull request adds Truck, in the file's namespace on both sides)."""
    ws = tmp_path / "ws"
    truck = "- ### OntologyBlock\n  - ontology:: true\n  - preferred-term:: Truck\n"
    base, head = pr_repo(ws, {}, {"pages/Truck.md": truck})
    own = tmp_path / "own.yml" if where == "outside" else ws / "own.yml"
    own.write_text("page-namespace: 'urn:own:'\n", encoding="utf-8")
    with FakeGitHub(None, owner="acme", repo="onto", token=TOKEN) as fake:
        code, outputs, summary, log = run_pr(tmp_path, fake, None, head=head, base_sha=base,
                                             inputs={"config": str(own) if where == "outside" else "own.yml"})
    assert code == 0, log[-3000:]
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("1", "0"), summary
