"""Round 16: file selection and sources. A brace glob selects exactly what its choices select
(`{/drafts,/old}/` selected nothing); `./` and `/` as a glob are the whole source root (they selected
nothing); a relative `jsonld-contexts:` file is the source root's for a `github:` source too (it was
read from the process's working folder). Through the real command line, on trees on disk and the
fake GitHub API on 127.0.0.1 (tests/fake_github.py)."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import bracex
import pytest

from ontosync.action.inputs import read_inputs
from ontosync.sources import PathFilter
from ontosync.sources.globs import FolderTest
from tests.fake_github import FakeGitHub
from tests.helpers import cli
from tests.test_action import make_env

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


PATTERNS = ["{/drafts,/old}/", "{./drafts,old}/*.md", "{drafts/,pages/old/}", "{/,x}", "{a,}/", "{drafts,}/**",
            "**/{old,deep}/*", "{pages,drafts}/{*.md,**/*.ttl}", "{/pages,./old/}", "{.,pages}/", "/{old,top.md}",
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


# -- 2. the root as a glob ------------------------------------------------------------------------

@pytest.mark.parametrize("glob", ["./", "/", "."])
def test_the_root_as_a_glob_selects_what_a_globstar_selects(tmp_path, glob):
    """`--include './'` and `--include /` selected nothing (exit 0, an empty database): the root
    folder, written as a folder, is the whole source root, as `--include '**'` is."""
    local, remote = sync_both(tmp_path, TREE, "--include", glob)
    assert (local.returncode, remote.returncode) == (0, 0), local.stderr + remote.stderr
    assert synced(tmp_path / "l.db") == synced(tmp_path / "g.db") == sorted(TREE)
    out = cli("sync", str(tmp_path / "src"), "--db", str(tmp_path / "x.db"), "--quiet", "--exclude", glob)
    assert out.returncode == 0 and synced(tmp_path / "x.db") == [], out.stderr


def test_the_root_in_the_checkout_s_config_and_the_action_s_input(tmp_path):
    """`.ontosync.yml`'s `include: ["./"]` and the Action's `include: /` input read the globs as
    the command line does: the whole root."""
    src = write_tree(tmp_path / "src", TREE)
    (src / ".ontosync.yml").write_text('include: ["./"]\nexclude: [.ontosync.yml]\n', encoding="utf-8")
    proc = cli("sync", str(src), "--db", str(tmp_path / "c.db"), "--quiet")
    assert proc.returncode == 0 and synced(tmp_path / "c.db") == sorted(TREE), proc.stderr
    env = make_env(tmp_path, include="/", exclude="*.db*, *.json", database="a.db")
    write_tree(tmp_path / "workspace", TREE)
    argv = read_inputs(env).sync_argv()
    proc = cli(*argv, env=env)
    assert proc.returncode == 0, proc.stderr
    assert synced(tmp_path / "workspace" / "a.db") == sorted(TREE)


# -- 3. relative jsonld-contexts: files -----------------------------------------------------------

CONTEXT_URL = "https://ctx.example/r16.jsonld"
DOC = (b'{"@context": "' + CONTEXT_URL.encode() + b'", "@id": "ex:Thing", "@type": "owl:Class"}\n')


def context(prefix: str) -> bytes:
    return ('{"@context": {"ex": "' + prefix + '", "owl": "http://www.w3.org/2002/07/owl#"}}').encode()


def classes(db: Path) -> list[str]:
    with sqlite3.connect(db) as con:
        return sorted(iri for (iri,) in con.execute("SELECT class_iri FROM owl_classes"))


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    """The working folder of the runs: it holds a file of the same name, a different context."""
    folder = tmp_path / "cwd"
    write_tree(folder, {"ctx/schema.json": context("http://wrong.example/")})
    return folder


@pytest.mark.parametrize("where", ["the user's own", "the workspace's"])
def test_a_relative_context_file_is_the_source_root_s_for_both_sources(tmp_path, elsewhere, where):
    """A relative `jsonld-contexts:` path was the source root's for a folder but the working
    folder's for `github:` (a file there of the same name was read; none there: exit 2). Both read
    the repository's file now, from the user's own --config file or one in the workflow's checkout."""
    files = {"onto.jsonld": DOC, "ctx/schema.json": context("http://right.example/")}
    mapping = f'jsonld-contexts:\n  "{CONTEXT_URL}": ctx/schema.json\ninclude: ["*.jsonld"]\n'
    config = tmp_path / ("mine.yml" if where == "the user's own" else "ws/ci/ontosync.yml")
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(mapping, encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GITHUB_WORKSPACE", str(tmp_path / "ws"))
        local, remote = sync_both(tmp_path, files, "--config", str(config), cwd=elsewhere)
    assert (local.returncode, remote.returncode) == (0, 0), local.stderr + remote.stderr
    assert classes(tmp_path / "l.db") == classes(tmp_path / "g.db") == ["http://right.example/Thing"]


def test_a_workspace_config_may_not_name_a_context_above_the_repository(tmp_path):
    """A `--config` file of the workflow's checkout (a pull request's) naming `../x` for a `github:`
    source is refused before any request, as the source root's own file is for a folder."""
    mapping = f'jsonld-contexts:\n  "{CONTEXT_URL}": a/../../x.json\n'
    config = write_tree(tmp_path / "ws", {"ci/o.yml": mapping.encode()})
    with FakeGitHub(None) as fake:
        fake.commit({"onto.jsonld": DOC})
        proc = cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", str(tmp_path / "g.db"), "--quiet",
                   "--config", str(config / "ci/o.yml"),
                   env={"GITHUB_TOKEN": fake.token, "GITHUB_WORKSPACE": str(tmp_path / "ws"), **ENV})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().endswith(f"ci/o.yml: jsonld-contexts file for {CONTEXT_URL} must be inside the "
                                        "source root"), proc.stderr


@pytest.mark.parametrize(("name", "files", "said"), [
    ("ctx/none.json", {}, "ctx/none.json for https://ctx.example/r16.jsonld: not in github:o/r@main"),
    ("ctx", {"ctx/a.json": b"{}"}, "ctx for https://ctx.example/r16.jsonld: a folder, not a file"),
    ("../ctx.json", {}, "../ctx.json for https://ctx.example/r16.jsonld: outside the repository"),
    ("big.json", {"big.json": b"{}" + b" " * 3000}, "3002 bytes, larger than --max-file-size (2000)"),
    ("bad.json", {"bad.json": b'{"\xff": 1}'}, "bad.json for https://ctx.example/r16.jsonld: not UTF-8 text (byte 2)"),
    ("link.json", {"real.json": context("http://right.example/")}, None),
])
def test_a_repository_context_file_that_cannot_be_used_is_one_line(tmp_path, elsewhere, name, files, said):
    """A `github:` source's context file absent, a folder, above the root, too large or not UTF-8
    is exit 2 with one line naming it (never the working folder's file instead); a link in the
    repository is followed to its target, as a checkout's read follows it."""
    (tmp_path / "mine.yml").write_text(f'jsonld-contexts:\n  "{CONTEXT_URL}": {name}\n', encoding="utf-8")
    if not (elsewhere / name).exists():  # a decoy where the working folder would have it
        write_tree(elsewhere, {name.replace("../", "up/"): context("http://wrong.example/")})
    with FakeGitHub(None) as fake:
        fake.commit({"onto.jsonld": DOC, **files}, links={"link.json": "real.json"} if said is None else None)
        proc = cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", str(tmp_path / "g.db"), "--quiet",
                   "--max-file-size", "2000", "--config", str(tmp_path / "mine.yml"),
                   env={"GITHUB_TOKEN": fake.token, **ENV}, cwd=elsewhere)
    if said is None:
        assert proc.returncode == 0 and classes(tmp_path / "g.db") == ["http://right.example/Thing"], proc.stderr
        return
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    [line] = proc.stderr.splitlines()
    assert line.startswith("ontosync: error: jsonld-contexts: ") and line.endswith(said), line


# -- found in the hunt: `..`, blanks around a glob, --path with --include -------------------------

def test_a_dot_dot_after_a_folder_goes_back_up_as_in_path(tmp_path):
    """`--include 'pages/../core.ttl'` selected nothing (no walk records a `..`), where `--path
    pages/..` is the root: a `..` after a literal folder goes back up, from a folder and GitHub alike."""
    local, remote = sync_both(tmp_path, TREE, "--include", "pages/../core.ttl", "--include", "drafts/deep/../")
    assert (local.returncode, remote.returncode) == (0, 0), local.stderr + remote.stderr
    assert synced(tmp_path / "l.db") == synced(tmp_path / "g.db") == ["core.ttl", "drafts/d.md", "drafts/deep/e.ttl"]


@pytest.mark.parametrize(("flag", "glob", "why"), [
    ("--include", "../pages/*.md", "climbs above the source root"),
    ("--exclude", "/../x", "climbs above the source root"),
    ("--include", "**/../core.ttl", "follows a wildcard, whose folder is not known"),
    ("--exclude", "{old,*}/../x", "follows a wildcard, whose folder is not known"),
])
def test_a_dot_dot_no_walk_can_follow_is_a_usage_error(tmp_path, flag, glob, why):
    """`--include '../pages/*.md'` (a path from the working folder) synced nothing, exit 0, and as
    `--exclude` left nothing out, without a word: exit 2, one line naming the glob."""
    src = write_tree(tmp_path / "src", TREE)
    proc = cli("sync", str(src), "--db", str(tmp_path / "l.db"), "--quiet", flag, glob)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    [line] = proc.stderr.splitlines()
    assert line.startswith("ontosync: error: glob ") and f"its `..` {why} (globs are relative to the source root" \
        in line, line


def test_blanks_around_a_glob_are_dropped_everywhere_as_the_action_drops_them(tmp_path):
    """The Action's `include: "pages/ "` selects pages (its inputs are stripped), but `--include
    'pages/ '` and `.ontosync.yml`'s `include: [" old/ "]` selected nothing: the blanks around a glob
    are dropped wherever it comes from."""
    local, remote = sync_both(tmp_path, TREE, "--include", "pages/ ", "--exclude", "\tpages/old/ ")
    assert (local.returncode, remote.returncode) == (0, 0), local.stderr + remote.stderr
    assert synced(tmp_path / "l.db") == synced(tmp_path / "g.db") == ["pages/p.md"]
    (tmp_path / "src" / ".ontosync.yml").write_text('include: [" old/ "]\n', encoding="utf-8")
    proc = cli("sync", str(tmp_path / "src"), "--db", str(tmp_path / "c.db"), "--quiet")
    assert proc.returncode == 0 and synced(tmp_path / "c.db") == ["old/o.ttl", "old/x.md"], proc.stderr


def test_include_globs_that_cannot_select_under_path_are_a_usage_error(tmp_path):
    """`--path pages --include '*.md'` (globs read as if from --path) synced nothing, "0 files", exit
    0, without a word. Globs are relative to the source root: exit 2, one line saying so and how to
    write it, the database untouched; a glob one of whose brace choices can select there is taken."""
    src = write_tree(tmp_path / "src", TREE)
    db = tmp_path / "p.db"
    assert cli("sync", str(src), "--db", str(db), "--quiet", "--path", "pages").returncode == 0
    proc = cli("sync", str(src), "--db", str(db), "--quiet", "--path", "pages", "--include", "*.md")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == ("ontosync: error: --include '*.md': no glob can select a file under --path pages "
                                   "(globs are relative to the source root, not to --path: write pages/*.md)")
    assert synced(db) == ["pages/old/q.md", "pages/p.md"]
    ok = cli("sync", str(src), "--db", str(tmp_path / "q.db"), "--path", "pages", "--include", "{*,pages/old/*}.md")
    assert ok.returncode == 0 and synced(tmp_path / "q.db") == ["pages/old/q.md"], ok.stderr
