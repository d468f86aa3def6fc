"""Security, round 5 (task h178): a pull request's globs and a hostile GitHub API's blob answers.

Each test names what a user saw before its fix. Everything runs here: the CLI in-process on tiny
trees and SQLite, the fake GitHub API (tests/fake_github.py) on 127.0.0.1, no mock.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import time

import pytest

from ontosync.sources.globs import PartsMatcher, _wcmatch, compile_globs, expand
from tests.fake_github import FakeGitHub
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


# -- blob answers larger than the tree listed ----------------------------------------------------------


def endless_blob(sent: list[int], total: int):
    """An answer hook serving every blob as a JSON answer of `total` bytes (most of it base64), written
    64 KiB at a time until the client hangs up; the bytes written land in `sent`."""
    def hook(handler, seg, query):
        if seg[3:5] != ["git", "blobs"]:
            return None
        head = json.dumps({"sha": seg[-1], "encoding": "base64"})[:-1].encode() + b', "content": "'
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(total))
        handler.end_headers()
        chunk = b"QUFB" * (64 * 1024 // 4)
        try:
            handler.wfile.write(head)
            sent[0] += len(head)
            while sent[0] + len(chunk) < total:
                handler.wfile.write(chunk)
                sent[0] += len(chunk)
            handler.wfile.write(b"A" * (total - sent[0] - 2) + b'"}')
            sent[0] = total
        except OSError:
            handler.close_connection = True
        return 200
    return hook


def test_a_blob_served_larger_than_listed_is_cut_off_at_max_file_size(tmp_path):
    """A hostile (or broken) API listing `pages/a.md` as 20 bytes and serving a 64 MB blob answer (or 64 GB):
    the whole answer was read into memory (then decoded, twice its size again) before the size was
    checked, whatever --max-file-size said. Now the read stops a little past --max-file-size (as
    base64) and the file fails as too large, in its usual words; the run goes on."""
    sent, total = [0], 64 * 1024 * 1024
    with FakeGitHub(None) as fake:
        fake.commit({"pages/a.md": b"- a page\n", "b.ttl": TTL.format(name="B").encode()})
        fake.answer_hook = endless_blob(sent, total)
        env = {"GITHUB_TOKEN": fake.token, "ONTOSYNC_GITHUB_TIMEOUT": "30", "ONTOSYNC_RETRY_BACKOFF": "0.01"}
        report = tmp_path / "r.json"
        proc = cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", tmp_path / "x.db", "--quiet",
                   "--max-file-size", "100000", "--report", report, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert sent[0] < total // 4, f"{sent[0]} of {total} bytes sent"  # (the rest: the sockets' buffers)
    said = json.loads(report.read_text(encoding="utf-8"))
    failures = json.dumps(said)
    assert re.search(r"file too large: more than 100000 bytes \(limit 100000, --max-file-size\)", failures), failures
    assert said["files"]["failed"] == 2, said["files"]


def test_a_link_blob_served_larger_than_listed_is_a_broken_link(tmp_path):
    """The same for a symbolic link's blob (its target text, listed as 5 bytes): read whole before;
    with its read cut off, the FileTooLarge ended the listing in a traceback. Now the read stops past
    the longest target a link can hold (4096 bytes) and the link is broken, as a longer one is."""
    sent, total = [0], 64 * 1024 * 1024
    with FakeGitHub(None) as fake:
        fake.commit({"b.ttl": TTL.format(name="B").encode()}, links={"l.ttl": "b.ttl"})
        link_sha = next(sha for sha, data in fake.repo.blobs.items() if data == b"b.ttl")
        hostile = endless_blob(sent, total)
        fake.answer_hook = lambda handler, seg, query: hostile(handler, seg, query) if seg[-1] == link_sha else None
        env = {"GITHUB_TOKEN": fake.token, "ONTOSYNC_GITHUB_TIMEOUT": "30", "ONTOSYNC_RETRY_BACKOFF": "0.01"}
        proc = cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", tmp_path / "x.db", env=env)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "l.ttl: broken symbolic link" in proc.stderr
    assert sent[0] < total // 4, f"{sent[0]} of {total} bytes sent"
