"""Where ontosync read a Logseq graph differently from Logseq.

Each expectation below is what Logseq's own graph parser makes of the page (deps/graph-parser,
`logseq.graph-parser.text/parse-property`: a property value's page refs are the `Link`, `Tag` and
`Nested_link` nodes mldoc finds in it, and a value wrapped in double quotes is a plain string
with no refs at all), written from those rules, not from ontosync's output.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import cli

M = "http://narrativegoldmine.com/metaverse#"
P = "urn:ontosync:page:"


def block(*props: str) -> str:
    return "- ### OntologyBlock\n" + "".join(f"  - {p}\n" for p in props)


FILES = {
    "pages/Robot.md": block("owl:class:: mv:Robot", "preferred-term:: Robot"),
    # Inline code is verbatim text in Logseq: `[[X]]` and `#x` inside backticks are no refs.
    "pages/Coded.md": block("owl:class:: mv:Coded",
                            "is-subclass-of:: [[Robot]], `[[Not A Link]]`",
                            "has-part:: write ``#[[Tagged Code]]`` or `[[Code Page]]`, [[Robot]]",
                            "alternate-terms:: `a, b`, Plain"),
    # A value wrapped in double quotes is a string in Logseq: none of its links are refs.
    "pages/Quoted.md": block("owl:class:: mv:Quoted",
                             'is-subclass-of:: "[[Robot]]"',
                             'has-part:: "[[Robot]], [[Quoted Other]]"',
                             'requires:: [[Robot]] "and" [[Robot Arm]]'),
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hunt")
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    db = root.parent / "hunt.db"
    report = root.parent / "hunt.json"
    r = cli("sync", str(root), "--db", str(db), "--report", str(report), "--quiet")
    assert r.returncode == 0, r.stderr
    assert json.loads(report.read_text())["files"]["failed"] == 0
    return db


def rows(db: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute(sql, args).fetchall())
    finally:
        conn.close()


def parents(db: Path, child: str) -> list[str]:
    return [p for (p,) in rows(db, "SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ?", child)]


def relations(db: Path, subject: str) -> list[tuple[str, str]]:
    found = rows(db, "SELECT annotations, object FROM owl_axioms WHERE subject = ? AND axiom_type = 'Relationship'",
                 subject)
    return sorted((json.loads(a)["relation"], o) for a, o in found)


def test_links_in_inline_code_are_no_links(graph):
    """`[[X]]` inside backticks is code in Logseq: no parent, no relation, no class named X."""
    assert parents(graph, M + "Coded") == [M + "Robot"]
    assert relations(graph, M + "Coded") == [("has-part", M + "Robot")]
    assert rows(graph, "SELECT class_iri FROM owl_classes WHERE class_iri IN (?, ?, ?)",
                P + "not-a-link", P + "code-page", P + "tagged-code") == []


def test_inline_code_is_one_item(graph):
    """A comma inside inline code does not split it: the synonym is the code span as written."""
    synonyms = rows(graph, "SELECT synonym FROM file_synonyms WHERE class_iri = ?", M + "Coded")
    assert synonyms == [("Plain",), ("`a, b`",)]


def test_quoted_value_holds_no_links(graph):
    """`key:: "[[A]]"` is the string `"[[A]]"` in Logseq; a link beside a quoted word still counts."""
    assert parents(graph, M + "Quoted") == []
    assert relations(graph, M + "Quoted") == [("requires", M + "Robot"), ("requires", P + "robot-arm")]
    assert rows(graph, "SELECT class_iri FROM owl_classes WHERE class_iri = ?", P + "quoted-other") == []


@pytest.mark.parametrize(("value", "links", "rest"), [
    ("`[[A]]` [[B]]", ["B"], ["`[[A]]`"]),
    ("``a ` [[A]]`` [[B]]", ["B"], ["``a ` [[A]]``"]),  # a single backtick inside a double-backtick span
    ("`[[A]] [[B]]", ["A", "B"], ["`"]),  # an unclosed backtick is literal: the links count
    ("``[[A]]` [[B]]", ["A", "B"], ["``", "`"]),  # runs of different lengths do not pair
    ("[[A]] `#t`, #u", ["A", "u"], ["`#t`"]),
])
def test_split_values_code_spans(value, links, rest):
    from ontosync.parsing.logseq_names import split_values

    assert split_values(value) == (links, rest)


def test_long_value_code_spans():
    """A value past LONG_VALUE (read by the flat path) skips code spans too."""
    from ontosync.parsing.logseq_names import LONG_VALUE, split_values

    value = "[[A]], " * (LONG_VALUE // 7) + "`[[Code]]` ``#tag`` " + "`" * 3 + " [[B]]"
    assert split_values(value)[0] == ["A", "B"]


# -- config.edn options that change which property values hold links ------------------------------

CONFIG_PAGES = {
    "pages/Robot.md": block("owl:class:: mv:Robot"),
    "pages/Arm.md": block("owl:class:: mv:Arm",
                          "is-subclass-of:: [[Robot]]",
                          "has-part:: [[Robot]], #Gripper",
                          "requires:: [[Robot]]"),
}


def sync_graph(root: Path, files: dict[str, str], config: str, db: Path):
    for rel, text in {**files, "logseq/config.edn": config}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    r = cli("sync", str(root), "--db", str(db), "--quiet")
    assert r.returncode == 0, r.stderr


def test_ignored_page_references_keywords(tmp_path):
    """`:ignored-page-references-keywords #{:has-part :is-subclass-of}`: Logseq makes no refs of those
    values, so no edge and no relation; `requires` still links. Editing config.edn on an existing
    database gives what a fresh sync gives (the setting is part of the parse fingerprint)."""
    from tests.helpers import assert_equals_fresh_sync

    root, db = tmp_path / "graph", tmp_path / "g.db"
    sync_graph(root, CONFIG_PAGES, "{:file/name-format :triple-lowbar}", db)
    assert parents(db, M + "Arm") == [M + "Robot"]
    assert relations(db, M + "Arm") == [("has-part", M + "Robot"), ("has-part", P + "gripper"),
                                        ("requires", M + "Robot")]
    sync_graph(root, CONFIG_PAGES, "{:file/name-format :triple-lowbar\n"
                                   " :ignored-page-references-keywords #{:has-part :Is-Subclass-Of}}", db)
    assert parents(db, M + "Arm") == []
    assert relations(db, M + "Arm") == [("requires", M + "Robot")]
    assert rows(db, "SELECT class_iri FROM owl_classes WHERE class_iri = ?", P + "gripper") == []
    assert_equals_fresh_sync(root, db, tmp_path)


def test_ref_key_settings_read_from_config():
    """Keywords or strings, any case; anything else is a config warning with its line, not a failure."""
    from ontosync.parsing.logseq_config import parse_config

    cfg, warnings = parse_config(b'{:ignored-page-references-keywords #{:Author "website"}}', "logseq/config.edn")
    assert (cfg.ignored_ref_keys, warnings) == (("author", "website"), [])
    cfg, warnings = parse_config(b'{:property/separated-by-commas [:Has-Part]}', "logseq/config.edn")
    assert (cfg.comma_ref_keys, warnings) == (("has-part",), [])
    cfg, warnings = parse_config(b'{:file/name-format :triple-lowbar\n :ignored-page-references-keywords :author}',
                                 "logseq/config.edn")
    assert cfg.ignored_ref_keys == ()
    assert [(w.kind, w.line) for w in warnings] == [("logseq-config", 2)]
    assert "ignored-page-references-keywords" in warnings[0].message


COMMA_PAGES = {
    "pages/Robot.md": block("owl:class:: mv:Robot"),
    "pages/Wheel.md": block("owl:class:: mv:Wheel"),
    "pages/Cart.md": block("owl:class:: mv:Cart",
                           "is-subclass-of:: Robot",
                           "has-part:: Wheel, [[Robot]], Axle，Hub, `not a page`",
                           'enables:: "Wheel, Axle"',
                           "requires:: Wheel, [[Robot]]"),
}


def test_property_separated_by_commas(tmp_path):
    """`:property/separated-by-commas #{:has-part ...}`: Logseq makes a page ref of each plain item
    between commas (`，` too; inline code and a quoted value are still no refs); other keys keep
    reading only links. Adding the setting to an existing database equals a fresh sync."""
    from tests.helpers import assert_equals_fresh_sync

    root, db = tmp_path / "graph", tmp_path / "g.db"
    sync_graph(root, COMMA_PAGES, "{:file/name-format :triple-lowbar}", db)
    assert parents(db, M + "Cart") == []
    assert relations(db, M + "Cart") == [("has-part", M + "Robot"), ("requires", M + "Robot")]
    sync_graph(root, COMMA_PAGES, "{:file/name-format :triple-lowbar\n"
                                  " :property/separated-by-commas #{:has-part :enables :is-subclass-of}}", db)
    assert parents(db, M + "Cart") == [M + "Robot"]
    assert relations(db, M + "Cart") == [("has-part", M + "Robot"), ("has-part", M + "Wheel"),
                                         ("has-part", P + "axle"), ("has-part", P + "hub"),
                                         ("requires", M + "Robot")]
    assert_equals_fresh_sync(root, db, tmp_path)


FRONT_MATTER = {
    "pages/robot.md": "---\ntitle: Robot Arm\nalias: Manipulator, Gripper Arm\n---\n\n"
                      + block("owl:class:: mv:RobotArm"),
    "pages/user.md": block("owl:class:: mv:User",
                           "is-subclass-of:: [[Robot Arm]], [[manipulator]]",
                           "requires:: [[Gripper Arm]], [[robot]]"),
}


def test_yaml_front_matter_names_the_page(tmp_path):
    """Logseq reads a markdown page's YAML front matter (`---` / `title: X` / `---` on line 1) as its
    page properties: `title:` names the page (the file name no longer does) and `alias:` adds names."""
    root, db = tmp_path / "graph", tmp_path / "g.db"
    sync_graph(root, FRONT_MATTER, "{:file/name-format :triple-lowbar}", db)
    assert parents(db, M + "User") == [M + "RobotArm"]
    assert relations(db, M + "User") == [("requires", M + "RobotArm"), ("requires", P + "robot")]
    from ontosync.parsing.facts import normalize_name

    names = rows(db, "SELECT name_key, rank FROM page_names WHERE path = 'pages/robot.md'")
    assert names == sorted([(normalize_name("Robot Arm"), 0), (normalize_name("Manipulator"), 2),
                            (normalize_name("Gripper Arm"), 2)])  # stored rank: twice the name's (own_rows)


@pytest.mark.parametrize(("path", "name"), [
    ("pages/___Robot.md", "Robot"),  # an empty namespace is dropped (make-valid-namespaces)
    ("pages/Vehicle______Car.md", "Vehicle/Car"),
    ("pages/Vehicle___Car___.md", "Vehicle/Car"),
    ("pages/Vehicle%2F%2FCar.md", "Vehicle/Car"),
    ("pages/a___b.md", "a/b"),
])
def test_triple_lowbar_empty_namespaces(path, name):
    """Logseq's `:triple-lowbar` title parsing drops empty namespace parts after decoding."""
    from ontosync.parsing.logseq_names import file_page_name

    assert file_page_name(path) == name


HIDDEN = {
    "pages/Robot.md": block("owl:class:: mv:Robot", "preferred-term:: Robot"),
    # Logseq never reads hidden files or folders (a name starting with `.`) or node_modules:
    "pages/.Robot (conflicted copy).md": block("owl:class:: mv:Robot", "preferred-term:: Stale Robot",
                                               "is-subclass-of:: [[Ghost]]"),
    ".obsidian/templates/Robot.md": block("owl:class:: mv:Robot", "preferred-term:: Template Robot"),
    "node_modules/kg/pages/Robot.md": block("owl:class:: mv:Robot", "definition:: A vendored copy."),
    "logseq/config.edn": "{:file/name-format :triple-lowbar}",
}


def test_hidden_files_and_node_modules_are_no_pages(tmp_path):
    """Logseq's ignored-path?: a path with a component starting with `.` (not `..`) or a
    node_modules folder holds no page. They are skipped with the reason and never win a label,
    a definition or an edge; a macOS `._Robot.md` (AppleDouble, binary) is no failed page."""
    root, db = tmp_path / "graph", tmp_path / "g.db"
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "._Robot.md").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \xff\xfe")
    report = tmp_path / "r.json"
    for rel, text in HIDDEN.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    r = cli("sync", str(root), "--db", str(db), "--report", str(report), "--quiet")
    assert r.returncode == 0, r.stderr
    assert rows(db, "SELECT label, comment, source_file FROM owl_classes WHERE class_iri = ?", M + "Robot") == [
        ("Robot", None, "pages/Robot.md")]
    assert parents(db, M + "Robot") == []
    skipped = dict(rows(db, "SELECT path, status FROM source_files"))
    hidden = [*[*HIDDEN][1:-1], "pages/._Robot.md"]
    assert {p: skipped.get(p) for p in hidden} == dict.fromkeys(hidden, "skipped")
    assert json.loads(report.read_text())["files"]["failed"] == 0


@pytest.mark.parametrize(("path", "found", "skipped"), [
    ("kg/pages/.Robot.md", True, True),
    ("kg/.obsidian/Robot.md", True, True),
    ("kg/pages/..Robot.md", True, False),  # `..x` is no hidden name to Logseq
    ("kg/node_modules/Robot.md", True, True),
    (".kg/pages/Robot.md", False, False),  # no config.edn: the folders above may be the graph's own
    (".kg/pages/.Robot.md", False, True),
])
def test_hidden_paths_relative_to_the_graph_root(path, found, skipped):
    from ontosync.parsing.logseq_config import LogseqGraph, skip_reason

    graph = LogseqGraph(root="kg/", found=True) if found else None
    assert (skip_reason(path, graph) is not None) == skipped


CASE_PAGES = {
    "pages/Masse.md": block("owl:class:: mv:Mass"),
    "pages/Maße.md": block("owl:class:: mv:Measures"),
    "pages/Scale.md": block("owl:class:: mv:Scale", "is-subclass-of:: [[maße]]", "requires:: [[MASSE]]"),
}


def test_page_names_compare_lower_case_not_case_folded(tmp_path):
    """Logseq matches page names lower-cased (`page-name-sanity-lc`, JavaScript toLowerCase), not
    Unicode case-folded: `Maße` (measures) and `Masse` (mass) are two pages, so [[maße]] opens
    the first and [[MASSE]] the second. Case folding made both `masse`: one page won both links."""
    root, db = tmp_path / "graph", tmp_path / "g.db"
    sync_graph(root, CASE_PAGES, "{:file/name-format :triple-lowbar}", db)
    assert parents(db, M + "Scale") == [M + "Measures"]
    assert relations(db, M + "Scale") == [("requires", M + "Mass")]


BUILT_IN_PAGES = {
    "pages/Robot.md": block("owl:class:: mv:Robot"),
    "pages/Arm.md": block("owl:class:: mv:Arm", "template:: [[Robot]]", "icon:: [[Robot]]",
                          "filters:: [[Robot]]", "query-properties:: [[Robot]]", "background-color:: [[Robot]]",
                          "custom-id:: [[Robot]]", "has-part:: [[Robot]]"),
}


def test_logseq_built_in_keys_hold_no_links(tmp_path):
    """Logseq's built-in properties that it never parses for refs (`unparsed-built-in-properties`:
    template, icon, filters, query-*, background-color, custom-id...) are no relationships."""
    root, db = tmp_path / "graph", tmp_path / "g.db"
    sync_graph(root, BUILT_IN_PAGES, "{:file/name-format :triple-lowbar}", db)
    assert relations(db, M + "Arm") == [("has-part", M + "Robot")]


SLASH_PAGES = {
    "pages/Robot.md": block("owl:class:: mv:Robot"),
    "pages/Arm.md": block("owl:class:: mv:Arm", "is-subclass-of:: [[Robot/]]", "requires:: [[/Robot]]"),
}


def test_boundary_slashes_name_the_same_page(tmp_path):
    """Logseq's page-name-sanity drops one leading and one trailing `/` of a page name, so
    [[Robot/]] and [[/Robot]] open the page Robot; they were two referenced-only classes."""
    root, db = tmp_path / "graph", tmp_path / "g.db"
    sync_graph(root, SLASH_PAGES, "{:file/name-format :triple-lowbar}", db)
    assert parents(db, M + "Arm") == [M + "Robot"]
    assert relations(db, M + "Arm") == [("requires", M + "Robot")]
