"""Pin the database a sync of the shared corpora produces, so a refactor can be proven neutral.

    python tests/corpus_dump.py            # sync, compare with the fixture, exit 1 on a difference
    python tests/corpus_dump.py --write    # sync and (re)write the fixture

The corpora (../shared/corpora/visionflow-pages and ../shared/corpora/ontologies) are copied into a
temporary source tree (`pages/`, `ontologies/`), synced by `python -m ontosync sync` in a fresh
process, and the content tables are dumped with timestamps and row ids left out (tests/helpers.py,
VOLATILE). The fixture holds one sha256 over the whole dump, one per table and the row counts, so a
mismatch says which table moved. A change that is meant to alter the database (a parser fix)
regenerates the fixture with `--write` and says so in its commit message.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `tests.helpers` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.helpers import CONTENT_TABLES, ONTOLOGIES, PAGES, dump_db, run_cli

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "corpus_dump.json"
# A fixed list, so tables other work adds later do not move the pin; those get their own tests.
TABLES = (*CONTENT_TABLES, "file_synonyms")


def _canonical(rows: list[tuple]) -> bytes:
    """One JSON line per row, sorted: the same bytes for the same rows in any order."""
    lines = sorted(json.dumps(list(row), ensure_ascii=False, separators=(",", ":")) for row in rows)
    return "\n".join(lines).encode("utf-8")


def summarise(db: Path) -> dict:
    """Hashes and counts of the content tables of `db`."""
    conn = sqlite3.connect(db)
    try:
        dump = dump_db(conn, TABLES)
        status = dict(conn.execute("SELECT status, count(*) FROM source_files GROUP BY status").fetchall())
    finally:
        conn.close()
    whole = hashlib.sha256()
    tables = {}
    for table in TABLES:
        body = _canonical(dump[table])
        whole.update(table.encode() + b"\0" + body + b"\0")
        tables[table] = {"rows": len(dump[table]), "sha256": hashlib.sha256(body).hexdigest()}
    return {"sha256": whole.hexdigest(), "files_by_status": dict(sorted(status.items())), "tables": tables}


def corpus_summary(workdir: Path) -> dict:
    """Sync both corpora from a copy under `workdir` and summarise the resulting database."""
    src = workdir / "source"
    shutil.copytree(PAGES, src / "pages")
    shutil.copytree(ONTOLOGIES, src / "ontologies")
    db = workdir / "corpus.db"
    res = run_cli("sync", str(src), "--db", str(db), "--workers", "2", "--max-error-rate", "1")
    if res.returncode != 0:
        raise RuntimeError(f"sync exited {res.returncode}: {res.stderr[-2000:]}")
    return summarise(db)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the fixture instead of comparing")
    args = parser.parse_args(argv)
    if not (PAGES.is_dir() and ONTOLOGIES.is_dir()):
        print(f"corpora not found at {PAGES.parent}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        got = corpus_summary(Path(tmp))
    if args.write:
        FIXTURE.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {FIXTURE}: {got['sha256']}")
        return 0
    want = json.loads(FIXTURE.read_text(encoding="utf-8"))
    if got == want:
        print(f"unchanged: {got['sha256']}")
        return 0
    for table, entry in got["tables"].items():
        if entry != want["tables"].get(table):
            print(f"{table}: {want['tables'].get(table)} -> {entry}")
    print(f"dump changed: {want['sha256']} -> {got['sha256']}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
