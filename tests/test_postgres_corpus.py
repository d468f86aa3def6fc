"""Issue 15: the shared Logseq corpus synced into PostgreSQL equals the SQLite sync of it, and stays
equal through an incremental series (a hub page loses its parents, one page is deleted, one renamed,
one gets a new relationship).

The SQLite side is the session's corpus database (tests/conftest.py, corpus_db); the PostgreSQL side
the session's full sync of the same pages into a database on the test server (pg_corpus_template),
read through a copy of it that the incremental series then changes. Contract tables and per-file
facts are compared whole (timestamps and row ids aside).
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.corpus_series import corpus_changes, hub_page
from tests.helpers import CONTENT_TABLES, PAGES, cli
from tests.postgres_server import create_database, database_url, drop_database, new_schema, pg_dump, sqlite_dump

# the contract tables, the per-file facts and the semantic-sql layer (class_search's id aside)
TABLES = (*CONTENT_TABLES, "file_synonyms", "statements", "prefix", "entailed_edge", "class_search")
pytestmark = [pytest.mark.corpus, pytest.mark.slow]


def test_corpus_into_postgres_equals_sqlite(corpus_db, pg_corpus_template, tmp_path, fresh_sync):
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

        # an incremental series (tests/corpus_series.py: a hub page loses its parents, one page is
        # deleted, one renamed, one gets a new relationship), then compared with a fresh SQLite sync
        # of the changed tree (fresh_sync: the one test_semsql's series ends with)
        src = tmp_path / "pages"
        shutil.copytree(PAGES, src)
        for change in corpus_changes(src, hub_page(corpus_db)):
            change()
        proc = cli("sync", str(src), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json"),
                   "--report", str(tmp_path / "r.json"))
        assert proc.returncode == 0, proc.stderr
        files = json.loads((tmp_path / "r.json").read_text())["files"]
        processed = files["ok"] + files["failed"] + files["skipped"]
        assert (processed, files["deleted"], files["unchanged"]) == (3, 2, 1680), files  # only the changes
        assert pg_dump("corpus", TABLES, url) == sqlite_dump(fresh_sync(src), TABLES)
    finally:
        drop_database(name)
