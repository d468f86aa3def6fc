"""`ontosync sync github:OWNER/REPO` against hostile or broken answers of the fake GitHub
API (tests/fake_github.py on 127.0.0.1). Each test is the user-visible failure one fix closed:
no traceback whatever GitHub answers, one line naming the request or file, names recorded as the
local source records them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ontosync.sources.names import display_name
from tests.fake_github import FakeGitHub, blob_sha
from tests.helpers import cli

PAGE = b"- a page\n"


def sync(fake: FakeGitHub, db: Path, *extra: str):
    """One in-process sync of github:o/r@main (each is refused or done within a few requests)."""
    env = {"GITHUB_TOKEN": fake.token, "ONTOSYNC_GITHUB_TIMEOUT": "30", "ONTOSYNC_RETRY_BACKOFF": "0.01"}
    return cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", str(db), "--quiet", *extra, env=env)


def one_line_error(r) -> str:
    """The run's error: one line, no traceback."""
    assert "Traceback" not in r.stderr, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    return lines[0]


@pytest.fixture
def fake():
    with FakeGitHub(None) as server:
        server.commit({"pages/a.md": PAGE})
        yield server


def on_trees(answer):
    """An answer hook replacing every tree answer with `answer(handler, sha)` (status, body, headers)."""
    def hook(handler, seg, query):
        if seg[3:5] != ["git", "trees"]:
            return None
        status, body, headers = answer(handler, seg[-1])
        handler._send(status, body, headers=headers)
        return status
    return hook


@pytest.mark.parametrize("value", ["nan", "-1", "inf"])
def test_an_unusable_max_rate_limit_wait_is_refused_up_front(tmp_path, value):
    """Was: `--max-rate-limit-wait nan` ended in a TypeError traceback while the options were
    checked; -1 and inf were taken (every rate limit stopped the run, or any Retry-After was slept,
    up to an OverflowError)."""
    r = cli("sync", str(tmp_path), "--db", str(tmp_path / "x.db"), "--max-rate-limit-wait", value, "--quiet")
    assert r.returncode == 2
    assert "--max-rate-limit-wait must be between 0 and 86400" in one_line_error(r)
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("header", [{"Retry-After": "1e20"}, {"Retry-After": "inf"}])
def test_an_absurd_rate_limit_wait_stops_the_run_with_one_line(fake, tmp_path, header):
    """Was: a Retry-After of 1e20 seconds (or inf) ended the run in an OverflowError traceback
    from datetime, with no report and no checkpoint."""
    fake.answer_hook = on_trees(lambda h, sha: (429, {"message": "API rate limit exceeded"}, header))
    db = tmp_path / "x.db"
    r = sync(fake, db, "--report", str(tmp_path / "r.json"))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr, r.stderr
    line = r.stderr.strip().splitlines()[-1]  # after the run's summary line, as for any rate-limit stop
    assert "longer than the 900 s this run may wait" in line and "run again after" in line
    assert (tmp_path / "x.db.checkpoint.json").exists()


MALFORMED_TREES = {
    "a list, not an object": [1, 2],
    "tree is a string": {"sha": "x", "tree": "pages/a.md", "truncated": False},
    "an entry is a string": {"sha": "x", "tree": ["pages/a.md"], "truncated": False},
    "a size that is no number": {"sha": "x", "truncated": False, "tree": [
        {"path": "pages/a.md", "mode": "100644", "type": "blob", "sha": blob_sha(PAGE), "size": "big"}]},
    "a path that is no string": {"sha": "x", "truncated": False, "tree": [
        {"path": 7, "mode": "100644", "type": "blob", "sha": blob_sha(PAGE), "size": 9}]},
}


@pytest.mark.parametrize("body", MALFORMED_TREES.values(), ids=MALFORMED_TREES.keys())
def test_a_malformed_tree_answer_is_one_line_and_exit_2(fake, tmp_path, body):
    """Was: an AttributeError or ValueError traceback from the tree listing."""
    fake.answer_hook = on_trees(lambda h, sha: (200, body, None))
    r = sync(fake, tmp_path / "x.db")
    assert r.returncode == 2
    assert "unexpected tree listing from the GitHub API for github:o/r@main" in one_line_error(r)


def test_names_with_control_characters_are_recorded_as_the_local_source_records_them(fake, tmp_path):
    """Was: a tree path holding ESC, a newline or NUL was recorded and printed raw (a terminal
    escape in every message naming it; a NUL PostgreSQL text cannot hold), where the same
    repository synced from a checkout records it escaped (sources/names.py)."""
    # (a NUL, which git's tree format cannot hold, refuses the listing: test_sources_round14.py)
    names = ["pages/a.md", "pages/esc\x1b[31mred.md", "pages/new\nline.md", "pages/back\\slash.md"]
    fake.commit({name: PAGE for name in names})
    db = tmp_path / "x.db"
    r = sync(fake, db, "--path", "pages", "--workers", "1")
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(db) as con:
        recorded = sorted(p for (p,) in con.execute("SELECT path FROM source_files"))
    assert recorded == sorted(display_name(n) for n in names)
    assert all(ch.isprintable() for p in recorded for ch in p)
    again = sync(fake, db, "--path", "pages", "--workers", "1", "--report", str(tmp_path / "r.json"))
    assert again.returncode == 0, again.stderr
    assert json.loads((tmp_path / "r.json").read_text())["files"]["unchanged"] == len(names)


def test_the_tarball_hands_over_escaped_names_and_a_plain_name_spelled_as_an_escape_wins(fake):
    """The tarball's member names are matched by their recorded (escaped) form, so a file with
    ESC in its name is not fetched a second time as a blob; and a file literally named
    `esc\\x1b.md` beside one whose name holds ESC keeps its row, as in a checkout's walk."""
    from ontosync.sources import PathFilter
    from ontosync.sources.github import GitHubSource

    contents = {"pages/tab\there.md": b"- tab\n", "pages/esc\x1b.md": b"- escape\n", "pages/esc\\x1b.md": b"- plain\n"}
    fake.commit(contents)
    source = GitHubSource("github:o/r@main", PathFilter(subdir="pages"), fake.url, fake.token,
                          blob_threshold=0, timeout=30, backoff_factor=0.01)
    files = list(source.list_files())
    assert [f.path for f in files] == sorted(["pages/esc\\x1b.md", "pages/tab\\x09here.md"])
    fake.reset_log()
    got = {sf.path: data for sf, data in source.contents(files)}
    assert got == {"pages/esc\\x1b.md": b"- plain\n", "pages/tab\\x09here.md": b"- tab\n"}
    assert fake.count("api") == 1 and fake.count("download") == 1  # the tarball alone, no blob


@pytest.mark.parametrize("pasted", ["{token}\n", " {token}\r\n"])
def test_a_token_pasted_with_its_newline_is_the_token(fake, tmp_path, pasted):
    """Was: GITHUB_TOKEN ending in a newline (a CI secret pasted with it) failed every run with
    'unexpected InvalidHeader from the GitHub client', exit 2: nothing a user can act on. A token
    holds no whitespace; what surrounds it is dropped, and the run authenticates."""
    env = {"GITHUB_TOKEN": pasted.format(token=fake.token), "ONTOSYNC_RETRY_BACKOFF": "0.01"}
    db = tmp_path / "x.db"
    r = cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", str(db), "--quiet", env=env)
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT path FROM source_files").fetchall() == [("pages/a.md",)]
    assert fake.token not in r.stderr + r.stdout
