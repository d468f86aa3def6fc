"""Wrong-data hunt, round 9: journal page names and page refs as Logseq (file graphs, 0.10.x) reads
them, and the one reader of `.ontosync.yml` the sync and the Action share.

Each Logseq expectation is what Logseq's own code makes of the text, cited at each test
(graph-parser `extract.cljc`, `block.cljs`, `date_time_util.cljs`; mldoc), not ontosync's output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ontosync.parsing import ParseOptions, parse_file
from tests.test_logseq_round5 import M, P, block, graph_options, parents, repos, sync

__all__ = ["repos"]  # the fixture, imported for this module's tests

BLOCK = "- ### OntologyBlock\n  - owl:class:: mv:Day\n"


def names(path: str, options: ParseOptions, text: str = BLOCK) -> list[tuple[str, int]]:
    return parse_file(path, text.encode(), options).names


# -- 1. journal file names: `:journal/file-name-format` names no page -------------------------------------

# graph-parser `extract-pages-and-blocks`: `(get-page-name file ast false filename-format)` (title::, else
# the file name by `title-parsing`), then `(convert-page-if-journal page date-formatter)`, which reads the
# name as a date in `safe-journal-title-formatters`: the title format, `MMM do, yyyy`, `yyyy-MM-dd`,
# `yyyy_MM_dd` (date_time_util.cljs). `:journal/file-name-format` is read only by `date->file-name` and
# `journal-title->default`, which name the files Logseq creates. ontosync read journal file names in
# that format: `journals/20240115.md` of a graph with `"yyyyMMdd"` was `Jan 15th, 2024` to ontosync and
# the page `20240115` to Logseq, so `[[20240115]]` reached no class and `[[Jan 15th, 2024]]` one Logseq
# never opens by that name.
@pytest.mark.parametrize(("file_format", "stem", "title"), [
    ("yyyyMMdd", "20240115", "20240115"),
    ("dd-MM-yyyy", "15-01-2024", "15-01-2024"),
    ("yyyy-MM-dd", "2024_01_15", "Jan 15th, 2024"),  # still a date in yyyy_MM_dd: a journal page
    ("yyyy_MM_dd", "2024-01-15", "Jan 15th, 2024"),
])
def test_a_journal_file_is_named_by_the_title_formats_not_the_file_name_format(file_format, stem, title):
    from ontosync.parsing.logseq_config import LogseqGraph, parse_config

    config, warnings = parse_config(f'{{:journal/file-name-format "{file_format}"}}'.encode(), "logseq/config.edn")
    assert warnings == []
    options = ParseOptions(logseq=LogseqGraph("", config, True))
    assert names(f"journals/{stem}.md", options) == [(title, 0)]
    link = parse_file("pages/Log.md", b"- ### OntologyBlock\n  - is-subclass-of:: [[" + stem.encode() + b"]]\n",
                      options)
    assert [e.parent_ref for e in link.edges] == [title]  # the link opens the page the file is


def test_a_journal_title_format_names_the_files_that_read_in_it():
    """The graph's own title format is tried first (`safe-journal-title-formatters`): a file named in it is
    that day's page; one in `yyyy_MM_dd` too, named by the title format."""
    options = graph_options(journal_title_format="dd.MM.yyyy")
    assert names("journals/15.01.2024.md", options) == [("15.01.2024", 0)]
    assert names("journals/2024_01_15.md", options) == [("15.01.2024", 0)]
    assert names("journals/20240115.md", options) == [("20240115", 0)]


def test_a_legacy_graph_decodes_the_file_name_before_reading_the_date():
    """`title-parsing` comes first: in a legacy graph `.` is `/`, so `2024.01.15.md` is the page
    `2024/01/15`, no date in any format Logseq tries (and a namespace page)."""
    options = graph_options(name_format="legacy", journal_title_format="yyyy.MM.dd")
    assert names("journals/2024.01.15.md", options) == [("2024/01/15", 0)]
    assert names("journals/2024-01-15.md", options) == [("2024.01.15", 0)]


def test_settings_kept_by_an_earlier_version_are_still_read():
    """The database keeps the last good config.edn settings (settings_record); a record written while
    `journal_file_format` was one of them keeps its other settings, not Logseq's defaults."""
    from ontosync.parsing.logseq_config import LogseqConfig, settings_from_record

    record = ('{"path": "logseq/config.edn", "config": {"name_format": "legacy", "journal_file_format": "yyyyMMdd",'
              ' "hidden": ["drafts"], "journal_title_format": "yyyy-MM-dd"}}')
    assert settings_from_record(record, "logseq/config.edn") == LogseqConfig(
        name_format="legacy", hidden=("drafts",), journal_title_format="yyyy-MM-dd")


# -- 2. an org-mode page's names: every directive of the page ---------------------------------------------

# graph-parser `mldoc/collect-page-properties` (run by `->edn` on every page): `(group-by directive? ast)`
# takes EVERY top-level `#+key: value` directive of the page, wherever it stands, into the page's
# `Properties`, put first, which `get-page-name` reads with `zipmap` (the last `#+title:` wins) and
# `extract` with `into {}`. mldoc's `directive.ml` reads `#+KEY:` then `spaces` (none too) and the rest
# of the line. ontosync read only the directives opening the file and kept the first of two, so a
# page Logseq opens as `Kitty` or `Wolf` answered to neither and its links reached no class.
@pytest.mark.parametrize(("text", "named"), [
    ("* notes\n#+alias: Kitty\n", [("Cat", 0), ("Kitty", 1)]),
    ("some text\n#+alias: Kitty\n", [("Cat", 0), ("Kitty", 1)]),
    ("#+title: Felis\n#+title: Wolf\n* x\n", [("Wolf", 0)]),
    ("#+title: Felis\n* x\n#+title: Wolf\n", [("Wolf", 0)]),
    ("#+title:Felis\n* x\n", [("Felis", 0)]),
    ("#+title: Felis\n#+title:\n* x\n", [("Felis", 0)]),  # no value: none, as in markdown
    ("* x\n  #+alias: Kitty\n", [("Cat", 0), ("Kitty", 1)]),  # `between_eols`: spaces may stand before it
    # what a block, a fence or a drawer holds is its content, no directive; an unclosed one opens nothing
    ("* x\n#+BEGIN_SRC org\n#+alias: Kitty\n#+END_SRC\n", [("Cat", 0)]),
    ("* x\n```\n#+alias: Kitty\n```\n", [("Cat", 0)]),
    ("* x\n:LOGBOOK:\n#+alias: Kitty\n:END:\n", [("Cat", 0)]),
    ("* x\n#+BEGIN_QUOTE\n#+alias: Kitty\n", [("Cat", 0), ("Kitty", 1)]),
    # a leading drawer names the page only when the page has no directive
    (":PROPERTIES:\n:title: Felis\n:END:\n* x\n#+alias: Kitty\n", [("Cat", 0), ("Kitty", 1)]),
    (":PROPERTIES:\n:title: Felis\n:title: Lynx\n:END:\n* x\n", [("Lynx", 0)]),
])
def test_every_directive_of_an_org_page_is_a_page_property(text, named):
    assert parse_file("pages/Cat.org", text.encode(), ParseOptions()).names == named


def test_a_link_through_a_late_org_alias_reaches_the_org_page(repos):
    inc, _fresh = repos
    sync(inc, {"pages/Cat.org": "* about cats\n#+alias: Kitty\n",
               "pages/Kitten.md": block("mv:Kitten", "is-subclass-of:: [[Kitty]]")})
    assert parents(inc, M + "Kitten") == [P + "cat"]


# mldoc reads a `:PROPERTIES:` drawer in markdown too: its own test (test_markdown.ml, "drawer",
# `format = Markdown`) gives `Property_Drawer [("type", ...); ("creator", ...)]`, the node `key:: value`
# lines give. Opening the page, it is the page's properties to graph-parser (`get-page-name`: `(contains?
# #{"Properties" "Property_Drawer"} (ffirst ast))`; `extract`: `properties-ast?`), as early Logseq wrote
# them. ontosync read no drawer in a markdown page: `:title:` and `:alias:` named nothing.
def test_a_properties_drawer_opening_a_markdown_page_names_it(repos):
    inc, _fresh = repos
    dog = "\n:PROPERTIES:\n:title: Canine\n:alias: Hound, Pooch\n:END:\n" + block("mv:Dog")
    facts = parse_file("pages/x.md", dog.encode(), ParseOptions())
    assert (facts.names, [s.text for s in facts.synonyms]) == (
        [("Canine", 0), ("Hound", 1), ("Pooch", 1)], ["Hound", "Pooch"])
    sync(inc, {"pages/x.md": dog, "pages/Puppy.md": block("mv:Puppy", "is-subclass-of:: [[Hound]]")})
    assert parents(inc, M + "Puppy") == [M + "Dog"]


@pytest.mark.parametrize("text", [
    "- notes\n:PROPERTIES:\n:title: Canine\n:END:\n",  # not the page's first element: a block's
    ":PROPERTIES:\n:title: Canine\n- notes\n",  # never closed: no drawer
])
def test_a_drawer_elsewhere_names_nothing(text):
    assert parse_file("pages/x.md", text.encode(), ParseOptions()).names == [("x", 0)]


# -- 3. `.ontosync.yml`: one reader for the sync and the Action's notices ----------------------------------

def _inputs(tmp_path: Path, text: str | None):
    from ontosync.action.inputs import ActionInputs

    if text is not None:
        (tmp_path / ".ontosync.yml").write_text(text, encoding="utf-8")
    return ActionInputs(workspace=tmp_path, database=tmp_path / "o.db", checkpoint=tmp_path / "o.ck",
                        report=tmp_path / "r.json", source=str(tmp_path))


@pytest.mark.parametrize(("text", "found"), [
    ("workers: 2\ndb: x.db\nmax_error_rate: 0.5\n", [("workers", "workers", 1), ("db", "db", 2),
                                                     ("max_error_rate", "max_error_rate", 3)]),
    ("", []),  # an empty file: no setting, nothing to say
    ("# only a comment\n", []),
    ("- db\n", None),  # no mapping: the sync refuses it (exit 2), the Action says nothing of it
    ("db: [unclosed\n", None),
    ("db: a.db\ndb: b.db\n", None),
    (None, None),  # no file
])
def test_the_action_reads_the_configuration_file_as_the_sync_does(tmp_path, text, found):
    from ontosync.action.ignored_config import config_keys_lines
    from ontosync.config import ConfigError, load_config_file

    read = config_keys_lines(_inputs(tmp_path, text))
    assert read == (None if found is None else (".ontosync.yml", found))
    if text is not None and found is None:  # what the Action skips, the sync refuses in one line
        with pytest.raises(ConfigError, match=r"\.ontosync\.yml"):
            load_config_file(tmp_path / ".ontosync.yml")
