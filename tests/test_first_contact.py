"""First contact: what a new user meets when they try the image, the wheel and the sdist.

Each test here is a defect a first try met (issue h21), checked where it is cheap: the image's
entrypoint runs in this process where the container is not the point; the tests marked `docker`
run the image itself (tests/test_docker_action.py's engine and image fixtures: skipped without an
engine unless ONTOSYNC_REQUIRE_DOCKER=1).
"""

from __future__ import annotations

import gc
import json
import os
import runpy
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml

from ontosync import __version__
from ontosync.action import run as action_run
from ontosync.cli import main as cli_main
from tests.helpers import ROOT, cli, copy_example, q
from tests.test_action import REPO, fake, restore_env  # noqa: F401 (fake is a fixture)
from tests.test_docker_action import WORKSPACE, client, example_workspace, image  # noqa: F401 (fixtures)

ENTRYPOINT = ROOT / "entrypoint.py"


def run_entrypoint(argv: list[str], monkeypatch, workspace) -> int:
    """The image's entrypoint (`python /app/entrypoint.py ARGS`) in this process, with the
    workspace as GitHub sets it."""
    monkeypatch.setenv("GITHUB_WORKSPACE", str(workspace))
    monkeypatch.chdir(workspace)
    monkeypatch.setattr(sys, "argv", [str(ENTRYPOINT), *argv])
    monkeypatch.setattr(gc, "freeze", lambda: None)  # the CLI's exit path; this process goes on
    with pytest.raises(SystemExit) as stop:
        runpy.run_path(str(ENTRYPOINT), run_name="__main__")
    return stop.value.code


# --- the image given arguments is the CLI --------------------------------------------------------

def test_the_image_given_version_prints_it_and_syncs_nothing(monkeypatch, tmp_path, capsys):
    """`docker run IMAGE --version` (or `--help`, `status --db ...`) ran a whole sync of the
    workspace, writing a database into the user's folder, and ignored the arguments."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    code = run_entrypoint(["--version"], monkeypatch, workspace)
    assert code == 0
    assert capsys.readouterr().out == f"ontosync {__version__}\n"
    assert list(workspace.iterdir()) == []


def test_the_image_given_an_unknown_command_is_a_usage_error(monkeypatch, tmp_path, capsys):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    code = run_entrypoint(["snyc"], monkeypatch, workspace)
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown command 'snyc' (did you mean sync?)" in err and "Traceback" not in err
    assert list(workspace.iterdir()) == []


@pytest.mark.docker
def test_the_image_runs_cli_commands_on_the_mounted_folder(client, image, tmp_path):  # noqa: F811
    """The same through Docker: `--version`, then `sync` and `status --json` on the mounted folder."""
    out = client.containers.run(image, ["--version"], network_mode="none", remove=True)
    assert out.decode() == f"ontosync {__version__}\n"
    workspace = example_workspace(tmp_path)
    files = sorted(p for p in workspace.rglob("*") if p.is_file() and p.suffix in (".md", ".ttl"))
    mount = {str(workspace): {"bind": WORKSPACE, "mode": "rw"}}
    client.containers.run(image, ["sync", "--db", "cli.db", "--quiet"], network_mode="none", remove=True,
                          working_dir=WORKSPACE, volumes=mount)
    conn = sqlite3.connect(workspace / "cli.db")
    try:
        paths = sorted(row[0] for row in conn.execute("SELECT path FROM source_files"))
        classes = conn.execute("SELECT count(*) FROM owl_classes WHERE source_file IS NOT NULL").fetchone()[0]
    finally:
        conn.close()
    assert paths == [p.relative_to(workspace).as_posix() for p in files]
    status = json.loads(client.containers.run(image, ["status", "--db", "cli.db", "--json"], network_mode="none",
                                              remove=True, working_dir=WORKSPACE, volumes=mount))
    assert status["classes"] == classes > 0
    assert not (workspace / "ontology.db").exists()  # no Action run: its default database is not there


# --- the licence goes with every copy --------------------------------------------------------------

MIT_GRANT = "Permission is hereby granted, free of charge, to any person obtaining a copy"


def test_the_licence_pyproject_declares_ships_with_its_text():
    """pyproject.toml said `license = "MIT"`, but no licence text existed, so neither the wheel, the
    sdist nor the image carried one (MIT's one condition). .ci/package_contents.py checks the built
    wheel and sdist hold this file; the image test below checks the image."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and MIT_GRANT in " ".join(text.split())


@pytest.mark.docker
def test_the_image_carries_the_licence(client, image):  # noqa: F811
    out = client.containers.run(image, ["-c", "print(open('/app/LICENSE').read(), end='')"], entrypoint="python",
                                network_mode="none", remove=True)
    assert out.decode("utf-8") == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert client.images.get(image).labels["org.opencontainers.image.licenses"] == "MIT"


# --- a job that forgot its checkout ----------------------------------------------------------------

def test_an_empty_workspace_is_a_missing_checkout_not_a_deleted_ontology(tmp_path, fake, capsys):  # noqa: F811
    """A workflow without `actions/checkout` (or `docker run` without `-v`) gives the Action an empty
    workspace. It restored the last database, synced the empty folder as a tree whose files were
    all deleted (exit 0) and left the emptied database for the upload, under the artifact name that
    `restore-artifact` and `fetch-db` take as the newest. Now: exit 2 before anything is restored
    or written, with an error that names the missing step."""
    env = restore_env(tmp_path, fake)
    ws = Path(env["GITHUB_WORKSPACE"])
    shutil.rmtree(ws)
    copy_example(tmp_path, "workspace")
    assert cli("sync", str(ws), "--db", str(tmp_path / "last.db"), "--quiet").returncode == 0
    files = q(tmp_path / "last.db", "SELECT count(*) FROM source_files")[0][0]
    assert files > 0
    fake.add(REPO, "ontology-db", {"ontology.db": (tmp_path / "last.db").read_bytes()})
    shutil.rmtree(ws)
    ws.mkdir()  # the job's next run, which forgot its checkout

    code = action_run.main(env, cli_main=cli_main)
    out = capsys.readouterr().out
    assert code == 2
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1 and "actions/checkout" in errors[0], errors
    assert list(ws.iterdir()) == []  # nothing restored, nothing synced: no emptied database to upload
    assert fake.requests["storage"] == 0
    assert q(tmp_path / "last.db", "SELECT count(*) FROM source_files")[0][0] == files


@pytest.mark.docker
def test_docker_run_without_a_mount_says_so(client, image):  # noqa: F811
    """`docker run IMAGE` with no `-v`: the image's own empty /github/workspace was synced (exit 0,
    "0 files", the database gone with the container)."""
    container = client.containers.run(image, detach=True, network_mode="none")
    try:
        code = container.wait(timeout=300)["StatusCode"]
        out = container.logs(stdout=True, stderr=False).decode("utf-8", "replace")
    finally:
        container.remove(force=True)
    assert code == 2
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1 and "/github/workspace is empty" in errors[0] and "-v" in errors[0], out


# --- the docker recipe on a host whose python3 is 3.10 ---------------------------------------------

@pytest.mark.docker
def test_the_image_requirements_need_no_python_3_11_on_the_host(client, image, tmp_path):  # noqa: F811
    """The README's docker recipe (`.ci/wheels.sh`) read pyproject.toml with the host's tomllib, which
    Python 3.10 lacks, though the package supports 3.10 (Ubuntu 22.04's python3): a traceback. The
    requirements are now read by the base image's Python; a host python here fails if called."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    for name in ("python", "python3"):
        (fake_bin / name).write_text("#!/bin/sh\necho 'host python called' >&2\nexit 97\n")
        (fake_bin / name).chmod(0o755)
    base = client.images.get(image).id  # any image with Python 3.11+: the image itself will do
    env = {**os.environ, "PATH": f"{fake_bin}:{os.environ['PATH']}"}
    done = subprocess.run(["bash", str(ROOT / ".ci" / "image_requirements.sh"), base], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert done.stdout.splitlines() == project["dependencies"] + project["optional-dependencies"]["postgres"]


# --- a release is the version it says ---------------------------------------------------------------

def test_a_release_whose_tag_is_not_the_package_version_stops_before_the_image_is_pushed(capsys):
    """release.yml tagged the image X.Y.Z from the tag alone, while `ontosync --version`, the report
    and the package metadata read `__version__`: a release v1.2.0 without a bump shipped an image
    labelled 1.2.0 that calls itself 0.1.0."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    steps = [step.get("run", "") + step.get("name", "") for step in workflow["jobs"]["image"]["steps"]]
    checked = next(i for i, text in enumerate(steps) if ".ci/release_version.py" in text)
    pushed = next(i for i, text in enumerate(steps) if "docker push" in text)
    assert checked < pushed

    def check(tag: str) -> int:
        with pytest.MonkeyPatch.context() as mp, pytest.raises(SystemExit) as stop:
            mp.setattr(sys, "argv", ["release_version.py", tag])
            runpy.run_path(str(ROOT / ".ci" / "release_version.py"), run_name="__main__")
        return stop.value.code

    bumped = f"v{int(__version__.split('.')[0]) + 1}.0.0"
    assert check(f"v{__version__}") == 0
    assert check(bumped) == 1
    out = capsys.readouterr().out
    assert f"::error::release tag {bumped} is not ontosync's version v{__version__}" in out
