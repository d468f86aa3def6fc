"""Leftovers of the last bug hunt (task h5): each test failed before its fix."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import WriteLockHolder, cli

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
@pytest.mark.parametrize("value", ["", "%20", "++"])  # `+` is a space in a query string
def test_a_blank_schema_parameter_is_as_if_absent(value):
    """Every command names its schema from split_schema: blank was schema `s_` for the read
    commands (sanitize('')), while a sync took the default name: status did not find the sync's rows."""
    from ontosync.db_url import schema_for, split_schema

    url = f"postgresql://u@h/d?sslmode=disable&schema={value}"
    assert split_schema(url) == ("postgresql://u@h/d?sslmode=disable", None)
    assert schema_for(url, "/somewhere/Robotics-Ontology") == "robotics_ontology"


def test_a_sync_into_a_blank_schema_parameter_is_found_by_status(tmp_path):
    from tests.postgres_server import connect, drop_schema, new_schema, server_url

    base = server_url()
    schema = new_schema()  # the folder's name: the schema a sync names when ?schema= is absent
    tree = tmp_path / schema
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format(n="a"), encoding="utf-8")
    url = f"{base}{'&' if '?' in base else '?'}schema="
    try:
        proc = cli("sync", tree, "--db", url, "--quiet", "--checkpoint", tmp_path / "c.json")
        assert proc.returncode == 0, proc.stderr
        conn = connect()
        try:
            cur = conn.cursor()
            cur.execute(f'SELECT path FROM "{schema}".source_files')
            assert cur.fetchall() == [("a.ttl",)]
            cur.execute("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 's_'")
            assert cur.fetchone() == (0,)
        finally:
            conn.close()
        # a read command takes the blank value as absent too: the same answer as without it
        blank, absent = cli("status", "--db", url), cli("status", "--db", base)
        assert (blank.returncode, blank.stdout, blank.stderr) == (absent.returncode, absent.stdout, absent.stderr)
    finally:
        drop_schema(schema)


# -- 5. diff --base an older ontosync database ------------------------------------------------------------
def test_diff_base_of_an_older_database_says_so_and_how_to_upgrade(tmp_path):
    from ontosync.store.migrations import available_migrations
    from tests.helpers import database_at

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format(n="a"), encoding="utf-8")
    head, old = tmp_path / "head.db", tmp_path / "old.db"
    assert cli("sync", tree, "--db", head, "--quiet").returncode == 0
    database_at(old, 1)  # as the first release left it: schema 001, no file_synonyms
    newest = max(m.version for m in available_migrations())

    proc = cli("diff", "--db", head, "--base", old)
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    assert proc.stderr == (f"ontosync: error: {old} is an older ontosync database (schema 001; this ontosync reads "
                           f"{newest:03d}): upgrade it with `ontosync migrate --db {old}` (a backup is kept)\n")
    # the advice works: after it, the same diff runs (the empty old database: the head's class is added)
    assert cli("migrate", "--db", old).returncode == 0
    after = cli("diff", "--db", head, "--base", old, "--format", "json")
    assert after.returncode == 0, after.stderr
    assert [c["iri"] for c in json.loads(after.stdout)["classes"]["added"]] == ["http://example.org/a#a"]


# -- 6. diff --base a database another process is writing ------------------------------------------------
def test_diff_base_being_written_is_busy_and_names_the_base(tmp_path):
    """A base whose writer holds the lock (a rollback-journal database: no reader may read it
    mid-write) is exit 4 with the `busy:` line about the base, as status and search say it,
    not exit 3 "fatal" naming the head database."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format(n="a"), encoding="utf-8")
    head, base = tmp_path / "head.db", tmp_path / "base.db"
    assert cli("sync", tree, "--db", head, "--quiet").returncode == 0
    assert cli("sync", tree, "--db", base, "--quiet").returncode == 0
    conn = sqlite3.connect(base)
    assert conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
    conn.close()
    with WriteLockHolder(base, begin="EXCLUSIVE"):
        proc = cli("diff", "--db", head, "--base", base)
    assert proc.returncode == 4, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and proc.stdout == ""
    # the line status and search print for a busy database (store/health.classify), about the base
    assert proc.stderr.startswith(f"ontosync: busy: {base}: database is locked by ")
    assert proc.stderr.endswith("Nothing was lost; run again.\n")
    assert cli("diff", "--db", head, "--base", base).returncode == 0  # once the writer is gone


# -- 7. `migrate` waiting for a sync's lock names no option it lacks --------------------------------------
def test_migrate_busy_on_postgresql_names_its_own_wait_not_lock_timeout(monkeypatch):
    """`migrate` has no --lock-timeout (it waits a fixed time); its busy line said to raise it."""
    import ontosync.pg_commands as pg_commands
    from tests.postgres_server import connect, drop_schema, new_schema, schema_url, server_url

    server_url()  # skips without a server
    monkeypatch.setattr(pg_commands, "MIGRATE_LOCK_TIMEOUT_S", 0.3)  # the wait, not the behaviour
    schema = new_schema()
    holder = connect()
    try:
        holder.cursor().execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (f"ontosync:{schema}",))
        proc = cli("migrate", "--db", schema_url(schema))
    finally:
        holder.close()
        drop_schema(schema)
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.startswith("ontosync: busy: another sync of ") and len(proc.stderr.splitlines()) == 1
    assert "--lock-timeout" not in proc.stderr and "past migrate's wait of 0.3 s" in proc.stderr
    assert "--lock-timeout" not in cli("migrate", "--help").stdout  # the option it named is not there


def test_migrate_busy_on_sqlite_names_its_own_wait_not_lock_timeout(tmp_path, monkeypatch):
    from ontosync.store import lock

    db = tmp_path / "o.db"
    tree = tmp_path / "tree"
    tree.mkdir()
    assert cli("sync", tree, "--db", db, "--quiet").returncode == 0
    monkeypatch.setattr(lock, "MIGRATE_WAIT_S", 0.3)
    with lock.SyncLock(db, "a sync", 0):
        proc = cli("migrate", "--db", db)
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.startswith(f"ontosync: busy: database {db} is busy: another sync holds it (")
    assert "--lock-timeout" not in proc.stderr and "waited 0.3 s (migrate's wait)" in proc.stderr
