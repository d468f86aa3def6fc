"""Which files a sync selects and the paths it records for them: `--path` into a folder whose
name is recorded escaped (sources/names.py), a file named only an extension, and a graph's
`logseq/config.edn` too large to read. Each test failed before its fix."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import cli

TTL = """@prefix ex: <http://example.org/{n}#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
ex:{n} a owl:Class .
"""


def _paths(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT path FROM source_files ORDER BY path")]
    finally:
        conn.close()


# -- 1. --path into a folder whose name is recorded escaped ------------------------------------------
ODD_FOLDER = b"odd\x01\xffdir"  # a control character and a byte that is not UTF-8
ODD_RECORDED = "odd\\x01\\xffdir"


def _odd_tree(root: Path) -> str:
    folder = os.path.join(os.fsencode(root), ODD_FOLDER)
    os.makedirs(folder)
    for name in (b"a.ttl", b"b.ttl"):
        with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
            fh.write(TTL.format(n=name.decode()[0]))
    return os.fsdecode(ODD_FOLDER)  # what a shell hands over as the argument


def test_path_into_an_escaped_folder_records_the_paths_a_whole_sync_records(tmp_path):
    tree = tmp_path / "tree"
    sub = _odd_tree(tree)
    whole = cli("sync", tree, "--db", tmp_path / "whole.db", "--quiet")
    assert whole.returncode == 0, whole.stderr
    expected = [f"{ODD_RECORDED}/a.ttl", f"{ODD_RECORDED}/b.ttl"]
    assert _paths(tmp_path / "whole.db") == expected

    part = cli("sync", tree, "--db", tmp_path / "part.db", "--path", sub, "--quiet")
    assert part.returncode == 0, part.stderr
    assert _paths(tmp_path / "part.db") == expected

    # the same database: a --path sync after a whole one finds every file unchanged, adds no row,
    # and sees a deleted file as deleted
    again = cli("sync", tree, "--db", tmp_path / "whole.db", "--path", sub, "--quiet")
    assert again.returncode == 0, again.stderr
    assert _paths(tmp_path / "whole.db") == expected
    os.unlink(os.path.join(os.fsencode(tree), ODD_FOLDER, b"b.ttl"))
    gone = cli("sync", tree, "--db", tmp_path / "whole.db", "--path", sub, "--quiet")
    assert gone.returncode == 0, gone.stderr
    assert _paths(tmp_path / "whole.db") == expected[:1]


# -- 2. a file named only `.md` or `.ttl` --------------------------------------------------------------
def test_a_file_named_only_an_extension_is_not_selected(tmp_path):
    """`.md` is a dot file without an extension (pathlib's suffix is ''; Logseq hides dot files),
    so no glob of the supported extensions selects it, and it fails no run as "unsupported"."""
    tree = tmp_path / "tree"
    (tree / "pages").mkdir(parents=True)
    (tree / ".md").write_text("- a page?\n", encoding="utf-8")
    (tree / "pages" / ".ttl").write_text(TTL.format(n="x"), encoding="utf-8")
    (tree / "pages" / "real.md").write_text("- a page\n", encoding="utf-8")
    (tree / "a.ttl").write_text(TTL.format(n="a"), encoding="utf-8")
    report = tmp_path / "r.json"
    for extra in ([], ["--include", "**/*.ttl", "--include", "**/*.md"]):
        db = tmp_path / f"o{len(extra)}.db"
        proc = cli("sync", tree, "--db", db, "--quiet", "--max-error-rate", "0", "--report", report, *extra)
        assert proc.returncode == 0, proc.stderr
        assert _paths(db) == ["a.ttl", "pages/real.md"]
        assert json.loads(report.read_text(encoding="utf-8"))["files"]["failed"] == 0


# -- 3. a logseq/config.edn over the size limit ---------------------------------------------------------
@pytest.mark.parametrize("remote", [False, True], ids=["local", "github"])
def test_an_oversized_config_edn_warns_instead_of_being_taken_for_absent(tmp_path, remote):
    from ontosync.parsing.logseq_config import MAX_CONFIG_BYTES
    from tests.fake_github import FakeGitHub

    tree = tmp_path / "tree"
    (tree / "logseq").mkdir(parents=True)
    (tree / "pages").mkdir()
    (tree / "pages" / "Page.md").write_text("- text\n", encoding="utf-8")
    big = "{:hidden [\"pages\"]}\n" + ";" * MAX_CONFIG_BYTES + "\n"
    (tree / "logseq" / "config.edn").write_text(big, encoding="utf-8")
    report = tmp_path / "r.json"
    if remote:
        with FakeGitHub(tree) as fake:
            proc = cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", tmp_path / "o.db", "--quiet",
                       "--report", report, env={"GITHUB_TOKEN": fake.token, "ONTOSYNC_GITHUB_TIMEOUT": "5"})
    else:
        proc = cli("sync", tree, "--db", tmp_path / "o.db", "--quiet", "--report", report)
    assert proc.returncode == 0, proc.stderr
    warnings = json.loads(report.read_text(encoding="utf-8"))["warnings"]
    assert [w for w in warnings if w["path"] == "logseq/config.edn"] == [{
        "path": "logseq/config.edn", "kind": "logseq-config", "line": None,
        "message": f"logseq/config.edn: larger than {MAX_CONFIG_BYTES} bytes; Logseq's defaults apply"}]
    # the defaults apply: `:hidden` in the refused file hides nothing
    conn = sqlite3.connect(tmp_path / "o.db")
    error = conn.execute("SELECT error FROM source_files WHERE path = 'pages/Page.md'").fetchone()[0]
    assert error == "no OntologyBlock heading"  # read as a page (not "hidden by logseq/config.edn")
    conn.close()


# -- 4. PostgreSQL: `?schema=` left empty ----------------------------------------------------------------
