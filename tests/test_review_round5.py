"""The change log, `diff`, the pull-request comment and the job summary, round 5 (task h68).

What a reviewer reads of a change must say what the change is: a label that is only whitespace was
an empty cell (a class with no name, a label changed to nothing), a label in a right-to-left script
turned "old → new" around on the page, and a cap cut an emoji or a flag in half, showing another
one. Each test renders the change JSON (store/diff.py's shape) as the comment and summary do.
"""

from __future__ import annotations

import re
import unicodedata

from ontosync.diff_format import MAX_CELL, md, to_markdown, to_text

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one emoji of seven code points
FLAG = "\U0001f1eb\U0001f1f7"  # two regional indicators: one flag
ACCENTED = "e\u0301"  # e and a combining acute: one letter
CONJUNCT = "\u0915\u094d\u0937"  # ka, virama, ssa: one Devanagari letter (kssa)


def _changes(added: list[tuple[str, str | None]] = (), changed: list[tuple[str, dict]] = ()) -> dict:
    """A change JSON with these added classes (iri, label) and changed ones (iri, changes)."""
    return {"base": {"run": 1, "revision": None}, "head": {"run": 2, "revision": None},
            "classes": {"added": [{"iri": i, "label": label} for i, label in added], "removed": [],
                        "changed": [{"iri": i, "label": (c.get("label") or [None, None])[1], "changes": c}
                                    for i, c in changed]},
            "properties": {"added": [], "removed": [], "changed": []},
            "axioms": {"added": 0, "removed": 0, "by_subject": []}}


def _row(markdown: str, iri: str) -> list[str]:
    """The cells of the table row of `iri`."""
    [line] = [x for x in markdown.splitlines() if f"`{iri}`" in x]
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]


def test_a_label_that_is_only_whitespace_is_not_shown_as_nothing():
    """`rdfs:label "   "` (a template's blank, a tab): the comment's row had an empty name cell and
    its change read "label: Apple → " (the new label missing), `diff`'s text `"Apple" -> ""`: a label
    removed, as the reviewer read it, where the log holds a blank one. A blank label now names the
    class as a missing one does (its IRI's last part), and a change shows it as *blank*, not as none."""
    data = _changes(added=[("http://ex.org/C", " \t ")],
                    changed=[("http://ex.org/A", {"label": ["Apple", "   "]}),
                             ("http://ex.org/B", {"label": ["   ", None]})])
    text = to_markdown(data)
    assert _row(text, "http://ex.org/C")[0] == "C"
    assert _row(text, "http://ex.org/A") == ["A", "`http://ex.org/A`", "label: Apple → *blank*"]
    assert _row(text, "http://ex.org/B") == ["B", "`http://ex.org/B`", "label: *blank* → *none*"]
    lines = to_text(data).splitlines()
    assert '      label: "Apple" -> "   "' in lines
    assert '      label: "   " -> (none)' in lines
    assert "  + class C <http://ex.org/C>" in lines


def _display_order(cell: str) -> list[str]:
    """The words of `cell` in the order a browser shows them (left to right), for the cases here:
    a left-to-right paragraph of words each all of one direction. Unicode's bidi algorithm (UAX #9)
    reduced to them: neutrals between two right-to-left words take their direction (N1), a run of
    right-to-left words is shown reversed (L2); an isolate (FSI...PDI) is a neutral outside (X5c)."""
    tokens = re.findall(r"\u2068[^\u2069]*\u2069|\S+", cell)

    def kind(token: str) -> str:
        if token.startswith("\u2068"):
            return "N"
        classes = {unicodedata.bidirectional(ch) for ch in token}
        return "R" if classes & {"R", "AL"} else "L" if "L" in classes else "N"

    kinds = [kind(t) for t in tokens]
    for i, k in enumerate(kinds):
        if k == "N":
            before = next((x for x in reversed(kinds[:i]) if x != "N"), "L")
            after = next((x for x in kinds[i + 1:] if x != "N"), "L")
            kinds[i] = "R" if before == after == "R" else "L"
    out, run = [], []
    for token, k in zip(tokens, kinds, strict=True):
        if k == "R":
            run.append(token)
        else:
            out += [*reversed(run), token]
            run = []
    return [t.strip("\u2068\u2069") for t in [*out, *reversed(run)]]


def test_a_label_change_in_a_right_to_left_script_reads_old_then_new():
    """A class relabelled "שלום" -> "עולם": the change cell "label: שלום → עולם" holds the arrow
    between two Hebrew words, so the browser lays the three out as one right-to-left run and shows
    "label: עולם → שלום": the new label as the old one. Each label is now an isolate (FSI...PDI),
    so the cell shows old → new; a Latin label is left as it was."""
    data = _changes(changed=[("http://ex.org/B", {"label": ["שלום", "עולם"], "synonyms_added": ["אחד", "שתיים"]}),
                             ("http://ex.org/L", {"label": ["Apple", "Pear"]})])
    text = to_markdown(data)
    label, synonyms = _row(text, "http://ex.org/B")[2].split("<br>")
    assert _display_order(label) == ["label:", "שלום", "→", "עולם"], label
    assert _display_order(synonyms) == ["synonym", "+", "אחד", ",", "שתיים"], synonyms
    assert _row(text, "http://ex.org/L")[2] == "label: Apple → Pear"


def test_a_capped_label_is_cut_between_characters_as_the_reader_sees_them():
    """A label past the cell's cap (200) was cut at a code point: inside the family emoji
    (man, woman, girl, boy joined by ZWJ), leaving "man + woman" shown as another emoji, between
    the two halves of a flag (a lone letter-symbol), between a letter and its accent, or inside a
    Devanagari conjunct. Now the cut falls between whole characters (grapheme clusters), still under
    the cap; the same in the job summary's cells (a failed file's parser message quoting the label)."""
    from ontosync.action.summary import MAX_MESSAGE, cell

    for unit in (FAMILY, FLAG, ACCENTED, CONJUNCT):
        for render, cap in ((md, MAX_CELL), (cell, MAX_MESSAGE)):
            shown = render(unit * (2 * cap // len(unit) + 1))
            assert shown.endswith("…") and len(shown) <= cap, unit
            kept = shown[:-1]
            assert kept == unit * (len(kept) // len(unit)), (unit, kept[-8:])
            assert len(kept) > cap - 2 * len(unit)  # cut at the last whole one, not far before


def test_a_dollar_sign_in_a_label_is_no_math():
    """GitHub renders `$...$` and `$$...$$` in a comment as math: a label "$E = mc^2$" (LaTeX in
    labels is common in physics and chemistry ontologies) showed as a typeset formula, and "$$x$$"
    as a display block, not as the label's text. Every `$` is now escaped, as `*` and `#` were; in
    the job summary's cells too (a parser message quotes the text)."""
    from ontosync.action.summary import cell

    for label in ("$E = mc^2$", "$$x$$", "costs $5$"):
        for shown in (md(label), cell(label)):
            assert re.search(r"(?<!\\)\$", shown) is None, shown
            assert shown.replace("\\", "") == label


def test_a_change_that_the_cell_would_show_as_none_shows_where_it_differs():
    """A class whose parent's IRI was renamed (ex:A -> ex:A2, both "Alpha"): its change read
    "parent + Alpha<br>parent − Alpha", a move from a class to itself. A definition edited past
    the cell's 100 characters, or a label given a second space, read "definition: X… → X…" and
    "label: A B → A B" (a zero-width space added: "Fox → Fox"): changes that changed nothing, as the
    reviewer saw them. Now two parents of
    one name are told apart by their IRIs, a long value is shown from near its first difference,
    and a change in whitespace alone says so."""
    long = "A device that moves people or goods over land, by road or by rail, in cities and between them, " * 2
    data = _changes(changed=[
        ("http://ex.org/C", {"parents_added": [{"iri": "http://ex.org/A2", "label": "Alpha"}],
                             "parents_removed": [{"iri": "http://ex.org/A", "label": "Alpha"}]}),
        ("http://ex.org/D", {"definition": [long + "mostly.", long + "always."]}),
        ("http://ex.org/E", {"label": ["Big  cat", "Big cat"]})])
    text = to_markdown(data)
    assert _row(text, "http://ex.org/C")[2] == "parent + Alpha (`A2`)<br>parent − Alpha (`A`)"
    old, new = _row(text, "http://ex.org/D")[2].removeprefix("definition: ").split(" → ")
    assert old != new and "mostly" in old and "always" in new
    assert _row(text, "http://ex.org/E")[2] == "label: Big cat → Big cat *(only whitespace differ)*"
    zwsp = to_markdown(_changes(added=[("http://ex.org/Z", "\u200b")],
                                changed=[("http://ex.org/F", {"label": ["Fox", "Fox\u200b"]})]))
    assert _row(zwsp, "http://ex.org/F")[2] == "label: Fox → Fox\u200b *(only characters that do not show differ)*"
    assert _row(zwsp, "http://ex.org/Z")[0] == "Z"  # a label of a zero-width space names nothing


def test_one_iri_changed_in_two_ontologies_says_which_row_is_which():
    """ex:X declared in two Turtle files, each its own owl:Ontology, moved under Y in one and out
    from under Y in the other: the comment's two rows were "X | `ex:X` | parent + Y" and "X | `ex:X`
    | parent − Y", one class contradicting itself, and `diff`'s text likewise (only the JSON has
    the ontology). A row whose IRI another row names now says its ontology; the others do not."""
    x, y = "http://ex.org/X", [{"iri": "http://ex.org/Y", "label": "Y"}]
    data = _changes(added=[("http://ex.org/W", "W")],
                    changed=[(x, {"parents_added": y}), (x, {"parents_removed": y})])
    data["classes"]["changed"][0]["ontology"] = "http://ex.org/o1"
    data["classes"]["changed"][1]["ontology"] = "http://ex.org/o2"
    rows = [line for line in to_markdown(data).splitlines() if "`http://ex.org/X`" in line]
    assert rows == ["| X | `http://ex.org/X` in ontology `http://ex.org/o1` | parent + Y |",
                    "| X | `http://ex.org/X` in ontology `http://ex.org/o2` | parent − Y |"]
    assert _row(to_markdown(data), "http://ex.org/W") == ["W", "`http://ex.org/W`"]
    text = to_text(data)
    assert "  ~ class X <http://ex.org/X> in ontology http://ex.org/o1\n      parent + Y <http://ex.org/Y>\n" in text
    assert "  + class W <http://ex.org/W>\n" in text


def test_the_axioms_of_a_class_expression_are_not_named_as_a_class(tmp_path):
    """A general axiom (`[ owl:intersectionOf ( ex:A ex:B ) ] rdfs:subClassOf ex:A`) has a class
    expression for subject, which the axioms-by-subject row named by its last part after a slash:
    "B>)", read as class B's axioms (`diff`'s text: "axioms of B>)"). It is now the expression with
    its IRIs shortened."""
    import sqlite3

    from ontosync.cli import main as cli_main
    from ontosync.store.diff import select_runs

    head = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "@prefix ex: <http://ex.org/> .\nex:A a owl:Class . ex:B a owl:Class .\n")
    tree, db = tmp_path / "t", tmp_path / "x.db"
    tree.mkdir()
    for text in (head, head + "[ owl:intersectionOf ( ex:A ex:B ) ] rdfs:subClassOf ex:A .\n"):
        (tree / "a.ttl").write_text(text, encoding="utf-8")
        assert cli_main(["sync", str(tree), "--db", str(db), "--quiet", "--workers", "1"]) == 0
    conn = sqlite3.connect(db)
    try:
        data = select_runs(conn).to_json(conn)
    finally:
        conn.close()
    [subject] = data["axioms"]["by_subject"]
    assert subject["iri"] == "ObjectIntersectionOf(<http://ex.org/A> <http://ex.org/B>)"  # the store's own
    assert "| ObjectIntersectionOf\\(A B\\) | 1 | 0 |" in to_markdown(data).splitlines()
    assert f"  axioms of ObjectIntersectionOf(A B) <{subject['iri']}>: +1 -0" in to_text(data).splitlines()


def test_two_axiom_subjects_of_one_name_are_told_apart():
    """The axioms-by-subject table has no IRI column: two unlabelled subjects ex1:X and ex2:X were
    two rows "X" with different counts, and which X gained an axiom was anybody's guess. A name two
    subjects share now carries each one's IRI."""
    data = _changes()
    data["axioms"] = {"added": 3, "removed": 1, "by_subject": [
        {"iri": "http://a.org/X", "label": None, "added": 1, "removed": 0},
        {"iri": "http://b.org/X", "label": None, "added": 2, "removed": 0},
        {"iri": "http://b.org/Y", "label": "Why", "added": 0, "removed": 1}]}
    lines = to_markdown(data).splitlines()
    assert lines[-3:] == ["| X (`http://a.org/X`) | 1 | 0 |", "| X (`http://b.org/X`) | 2 | 0 |", "| Why | 0 | 1 |"]
