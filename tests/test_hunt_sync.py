"""Bug hunt (h1): syncing a local tree, its input and its environment.

Each test here failed before its fix: what the user saw is in the test's docstring.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.helpers import cli

OWL_CLASS = "<http://www.w3.org/2002/07/owl#Class>"


def ttl(name: str) -> str:
    return f"@prefix : <http://example.org/> .\n:{name} a {OWL_CLASS} .\n"


@pytest.fixture
def tree(tmp_path) -> Path:
    """`root/` (the source, one file in `sub/`) beside `outside/` (a file no sync of root may read)."""
    (tmp_path / "root" / "sub").mkdir(parents=True)
    (tmp_path / "root" / "sub" / "a.ttl").write_text(ttl("Inside"), encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "o.ttl").write_text(ttl("Outside"), encoding="utf-8")
    return tmp_path


def rows(db: Path, sql: str) -> list[tuple]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def one_line_usage_error(proc, *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert all(w in lines[0] for w in words), lines[0]


# -- --path ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["./sub", "sub/.", "./sub/", "sub//", "other/../sub"])
def test_path_spelled_with_dots_selects_the_folder(tree, spelling):
    """`--path ./pages` (the natural way to name a folder in a shell or an Action input) synced
    0 files with exit 0: the filter compared `./sub/` with the recorded `sub/a.ttl`."""
    (tree / "root" / "other").mkdir()
    db = tree / "t.db"
    proc = cli("sync", str(tree / "root"), "--db", str(db), "--quiet", "--path", spelling)
    assert proc.returncode == 0, proc.stderr
    assert rows(db, "SELECT path, status FROM source_files") == [("sub/a.ttl", "ok")]


@pytest.mark.parametrize("spelling", ["..", "../outside", "sub/../../outside"])
def test_path_that_climbs_out_of_the_root_is_refused(tree, spelling):
    """`--path ../outside --include '../**/*.ttl'` read and stored `../outside/o.ttl`, a file
    outside the source root, with exit 0."""
    db = tree / "t.db"
    proc = cli("sync", str(tree / "root"), "--db", str(db), "--quiet", "--path", spelling,
               "--include", "../**/*.ttl", "--include", "**/*.ttl")
    one_line_usage_error(proc, "--path")
    assert rows(db, "SELECT class_iri FROM owl_classes") == []


def test_a_config_in_the_source_cannot_point_path_outside_the_root(tree):
    """The checkout's own `.ontosync.yml` (a stranger's pull request) with `path: ../outside` made
    the sync read and store files outside the source root."""
    (tree / "root" / ".ontosync.yml").write_text('path: ../outside\ninclude: ["../outside/*.ttl"]\n',
                                                 encoding="utf-8")
    db = tree / "t.db"
    proc = cli("sync", str(tree / "root"), "--db", str(db), "--quiet")
    one_line_usage_error(proc, "path")
    assert rows(db, "SELECT class_iri FROM owl_classes") == []


def test_path_through_a_linked_folder_is_refused(tree):
    """`--path link/outside`, where `link` is a symbolic link inside the root to the folder above
    it, walked and stored the files of `outside/` (only a link as the last part was refused)."""
    (tree / "root" / "link").symlink_to(tree, target_is_directory=True)
    db = tree / "t.db"
    proc = cli("sync", str(tree / "root"), "--db", str(db), "--quiet", "--path", "link/outside")
    one_line_usage_error(proc, "--path", "link/outside")
    assert rows(db, "SELECT class_iri FROM owl_classes") == []
