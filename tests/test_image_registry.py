"""The published image: pushed to a real registry, pulled by digest, and the Action run from it.

A registry (Debian's `docker-registry`, the CNCF distribution server) is started on 127.0.0.1 with
throwaway storage. The image is pushed; action.yml is pinned to the pushed digest by the release's
own script (.ci/pin_image.py); every local copy of the image is removed, so the pull is cold; the
pinned reference is pulled and the Action run from it on the bundled example, as a consumer's
`uses: OWNER/ontosync@vX` does. The cold start of pull-and-run is measured against build-and-run
(`docker build --no-cache` from the Dockerfile, as `uses: ./` does), and both are printed (no
assertion on time: the figures go in the report and docs/).

Marked `docker`: skipped when no engine answers, unless ONTOSYNC_REQUIRE_DOCKER=1; skipped without
a `docker-registry` binary unless ONTOSYNC_REQUIRE_REGISTRY=1 (.ci/docker.sh installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests import test_docker_action as dockertests
from tests.test_docker_action import (
    ROOT,
    action_defaults,
    assert_db_is_sound,
    db_counts,
    example_workspace,
    parse_outputs,
)
from tests.test_docker_action import (
    TOKEN as TOKEN_SENTINEL,
)

client = dockertests.client  # the fixtures: the engine, and the image under test
image = dockertests.image

pytestmark = pytest.mark.docker

sys.path.insert(0, str(ROOT / ".ci"))
from pin_image import pin, pinned_image  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """`host:port` of a registry on 127.0.0.1, storage in a temporary folder, stopped afterwards."""
    binary = shutil.which("docker-registry") or shutil.which("registry")
    if not binary:
        reason = "no docker-registry binary (apt-get install docker-registry)"
        if os.environ.get("ONTOSYNC_REQUIRE_REGISTRY") == "1":
            pytest.fail(f"ONTOSYNC_REQUIRE_REGISTRY=1 but {reason}")
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("registry")
    port = _free_port()
    config = {"version": 0.1, "log": {"level": "error"},
              "storage": {"filesystem": {"rootdirectory": str(work / "storage")}, "delete": {"enabled": True}},
              "http": {"addr": f"127.0.0.1:{port}"}}
    (work / "config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    log = (work / "registry.log").open("wb")
    proc = subprocess.Popen([binary, "serve", str(work / "config.yml")], stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"the registry did not answer: {(work / 'registry.log').read_text()[-2000:]}")
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def push(client, repo: str, tag: str) -> str:
    """Push repo:tag; the digest the registry answered with."""
    digest = None
    for event in client.images.push(repo, tag=tag, stream=True, decode=True):
        if "error" in event:
            pytest.fail(f"push failed: {event['error']}")
        digest = (event.get("aux") or {}).get("Digest") or digest
    assert digest and digest.startswith("sha256:"), "the registry answered no digest"
    return digest


def remove_every_copy(client, image_id: str) -> list[str]:
    """Untag and delete the image, so the next pull downloads it; the tags it had."""
    import docker

    tags = list(client.images.get(image_id).tags)
    for tag in tags:
        client.images.remove(tag)
    with pytest.raises(docker.errors.ImageNotFound):
        client.images.get(image_id)
    return tags


@dataclass
class Step:
    code: int
    log: str
    outputs: dict[str, str]
    summary: str


def run_step(workspace: Path, image_ref: str, build_args: str = "", **overrides: str) -> Step:
    """The composite Action's sync step, as the runner runs it: the runner's python3 runs
    ontosync/action/container_step.py with the inputs as JSON and the step's file commands."""
    commands = workspace.parent / f"{workspace.name}_file_commands"
    commands.mkdir()
    output, summary = commands / "set_output", commands / "step_summary"
    output.touch()
    summary.touch()
    inputs = {k.removeprefix("INPUT_").lower(): v for k, v in action_defaults().items()}
    inputs.update({k.replace("_", "-"): v for k, v in overrides.items()})
    env = {**os.environ, "GITHUB_ACTION_PATH": str(ROOT), "GITHUB_WORKSPACE": str(workspace),
           "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true",
           "CI": "true", "GITHUB_REPOSITORY": "acme/ontology", "GITHUB_SHA": "0" * 40,
           "ONTOSYNC_INPUTS": json.dumps(inputs), "ONTOSYNC_ACTION_IMAGE": image_ref,
           "ONTOSYNC_DOCKER_NETWORK": "none", "ONTOSYNC_DOCKER_BUILD_ARGS": build_args, "DOCKER_BUILDKIT": "0"}
    proc = subprocess.run([sys.executable, str(ROOT / "ontosync" / "action" / "container_step.py")], env=env,
                          capture_output=True, text=True, timeout=900)
    return Step(proc.returncode, proc.stdout + proc.stderr, parse_outputs(output.read_text(encoding="utf-8")),
                summary.read_text(encoding="utf-8"))


def check_step(step: Step, workspace: Path) -> None:
    assert step.code == 0, step.log[-3000:]
    db = workspace / step.outputs["database"]
    assert_db_is_sound(db)
    counts = db_counts(db)
    assert int(step.outputs["classes"]) == counts["classes"] > 0
    assert int(step.outputs["files-ok"]) == counts["files-ok"] > 0
    assert "### " in step.summary  # the job summary reached the step's file through the mount
    # What the upload step will upload: database, checkpoint and report, all written.
    paths = step.outputs["artifact-paths"].splitlines()
    assert paths == ["ontology.db", "ontology.db.checkpoint.json", "ontosync-report.json"]
    assert all((workspace / p).is_file() for p in paths)
    shown = [ln for ln in step.log.splitlines() if not ln.startswith("::add-mask::")]  # the runner eats those
    assert not [ln for ln in shown if TOKEN_SENTINEL in ln]


def test_pull_by_digest_and_run_against_build_and_run(client, image, registry, tmp_path, capsys):
    repo = f"{registry}/ontosync"
    local = client.images.get(image)
    local.tag(repo, "v0.0.0-test")
    digest = push(client, repo, "v0.0.0-test")

    # The release pins action.yml to the digest; the consumer's runner pulls what it names.
    pinned = yaml.safe_load(pin((ROOT / "action.yml").read_text(encoding="utf-8"), f"{repo}@{digest}"))
    reference = pinned_image(pinned)
    assert reference == f"docker://{repo}@{digest}"

    tags = remove_every_copy(client, local.id)
    try:
        ws = example_workspace(tmp_path, "pulled")
        started = time.perf_counter()
        step = run_step(ws, reference)
        pull_run_s = time.perf_counter() - started
    finally:
        for tag in tags:  # the other docker tests go on using the image by its name
            if not tag.startswith(f"{repo}:"):  # the registry's tag dies with the registry
                client.images.get(f"{repo}@{digest}").tag(tag)
    assert client.images.get(f"{repo}@{digest}").id == local.id  # the very image that was pushed
    assert f"{digest}" in step.log  # docker pull said what it pulled
    check_step(step, ws)

    # A failing sync fails the step, and the upload still gets its paths (`if: always()`).
    ws_bad = example_workspace(tmp_path, "failing")
    bad = run_step(ws_bad, reference, max_error_rate="not-a-number")
    assert bad.code == 2, bad.log[-2000:]
    assert bad.outputs["artifact-paths"].splitlines()[0] == "ontology.db"
    assert "::error" in bad.log
    if [t for t in tags if not t.startswith(f"{repo}:")]:
        client.images.remove(f"{repo}@{digest}")  # only the digest reference: the image keeps its names

    # Build-and-run: what `uses: ./` (ONTOSYNC_ACTION_IMAGE: Dockerfile) costs on a runner, no cache.
    base = os.environ.get("ONTOSYNC_BASE_IMAGE") or "ontosync-base:local"
    if not (ROOT / "wheels").is_dir():
        pytest.skip("build-and-run needs wheels/ (the engine is offline): run .ci/docker.sh")
    ws2 = example_workspace(tmp_path, "built")
    started = time.perf_counter()
    step2 = run_step(ws2, "Dockerfile", f"--no-cache --build-arg BASE_IMAGE={base}")
    build_run_s = time.perf_counter() - started
    check_step(step2, ws2)
    assert step2.outputs["classes"] == step.outputs["classes"]
    assert not [i for i in client.images.list() if any(t.startswith("ontosync-action:") for t in i.tags)]

    figures = {"pull_and_run_s": round(pull_run_s, 2), "build_and_run_s": round(build_run_s, 2),
               "image": reference}
    with capsys.disabled():
        print(f"\ncold start of the Action's step, pull-and-run: {pull_run_s:.2f} s; build-and-run: "
              f"{build_run_s:.2f} s (docker build --no-cache; base image present, wheels local)")
    out = os.environ.get("ONTOSYNC_COLD_START_FILE")
    if out:
        Path(out).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


def test_the_image_imports_every_module(client, image):
    """The trimmed image (no cryptography, no PyYAML C extension, no playhouse) still imports every
    ontosync module, the GitHub stack included."""
    code = ("import importlib, pathlib, ontosync, github, yaml\n"
            "root = pathlib.Path(ontosync.__file__).parent\n"
            "mods = ['.'.join(('ontosync',) + p.relative_to(root).with_suffix('').parts)\n"
            "        for p in root.rglob('*.py') if p.name != '__main__.py']\n"
            "[importlib.import_module(m.removesuffix('.__init__')) for m in mods]\n"
            "print(len(mods), yaml.safe_load('a: [1, 2]'))\n")
    out = client.containers.run(image, ["-c", code], entrypoint="python", network_mode="none", remove=True)
    count, parsed = out.decode().strip().split(" ", 1)
    expected = sum(1 for p in (ROOT / "ontosync").rglob("*.py") if p.name != "__main__.py")
    assert (int(count), parsed) == (expected, "{'a': [1, 2]}")


def test_a_run_reads_bytecode_it_does_not_compile(client, image):
    """The container never writes bytecode (PYTHONDONTWRITEBYTECODE), so the image carries the .pyc
    of every module a run imports, valid for its source (the header's mtime and size, as the loader
    checks them): otherwise each Action step compiled them all again (~0.4 s of CPU). Only peewee's
    is left out (PostgreSQL runs only; the image's size budget)."""
    code = textwrap.dedent("""
        import importlib.util, os, struct, sys
        import ontosync.action, ontosync.cli, ontosync.sources.github, ontosync.store.pg.database
        import github, yaml, edn_format
        stale = []
        for name, mod in sorted(sys.modules.items()):
            src = getattr(mod, "__file__", None) or ""
            if not src.endswith(".py") or name == "peewee":
                continue
            try:
                with open(importlib.util.cache_from_source(src), "rb") as pyc:
                    flags, mtime, size = struct.unpack("<III", pyc.read(16)[4:16])
            except OSError:
                stale.append(name)
                continue
            st = os.stat(src)  # the loader's check of an unhashed .pyc: its source's mtime and size
            if flags == 0 and (mtime, size) != (int(st.st_mtime) & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF):
                stale.append(name)
        print(len(sys.modules), stale)
    """)
    out = client.containers.run(image, ["-c", code], entrypoint="python", network_mode="none", remove=True)
    loaded, stale = out.decode().strip().split(" ", 1)
    assert int(loaded) > 300 and stale == "[]", out.decode()[:2000]
