"""The Action's image, built and run as GitHub's runner runs a Docker action.

The runner mounts the checkout at /github/workspace, sets --workdir to it, passes every input as
INPUT_<NAME> (hyphens kept) with action.yml's defaults filled in, and points GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY at files it reads afterwards. These tests do the same with the docker SDK,
then check the outputs against the database (queried on the host), the job summary, the
annotations in the container's stdout, and the database's integrity.

Marked `docker`: skipped when no engine answers, unless ONTOSYNC_REQUIRE_DOCKER=1 (then they fail).
The image is ONTOSYNC_IMAGE when given (as .ci/docker.sh does), else built here from the project
root with --build-arg BASE_IMAGE=$ONTOSYNC_BASE_IMAGE (the engine has no network: the build needs
wheels/ in the project root, see .ci/docker.sh). Corpus tests skip without ../shared/corpora.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

try:
    from tests.fake_artifacts import FakeArtifactServer
except ImportError:  # tests/ is not a package: pytest put this folder on sys.path
    from fake_artifacts import FakeArtifactServer

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[1]
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
PAGES = CORPORA / "visionflow-pages"
EXAMPLE = ROOT / "examples" / "ontology"
WORKSPACE = "/github/workspace"
TOKEN = "ghs_DockerTestToken0123456789abcdef"
REPO = "acme/ontology"
RUNNER_UID = 1001  # the runner user's id on GitHub-hosted runners
OUTPUT_NAMES = ("database", "checkpoint", "report", "files-total", "files-ok", "files-failed",
                "files-unchanged", "classes", "properties", "axioms", "error-rate", "files-per-second",
                "classes-added", "classes-removed", "classes-changed", "changes")


# --- engine and image ----------------------------------------------------------------------------

def _unavailable(reason: str):
    if os.environ.get("ONTOSYNC_REQUIRE_DOCKER") == "1":
        pytest.fail(f"ONTOSYNC_REQUIRE_DOCKER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def client():
    try:
        import docker
    except ImportError:
        _unavailable("the docker SDK is not installed")
    try:
        c = docker.from_env(timeout=900)
        c.ping()
    except Exception as exc:  # no socket, no permission, engine down
        _unavailable(f"no Docker engine answers ({type(exc).__name__}: {exc})")
    yield c
    c.close()


@pytest.fixture(scope="module")
def image(client) -> str:
    import docker

    name = os.environ.get("ONTOSYNC_IMAGE")
    if name:
        try:
            client.images.get(name)
            return name
        except docker.errors.ImageNotFound:
            pytest.fail(f"ONTOSYNC_IMAGE={name} is not in the engine")
    base = os.environ.get("ONTOSYNC_BASE_IMAGE")
    if not base:
        try:
            client.images.get("ontosync-base:local")
            base = "ontosync-base:local"
        except docker.errors.ImageNotFound:
            base = "python:3.12-slim"
    try:
        client.images.build(path=str(ROOT), tag="ontosync:test", buildargs={"BASE_IMAGE": base},
                            network_mode="none", rm=True, forcerm=True)
    except docker.errors.BuildError as exc:
        log = "".join(chunk.get("stream", "") or chunk.get("error", "") for chunk in exc.build_log)
        pytest.fail(f"docker build failed (base {base}; offline builds need wheels/):\n{log[-3000:]}")
    return "ontosync:test"


# --- running the Action like the runner ----------------------------------------------------------

def action_defaults() -> dict[str, str]:
    spec = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    env = {}
    for name, meta in spec["inputs"].items():
        value = str(meta.get("default", ""))
        env[f"INPUT_{name.upper()}"] = TOKEN if "github.token" in value else value
    return env


def parse_outputs(text: str) -> dict[str, str]:
    out, lines, i = {}, text.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            j = lines.index(delim, i + 1)
            out[name] = "\n".join(lines[i + 1:j])
            i = j + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    workspace: Path


def run_action(client, image: str, workspace: Path, inputs: dict[str, str] | None = None,
               env: dict[str, str] | None = None, network: str = "none") -> Run:
    commands = workspace / "_runner_file_commands"
    commands.mkdir(exist_ok=True)
    run_id = uuid.uuid4().hex
    output_file, summary_file = commands / f"set_output_{run_id}", commands / f"step_summary_{run_id}"
    output_file.touch()
    summary_file.touch()
    environment = action_defaults()
    for name, value in (inputs or {}).items():
        environment[f"INPUT_{name.upper()}"] = value
    environment.update({
        "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": WORKSPACE,
        "GITHUB_OUTPUT": f"{WORKSPACE}/_runner_file_commands/{output_file.name}",
        "GITHUB_STEP_SUMMARY": f"{WORKSPACE}/_runner_file_commands/{summary_file.name}",
        "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": "https://api.github.com", "GITHUB_SHA": "0" * 40,
    })
    environment.update(env or {})
    container = client.containers.run(
        image, detach=True, network_mode=network, working_dir=WORKSPACE, environment=environment,
        volumes={str(workspace): {"bind": WORKSPACE, "mode": "rw"}},
    )
    try:
        status = container.wait(timeout=900)
        stdout = container.logs(stdout=True, stderr=False).decode("utf-8", "replace")
        stderr = container.logs(stdout=False, stderr=True).decode("utf-8", "replace")
    finally:
        container.remove(force=True)
    return Run(status["StatusCode"], stdout, stderr, parse_outputs(output_file.read_text(encoding="utf-8")),
               summary_file.read_text(encoding="utf-8"), workspace)


def as_runner_user(workspace: Path) -> bool:
    """Give the workspace to the runner's uid, as a checkout on a hosted runner is (root only)."""
    if os.geteuid() != 0:
        return False
    for dirpath, _dirs, files in os.walk(workspace):
        os.chown(dirpath, RUNNER_UID, RUNNER_UID)
        for f in files:
            os.chown(os.path.join(dirpath, f), RUNNER_UID, RUNNER_UID)
    return True


BROKEN = {
    # path: (bytes, line of the error)
    "pages/Broken Encoding.md": (b"- title:: Broken Encoding\n- caf\xe9 \xff\xfe not UTF-8\n", 2),
    "pages/Bad: name, 100%.md": (b"title:: Bad name\n\n- ok line\n- \xc3\x28 bad byte\n", 4),
    "ontology/broken.ttl": (b"@prefix ex: <http://example.org/> .\nex:A a ex:Thing ;\n  ex:p \"unterminated .\n", 3),
}


def seed_broken(workspace: Path) -> None:
    for rel, (data, _line) in BROKEN.items():
        path = workspace / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def db_counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "files-total": one("SELECT count(*) FROM source_files"),
            "files-ok": one("SELECT count(*) FROM source_files WHERE status = 'ok'"),
            "files-failed": one("SELECT count(*) FROM source_files WHERE status = 'failed'"),
            "classes": one("SELECT count(*) FROM owl_classes WHERE source_file IS NOT NULL"),
            "properties": one("SELECT count(*) FROM owl_properties"),
            "axioms": one("SELECT count(*) FROM owl_axioms"),
        }
    finally:
        conn.close()


def assert_db_is_sound(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    from ontosync.cli import main as cli_main

    assert cli_main(["verify", "--db", str(db)]) == 0


def error_annotations(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("::error ")]


def example_workspace(tmp_path: Path, name: str = "workspace") -> Path:
    if not EXAMPLE.is_dir():
        pytest.skip(f"{EXAMPLE} is missing")
    ws = tmp_path / name
    shutil.copytree(EXAMPLE, ws)
    return ws


# --- the shared corpus, seeded with broken files -------------------------------------------------

@pytest.fixture(scope="module")
def corpus_run(client, image, tmp_path_factory) -> Run:
    if not PAGES.is_dir():
        pytest.skip(f"shared corpus not found at {PAGES}")
    ws = tmp_path_factory.mktemp("runner") / "workspace"
    shutil.copytree(PAGES, ws / "pages")
    seed_broken(ws)
    as_runner_user(ws)
    return run_action(client, image, ws)


@pytest.mark.corpus
def test_corpus_run_exits_like_the_sync(corpus_run):
    assert corpus_run.code == 0, corpus_run.stdout[-3000:] + corpus_run.stderr[-3000:]


@pytest.mark.corpus
def test_every_output_equals_the_database(corpus_run):
    outputs = corpus_run.outputs
    assert set(outputs) == set(OUTPUT_NAMES)
    assert all(outputs[name] != "" for name in OUTPUT_NAMES), outputs
    ws = corpus_run.workspace
    assert outputs["database"] == "ontology.db" and (ws / outputs["database"]).is_file()
    assert (ws / outputs["checkpoint"]).is_file() and (ws / outputs["report"]).is_file()
    counts = db_counts(ws / outputs["database"])
    for name, value in counts.items():
        assert int(outputs[name]) == value, (name, outputs[name], value)
    assert counts["files-failed"] == len(BROKEN)
    assert counts["files-ok"] > 1000 and counts["classes"] > 1000
    assert outputs["files-unchanged"] == "0"
    rate = counts["files-failed"] / (counts["files-ok"] + counts["files-failed"])
    assert float(outputs["error-rate"]) == pytest.approx(rate, abs=1e-4)
    assert float(outputs["files-per-second"]) > 0
    report = json.loads((ws / outputs["report"]).read_text(encoding="utf-8"))
    assert report["files"]["failed"] == len(BROKEN)


@pytest.mark.corpus
def test_job_summary_has_the_tables(corpus_run):
    summary, o = corpus_run.summary, corpus_run.outputs
    report = json.loads((corpus_run.workspace / o["report"]).read_text(encoding="utf-8"))
    f, e = report["files"], report["entities"]
    assert "| total | ok | failed | skipped | unchanged | deleted |" in summary
    row = " | ".join(str(f[k]) for k in ("total", "ok", "failed", "skipped", "unchanged", "deleted"))
    assert f"| {row} |" in summary
    assert "| classes | properties | axioms | hierarchy edges |" in summary
    assert f"| {e['classes']} | {e['properties']} | {e['axioms']} | {e['hierarchy_edges']} |" in summary
    assert "### Throughput" in summary and "files/s" in summary
    kinds = Counter(err["kind"] for err in report["errors"])
    assert sum(kinds.values()) == len(BROKEN)
    assert "### Errors by kind" in summary
    for kind, n in kinds.items():
        assert f"| {kind} | {n} |" in summary
    assert "### Slowest files" in summary
    assert "### Failed files (3)" in summary and "<code>ontology/broken.ttl</code>" in summary
    assert "```mermaid" in summary and "xychart-beta" in summary


@pytest.mark.corpus
def test_annotations_for_the_seeded_broken_files(corpus_run):
    errors = error_annotations(corpus_run.stdout)
    assert len(errors) == len(BROKEN), errors
    assert any(a.startswith("::error file=pages/Broken Encoding.md,line=2,") for a in errors), errors
    assert any(a.startswith("::error file=ontology/broken.ttl,line=3,") for a in errors), errors
    # `:` `,` `%` in a property are escaped, so the runner reads the whole file name
    assert any(a.startswith("::error file=pages/Bad%3A name%2C 100%25.md,line=4,") for a in errors), errors


@pytest.mark.corpus
def test_database_passes_verify_on_the_host(corpus_run):
    assert_db_is_sound(corpus_run.workspace / corpus_run.outputs["database"])


@pytest.mark.corpus
def test_log_is_grouped_and_the_token_never_shown(corpus_run):
    out = corpus_run.stdout + corpus_run.stderr
    assert corpus_run.stdout.splitlines()[0] == f"::add-mask::{TOKEN}"
    assert out.count(TOKEN) == 1
    assert TOKEN not in corpus_run.summary and TOKEN not in json.dumps(corpus_run.outputs)
    assert "::group::ontosync: sync" in corpus_run.stdout and "::endgroup::" in corpus_run.stdout
    assert re.search(r"^::stop-commands::\w+$", corpus_run.stdout, re.M)


@pytest.mark.corpus
def test_files_are_handed_to_the_runner_user(corpus_run):
    if os.geteuid() != 0:
        pytest.skip("needs root to give the workspace to another uid")
    o = corpus_run.outputs
    for rel in (o["database"], o["checkpoint"], o["report"]):
        st = (corpus_run.workspace / rel).stat()
        assert (st.st_uid, st.st_gid) == (RUNNER_UID, RUNNER_UID), rel
        assert st.st_mode & 0o044 == 0o044, (rel, oct(st.st_mode))


@pytest.mark.corpus
def test_second_run_is_incremental(client, image, corpus_run):
    again = run_action(client, image, corpus_run.workspace)
    assert again.code == 0, again.stdout[-3000:]
    first = corpus_run.outputs
    assert int(again.outputs["files-unchanged"]) >= int(first["files-ok"])
    counts = db_counts(corpus_run.workspace / again.outputs["database"])
    for name in ("classes", "properties", "axioms"):
        assert int(again.outputs[name]) == counts[name] == int(first[name])


@pytest.mark.corpus
def test_cancelled_run_saves_its_checkpoint_and_the_next_resumes(client, image, tmp_path):
    """`docker stop` (what a cancelled job does) interrupts the sync like Ctrl-C: exit 130 at once,
    the checkpoint written; the next run on the same workspace resumes from it."""
    if not PAGES.is_dir():
        pytest.skip(f"shared corpus not found at {PAGES}")
    ws = tmp_path / "workspace"
    shutil.copytree(PAGES, ws / "pages")
    environment = {**action_defaults(), "GITHUB_WORKSPACE": WORKSPACE, "INPUT_WORKERS": "1"}
    container = client.containers.run(image, detach=True, network_mode="none", working_dir=WORKSPACE,
                                      environment=environment,
                                      volumes={str(ws): {"bind": WORKSPACE, "mode": "rw"}})
    try:
        deadline = time.monotonic() + 60
        checkpoint = ws / "ontology.db.checkpoint.json"
        while not checkpoint.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        started = time.monotonic()
        container.stop(timeout=20)
        stop_s = time.monotonic() - started
        code = container.wait(timeout=60)["StatusCode"]
        log = container.logs().decode("utf-8", "replace")
    finally:
        container.remove(force=True)
    if code == 0:
        pytest.skip("the run finished before it could be cancelled")
    assert code == 130, log[-2000:]
    assert stop_s < 15, "SIGTERM must stop the sync, not wait for docker's SIGKILL"
    assert json.loads(checkpoint.read_text(encoding="utf-8"))["finished"] is False
    again = run_action(client, image, ws)
    assert again.code == 0, again.stdout[-2000:]
    report = json.loads((ws / again.outputs["report"]).read_text(encoding="utf-8"))
    assert report["resumed"] is True
    assert_db_is_sound(ws / "ontology.db")


# --- small workspaces (the bundled example), no corpus needed ------------------------------------

def test_error_rate_over_the_threshold_fails_the_step(client, image, tmp_path):
    ws = example_workspace(tmp_path)
    for i in range(12):
        (ws / "pages").mkdir(exist_ok=True)
        (ws / "pages" / f"Broken {i:02d}.md").write_bytes(b"- title:: x\n- \xff\xfe\n")
    run = run_action(client, image, ws)
    assert run.code == 1, run.stdout[-2000:]
    errors = [a for a in error_annotations(run.stdout) if a.startswith("::error file=")]
    assert len(errors) == 10
    warnings = [line for line in run.stdout.splitlines() if line.startswith("::warning ")]
    assert any("2 more files failed" in w for w in warnings), warnings
    assert set(run.outputs) == set(OUTPUT_NAMES) and run.outputs["files-failed"] == "12"
    assert db_counts(ws / "ontology.db")["files-failed"] == 12
    assert "error rate over the threshold" in run.summary and "### Failed files (12)" in run.summary
    assert_db_is_sound(ws / "ontology.db")


def test_bad_input_is_exit_2_with_an_annotation(client, image, tmp_path):
    ws = example_workspace(tmp_path)
    run = run_action(client, image, ws, inputs={"workers": "lots"})
    assert run.code == 2
    assert "::error title=ontosync%3A bad input::input 'workers' must be a whole number" in run.stdout
    assert set(run.outputs) == set(OUTPUT_NAMES)


def test_restore_artifact_starts_from_the_previous_database(client, image, tmp_path):
    first = run_action(client, image, example_workspace(tmp_path, "first"))
    assert first.code == 0, first.stdout[-2000:]
    ok = int(first.outputs["files-ok"])
    assert ok > 0
    members = {name: (first.workspace / name).read_bytes()
               for name in ("ontology.db", "ontology.db.checkpoint.json", "ontosync-report.json")}
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", members, age_hours=2)
        fake.add(REPO, "ontology-db", {"ontology.db": b"expired"}, age_hours=1, expired=True)
        ws = example_workspace(tmp_path, "second")
        run = run_action(client, image, ws, inputs={"restore-artifact": "ontology-db"},
                         env={"GITHUB_API_URL": fake.api_url}, network="host")
        assert fake.requests["storage"] == 1
    assert run.code == 0, run.stdout[-3000:]
    assert "::notice::started from artifact 'ontology-db'" in run.stdout
    # every file of the first run (ok or skipped) is known by its blob hash: nothing is parsed again
    assert int(run.outputs["files-unchanged"]) == int(first.outputs["files-total"]) >= ok
    assert run.outputs["files-ok"] == "0"
    assert run.outputs["classes"] == first.outputs["classes"]
    assert (run.stdout + run.stderr).count(TOKEN) == 1
    assert_db_is_sound(ws / "ontology.db")


def test_restore_artifact_with_none_yet_is_a_full_sync(client, image, tmp_path):
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add_repo(REPO)
        ws = example_workspace(tmp_path)
        run = run_action(client, image, ws, inputs={"restore-artifact": "ontology-db"},
                         env={"GITHUB_API_URL": fake.api_url}, network="host")
    assert run.code == 0, run.stdout[-3000:]
    assert "::notice::no artifact named 'ontology-db' in acme/ontology yet" in run.stdout
    assert not error_annotations(run.stdout)
    assert int(run.outputs["files-ok"]) > 0 and run.outputs["files-unchanged"] == "0"
