"""Syncing a local tree: its input and its environment (paths, names, the checkout's files,
outputs, option values, permissions).

Each test here failed before its fix: what the user saw is in the test's docstring.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.helpers import cli, run_cli

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


# -- the revision read from .git -------------------------------------------------------------------

SHA = "0123456789abcdef0123456789abcdef01234567"


def revision_of(tree: Path, head: bytes, *files: tuple[str, bytes]) -> tuple[object, str]:
    """Sync `tree/root` with `.git/HEAD` = `head` (and more `.git` files); (report's revision, stderr)."""
    git = tree / "root" / ".git"
    git.mkdir(exist_ok=True)
    for rel, data in (("HEAD", head), *files):
        (git / rel).parent.mkdir(parents=True, exist_ok=True)
        (git / rel).write_bytes(data)
    report = tree / "r.json"
    proc = cli("sync", str(tree / "root"), "--db", str(tree / "t.db"), "--quiet", "--report", str(report),
               env={"GITHUB_SHA": ""})
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return json.loads(report.read_text(encoding="utf-8"))["revision"], proc.stderr


@pytest.mark.parametrize("head, files", [
    (b"ref: refs/heads/main\n", [("refs/heads/main", SHA.encode() + b"\n")]),
    (b"ref: refs/heads/main\n", [("packed-refs", b"# pack-refs\n" + SHA.encode() + b" refs/heads/main\n")]),
    (SHA.encode() + b"\n", []),
])
def test_the_checkouts_commit_is_the_revision(tree, head, files):
    assert revision_of(tree, head, *files)[0] == SHA


def test_a_git_head_that_is_not_text_is_no_revision(tree):
    """A `.git/HEAD` holding bytes that are not UTF-8 stopped the sync with a UnicodeDecodeError
    traceback before it started."""
    assert revision_of(tree, b"\xff\xfe\x00ref: refs/heads/main\n")[0] is None


def test_a_git_ref_outside_the_checkout_is_not_read(tree):
    """`ref: ../../outside/o.ttl` in `.git/HEAD` read that file, outside the source root, and stored
    its first line as the run's revision (in the database, the report and the checkpoint)."""
    revision, _ = revision_of(tree, b"ref: ../../outside/o.ttl\n")
    assert revision is None
    assert rows(tree / "t.db", "SELECT value FROM sync_meta WHERE value LIKE '%prefix%'") == []


def test_a_git_head_that_is_a_fifo_does_not_hang_the_run(tree):
    """A FIFO in place of `.git/HEAD` blocked the sync for ever at its start (a link to /dev/zero
    filled memory the same way)."""
    (tree / "root" / ".git").mkdir()
    os.mkfifo(tree / "root" / ".git" / "HEAD")
    try:
        proc = run_cli("sync", str(tree / "root"), "--db", str(tree / "t.db"), "--quiet", "--report",
                       str(tree / "r.json"), env={"GITHUB_SHA": ""}, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the sync was still waiting on .git/HEAD after 60 s")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tree / "r.json").read_text(encoding="utf-8"))["revision"] is None


# -- the checkpoint --------------------------------------------------------------------------------

def test_a_deeply_nested_checkpoint_is_nothing_to_resume(tree):
    """A checkpoint file of deeply nested JSON (garbage left by another tool, a damaged disk)
    stopped the sync with a RecursionError traceback; any other garbage is ignored and replaced."""
    checkpoint = tree / "cp.json"
    checkpoint.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    db = tree / "t.db"
    proc = cli("sync", str(tree / "root"), "--db", str(db), "--quiet", "--checkpoint", str(checkpoint))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert rows(db, "SELECT path, status FROM source_files") == [("sub/a.ttl", "ok")]
    assert json.loads(checkpoint.read_text(encoding="utf-8"))["finished"] is True


# -- Logseq page names -----------------------------------------------------------------------------

MV = "http://narrativegoldmine.com/metaverse#"


def logseq_page(owl_class: str, parent: str | None = None) -> str:
    lines = ["- ### OntologyBlock", f"  owl:class:: mv:{owl_class}"]
    if parent:
        lines.append(f"  is-subclass-of:: [[{parent}]]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("file_form, link_form", [("NFD", "NFC"), ("NFC", "NFD")])
def test_a_link_finds_its_page_whatever_the_unicode_normal_form(tmp_path, file_form, link_form):
    """`[[Café]]` typed on Linux (NFC) did not find `pages/Café.md` named on a Mac (NFD, as HFS+
    writes names), nor the other way round: the edge went to an empty class minted from the link
    text. Logseq matches page names after NFC normalisation (`page-name-sanity-lc`), so it opens
    the page."""
    import unicodedata

    pages = tmp_path / "graph" / "pages"
    pages.mkdir(parents=True)
    (pages / unicodedata.normalize(file_form, "Café.md")).write_text(logseq_page("Cafe"), encoding="utf-8")
    (pages / "Espresso.md").write_text(logseq_page("Espresso", unicodedata.normalize(link_form, "café")),
                                       encoding="utf-8")
    db = tmp_path / "t.db"
    proc = cli("sync", str(tmp_path / "graph"), "--db", str(db), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert rows(db, "SELECT class_iri, parent_iri FROM owl_class_hierarchy") == [(MV + "Espresso", MV + "Cafe")]
    assert rows(db, "SELECT count(*) FROM owl_classes WHERE source_file IS NULL") == [(0,)]


def test_adding_the_nfd_page_later_repoints_the_nfc_link(tmp_path):
    """The same tree reached incrementally (the link first, its NFD page in a later sync) is the
    database a fresh sync makes: the link re-points without reparsing the page that holds it."""
    import unicodedata

    from tests.helpers import dump_file

    pages = tmp_path / "graph" / "pages"
    pages.mkdir(parents=True)
    (pages / "Espresso.md").write_text(logseq_page("Espresso", "Café"), encoding="utf-8")
    db, fresh = tmp_path / "t.db", tmp_path / "fresh.db"
    assert cli("sync", str(tmp_path / "graph"), "--db", str(db), "--quiet").returncode == 0
    (pages / unicodedata.normalize("NFD", "Café.md")).write_text(logseq_page("Cafe"), encoding="utf-8")
    assert cli("sync", str(tmp_path / "graph"), "--db", str(db), "--quiet").returncode == 0
    assert cli("sync", str(tmp_path / "graph"), "--db", str(fresh), "--quiet").returncode == 0
    assert rows(db, "SELECT class_iri, parent_iri FROM owl_class_hierarchy") == [(MV + "Espresso", MV + "Cafe")]
    assert dump_file(db) == dump_file(fresh)


# -- the source's own .ontosync.yml ----------------------------------------------------------------

@pytest.mark.parametrize("content", [b"\xff\xfe{}", None])
def test_a_jsonld_context_file_that_cannot_be_read_is_a_usage_error(tree, content):
    """A `jsonld-contexts:` file holding bytes that are not UTF-8 stopped the sync with a
    UnicodeDecodeError traceback; a FIFO there (None here) hung it before it started."""
    root = tree / "root"
    if content is None:
        os.mkfifo(root / "ctx.json")
    else:
        (root / "ctx.json").write_bytes(content)
    (root / ".ontosync.yml").write_text('jsonld-contexts:\n  "https://example.invalid/c": "ctx.json"\n',
                                        encoding="utf-8")
    db = tree / "t.db"
    try:
        proc = run_cli("sync", str(root), "--db", str(db), "--quiet", timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the sync was still reading the context file after 60 s")
    one_line_usage_error(proc, "jsonld-contexts", "ctx.json")
    assert not db.exists()


def test_a_linked_ontosync_yml_leading_outside_the_root_is_not_read(tree):
    """`.ontosync.yml` in the checkout as a symbolic link to a file outside the root was read as
    the configuration: its settings applied, and its first key printed in the error
    (`unknown setting 'leaky_key'`), for anyone reading the CI log."""
    (tree / "outside" / "private.yml").write_text("leaky_key: 1\n", encoding="utf-8")
    (tree / "root" / ".ontosync.yml").symlink_to(tree / "outside" / "private.yml")
    db = tree / "t.db"
    proc = cli("sync", str(tree / "root"), "--db", str(db), "--quiet")
    one_line_usage_error(proc, ".ontosync.yml", "outside the source root")
    assert "leaky" not in proc.stderr
    assert not db.exists()


def test_a_linked_ontosync_yml_inside_the_root_is_read(tree):
    (tree / "root" / "conf").mkdir()
    (tree / "root" / "conf" / "sync.yml").write_text("ontology-id: linked\n", encoding="utf-8")
    (tree / "root" / ".ontosync.yml").symlink_to("conf/sync.yml")
    db = tree / "t.db"
    assert cli("sync", str(tree / "root"), "--db", str(db), "--quiet").returncode == 0
    assert rows(db, "SELECT DISTINCT ontology_id FROM owl_classes") == [("linked",)]


# -- globs -----------------------------------------------------------------------------------------

BRACES = "**/{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}{s,t}{u,v}.ttl"  # 2**11 patterns


@pytest.mark.parametrize("flag", ["--include", "--exclude"])
def test_a_glob_whose_braces_expand_too_far_is_a_usage_error(tree, flag):
    """A glob with many brace groups (2,048 patterns here) stopped the sync with wcmatch's
    PatternLimitException traceback."""
    db = tree / "t.db"
    proc = cli("sync", str(tree / "root"), "--db", str(db), "--quiet", flag, BRACES)
    one_line_usage_error(proc, "braces", "1000")
    assert rows(db, "SELECT count(*) FROM source_files") in ([], [(0,)])


def test_the_same_glob_from_the_checkouts_config_is_a_usage_error(tree):
    (tree / "root" / ".ontosync.yml").write_text(f'exclude: ["{BRACES}"]\n', encoding="utf-8")
    proc = cli("sync", str(tree / "root"), "--db", str(tree / "t.db"), "--quiet")
    one_line_usage_error(proc, "braces")


# -- --db ------------------------------------------------------------------------------------------

def test_a_database_that_is_a_device_is_a_usage_error(tree):
    """`--db /dev/null` (a dry run, a typo) was exit 3, "fatal: migration failed ... disk I/O error",
    and left `null-journal` and `null.lock` beside the device. A device (or a FIFO, or a link to
    one) is not a database: exit 2 with one line, before anything is written."""
    fifo = tree / "db.fifo"
    os.mkfifo(fifo)
    link = tree / "db-link"
    link.symlink_to(fifo)
    for db in (fifo, link):
        proc = cli("sync", str(tree / "root"), "--db", str(db), "--quiet", "--checkpoint", str(tree / "cp.json"))
        one_line_usage_error(proc, str(db), "not a regular file")
    assert sorted(p.name for p in tree.iterdir()) == ["db-link", "db.fifo", "outside", "root"]


# -- the walk --------------------------------------------------------------------------------------

def test_a_tree_nested_a_thousand_folders_deep_is_synced(tree):
    """A file 1,100 folders down (a 2,200-byte path, which git and Linux allow) stopped every sync
    of the tree with a RecursionError traceback from the walk (one nested generator per folder)."""
    folders = [tree / "root" / "d"]
    for _ in range(1099):
        folders.append(folders[-1] / "d")
    try:
        for folder in folders:  # one by one, and removed so too: pathlib and shutil.rmtree recurse
            folder.mkdir()
        (folders[-1] / "deep.ttl").write_text(ttl("Deep"), encoding="utf-8")
        db = tree / "t.db"
        proc = cli("sync", str(tree / "root"), "--db", str(db))  # not --quiet: the progress total walks too
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
        assert rows(db, "SELECT path, status FROM source_files ORDER BY path") == [
            ("d/" * 1100 + "deep.ttl", "ok"), ("sub/a.ttl", "ok")]
    finally:
        (folders[-1] / "deep.ttl").unlink(missing_ok=True)
        for folder in reversed(folders):
            if folder.exists():
                folder.rmdir()


# -- the Logseq graph's config.edn -----------------------------------------------------------------

def test_an_unreadable_config_edn_is_exit_2_and_changes_nothing(tmp_path):
    """`logseq/config.edn` that cannot be read (permission denied) was taken for absent: Logseq's
    defaults applied without a word, so the pages its `:hidden` hides were synced as ontology pages
    (and every page renamed under another name format). Its settings decide what is a page and
    what it is called: exit 2 naming it, and the database stays as it was."""
    from tests.helpers import dump_file
    from tests.privileges import restore_permissions, run_cli_unprivileged

    graph = tmp_path / "graph"
    (graph / "pages" / "drafts").mkdir(parents=True)
    (graph / "logseq").mkdir()
    (graph / "logseq" / "config.edn").write_text('{:hidden ["pages/drafts"]}', encoding="utf-8")
    (graph / "pages" / "Shown.md").write_text(logseq_page("Shown"), encoding="utf-8")
    (graph / "pages" / "drafts" / "Draft.md").write_text(logseq_page("Draft"), encoding="utf-8")
    db = tmp_path / "t.db"
    first = run_cli_unprivileged("sync", str(graph), "--db", str(db), "--quiet")
    assert first.returncode == 0, first.stderr
    before = dump_file(db)
    assert rows(db, "SELECT path, status FROM source_files ORDER BY path") == [
        ("pages/Shown.md", "ok"), ("pages/drafts/Draft.md", "skipped")]
    os.chmod(graph / "logseq" / "config.edn", 0)
    try:
        proc = run_cli_unprivileged("sync", str(graph), "--db", str(db), "--quiet")
    finally:
        restore_permissions(graph)
        os.chmod(graph / "logseq" / "config.edn", 0o644)
    one_line_usage_error(proc, "logseq/config.edn", "ermission denied")
    assert dump_file(db) == before


# -- outputs that are the database -----------------------------------------------------------------

@pytest.mark.parametrize("flag, target", [
    ("--report", "t.db"), ("--checkpoint", "t.db"), ("--report", "t.db-wal"), ("--report", "link-to-db"),
    ("--report", "t.db.checkpoint.json"),
])
def test_an_output_aimed_at_the_database_is_refused(tree, flag, target):
    """`--report t.db` (a slip of the shell history) replaced the database with the JSON report,
    exit 0: every row lost, `verify` then said "not an SQLite database". `--checkpoint t.db` did the
    same, and a report over the checkpoint clobbered the resume state. Exit 2, nothing touched."""
    from tests.helpers import dump_file

    db = tree / "t.db"
    assert cli("sync", str(tree / "root"), "--db", str(db), "--quiet").returncode == 0
    (tree / "link-to-db").symlink_to(db)
    before = dump_file(db)
    proc = cli("sync", str(tree / "root"), "--db", str(db), "--quiet", "--full", flag, str(tree / target))
    one_line_usage_error(proc, flag)
    assert dump_file(db) == before
    assert cli("verify", "--db", str(db)).returncode == 0


@pytest.mark.parametrize("value", ["<http://example.org/My Class>", "http://example.org/a\tb", "mv:Foo<b>",
                                   'urn:x:"quoted"', "<http://example.org/{x}>"])
def test_an_owl_class_that_is_no_valid_iri_is_a_warning(tmp_path, value):
    """`owl:class:: <http://example.org/My Class>` (a space, a quote, a brace...) was stored as the
    class IRI as it stood: an IRI no RDF tool reads back (N-Triples, SPARQL, OAK). It is a
    `bad-owl-class` warning with its line, and the IRI is minted from the title, as for `<>`."""
    pages = tmp_path / "graph" / "pages"
    pages.mkdir(parents=True)
    (pages / "My Class.md").write_text(f"- ### OntologyBlock\n  owl:class:: {value}\n", encoding="utf-8")
    (pages / "Good.md").write_text("- ### OntologyBlock\n  owl:class:: <http://example.org/Good>\n",
                                   encoding="utf-8")
    db, report = tmp_path / "t.db", tmp_path / "r.json"
    proc = cli("sync", str(tmp_path / "graph"), "--db", str(db), "--quiet", "--report", str(report))
    assert proc.returncode == 0, proc.stderr
    assert rows(db, "SELECT source_file, class_iri FROM owl_classes ORDER BY source_file") == [
        ("pages/Good.md", "http://example.org/Good"), ("pages/My Class.md", "urn:ontosync:page:my-class")]
    warnings = json.loads(report.read_text(encoding="utf-8"))["warnings"]
    assert [(w["path"], w["kind"], w["line"]) for w in warnings] == [("pages/My Class.md", "bad-owl-class", 2)]


def test_a_very_large_max_file_size_reads_files_as_usual(tree):
    """`--max-file-size 1000000000000000` ("no limit, please") failed every file with "file too
    complex to parse: MemoryError", exit 1: each read asked Python for a buffer of the limit's
    size up front. A read takes what the file holds."""
    db = tree / "t.db"
    proc = cli("sync", str(tree / "root"), "--db", str(db), "--quiet", "--max-file-size", str(10 ** 15))
    assert proc.returncode == 0, proc.stderr
    assert rows(db, "SELECT path, status, error FROM source_files") == [("sub/a.ttl", "ok", None)]


def test_a_file_that_grew_since_its_stat_is_read_up_to_the_limit():
    import io

    from ontosync.sources.local import read_bounded

    assert read_bounded(io.BytesIO(b"x" * 10), 11, 101) == b"x" * 10  # as fstat said
    assert read_bounded(io.BytesIO(b"x" * 510), 11, 101) == b"x" * 101  # grew past the limit
    assert read_bounded(io.BytesIO(b"x" * 50), 11, 101) == b"x" * 50  # grew, under the limit


def test_a_huge_keep_runs_is_a_usage_error(tree):
    """`--keep-runs 10000000000000000000000` ran the whole sync, then stopped with an OverflowError
    traceback while pruning the change log (an SQLite integer holds 8 bytes): no report, the
    checkpoint left unfinished. It is refused up front, like every other out-of-bounds option."""
    db = tree / "t.db"
    proc = cli("sync", str(tree / "root"), "--db", str(db), "--quiet", "--keep-runs", str(10 ** 22))
    one_line_usage_error(proc, "--keep-runs")
    assert not db.exists()
    proc = cli("sync", str(tree / "root"), "--db", str(db), "--quiet", "--keep-runs", "1000000")
    assert proc.returncode == 0, proc.stderr
