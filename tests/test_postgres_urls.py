"""PostgreSQL URLs that Python's URL parser refuses (an unclosed IPv6 bracket): every
command, the environment variable and the Action's `database` input printed a `ValueError:
Invalid IPv6 URL` traceback. Now one line naming the URL with its password masked, exit 2, and
the Action registers the password with `::add-mask::` all the same. No server needed: the URL
is refused before any connection."""

from __future__ import annotations

import pytest

from ontosync.action import run as action_run
from ontosync.cli import main as cli_main
from tests.helpers import EXAMPLE, cli

SECRET = "s3cr3t-pw"
BAD = f"postgresql://onto:{SECRET}@[::1/ontologies?schema=robots"


def _one_line_usage_error(proc) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and SECRET not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("ontosync: error: ") and "postgresql://onto:***@[::1" in lines[0]
    return lines[0]


@pytest.mark.parametrize("command", [
    ["sync", str(EXAMPLE)], ["status"], ["search", "robot"], ["diff"], ["verify"], ["migrate"]])
def test_every_command_refuses_a_malformed_url_in_one_line(command, tmp_path):
    _one_line_usage_error(cli(*command, "--db", BAD, "--checkpoint", str(tmp_path / "c.json"))
                          if command[0] == "sync" else cli(*command, "--db", BAD))


def test_the_environment_variable_and_diff_base_refuse_it_too(tmp_path):
    _one_line_usage_error(cli("status", env={"ONTOSYNC_DATABASE_URL": BAD}))
    db = tmp_path / "head.db"
    db.write_bytes(b"")  # diff reads the head first: an empty file is a database without a log
    sync = cli("sync", str(EXAMPLE), "--db", str(db), "--quiet", "--checkpoint", str(tmp_path / "c.json"))
    assert sync.returncode == 0, sync.stderr
    _one_line_usage_error(cli("diff", "--db", str(db), "--base", BAD))


def test_the_action_refuses_it_as_a_bad_input_with_the_password_masked(tmp_path, capsys):
    from tests.test_postgres_action import action_env

    env = action_env(tmp_path, database=BAD)
    code = action_run.main(env, cli_main=cli_main)
    out, err = capsys.readouterr()
    assert code == 2, out + err
    lines = out.splitlines()
    assert f"::add-mask::{SECRET}" in lines[:2]
    shown = "\n".join(line for line in lines if not line.startswith("::add-mask::")) + err
    assert "Traceback" not in shown and SECRET not in shown
    errors = [line for line in lines if line.startswith("::error")]
    assert len(errors) == 1 and "postgresql://onto:***@[::1" in errors[0]
