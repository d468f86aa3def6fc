"""`ontosync sync github:OWNER/REPO`, second bug hunt (h26): answers GitHub really gives that the
first hunt's tests (test_github_source.py, test_github_sync.py, test_github_hostile_answers.py)
did not cover, against the fake GitHub API on 127.0.0.1 (tests/fake_github.py). Each test is the
user-visible failure one fix closed."""

from __future__ import annotations

import sqlite3
import urllib.parse
from pathlib import Path

from tests.fake_github import FakeGitHub
from tests.helpers import cli

FILES = {"pages/a.md": b"- a\n", "pages/deep/b.md": b"- b\n", "journals/2024_01_01.md": b"- j\n"}


def sync(fake: FakeGitHub, db: Path, spec: str = "github:o/r@main", *extra: str):
    """One in-process sync (a handful of requests)."""
    env = {"GITHUB_TOKEN": fake.token, "ONTOSYNC_GITHUB_TIMEOUT": "30", "ONTOSYNC_RETRY_BACKOFF": "0.01"}
    return cli("sync", spec, "--api-url", fake.url, "--db", str(db), "--quiet", *extra, env=env)


def recorded(db: Path) -> list[str]:
    with sqlite3.connect(db) as con:
        return sorted(p for (p,) in con.execute("SELECT path FROM source_files"))


def renamed_from(old_owner: str):
    """GitHub's answer for a moved repository: 301 to the new location, path and query kept."""
    def hook(handler, seg, query):
        if seg[:2] != ["repos", old_owner]:
            return None
        parts = urllib.parse.urlsplit(handler.path)
        new_path = parts.path.replace(f"/repos/{old_owner}/", "/repos/o/", 1)
        location = urllib.parse.urlunsplit(("http", handler.headers["Host"], new_path, parts.query, ""))
        handler._send(301, {"message": "Moved Permanently", "url": location}, headers={"Location": location})
        return 301
    return hook


def test_a_moved_repository_syncs_every_file(tmp_path):
    """Was: for a repository moved or renamed (GitHub answers 301), PyGithub follows the redirect
    without its query, so the recursive tree request came back as the top folder only: the run
    said it synced, recorded no page under any folder, and would have deleted them all."""
    with FakeGitHub(None) as fake:
        fake.commit(FILES)
        fake.answer_hook = renamed_from("old")
        r = sync(fake, tmp_path / "x.db", "github:old/r@main")
        assert r.returncode == 0, r.stderr
        # only the first request met the redirect: the rest asked the repository's new name
        assert [path for (_kind, _method, path, status) in fake.log if status == 301] == ["/repos/old/r/commits/main"]
        assert recorded(tmp_path / "x.db") == sorted(FILES)


LFS_POINTER = (b"version https://git-lfs.github.com/spec/v1\n"
               b"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n")


def test_a_git_lfs_pointer_fails_with_a_message_saying_so(tmp_path):
    """Was: a `.ttl` kept in Git LFS (GitHub's API and tarball serve the pointer, not the file)
    failed with "Turtle syntax error: The VERSION keyword should be followed by a single quoted
    string", and a page kept in LFS was quietly `skipped` as "no OntologyBlock heading"."""
    with FakeGitHub(None) as fake:
        fake.commit({"onto.ttl": LFS_POINTER, "pages/big.md": LFS_POINTER, "pages/a.md": b"- a\n"})
        db = tmp_path / "x.db"
        sync(fake, db)
        with sqlite3.connect(db) as con:
            rows = dict(con.execute("SELECT path, status || ': ' || error FROM source_files WHERE error IS NOT NULL"))
    lfs = "failed: Git LFS pointer, not the file's content"
    assert rows["onto.ttl"].startswith(lfs), rows
    assert rows["pages/big.md"].startswith(lfs), rows
    assert rows["pages/a.md"] == "skipped: no OntologyBlock heading", rows


def test_a_private_repository_without_a_token_says_to_set_one(tmp_path):
    """Was: with no token, a private repository (GitHub answers 404 to anonymous requests) was
    reported as one that "does not exist or the token cannot read it": there was no token."""
    with FakeGitHub(None, token=None) as fake:
        fake.commit({"pages/a.md": b"- a\n"})
        r = cli("sync", "github:o/private@main", "--api-url", fake.url, "--db", str(tmp_path / "x.db"),
                "--quiet", env={"GITHUB_TOKEN": "", "ONTOSYNC_RETRY_BACKOFF": "0.01"})
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert ("repository o/private does not exist, or is private and no token was given: set GITHUB_TOKEN"
            in r.stderr), r.stderr


def test_a_truncated_tree_still_reads_the_graphs_logseq_config(tmp_path):
    """Was: when GitHub truncated the recursive tree (over 100,000 entries or 7 MB), the folder by
    folder walk entered only folders `--path` selects, so `graph/logseq/config.edn` of
    `--path graph/pages` was never listed: the run used Logseq's defaults (here: a page the config
    hides was synced) and the database differed from the one an untruncated listing gives."""
    files = {"graph/logseq/config.edn": b'{:hidden ["pages/secret.md"]}\n',
             "graph/pages/secret.md": b"- secret\n", "graph/pages/a.md": b"- a\n"}
    statuses = {}
    for name, truncate_over in (("whole", None), ("truncated", 1)):
        with FakeGitHub(None) as fake:
            fake.commit(files)
            fake.truncate_over = truncate_over
            db = tmp_path / f"{name}.db"
            r = sync(fake, db, "github:o/r@main", "--path", "graph/pages")
            assert r.returncode == 0, r.stderr
        with sqlite3.connect(db) as con:
            statuses[name] = dict(con.execute("SELECT path, status || ': ' || coalesce(error, '') FROM source_files"))
    assert statuses["whole"]["graph/pages/secret.md"].startswith("skipped: hidden"), statuses
    assert statuses["truncated"] == statuses["whole"]


def test_the_api_url_defaults_to_github_api_url_as_fetch_db_does(tmp_path):
    """Was: `ontosync sync github:OWNER/REPO` in a GitHub Enterprise Server workflow step ignored
    $GITHUB_API_URL (which `ontosync fetch-db` and the Action honour) and sent the server's token
    to api.github.com, failing with a message about github.com."""
    with FakeGitHub(None) as fake:
        fake.commit(FILES)
        env = {"GITHUB_TOKEN": fake.token, "GITHUB_API_URL": fake.url, "ONTOSYNC_RETRY_BACKOFF": "0.01",
               "ONTOSYNC_GITHUB_TIMEOUT": "5"}
        r = cli("sync", "github:o/r@main", "--db", str(tmp_path / "x.db"), "--quiet", "--retries", "1", env=env)
        assert r.returncode == 0, r.stderr
        assert fake.count("api") > 0
    assert recorded(tmp_path / "x.db") == sorted(FILES)


def test_a_tree_answer_that_is_not_recursive_is_walked_not_taken_whole(tmp_path):
    """Was: an answer to `GET .../git/trees/SHA?recursive=1` that lists the top folder only (a
    redirect or proxy that drops the query, as PyGithub's 301 handling does) was taken as the
    whole tree: pages under folders were dropped from the database without a word."""
    def hook(handler, seg, query):
        if seg[3:5] == ["git", "trees"] and query.get("recursive"):
            target = urllib.parse.urlsplit(handler.path).path  # the same request without the query
            handler.path = target
            return handler._api(seg, {})
        return None

    with FakeGitHub(None) as fake:
        fake.commit(FILES)
        fake.answer_hook = hook
        r = sync(fake, tmp_path / "x.db")
        assert r.returncode == 0, r.stderr
    assert recorded(tmp_path / "x.db") == sorted(FILES)
