"""Issue 18: a first run's save of a new path looks for unused ontology ids only when it could have
left one (it deleted a class, property or axiom, or added an id), and its first save always looks.

Checked against the rule itself: after every save no `ontologies` row is unused, whichever save
order, and the statement runs far fewer times than there are saves.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ontosync.parsing.facts import ClassFact, FileFacts
from ontosync.store.changelog import ChangeLog
from ontosync.store.migrations import utc_now
from ontosync.store.repository import Repository

DROP = "DELETE FROM ontologies WHERE"
UNUSED = """SELECT ontology_id FROM ontologies o WHERE
    NOT EXISTS (SELECT 1 FROM owl_classes t WHERE t.ontology_id = o.ontology_id)
    AND NOT EXISTS (SELECT 1 FROM owl_properties t WHERE t.ontology_id = o.ontology_id)
    AND NOT EXISTS (SELECT 1 FROM owl_axioms t WHERE t.ontology_id = o.ontology_id)"""


def first_run(db: Path) -> tuple[Repository, list[str]]:
    repo = Repository(db)
    repo.ensure_schema()
    repo.changes = ChangeLog.start(repo, None, "test", utc_now())
    assert repo.changes.fresh
    repo.readers.begin_run(repo)
    seen: list[str] = []
    repo.conn.set_trace_callback(seen.append)
    return repo, seen


def facts(onto: str | None, *iris: str) -> FileFacts:
    return FileFacts(format="turtle", ontology_id=onto, classes=[ClassFact(iri=i, label=i[-1]) for i in iris])


def unused(repo: Repository) -> list[tuple]:
    return repo.conn.execute(UNUSED).fetchall()


def test_an_ontology_id_with_nothing_in_it_goes_in_the_save_that_added_it(tmp_path):
    repo, seen = first_run(tmp_path / "db.sqlite")
    saves = [("a.ttl", facts("http://x/o1", "http://x/A")),
             ("b.ttl", facts("http://x/empty")),  # an id, but no class, property or axiom
             ("c.ttl", facts("http://x/o1", "http://x/C")),
             ("d.ttl", facts(None, "http://x/D"))]
    for path, f in saves:
        repo.save_parsed(path, None, 1, f, utc_now())
        assert unused(repo) == [], path
    ids = {r[0] for r in repo.conn.execute("SELECT ontology_id FROM ontologies")}
    assert ids == {"http://x/o1", "default"}
    drops = sum(1 for sql in seen if sql.lstrip().startswith(DROP))
    assert drops == 3  # a.ttl (the first), b.ttl and d.ttl (each added an id); not c.ttl
    repo.close()


def test_the_first_save_of_a_first_run_removes_an_id_the_database_started_with(tmp_path):
    db = tmp_path / "db.sqlite"
    Repository(db).ensure_schema()
    with sqlite3.connect(db) as conn:  # left by hand, say: no class, property or axiom uses them
        conn.executemany("INSERT INTO ontologies (ontology_id, created_at) VALUES (?, 'then')",
                         [("http://x/stray",), ("default",)])  # the save adds no id: only "first" looks
    repo, _ = first_run(db)
    repo.save_parsed("a.ttl", None, 1, facts(None, "http://x/A"), utc_now())
    assert unused(repo) == []
    assert [r[0] for r in repo.conn.execute("SELECT ontology_id FROM ontologies")] == ["default"]
    repo.close()
