"""Issue 11, the class card's source line: where each file declares each class.

A Logseq page declares its class at its first `### OntologyBlock` heading; a functional-syntax
file or fence at the class's `Declaration`; an RDF file cannot tell (NULL). The line is stored in
`file_classes.line` (migration 007), shown by the `class_source` view, the Datasette class card
and `ontosync search`. Expected lines are found here by reading the files' text, not the parser.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

import ontosync
from ontosync.cli import main
from ontosync.parsing import ParseOptions, parse_file
from tests.helpers import DATASETTE, PAGES, datasette_get, datasette_serving, q

METADATA = Path(ontosync.__file__).parent / "datasette" / "metadata.json"
MV = "http://narrativegoldmine.com/metaverse#"

PAGE = """title:: Robot Arm
alias:: Manipulator

- ## Notes
  - some text first
- ### OntologyBlock
  - owl:class:: mv:RobotArm
  - preferred-term:: Robot Arm
  - definition:: A programmable arm.
  - is-subclass-of:: [[Machine]]
  - ```clojure
    Declaration(Class(mv:Gripper))
    SubClassOf(mv:Gripper mv:RobotArm)
    ```
- ### OntologyBlock
  - has-part:: [[Joint]]
"""

OFN = """Prefix(:=<http://example.org/o#>)
Prefix(rdfs:=<http://www.w3.org/2000/01/rdf-schema#>)
Ontology(<http://example.org/o>

Declaration(Class(:Animal))
AnnotationAssertion(rdfs:label :Animal "Animal")
Declaration(Class(:Dog))
SubClassOf(:Dog :Animal)
)
"""

TTL = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/t#Plant> a owl:Class ; rdfs:label "Plant" .
"""


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line of `text` that contains `needle`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_parsers_give_the_declaration_line() -> None:
    opts = ParseOptions()
    page = parse_file("pages/Robot Arm.md", PAGE.encode(), opts)
    lines = {c.iri: c.line for c in page.classes}
    assert lines == {MV + "RobotArm": line_of(PAGE, "### OntologyBlock"),
                     MV + "Gripper": line_of(PAGE, "Declaration(Class(mv:Gripper))")}
    ofn = parse_file("o.ofn", OFN.encode(), opts)
    assert {c.iri: c.line for c in ofn.classes} == {
        "http://example.org/o#Animal": line_of(OFN, "Class(:Animal)"),
        "http://example.org/o#Dog": line_of(OFN, "Class(:Dog)")}
    assert [c.line for c in parse_file("t.ttl", TTL.encode(), opts).classes] == [None]


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("lines")
    src = tmp / "src"
    (src / "pages").mkdir(parents=True)
    (src / "pages" / "Robot Arm.md").write_text(PAGE, encoding="utf-8")
    (src / "animals.ofn").write_text(OFN, encoding="utf-8")
    (src / "plants.ttl").write_text(TTL, encoding="utf-8")
    db = tmp / "ontology.db"
    assert main(["sync", str(src), "--db", str(db), "--quiet", "--workers", "1"]) == 0
    return db


def test_file_classes_and_class_source_hold_the_line(synced: Path) -> None:
    rows = dict(((path, iri), line) for path, iri, line in q(synced, "SELECT path, class_iri, line FROM file_classes"))
    assert rows == {
        ("pages/Robot Arm.md", MV + "RobotArm"): line_of(PAGE, "### OntologyBlock"),
        ("pages/Robot Arm.md", MV + "Gripper"): line_of(PAGE, "mv:Gripper"),
        ("animals.ofn", "http://example.org/o#Animal"): line_of(OFN, "Class(:Animal)"),
        ("animals.ofn", "http://example.org/o#Dog"): line_of(OFN, "Class(:Dog)"),
        ("plants.ttl", "http://example.org/t#Plant"): None,
    }
    # The view finds the line from the CURIE, through `prefix` (mv:) or a full IRI.
    view = dict(((curie, path), line) for curie, path, line in q(synced, "SELECT * FROM class_source"))
    assert view[("mv:RobotArm", "pages/Robot Arm.md")] == line_of(PAGE, "### OntologyBlock")
    assert view[("http://example.org/o#Dog", "animals.ofn")] == line_of(OFN, "Class(:Dog)")
    assert view[("http://example.org/t#Plant", "plants.ttl")] is None


def test_an_edit_moves_the_line(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    page = src / "Robot Arm.md"
    page.write_text(PAGE, encoding="utf-8")
    db = tmp_path / "o.db"
    assert main(["sync", str(src), "--db", str(db), "--quiet"]) == 0
    page.write_text("\n\n\n" + PAGE, encoding="utf-8")
    assert main(["sync", str(src), "--db", str(db), "--quiet"]) == 0
    assert q(db, "SELECT line FROM file_classes WHERE class_iri = ?", MV + "RobotArm") == [
        (line_of(PAGE, "### OntologyBlock") + 3,)]


def test_search_prints_path_and_line(synced: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["search", "robot", "--db", str(synced)]) == 0
    assert f"mv:RobotArm\tRobot Arm\tpages/Robot Arm.md:{line_of(PAGE, '### OntologyBlock')}" in (
        capsys.readouterr().out.splitlines())
    assert main(["search", "plant", "--db", str(synced), "--json"]) == 0
    (hit,) = json.loads(capsys.readouterr().out)
    assert (hit["curie"], hit["source_file"], hit["source_line"]) == ("http://example.org/t#Plant", "plants.ttl", None)
    assert main(["search", "plant", "--db", str(synced)]) == 0
    assert capsys.readouterr().out.splitlines() == ["http://example.org/t#Plant\tPlant\tplants.ttl"]


def test_an_old_database_gets_the_column_and_lines_after_its_next_sync(synced: Path, tmp_path: Path) -> None:
    """A database from before 007: migrating adds the column (NULL), the next sync fills it (the
    parser version moved, so every file is reprocessed once)."""
    old = tmp_path / "old.db"
    conn = sqlite3.connect(synced)
    conn.execute(f"VACUUM INTO '{old}'")
    conn.close()
    conn = sqlite3.connect(old)
    with conn:
        conn.execute("DROP VIEW class_source")
        conn.execute("ALTER TABLE file_classes DROP COLUMN line")
        conn.execute("DELETE FROM schema_migrations WHERE version = 7")
        conn.execute("UPDATE source_files SET fingerprint = 'from before 007'")
    conn.close()
    assert main(["migrate", "--db", str(old)]) == 0
    assert q(old, "SELECT count(*), count(line) FROM file_classes") == [(5, 0)]
    src = synced.parent / "src"
    assert main(["sync", str(src), "--db", str(old), "--quiet"]) == 0
    assert sorted(q(old, "SELECT path, class_iri, line FROM file_classes")) == sorted(
        q(synced, "SELECT path, class_iri, line FROM file_classes"))


@pytest.mark.skipif(not DATASETTE.is_file(), reason="datasette not installed (pip install -e '.[dev]')")
def test_the_datasette_class_card_shows_file_and_line(synced: Path) -> None:
    with datasette_serving(synced, METADATA) as base:
        (card,) = datasette_get(base, "/ontology/class_card", curie="mv:RobotArm")
        (plant,) = datasette_get(base, "/ontology/class_card", curie="http://example.org/t#Plant")
    assert (card["label"], card["source_file"], card["source_line"]) == (
        "Robot Arm", "pages/Robot Arm.md", line_of(PAGE, "### OntologyBlock"))
    assert (plant["source_file"], plant["source_line"]) == ("plants.ttl", None)


@pytest.mark.skipif(not PAGES.is_dir(), reason="corpus not present")
def test_every_corpus_page_class_is_on_its_first_ontologyblock_heading() -> None:
    """Independently: the first `### OntologyBlock` line of the text (pages with a code fence
    before it are left out, where the heading could be quoted inside the fence)."""
    heading = re.compile(r"[ \t]*(?:-[ \t]+)?###[ \t]+OntologyBlock[ \t]*\Z")
    opts, checked, fenced_first = ParseOptions(), 0, 0
    for page in sorted(PAGES.rglob("*.md")):
        lines = page.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").split("\n")
        first = next((n for n, line in enumerate(lines, 1) if heading.match(line)), None)
        if first is None:
            continue
        if any("```" in line for line in lines[:first]):
            fenced_first += 1
            continue
        facts = parse_file(f"pages/{page.name}", page.read_bytes(), opts)
        (line,) = [c.line for c in facts.classes if c.iri == facts.page_class]
        assert line == first, page.name
        checked += 1
    assert checked > 1400 and fenced_first < 50, (checked, fenced_first)


def test_class_source_seeks_each_row_instead_of_scanning_the_file(synced: Path) -> None:
    """A file with thousands of classes (pato-base.owl) must not cost a scan per class."""
    plan = " ".join(r[-1] for r in q(synced, "EXPLAIN QUERY PLAN SELECT * FROM class_source"))
    assert "SEARCH f USING INDEX sqlite_autoindex_file_classes_1 (path=? AND ontology_id=? AND class_iri=?)" in plan
