"""Review of round 21's merged work (branch integ): regressions the merged branches introduced.

- `diff` took another program's file for a damaged database: store/health.is_damaged reads SQLite's
  "file is not a database", which is said of a text file as of a database whose header was
  overwritten. `diff --base notes.txt` said "the database is damaged ...; `ontosync verify` lists the
  problems", exit 3, where it said "notes.txt is not an ontosync database", exit 2 (a usage error),
  and `diff --db notes.txt` the same; `status` and `search` say "not an ontosync database" of it.
- A glob whose braces give an alternative starting or ending with `/` (`{a,}/`, `{/drafts,/old}/`,
  `**/{x,}`) matches no path wcmatch is given (an absolute glob, a folder's), but globs.FolderTest
  dropped the empty end part: the walk pruned every folder for `--exclude '{a,}/'` (0 files synced,
  where main synced them all), and drafts/ for `--exclude '{/drafts,/old}/'`, which the file filter
  (and a GitHub listing) keeps.
- globs.FolderTest matched every glob against every name of a folder's path, for every folder a walk
  met: 900 `--exclude` globs (a generated list of folders) took a 20,000-folder walk three minutes
  in pruning alone (six seconds before this round). It carries each folder's live globs to its
  children, one step a glob still alive there.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ontosync.cli import main
from ontosync.sources import PathFilter
from tests.helpers import q

TTL = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <http://example.org/> .
ex:A a owl:Class .
"""


def _good(tmp_path: Path) -> str:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL, encoding="utf-8")
    db = str(tmp_path / "good.db")
    assert main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1",
                 "--checkpoint", str(tmp_path / "ck.json")]) == 0
    return db


def test_diff_base_of_a_text_file_is_no_ontosync_database_not_a_damaged_one(tmp_path, capsys):
    good = _good(tmp_path)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello, these are notes\n" * 200, encoding="utf-8")
    capsys.readouterr()
    assert main(["diff", "--db", good, "--base", str(notes)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"ontosync: error: {notes} is not an ontosync database: file is not a database\n", err


def test_diff_db_of_a_text_file_is_not_said_damaged(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello, these are notes\n" * 200, encoding="utf-8")
    capsys.readouterr()
    assert main(["diff", "--db", str(notes)]) == 2  # the wrong file, as `sync` says it: exit 2 (h165)
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"ontosync: error: {notes} is not an ontosync database: not an SQLite database\n", err


# A brace glob is the union of its choices (round 16): `{a,}/` is `a/` and `/` (the whole root),
# `**/{four.ttl,}` is `**/four.ttl` and `**/` (every folder, the root too): both leave out every file.
ALL = {"a/one.ttl", "b/two.ttl", "drafts/three.ttl", "four.ttl"}


@pytest.mark.parametrize("exclude, excluded", [("{a,}/", ALL), ("{/drafts,/old}/", {"drafts/three.ttl"}),
                                               ("**/{four.ttl,}", ALL), ("{a/,four.ttl}", {"a/one.ttl", "four.ttl"})])
def test_a_brace_alternative_ending_in_a_slash_prunes_no_folder_the_filter_keeps(tmp_path, exclude, excluded):
    tree = tmp_path / "tree"
    files = {"a/one.ttl": "One", "b/two.ttl": "Two", "drafts/three.ttl": "Three", "four.ttl": "Four"}
    for rel, name in files.items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(TTL.replace("ex:A", f"ex:{name}"), encoding="utf-8")
    kept = {rel for rel in files if PathFilter((), (exclude,))(rel)}
    assert kept == set(files) - excluded  # what the file filter says, file by file
    db = tmp_path / "t.db"
    assert main(["sync", str(tree), "--db", str(db), "--quiet", "--workers", "1", "--exclude", exclude,
                 "--checkpoint", str(tmp_path / "ck.json")]) == 0
    assert {path for (path,) in q(db, "SELECT path FROM source_files")} == kept


# -- a Git LFS pointer where the database was expected, to the reading commands ---------------------

LFS_POINTER = ("version https://git-lfs.github.com/spec/v1\n"
               "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 1234567\n")


@pytest.mark.parametrize("argv", [["status"], ["search", "x"], ["diff"], ["diff", "--base", "{pointer}"]])
def test_the_reading_commands_say_a_git_lfs_pointer_is_one_as_sync_does(tmp_path, capsys, argv):
    """This round's sync, migrate and verify say a database checked out as its Git LFS pointer is one
    (`git lfs pull`, actions/checkout `lfs: true`); status, search and diff still said "is not an
    ontosync database: file is not a database" (or SQLite's words alone), sending the user looking
    for another file. They say what sync says, exit 2, as sync does."""
    from ontosync.store.read_only import LFS_DATABASE

    pointer = tmp_path / "ontology.db"
    pointer.write_text(LFS_POINTER, encoding="ascii")
    db = _good(tmp_path) if "--base" in argv else str(pointer)
    capsys.readouterr()
    assert main([argv[0], *[a.format(pointer=pointer) for a in argv[1:]], "--db", db]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"ontosync: error: {pointer}: {LFS_DATABASE}\n", err


def test_many_exclude_globs_cost_the_walk_one_step_a_folder(tmp_path):
    excludes = [f"dir{i}/sub{j}/" for i in range(30) for j in range(30)]
    folders = [f"dir{a}/sub{b}/{leaf}/" for a in range(60) for b in range(60) for leaf in ("x", "y")][:2000]
    expected = sum(1 for f in folders if not (int(f.split("/")[0][3:]) < 30 and int(f.split("/")[1][3:]) < 30))
    path_filter = PathFilter((), excludes)
    started = time.process_time()
    kept = sum(path_filter.may_select_under(f) for f in folders)
    spent = time.process_time() - started
    assert kept == expected
    assert spent < 2.0, f"{spent:.1f} s of CPU to prune {len(folders)} folders under {len(excludes)} globs"
