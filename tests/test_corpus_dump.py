"""The database a sync of the shared corpora produces is pinned (tests/fixtures/corpus_dump.json).

Refactors of the parsers, the store or the pipeline must leave it byte-for-byte the same; a change
meant to alter it regenerates the fixture with `python tests/corpus_dump.py --write`.
"""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from tests.corpus_dump import FIXTURE, TABLES, corpus_summary, summarise
from tests.helpers import dump_file

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("corpus")
    return workdir / "corpus.db", corpus_summary(workdir)


def test_corpus_dump_matches_the_pinned_fixture(synced):
    _, summary = synced
    want = json.loads(FIXTURE.read_text(encoding="utf-8"))
    changed = {t: (want["tables"].get(t), e) for t, e in summary["tables"].items() if e != want["tables"].get(t)}
    assert changed == {}, "tables changed (regenerate only if meant: python tests/corpus_dump.py --write)"
    assert summary == want


def test_summary_counts_are_the_database_rows(synced):
    db, summary = synced
    dump = dump_file(db)
    assert {t: summary["tables"][t]["rows"] for t in dump} == {t: len(rows) for t, rows in dump.items()}
    assert set(TABLES) >= set(dump)
    assert sum(summary["files_by_status"].values()) == len(dump["source_files"])


def test_one_changed_label_moves_the_hash_of_its_table_only(synced, tmp_path):
    db, summary = synced
    copy = tmp_path / "edited.db"
    shutil.copy(db, copy)
    conn = sqlite3.connect(copy)
    with conn:
        conn.execute("UPDATE owl_classes SET label = label || '!' WHERE rowid = (SELECT min(rowid) FROM owl_classes)")
        conn.execute("UPDATE owl_classes SET last_synced = 'another time'")  # volatile: ignored
    conn.close()
    edited = summarise(copy)
    assert edited["sha256"] != summary["sha256"]
    assert [t for t in TABLES if edited["tables"][t] != summary["tables"][t]] == ["owl_classes"]
