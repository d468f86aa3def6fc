"""The corpus figures README.md states, computed from a fresh sync (its run report and database).

README.md holds them in a table between `<!-- corpus-figures -->` and `<!-- /corpus-figures -->`;
tests/test_readme_figures.py compares that table with a fresh sync of ../shared/corpora, so a
figure cannot drift from what the tool reports. To refresh the table after a change that moves a
figure (and say so in the commit message):

    .venv/bin/python tests/corpus_figures.py            # sync the corpora, print the table
    .venv/bin/python tests/corpus_figures.py --write    # ... and put it into README.md
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: `tests` must be importable
    sys.path.insert(0, str(ROOT))

from tests.helpers import ONTOLOGIES, PAGES, cli  # noqa: E402

README = ROOT / "README.md"
TABLE = re.compile(r"(<!-- corpus-figures[^>]*-->\n)(.*?)(<!-- /corpus-figures -->)", re.S)
# (file, table, what): per-file counts of the RDF ontologies, from the per-file fact tables
ONTOLOGY_COUNTS = (("bfo-core.ttl", "file_classes", "classes"), ("ro.owl", "file_properties", "properties"),
                   ("pato-base.owl", "file_classes", "classes"))


def page_figures(report: dict, db: Path) -> dict[str, int]:
    """What the README says about the Logseq pages: the report's counts, and from the database
    the class IRIs that more than one page declares."""
    files, entities, warnings = report["files"], report["entities"], report["warnings"]
    conn = sqlite3.connect(db)
    try:
        shared = conn.execute("SELECT count(*) FROM (SELECT class_iri FROM file_classes "
                              "GROUP BY ontology_id, class_iri HAVING count(*) > 1)").fetchone()[0]
    finally:
        conn.close()
    return {
        "Logseq pages": files["total"],
        "ontology pages (ok)": files["ok"],
        "skipped (no OntologyBlock heading)": files["skipped"],
        "failed": files["failed"],
        "classes declared": entities["classes"],
        "class IRIs declared by more than one page": shared,
        "`duplicate-declaration` warnings": sum(w["kind"] == "duplicate-declaration" for w in warnings),
        "hierarchy edges": entities["hierarchy_edges"],
        "properties": entities["properties"],
        "axioms": entities["axioms"],
        "axioms recovered from functional-syntax fences": report["fences"]["axioms_recovered"],
        "fence forms reported as `fence-syntax` warnings": report["fences"]["warnings"],
    }


def ontology_figures(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {f"`{name}` {what}": conn.execute(f"SELECT count(*) FROM {table} WHERE path = ?",
                                                 (name,)).fetchone()[0]
                for name, table, what in ONTOLOGY_COUNTS}
    finally:
        conn.close()


def sync(source: Path, work: Path) -> tuple[dict, Path]:
    db, report = work / f"{source.name}.db", work / f"{source.name}-report.json"
    proc = cli("sync", str(source), "--db", str(db), "--report", str(report), "--quiet")
    if proc.returncode != 0:
        raise SystemExit(f"sync of {source} failed: {proc.stderr.strip()}")
    return json.loads(report.read_text(encoding="utf-8")), db


def render(figures: dict[str, int]) -> str:
    rows = "".join(f"| {name} | {value:,} |\n" for name, value in figures.items())
    return "| figure | value |\n| --- | ---: |\n" + rows


def readme_figures(text: str) -> dict[str, int]:
    """The table as README.md states it (thousands separators allowed)."""
    match = TABLE.search(text)
    if not match:
        raise ValueError("README.md has no <!-- corpus-figures --> table")
    rows = re.findall(r"^\| (.+?) \| ([\d,]+) \|$", match.group(2), re.M)
    return {name: int(value.replace(",", "")) for name, value in rows}


def main(argv: list[str]) -> int:
    if not PAGES.is_dir() or not ONTOLOGIES.is_dir():
        print(f"corpora not found at {PAGES.parent}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        figures = page_figures(*sync(PAGES, Path(tmp)))
        figures.update(ontology_figures(sync(ONTOLOGIES, Path(tmp))[1]))
    table = render(figures)
    print(table, end="")
    if "--write" in argv:
        text = README.read_text(encoding="utf-8")
        README.write_text(TABLE.sub(lambda m: m.group(1) + table + m.group(3), text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
