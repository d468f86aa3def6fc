"""The README's docker recipe (build the image offline, run it on a folder as the runner does),
run in bash exactly as written.

One line changes: `BASE_IMAGE=...`, the image the recipe builds on, becomes the engine's local
base image (ONTOSYNC_BASE_IMAGE, default ontosync-base:local), since no registry is reachable
here. The lines before the `cd` run in the project root (a clone of ontosync), the rest in a copy
of the bundled example. Marked `docker`: skipped when no engine answers, unless
ONTOSYNC_REQUIRE_DOCKER=1 (.ci/docker.sh).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess

import pytest

from tests.helpers import EXAMPLE, ROOT

pytestmark = pytest.mark.docker

BLOCK = re.compile(r"<!-- docker-run-example[^>]*-->\s*```sh\n(.*?)```", re.S)


def recipe() -> list[str]:
    """The recipe's shell lines, continuation lines joined."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = BLOCK.search(text)
    assert block, "README.md lost its docker-run-example block"
    return block.group(1).replace("\\\n", " ").strip().split("\n")


def engine_or_skip() -> str:
    base = os.environ.get("ONTOSYNC_BASE_IMAGE", "ontosync-base:local")
    probe = subprocess.run(["docker", "image", "inspect", base], capture_output=True, text=True) \
        if shutil.which("docker") else None
    if probe is None or probe.returncode != 0:
        reason = f"no Docker engine with the base image {base}"
        if os.environ.get("ONTOSYNC_REQUIRE_DOCKER") == "1":
            pytest.fail(f"ONTOSYNC_REQUIRE_DOCKER=1 but {reason}")
        pytest.skip(reason)
    return base


def test_the_recipe_has_every_step():
    """Offline wheels, an offline build, the `cd`, the run: nothing left for the reader to add."""
    lines = recipe()
    assert lines[0].startswith("BASE_IMAGE=")
    assert any(line.startswith("bash .ci/wheels.sh") for line in lines)
    build = next(line for line in lines if line.startswith("docker build"))
    assert "--network none" in build and "BASE_IMAGE" in build and build.endswith(" .")
    assert any(line.startswith("cd ") for line in lines)
    assert any(line.startswith("docker run") and line.rstrip().endswith("ontosync") for line in lines)


def test_the_recipe_runs_as_written(tmp_path):
    base = engine_or_skip()
    lines = recipe()
    cd = next(i for i, line in enumerate(lines) if line.startswith("cd "))
    folder = tmp_path / "my ontology"
    shutil.copytree(EXAMPLE, folder)
    script = "\n".join(["set -euo pipefail", f"BASE_IMAGE={base}", *lines[1:cd],
                        f"cd '{folder}'", *lines[cd + 1:]])
    proc = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "::group::ontosync: sync" in proc.stdout and "files-ok=" in proc.stdout
    assert "--max-error-rate=0.1" in proc.stdout  # the Action passes each input as one word (inputs.py)
    ok = int(re.search(r"files-ok=(\d+)", proc.stdout).group(1))
    db = folder / "ontology.db"
    assert (folder / "ontosync-report.json").is_file()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM source_files WHERE status = 'ok'").fetchone()[0] == ok > 0
    finally:
        conn.close()
    assert db.stat().st_uid == os.getuid()
