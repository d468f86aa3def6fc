"""Nothing lost without a word: a linked folder the walk does not descend (a checkout's and the
GitHub source's alike), a GitHub sync that could not start, and a checkpoint path a sync refuses."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from tests.fake_github import FakeGitHub
from tests.helpers import cli

PAGE = b"type:: [[Class]]\n"
LINK_WORDS = "a symbolic link to a folder, not followed: the files in it are not synced"


def _tree_with_linked_folders(tmp_path: Path) -> Path:
    """`pages -> ../elsewhere/pages` (a folder outside), `more -> inner` (a folder inside), one page
    of its own in `inner/`, and `notes -> inner/A.md` (a link to a file, not selected by its name)."""
    (tmp_path / "elsewhere" / "pages").mkdir(parents=True)
    (tmp_path / "elsewhere" / "pages" / "Lost.md").write_bytes(PAGE)
    src = tmp_path / "src"
    (src / "inner").mkdir(parents=True)
    (src / "inner" / "A.md").write_bytes(PAGE)
    (src / "pages").symlink_to("../elsewhere/pages")
    (src / "more").symlink_to("inner")
    (src / "notes").symlink_to("inner/A.md")
    (src / "Out.md").symlink_to("../elsewhere/pages/Lost.md")  # a page, selected by its name, outside
    return src


def _linked_folder_warnings(report: Path) -> list[str]:
    warnings = json.loads(report.read_text())["warnings"]
    return [w["path"] for w in warnings if w["kind"] == "linked-folder" and w["message"].startswith(LINK_WORDS)]


def _linked_file_warnings(report: Path) -> list[tuple[str, str]]:
    return [(w["path"], w["message"]) for w in json.loads(report.read_text())["warnings"] if w["kind"] == "linked-file"]


OUTSIDE = "symbolic link leads outside the source root: not followed, the file is recorded skipped"


def test_a_linked_folder_of_a_checkout_is_named_once_in_the_report_and_on_the_terminal(tmp_path):
    """`pages -> ../elsewhere/pages`: every page in it was left out with no row and no warning, the
    summary "1 files: 1 ok"."""
    src = _tree_with_linked_folders(tmp_path)
    report = tmp_path / "r.json"
    proc = cli("sync", src, "--db", tmp_path / "o.db", "--report", report, "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    # once, though the walk runs twice; `more -> inner` is not: the walk lists inner/ itself
    assert _linked_folder_warnings(report) == ["pages"]
    assert "not descended: pages: a symbolic link to a folder" in proc.stderr
    # a selected link not followed was one more "skipped" among the pages that hold no class
    assert _linked_file_warnings(report) == [("Out.md", OUTSIDE)]
    assert f"not followed: Out.md: {OUTSIDE}" in proc.stderr
    with sqlite3.connect(tmp_path / "o.db") as con:
        assert [r[0] for r in con.execute("SELECT path FROM source_files ORDER BY path")] == ["Out.md", "inner/A.md"]


def test_a_linked_folder_the_include_globs_cannot_reach_is_not_named(tmp_path):
    """Only a link that could hold selected files is news: `--include 'inner/**'` leaves both out."""
    src = _tree_with_linked_folders(tmp_path)
    report = tmp_path / "r.json"
    proc = cli("sync", src, "--db", tmp_path / "o.db", "--report", report, "--include", "inner/**", "--quiet",
               "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    assert _linked_folder_warnings(report) == []


def test_a_linked_folder_of_a_github_tree_is_named_as_a_checkouts(tmp_path):
    """The same tree through the API (mode 120000 entries): `sub/x.md -> ../inner` is a folder inside
    the repository, said alike; `more -> inner` is one the sync lists itself, not named, as by a
    checkout's walk (test_sources_round14.py); `pages -> ../elsewhere/pages` leads out of it (nothing
    there on GitHub), and `notes -> inner/A.md` is a file: neither is a folder the repository holds."""
    with FakeGitHub(None) as fake:
        fake.commit({"inner/A.md": PAGE}, links={"pages": "../elsewhere/pages", "more": "inner",
                                                 "notes": "inner/A.md", "sub/x.md": "../inner",
                                                 "Out.md": "../elsewhere/pages/Lost.md"})
        report = tmp_path / "r.json"
        proc = cli("sync", "github:o/r", "--api-url", fake.url, "--db", tmp_path / "g.db", "--report", report,
                   "--workers", "1", env={"GITHUB_TOKEN": fake.token, "ONTOSYNC_RETRY_BACKOFF": "0.001"})
    assert proc.returncode == 0, proc.stderr
    assert _linked_folder_warnings(report) == ["sub/x.md"]
    assert "not descended: sub/x.md: a symbolic link to a folder" in proc.stderr
    assert _linked_file_warnings(report) == [("Out.md", OUTSIDE)]


def test_a_github_sync_that_cannot_reach_github_leaves_no_database(tmp_path):
    """Offline (nothing listens), a bad token, an unknown repository: exit 2, and the empty,
    migrated `g.db` and its lock stayed, which `status` then showed as an ontosync database of 0 files."""
    with FakeGitHub(None) as fake:
        fake.commit({"a.md": PAGE})
        url = fake.url
        bad_token = cli("sync", "github:o/r", "--api-url", url, "--db", tmp_path / "t.db",
                        env={"GITHUB_TOKEN": "ghp_wrong_token_0123456789abcdef"})
        unknown = cli("sync", "github:o/nope", "--api-url", url, "--db", tmp_path / "u.db",
                      env={"GITHUB_TOKEN": fake.token})
    offline = cli("sync", "github:o/r", "--api-url", url, "--db", tmp_path / "o.db", "--retries", "1",
                  env={"ONTOSYNC_RETRY_BACKOFF": "0.001"})
    for proc in (bad_token, unknown, offline):
        assert proc.returncode == 2 and proc.stderr.startswith("ontosync: error: "), proc.stderr
        assert "Traceback" not in proc.stderr
    assert sorted(os.listdir(tmp_path)) == []
    assert cli("status", "--db", tmp_path / "o.db").returncode == 2  # "database not found", as before any sync


def test_status_says_of_a_checkpoint_path_what_a_sync_says(tmp_path):
    """`status --checkpoint DIR` said "the next sync replaces it", `status --checkpoint -` said
    "none"; a sync refuses both (exit 2). status now gives the sync's own words."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "A.md").write_bytes(PAGE)
    db = tmp_path / "o.db"
    assert cli("sync", src, "--db", db, "--quiet", "--workers", "1").returncode == 0
    folder = tmp_path / "cp"
    folder.mkdir()
    for given, words in ((str(folder), f"--checkpoint {folder}: is a folder; give a file path"),
                         ("-", "--checkpoint -: standard output, which no sync can resume from")):
        sync = cli("sync", src, "--db", db, "--checkpoint", given)
        assert sync.returncode == 2 and words in sync.stderr
        status = cli("status", "--db", db, "--checkpoint", given)
        assert status.returncode == 0
        [line] = [x for x in status.stdout.splitlines() if x.startswith("checkpoint")]
        assert line.startswith(f"checkpoint    none: a sync refuses this path: {words}")
        shown = json.loads(cli("status", "--db", db, "--checkpoint", given, "--json").stdout)
        assert shown["checkpoint"] is None and words in shown["checkpoint_unreadable"]


def test_permissions_first_sync_stopped_before_any_file_and_a_link_it_may_not_examine(tmp_path):
    """Bound by permissions, one process for both (tests/test_hostile_env5.run_readers_unprivileged):
    a graph's `logseq/config.edn` it may not read stops a first sync (exit 2), and the empty,
    migrated `o.db` it created stayed, which `status` showed as a synced database of 0 files (its
    lock file goes too: tests/test_hostile_env6.py); `pages -> ../private/pages` under a
    folder of mode 000 was left out with no word, as any link it cannot examine."""
    from tests.privileges import restore_permissions
    from tests.test_hostile_env5 import run_readers_unprivileged

    graph, linked, private = tmp_path / "graph", tmp_path / "linked", tmp_path / "private"
    (graph / "logseq").mkdir(parents=True)
    (graph / "A.md").write_bytes(PAGE)
    (graph / "logseq" / "config.edn").write_text("{}")
    (private / "pages").mkdir(parents=True)
    linked.mkdir()
    (linked / "A.md").write_bytes(PAGE)
    (linked / "pages").symlink_to("../private/pages")
    os.chmod(graph / "logseq" / "config.edn", 0)
    os.chmod(private, 0)
    report = tmp_path / "r.json"
    try:
        (code, err, _), (linked_code, _, _) = run_readers_unprivileged(
            ("sync", str(graph), "--db", str(tmp_path / "o.db"), "--workers", "1"),
            ("sync", str(linked), "--db", str(tmp_path / "l.db"), "--report", str(report), "--quiet", "--workers", "1"))
    finally:
        restore_permissions(tmp_path)
        os.chmod(private, 0o755)
        os.chmod(graph / "logseq" / "config.edn", 0o644)
    assert code == 2 and "cannot read logseq/config.edn: Permission denied" in err, err
    assert not (tmp_path / "o.db").exists() and not (tmp_path / "o.db.lock").exists()
    assert linked_code == 0
    [warning] = [w for w in json.loads(report.read_text())["warnings"] if w["kind"] == "linked-folder"]
    assert warning["path"] == "pages" and warning["message"].startswith(
        "symbolic link whose target cannot be examined (Permission denied), not followed: if it leads to a folder")


def test_a_linked_folder_excluded_or_synced_anyway_is_not_named_and_a_linked_page_once(tmp_path):
    """`--exclude 'node_modules/**'` with `node_modules/pkg -> ../../other` was warned "not
    descended", `latest -> pages` "the files in it are not synced" though pages/ was synced, and
    `x.md -> ../elsewhere` (a page's name, a folder outside) was named twice: as a folder, as a file."""
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "B.md").write_bytes(PAGE)
    src = tmp_path / "src"
    (src / "node_modules").mkdir(parents=True)
    (src / "pages").mkdir()
    (src / "pages" / "A.md").write_bytes(PAGE)
    (src / "node_modules" / "pkg").symlink_to("../../other")
    (src / "latest").symlink_to("pages")
    (src / "x.md").symlink_to("../other")
    (src / "lost").symlink_to("../other")  # still news: outside, its B.md is not synced
    report = tmp_path / "r.json"
    proc = cli("sync", src, "--db", tmp_path / "o.db", "--report", report, "--exclude", "node_modules/**",
               "--quiet", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    assert _linked_folder_warnings(report) == ["lost"]
    assert _linked_file_warnings(report) == [("x.md", OUTSIDE)]


def test_a_github_link_under_an_excluded_folder_is_neither_fetched_nor_named(tmp_path):
    """On GitHub, each link under `node_modules/` had its blob fetched to warn of it as a folder."""
    with FakeGitHub(None) as fake:
        # `more` leads to a folder the sync leaves out (a link to inner/, which it lists, is no news)
        fake.commit({"inner/A.md": PAGE, "node_modules/x/B.md": PAGE},
                    links={"node_modules/pkg": "../inner", "more": "node_modules/x"})
        report = tmp_path / "r.json"
        proc = cli("sync", "github:o/r", "--api-url", fake.url, "--db", tmp_path / "g.db", "--report", report,
                   "--exclude", "node_modules/**", "--workers", "1",
                   env={"GITHUB_TOKEN": fake.token, "ONTOSYNC_RETRY_BACKOFF": "0.001"})
        fetched = [path for _, _, path, _ in fake.log if "/git/blobs/" in path]
    assert proc.returncode == 0, proc.stderr
    assert _linked_folder_warnings(report) == ["more"]
    assert len(fetched) == 2, fetched  # the page and `more`'s text: not node_modules/pkg's


def test_status_says_of_a_checkpoint_url_what_a_sync_says(tmp_path):
    """`status --checkpoint postgresql://u:pw@h/c.json` printed "checkpoint none", a sync refuses it."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "A.md").write_bytes(PAGE)
    db = tmp_path / "o.db"
    given = "postgresql://u:secretpw@h/c.json"
    assert cli("sync", src, "--db", db, "--quiet", "--workers", "1").returncode == 0
    sync = cli("sync", src, "--db", db, "--checkpoint", given, "--quiet")
    assert sync.returncode == 2 and "a URL, not a path" in sync.stderr and "secretpw" not in sync.stderr
    status = cli("status", "--db", db, "--checkpoint", given)
    assert status.returncode == 0 and "secretpw" not in status.stdout + status.stderr
    [line] = [x for x in status.stdout.splitlines() if x.startswith("checkpoint")]
    assert line.startswith("checkpoint    none: a sync refuses this path: --checkpoint ")
    assert "a URL, not a path" in line


def test_permissions_a_first_postgresql_sync_that_cannot_read_its_source_leaves_no_schema(tmp_path):
    """The PostgreSQL twin of a first SQLite sync stopped by a `logseq/config.edn` it may not read
    (exit 2): the empty, migrated schema stayed, which `status` listed as a store of 0 files. A
    schema there before the run (a DBA's, with its grants) stays."""
    from tests.postgres_server import connect, drop_schema, new_schema, run_sql, schema_url
    from tests.privileges import restore_permissions
    from tests.test_hostile_env5 import run_readers_unprivileged

    graph = tmp_path / "graph"
    (graph / "logseq").mkdir(parents=True)
    (graph / "A.md").write_bytes(PAGE)
    (graph / "logseq" / "config.edn").write_text("{}")
    fresh, made = new_schema(), new_schema()
    run_sql(f'CREATE SCHEMA "{made}"')
    os.chmod(graph / "logseq" / "config.edn", 0)
    try:
        results = run_readers_unprivileged(*[("sync", str(graph), "--db", schema_url(name), "--workers", "1")
                                             for name in (fresh, made)])
        conn = connect()
        try:
            cur = conn.cursor()
            cur.execute("SELECT nspname FROM pg_namespace WHERE nspname IN (%s, %s)", (fresh, made))
            left = [r[0] for r in cur.fetchall()]
        finally:
            conn.close()
    finally:
        restore_permissions(tmp_path)
        os.chmod(graph / "logseq" / "config.edn", 0o644)
        drop_schema(fresh)
        drop_schema(made)
    for code, err, _ in results:
        assert code == 2 and "cannot read logseq/config.edn: Permission denied" in err, err
    assert left == [made]
