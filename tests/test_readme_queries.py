"""The README's example SQL queries and its `ontosync search` example run on the database of its
first command (the bundled example) and give what the example's pages say and the README shows;
that sync's run report has no key the README's "Run report" section leaves out."""

from __future__ import annotations

import json
import re
import shlex
import sqlite3

import pytest

from tests.helpers import EXAMPLE, ROOT, cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"<!-- example-queries[^>]*-->\s*```sql\n(.*?)```", re.S)
SEARCH = re.compile(r"```sh\n(\.venv/bin/ontosync search [^\n]*)\n((?:# [^\n]*\n)+)```")


def statements() -> list[str]:
    block = BLOCK.search(README)
    assert block, "README.md lost its example-queries block"
    return [s.strip() for s in block.group(1).split(";") if s.strip()]


@pytest.fixture(scope="module")
def example_db(tmp_path_factory):
    """One sync of the example for the module: both tests only read it."""
    db = tmp_path_factory.mktemp("readme") / "example.db"
    proc = cli("sync", str(EXAMPLE), "--db", str(db), "--quiet", "--report", str(db.with_suffix(".json")))
    assert proc.returncode == 0, proc.stderr
    return db


def test_the_example_queries_answer_on_the_example(example_db):
    conn = sqlite3.connect(example_db)
    try:
        parents, below, robots, failed = (conn.execute(s).fetchall() for s in statements())
    finally:
        conn.close()
    assert parents == [("http://example.org/ontosync-example#Robot", "Robot")]
    assert {label for _, label in below} == {"Machine", "Robot", "Industrial Robot"}
    assert [label for _, label, _ in robots] == ["Industrial Robot", "Robot"]
    assert failed == []


def test_the_search_example_prints_what_the_readme_shows(example_db):
    """The shown lines are the example's, so the command must name the example's database (a new
    user who ran the two commands has `example.db`, not `ontology.db`), and print them as shown."""
    found = SEARCH.search(README)
    assert found, "README.md lost its `ontosync search` example"
    command = shlex.split(found.group(1).split("#", 1)[0])
    shown = [line[2:] for line in found.group(2).splitlines()]
    db_at = command.index("--db") + 1
    assert command[db_at] == "example.db", f"the example's output is shown for --db {command[db_at]}"
    command[db_at] = str(example_db)
    proc = cli(*command[1:])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == shown


def report_gaps(text: str, report: dict) -> list[str]:
    """The run report's top-level keys that the README's "Run report" section does not name."""
    section = text.split("### Run report", 1)[1].split("\n### ", 1)[0]
    return sorted(key for key in report if f"`{key}`" not in section)


def test_the_readme_names_every_key_of_the_run_report(example_db):
    report = json.loads(example_db.with_suffix(".json").read_text(encoding="utf-8"))
    assert len(report) > 20  # the whole report, not an error's stub
    assert not report_gaps(README, report), "run report keys the README does not describe"
