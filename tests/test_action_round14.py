"""The Action, fourteenth round (h138): the checkout's origin read once per run; the pull request's
comment stays one when a concurrent job posted it meanwhile; a failed sync without a run report is
said plainly, and its figures marked as maybe partial; a restored old database's migration backup
stays out of the workspace; `-` as a path input is refused, and so is a report named as a file the
database keeps beside it (its -wal), before the run removes it. In process, against the real CLI
where it runs; GitHub's API is the fakes on 127.0.0.1 (tests/fake_github.py, tests/fake_artifacts.py)."""

from __future__ import annotations

import io
import json
import secrets
from pathlib import Path

import pytest

from ontosync.action import run as action_run
from ontosync.cli import main as cli_main
from tests.fake_artifacts import FakeArtifactServer
from tests.fake_github import FakeGitHub
from tests.test_action import TOKEN, FakeCli, make_env, parse_outputs, sample_report
from tests.test_action_hostile import MARK, post
from tests.test_action_round8 import write_classes
from tests.test_action_round11 import checkout_config
from tests.test_migrate import build_l2


def run_action(env: dict[str, str], cli) -> tuple[int, str]:
    log = io.StringIO()
    return action_run.main(env, cli_main=cli, out=log), log.getvalue()


def restored_push(env: dict[str, str], old: Path, name: str = "ontology.db") -> tuple[int, str]:
    """A push's run with `restore-artifact`, the artifact holding `old` as `name`; the real sync."""
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add("acme/ontology", "ontology-db", {name: old.read_bytes()}, head_sha="1" * 40)
        env.update({"GITHUB_API_URL": fake.api_url, "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main",
                    "INPUT_GITHUB-TOKEN": TOKEN})
        return run_action(env, cli_main)


# -- 5. a path input given as `-` ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["path", "database", "report", "checkpoint", "config"])
def test_a_path_input_given_as_a_dash_is_refused_naming_the_input(tmp_path, name):
    """`report: -` (as `--report -` means standard output on the command line) was taken as a file
    named `-` in the workspace, `path: -` as a folder `-`, `database: -` as a database file `-`:
    refused before the sync, one line naming the input."""
    env = make_env(tmp_path, **{name: "-"})
    write_classes(Path(env["GITHUB_WORKSPACE"]), "A")
    cli = FakeCli(sample_report(failed=0))
    code, log = run_action(env, cli)
    assert code == 2 and cli.argv is None
    errors = [line for line in log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and f"input {name!r} is '-'" in errors[0], log
    assert not (Path(env["GITHUB_WORKSPACE"]) / "-").exists()


# -- 3. exit 1 and no run report -----------------------------------------------------------------------

def test_a_sync_exiting_1_without_a_run_report_says_so_in_the_summary(tmp_path):
    """A sync that exited 1 and wrote no report: the summary's heading said "error rate over the
    threshold", which no report said (nor one sent the user to failed files there were none of)."""
    env = make_env(tmp_path)
    write_classes(Path(env["GITHUB_WORKSPACE"]), "A")
    code, _log = run_action(env, FakeCli(None, code=1, stderr="ontosync: something <b>odd</b> happened"))
    assert code == 1
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    heading = summary.splitlines()[0]
    assert heading == "## ontosync: ❌ exit 1 and no run report", summary
    assert "error rate" not in summary and "No run report was written." in summary
    assert "&lt;b&gt;odd&lt;/b&gt;" in summary and "<b>" not in summary


# -- 2. the comment a concurrent job posted meanwhile -------------------------------------------------

def test_a_comment_posted_by_a_concurrent_job_after_the_listing_is_updated_not_doubled(github):
    """Two runs of one pull request (two quick pushes): this run listed the comments, found none of
    ours, and posted one, while the other job had posted its own after that listing: two comments,
    one of them showing stale figures. Round 14 listed again just before posting, which left the
    window between that listing and the post as it was. The comments are listed after posting: the
    older comment of ours (the other job's) is kept and updated in place, ours is withdrawn."""
    def concurrent(method, segments):
        if method == "POST" and not github.pr_comments(7):  # the other job's whole run, just before our post
            github.write_hook = None
            assert post(github, f"{MARK}\nthe other job's")[0]

    github.write_hook = concurrent
    done, log = post(github, f"{MARK}\nours")
    assert done, log
    comments = github.pr_comments(7)
    assert [c["body"] for c in comments] == [f"{MARK}\nours"], comments
    assert comments[0]["id"] == 1001  # the other job's, posted first: kept, its link stays good
    assert "updated the comment" in log and "issuecomment-1001" in log, log


def test_the_other_job_s_later_comment_is_left_to_it_when_ours_is_older(github):
    """The other side of that race: our comment is the older one, so it stays as posted; the other
    job's, newer, is not touched here (that job, listing after its post, updates ours and withdraws
    its own): neither job's edits undo the other's."""
    def concurrent(handler, segments, query):
        if segments[-1:] == ["comments"] and len(github.pr_comments(7)) == 1 and not github.answer_hook.done:
            github.answer_hook.done = True  # posted between our post and our listing after it
            github.add_comment(7, f"{MARK}\nthe other job's", login="github-actions[bot]", user_type="Bot")
        return None

    concurrent.done = False
    github.answer_hook = concurrent
    done, log = post(github, f"{MARK}\nours")
    assert done, log
    assert [c["body"] for c in github.pr_comments(7)] == [f"{MARK}\nours", f"{MARK}\nthe other job's"]
    assert "commented on pull request #7" in log
    assert not [e for e in github.log if e[1] in ("PATCH", "DELETE")]


@pytest.fixture
def github():
    with FakeGitHub(owner="acme", repo="onto", token=TOKEN) as server:
        yield server


# -- 1. the checkout's origin, read once ---------------------------------------------------------------

class MovingOrigin(FakeCli):
    """A sync during which the checkout's `.git/config` names another origin (a step run in
    parallel, a hook rewriting the remote)."""

    def __init__(self, config: Path) -> None:
        super().__init__(sample_report(failed=0))
        self.config = config

    def __call__(self, argv):
        checkout_config(self.config.parent.parent, "https://github.com/lab/other")
        return super().__call__(argv)


def test_the_checkout_s_origin_is_read_once_so_schema_and_summary_agree(tmp_path, monkeypatch):
    """A PostgreSQL `database`: the Action read the checkout's origin from `.git/config` to name the
    schema's checkpoint, again for each read of the change log, and again for the summary; a config
    changed between those reads named `lab/terms` for the checkpoint and `lab/other` in the summary.
    Read once, at the start: every later part of the run names the same repository."""
    env = make_env(tmp_path, database="postgresql://u:pw@127.0.0.1:9/onto")
    for name in ("GITHUB_REPOSITORY", "GITHUB_WORKSPACE"):
        monkeypatch.setenv(name, env[name])
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    checkout_config(ws, "https://github.com/lab/terms")
    cli = MovingOrigin(ws / ".git" / "config")
    code, log = run_action(env, cli)
    assert code == 0, log
    assert Path(cli.argv[cli.argv.index("--checkpoint") + 1]).name == "ontosync-lab_terms.postgres.checkpoint.json"
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8").replace("\\", "")
    assert "Source <code>lab/terms</code>" in summary and "lab/other" not in summary


class MovingOriginSync:
    """The real sync, the checkout's `.git/config` naming another origin as it starts."""

    def __init__(self, workspace: Path, url: str) -> None:
        self.workspace, self.url = workspace, url

    def __call__(self, argv):
        checkout_config(self.workspace, self.url)
        return cli_main(argv)


@pytest.mark.parametrize("folder", ["", "terms"])
def test_the_sync_writes_the_schema_of_the_origin_the_action_read(tmp_path, monkeypatch, folder):
    """The origin read once by the Action did not reach the sync: it read `.git/config` again to name
    the PostgreSQL schema it writes, so a config changed meanwhile had the rows written into one
    schema (`lab/other`'s) and the change figures read from another (`lab/terms`'s, empty): no
    figures, a schema the next run does not read. The Action hands its origin to the sync."""
    from tests.postgres_server import connect, drop_schema, server_url

    ours, other = (f"lab/t{secrets.token_hex(4)}" for _ in range(2))
    schemas = [name.replace("/", "_") for name in (ours, other)]
    env = make_env(tmp_path, database=server_url(), **({"path": f"./{folder}/"} if folder else {}))
    for name in ("GITHUB_REPOSITORY", "GITHUB_WORKSPACE"):
        monkeypatch.setenv(name, env[name])
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws / folder, "A")
    checkout_config(ws / folder, f"https://github.com/{ours}")  # (a `path` folder: another repository's checkout)
    try:
        code, log = run_action(env, MovingOriginSync(ws / folder, f"https://github.com/{other}"))
        conn = connect()
        try:
            cur = conn.cursor()
            cur.execute("SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_schema = ANY(%s)",
                        (schemas,))
            written = [row[0] for row in cur.fetchall()]  # (the Action's read of a schema may create it empty)
        finally:
            conn.close()
    finally:
        for schema in schemas:
            drop_schema(schema)
    assert code == 0, log
    assert written == [schemas[0]], written
    outputs = parse_outputs(tmp_path / "output.txt")
    assert outputs["classes-added"] == "1", log


def test_a_sync_refused_before_it_writes_leaves_no_schema_on_the_server(tmp_path, monkeypatch):
    """A PostgreSQL `database` and a sync refused before it wrote anything (exit 2: a setting its
    `.ontosync.yml` does not know): the Action's read of the change log before the sync created the
    schema, so an empty schema named after the checkout was left on the server. A read adds no schema."""
    from tests.postgres_server import connect, drop_schema, server_url

    origin = f"lab/t{secrets.token_hex(4)}"
    env = make_env(tmp_path, database=server_url())
    for name in ("GITHUB_REPOSITORY", "GITHUB_WORKSPACE"):
        monkeypatch.setenv(name, env[name])
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    checkout_config(ws, f"https://github.com/{origin}")
    (ws / ".ontosync.yml").write_text("bogus: 1\n", encoding="utf-8")
    schema = origin.replace("/", "_")
    try:
        code, log = run_action(env, cli_main)
        conn = connect()
        try:
            cur = conn.cursor()
            cur.execute("SELECT nspname FROM pg_namespace WHERE nspname = %s", (schema,))
            left = cur.fetchall()
        finally:
            conn.close()
    finally:
        drop_schema(schema)
    assert code == 2 and "unknown setting 'bogus'" in log, log
    assert left == []


def test_a_role_that_may_not_read_the_store_gets_the_grant_line_not_a_traceback(tmp_path, capsys):
    """A PostgreSQL `database` whose role lacks the rights on the source's store (a DBA not done
    granting): the Action's read of the change log before the sync raised the refusal, and the run
    ended in a traceback, no summary or outputs written. The sync says which GRANTs are missing,
    exit 2, as on the command line."""
    from tests.postgres_server import drop_schema, new_schema, reader_role, schema_url

    schema = new_schema()
    src = tmp_path / "src"
    write_classes(src, "A")
    try:
        assert cli_main(["sync", str(src), "--db", schema_url(schema), "--quiet"]) == 0
        with reader_role() as (_name, url):
            env = make_env(tmp_path, database=f"{url}?schema={schema}")
            write_classes(Path(env["GITHUB_WORKSPACE"]), "A")
            code, log = run_action(env, cli_main)
    finally:
        drop_schema(schema)
    assert code == 2, log
    errors = [line for line in log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and f'GRANT USAGE ON SCHEMA "{schema}"' in errors[0], log
    assert "Traceback" not in log + capsys.readouterr().err
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").startswith("## ontosync: ❌")


@pytest.mark.parametrize("checkpoint", [".ontosync.yml", "pages/Boat.md"])
def test_a_checkpoint_input_naming_a_file_of_the_checkout_is_refused_before_a_pull_request_removes_it(
        tmp_path, checkpoint):
    """A pull request's run removes the `checkpoint` file before syncing the base (the base branch's
    run must not resume from it): `checkpoint` naming the checkout's `.ontosync.yml` or an ontology
    file deleted it from the workspace, the sync refused the name only afterwards (exit 2), and a
    later step's `git add -A` committed the deletion. Refused before anything is removed, naming the input."""
    from tests import test_pr_comment as pr

    files = {**pr.BASE, ".ontosync.yml": "workers: 1\n"}
    base = tmp_path / "base"
    pr.write_tree(base, files)
    with FakeGitHub(base, owner="acme", repo="onto", token=pr.TOKEN) as fake:
        code, _outputs, _summary, log = pr.run_pr(tmp_path, fake, files, inputs={"checkpoint": checkpoint})
    assert code == 2, log
    errors = [line for line in log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "input 'checkpoint'" in errors[0] and checkpoint in errors[0], log
    ws = tmp_path / "ws"
    assert {name: (ws / name).read_text(encoding="utf-8") for name in files} == files


def test_a_report_input_naming_an_ontology_file_is_refused_before_the_run_removes_it(tmp_path):
    """Every run removes an earlier report before the sync: `report: A.ttl` deleted that ontology file,
    then the sync refused the name (exit 2). Refused first, the file kept; an earlier run's report
    is still removed."""
    env = make_env(tmp_path, report="A.ttl")
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    page = (ws / "A.ttl").read_bytes()
    cli = FakeCli(sample_report(failed=0))
    code, log = run_action(env, cli)
    assert code == 2 and cli.argv is None, log
    errors = [line for line in log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "input 'report': A.ttl is a file no ontosync run wrote" in errors[0], log
    assert (ws / "A.ttl").read_bytes() == page
    env = make_env(tmp_path)
    (ws / "ontosync-report.json").write_text(json.dumps(sample_report(failed=0)), encoding="utf-8")
    assert run_action(env, FakeCli(None))[0] == 0
    assert not (ws / "ontosync-report.json").exists()


def test_a_database_input_naming_an_ontology_file_is_refused_before_an_artifact_replaces_it(tmp_path):
    """`restore-artifact` on a push: the artifact's database was copied over the file `database`
    names before the sync refused the name; an ontology file there was lost. Refused first; an empty
    file there (a failed earlier run's database) is no refusal."""
    old = tmp_path / "old.db"
    build_l2(old, l1_on_top=False)
    env = make_env(tmp_path, database="A.ttl", restore_artifact="ontology-db")
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    kept = (ws / "A.ttl").read_bytes()
    cli = FakeCli(sample_report(failed=0))
    with FakeArtifactServer(token=TOKEN) as fake:  # an earlier run's, under that name
        fake.add("acme/ontology", "ontology-db", {"A.ttl": old.read_bytes()}, head_sha="1" * 40)
        env.update({"GITHUB_API_URL": fake.api_url, "GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main",
                    "INPUT_GITHUB-TOKEN": TOKEN})
        code, log = run_action(env, cli)
    assert code == 2 and cli.argv is None, log
    assert "input 'database': A.ttl is a file no ontosync run wrote" in log and (ws / "A.ttl").read_bytes() == kept
    (ws / "empty.db").write_bytes(b"")
    env = make_env(tmp_path, database="empty.db", restore_artifact="ontology-db")
    assert run_action(env, FakeCli(sample_report(failed=0)))[0] == 0


# -- 4. a restored old database's migration backup -------------------------------------------------

def test_a_restored_old_database_s_migration_backup_is_not_left_in_the_workspace(tmp_path):
    """`restore-artifact` bringing a database of the old batch sync: the sync migrated it and kept
    the migration's backup beside it, `ontology.backup-<time>.db` in the workspace, where a later
    step's `git add -A` committed it or an upload took it. The artifact is that backup already: the
    copy is made (and dropped) outside the workspace; the database is migrated and synced."""
    old = tmp_path / "old.db"
    build_l2(old, l1_on_top=False)
    env = make_env(tmp_path, restore_artifact="ontology-db")
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    code, log = restored_push(env, old)
    assert code == 0, log
    assert "started from" in log and "migrated ontology.db to this ontosync's schema" in log, log
    assert sorted(p.name for p in ws.rglob("*backup*")) == []
    classes = next(line for line in log.splitlines() if line.startswith("classes="))
    assert int(classes.split("=")[1]) > 1  # the restored rows were carried over, and the sync went on from them


# -- hunt: a report input naming a file the database keeps beside it ------------------------------------

@pytest.mark.parametrize("report", ["ontology.db-wal", "ontology.db.lock", "./ontology.db-journal"])
def test_a_report_naming_the_database_s_write_ahead_log_is_refused_before_it_is_removed(tmp_path, report):
    """The Action removes an earlier report before the sync; a `report` naming the database's -wal
    (a kept database on a self-hosted runner: its last commits), its journal or its lock was removed
    first, and only then did the sync refuse the name (exit 2): the commits were gone. Refused before
    anything is removed, as a report named as the database is."""
    env = make_env(tmp_path, report=report)
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    kept = {name: f"{name} kept".encode() for name in ("ontology.db", "ontology.db-wal", "ontology.db-journal",
                                                        "ontology.db.lock")}
    for name, data in kept.items():
        (ws / name).write_bytes(data)
    cli = FakeCli(sample_report(failed=0))
    code, log = run_action(env, cli)
    assert code == 2 and cli.argv is None, log
    errors = [line for line in log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "input 'report'" in errors[0] and "input 'database'" in errors[0], errors
    assert {name: (ws / name).read_bytes() for name in kept} == kept


# -- hunt: the figures of a sync that exited 1 without a run report --------------------------------------

def test_a_pull_request_s_figures_after_exit_1_and_no_run_report_say_so(tmp_path, monkeypatch):
    """The head's sync exited 1 and wrote no run report (so nothing tells a stop from an error rate,
    nor names a failed file): the comment and the summary's "What changed" showed the figures as the
    whole push's, or no comment came at all when they were empty. A line says they may be partial."""
    from tests import test_pr_comment as pr

    def head_fails(argv):
        code = cli_main(argv)
        if argv[1] == str(tmp_path / "ws"):  # the head's sync, not the base's
            Path(argv[argv.index("--report") + 1]).unlink()
            return 1
        return code

    monkeypatch.setattr(pr, "cli_main", head_fails)
    base = tmp_path / "base"
    pr.write_tree(base, pr.BASE)
    with FakeGitHub(base, owner="acme", repo="onto", token=pr.TOKEN) as fake:
        code, _outputs, summary, log = pr.run_pr(tmp_path, fake, dict(pr.BASE))
        comments = fake.pr_comments(7)
    assert code == 1, log
    said = "The sync exited 1 and wrote no run report"
    assert len(comments) == 1 and said in comments[0]["body"], comments
    assert summary.startswith("## What changed") and said in summary.split("## ontosync:")[0], summary
    assert summary.count("## ontosync: ❌ exit 1 and no run report") == 1


# -- h149: the comment of a run whose push is no longer the pull request's head -------------------------

NEWER = "c" * 40  # the head of a later push (the PR's run here is for head "b" * 40)


@pytest.mark.parametrize("head_now", [NEWER, "b" * 40])
def test_a_run_of_an_older_push_losing_the_race_does_not_write_its_figures_over_the_newer_run_s(github, head_now):
    """The run of push 2 posted its comment (c1) after this run (push 1, slower) listed none; this
    run posted c2, listed again, wrote push 1's figures into c1 and withdrew c2: one comment, showing
    the older push's figures. The pull request's head is asked first: when it is another push's,
    c1 is left as it is and c2 withdrawn; when it is this run's, c1 takes this run's text, as before."""
    def concurrent(method, segments):
        if method == "POST" and not github.pr_comments(7):  # push 2's run, just before our post
            github.write_hook = None
            github.add_comment(7, f"{MARK}\npush 2's", login="github-actions[bot]", user_type="Bot")
            github.pull_heads[7] = head_now

    github.write_hook = concurrent
    done, log = post(github, f"{MARK}\npush 1's")
    assert done, log
    comments = github.pr_comments(7)
    kept = f"{MARK}\npush 2's" if head_now == NEWER else f"{MARK}\npush 1's"
    assert [(c["id"], c["body"]) for c in comments] == [(1001, kept)], comments
    assert "issuecomment-1001" in log, log


def test_a_run_of_an_outdated_head_leaves_the_comment_of_the_newer_push_as_it_is(github):
    """The plain update: the run of push 1 ending after push 2's run updated the comment wrote push
    1's figures over push 2's. The pull request's head now is another push's: the comment is left."""
    github.add_comment(7, f"{MARK}\npush 2's", login="github-actions[bot]", user_type="Bot")
    github.pull_heads[7] = NEWER
    done, log = post(github, f"{MARK}\npush 1's")
    assert done, log
    assert [c["body"] for c in github.pr_comments(7)] == [f"{MARK}\npush 2's"]
    assert NEWER[:12] in log and "left" in log, log
    assert not [e for e in github.log if e[1] in ("PATCH", "DELETE", "POST")]


def test_a_server_error_between_posting_and_withdrawing_still_withdraws_our_new_comment(github):
    """A 5xx on the listing after our post (a concurrent job's comment there, older): the retry
    listed both, kept the older and rewrote the comment this run posted as a "Superseded" note,
    left on the pull request. The comment this run posted is remembered across tries and withdrawn."""
    def concurrent(method, segments):
        if method == "POST" and not github.pr_comments(7):
            github.write_hook = None
            github.add_comment(7, f"{MARK}\nthe other job's", login="github-actions[bot]", user_type="Bot")

    def fail_once(handler, segments, query):
        if segments[-1:] == ["comments"] and len(github.pr_comments(7)) == 2 and not fail_once.done:
            fail_once.done = True
            handler._send(502, {"message": "Bad Gateway"})
            return 502
        return None

    fail_once.done = False
    github.write_hook, github.answer_hook = concurrent, fail_once
    done, log = post(github, f"{MARK}\nours")
    assert done and fail_once.done, log
    assert [(c["id"], c["body"]) for c in github.pr_comments(7)] == [(1001, f"{MARK}\nours")]


# -- h149: the files an earlier run wrote, however large, and a database kept in Git LFS ------------------

BIG = 300 * 1024 * 1024  # past the 256 MiB the check used to read whole (a sparse file: no disk)


@pytest.mark.parametrize("name", ["ontosync-report.json", "ontosync-changes.json"])
def test_a_genuine_report_or_change_json_over_256_mib_is_removed_not_refused(tmp_path, name):
    """An earlier run's report or change JSON over 256 MiB (a very large source) was taken for "a
    file no ontosync run wrote" (exit 2), and one under that was read whole to tell (a MemoryError
    on a small runner). Only its opening is read: the key each opens with."""
    from ontosync.console import json_text

    env = make_env(tmp_path)
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    earlier = sample_report(failed=0) if "report" in name else \
        {"base": {"run": 1}, "head": {"run": 2}, "counts": {}, "classes": {"added": [], "removed": [], "changed": []}}
    with open(ws / name, "w", encoding="utf-8") as fh:
        fh.write(json_text(earlier))
        fh.truncate(BIG)
    cli = FakeCli(sample_report(failed=0))
    code, log = run_action(env, cli)
    assert code == 0 and cli.argv is not None, log
    assert not (ws / name).exists() or (ws / name).stat().st_size < BIG


@pytest.mark.parametrize("text", ['{"classes": {}}', '["ontosync_version"]', '{"x": "ontosync_version"}'])
def test_a_json_file_opening_with_another_key_is_still_refused_as_the_change_json(tmp_path, text):
    env = make_env(tmp_path)
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    (ws / "ontosync-changes.json").write_text(text, encoding="utf-8")
    cli = FakeCli(sample_report(failed=0))
    code, log = run_action(env, cli)
    assert code == 2 and cli.argv is None, log
    assert (ws / "ontosync-changes.json").read_text(encoding="utf-8") == text


LFS_POINTER = ("version https://git-lfs.github.com/spec/v1\n"
               "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n")


def test_a_database_kept_in_git_lfs_is_replaced_by_the_restored_artifact(tmp_path):
    """`database: ontology.db` tracked in Git LFS, checked out without it (actions/checkout's default
    `lfs: false`): the file is its pointer, and `restore-artifact` refused it as "a file no ontosync
    run wrote", where before the artifact's database replaced it. A pointer is replaced."""
    old = tmp_path / "old.db"
    write_classes(tmp_path / "src", "A")
    assert cli_main(["sync", str(tmp_path / "src"), "--db", str(old), "--quiet"]) == 0
    env = make_env(tmp_path, restore_artifact="ontology-db")
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    (ws / "ontology.db").write_text(LFS_POINTER, encoding="utf-8")
    code, log = restored_push(env, old)
    assert code == 0, log
    assert (ws / "ontology.db").read_bytes()[:16] == b"SQLite format 3\x00"


@pytest.mark.parametrize("answer", [{"number": 7}, {"number": 7, "head": None}, {"number": 7, "head": {"sha": 5}}])
def test_a_pull_request_answer_without_a_head_commit_still_updates_the_comment(github, answer):
    """The pull request's head cannot be told from GitHub's answer (a proxy's, an odd server's): the
    comment is updated as it was before the head was asked, not dropped with a warning."""
    def odd(handler, segments, query):
        if segments[-2:] == ["pulls", "7"]:
            handler._send(200, answer)
            return 200
        return None

    github.add_comment(7, f"{MARK}\nearlier", login="github-actions[bot]", user_type="Bot")
    github.answer_hook = odd
    done, log = post(github, f"{MARK}\nours")
    assert done, log
    assert [c["body"] for c in github.pr_comments(7)] == [f"{MARK}\nours"]


def test_a_rate_limit_on_asking_the_pull_request_s_head_is_waited_out_not_taken_for_no_answer(github):
    """GitHub's primary rate limit (403, no requests left) on the ask for the pull request's head was
    taken as "cannot be told", and the run of the older push wrote its figures over the newer push's.
    It is waited out (it resets within the step's wait), and the head then asked again."""
    github.add_comment(7, f"{MARK}\npush 2's", login="github-actions[bot]", user_type="Bot")
    github.pull_heads[7] = NEWER
    github.queue_primary_rate_limit(reset_in=1, after=2)  # the listing, `GET /user`, then the pull request
    done, log = post(github, f"{MARK}\npush 1's")
    assert done, log
    assert [c["body"] for c in github.pr_comments(7)] == [f"{MARK}\npush 2's"]
    assert [e[3] for e in github.log if e[2] == "/repos/acme/onto/pulls/7"][:1] == [403], github.log


def test_another_program_s_sqlite_database_is_refused_before_an_artifact_replaces_it(tmp_path):
    """`database` naming the checkout's own SQLite file of another program (`app.db`, a notes table):
    any SQLite file passed for an earlier run's database, so `restore-artifact` copied the artifact
    over it (a pull request's run removed it), where the sync itself refuses such a file, nothing
    changed. Refused first, naming the input; an earlier run's database is still replaced."""
    import sqlite3

    old = tmp_path / "old.db"
    write_classes(tmp_path / "src", "A")
    assert cli_main(["sync", str(tmp_path / "src"), "--db", str(old), "--quiet"]) == 0
    env = make_env(tmp_path, database="app.db", restore_artifact="ontology-db")
    ws = Path(env["GITHUB_WORKSPACE"])
    write_classes(ws, "A")
    conn = sqlite3.connect(ws / "app.db")
    conn.execute("CREATE TABLE notes (x TEXT)")
    conn.commit()
    conn.close()
    kept = (ws / "app.db").read_bytes()
    code, log = restored_push(env, old, "app.db")
    assert code == 2, log
    errors = [line for line in log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "input 'database': app.db is a file no ontosync run wrote" in errors[0], log
    assert (ws / "app.db").read_bytes() == kept
    env = make_env(tmp_path, database="app.db", restore_artifact="ontology-db")
    (ws / "app.db").write_bytes(old.read_bytes())  # an earlier run's: replaced
    assert restored_push(env, old, "app.db")[0] == 0


def test_a_server_error_on_withdrawing_our_new_comment_is_tried_again_not_left_as_a_note(github):
    """A 5xx on the DELETE of the comment this run posted (a concurrent job's older one kept) was
    taken as "may not be deleted": ours was rewritten as a "Superseded" note and left on the pull
    request. Only a refusal leaves a note; a server error is tried again, and the comment withdrawn."""
    def concurrent(method, segments):
        if method == "POST" and not github.pr_comments(7):
            github.add_comment(7, f"{MARK}\nthe other job's", login="github-actions[bot]", user_type="Bot")
        if method == "DELETE" and not concurrent.done:
            concurrent.done = True
            return 502
        return None

    assert one_comment_of_ours_after(github, concurrent) == [(1001, f"{MARK}\nours")]


def one_comment_of_ours_after(github: FakeGitHub, hook) -> list[tuple[int, str]]:
    """Our comment posted, GitHub's writes going through `hook` (it sets `hook.done` when it has
    done its part); the comments left on the pull request."""
    hook.done = False
    github.write_hook = hook
    done, log = post(github, f"{MARK}\nours")
    assert done and hook.done, log
    return [(c["id"], c["body"]) for c in github.pr_comments(7)]


def test_a_comment_github_stored_despite_a_5xx_is_withdrawn_when_a_concurrent_job_s_is_kept(github):
    """The POST of our comment answered 502 though GitHub stored it, a concurrent job's older comment
    there: the retry kept the older one and rewrote ours as a "Superseded" note, left on the pull
    request. A comment of ours holding this run's very text is this run's: withdrawn."""
    def stored_then_502(method, segments):
        if method == "POST" and not stored_then_502.done:
            stored_then_502.done = True
            github.add_comment(7, f"{MARK}\nthe other job's", login="github-actions[bot]", user_type="Bot")
            github.add_comment(7, f"{MARK}\nours", login="github-actions[bot]", user_type="Bot")
            return 502
        return None

    assert one_comment_of_ours_after(github, stored_then_502) == [(1001, f"{MARK}\nours")]


def test_a_run_of_an_outdated_head_posts_no_first_comment(github):
    """Push 1 changed the ontology, push 2 took the change back: push 2's run, done first, had nothing
    to say and posted nothing; push 1's run, done later, posted its figures, which no run updates
    until the next push. A run whose head is no longer the pull request's posts no comment."""
    github.pull_heads[7] = NEWER
    done, log = post(github, f"{MARK}\npush 1's")
    assert done, log
    assert github.pr_comments(7) == [] and NEWER[:12] in log, log


def test_the_step_line_of_a_stopped_sync_does_not_claim_its_checkpoint_is_saved(tmp_path):
    """The line after the sync ("sync finished in ... s: exit 130 (...)") said "the checkpoint is saved
    for the next run" right under the sync's own "the checkpoint is not saved" (its folder read-only):
    fixed words, printed before the report was read. Exit 1 (GitHub stopped the run) alike."""
    from tests.test_action import make_env

    warning = {"path": "/tmp/c.json", "kind": "checkpoint", "message": "not saved: Permission denied", "line": None}
    for code, last in ((130, "interrupted: every counted file is committed, but the checkpoint is not saved"),
                       (1, "GitHub API kept failing; the files read so far are committed, but the checkpoint is "
                           "not saved (its warning says why): run again later to go on")):
        report = sample_report(failed=0, warnings=[warning])
        said = run_action(make_env(tmp_path / str(code)), FakeCli(report, code=code, stderr=last))[1]
        step = [line for line in said.splitlines() if line.startswith("sync finished in")]
        assert len(step) == 1, said
        assert step[0].endswith(": the sync's last line says whether the checkpoint is saved)"), step
        assert "checkpoint is saved for" not in said, said
