"""Secrets in database URLs, round 2 (h110): a password holding an unencoded `@` is refused up front
(libpq ends the password at its first `@` and can never connect; pieces of the password reached the
output), the Action masks the whole password, the error lines hide a URL's user info to its last
`@` (also of `postgresql+psycopg2://`), and `fetch-db --out` refuses a PostgreSQL URL before it
makes a folder of it. In process, no server needed: every refusal comes before a connection.

Each test of a defect failed before its fix."""

from __future__ import annotations

import io
import os

import pytest

from ontosync.action import run as action_run
from ontosync.cli import main
from ontosync.db_url import mask, not_a_path, shown_db
from tests.test_action import FakeCli, make_env

# (URL, the pieces of its password no output may hold)
UNENCODED = [
    ("postgresql://u:Sec@re t9@127.0.0.1:9/db", ("Sec", "re t9")),
    ("postgresql://u:Sec@ret9x/?a=b@127.0.0.1:9/db", ("Sec", "ret9x", "a=b")),
    ("postgres://u:Sec@ret:9x@127.0.0.1:9/db?schema=s", ("Sec", "ret", "9x")),
    ("postgresql://ontosync@myserver:Sec9x@127.0.0.1:9/db", ("myserver", "Sec9x")),
]


def _refused_line(err: str, pieces) -> None:
    """One line, naming the host and %40, and no piece of the password (nor the user info) in it."""
    assert len(err.splitlines()) == 1 and "as %40" in err and "@127.0.0.1:9/" in err, err
    assert not any(piece in err for piece in pieces), err


@pytest.mark.parametrize("url, pieces", UNENCODED)
@pytest.mark.parametrize("command", [["status"], ["search", "x"], ["verify"], ["migrate"], ["diff"]])
def test_an_unencoded_at_in_the_password_is_refused_before_any_connection(url, pieces, command, capsys):
    """`postgresql://u:Sec@re t9@host/db`: libpq took `Sec` for the password and `re t9@host` for
    the host, and its error quoted `re t9`; the Action's mask knew only `Sec`. Now exit 2, one line
    telling to percent-encode the `@`, no piece of the user info."""
    assert main([*command, "--db", url]) == 2
    _refused_line(capsys.readouterr().err, pieces)


def test_the_sync_and_the_environment_variable_are_refused_alike(tmp_path, monkeypatch, capsys):
    url, pieces = UNENCODED[0]
    (tmp_path / "a.ttl").write_text("", encoding="utf-8")
    assert main(["sync", str(tmp_path), "--db", url]) == 2
    _refused_line(capsys.readouterr().err, pieces)
    monkeypatch.setenv("ONTOSYNC_DATABASE_URL", UNENCODED[1][0])
    assert main(["status"]) == 2
    _refused_line(capsys.readouterr().err, UNENCODED[1][1])


@pytest.mark.parametrize("url", [
    "postgresql://u:pw@127.0.0.1:9/d@b",  # an `@` in the database name
    "postgresql://u:pw@127.0.0.1:9/db?application_name=me@work&schema=s",  # and in the query
    "postgresql://u:Sec%40re%20t9@127.0.0.1:9/db",  # the password percent-encoded
    "postgresql:///db?host=/run/postgresql",
])
def test_an_at_after_the_host_or_an_encoded_one_is_still_taken(url):
    assert not_a_path(url) is None


@pytest.mark.parametrize("url, pieces", UNENCODED[:2])
def test_the_action_refuses_the_input_and_masks_the_whole_password(url, pieces, tmp_path):
    """The Action's `::add-mask::` read the password with urlsplit: only `Sec` of `Sec@ret9x/?a=b`,
    so GitHub masked only that. The whole of it is masked, and the input refused with exit 2."""
    out, cli = io.StringIO(), FakeCli(None)
    assert action_run.main(make_env(tmp_path, database=url), cli_main=cli, out=out) == 2
    assert cli.argv is None  # no sync ran
    log = out.getvalue()
    whole = url.split("://")[1].rpartition("@")[0].partition(":")[2]
    assert f"::add-mask::{whole}\n" in log, log
    shown = [line for line in log.splitlines() if not line.startswith("::add-mask::")]
    assert shown and not any(piece in line for line in shown for piece in pieces), log
    assert any("as %2540" in line for line in shown), log  # the runner shows %40


def test_a_question_mark_in_the_password_is_refused_not_mangled(capsys):
    """`postgresql://u:Sec?x9@h/db` (libpq takes that password) reached libpq as
    `u:Sec?x9%40h%2Fdb=` (split_schema read `?x9@h/db` as the query): "invalid URI query parameter"."""
    assert main(["status", "--db", "postgresql://u:Sec?x9@127.0.0.1:9/db"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "as %3F" in err and "@127.0.0.1:9/db" in err, err
    assert "Sec" not in err and "x9" not in err, err


def test_the_mask_keeps_the_colon_after_a_key_value_password():
    assert mask("--db host=h password=pw: a key=value string") == "--db host=h password=***: a key=value string"


@pytest.mark.parametrize("db, pieces", [
    (" postgresql://u:Sec@ret?9x@h/db", ("Sec", "ret", "9x")),
    ("postgresql+psycopg2://u:Sec@ret@h/db", ("Sec", "ret")),
    ("mysql://u:Sec@ret@h/db", ("Sec", "ret")),
])
def test_an_error_line_hides_the_user_info_to_its_last_at(db, pieces, capsys):
    """`status --db ' postgresql://u:Sec@ret?9x@h/db'` printed `postgresql://***@ret?9x@h/db`:
    the user info was hidden to its first `@` only."""
    assert not any(piece in shown_db(db) for piece in pieces), shown_db(db)
    assert main(["status", "--db", db]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and not any(piece in err for piece in pieces), err


def test_the_mask_knows_a_driver_in_the_scheme():
    assert mask("connect postgresql+psycopg2://u:Sec@ret@h/db failed") == \
        "connect postgresql+psycopg2://u:***@h/db failed"


@pytest.mark.parametrize("out", ["postgresql://u:pw9x@h/db", "postgresql://u:pw9x@h/o.db-wal"])
def test_fetch_db_refuses_a_postgres_url_as_out_before_making_a_folder(out, tmp_path, monkeypatch, capsys):
    """`fetch-db --out postgresql://u:pw@h/db` made a folder `postgresql:/u:pw@h/` and printed it;
    `--out .../o.db-wal` printed the password. Refused first, exit 2, the password masked, nothing made."""
    monkeypatch.chdir(tmp_path)
    assert main(["fetch-db", "o/r", "--out", out, "--api-url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "pw9x" not in err and "PostgreSQL" in err, err
    assert os.listdir(tmp_path) == []


def test_diff_refuses_such_a_url_as_base(tmp_path, capsys):
    """`diff --base 'postgresql://u:Sec@ret9x/?a=b@h/db'` reached libpq, which quoted `"a"`."""
    url, pieces = UNENCODED[1]
    db = tmp_path / "o.db"
    (tmp_path / "a.ttl").write_text("", encoding="utf-8")
    assert main(["sync", str(tmp_path), "--db", str(db), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["diff", "--db", str(db), "--base", url]) == 2
    _refused_line(capsys.readouterr().err, pieces)


@pytest.mark.parametrize("flag", ["--report", "--checkpoint", "--output"])
def test_a_url_as_an_output_file_is_refused_with_its_password_masked(flag, tmp_path, monkeypatch, capsys):
    """`--report postgresql://u:pw9x@h/r.json` said "folder .../postgresql:/u:pw9x@h does not exist"
    (and wrote there when the folder was): refused as a URL, the password masked, nothing written."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.ttl").write_text("", encoding="utf-8")
    assert main(["sync", "t", "--db", "o.db", "--quiet"]) == 0
    folder = tmp_path / "postgresql:" / "u:pw9x@h"  # the folder the URL names as a path
    folder.mkdir(parents=True)
    capsys.readouterr()
    command = ["diff", "--db", "o.db"] if flag == "--output" else ["sync", "t", "--db", "o.db", "--quiet"]
    assert main([*command, flag, "postgresql://u:pw9x@h/r.json"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "pw9x" not in err and "a URL, not a path" in err, err
    assert os.listdir(folder) == []


@pytest.mark.parametrize("where", ["source", "--config"])
def test_a_url_as_the_source_or_the_config_is_said_without_its_secret(where, tmp_path, monkeypatch, capsys):
    """`sync https://u:tok9x@h/src` said "source directory not found: https://u:tok9x@h/src", and
    `--config postgresql://u:tok9x@h/c.yml` "cannot read config postgresql:/u:tok9x@h/c.yml"."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t").mkdir()
    url = "https://u:tok9x@h/src" if where == "source" else "postgresql://u:tok9x@h/c.yml"
    argv = ["sync", url, "--db", "o.db"] if where == "source" else ["sync", "t", "--db", "o.db", "--config", url]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "tok9x" not in err and "***@h/" in err, err
