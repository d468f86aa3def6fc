"""Round 16: file selection and sources. A brace glob selects exactly what its choices select
(`{/drafts,/old}/` selected nothing). Through the real command line, on trees on disk and the
fake GitHub API on 127.0.0.1 (tests/fake_github.py)."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import bracex
import pytest

from ontosync.sources import PathFilter
from ontosync.sources.globs import FolderTest
from tests.fake_github import FakeGitHub
from tests.helpers import cli

PAGE = b"type:: [[Class]]\n"
TTL = b"@prefix ex: <http://example.org/r16#> .\nex:C a <http://www.w3.org/2002/07/owl#Class> .\n"
TREE = {"top.md": PAGE, "core.ttl": TTL, "drafts/d.md": PAGE, "drafts/deep/e.ttl": TTL, "old/o.ttl": TTL,
        "old/x.md": PAGE, "pages/p.md": PAGE, "pages/old/q.md": PAGE, ".hidden/h.md": PAGE}
ENV = {"ONTOSYNC_GITHUB_TIMEOUT": "30", "ONTOSYNC_RETRY_BACKOFF": "0.01"}


def write_tree(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def synced(db: Path) -> list[str]:
    with sqlite3.connect(db) as con:
        return sorted(p for (p,) in con.execute("SELECT path FROM source_files"))


def sync_both(tmp_path: Path, files: dict[str, bytes], *flags: str, cwd: Path | None = None):
    """The same tree synced from a folder and from the fake GitHub: (local run, github run)."""
    src = write_tree(tmp_path / "src", files)
    local = cli("sync", str(src), "--db", str(tmp_path / "l.db"), "--workers", "1", "--quiet", *flags, cwd=cwd)
    with FakeGitHub(None) as fake:
        fake.commit(files)
        remote = cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", str(tmp_path / "g.db"),
                     "--workers", "1", "--quiet", *flags, env={"GITHUB_TOKEN": fake.token, **ENV}, cwd=cwd)
    return local, remote


# -- 1. brace choices with a leading `/` ----------------------------------------------------------

@pytest.mark.parametrize(("flag", "expected"), [
    ("--include", ["drafts/d.md", "drafts/deep/e.ttl", "old/o.ttl", "old/x.md"]),
    ("--exclude", [".hidden/h.md", "core.ttl", "pages/old/q.md", "pages/p.md", "top.md"]),
])
def test_brace_choices_with_a_leading_slash_select_their_folders_locally_and_from_github(tmp_path, flag, expected):
    """`--include '{/drafts,/old}/'` selected nothing (and as `--exclude` left nothing out), while
    `--include /drafts/` and `--include /old/` each worked: the `/` inside the braces was never read
    as the root, nor the trailing `/` of a choice as its whole folder."""
    local, remote = sync_both(tmp_path, TREE, flag, "{/drafts,/old}/")
    assert (local.returncode, remote.returncode) == (0, 0), local.stderr + remote.stderr
    assert synced(tmp_path / "l.db") == synced(tmp_path / "g.db") == expected


PATTERNS = ["{/drafts,/old}/", "{./drafts,old}/*.md", "{drafts/,pages/old/}", "{drafts,}/**",
            "**/{old,deep}/*", "{pages,drafts}/{*.md,**/*.ttl}", "{/pages,./old/}", "/{old,top.md}",
            "{**/,}*.ttl", "{drafts/deep/,pages/}{e.ttl,q.md,old/}"]
PATHS = [*sorted(TREE), "a/b.md", "x", "drafts/deep/deeper/f.md"]
FOLDERS = sorted({p.rsplit("/", 1)[0] + "/" for p in PATHS if "/" in p} | {"drafts/deep/deeper/", "zz/", "pages/x/"})


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_brace_glob_selects_the_union_of_its_choices(pattern):
    """A brace glob, as include and as exclude, answers every path as the union of its choices
    written one by one, and so does the folder pruning (globs.FolderTest) of every walk."""
    choices = bracex.expand(pattern)
    assert len(choices) > 1
    for path in PATHS:
        one, each = PathFilter([pattern]), [PathFilter([c]) for c in choices]
        assert one(path) == any(f(path) for f in each), (pattern, path)
        out, outs = PathFilter([], [pattern]), [PathFilter([], [c]) for c in choices]
        assert out(path) == all(f(path) for f in outs), (pattern, path)
    folders, singles = FolderTest([pattern]), [FolderTest([c]) for c in choices]
    for folder in FOLDERS:
        assert folders.may_match_inside(folder) == any(f.may_match_inside(folder) for f in singles), folder
        assert folders.matches_all_inside(folder) == any(f.matches_all_inside(folder) for f in singles), folder


def test_the_folder_pruning_agrees_with_the_files_it_selects():
    """For every brace pattern, a folder pruned as include (no path inside may match) holds no path the
    filter selects, and one pruned as exclude (every path inside matches) holds none it keeps."""
    for pattern, path in itertools.product(PATTERNS, PATHS):
        folders = [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]
        if PathFilter([pattern])(path):
            assert all(FolderTest([pattern]).may_match_inside(f) for f in folders), (pattern, path)
        if PathFilter([], [pattern])(path):
            assert not any(FolderTest([pattern]).matches_all_inside(f) for f in folders), (pattern, path)
