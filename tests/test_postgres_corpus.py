"""Issue 15: the shared Logseq corpus synced into PostgreSQL equals the SQLite sync of it, and stays
equal through an incremental series (a page edited, one renamed, one deleted).

The SQLite side is the session's corpus database (tests/conftest.py, corpus_db); the PostgreSQL side
the session's full sync of the same pages into a database on the test server (pg_corpus_template),
read through a copy of it that the incremental series then changes. Contract tables and per-file
facts are compared whole (timestamps and row ids aside).
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.helpers import CONTENT_TABLES, PAGES, cli
from tests.postgres_server import create_database, database_url, drop_database, new_schema, pg_dump, sqlite_dump

# the contract tables, the per-file facts and the semantic-sql layer (class_search's id aside)
TABLES = (*CONTENT_TABLES, "file_synonyms", "statements", "prefix", "entailed_edge", "class_search")
pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def test_corpus_into_postgres_equals_sqlite(corpus_db, pg_corpus_template, tmp_path):
    name = new_schema()
    create_database(name, pg_corpus_template)  # a file copy of the fresh full sync, to change
    url = database_url(name, "corpus")
    try:
        got = pg_dump("corpus", TABLES, url)
        assert got == sqlite_dump(corpus_db, TABLES)
        assert len(got["owl_classes"]) > 1000 and len(got["file_edges"]) > 1000
        # the change log of that first sync (the schema's chg_record(), postgresql/004 and 005) says
        # what SQLite's says, card for card and axiom for axiom
        logged = [json.loads(cli("diff", "--db", db, "--run", "1", "--format", "json").stdout)
                  for db in (url, str(corpus_db))]
        assert logged[0]["counts"] == logged[1]["counts"] and logged[0]["classes"] == logged[1]["classes"]
        assert logged[0]["properties"] == logged[1]["properties"] and logged[0]["axioms"] == logged[1]["axioms"]
        assert logged[0]["counts"]["classes_added"] > 1000 and logged[0]["axioms"]["added"] > 1000

        # an incremental series, then compared with a fresh SQLite sync of the changed tree
        src = tmp_path / "pages"
        shutil.copytree(PAGES, src)
        pages = sorted(src.glob("*.md"))
        edited = pages[10]
        edited.write_text(edited.read_text(encoding="utf-8") + "\n- a new note\n", encoding="utf-8")
        pages[20].rename(src / "Renamed page.md")
        pages[30].unlink()
        proc = cli("sync", str(src), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json"),
                   "--report", str(tmp_path / "r.json"))
        assert proc.returncode == 0, proc.stderr
        files = json.loads((tmp_path / "r.json").read_text())["files"]
        processed = files["ok"] + files["failed"] + files["skipped"]
        assert (processed, files["deleted"], files["unchanged"]) == (2, 2, 1681), files  # only the changes
        fresh = tmp_path / "fresh.db"
        proc = cli("sync", str(src), "--db", str(fresh), "--quiet")
        assert proc.returncode == 0, proc.stderr
        assert pg_dump("corpus", TABLES, url) == sqlite_dump(fresh, TABLES)
    finally:
        drop_database(name)
