"""The Action, fifteenth round (h161): a `database`, `report` or `checkpoint` input naming a FIFO or a
device is refused before anything is removed or restored; so is a `checkpoint` naming the database (or
a file SQLite keeps beside it), before a restore; a `pull_request_target` run reads the checked-out
commit once and names that one throughout; a database that is a Git LFS pointer is named as one,
with how to fetch it. In process, against the real CLI where it runs; GitHub's API is the fakes on
127.0.0.1 (tests/fake_github.py, tests/fake_artifacts.py)."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from ontosync.action import run as action_run
from ontosync.cli import main as cli_main
from tests.fake_artifacts import FakeArtifactServer
from tests.fake_github import FakeGitHub
from tests.test_action import TOKEN, FakeCli, make_env, parse_outputs, sample_report
from tests.test_action_round8 import synced_artifact, write_classes
from tests.test_action_round14 import LFS_POINTER
from tests.test_pr_comment import TOKEN as PR_TOKEN
from tests.test_pr_comment import branched_repo, git, run_as_target, run_pr


def run_action(env: dict[str, str], cli) -> tuple[int, str]:
    log = io.StringIO()
    return action_run.main(env, cli_main=cli, out=log), log.getvalue()


def errors_of(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("::error")]


def restoring_push(env: dict[str, str], members: dict[str, bytes]) -> tuple[int, str, int]:
    """The Action on a push to main with `restore-artifact`, the newest artifact holding `members`;
    the real sync. (exit code, log, requests the fake API answered)."""
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add("acme/ontology", "ontology-db", members, head_sha="1" * 40)
        env.update({"GITHUB_API_URL": fake.api_url, "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main",
                    "INPUT_GITHUB-TOKEN": TOKEN})
        code, log = run_action(env, cli_main)
        return code, log, sum(fake.requests.values())


# -- 1. a report or checkpoint that is a FIFO or a device ----------------------------------------------

def make_special(path: Path, kind: str) -> int:
    """A FIFO, or a character device standing for /dev/null (mode 666, major 1 minor 3), at `path`;
    its mode, to see it is still there untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return os.lstat(path).st_mode


@pytest.mark.parametrize("name, kind, place", [
    ("report", "fifo", "in"), ("report", "device", "in"), ("report", "fifo", "out"),
    ("checkpoint", "fifo", "in"), ("checkpoint", "device", "in"), ("checkpoint", "device", "out"),
    ("database", "fifo", "in"), ("database", "device", "out")])
def test_a_report_or_checkpoint_naming_a_fifo_or_a_device_is_refused_before_the_sync(tmp_path, name, kind, place):
    """`report: /dev/stdout`, or a FIFO an earlier step made: the Action removed it as an earlier
    run's report (in the container, as root, /dev/stdout itself) and wrote a file in its place, or,
    left there, the sync wrote into it and the Action's read of the report back waited on it; a
    device as `checkpoint` was written into, and a restore put a regular file over it (over one
    named as `database` too, which a pull request's run removed). Refused
    before anything runs, one line naming the input; the FIFO or device is left as it was."""
    if kind == "device" and os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    env = make_env(tmp_path)
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    special = (ws if place == "in" else tmp_path / "outside") / "special"
    mode = make_special(special, kind)
    env[f"INPUT_{name.upper()}"] = "special" if place == "in" else str(special)
    cli = FakeCli(sample_report(failed=0))
    code, log = run_action(env, cli)
    assert code == 2 and cli.argv is None, log
    [error] = errors_of(log)
    what = "a FIFO" if kind == "fifo" else "a character device"
    assert f"input {name!r} (" in error and f"is {what}" in error, error
    assert os.lstat(special).st_mode == mode
    assert not (ws / "ontology.db").exists() or name == "database"


def test_a_device_reached_through_a_link_of_the_checkout_is_left_to_the_link_s_removal(tmp_path):
    """`report: dev/null` where the checkout holds a link `dev` to a folder of devices: the link is
    the checkout's, removed with a warning before anything is written (planted_links.py), and the
    run goes on, the device untouched; not a refusal of the input."""
    env = make_env(tmp_path, report="dev/null")
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    mode = make_special(tmp_path / "devices" / "null", "device")
    (ws / "dev").symlink_to(tmp_path / "devices")
    cli = FakeCli(sample_report(failed=0))
    code, log = run_action(env, cli)
    assert code == 0 and cli.argv is not None, log
    assert "dev was a symbolic link" in log and not errors_of(log)
    assert os.lstat(tmp_path / "devices" / "null").st_mode == mode


# -- 2. the checkpoint named as the database -----------------------------------------------------------

@pytest.mark.parametrize("checkpoint", ["ontology.db", "./ontology.db", "ontology.db-wal"])
def test_a_checkpoint_named_as_the_database_is_refused_before_the_restore(tmp_path, monkeypatch, checkpoint):
    """`checkpoint: ontology.db` with the default database: the run downloaded the artifact and put
    its database there (a pull request's run synced the base into it, with the checkpoint the same
    file) before the sync refused the two as one, the error in the sync's words (`--checkpoint`),
    not the input's. Refused before any download, naming the input; nothing is written."""
    members = synced_artifact(tmp_path, monkeypatch, ("1" * 40, ("A",)))
    env = make_env(tmp_path, checkpoint=checkpoint, **{"restore-artifact": "ontology-db"})
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A", "B")
    code, log, asked = restoring_push(env, members)
    assert code == 2, log
    [error] = errors_of(log)
    assert f"input 'checkpoint' ({os.path.normpath(checkpoint)}) is " in error and "the database" in error, error
    assert asked == 0
    assert sorted(p.name for p in ws.iterdir()) == [".git", "A.ttl", "B.ttl"]


# -- 3. pull_request_target: the checked-out commit read once ------------------------------------------

class HeadMovedByTheBaseSync:
    """The real sync; while the base's sync runs, the checkout's HEAD is moved to `other` (a step
    run alongside, a hook): a second read of HEAD names another commit than the first."""

    def __init__(self, workspace: Path, other: str) -> None:
        self.workspace, self.other, self.calls = workspace, other, 0

    def __call__(self, argv):
        self.calls += 1
        if self.calls == 1:
            (self.workspace / ".git" / "HEAD").write_text(self.other + "\n", encoding="ascii")
        return cli_main(argv)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_pull_request_target_names_the_one_commit_it_read_as_checked_out(tmp_path, monkeypatch):
    """A `pull_request_target` run read the checked-out commit once to tell the pull request's head
    from its base, and again for the revision the sync records: a HEAD moved between the two reads
    had the run compare the head and record another commit as its revision. Read once, passed on."""
    from tests import test_pr_comment

    ws = tmp_path / "ws"
    pr_base, head, main_now = branched_repo(ws)
    git(ws, "checkout", "-q", "--detach", head)
    run_as_target(monkeypatch, main_now)
    sync = HeadMovedByTheBaseSync(ws, main_now)
    monkeypatch.setattr(test_pr_comment, "cli_main", sync)
    with FakeGitHub(None, owner="acme", repo="onto", token=PR_TOKEN) as fake:
        code, _outputs, _summary, log = run_pr(tmp_path, fake, None, head=head, base_sha=pr_base)
        assert code == 0, log[-3000:]
        assert len(fake.pr_comments(7)) == 1, log  # compared as the pull request's head
    assert sync.calls == 2
    report = json.loads((ws / "ontosync-report.json").read_text(encoding="utf-8"))
    assert report["revision"] == head


# -- 4. a database that is a Git LFS pointer -----------------------------------------------------------

def test_a_database_checked_out_as_a_git_lfs_pointer_is_named_as_one(tmp_path):
    """The workflow commits its database in Git LFS and checks it out without `lfs: true`: the file
    is the pointer's text, and the sync said "not a database ontosync can upgrade: not an SQLite
    database (file is not a database)". It says the file is a Git LFS pointer and how to fetch it,
    one line, exit 2, the pointer left as it was."""
    env = make_env(tmp_path)
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    (ws / "ontology.db").write_text(LFS_POINTER, encoding="ascii")
    code, log = run_action(env, cli_main)
    assert code == 2, log
    [error] = errors_of(log)
    assert "ontology.db: a Git LFS pointer, not the database" in error, error
    assert "lfs: true" in error and "git lfs pull" in error and "not a database" not in error
    assert (ws / "ontology.db").read_text(encoding="ascii") == LFS_POINTER


def test_the_command_line_names_a_git_lfs_pointer_database_too(tmp_path, capsys):
    """The same words from `ontosync sync`, one line on stderr, exit 2."""
    write_classes(tmp_path / "src", "A")
    db = tmp_path / "o.db"
    db.write_text(LFS_POINTER, encoding="ascii")
    assert cli_main(["sync", str(tmp_path / "src"), "--db", str(db), "--quiet"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and f"{db}: a Git LFS pointer, not the database" in err[0], err


def test_a_restored_database_that_is_a_git_lfs_pointer_is_named_as_one(tmp_path):
    """An artifact whose database is a Git LFS pointer (a workflow that uploaded the file it checked
    out without LFS): the restore's warning said "is not an SQLite database"; it names the pointer."""
    env = make_env(tmp_path, **{"restore-artifact": "ontology-db"})
    write_classes(Path(env["GITHUB_WORKSPACE"]), "A")
    code, log, _ = restoring_push(env, {"ontology.db": LFS_POINTER.encode()})
    assert code == 0, log
    [warning] = [line for line in log.splitlines() if "fails its checks" in line]
    assert "ontology.db is a Git LFS pointer, not the database" in warning, warning


# -- 5. a rollback journal beside the restored database ------------------------------------------------

def stranger_journal(tmp_path: Path) -> bytes:
    """A hot rollback journal of another ontosync database (its classes `Evil`): taken while a
    transaction that deletes every row holds it, so it carries that database's pages."""
    tree, db = tmp_path / "stranger", tmp_path / "stranger.db"
    write_classes(tree, "Evil")
    assert cli_main(["sync", str(tree), "--db", str(db), "--quiet"]) == 0
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA cache_size=1")  # the pages spill into the file: the journal is hot
    conn.execute("BEGIN IMMEDIATE")
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        conn.execute(f'DELETE FROM "{table}"')
    journal = Path(f"{db}-journal").read_bytes()
    conn.execute("ROLLBACK")
    conn.close()
    return journal


def test_a_rollback_journal_beside_the_restored_database_is_not_played_into_it(tmp_path, monkeypatch):
    """An `ontology.db-journal` in the workspace (committed by `git add -A` after a local sync died,
    or added by a pull request) was left beside the database the restore put in place: SQLite took
    it for that database's hot journal and wrote its pages into it, so the run went on from a
    stranger's database, or a damaged one. The restore removes it with the old -wal and -shm."""
    members = synced_artifact(tmp_path, monkeypatch, ("1" * 40, ("A",)))
    journal = stranger_journal(tmp_path)
    env = make_env(tmp_path, **{"restore-artifact": "ontology-db"})
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A", "B")
    (ws / "ontology.db-journal").write_bytes(journal)
    code, log, _ = restoring_push(env, members)
    assert code == 0, log
    with sqlite3.connect(ws / "ontology.db") as conn:
        classes = sorted(row[0] for row in conn.execute("SELECT class_iri FROM owl_classes"))
        revisions = [row[0] for row in conn.execute("SELECT revision FROM runs ORDER BY id")]
    assert classes == ["http://x/A", "http://x/B"]
    assert revisions[0] == "1" * 40 and len(revisions) == 2, revisions  # the artifact's run, then this one
    assert parse_outputs(tmp_path / "output.txt")["classes-added"] == "1", log


def test_fetch_db_leaves_no_rollback_journal_beside_the_database_it_writes(tmp_path, monkeypatch):
    """`fetch-db --out o.db` over an old `o.db` whose writer died mid-transaction (its hot
    `o.db-journal` beside it): the journal, the old database's, was played into the database
    fetched at the first open, which then held the old one's pages. It goes with the old -wal and -shm."""
    from ontosync.action.fetch_db import fetch_db

    members = synced_artifact(tmp_path, monkeypatch, ("1" * 40, ("A",)))
    out = tmp_path / "app" / "o.db"
    out.parent.mkdir()
    out.write_bytes(b"")
    Path(f"{out}-journal").write_bytes(stranger_journal(tmp_path))
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add("acme/ontology", "ontology-db", members, head_sha="1" * 40)
        assert fetch_db("acme/ontology", out=out, api_url=fake.api_url, token=TOKEN) == 0
    with sqlite3.connect(out) as conn:
        assert [row[0] for row in conn.execute("SELECT class_iri FROM owl_classes")] == ["http://x/A"]


# -- 6. an earlier run's unfinished checkpoint beside the restored database ---------------------------

def test_a_checkpoint_left_beside_the_old_database_is_not_resumed_with_the_restored_one(tmp_path, monkeypatch):
    """A self-hosted runner keeps the workspace: an earlier run, cancelled, left its unfinished
    `ontology.db.checkpoint.json`. This run restores an artifact holding no checkpoint, and the sync
    resumed that one, the old database's, with the restored database: `full-sync: true` reparsed
    nothing (every file the artifact's run had synced passed for one the interrupted run had done),
    and the summary said "resumed from a checkpoint". The old checkpoint goes with the old database."""
    from datetime import datetime, timedelta, timezone

    from ontosync.pipeline.checkpoint import Checkpoint

    members = synced_artifact(tmp_path, monkeypatch, ("1" * 40, ("A", "B")))
    env = make_env(tmp_path, **{"restore-artifact": "ontology-db", "full-sync": "true"})
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A", "B")
    earlier = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat(timespec="milliseconds")
    Checkpoint(str(ws), None, earlier, earlier, total_files=2, processed=1,
               database=os.path.realpath(ws / "ontology.db")).save(ws / "ontology.db.checkpoint.json")
    code, log, _ = restoring_push(env, members)
    assert code == 0, log
    report = json.loads((ws / "ontosync-report.json").read_text(encoding="utf-8"))
    assert report["resumed"] is False
    assert report["files"]["ok"] == 2 and report["files"]["unchanged"] == 0, report["files"]
    assert "resumed" not in (tmp_path / "summary.md").read_text(encoding="utf-8")
