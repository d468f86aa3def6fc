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
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests import test_docker_action as dockertests
from tests.test_docker_action import ROOT, assert_db_is_sound, db_counts, example_workspace, run_action

client = dockertests.client  # the fixtures: the engine, and the image under test
image = dockertests.image

pytestmark = pytest.mark.docker

sys.path.insert(0, str(ROOT / ".ci"))
from pin_image import pin  # noqa: E402


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


def check_run(run, workspace: Path) -> None:
    assert run.code == 0, run.stderr[-2000:]
    db = workspace / run.outputs["database"]
    assert_db_is_sound(db)
    counts = db_counts(db)
    assert int(run.outputs["classes"]) == counts["classes"] > 0
    assert int(run.outputs["files-ok"]) == counts["files-ok"] > 0


def test_pull_by_digest_and_run_against_build_and_run(client, image, registry, tmp_path, capsys):
    import docker

    repo = f"{registry}/ontosync"
    local = client.images.get(image)
    local.tag(repo, "v0.0.0-test")
    digest = push(client, repo, "v0.0.0-test")

    # The release pins action.yml to the digest; the consumer's runner pulls what it names.
    pinned = yaml.safe_load(pin((ROOT / "action.yml").read_text(encoding="utf-8"), f"{repo}@{digest}"))
    assert pinned["runs"]["image"] == f"docker://{repo}@{digest}"
    reference = pinned["runs"]["image"].removeprefix("docker://")

    tags = remove_every_copy(client, local.id)
    try:
        ws = example_workspace(tmp_path, "pulled")
        started = time.perf_counter()
        pulled = client.images.pull(repo, tag=digest)
        pulled_s = time.perf_counter() - started
        run = run_action(client, reference, ws)
        pull_run_s = time.perf_counter() - started
    finally:
        for tag in tags:  # the other docker tests go on using the image by its name
            client.images.get(f"{repo}@{digest}").tag(tag)
    assert pulled.id == local.id  # the very image that was pushed
    check_run(run, ws)

    # Build-and-run: what `uses: ./` (image: Dockerfile) costs every workflow run.
    base = os.environ.get("ONTOSYNC_BASE_IMAGE") or "ontosync-base:local"
    if not (ROOT / "wheels").is_dir():
        pytest.skip("build-and-run needs wheels/ (the engine is offline): run .ci/docker.sh")
    ws2 = example_workspace(tmp_path, "built")
    started = time.perf_counter()
    try:
        client.images.build(path=str(ROOT), tag="ontosync:cold-build", buildargs={"BASE_IMAGE": base},
                                       network_mode="none", nocache=True, rm=True, forcerm=True)
    except docker.errors.BuildError as exc:
        pytest.fail(f"docker build failed: {exc}")
    built_s = time.perf_counter() - started
    try:
        run2 = run_action(client, "ontosync:cold-build", ws2)
        build_run_s = time.perf_counter() - started
    finally:
        client.images.remove("ontosync:cold-build")
    check_run(run2, ws2)
    assert run2.outputs["classes"] == run.outputs["classes"]

    figures = {"pull_s": round(pulled_s, 2), "pull_and_run_s": round(pull_run_s, 2),
               "build_s": round(built_s, 2), "build_and_run_s": round(build_run_s, 2),
               "image": reference}
    with capsys.disabled():
        print(f"\ncold start, pull-and-run: {pull_run_s:.2f} s (pull {pulled_s:.2f} s); "
              f"build-and-run: {build_run_s:.2f} s (build {built_s:.2f} s, base image present, wheels local)")
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
