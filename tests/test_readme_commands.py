"""The README's two commands are what CI runs: .ci/run installs as the first does, syncs the same
example, and runs the README's test command as written."""

from __future__ import annotations

import re

from tests.helpers import ROOT


def two_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_ci_runs_the_readme_test_command_as_written():
    _, tests = two_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci, f"{tests!r} is not a line of .ci/run"
    if " -n " in tests:  # -n needs pytest-xdist, which the first command installs with the dev extra
        import tomllib

        project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        dev = project["optional-dependencies"]["dev"]
        assert any(req.startswith("pytest-xdist") for req in dev)


def test_ci_installs_and_syncs_as_the_first_command():
    setup, _ = two_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[dev]'" in setup and "pip install -q -e '.[dev]'" in ci
    assert "ontosync sync examples/ontology" in setup and "ontosync sync examples/ontology" in ci
