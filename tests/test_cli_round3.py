"""The command line, the Action's output paths and its configuration files, round 3 (h33).

Flags are spelled in full (an abbreviation that works today means another option, or nothing,
once an option is added); a flag that takes one value is given once; a symbolic link planted as a
folder on the way to one of the Action's outputs is not followed out of the workspace; a
`.ontosync.yml` in the synced tree (a pull request can change it) reads nothing outside the root.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import cli

TREE = {"a.ttl": "@prefix : <http://example.org/> .\n:A a <http://www.w3.org/2002/07/owl#Class> .\n"}


def small_tree(root: Path, files: dict[str, str] = TREE) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


# -- 1. abbreviations and repeated flags ----------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("sync", "SRC", "--db", "DB", "--worker", "2"),  # --workers
    ("sync", "SRC", "--db", "DB", "--qui"),  # --quiet
    ("sync", "SRC", "--d", "DB"),  # --db
    ("status", "--db", "DB", "--js"),  # --json
    ("search", "A", "--db", "DB", "--lim", "3"),  # --limit
    ("--vers",),  # --version
])
def test_an_abbreviated_flag_is_a_usage_error(tmp_path, args):
    src = small_tree(tmp_path / "src")
    db = tmp_path / "o.db"
    words = [str(src) if a == "SRC" else str(db) if a == "DB" else a for a in args]
    proc = cli(*words)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert ("unrecognized arguments: " + words[-1 if words[-1].startswith("--") else -2]) in proc.stderr \
        or args == ("--vers",)
    assert "ontosync 0" not in proc.stdout  # --vers is not --version
    assert not db.exists()  # nothing ran


def test_a_flag_given_twice_is_a_usage_error(tmp_path):
    src = small_tree(tmp_path / "src")
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    proc = cli("sync", str(src), "--db", str(first), "--db", str(second), "--quiet")
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip()
    assert len(line.splitlines()) == 1 and "--db" in line and "twice" in line, line
    assert not first.exists() and not second.exists()


def test_repeatable_flags_and_switches_may_repeat(tmp_path):
    src = small_tree(tmp_path / "src", {**TREE, "b.ttl": TREE["a.ttl"].replace(":A", ":B")})
    db = tmp_path / "o.db"
    proc = cli("sync", str(src), "--db", str(db), "--include", "a.ttl", "--include", "b.ttl",
               "--quiet", "--quiet")
    assert proc.returncode == 0, proc.stderr
    from tests.helpers import q
    assert sorted(r[0] for r in q(db, "SELECT path FROM source_files")) == ["a.ttl", "b.ttl"]


def test_action_inputs_that_start_with_a_dash_reach_the_sync(tmp_path):
    """The Action handed `exclude: -drafts/**` to the sync as `--exclude -drafts/**`, which argparse
    reads as two flags ("expected one argument", exit 2): each value now travels as `--flag=value`."""
    from ontosync.action.inputs import read_inputs
    from ontosync.cli import build_parser
    from tests.test_action import make_env

    env = make_env(tmp_path, exclude="-drafts/**, old/**", include="-a.ttl", ontology_id="-x", path="-pages",
                   workers="2", config="-c.yml")
    args = build_parser().parse_args(read_inputs(env).sync_argv())
    assert (args.exclude, args.include, args.ontology_id, args.path, args.workers) == \
        (["-drafts/**", "old/**"], ["-a.ttl"], "-x", "-pages", 2)
    assert args.config == str(tmp_path / "workspace" / "-c.yml")


@pytest.mark.parametrize("flag", ["--report", "--checkpoint", "--config", "--path", "--api-url"])
def test_a_blank_value_is_a_usage_error(tmp_path, flag):
    """`--report "$REPORT"` with the variable unset ran with no report, `--config ""` with the tree's
    own file, `--path ""` over the whole source, all silently (exit 0); a blank `--db` was refused
    already. Now each is a usage error."""
    src = small_tree(tmp_path / "src")
    proc = cli("sync", str(src), "--db", str(tmp_path / "o.db"), "--quiet", flag, " ")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == f"ontosync: error: {flag} must not be empty"
    assert not (tmp_path / "o.db").exists()


# -- 2. a link planted as a folder on the way to an Action output ---------------------------------

def test_the_action_does_not_write_through_a_linked_folder(tmp_path, capsys):
    """`database: build/x.db`, `report: out/r.json`, with `build` and `out` links committed in the
    checkout to folders outside the workspace: the Action wrote the database, its sidecars, the
    checkpoint and the reports there (and chowned them). Now the links go, as links at the paths
    themselves do, and the files land in real folders of the workspace."""
    from ontosync.action import run as action_run
    from ontosync.cli import main as cli_main
    from tests.test_action import make_env

    env = make_env(tmp_path, database="build/x.db", report="out/deep/r.json")
    ws, outside = Path(env["GITHUB_WORKSPACE"]), tmp_path / "outside"
    outside.mkdir()
    small_tree(ws)
    (ws / "build").symlink_to(outside)
    (ws / "out").symlink_to("../outside")
    code = action_run.main(env, cli_main=cli_main)
    log = capsys.readouterr().out
    assert code == 0, log
    assert list(outside.iterdir()) == []
    for folder in ("build", "out"):
        assert (ws / folder).is_dir() and not (ws / folder).is_symlink()
        assert f"{folder} was a symbolic link" in log, log
    assert (ws / "build" / "x.db").is_file() and (ws / "out" / "deep" / "r.json").is_file()


# -- 3. configuration files a pull request can change -----------------------------------------------

JSONLD = '{"@context": "http://ctx.example/c", "@id": "http://example.org/x", "name": "X"}\n'


def _outside_context(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.json"
    secret.write_text('{"@context": {"name": "http://leaked.example/name"}}\n')
    return secret


@pytest.mark.parametrize("how", ["absolute", "dotdot", "linked-file", "linked-folder"])
def test_the_trees_own_config_reads_no_context_outside_the_root(tmp_path, how):
    """Held: `.ontosync.yml` in the synced tree cannot name a JSON-LD context outside the root."""
    secret = _outside_context(tmp_path)
    src = small_tree(tmp_path / "src", {"x.jsonld": JSONLD})
    names = {"absolute": str(secret), "dotdot": "../secret.json", "linked-file": "ctx.json",
             "linked-folder": "ctx/secret.json"}
    (src / "ctx.json").symlink_to(secret)
    (src / "ctx").symlink_to(tmp_path)
    (src / ".ontosync.yml").write_text(f"jsonld-contexts:\n  http://ctx.example/c: {names[how]}\n")
    proc = cli("sync", str(src), "--db", str(tmp_path / "o.db"), "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert ".ontosync.yml: jsonld-contexts file for http://ctx.example/c must be inside the source root" \
        in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_a_config_file_in_the_checkout_is_held_to_the_same_rules(tmp_path):
    """`--config ci/ontosync.yml` (or the Action's `config: ci/ontosync.yml`) names a file of the
    checkout, which a pull request changes as easily as `.ontosync.yml`: its `jsonld-contexts:`
    read a file outside the root into the database (and the uploaded artifact)."""
    from tests.helpers import q

    secret = _outside_context(tmp_path)
    src = small_tree(tmp_path / "src", {"x.jsonld": JSONLD})
    (src / "ci").mkdir()
    (src / "ci" / "ontosync.yml").write_text(f"jsonld-contexts:\n  http://ctx.example/c: {secret}\n")
    db = tmp_path / "o.db"
    proc = cli("sync", str(src), "--db", str(db), "--config", str(src / "ci" / "ontosync.yml"), "--quiet")
    leaked = q(db, "SELECT count(*) FROM statements WHERE predicate LIKE '%leaked%'") if db.exists() else None
    assert proc.returncode == 2, (proc.stderr, leaked)
    assert "ci/ontosync.yml: jsonld-contexts file for http://ctx.example/c must be inside the source root" \
        in proc.stderr, proc.stderr
    # the same file outside the checkout is the user's own: read
    (tmp_path / "mine.yml").write_text((src / "ci" / "ontosync.yml").read_text())
    proc = cli("sync", str(src), "--db", str(db), "--config", str(tmp_path / "mine.yml"), "--quiet")
    assert proc.returncode == 0, proc.stderr


def test_the_trees_own_config_names_no_postgresql_server(tmp_path):
    """`db: postgresql://...` in the tree's `.ontosync.yml`: ontosync connected where a pull request
    said, with $PGPASSWORD and whatever files the URL's `passfile=`/`sslkey=` named. README: the
    file's `db` is a relative path; a server is named by --db or $ONTOSYNC_DATABASE_URL."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    src = small_tree(tmp_path / "src")
    (src / ".ontosync.yml").write_text(f"db: postgresql://u@127.0.0.1:{port}/x?connect_timeout=1\n")
    try:
        proc = cli("sync", str(src), "--quiet", cwd=tmp_path, env={"PGPASSWORD": "h33-secret"})
        with pytest.raises(TimeoutError):
            listener.accept()[0].close()  # nothing connected
    finally:
        listener.close()
    assert proc.returncode == 2, proc.stderr
    assert ".ontosync.yml: 'db' must be a relative path" in proc.stderr, proc.stderr


# -- checkpoint and resume, round 2 ---------------------------------------------------------------

THREE = {f"f{i}.ttl": TREE["a.ttl"].replace(":A", f":C{i}") for i in range(3)}


def _synced(tmp_path: Path) -> tuple[Path, Path]:
    src = small_tree(tmp_path / "src", THREE)
    db = tmp_path / "o.db"
    assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    return src, db


def _checkpoint(src: Path, **fields) -> str:
    import json

    base = {"source": str(src), "revision": None, "started_at": "2000-01-01T00:00:00.000+00:00",
            "last_checkpoint_at": "2000-01-01T00:00:00.000+00:00", "total_files": 3, "processed": 1,
            "failed": [], "finished": False, "version": 1}
    return json.dumps({**base, **fields})


@pytest.mark.parametrize("fields", [
    {"started_at": 5}, {"started_at": "0"}, {"failed": 7}, {"processed": "1"},
    {"version": 2},  # a newer ontosync's: its meaning unknown
])
def test_a_checkpoint_of_wrong_types_or_a_newer_version_is_not_resumed(tmp_path, fields):
    """A checkpoint is resumed only when every field has its type (and `started_at` is a time) and
    this ontosync wrote its version: `started_at: 5` was a traceback at the first unchanged file,
    `"0"` (or a newer version's) skipped every file of a --full run as done. Not resumed, the run
    is an ordinary one: every file of the --full run reparsed."""
    import json

    src, db = _synced(tmp_path)
    ckpt = db.with_name(db.name + ".checkpoint.json")
    ckpt.write_text(_checkpoint(src, **fields))
    report = tmp_path / "r.json"
    proc = cli("sync", str(src), "--db", str(db), "--quiet", "--full", "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(report.read_text())
    assert (data["resumed"], data["files"]["ok"], data["files"]["unchanged"]) == (False, 3, 0)
    status = cli("status", "--db", str(db), "--json")  # read by status too: len(7) was a traceback
    assert status.returncode == 0 and json.loads(status.stdout)["checkpoint"]["finished"] is True


def test_a_sound_checkpoint_is_resumed(tmp_path):
    """Held: the same checkpoint with sound fields is resumed (the files committed since it started
    count as done)."""
    import json

    src, db = _synced(tmp_path)
    db.with_name(db.name + ".checkpoint.json").write_text(_checkpoint(src))
    report = tmp_path / "r.json"
    assert cli("sync", str(src), "--db", str(db), "--quiet", "--full", "--report", str(report)).returncode == 0
    data = json.loads(report.read_text())
    assert (data["resumed"], data["files"]["unchanged"]) == (True, 3)


def test_status_escapes_a_checkpoints_source(tmp_path):
    """`status` printed the checkpoint's source as it was: a terminal escape in it (a folder name, or
    a checkpoint restored from an artifact) reached the terminal."""
    _, db = _synced(tmp_path)
    db.with_name(db.name + ".checkpoint.json").write_text(_checkpoint(Path("evil\x1b]0;owned\x07\u202e")))
    proc = cli("status", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("checkpoint"))
    assert line.isprintable() and "evil\\x1b]0;owned\\x07\\u202e" in line, line


@pytest.mark.parametrize("key", ["report", "checkpoint"])
def test_the_trees_own_config_writes_nothing_into_git(tmp_path, key):
    """`report: .git/config` in the tree's `.ontosync.yml`, run from the checkout (a CI job's
    `ontosync sync`): the report replaced the clone's config (where actions/checkout keeps the job's
    token, and what the next git command reads). `.git/` is git's, never an output's."""
    src = small_tree(tmp_path / "src")
    (src / ".git").mkdir()
    (src / ".git" / "config").write_text("[core]\n")
    (src / ".ontosync.yml").write_text(f"{key}: .git/config\n")
    proc = cli("sync", ".", "--db", str(tmp_path / "o.db"), "--quiet", cwd=src)
    assert proc.returncode == 2, proc.stderr
    assert f".ontosync.yml: '{key}' must not be inside .git/" in proc.stderr, proc.stderr
    assert (src / ".git" / "config").read_text() == "[core]\n"


@pytest.mark.parametrize("flag", ["--db", "--checkpoint", "--report"])
def test_an_output_under_a_file_says_so(tmp_path, flag):
    """`--db notes.txt/x.db`: "folder notes.txt does not exist" of a file that is there."""
    src = small_tree(tmp_path / "src")
    (tmp_path / "notes.txt").write_text("x")
    paths = {"--db": tmp_path / "o.db", flag: tmp_path / "notes.txt" / "x"}
    proc = cli("sync", str(src), "--quiet", *(w for f, p in paths.items() for w in (f, str(p))))
    assert proc.returncode == 2, proc.stderr
    assert f"{tmp_path / 'notes.txt'} is not a folder" in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert not (tmp_path / "o.db").exists()


@pytest.mark.parametrize("suffix", [".lock", "-wal"])
def test_a_file_beside_the_database_planted_as_a_link_is_refused(tmp_path, suffix):
    """`ontology.db.lock -> ~/.bashrc` committed in a checkout where a CI job runs `ontosync sync .`
    (or its `.ontosync.yml` says `db: ontology.db`): the lock was opened through the link, truncated
    and overwritten with the holder's JSON. A `-wal` link SQLite refuses, but the line said only
    "unable to open database file" (exit 3). Now a link there is refused, named: one line, exit 2."""
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    src = small_tree(tmp_path / "src")
    (src / ".ontosync.yml").write_text("db: ontology.db\n")
    (src / f"ontology.db{suffix}").symlink_to(victim)
    proc = cli("sync", ".", "--quiet", cwd=src)
    assert victim.read_text() == "keep me\n"
    assert proc.returncode == 2, proc.stderr
    assert f"ontology.db{suffix}" in proc.stderr and "symbolic link" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_the_default_checkpoint_is_not_written_through_a_planted_link(tmp_path):
    """`ontology.db.checkpoint.json -> ../victim` in the checkout: the checkpoint beside the database
    (the default, which the user did not choose) replaced the link's target outside the folder. An
    explicit `--checkpoint` through a link is still the user's choice (README: outputs)."""
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    src = small_tree(tmp_path / "src")
    (src / "ontology.db.checkpoint.json").symlink_to(victim)
    proc = cli("sync", ".", "--db", "ontology.db", "--quiet", cwd=src)
    assert victim.read_text() == "keep me\n"
    assert proc.returncode == 2, proc.stderr
    assert "ontology.db.checkpoint.json (the default) is a symbolic link" in proc.stderr
    assert not (src / "ontology.db").exists()
    proc = cli("sync", ".", "--db", "ontology.db", "--checkpoint", "ontology.db.checkpoint.json", "--quiet", cwd=src)
    assert proc.returncode == 0 and victim.read_text().startswith("{"), proc.stderr


def test_a_resumed_run_retries_a_transient_failure_of_the_run_it_resumes(tmp_path):
    """A file whose worker crashed (a transient failure: retried by the next sync) during the run
    that was then interrupted: the resuming run took it for committed work and skipped it, so it
    stayed failed, counted `unchanged`, and the run passed its error-rate check."""
    import json

    from tests.helpers import q

    src = small_tree(tmp_path / "src", THREE)
    db = tmp_path / "o.db"
    proc = cli("sync", str(src), "--db", str(db), "--quiet", "--max-error-rate", "1",
               env={"ONTOSYNC_FAULT_SLOW_PARSE": "f1.ttl:crash"})
    assert proc.returncode == 0 and q(db, "SELECT status FROM source_files WHERE path = 'f1.ttl'") == [("failed",)]
    db.with_name(db.name + ".checkpoint.json").write_text(_checkpoint(src))  # as if it had been interrupted
    report = tmp_path / "r.json"
    proc = cli("sync", str(src), "--db", str(db), "--quiet", "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(report.read_text())
    assert (data["resumed"], data["files"]["ok"], data["files"]["unchanged"]) == (True, 1, 2)
    assert q(db, "SELECT status FROM source_files WHERE path = 'f1.ttl'") == [("ok",)]


def test_status_says_which_source_an_unfinished_checkpoint_resumes(tmp_path):
    """`status` said "UNFINISHED (the next sync resumes)" of any unfinished checkpoint, though only
    a sync of the checkpoint's own source resumes it (a sync of another source starts afresh)."""
    _, db = _synced(tmp_path)
    db.with_name(db.name + ".checkpoint.json").write_text(_checkpoint(Path("/elsewhere")))
    proc = cli("status", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("checkpoint"))
    assert line == "checkpoint    UNFINISHED: 1/3 processed, 0 failed; a sync of /elsewhere resumes it", line
