"""The change log, `diff`, `status`, the pull-request comment and the job summary, round 8 (task h91).

`status --json` and `diff --format json` printed a database's bidirectional overrides raw; a change
cell's "and N more" was text a synonym could write; and the clean-ups of round 7's report (each
checked here before it was made: what it must keep, and the repeated work it removed).
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from ontosync.cli import main as cli_main
from ontosync.diff_format import to_markdown

TTL = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
       '<http://ex.org/{0}> a owl:Class ; rdfs:label "{0}" .\n')
RAW = "\u202e\u2066\u2028\x9b\x7f"  # what a terminal reorders or obeys, none of which JSON must escape


def _changes(changes: dict) -> dict:
    return {"base": {"run": 1, "revision": None}, "head": {"run": 2, "revision": None},
            "classes": {"added": [], "removed": [],
                        "changed": [{"iri": "http://ex.org/C", "label": "C", "changes": changes}]},
            "properties": {"added": [], "removed": [], "changed": []},
            "axioms": {"added": 0, "removed": 0, "by_subject": []}}


def _synced(tmp_path, *names: str) -> str:
    tree, db = tmp_path / "t", str(tmp_path / "x.db")
    tree.mkdir(exist_ok=True)
    for name in names:
        (tree / f"{name}.ttl").write_text(TTL.format(name), encoding="utf-8")
    assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1"]) == 0
    return db


def test_the_json_of_status_and_diff_escapes_what_a_terminal_reorders(tmp_path, capsys):
    """`status --json` of a database from elsewhere printed its stored revision's U+202E raw (the text
    `status` escapes it since round 7): a person reading the JSON, as most do in a terminal, saw the
    line turned round, and a C1 control (U+009B, CSI) reached the terminal. The JSON is data, and an
    escape is the same data to every JSON reader: those characters are now written `\\u202e` and
    the like, so the output reads back as the very value the database holds; `diff`'s JSON too."""
    db = _synced(tmp_path, "A")
    revision = f"abc{RAW}def"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE sync_meta SET value = ? WHERE key = 'revision'", (revision,))
        conn.execute("UPDATE owl_classes SET label = ?", (f"A{RAW}",))
        conn.execute("UPDATE run_changes SET new = ?", (json.dumps({"label": f"A{RAW}", "parents": []}),))
    conn.close()
    capsys.readouterr()
    assert cli_main(["status", "--db", db, "--json"]) == 0
    out = capsys.readouterr().out
    assert not any(ch in out for ch in RAW), out
    assert json.loads(out)["last_revision"] == revision
    assert '"last_revision": "abc\\u202e\\u2066\\u2028\\u009b\\u007fdef"' in out, out
    assert cli_main(["diff", "--db", db, "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert not any(ch in out for ch in RAW), out
    assert json.loads(out)["classes"]["added"] == [{"iri": "http://ex.org/A", "label": f"A{RAW}"}]


def test_the_report_on_standard_output_and_the_actions_change_json_escape_it_too(tmp_path, capsys):
    """The same characters reached a terminal by the two JSON outputs the change above left out:
    `sync --report -` (a file's name in the report) and the Action's change JSON (`cat` of the
    `changes` output: the shape of `diff --format json`, which escapes them). Final read's finding."""
    from ontosync.action.changes import collect
    tree = tmp_path / "t"
    tree.mkdir()
    (tree / f"A{RAW[:2]}.ttl").write_text(TTL.format("A"), encoding="utf-8")
    capsys.readouterr()
    assert cli_main(["sync", str(tree), "--db", str(tmp_path / "x.db"), "--report", "-", "--quiet",
                     "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert not any(ch in out for ch in RAW), out
    assert [f["path"] for f in json.loads(out)["slowest_files"]] == [f"A{RAW[:2]}.ttl"]
    with sqlite3.connect(tmp_path / "x.db") as conn:
        conn.execute("UPDATE run_changes SET new = ?", (json.dumps({"label": f"A{RAW}", "parents": []}),))
    conn.close()
    assert collect(tmp_path / "x.db", 0, tmp_path / "changes.json", str(tree)) is not None
    text = (tmp_path / "changes.json").read_text(encoding="utf-8")
    assert not any(ch in text for ch in RAW), text
    assert json.loads(text)["classes"]["added"] == [{"iri": "http://ex.org/A", "label": f"A{RAW}"}]


def test_a_synonym_cannot_forge_the_cells_and_n_more():
    """A change cell shows 10 synonyms (or parents) a side and says how many more: "… s09 and 2
    more" was plain text, and 11 synonyms added, the last `and 5 more`, read as 15. The marker is
    now in italics, which no synonym can write (its `*` is escaped); a synonym reading like it
    stays plain text."""
    forged = to_markdown(_changes({"synonyms_added": [f"s{i:02}" for i in range(9)] + ["and 5 more"]}))
    [row] = [line for line in forged.splitlines() if line.startswith("| C |")]
    assert row.endswith("s08, and 5 more |"), row
    parents = [{"iri": f"http://ex.org/P{i}", "label": f"P{i}"} for i in range(11)]
    real = to_markdown(_changes({"synonyms_added": [f"s{i:02}" for i in range(15)], "parents_added": parents}))
    [row] = [line for line in real.splitlines() if line.startswith("| C |")]
    parents, synonyms = row.split(" | ")[2].removesuffix(" |").split("<br>")
    assert parents.endswith("P9 *and 1 more*") and synonyms.endswith("s09 *and 5 more*"), row
    commas = to_markdown(_changes({"synonyms_added": ["Fox, Wolf"] + [f"s{i:02}" for i in range(11)]}))
    [row] = [line for line in commas.splitlines() if line.startswith("| C |")]
    assert "*12:* Fox, Wolf *and* s00 *and* s01" in row and row.endswith("s08 *and 2 more* |"), row


def test_the_markdown_escapes_each_name_once(monkeypatch):
    """Clean-up (round 7's report): a row's names were escaped up to 4 times (an axioms subject's
    name twice to count the names alike and twice to write the cell; a parent's 3 times; a synonym
    up to 3). The cells must read as before (the tables below), each name escaped once."""
    import collections

    import ontosync.diff_format as diff_format

    calls: collections.Counter = collections.Counter()
    real = diff_format.md

    def counted(text, limit=diff_format.MAX_CELL):
        calls[text] += 1
        return real(text, limit)

    monkeypatch.setattr(diff_format, "md", counted)
    data = _changes({"synonyms_added": ["Fox", "Big  cat", "x_y"], "synonyms_removed": ["Big cat", "Bear"],
                     "parents_added": [{"iri": "http://ex.org/P", "label": "Cell"},
                                       {"iri": "http://ex2.org/P", "label": "Cell"}],
                     "parents_removed": [{"iri": "http://ex.org/Q", "label": "Q*"}]})
    data["classes"]["added"] = [{"iri": "http://ex.org/N", "label": "New"}]
    data["axioms"] = {"added": 3, "removed": 1, "by_subject": [
        {"iri": "http://ex.org/X", "label": None, "added": 1, "removed": 0},
        {"iri": "http://ex2.org/X", "label": None, "added": 1, "removed": 0},
        {"iri": "http://ex.org/S", "label": "S_1", "added": 1, "removed": 1}]}
    lines = to_markdown(data).splitlines()
    assert "| New | `http://ex.org/N` |" in lines
    [row] = [line for line in lines if line.startswith("| C |")]
    assert row == ("| C | `http://ex.org/C` | parent + Cell (`http://ex.org/P`), Cell (`http://ex2.org/P`)<br>"
                   "parent − Q\\*<br>synonym + Fox, Big cat *(only whitespace differ)*, x\\_y<br>"
                   "synonym − Big cat, Bear |"), row
    assert lines[-3:] == ["| X (`http://ex.org/X`) | 1 | 0 |", "| X (`http://ex2.org/X`) | 1 | 0 |",
                            "| S\\_1 | 1 | 1 |"], lines
    once = {text: n for text, n in calls.items() if text not in ("Big  cat", "Big cat")}  # twins: shown as they differ
    assert once == {**dict.fromkeys(["C", "New", "Q*", "Fox", "x_y", "Bear", "S_1"], 1), "Cell": 2, "X": 2}, calls


@pytest.mark.parametrize("value, said", [("-1", "must be between 0 and 86400 seconds, not -1"),
                                         ("nan", "must be between 0 and 86400 seconds, not nan"),
                                         ("86401", "must be between 0 and 86400 seconds, not 86401"),
                                         ("x", "invalid number: 'x'")])
def test_a_reading_command_s_busy_timeout_out_of_range_is_one_line(value, said, capsys):
    """Clean-up: the reading commands' `--busy-timeout` check wrote its own words for the range the
    options table's rule says (`Option.broken_rule`, as `--lock-timeout`'s); it now asks the rule.
    The line stays as it was (0 is a value: no wait)."""
    assert cli_main(["status", "--db", "none.db", "--busy-timeout", value]) == 2
    assert capsys.readouterr().err == f"ontosync: error: argument --busy-timeout: {said}\n"


def test_a_hard_linked_database_s_folder_is_listed_once_per_sync(tmp_path, monkeypatch, capsys):
    """Clean-up: a sync of a database with two names listed its folder twice for the other names
    (store/health.py: once to refuse a link's pending `-wal`, once to warn of the links). The warning
    stays; the listing is done once."""
    import os

    from ontosync.store import health

    db = _synced(tmp_path, "A")
    os.link(db, tmp_path / "other.db")
    listed: list[str] = []
    real = os.scandir

    def scandir(path="."):
        if os.path.abspath(path) == str(tmp_path):
            listed.append(path)
        return real(path)
    monkeypatch.setattr(health.os, "scandir", scandir)
    capsys.readouterr()
    assert cli_main(["sync", str(tmp_path / "t"), "--db", db, "--quiet", "--workers", "1"]) == 0
    assert "the database has 2 names (hard links; beside it: other.db)" in capsys.readouterr().err
    assert len(listed) == 1, listed


BOUNDS_OFN = """Prefix(:=<http://example.org/x#>)
Prefix(rdfs:=<http://www.w3.org/2000/01/rdf-schema#>)
Ontology(<http://example.org/x>
Declaration(ObjectProperty(:p)) Declaration(ObjectProperty(:q)) Declaration(DataProperty(:d))
ObjectPropertyDomain(Annotation(rdfs:comment "a") :p :A)
ObjectPropertyDomain(Annotation(Annotation(rdfs:comment "deep") rdfs:seeAlso _:n) :p ObjectUnionOf(:A :B))
ObjectPropertyRange(Annotation(rdfs:comment "c") :q ObjectSomeValuesFrom(:p :C))
ObjectPropertyRange(:q :A)
DataPropertyRange(Annotation(rdfs:label "r") :d DataUnionOf(<http://www.w3.org/2001/XMLSchema#integer>
  <http://www.w3.org/2001/XMLSchema#string>))
)
"""


def test_a_domain_or_range_axiom_is_mapped_to_rdf_once(monkeypatch):
    """Clean-up: an OFN domain or range axiom was mapped to its triples twice (ofn_rdf.bound_note:
    once for its rows, once again for its annotations' alone). Each now maps once, and both lists
    are what the two mappings gave (`note`, the general note, stays the reference)."""
    from ontosync.parsing import ParseOptions, ofn_rdf, parse_file

    mapped: list[str] = []
    real_axiom, real_bound = ofn_rdf.Graph.axiom, ofn_rdf.bound_note

    def axiom(self, head, args):
        mapped.append(head)
        return real_axiom(self, head, args)

    def bound(iri, literal, head, args, annotations, full):
        before = len(mapped)
        got = real_bound(iri, literal, head, args, annotations, full)
        assert len(mapped) - before == 1, head
        del mapped[before:]
        reference = (ofn_rdf.note(iri, literal, head, args, annotations, full, {}),
                     ofn_rdf.note(iri, literal, head, args, annotations, full, {"rdf_subject": ""})
                     if annotations else [])
        del mapped[before:]
        assert got == reference and (got[1] != []) == bool(annotations), (head, got, reference)
        checked.append(head)
        return got

    checked: list[str] = []
    monkeypatch.setattr(ofn_rdf.Graph, "axiom", axiom)
    monkeypatch.setattr(ofn_rdf, "bound_note", bound)
    facts = parse_file("x.ofn", BOUNDS_OFN.encode(), ParseOptions())
    assert not facts.warnings, facts.warnings
    assert checked == ["ObjectPropertyDomain"] * 2 + ["ObjectPropertyRange"] * 2 + ["DataPropertyRange"]


def test_a_job_summary_cell_makes_no_www_link():
    """The job summary's cells (a failed file's name and message, which a pull request's author
    writes) escaped markup and `http://` links, but GitHub also links a bare `www.host` (GFM's
    extended autolink): a file `www.evil.example.ttl` was a link in the summary. Its dot is now
    escaped, shown as it was; a name merely holding `www.` inside a word is left alone."""
    from ontosync.action.summary import cell, code

    assert cell("see www.evil.example/x.ttl") == "see www\\.evil.example/x.ttl"
    assert cell("(WWW.evil.example)") == "(WWW\\.evil.example)"
    assert code("_www.e.org") == "<code>\\_www\\.e.org</code>"
    assert cell("awww.example") == "awww.example"


def test_the_notes_on_what_the_figures_start_from_are_whole():
    """The job summary's note that a push's figures start from another commit, and the comment's
    "Compared with ... (NOTE)", went through the escaping of a table cell, which cuts at 200
    characters: the summary read "... the figures are the change from aaaaaaaaaaaa, the commits
    between in…", and a base note naming a long artifact lost its end ("could not be synced into
    it"). They are our sentences (user parts escaped): whole now."""
    import io

    from ontosync.action.commands import Commands
    from ontosync.action.pull_request import PullRequest, comment_body
    from ontosync.action.run import start_note

    note = start_note(Commands(io.StringIO()), {"base": {"run": 3, "revision": "a" * 40}}, "b" * 40)
    assert note.endswith("the commits between included."), note
    base_note = (f"the newest {'ontology-database-of-the-main-branch' * 3!r} artifact of the base branch, synced at "
                 f"commit {'c' * 12} (the base commit {'d' * 12} could not be synced into it)")
    body = comment_body(_changes({"label": ["A", "B"]}), PullRequest(7, "o/r", "d" * 40, "main", "e" * 40),
                        base_note, "", "ontology.db")
    [compared] = [line for line in body.splitlines() if line.startswith("Compared with")]
    assert "could not be synced into it\\)); head" in compared and "…" not in compared, compared


def test_the_comment_on_a_failed_sync_gives_the_whole_reason():
    """The comment on a push whose sync failed quotes the sync's reason, meant up to 2,000
    characters (`why[:2000]`), but escaped as a table cell, cut at 200: a reason naming a file deep
    in the tree lost its end ("...line 3: unknown key 'wrokers'" read "...line 3: unkn…")."""
    from ontosync.action.pull_request import PullRequest, failure_body

    reason = ("the sync failed (exit 2): " + "/".join(["folder"] * 30) + "/.ontosync.yml line 3: "
              "unknown key 'wrokers'")
    body = failure_body(PullRequest(7, "o/r", "d" * 40, "main", "e" * 40), reason, "", "ontology.db")
    assert "line 3\\: unknown key 'wrokers'" in body and "…" not in body, body
    assert "…" in failure_body(PullRequest(7, "o/r", "d" * 40, "main", "e" * 40), "x " * 1500, "", "ontology.db")


def test_diff_output_of_a_base_whose_name_is_not_utf8_is_written(tmp_path, capsys):
    """`diff --base` of a database whose file name is not UTF-8 (a byte 0xFF: an archive's name,
    another system's), with `--output`: a Python traceback, exit 1, no file (the name, held as a
    lone surrogate, could not be encoded). The name is now shown as its escape, as a terminal line
    shows it (`\\xff`; in JSON the escape `\\udcff`, which a JSON reader reads back as it was)."""
    import os
    import shutil

    db = _synced(tmp_path, "A")
    odd = os.path.join(str(tmp_path), os.fsdecode(b"x\xff.db"))
    shutil.copy(db, odd)
    for fmt, said in (("text", "x\\xff.db"), ("markdown", "x\\\\xff\\.db"), ("json", 'x\\udcff.db"')):
        out = tmp_path / f"diff.{fmt}"
        capsys.readouterr()
        assert cli_main(["diff", "--db", db, "--base", odd, "--format", fmt, "--output", str(out)]) == 0
        assert capsys.readouterr().err == ""
        assert said in out.read_text(encoding="utf-8"), fmt
    assert json.loads(out.read_text(encoding="utf-8"))["base"]["database"] == odd


def test_diff_of_a_migrated_database_before_its_first_sync_does_not_call_it_empty(tmp_path, capsys):
    """`ontosync migrate` of a legacy database carries its classes over; `diff` before the first
    sync said "empty -> empty", read as a migration that lost everything. With no run logged yet
    it now says so; the JSON is as it was (both sides `run: null`)."""
    legacy = str(tmp_path / "old.db")
    with sqlite3.connect(legacy) as conn:
        conn.execute("CREATE TABLE owl_classes (iri TEXT PRIMARY KEY, label TEXT)")
        conn.execute("INSERT INTO owl_classes VALUES ('http://ex.org/A', 'A')")
    conn.close()
    assert cli_main(["migrate", "--db", legacy, "--backup-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert cli_main(["diff", "--db", legacy]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "no run in the change log yet (nothing synced since it began)"
    assert cli_main(["diff", "--db", legacy, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["base"] == data["head"] == {"run": None, "revision": None}


def test_a_path_with_a_pipe_is_named_as_it_is_outside_a_table():
    """A pipe in a code span would end a table's cell, so an IRI's is shown `%7C` there; the same
    was done to the paths of the sentences under the counts, no table's: a failed file `a|b.ttl`
    was named `a%7Cb.ttl`, another file (which may exist), and the change JSON's path and the
    command giving every row, another path. Outside a table a pipe is now itself."""
    from ontosync.action.changes import summary_section
    from ontosync.action.failed_note import failed_note
    from ontosync.action.pull_request import _all_of_it

    assert "`a|b.ttl`" in failed_note({"errors": [{"path": "a|b.ttl"}]})
    assert "The full list is in `out|x.json`" in summary_section(_changes({"label": ["A", "B"]}), "out|x.json")
    assert "`ontosync diff --db 'a|b.db' --run 2`" in _all_of_it(_changes({}), "a|b.db", "ontology-db")
    [row] = [line for line in to_markdown(_changes({"label": ["A", "B"]}) | {"classes": {
        "added": [{"iri": "http://ex.org/a|b", "label": "X"}], "removed": [], "changed": []}}).splitlines()
        if line.startswith("| X |")]
    assert row == "| X | `http://ex.org/a%7Cb` |", row  # in a table: as it was
