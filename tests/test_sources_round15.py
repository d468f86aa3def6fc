"""Round 15: sources and configuration. GitHub answering with a rate-limit header repeated (a proxy
adding its own, two lines of `Retry-After`) is read deliberately, the most conservative value winning;
a path filter's one decision of whether a folder may hold a selected file agrees with a full walk
both ways. Against the fake GitHub API on 127.0.0.1 (tests/fake_github.py) and real trees on disk."""

from __future__ import annotations

import itertools
import json
import os
import re
import sqlite3
import time
from pathlib import Path

import pytest

from tests.fake_github import FakeGitHub
from tests.helpers import cli

PAGE = b"type:: [[Class]]\n"
ENV = {"ONTOSYNC_GITHUB_TIMEOUT": "30", "ONTOSYNC_RETRY_BACKOFF": "0.01"}


def sync(fake: FakeGitHub, db: Path, *extra: str):
    return cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", str(db), "--workers", "1", *extra,
               env={"GITHUB_TOKEN": fake.token, **ENV})


def synced(db: Path) -> list[str]:
    with sqlite3.connect(db) as con:
        return sorted(p for (p,) in con.execute("SELECT path FROM source_files"))


def needs_pygithub_connection_class() -> None:
    """The PyGithub internals the repeated headers are read through before PyGithub reads them
    itself: skip where a PyGithub without them is installed (ontosync leaves its reading alone then)."""
    from github import Github

    if not hasattr(Github(lazy=True).requester, "_Requester__connectionClass"):
        pytest.skip("this PyGithub has no per-requester connection class")


def raw_answer(status: int, pairs: list[tuple[str, str]], *, times: int = 1):
    """An answer hook: the first `times` tree requests get `status` with exactly the header lines
    `pairs` (repeats kept, as a proxy that adds its own sends them)."""
    left = {"n": times}

    def hook(handler, seg, query):
        if seg[3:5] != ["git", "trees"] or left["n"] <= 0:
            return None
        left["n"] -= 1
        data = json.dumps({"message": "API rate limit exceeded for user ID 1."}).encode()
        handler.send_response(status)
        for key, value in [*pairs, ("Content-Type", "application/json"), ("Content-Length", str(len(data)))]:
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)
        handler._log("api", status)
        return status

    return hook


def extra_headers(extra: dict[str, str]):
    """An answer hook: every API answer carries `extra`'s headers after the fake's own (a rate-limit
    header of a proxy in front of GitHub, sent as a second line of the same name)."""

    def hook(handler, seg, query):
        send = type(handler)._send

        def with_extra(status, body=None, headers=None, **kw):
            send(handler, status, body, {**(headers or {}), **extra}, **kw)

        handler._send = with_extra
        return None

    return hook


# -- 1. repeated rate-limit headers -------------------------------------------------------------------
def test_two_retry_after_lines_wait_the_longer(tmp_path):
    """Was: `Retry-After: 1` and `Retry-After: 3` reached ontosync as "1, 3", no number: the wait
    was the 60 s of a limit that says nothing ("resets in 60 s, longer than the 2 s"). The longer
    wins: a wait too short meets the limit again, and GitHub lengthens its penalty."""
    with FakeGitHub(None) as fake:
        fake.commit({"pages/a.md": PAGE})
        fake.answer_hook = raw_answer(429, [("Retry-After", "1"), ("Retry-After", "3")])
        r = sync(fake, tmp_path / "x.db", "--max-rate-limit-wait", "2")
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert "it resets in 3 s, longer than the 2 s this run may wait" in r.stderr.strip().splitlines()[-1]


def test_two_retry_after_lines_within_the_allowed_wait_are_waited_out(tmp_path):
    """The same answer with the longer wait allowed: waited (1 s, not 60 s, not 0 s), then synced."""
    with FakeGitHub(None) as fake:
        fake.commit({"pages/a.md": PAGE})
        fake.answer_hook = raw_answer(429, [("Retry-After", "0"), ("Retry-After", "1")])
        started = time.monotonic()
        r = sync(fake, tmp_path / "x.db", "--max-rate-limit-wait", "5")
        took = time.monotonic() - started
    assert r.returncode == 0, r.stderr
    assert "waiting 1 s" in r.stderr
    assert 1 <= took < 30
    assert synced(tmp_path / "x.db") == ["pages/a.md"]


def test_a_retry_after_date_beside_seconds_is_read_as_two_values(tmp_path):
    """An HTTP date holds a comma of its own (`Wed, 21 Oct ...`): joined with a repeat, it is still
    one value, and the later of the two times wins."""
    from email.utils import formatdate

    with FakeGitHub(None) as fake:
        fake.commit({"pages/a.md": PAGE})
        fake.answer_hook = raw_answer(429, [("Retry-After", formatdate(time.time() + 400, usegmt=True)),
                                            ("Retry-After", "2")])
        r = sync(fake, tmp_path / "x.db", "--max-rate-limit-wait", "100")
    assert r.returncode == 1, r.stderr
    wait = int(re.search(r"it resets in (\d+) s, longer than the 100 s", r.stderr).group(1))
    assert 395 <= wait <= 400


def test_a_used_up_limit_said_twice_stops_on_the_later_reset(tmp_path):
    """Was: `X-RateLimit-Remaining: 0` twice is "0, 0" to PyGithub, whose int() of it failed: the
    run ended "unexpected ValueError from the GitHub client", exit 2, no checkpoint. Now the fewest
    requests left and the latest reset win: a stop (exit 1) that names the later reset."""
    needs_pygithub_connection_class()
    with FakeGitHub(None) as fake:
        fake.commit({"pages/a.md": PAGE})
        now = int(time.time())
        fake.answer_hook = raw_answer(403, [
            ("X-RateLimit-Limit", "5000"), ("X-RateLimit-Limit", "60"),
            ("X-RateLimit-Remaining", "12"), ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", str(now + 1)), ("X-RateLimit-Reset", str(now + 30))])
        r = sync(fake, tmp_path / "x.db", "--max-rate-limit-wait", "5")
    assert r.returncode == 1, r.stderr
    assert "ValueError" not in r.stderr and "Traceback" not in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert "GitHub API primary rate limit reached for github:o/r@main" in last
    wait = int(re.search(r"it resets in (\d+) s, longer than the 5 s", last).group(1))
    assert 25 <= wait <= 32
    assert (tmp_path / "x.db.checkpoint.json").exists()


def test_a_proxy_repeating_the_remaining_count_on_every_answer_syncs(tmp_path):
    """Was: a proxy adding its own `X-RateLimit-Remaining` to GitHub's made every answer, a good
    one too, "unexpected ValueError from the GitHub client" (exit 2): no GitHub sync at all."""
    needs_pygithub_connection_class()
    with FakeGitHub(None) as fake:
        fake.commit({"pages/a.md": PAGE, "pages/b.md": b"- b\n"})
        fake.answer_hook = extra_headers({"X-RateLimit-Remaining": "4000", "X-RateLimit-Reset": "1"})
        r = sync(fake, tmp_path / "x.db")
    assert r.returncode == 0, r.stderr
    assert synced(tmp_path / "x.db") == ["pages/a.md", "pages/b.md"]


def test_repeated_values_resolve_to_the_most_conservative():
    """The one reading of repeated rate-limit headers, as GitHub's answers and the Action's downloads
    pass them (requests joins repeats with ", "): the fewest requests left, the latest reset, the
    longest Retry-After; one value, or none repeated, stays as sent."""
    from ontosync.sources.github_http import rate_headers

    got = rate_headers({"X-RateLimit-Remaining": "12, 0, 7", "X-RateLimit-Reset": "100, 300, 200",
                        "Retry-After": "Wed, 21 Oct 2065 07:28:00 GMT, 5", "X-RateLimit-Limit": "5000, 60",
                        "ETag": 'W/"a", W/"b"'})
    assert got == {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "300",
                   "retry-after": "Wed, 21 Oct 2065 07:28:00 GMT", "x-ratelimit-limit": "60", "etag": 'W/"a", W/"b"'}
    assert rate_headers({"Retry-After": "3, 1"}) == {"retry-after": "3"}
    assert rate_headers({"Retry-After": "soon, 4"}) == {"retry-after": "soon"}  # unreadable: 60 s, the longer
    assert rate_headers({"X-RateLimit-Remaining": "0"}) == {"x-ratelimit-remaining": "0"}


# -- 2. one decision of whether a folder may hold a selected file --------------------------------------
NAMES = ("docs", "a", "src", ".h")
FILES = ("x.md", "c.ttl", ".n.md")


def full_tree() -> list[str]:
    """Every path of a tree three folders deep over NAMES, each folder holding FILES: deep and wide
    enough that each glob below that can match inside a folder two deep or less matches a path of it
    here (`**/docs/*.ttl` can match inside `.h/.h/.h/`, in a folder deeper than this tree)."""
    folders = [""] + ["".join(f"{n}/" for n in names) for depth in (1, 2, 3)
                      for names in itertools.product(NAMES, repeat=depth)]
    return sorted(f + name for f in folders for name in FILES)


FILTERS = {
    "the default": ({},),
    "docs/*.md": ({"include": ["docs/*.md"]},),
    "docs/": ({"include": ["docs/"]},),
    "**/docs/*.ttl": ({"include": ["**/docs/*.ttl"]},),
    "*/a/**/*.ttl": ({"include": ["*/a/**/*.ttl"]},),
    "{docs,src/a}/*.md": ({"include": ["{docs,src/a}/*.md"]},),
    "a**/x.md": ({"include": ["a**/x.md", "/src/*/.n.md"]},),
    "exclude docs/* and docs/*/*": ({"exclude": ["docs/*", "docs/*/*"]},),
    "exclude **/a/**": ({"exclude": ["**/a/**"]},),
    "exclude docs/a/ and .h/**/*": ({"exclude": ["docs/a/", ".h/**/*"]},),
    "exclude */*": ({"include": ["**/*.ttl"], "exclude": ["*/*", "*/*/*"]},),
    "docs/*.md with --path docs": ({"include": ["docs/**"], "subdir": "docs"},),
}


@pytest.mark.parametrize("kwargs", [v[0] for v in FILTERS.values()], ids=FILTERS.keys())
def test_a_folder_may_hold_a_selected_file_exactly_when_the_full_walk_selects_one_in_it(kwargs):
    """Both ways against the full walk's answer (the filter asked of every path): a folder it
    selects a file in is never pruned (was: `--exclude 'docs/*' --exclude 'docs/*/*'` pruned docs/,
    losing docs/a/b/c.ttl), and one it selects none in is not walked (was: `--include 'docs/*.md'`
    walked docs/a/ and every folder below it)."""
    from ontosync.sources import PathFilter

    pf = PathFilter(**kwargs)
    paths = full_tree()
    folders = sorted({p[: i + 1] for p in paths for i, ch in enumerate(p) if ch == "/" and p.count("/", 0, i) < 2})
    assert len(folders) == 4 + 16 and len(paths) == 3 * (1 + 4 + 16 + 64)
    selected = [p for p in paths if pf(p)]
    assert selected  # each filter selects something in this tree
    walked = {f: pf.may_select_under(f) for f in folders}
    differ = {f: said for f, said in walked.items() if said != any(p.startswith(f) for p in selected)}
    assert differ == {}


TTL = b"@prefix ex: <http://example.org/> .\nex:A a <http://www.w3.org/2002/07/owl#Class> .\n"
DEEP = {"top.ttl": TTL, "docs/x.ttl": TTL, "docs/a/y.ttl": TTL, "docs/a/b/c.ttl": TTL, "docs/a/b/d/e.ttl": TTL}
EXCLUDES = ("--exclude", "docs/*", "--exclude", "docs/*/*")


def test_a_folder_the_excludes_cover_only_in_part_is_walked_in_a_checkout(tmp_path):
    """Was: `--exclude 'docs/*' --exclude 'docs/*/*'` (the first two levels of docs/) left out
    docs/a/b/c.ttl and docs/a/b/d/e.ttl, which neither glob matches: docs/ was pruned from the walk.
    Now the checkout syncs what the filter selects, as the GitHub source does."""
    from ontosync.sources import PathFilter

    tree = tmp_path / "tree"
    for path, data in DEEP.items():
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_bytes(data)
    expected = sorted(p for p in DEEP if PathFilter(exclude=EXCLUDES[1::2])(p))
    assert expected == ["docs/a/b/c.ttl", "docs/a/b/d/e.ttl", "top.ttl"]
    r = cli("sync", str(tree), "--db", str(tmp_path / "x.db"), "--quiet", *EXCLUDES)
    assert r.returncode == 0, r.stderr
    assert synced(tmp_path / "x.db") == expected
    with FakeGitHub(None) as fake:
        fake.commit(DEEP)
        fake.truncate_over = 2  # GitHub's folder by folder walk prunes too
        r = sync(fake, tmp_path / "gh.db", "--quiet", *EXCLUDES)
    assert r.returncode == 0, r.stderr
    assert synced(tmp_path / "gh.db") == expected


def test_a_link_in_a_folder_no_glob_can_reach_is_not_warned_of(tmp_path):
    """Was: `--include 'docs/*.md'` warned of a link docs/old -> ../archive as "the files in it are
    not synced", though no file in docs/old/ could be selected; the walk entered docs/drafts/ too.
    A link where the globs can reach is still warned of."""
    tree = tmp_path / "tree"
    (tree / "docs" / "drafts").mkdir(parents=True)
    (tree / "archive").mkdir()
    (tree / "docs" / "x.md").write_bytes(PAGE)
    (tree / "docs" / "drafts" / "y.md").write_bytes(PAGE)
    (tree / "archive" / "z.md").write_bytes(PAGE)
    os.symlink("../archive", tree / "docs" / "old")
    os.symlink("archive", tree / "pages")
    report = tmp_path / "r.json"
    r = cli("sync", str(tree), "--db", str(tmp_path / "x.db"), "--quiet", "--include", "docs/*.md",
            "--include", "pages/*.md", "--report", str(report))
    assert r.returncode == 0, r.stderr
    assert synced(tmp_path / "x.db") == ["docs/x.md"]
    warned = [w["path"] for w in json.loads(report.read_text())["warnings"] if w["kind"] == "linked-folder"]
    assert warned == ["pages"]


def test_github_s_folder_walk_asks_the_filter_of_a_folder_s_recorded_name(tmp_path):
    """Was: GitHub's folder by folder walk (a truncated tree) asked whether a folder could hold a
    selected file by its raw name, where the filter reads recorded names (an ESC escaped as `\\x1b`,
    sources/names.py): `--include 'a*x1bb/*.md'` selects `a\\x1bb/x.md`, which a checkout synced and
    the GitHub walk pruned."""
    from ontosync.sources.names import display_name

    files = {"a\x1bb/x.md": PAGE, "top.md": PAGE}
    tree = tmp_path / "tree"
    (tree / "a\x1bb").mkdir(parents=True)
    for path, data in files.items():
        (tree / path).write_bytes(data)
    args = ("--quiet", "--include", "a*x1bb/*.md")
    r = cli("sync", str(tree), "--db", str(tmp_path / "x.db"), *args)
    assert r.returncode == 0, r.stderr
    assert synced(tmp_path / "x.db") == [display_name("a\x1bb/x.md")]
    with FakeGitHub(None) as fake:
        fake.commit(files)
        fake.truncate_over = 1
        r = sync(fake, tmp_path / "gh.db", *args)
    assert r.returncode == 0, r.stderr
    assert synced(tmp_path / "gh.db") == [display_name("a\x1bb/x.md")]


@pytest.mark.parametrize("args", [("--include", "./pages/*.md"), ("--include", "pages/./*.md"),
                                  ("--exclude", "./drafts/"), ("--exclude", "./drafts/**")],
                         ids=["include ./pages", "include pages/.", "exclude ./drafts/", "exclude ./drafts/**"])
def test_a_glob_written_from_the_current_folder_selects_as_written_from_the_root(tmp_path, args):
    """Was: `--include './pages/*.md'` selected nothing (0 files, exit 0) and `--exclude './drafts/'`
    left nothing out (drafts/ synced), as `--path ./pages` names pages: no walk records a `.`
    folder, so no glob holding one matched a path. A `./` (or `/./`) in a glob is now no folder."""
    tree = tmp_path / "tree"
    for path in ("pages/a.md", "drafts/b.md", "c.md"):
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_bytes(PAGE)
    r = cli("sync", str(tree), "--db", str(tmp_path / "x.db"), "--quiet", *args)
    assert r.returncode == 0, r.stderr
    expected = ["pages/a.md"] if args[0] == "--include" else ["c.md", "pages/a.md"]
    assert synced(tmp_path / "x.db") == expected


@pytest.mark.parametrize("value", ["unlimited", "", "nan", "inf"])
def test_a_rate_limit_header_that_is_no_number_does_not_fail_every_request(tmp_path, value):
    """Was: a proxy (or a server) answering `X-RateLimit-Remaining: unlimited`, blank, `nan` or `inf`
    failed every request, good answers too, "unexpected ValueError from the GitHub client" (exit 2):
    PyGithub reads the header with int(float()). Such a value now says nothing, as no header does."""
    needs_pygithub_connection_class()

    def hook(handler, seg, query):
        def send(status, body=None, headers=None, raw=None, api=True):
            data = json.dumps(body).encode() if raw is None and body is not None else (raw or b"")
            handler.send_response(status)
            for key, val in [("Content-Type", "application/json"), ("X-RateLimit-Limit", value),
                             ("X-RateLimit-Remaining", value), ("X-RateLimit-Reset", value),
                             *(headers or {}).items(), ("Content-Length", str(len(data)))]:
                handler.send_header(key, val)
            handler.end_headers()
            handler.wfile.write(data)

        handler._send = send
        return None

    with FakeGitHub(None) as fake:
        fake.commit({"pages/a.md": PAGE, "pages/b.md": b"- b\n"})
        fake.answer_hook = hook
        r = sync(fake, tmp_path / "x.db", "--quiet")
    assert r.returncode == 0, r.stderr
    assert synced(tmp_path / "x.db") == ["pages/a.md", "pages/b.md"]


def test_a_blob_larger_than_its_listing_said_is_held_to_max_file_size(tmp_path):
    """Was: a tree answer that lists a file smaller than it is (a proxy's, a broken mirror's) had its
    blob read and parsed whatever its size: --max-file-size was checked against the listing only.
    Now the blob's own size is checked too: the file is refused unread, as one listed at its size."""
    from tests.fake_github import blob_sha

    big = b"- " + b"x" * 4998 + b"\n"
    with FakeGitHub(None) as fake:
        fake.commit({"pages/big.md": big, "pages/a.md": PAGE})

        def small_sizes(handler, seg, query):
            if seg[3:5] != ["git", "trees"]:
                return None
            tree = [{"path": "pages", "mode": "040000", "type": "tree", "sha": "1" * 40},
                    *({"path": path, "mode": "100644", "type": "blob", "sha": blob_sha(data), "size": len(PAGE)}
                      for path, data in (("pages/a.md", PAGE), ("pages/big.md", big)))]
            handler._send(200, {"sha": seg[-1], "tree": tree, "truncated": False})
            return 200

        fake.answer_hook = small_sizes
        r = sync(fake, tmp_path / "x.db", "--quiet", "--max-file-size", "1000", "--max-error-rate", "1")
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(tmp_path / "x.db") as con:
        rows = dict(con.execute("SELECT path, error FROM source_files"))
    assert sorted(rows) == ["pages/a.md", "pages/big.md"]
    assert rows["pages/big.md"] == f"file too large: {len(big)} bytes (limit 1000, --max-file-size)"


def test_a_config_edn_larger_than_its_listing_said_is_held_to_its_limit(tmp_path):
    """A tree answer that lists `logseq/config.edn` smaller than it is (as pages' were before cf02331):
    the config's own reader holds the blob to its limit, so Logseq's defaults apply with the warning
    a config listed at its size gets (reported as a gap after cf02331; it was none: this keeps it so)."""
    from ontosync.parsing.logseq_config import MAX_CONFIG_BYTES
    from tests.fake_github import blob_sha

    config = b'{:hidden ["pages/secret"]}\n' + b";" * MAX_CONFIG_BYTES + b"\n"
    files = {"logseq/config.edn": config, "pages/a.md": PAGE, "pages/secret/b.md": PAGE}
    with FakeGitHub(None) as fake:
        fake.commit(files)

        def small_sizes(handler, seg, query):
            if seg[3:5] != ["git", "trees"]:
                return None
            folders = [{"path": p, "mode": "040000", "type": "tree", "sha": "1" * 40}
                       for p in ("logseq", "pages", "pages/secret")]
            tree = [*folders, *({"path": path, "mode": "100644", "type": "blob", "sha": blob_sha(data), "size": 100}
                                for path, data in files.items())]
            handler._send(200, {"sha": seg[-1], "tree": tree, "truncated": False})
            return 200

        fake.answer_hook = small_sizes
        r = sync(fake, tmp_path / "x.db", "--quiet", "--report", str(tmp_path / "r.json"))
    assert r.returncode == 0, r.stderr
    warnings = json.loads((tmp_path / "r.json").read_text())["warnings"]
    assert {"path": "logseq/config.edn", "kind": "logseq-config", "line": None,
            "message": f"logseq/config.edn: larger than {MAX_CONFIG_BYTES} bytes; Logseq's defaults apply"} in warnings
    assert synced(tmp_path / "x.db") == ["pages/a.md", "pages/secret/b.md"]  # no :hidden: the defaults
