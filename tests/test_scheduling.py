"""The suite's distribution over xdist workers (tests/scheduling.py), on a suite of its own run by
a real pytest with two workers: a module-scoped fixture is still built once, the tests of a PER_TEST
module spread over both workers and start first (weighted), and a PER_TEST module whose tests share
a fixture fails each of its tests with a message naming it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT
from tests.scheduling import PER_TEST, WEIGHTS

RECORD = """import os, pathlib, time
def record(name):
    with open(pathlib.Path(__file__).parents[1] / "ran.txt", "a") as f:
        f.write(f"{name} {os.environ.get('PYTEST_XDIST_WORKER', '-')}\\n")
"""
SHARED = RECORD + """import pytest
@pytest.fixture(scope="module")
def tree():
    record("built")
""" + "".join(f"def test_shared_{i}(tree):\n    record('shared')\n" for i in range(12))
SPLIT = RECORD + "".join(f"def test_split_{i}():\n    time.sleep(0.1)\n    record('split')\n" for i in range(6))
SPLIT_SHARING = SHARED.replace("record('shared')", "record('split')")


def run_suite(root: Path, split_module: str, *args: str) -> subprocess.CompletedProcess:
    """`root`/tests holding a module with a module fixture and `split_module` as the PER_TEST
    module tests/test_incremental.py, run by pytest with `args` (only xdist's plugin loaded: each
    process starts in a fraction of the time)."""
    tests = root / "tests"
    tests.mkdir(parents=True)
    (tests / "test_a_shared.py").write_text(SHARED)
    (tests / "test_incremental.py").write_text(split_module)
    (root / "conftest.py").write_text('pytest_plugins = ("tests.scheduling",)\n')
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "xdist.plugin", *args,
                           "-p", "no:cacheprovider", "--rootdir", str(root), "tests"],
                          capture_output=True, text=True, cwd=root, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})


def test_module_fixtures_stay_whole_and_the_per_test_module_spreads_first(tmp_path: Path) -> None:
    assert "tests/test_incremental.py" in PER_TEST and "tests/test_a_shared.py" not in PER_TEST
    proc = run_suite(tmp_path, SPLIT, "-n", "2", "--dist", "loadfile")  # as the README runs the suite
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ran = [tuple(line.split()) for line in (tmp_path / "ran.txt").read_text().splitlines()]
    assert [name for name, _ in ran].count("built") == 1  # the module fixture, once in the run
    assert len({w for name, w in ran if name == "shared"}) == 1 and len(ran) == 1 + 12 + 6
    assert {w for name, w in ran if name == "split"} == {"gw0", "gw1"}
    # the weighted module first: each worker's first test is one of its tests
    assert {next(name for name, w in ran if w == worker) for worker in ("gw0", "gw1")} == {"split"}


def test_a_per_test_module_sharing_a_fixture_fails_saying_so(tmp_path: Path) -> None:
    proc = run_suite(tmp_path, SPLIT_SHARING)  # without xdist: the check holds in any run
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "tests/test_incremental.py::test_shared_0 uses tree, a fixture shared" in out
    assert "12 errors" in out  # every test of the module, none run


def test_every_listed_module_exists() -> None:
    """A renamed or removed module would silently lose its place at the front or its split."""
    assert [m for m in sorted({*WEIGHTS, *PER_TEST}) if not (ROOT / m).is_file()] == []
