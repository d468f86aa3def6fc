"""Helpers that had several copies now have one home each: the OWNER/REPO pattern, the atomic
file writer, the `ontosync:` message line; and the Action no longer imports the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ontosync.action.inputs import InputError, read_inputs
from ontosync.console import say
from ontosync.files import replace_atomically
from ontosync.sources import SourceError
from ontosync.sources.github import parse_spec
from ontosync.sources.names import is_repository
from tests.helpers import ROOT, cli

GOOD = ["octo/repo", "a-b/c.d", "O_1/r_2", "x/.github"]
BAD = ["octo", "octo/", "/repo", "octo/repo/extra", "oc to/repo", "octo/re po", "octo/..", "octo/.", "", "ö/r"]


@pytest.mark.parametrize("name", GOOD)
def test_a_repository_name_is_accepted_by_all_three_users(name, tmp_path):
    assert is_repository(name)
    assert parse_spec(f"github:{name}@main") == (*name.split("/"), "main")
    env = {"INPUT_REPOSITORY": name, "GITHUB_WORKSPACE": str(tmp_path)}
    assert read_inputs(env).source == f"github:{name}"


@pytest.mark.parametrize("name", BAD)
def test_a_bad_repository_name_is_refused_by_all_three_users(name, tmp_path):
    assert not is_repository(name)
    with pytest.raises(SourceError):
        parse_spec(f"github:{name}")
    if name:  # an empty input means "this workspace", not a repository
        with pytest.raises(InputError, match="OWNER/REPO"):
            read_inputs({"INPUT_REPOSITORY": name, "GITHUB_WORKSPACE": str(tmp_path)})
    proc = cli("fetch-db", name or "''", "--out", str(tmp_path / "x.db"), env={"GITHUB_TOKEN": "t"})
    assert proc.returncode == 2 and "must look like OWNER/REPO" in proc.stderr
    assert not (tmp_path / "x.db").exists()


def test_replace_atomically_keeps_the_old_file_when_the_writer_fails(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")

    def fail(fh) -> None:
        fh.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        replace_atomically(target, fail)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no temp file left
    replace_atomically(target, lambda fh: fh.write(b"new"), 0o640)
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_say_writes_one_prefixed_line_on_stderr(capsys):
    say("error: something")
    assert capsys.readouterr() == ("", "ontosync: error: something\n")


def test_the_action_runs_without_importing_the_cli():
    """Importing and running the Action's glue loads no `ontosync.cli` (the entrypoint passes it in)."""
    code = ("import sys, ontosync.action.run as r, ontosync.action.fetch_db, ontosync.action.restore\n"
            "print('ontosync.cli' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"
