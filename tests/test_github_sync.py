"""End to end: `ontosync sync github:o/r@main` against the fake GitHub API, compared with a local
sync of the same tree; request budgets, faults, exit codes, and the token kept out of every output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.fake_github import FakeGitHub
from tests.helpers import PAGES, ROOT, cli, dump_file, run_cli

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.slow,
    pytest.mark.skipif(not (ROOT / "ontosync" / "cli.py").exists(), reason="ontosync/cli.py not there yet"),
]

SUBDIR = "mainKnowledgeGraph/pages"


@pytest.fixture(scope="module")
def small_tree(tmp_path_factory) -> Path:
    """Every sixth page of the corpus (in name order: 281 pages), where the graph keeps them: for
    the tests where the corpus's size is not the point (the request budget, faults, truncation, the
    token, a resync). The budget is a handful of requests for the whole tree, where one per file
    would be 281: a smaller tree shows it as well as the 1,684 pages did, for a sixth of the sync.
    Links between the chosen pages resolve as in the whole graph; the others mint IRIs."""
    if not PAGES.is_dir():
        pytest.skip(f"shared corpora not found at {PAGES}")
    root = tmp_path_factory.mktemp("small-repo")
    (root / SUBDIR).mkdir(parents=True)
    for page in sorted(PAGES.iterdir())[::6]:
        shutil.copyfile(page, root / SUBDIR / page.name)
    return root


@pytest.fixture(scope="module")
def small_local_db(small_tree, tmp_path_factory) -> dict:
    db = tmp_path_factory.mktemp("small-local") / "local.db"
    r = cli("sync", str(small_tree), "--path", SUBDIR, "--db", str(db), "--quiet")
    assert r.returncode == 0, r.stderr
    return dump_file(db)


@pytest.fixture
def small_fake(small_tree):
    with FakeGitHub(small_tree) as server:
        yield server


def remote_sync(fake: FakeGitHub, db: Path, *extra: str, spec: str = "github:o/r@main", token: str | None = None,
                timeout: str = "30", path: str | None = SUBDIR, process: bool = True):
    # ONTOSYNC_RETRY_BACKOFF: the retry policy's first backoff step, 10 ms instead of 1 s (the waits a
    # rate limit or Retry-After names are still waited out in full). The client timeout is generous
    # unless a test injects slow answers: on a loaded machine an undelayed answer took over 2 s, and
    # its retry counted against the request budgets
    env = {"GITHUB_TOKEN": fake.token if token is None else token, "ONTOSYNC_GITHUB_TIMEOUT": timeout,
           "ONTOSYNC_RETRY_BACKOFF": "0.01"}
    # A separate process: in this one, the fake's server thread would share the GIL with the sync
    # it serves, and the per-request timeouts these tests count could fire on a loaded machine.
    # `process=False` (in this process, tests.helpers.cli): for a run refused at its first requests,
    # where no timeout can fire and a new interpreter would cost more than the run.
    where = ("--path", path) if path else ()
    return (run_cli if process else cli)("sync", spec, "--api-url", fake.url, *where, "--db", str(db),
                   "--report", str(db.with_suffix(".report.json")), "--quiet", *extra, env=env)


def report(db: Path) -> dict:
    return json.loads(db.with_suffix(".report.json").read_text())


def test_remote_sync_equals_local_sync_within_the_request_budget(small_fake, small_tree, small_local_db, tmp_path):
    fake, pages = small_fake, len(list((small_tree / SUBDIR).iterdir()))
    db = tmp_path / "remote.db"
    r = remote_sync(fake, db)
    assert r.returncode == 0, r.stderr
    assert fake.count() <= 5 and fake.count("api") <= 3  # not one per file (281)
    assert dump_file(db) == small_local_db
    rep = report(db)
    assert rep["revision"] == fake.head and rep["source"] == "github:o/r@main"
    assert rep["files"]["total"] == pages == 281

    fake.reset_log()
    r = remote_sync(fake, db)
    assert r.returncode == 0, r.stderr
    assert fake.count() <= 2
    assert report(db)["files"]["unchanged"] == pages
    assert dump_file(db) == small_local_db


def test_resync_after_k_changes_fetches_only_those(small_fake, small_tree, tmp_path):
    fake, tree = small_fake, small_tree
    db = tmp_path / "remote.db"
    assert remote_sync(fake, db).returncode == 0
    work = tmp_path / "changed"
    shutil.copytree(tree, work)
    pages = sorted((work / SUBDIR).iterdir())
    for page in pages[:2]:
        page.write_bytes(page.read_bytes() + b"\n- edited remotely\n")
    pages[2].unlink()
    fake.folder = work
    fake.commit()
    fake.reset_log()

    r = remote_sync(fake, db)
    assert r.returncode == 0, r.stderr
    assert fake.count("api") <= 2 + 2 and fake.count("download") == 0
    rep = report(db)
    assert (rep["files"]["ok"] + rep["files"]["skipped"], rep["files"]["deleted"]) == (2, 1)

    local = tmp_path / "local.db"
    assert cli("sync", str(work), "--path", SUBDIR, "--db", str(local), "--quiet").returncode == 0
    assert dump_file(db) == dump_file(local)


def test_faults_and_rate_limits_leave_the_same_database_and_count_retries(small_fake, small_local_db, tmp_path):
    fake, local_db = small_fake, small_local_db
    # seed 83 draws one fault of each kind (a 500, a reset, one slow answer), where the fixture's
    # seed drew two slow answers: each slow one is a client timeout (2 s) waited out
    fake.rng.seed(83)
    fake.fault_rate = 0.1
    fake.slow_seconds = 3.0
    # limits that reset now (the primary one is then waited 1 s, the source's margin) and a Retry-After
    # of 0: the run meets and counts both, as with longer ones, whose lengths test_github_source's
    # faults test checks without waiting them (issue 16: they were 3-4 s of waiting here)
    fake.queue_primary_rate_limit(reset_in=0)
    fake.queue_too_many_requests(retry_after=0)
    db = tmp_path / "remote.db"
    r = remote_sync(fake, db, timeout="2")  # the slow answers (3 s) are past it
    assert r.returncode == 0, r.stderr
    assert dump_file(db) == local_db
    faults = sum(1 for *_, status in fake.log if status in (500, -1, -2, 403, 429))
    assert report(db)["retries"] >= faults >= 2
    assert [s for *_, s in fake.log if s in (403, 429)] == [403, 429]  # both limits met, each once
    assert sorted(s for *_, s in fake.log if s < 0 or s == 500) == [-2, -1, 500]  # every kind, once


def test_truncated_tree_gives_the_same_database(small_fake, small_local_db, tmp_path):
    fake, local_db = small_fake, small_local_db
    fake.truncate_over = 100  # of 281 pages and their folders
    db = tmp_path / "remote.db"
    r = remote_sync(fake, db)
    assert r.returncode == 0, r.stderr
    assert dump_file(db) == local_db


def test_bad_token_exits_2_with_one_line_and_no_token(small_fake, tmp_path):
    fake = small_fake
    secret = "ghp_this_is_the_wrong_token_123456"
    db = tmp_path / "remote.db"
    r = remote_sync(fake, db, token=secret, process=False)
    assert r.returncode == 2
    assert "authentication failed" in r.stderr
    assert "Traceback" not in r.stderr
    assert secret not in r.stderr + r.stdout
    for path in tmp_path.iterdir():  # database, checkpoint, report: none holds the token
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_token_is_not_written_anywhere_after_a_good_sync(small_fake, tmp_path):
    fake = small_fake
    db = tmp_path / "remote.db"
    r = remote_sync(fake, db)
    assert r.returncode == 0
    assert fake.token not in r.stderr + r.stdout
    files = [p for p in tmp_path.iterdir() if p.is_file()]
    assert files
    for path in files:
        assert fake.token.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("spec", ["github:o/nope@main", "github:o/r@no-such-branch"])
def test_unknown_repository_or_ref_exits_2(small_fake, tmp_path, spec):
    fake = small_fake
    r = remote_sync(fake, tmp_path / "remote.db", spec=spec, process=False)
    assert r.returncode == 2
    assert "repository or ref not found" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("after", [0, 1])
def test_rate_limit_past_the_allowed_wait_exits_1_with_checkpoint(small_fake, tmp_path, after):
    fake = small_fake
    fake.queue_primary_rate_limit(reset_in=3600, after=after)
    db = tmp_path / "remote.db"
    r = remote_sync(fake, db, "--max-rate-limit-wait", "5", process=False)
    assert r.returncode == 1, r.stderr
    assert "run again after" in r.stderr and "Traceback" not in r.stderr
    checkpoint = json.loads(Path(f"{db}.checkpoint.json").read_text())
    assert checkpoint["finished"] is False and checkpoint["source"] == "github:o/r@main"
