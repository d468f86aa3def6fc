"""The Action's glue against hostile or unlucky surroundings: artifacts uploaded by a fork's pull
request, a comment deleted under our feet, odd input values, error messages that would carry a
signed download URL. Each test failed on main before its fix; GitHub's API is the fakes on
127.0.0.1 (tests/fake_artifacts.py, tests/fake_github.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ontosync.action import run as action_run
from ontosync.action.artifacts import find_newest_artifact
from ontosync.action.fetch_db import fetch_db
from tests.fake_artifacts import FakeArtifactServer
from tests.test_action import REPO, TOKEN, FakeCli, make_db, make_env, sample_report

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
