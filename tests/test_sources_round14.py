"""Round 14: the GitHub source and a checkout's walk agree on the same tree (links to folders,
excluded folders, submodules), and the GitHub source refuses what only a lying API can send
(paths out of the repository, object ids that are no hex) and says rate limits plainly, while names git
holds (a backslash, a folder `C:`) are synced from the tree and the tarball as from a checkout. Against the
fake GitHub API on 127.0.0.1 (tests/fake_github.py)."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from tests.fake_github import FakeGitHub, blob_sha
from tests.helpers import cli

PAGE = b"type:: [[Class]]\n"
ENV = {"ONTOSYNC_GITHUB_TIMEOUT": "30", "ONTOSYNC_RETRY_BACKOFF": "0.01"}


def sync(fake: FakeGitHub, db: Path, *extra: str):
    return cli(
        "sync",
        "github:o/r@main",
        "--api-url",
        fake.url,
        "--db",
        str(db),
        "--quiet",
        "--workers",
        "1",
        *extra,
        env={"GITHUB_TOKEN": fake.token, **ENV},
    )


def one_line_error(r) -> str:
    assert "Traceback" not in r.stderr, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    return lines[0]


def on_trees(tree: list[dict], *, recursive_only: bool = False):
    """An answer hook: every recursive tree answer lists `tree` (GitHub's entry shape)."""

    def hook(handler, seg, query):
        if seg[3:5] != ["git", "trees"] or (recursive_only and not query.get("recursive")):
            return None
        handler._send(200, {"sha": seg[-1], "url": "x", "tree": tree, "truncated": False})
        return 200

    return hook


def blob(path: str, data: bytes = PAGE, mode: str = "100644") -> dict:
    return {"path": path, "mode": mode, "type": "blob", "sha": blob_sha(data), "size": len(data)}


# -- what only the API can send ------------------------------------------------------------------------
HOSTILE_PATHS = [
    "../x.md",
    "/abs/x.md",
    "pages/../../x.md",
    "pages/x\x00.md",
    "pages//x.md",
    "pages/./x.md",
    "./x.md",
    ".",
    "pages/x.md/",
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_a_tree_path_out_of_the_repository_is_refused_in_one_line(tmp_path, path):
    """Was: silently dropped (or, for a link, kept as a key): the listing is a lie no checkout can
    tell, and the run went on as if the file were not there. Now exit 2, one line naming it."""
    with FakeGitHub(None) as fake:
        fake.commit({"pages/a.md": PAGE})
        fake.answer_hook = on_trees([blob("pages/a.md"), blob(path)])
        r = sync(fake, tmp_path / "x.db")
    assert r.returncode == 2, r.stderr
    line = one_line_error(r)
    assert line.startswith("ontosync: error: unexpected tree listing from the GitHub API for github:o/r@main: "), line
    assert "\x00" not in line and not (tmp_path / "x.db").exists()


def test_a_tree_path_git_holds_on_linux_is_synced_from_github_as_from_a_checkout(tmp_path):
    """A backslash and a `:` are ordinary characters of a name in git (and on Linux): `\\x.ttl`,
    `..\\y.ttl` and a folder named `C:` were refused as paths out of the repository, the whole sync
    exit 2, where a checkout synced them (and the tarball reader only skips such entries). Only
    `/`-separated flaws and NUL are refused (HOSTILE_PATHS)."""
    src = tmp_path / "src"
    (src / "pages").mkdir(parents=True)
    (src / "pages" / "A.md").write_bytes(PAGE)
    (src / "C:").mkdir()
    ttl = b"<urn:x:A> a <http://www.w3.org/2002/07/owl#Class> .\n"
    for name in ("\\x.ttl", "..\\y.ttl", "C:/z.ttl", "pages/a\\..\\b.ttl"):
        (src / name).write_bytes(ttl)
    got = both_sources(tmp_path, src)
    assert got["github"] == got["local"]
    assert len(got["github"][0]) == 5, got["github"]


def test_a_backslash_name_comes_from_the_tarball_without_a_warning(tmp_path, caplog):
    """The tarball reader split entry names at backslashes too: `..\\y.ttl` (a name git holds) was
    'tarball entry ... refused', then 'not delivered intact by the tarball' and fetched again as a
    blob, one request each. Nothing of the tarball is written to disk: only `/` separates."""
    ttl = b"<urn:x:A> a <http://www.w3.org/2002/07/owl#Class> .\n"
    files = {f"pages/P{i}.md": PAGE for i in range(25)} | {"..\\y.ttl": ttl, "pages/a\\..\\b.ttl": ttl}
    with FakeGitHub(None) as fake:
        fake.commit(files)
        r = sync(fake, tmp_path / "x.db")
        asked = [path for _, _, path, _ in fake.log]
    assert r.returncode == 0, r.stderr
    assert [rec.getMessage() for rec in caplog.records if rec.levelno >= logging.WARNING] == []
    assert any("/tarball/" in p for p in asked) and not any("/git/blobs/" in p for p in asked), asked
    with sqlite3.connect(tmp_path / "x.db") as con:
        assert {p for (p,) in con.execute("SELECT path FROM source_files WHERE path LIKE '%.ttl'")} == {
            "..\\y.ttl",
            "pages/a\\..\\b.ttl",
        }


def test_a_path_listed_twice_in_a_tree_is_refused_in_one_line(tmp_path):
    """Git's tree holds each name once; a listing naming `pages/b.md` twice (two blobs) had the
    later one silently replace the earlier."""
    with FakeGitHub(None) as fake:
        fake.commit({"pages/a.md": PAGE, "pages/b.md": b"- b\n"})
        fake.answer_hook = on_trees([blob("pages/a.md"), blob("pages/b.md"), blob("pages/b.md", b"- b\n")])
        r = sync(fake, tmp_path / "x.db")
    assert r.returncode == 2, r.stderr
    assert one_line_error(r).endswith("for github:o/r@main: a path listed twice: 'pages/b.md'")


BAD_SHAS = {
    "a blob": blob("pages/b.md") | {"sha": "zz"},
    "a link": blob("more", b"pages", "120000") | {"sha": "../commits/main"},
    "a folder": {"path": "deep", "mode": "040000", "type": "tree", "sha": "../../../rate_limit?x="},
}


@pytest.mark.parametrize("entry", BAD_SHAS.values(), ids=BAD_SHAS.keys())
def test_a_tree_entry_without_a_hex_object_id_is_exit_2_not_a_wrong_request(tmp_path, entry):
    """Was: a link's or folder's `sha` went into the next request's URL as it came (`git/blobs/../
    commits/main`), a blob's was recorded `skipped`; now the listing is refused in one line."""
    with FakeGitHub(None) as fake:
        fake.commit({"pages/a.md": PAGE})
        fake.answer_hook = on_trees([blob("pages/a.md"), entry])
        fake.truncate_over = 1
        r = sync(fake, tmp_path / "x.db")
        asked = [path for _, _, path, _ in fake.log]
    assert r.returncode == 2, r.stderr
    assert "has no git object id (40 hex digits)" in one_line_error(r)
    assert asked[0] == "/repos/o/r/commits/main" and all("/git/trees/" in p for p in asked[1:]), asked
    assert not any("rate_limit" in p or ".." in p for p in asked), asked


# -- a checkout and the GitHub source, the same tree -------------------------------------------------------
def both_sources(tmp_path: Path, src: Path, *extra: str, hook=None) -> dict[str, tuple]:
    """The rows and the link and submodule warnings of `src` synced from the folder and through the
    fake API (whose answers `hook(fake)` may change)."""
    from tests.fake_github import read_folder, read_links

    out = {}
    with FakeGitHub(None) as fake:
        fake.commit(read_folder(src), links=read_links(src))
        fake.answer_hook = hook(fake) if hook else None
        for name, where in (("local", str(src)), ("github", "github:o/r@main")):
            db, report = tmp_path / f"{name}.db", tmp_path / f"{name}.json"
            api = ("--api-url", fake.url) if name == "github" else ()
            r = cli(
                "sync",
                where,
                *api,
                "--db",
                str(db),
                "--report",
                str(report),
                "--quiet",
                "--workers",
                "1",
                *extra,
                env={"GITHUB_TOKEN": fake.token, **ENV},
            )
            assert r.returncode == 0, (name, r.stderr)
            with sqlite3.connect(db) as con:
                rows = sorted(con.execute("SELECT path, blob_sha, status FROM source_files"))
            warnings = sorted(
                (w["kind"], w["path"], w["message"])
                for w in json.loads(report.read_text())["warnings"]
                if w["kind"].startswith(("linked-", "submodule"))
            )
            out[name] = (rows, warnings)
    return out


def test_a_link_to_a_folder_the_sync_lists_itself_is_not_named_from_github_either(tmp_path):
    """`latest -> pages` and `old/lnk -> ../pages`: pages/ is synced, nothing in them is lost. A
    checkout's walk said nothing; the GitHub source named both "not synced" (`linked-folder`)."""
    src = tmp_path / "src"
    (src / "pages").mkdir(parents=True)
    (src / "pages" / "A.md").write_bytes(PAGE)
    (src / "old").mkdir()
    (src / "latest").symlink_to("pages")
    (src / "old" / "lnk").symlink_to("../pages")
    got = both_sources(tmp_path, src)
    assert got["github"] == got["local"]
    rows, warnings = got["github"]
    assert [r[0] for r in rows] == ["pages/A.md"]
    assert [(kind, path) for kind, path, _ in warnings] == [], warnings


def test_an_excluded_folder_is_not_listed_by_the_walk_of_a_truncated_github_tree(tmp_path):
    """`may_select_under` (can a folder hold selected files?) did not apply `--exclude`: a tree too
    large for one answer had every `node_modules/` folder listed, one request each, for nothing."""
    with FakeGitHub(None) as fake:
        files = {"pages/A.md": PAGE, **{f"node_modules/p{i}/x/B.md": PAGE for i in range(3)}}
        fake.commit(files, links={"node_modules/p0/lnk": "../../pages"})
        fake.truncate_over = 2
        r = sync(fake, tmp_path / "x.db", "--exclude", "node_modules/**", "--report", str(tmp_path / "r.json"))
        trees = [path for _, _, path, _ in fake.log if "/git/trees/" in path]
        excluded = {
            e.sha
            for name, e in fake.repo.walk(fake.repo.commits[fake.head].tree_sha)
            if name.startswith("node_modules")
        }
    assert r.returncode == 0, r.stderr
    assert not [p for p in trees if p.rsplit("/", 1)[1] in excluded], trees
    assert [
        w for w in json.loads((tmp_path / "r.json").read_text())["warnings"] if w["kind"].startswith("linked")
    ] == []


def test_permissions_an_excluded_folder_that_cannot_be_listed_is_not_named(tmp_path):
    """The checkout's walk entered `--exclude`d folders too: one it could not list was named in an
    `unreadable-folder` warning ("not listed"), though nothing in it would be synced."""
    from tests.privileges import restore_permissions, run_cli_unprivileged

    src = tmp_path / "src"
    (src / "pages").mkdir(parents=True)
    (src / "pages" / "A.md").write_bytes(PAGE)
    (src / "node_modules" / "locked").mkdir(parents=True)
    (src / "node_modules" / "locked").chmod(0o000)
    try:
        r = run_cli_unprivileged(
            "sync",
            str(src),
            "--db",
            str(tmp_path / "o.db"),
            "--report",
            str(tmp_path / "r.json"),
            "--exclude",
            "node_modules/**",
            "--quiet",
            "--workers",
            "1",
        )
    finally:
        restore_permissions(src)
    assert r.returncode == 0, r.stderr
    assert [
        w for w in json.loads((tmp_path / "r.json").read_text())["warnings"] if w["kind"] == "unreadable-folder"
    ] == []


# -- rate limits said plainly --------------------------------------------------------------------------------
def limited_trees(status: int, body: dict, headers: dict | None = None, times: int = 10**6):
    """An answer hook: the first `times` tree requests are answered `status` (a rate limit)."""
    met = []

    def hook(handler, seg, query):
        if seg[3:5] != ["git", "trees"] or len(met) >= times:
            return None
        met.append(1)
        handler._send(status, body, headers=headers)
        return status

    return hook


def test_a_rate_limit_whose_reset_time_has_passed_is_said_plainly(tmp_path):
    """Was: `X-RateLimit-Reset` in the past (clocks apart) stopped a run that may not wait with
    "it resets in 1 s, longer than the 0 s this run may wait ... run again after" (a wait that was
    never there); and a run that may wait said "waiting 1 s" with no word of why."""
    with FakeGitHub(None) as fake:
        fake.commit({"pages/a.md": PAGE})
        fake.remaining, fake.reset_at = 0, 1_700_000_000  # long gone
        fake.answer_hook = limited_trees(403, {"message": "API rate limit exceeded for user ID 1."}, times=1)
        stopped = sync(fake, tmp_path / "x.db", "--max-rate-limit-wait", "0")
        fake.answer_hook = limited_trees(403, {"message": "API rate limit exceeded for user ID 1."}, times=1)
        waited = cli(
            "sync",
            "github:o/r@main",
            "--api-url",
            fake.url,
            "--db",
            str(tmp_path / "y.db"),
            "--workers",
            "1",
            env={"GITHUB_TOKEN": fake.token, **ENV},
        )
    assert stopped.returncode == 1, stopped.stderr
    line = stopped.stderr.strip().splitlines()[-1]
    assert "its reset time has already passed" in line and "run again now" in line, line
    assert "resets in" not in stopped.stderr and "longer than" not in stopped.stderr
    assert waited.returncode == 0, waited.stderr
    assert "GitHub API primary rate limit (HTTP 403), its reset time already passed; waiting 1 s" in waited.stderr


def test_a_rate_limit_met_on_every_try_stops_after_six_tries_and_says_so(tmp_path):
    """Was: a limit met again on each of a request's tries (Retry-After: 0 each time) stopped with
    "... (still limited after 6 waits) ...: it resets in 0 s, longer than the 900 s this run may
    wait": 5 waits were made, and 0 s is no longer than 900 s."""
    with FakeGitHub(None) as fake:
        fake.commit({"pages/a.md": PAGE})
        fake.answer_hook = limited_trees(
            429, {"message": "You have exceeded a secondary rate limit."}, {"Retry-After": "0"}
        )
        r = sync(fake, tmp_path / "x.db")
        trees = [path for _, _, path, _ in fake.log if "/git/trees/" in path]
    assert r.returncode == 1, r.stderr
    line = r.stderr.strip().splitlines()[-1]
    assert "still limited after 6 tries in a row (5 waits); run again after" in line, line
    assert "longer than" not in line and "resets in" not in line
    assert len(trees) == 6, trees


# -- submodules ----------------------------------------------------------------------------------------------
SUBMODULE_SHA = "c0ffee" + "0" * 34


def with_submodule(fake: FakeGitHub, path: str):
    """An answer hook: every recursive tree answer lists a submodule at `path` too (mode 160000)."""

    def hook(handler, seg, query):
        if seg[3:5] != ["git", "trees"] or not query.get("recursive"):
            return None
        sha = seg[-1] if seg[-1] in fake.repo.trees else fake.repo.commits[fake.head].tree_sha
        tree = [
            {"path": p, "mode": e.mode, "type": e.type, "sha": e.sha, **({"size": e.size} if e.size else {})}
            for p, e in fake.repo.walk(sha)
        ]
        folder = path.rpartition("/")[0]
        tree += [{"path": folder, "mode": "040000", "type": "tree", "sha": "f" * 40}] if folder else []
        tree.append({"path": path, "mode": "160000", "type": "commit", "sha": SUBMODULE_SHA})
        handler._send(200, {"sha": sha, "url": "x", "tree": tree, "truncated": False})
        return 200

    return hook


def test_a_submodule_is_named_alike_by_a_checkout_and_the_github_source(tmp_path):
    """Was: the GitHub source skipped a submodule (mode 160000) without a word, and a checkout's walk
    one not checked out (its empty folder): every page in it missing, "ok". Now both name it in a
    `submodule` warning, in the same words, and their rows agree."""
    from tests.fake_github import read_folder

    gitmodules = b'[submodule "onto"]\n\tpath = vendor/onto\n\turl = https://example.org/onto.git\n'
    src = tmp_path / "src"
    (src / "pages").mkdir(parents=True)
    (src / "pages" / "A.md").write_bytes(PAGE)
    (src / ".gitmodules").write_bytes(gitmodules)
    (src / "vendor" / "onto").mkdir(parents=True)  # not checked out: git leaves it empty
    got = both_sources(tmp_path, src, hook=lambda fake: with_submodule(fake, "vendor/onto"))
    assert got["github"] == got["local"]
    rows, warnings = got["github"]
    assert [r[0] for r in rows] == ["pages/A.md"]
    assert [(kind, path, message[:40]) for kind, path, message in warnings] == [
        ("submodule", "vendor/onto", "a submodule, not read: the files in it a")
    ]
    with FakeGitHub(None) as fake:
        fake.commit(read_folder(src))
        fake.answer_hook = with_submodule(fake, "vendor/onto")
        excluded = sync(fake, tmp_path / "e.db", "--report", str(tmp_path / "e.json"), "--exclude", "vendor/**")
        in_it = sync(fake, tmp_path / "p.db", "--path", "vendor/onto/pages")
    assert excluded.returncode == 0, excluded.stderr
    assert [w for w in json.loads((tmp_path / "e.json").read_text())["warnings"] if w["kind"] == "submodule"] == []
    # --path inside it: said so, not "--path folder not found"
    assert in_it.returncode == 2
    line = one_line_error(in_it)
    assert "--path vendor/onto/pages is in the submodule vendor/onto, which the GitHub source does not read" in line


def test_a_nested_submodule_not_checked_out_is_named_on_the_terminal_too(tmp_path):
    """A submodule's own `.gitmodules` names paths from its folder: `lib/onto` checked out, its
    `deps/core` not. The terminal said "1 files: 1 ok" and nothing of the empty one."""
    src = tmp_path / "src"
    (src / "lib" / "onto" / "deps" / "core").mkdir(parents=True)
    (src / ".gitmodules").write_text('[submodule "onto"]\n\tpath = lib/onto\n')
    (src / "lib" / "onto" / ".gitmodules").write_text('[submodule "core"]\n\tpath = deps/core\n')
    (src / "lib" / "onto" / ".git").write_text("gitdir: ../../.git/modules/onto\n")
    (src / "lib" / "onto" / "A.md").write_bytes(PAGE)
    r = cli("sync", str(src), "--db", str(tmp_path / "o.db"), "--report", str(tmp_path / "r.json"), "--workers", "1")
    assert r.returncode == 0, r.stderr
    warnings = json.loads((tmp_path / "r.json").read_text())["warnings"]
    assert [w["path"] for w in warnings if w["kind"] == "submodule"] == ["lib/onto/deps/core"]
    assert "not synced: lib/onto/deps/core: a submodule, not read: the files in it are not synced" in r.stderr


def test_a_path_that_is_a_file_is_said_alike_from_github_and_a_checkout(tmp_path):
    """`--path pages/a.md`: a checkout said "--path pages/a.md: not a folder", the GitHub source
    "--path folder not found in github:o/r@main: pages/a.md", as if misspelt."""
    src = tmp_path / "src"
    (src / "pages").mkdir(parents=True)
    (src / "pages" / "a.md").write_bytes(PAGE)
    local = cli("sync", str(src), "--db", str(tmp_path / "l.db"), "--path", "pages/a.md", "--quiet")
    with FakeGitHub(None) as fake:
        fake.commit({"pages/a.md": PAGE})
        remote = sync(fake, tmp_path / "g.db", "--path", "pages/a.md")
    assert local.returncode == remote.returncode == 2, (local.stderr, remote.stderr)
    assert one_line_error(remote) == one_line_error(local) == "ontosync: error: --path pages/a.md: not a folder"


def test_a_submodule_not_checked_out_under_the_path_folder_is_named_from_a_checkout(tmp_path):
    """`--path vendor`: the walk starts below the root, whose `.gitmodules` declares `vendor/onto`;
    the GitHub source named the empty submodule, a checkout's walk did not."""
    src = tmp_path / "src"
    (src / "vendor" / "onto").mkdir(parents=True)
    (src / "vendor" / "A.md").write_bytes(PAGE)
    (src / ".gitmodules").write_text('[submodule "onto"]\n\tpath = vendor/onto\n')
    for path in ("vendor", "vendor/onto"):
        report = tmp_path / "r.json"
        r = cli("sync", str(src), "--db", str(tmp_path / "o.db"), "--path", path, "--report", str(report), "--quiet")
        assert r.returncode == 0, r.stderr
        warnings = json.loads(report.read_text())["warnings"]
        assert [w["path"] for w in warnings if w["kind"] == "submodule"] == ["vendor/onto"], path
