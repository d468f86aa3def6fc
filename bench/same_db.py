"""Two checkouts of ontosync, one source tree each: are the readers' tables the same, row for row?

    .venv/bin/python bench/same_db.py --other /work/main [--other-python /work/main/.venv/bin/python]
        [SRC ...]

Why: a change that makes the writer faster must leave the database as it was. This syncs each SRC
(default: pato-base.owl, ro.owl, bfo-core.ttl, each alone in a folder, and the Logseq corpus) into a
new database with this checkout and with the other one (each with its own Python, `-m ontosync
sync` in a fresh process), then compares every row of `statements` (with its rowid),
`entailed_edge`, `class_search` (with its id), `prefix` and `run_changes` (the run's id, kind,
ontology, IRI, item, old and new), plus the full-text index's answer to a few searches. Prints one
line per source and table; exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CORPORA = PROJECT.parent / "shared" / "corpora"
TABLES = {
    "statements": "SELECT rowid, * FROM statements ORDER BY rowid",
    "entailed_edge": "SELECT * FROM entailed_edge ORDER BY 1, 2, 3",
    "class_search": "SELECT * FROM class_search ORDER BY id",
    "prefix": "SELECT * FROM prefix ORDER BY 1",
    "run_changes": "SELECT * FROM run_changes ORDER BY 1, 2, 3, 4, 5",
    "class_search_fts": "SELECT rowid FROM class_search_fts WHERE class_search_fts MATCH 'shape OR color OR part' "
                        "ORDER BY rowid",
}


def sources(given: list[str], work: Path) -> dict[str, Path]:
    if given:
        return {Path(s).name: Path(s) for s in given}
    found: dict[str, Path] = {}
    for name in ("pato-base.owl", "ro.owl", "bfo-core.ttl"):
        src = CORPORA / "ontologies" / name
        if src.is_file():
            folder = work / "src" / name
            folder.mkdir(parents=True)
            shutil.copyfile(src, folder / name)
            found[name] = folder
    if (CORPORA / "visionflow-pages").is_dir():
        found["corpus"] = CORPORA / "visionflow-pages"
    return found


def sync(python: str, project: Path, src: Path, db: Path) -> None:
    subprocess.run([python, "-m", "ontosync", "sync", str(src), "--db", str(db), "--quiet"], cwd=project,
                   check=True, stdout=subprocess.DEVNULL)


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def show_difference(a: list[tuple], b: list[tuple]) -> None:
    """The first differing rows, and whether the two differ only in order (rowids, ids)."""
    pairs = [(x, y) for x, y in zip(a, b, strict=False) if x != y][:3]
    for x, y in pairs:
        print(f"    this:  {x}\n    other: {y}")
    reordered = sorted(map(repr, (r[1:] for r in a))) == sorted(map(repr, (r[1:] for r in b)))
    print(f"    same rows in another order: {reordered}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", nargs="*")
    ap.add_argument("--other", required=True, help="the other checkout (e.g. main's worktree)")
    ap.add_argument("--other-python", help="its Python (default: OTHER/.venv/bin/python)")
    args = ap.parse_args(argv)
    other = Path(args.other).resolve()
    other_python = args.other_python or str(other / ".venv" / "bin" / "python")
    differ = False
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, src in sources(args.src, work).items():
            mine, theirs = work / f"{name}.mine.db", work / f"{name}.other.db"
            sync(sys.executable, PROJECT, src, mine)
            sync(other_python, other, src, theirs)
            for table, sql in TABLES.items():
                a, b = rows(mine, sql), rows(theirs, sql)
                same = a == b
                differ = differ or not same
                print(f"{name:16s} {table:16s} {len(a):7d} rows  {'same' if same else 'DIFFERENT'}"
                      + ("" if same else f" (other: {len(b)} rows)"), flush=True)
                if not same:
                    show_difference(a, b)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
