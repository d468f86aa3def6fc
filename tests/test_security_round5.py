"""Security, round 5 (task h178): a pull request's globs and a hostile GitHub API's blob answers.

Each test names what a user saw before its fix. Everything runs here: the CLI in-process on tiny
trees and SQLite no mock.
"""

from __future__ import annotations

import random
import sqlite3
import time

import pytest

from ontosync.sources.globs import PartsMatcher, _wcmatch, compile_globs, expand
from tests.helpers import cli

TTL = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://example.org/{name}> a owl:Class .\n"
HOSTILE = "**/a/**/a/**/a/**/a/**/a/**/a/**/b"


def test_a_glob_with_many_globstars_selects_deep_files_in_linear_time(tmp_path):
    """A pull request's `.ontosync.yml` with `include: ["**/a/**/a/**/a/**/a/**/a/**/a/**/b"]` and
    one file 60 folders deep: wcmatch's regular expression tried every way the `**`s split the path,
    76 s for that one path (three such parts at depth 200: 12 s), before any --file-timeout, the CI
    held for as long as the pull request liked. Now the listing is read a folder at a time and the
    selection is what the glob says."""
    src = tmp_path / "src"
    deep = src.joinpath(*["a"] * 60)
    deep.mkdir(parents=True)
    (deep / "c.ttl").write_text(TTL.format(name="C"), encoding="utf-8")  # not matched
    (deep / "b.ttl").write_text(TTL.format(name="B"), encoding="utf-8")  # matched
    (src / ".ontosync.yml").write_text(f'include: ["{HOSTILE}.ttl"]\n', encoding="utf-8")
    report = tmp_path / "r.json"
    started = time.monotonic()
    proc = cli("sync", src, "--db", tmp_path / "x.db", "--report", report, "--quiet")
    took = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    assert took < 5, f"{took:.1f} s"
    with sqlite3.connect(tmp_path / "x.db") as conn:
        paths = [p for (p,) in conn.execute("SELECT path FROM source_files WHERE status = 'ok'")]
    assert paths == ["/".join(["a"] * 60) + "/b.ttl"]


def test_the_hostile_glob_costs_little_on_paths_200_folders_deep():
    """Three `**/name/` parts against a path 200 folders deep cost wcmatch 12 s a path."""
    matcher = compile_globs([HOSTILE, "**/x/**/x/**/x/**/y", "**/c/**/c/**/c/**/c/**/c/**/\\d"])
    started = time.monotonic()
    for depth in (60, 120, 200):
        assert matcher.match("/".join(["a"] * depth) + "/b")
        assert not matcher.match("/".join(["a"] * depth) + "/c")
        assert not matcher.match("/".join(["x"] * depth) + "/z")
        assert matcher.match("/".join(["c"] * depth) + "/d")  # (an escape, read a part at a time too)
        assert not matcher.match("/".join(["c"] * depth) + "/e")
    assert time.monotonic() - started < 5


ATOMS = ["a", "b", ".a", "*", "?", "**", "[ab]", "[!a]", "a*", "*b", ".*", "[a/b]", "a\\*", "\\a", "a\\", "[a",
         "b]", "[!/]", "[\\/]", "{a,b}", "[.]", "*.a", "(a)", "!a"]
NAMES = ["a\\", "\\", "a\\b", "a", "b", ".a", "ab", "ba", "aa", "*", "a.a", ".b", "[a", "b]", "a*", "(a)", "!a", "**"]


@pytest.mark.parametrize("seed", range(4))
def test_the_folder_at_a_time_matcher_answers_as_wcmatch_on_random_globs(seed):
    """The linear matcher must select exactly what wcmatch did (its semantics are the README's): random
    small globs of parts users write (classes, escapes, braces, a trailing `/`, a leading `/`) against
    random short paths, including the paths no walk records (`.`, `..`, an empty name)."""
    rnd = random.Random(seed)
    for _ in range(1500):
        glob = "/".join(rnd.choice(ATOMS) for _ in range(rnd.randint(1, 5)))
        glob = ("/" if rnd.random() < 0.1 else "") + glob + ("/" if rnd.random() < 0.2 else "")
        patterns = expand([glob])
        ours, theirs = PartsMatcher(patterns), _wcmatch(patterns)
        for _ in range(15):
            names = [rnd.choice(NAMES + [".", "..", ""] * (rnd.random() < 0.05)) for _ in range(rnd.randint(1, 5))]
            path = "/".join(names)
            assert ours.match(path) == theirs.match(path), (glob, path)


def test_globs_other_than_suffixes_go_to_the_folder_at_a_time_matcher():
    assert isinstance(compile_globs(["pages/**/*.md"]), PartsMatcher)
    assert isinstance(compile_globs([HOSTILE]), PartsMatcher)
