"""The README's example SQL queries run on the database of its first command (the bundled example)
and give what the example's pages say."""

from __future__ import annotations

import re
import sqlite3

from tests.helpers import EXAMPLE, ROOT, cli

BLOCK = re.compile(r"<!-- example-queries[^>]*-->\s*```sql\n(.*?)```", re.S)


def statements() -> list[str]:
    block = BLOCK.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert block, "README.md lost its example-queries block"
    return [s.strip() for s in block.group(1).split(";") if s.strip()]


def test_the_example_queries_answer_on_the_example(tmp_path):
    db = tmp_path / "example.db"
    proc = cli("sync", str(EXAMPLE), "--db", str(db), "--quiet")
    assert proc.returncode == 0, proc.stderr
    conn = sqlite3.connect(db)
    try:
        parents, below, robots, failed = (conn.execute(s).fetchall() for s in statements())
    finally:
        conn.close()
    assert parents == [("http://example.org/ontosync-example#Robot", "Robot")]
    assert {label for _, label in below} == {"Machine", "Robot", "Industrial Robot"}
    assert [label for _, label, _ in robots] == ["Industrial Robot", "Robot"]
    assert failed == []
