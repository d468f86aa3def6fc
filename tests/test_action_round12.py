"""The Action, twelfth round (h103): a restore that cannot clear the old `-shm` keeps the old `-wal`;
a `.git` that is a file (a submodule's or a worktree's checkout) or a link is followed within the
workspace; a `.git/HEAD` the run may not read is said; a `path` folder's checkout names its
PostgreSQL schema. In process, against the real CLI; each test is a user-visible outcome."""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from ontosync.action import run as action_run
from ontosync.cli import main as cli_main
from tests.fake_artifacts import FakeArtifactServer
from tests.privileges import _unavailable  # a skip, or a failure where CI requires permissions to bind
from tests.test_action import REPO, TOKEN, FakeCli, make_db, make_env, sample_report
from tests.test_action_round8 import push_run, synced_artifact, write_classes
from tests.test_action_round10 import R, S, T
from tests.test_action_round11 import checked_out_repository, checkout_config

SHA = "0123456789abcdef0123456789abcdef01234567"
EVENT_SHA = "fedcba9876543210fedcba9876543210fedcba98"
BOUND = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


@contextlib.contextmanager
def bound_by_permissions():
    """This thread bound by file permissions for the block, as any user is (CI runs as root, where
    they do not): root's CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER leave its effective
    set and come back after (they stay permitted). Capabilities are a thread's own: the fake
    servers' threads keep theirs. In process: a subprocess costs ~0.3 CPU-s of imports. Not root:
    permissions bind already."""
    if os.geteuid() != 0:
        yield
        return
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        _unavailable(f"capget: {os.strerror(ctypes.get_errno())}")
    kept = data[0].effective
    data[0].effective = kept & ~sum(1 << cap for cap in BOUND)
    if libc.capset(ctypes.byref(header), data) != 0:
        _unavailable(f"capset: {os.strerror(ctypes.get_errno())}")
    try:
        yield
    finally:
        data[0].effective = kept
        assert libc.capset(ctypes.byref(header), data) == 0


def run_action(env: dict[str, str], cli=cli_main, code: int = 0) -> str:
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli, out=log) == code, log.getvalue()[-3000:]
    return log.getvalue()


# -- 1. the restore clears the old -shm before the old -wal -------------------------------------------

def test_a_restore_that_cannot_clear_the_old_shm_keeps_the_old_wal(tmp_path):
    """A self-hosted runner's kept `db/ontology.db` with commits in its `-wal`, its `-shm` another
    user's in a shared sticky folder: the restore deleted the `-wal`, then failed on the `-shm`
    ("running a full sync"), and the sync went on from the old database without the commits its
    `-wal` held. The `-shm` (an index SQLite rebuilds) goes first, as fetch-db's does (round 11):
    the failure is said and loses nothing."""
    if os.geteuid() != 0:
        pytest.skip("only root can give the -shm to another user here")
    folder = tmp_path / "workspace" / "db"
    folder.mkdir(parents=True)
    (tmp_path / "new.db").write_bytes(make_db(tmp_path / "work.db", "old"))
    conn = sqlite3.connect(tmp_path / "new.db")
    conn.execute("UPDATE marker SET value = 'new'")  # (the artifact's: another database)
    conn.commit()
    conn.close()
    conn = sqlite3.connect(tmp_path / "work.db")
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("UPDATE marker SET value = 'in-the-wal'")
    conn.commit()
    for suffix in ("", "-wal", "-shm"):  # copied open: closing would fold the -wal in
        shutil.copy(tmp_path / f"work.db{suffix}", folder / f"ontology.db{suffix}")
    conn.close()
    for other in (folder / "ontology.db-shm", folder):  # the folder too: its owner may delete anything in it
        os.chown(other, 65534, 65534)
    os.chmod(folder, 0o1777)
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {"db/ontology.db": (tmp_path / "new.db").read_bytes()})
        env = make_env(tmp_path, restore_artifact="ontology-db", database="db/ontology.db", github_token=TOKEN)
        env["GITHUB_API_URL"] = fake.api_url
        write_classes(Path(env["GITHUB_WORKSPACE"]), "A")
        cli = FakeCli(sample_report(failed=0))
        with bound_by_permissions():
            log = run_action(env, cli)
    os.chmod(folder, 0o755)
    said = [line for line in log.splitlines() if line.startswith("::warning") and "restore-artifact" in line]
    assert len(said) == 1 and "cannot write ontology.db-shm" in said[0], log
    assert cli.db_marker == "in-the-wal"  # what the sync went on from
    (folder / "ontology.db-shm").unlink()
    conn = sqlite3.connect(folder / "ontology.db")
    assert conn.execute("SELECT value FROM marker").fetchone()[0] == "in-the-wal"
    conn.close()


# -- 2. a `.git` that is a file (a submodule's, a worktree's checkout) or a link ------------------------

def git_folder(folder: Path, origin: str | None, head: str = SHA) -> Path:
    """A git folder (not a checkout's `.git`): HEAD, and a config naming `origin` (None: none)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "HEAD").write_text(head + "\n", encoding="ascii")
    if origin is not None:
        (folder / "config").write_text(f'[remote "origin"]\n\turl = https://github.com/{origin}.git\n')
    return folder


def submodule(ws: Path, name: str, origin: str, gitdir: str = "") -> Path:
    """`actions/checkout` with `submodules: true`: `NAME/.git` is a file naming the submodule's git
    folder in the superproject's (`gitdir: ../.git/modules/NAME`), which holds its config and HEAD."""
    git_folder(ws / ".git" / "modules" / name, origin)
    write_classes(ws / name, "A")
    (ws / name / "Broken.ttl").write_text("<http://x/B> a .\n", encoding="utf-8")
    (ws / name / ".git").write_text(f"gitdir: {gitdir or '../.git/modules/' + name}\n", encoding="ascii")
    return ws / name


def summary_and_marks(env: dict[str, str], tmp_path: Path) -> tuple[str, list[str]]:
    """The job summary, and the error annotations of the failed `Broken.ttl`."""
    log = run_action(env)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8").replace("\\", "")
    return summary, [line for line in log.splitlines() if line.startswith("::error") and "Broken.ttl" in line]


def test_a_submodule_or_worktree_checkout_is_named_by_its_own_origin(tmp_path):
    """A `path` folder checked out as a submodule (or as a worktree of another checkout): its `.git`
    is a file (`gitdir: ...`), which was not followed, so the summary named the workflow's
    repository, and a failed file's annotation marked the workflow's repository's file of that
    name. The git folder it names (its `commondir` for a worktree) holds the origin. (Hunt: the
    summary said "lab/terms ... at" the workspace's commit, no commit of lab/terms: the submodule's
    own now, while the revision recorded stays the workflow's, which a push's figures go by.)"""
    env = make_env(tmp_path, path="onto", max_error_rate="1", workers="1")
    ws = Path(env["GITHUB_WORKSPACE"])
    checkout_config(ws, f"https://github.com/{REPO}")
    (ws / ".git" / "HEAD").write_text(EVENT_SHA + "\n", encoding="ascii")
    submodule(ws, "onto", "lab/terms")
    summary, marks = summary_and_marks(env, tmp_path)
    assert f"Source <code>lab/terms</code>, folder <code>onto</code> at <code>{SHA}</code>;" in summary
    assert f'"revision": "{EVENT_SHA}"' in (ws / "ontosync-report.json").read_text(encoding="utf-8")
    assert len(marks) == 1 and "file=" not in marks[0]
    shutil.rmtree(ws / ".git" / "modules")  # a worktree of `main-terms`, its gitdir absolute
    git_folder(ws / "main-terms" / ".git", "lab/worktree-terms")
    (git_folder(ws / "main-terms" / ".git" / "worktrees" / "onto", None) / "commondir").write_text("../..\n")
    (ws / "onto" / ".git").write_text(f"gitdir: {ws}/main-terms/.git/worktrees/onto\n", encoding="ascii")
    assert checked_out_repository(env, ws, "onto") == "lab/worktree-terms"  # what the summary names


def test_a_git_folder_outside_the_workspace_is_not_read(tmp_path):
    """A `.git` link to a git folder outside the workspace, or a `.git` file naming one (`gitdir:
    /elsewhere`): nothing outside the workspace is read (a stranger's tree must not have the run read
    another checkout's files on the runner; the link was followed), and the workflow's repository is
    named, its file marked, as for a folder of its own checkout. A link to a git folder inside the
    workspace is followed."""
    env = make_env(tmp_path, path="onto", max_error_rate="1", workers="1")
    ws = Path(env["GITHUB_WORKSPACE"])
    checkout_config(ws, f"https://github.com/{REPO}")
    outside = git_folder(tmp_path / "elsewhere" / ".git", "other/outside")
    submodule(ws, "onto", "lab/terms", gitdir=str(outside))
    assert checked_out_repository(env, ws, "onto") == REPO
    (ws / "onto" / ".git").unlink()
    (ws / "onto" / ".git").symlink_to(outside, target_is_directory=True)
    summary, marks = summary_and_marks(env, tmp_path)
    assert "other/outside" not in summary and f"Source <code>{REPO}</code>, folder <code>onto</code>" in summary
    assert len(marks) == 1 and "file=onto/Broken.ttl" in marks[0]
    (ws / "onto" / ".git").unlink()
    (ws / "onto" / ".git").symlink_to(git_folder(ws / ".git" / "modules" / "onto", "lab/terms"))
    assert checked_out_repository(env, ws, "onto") == "lab/terms"  # what the summary names


def test_a_submodule_synced_in_ci_records_its_own_commit_and_schema(tmp_path, monkeypatch):
    """`ontosync sync onto` in CI, `onto` a submodule's checkout: its `.git` file was not followed,
    so the revision recorded was GITHUB_SHA (the superproject's event commit) and a PostgreSQL
    schema was named after the workflow's repository. Its own HEAD and origin now; outside the
    workspace (no GITHUB_WORKSPACE), nothing past the source folder is read: as before."""
    from ontosync.db_url import schema_for
    from ontosync.sources.git_head import checkout_origin, git_head

    ws = tmp_path / "workspace"
    submodule(ws, "onto", "lab/terms")
    monkeypatch.setenv("GITHUB_SHA", EVENT_SHA)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)

    assert git_head(ws / "onto") == EVENT_SHA  # no workspace known: the submodule's git folder is not followed
    monkeypatch.setenv("GITHUB_WORKSPACE", str(ws))
    report = tmp_path / "r.json"
    assert cli_main(["sync", str(ws / "onto"), "--db", str(tmp_path / "o.db"), "--quiet", "--report", str(report),
                     "--max-error-rate", "1", "--workers", "1"]) == 0
    assert json.loads(report.read_text(encoding="utf-8"))["revision"] == SHA
    url = "postgresql://u@127.0.0.1:9/onto"
    assert schema_for(url, str(ws / "onto"), checkout_origin(str(ws / "onto"))) == "lab_terms"


# -- 3. a `.git/HEAD` the run may not read -------------------------------------------------------------

def test_a_git_head_the_run_may_not_read_is_said(tmp_path, monkeypatch, capsys):
    """`.git/HEAD` (or the branch it names) another user's, mode 000: the revision recorded (in the
    database, the report, the checkpoint) was GITHUB_SHA, the event's commit, which need not be the
    one checked out, and nothing said so. Still GITHUB_SHA (nothing better is known), now said: a
    warning annotation, the terminal's warning line and the report's `revision` warning."""
    from ontosync.sources.git_head import checkout_revision

    env = make_env(tmp_path, workers="1")
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    git_folder(ws / ".git", None, "ref: refs/heads/main")
    (ws / ".git" / "refs" / "heads").mkdir(parents=True)
    (ws / ".git" / "refs" / "heads" / "main").write_text(SHA + "\n", encoding="ascii")
    monkeypatch.setenv("GITHUB_SHA", EVENT_SHA)
    assert checkout_revision(ws) == (SHA, "")
    os.chmod(ws / ".git" / "refs" / "heads" / "main", 0)
    with bound_by_permissions():
        assert checkout_revision(ws)[1].startswith("cannot read .git/refs/heads/main: Permission denied; the ")
    os.chmod(ws / ".git" / "HEAD", 0)
    with bound_by_permissions():
        log = run_action(env)
    said = [line for line in log.splitlines() if line.startswith("::warning") and ".git/HEAD" in line]
    assert len(said) == 1 and "Permission denied" in said[0] and f"GITHUB_SHA {EVENT_SHA[:12]}" in said[0], log
    assert "warning: cannot read .git/HEAD: Permission denied" in capsys.readouterr().err
    report = json.loads((ws / "ontosync-report.json").read_text(encoding="utf-8"))
    assert report["revision"] == EVENT_SHA
    assert [w["kind"] for w in report["warnings"]] == ["revision"]


# -- 4. a `path` folder's checkout names its PostgreSQL schema ------------------------------------------

def test_two_steps_syncing_two_path_checkouts_keep_their_own_schemas(tmp_path, monkeypatch):
    """Two Action steps, each syncing a checkout of another repository in a `path` folder into one
    PostgreSQL server without `?schema=`: both schemas were named after the workspace's checkout
    (the Action passes the workspace and `--path`), one schema for two repositories, said only by a
    warning. Each is named after its folder's checkout now, as the CLI names a checkout it is given
    (round 9), and each step's change figures are read from its own schema."""
    from tests.postgres_server import drop_schema, new_schema, server_url
    from tests.test_postgres_many_sources import _classes

    url, stem = server_url(), new_schema()
    try:
        for folder, cls in (("a", "A"), ("b", "B")):
            env = make_env(tmp_path, database=url, path=folder, report=f"{folder}.json", workers="1")
            env["GITHUB_REPOSITORY"] = f"{stem}/wf"
            ws = Path(env["GITHUB_WORKSPACE"])
            for name in ("GITHUB_REPOSITORY", "GITHUB_WORKSPACE"):  # (the sync reads its own environment)
                monkeypatch.setenv(name, env[name])
            checkout_config(ws, f"https://github.com/{stem}/wf")
            write_classes(ws / folder, cls)
            checkout_config(ws / folder, f"https://github.com/{stem}/{folder}")
            log = run_action(env)
            assert "::warning" not in log, log
            outputs = (tmp_path / "output.txt").read_text(encoding="utf-8")
            (tmp_path / "output.txt").unlink()
            assert f"checkpoint=ontosync-{stem}_{folder}.postgres" in outputs and "classes-added=1\n" in outputs
        assert _classes(f"{stem}_a") == ["http://x/A"] and _classes(f"{stem}_b") == ["http://x/B"]
    finally:
        for schema in (f"{stem}_wf", f"{stem}_a", f"{stem}_b"):
            drop_schema(schema)


# -- 5. a force-push's run that a later push's run overtook ---------------------------------------------

def test_a_force_push_run_overtaken_by_a_later_push_s_is_not_the_branch_s_newest(tmp_path, monkeypatch):
    """Main at R; `git push --force` to T, then S pushed on T, and S's run (restoring R's database)
    uploads first. T's run (`forced`, first attempt) restores S's database, past T, and GitHub's API
    does not answer (no `contents: read`): the payload's `forced` made it the branch's newest, so
    'ontology-db' went back to T, and the next push's run called itself a re-run of an older push
    (a renamed upload, a false warning). The artifact of a run created after this one (a higher
    run id than GITHUB_RUN_ID) tells a later push: this run's upload is renamed, as a re-run's. A
    force-push whose artifact is an earlier run's is still the branch's newest (round 10)."""
    from ontosync.action.changes import at_branch_head

    at_s = synced_artifact(tmp_path / "s", monkeypatch, (R, ("A", "B")), (S, ("A", "B", "C")))
    with FakeArtifactServer(token=TOKEN) as fake:
        uploaded_by = fake.add(REPO, "ontology-db", at_s, head_sha=S).run_id
        outputs, _summary, log = push_run(tmp_path, fake, R, "A", "B", "D", sha=T, forced=True,
                                          run_id=str(uploaded_by - 1))
        env = {"GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(tmp_path / "event.json"), "GITHUB_SHA": T,
               "GITHUB_RUN_ATTEMPT": "1", "GITHUB_RUN_ID": str(uploaded_by + 1)}  # (push_run's event: forced)
        assert at_branch_head(env, REPO, "main", TOKEN, fake.api_url, uploaded_by)  # an earlier run's artifact
    assert outputs["artifact-name"] == f"ontology-db-at-{T[:12]}" and f"older than {S[:12]}" in log


# -- hunt: a submodule that was not checked out ----------------------------------------------------------

def test_an_empty_path_folder_is_a_submodule_not_checked_out(tmp_path):
    """`path: onto`, `onto` a submodule, and actions/checkout without `submodules: true` (its
    default): git leaves the submodule's folder empty, and the sync of an empty folder deleted every
    file of the restored database, exit 0, the emptied database then uploaded as the newest. Stopped
    before anything is restored or synced, as for an empty workspace: exit 2, one error naming the
    folder and the way out."""
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "old.db", "old")})
        env = make_env(tmp_path, path="onto/", restore_artifact="ontology-db")
        env["GITHUB_API_URL"] = fake.api_url
        ws = Path(env["GITHUB_WORKSPACE"])
        (ws / ".gitmodules").write_text('[submodule "onto"]\n\tpath = onto\n\turl = https://github.com/lab/terms\n')
        (ws / "onto").mkdir()
        cli = FakeCli(sample_report(failed=0))
        log = run_action(env, cli, code=2)
        assert not fake.requests.get("zip")
    errors = [line for line in log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "the `path` folder onto is empty" in errors[0] and "submodules: true" in errors[0]
    assert cli.argv is None and not (ws / "ontology.db").exists()


def test_the_configuration_file_s_path_names_the_schema_as_the_sync_reads_it(tmp_path, monkeypatch):
    """`path: onto` in the checkout's `.ontosync.yml` rather than the `path` input: the sync names
    the schema after `onto`'s checkout (--path or the file: one setting), so the Action must too,
    or its checkpoint and its change figures read the workspace's schema, not the one synced. The
    summary names the folder and its repository as for the input."""
    env = make_env(tmp_path, database="postgresql://u:pw@127.0.0.1:9/onto")
    for name in ("GITHUB_REPOSITORY", "GITHUB_WORKSPACE"):
        monkeypatch.setenv(name, env[name])
    ws = Path(env["GITHUB_WORKSPACE"])
    checkout_config(ws, f"https://github.com/{REPO}")
    (ws / ".ontosync.yml").write_text("path: ./onto/\n", encoding="utf-8")
    write_classes(ws / "onto", "A")
    checkout_config(ws / "onto", "https://github.com/lab/terms")
    cli = FakeCli(sample_report(failed=0))
    run_action(env, cli)
    assert cli.argv[cli.argv.index("--checkpoint") + 1] == str(ws / "ontosync-lab_terms.postgres.checkpoint.json")
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8").replace("\\", "")
    assert "Source <code>lab/terms</code>, folder <code>onto</code>" in summary


# -- hunt: a pull request's base of a submodule ---------------------------------------------------------

@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_a_pull_request_s_base_of_a_submodule_path_is_the_submodule_s_files(tmp_path):
    """`path: onto`, `onto` a submodule, a pull request moving it from a commit with class A to one
    with A and B: the base was synced from the superproject's history (git archive), where a
    submodule is an empty folder, so the base database was empty and the comment said the pull
    request added both classes. The submodule's base commit (the gitlink git archive left empty)
    comes from the submodule's own history: one class added."""
    from tests.fake_github import FakeGitHub
    from tests.test_pr_comment import TOKEN as PR_TOKEN
    from tests.test_pr_comment import git, run_pr

    sub, ws = tmp_path / "terms", tmp_path / "ws"
    write_classes(sub, "A")
    git(sub.parent, "init", "-q", str(sub))
    git(sub, "add", "-A")
    git(sub, "commit", "-qm", "A")
    ws.mkdir()
    git(ws, "init", "-q")
    git(ws, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "onto")
    git(ws, "commit", "-qm", "base")
    base = git(ws, "rev-parse", "HEAD")
    write_classes(ws / "onto", "A", "B")
    git(ws / "onto", "add", "-A")
    git(ws / "onto", "commit", "-qm", "B")
    with FakeGitHub(None, owner="acme", repo="onto", token=PR_TOKEN) as fake:  # serves no repository content
        code, outputs, summary, log = run_pr(tmp_path, fake, None, base_sha=base,
                                             inputs={"path": "onto", "workers": "1"})
        comments = fake.pr_comments(7)
    assert code == 0, log[-3000:]
    assert "the base commit, from the checkout's git history" in summary
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("1", "0"), log[-3000:]
    assert "**1** classes added, **0** removed" in comments[0]["body"]
