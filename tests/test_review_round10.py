"""The change log, `diff`, the pull-request comment and the job summary, round 10 (task h108).

A label, synonym or IRI changed only in its Unicode form (a composed "é" and "e" + a combining
acute) read as no change at all; and the clean-up of `diff`'s escapes into console's (checked here
before it was made: what it must keep).
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata

from ontosync.cli import main as cli_main
from ontosync.diff_format import md_iri, to_markdown, to_text

NFC, NFD = "Caf\u00e9", "Cafe\u0301"  # one word as a reader sees it, in Unicode's two forms


def _changed(iri: str, changes: dict, label: str = "C") -> dict:
    return {"base": {"run": 1, "revision": None}, "head": {"run": 2, "revision": None},
            "classes": {"added": [], "removed": [], "changed": [{"iri": iri, "label": label, "changes": changes}]},
            "properties": {"added": [], "removed": [], "changed": []},
            "axioms": {"added": 0, "removed": 0, "by_subject": []}}


def _cells(markdown: str, iri: str) -> list[str]:
    [row] = [line for line in markdown.splitlines() if f"`{iri}`" in line]
    return [c.strip() for c in row.split("|")[1:-1]]


def test_a_label_changed_only_in_its_unicode_form_says_so(tmp_path, capsys):
    """A label re-saved by a tool that writes Unicode's decomposed form (NFD: "e" + U+0301, as macOS
    file tools do) is a new label in the store and a change in the log, rightly: the two strings
    differ, and `search` finds one and not the other. But the review read `label: "Café" -> "Café"`,
    a change that changed nothing; a synonym so re-saved read as removed and added again. The text
    now shows the decomposed side's combining marks as escapes, the comment says what differs."""
    tree, db = tmp_path / "t", str(tmp_path / "x.db")
    tree.mkdir()
    ttl = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
           "@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .\n"
           '<http://ex.org/A> a owl:Class ; rdfs:label "{0}" ; oio:hasExactSynonym "{0} au lait" .\n')
    for word in (NFC, NFD):
        (tree / "a.ttl").write_text(ttl.format(word), encoding="utf-8")
        assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1"]) == 0
    capsys.readouterr()
    assert cli_main(["diff", "--db", db, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [entry] = data["classes"]["changed"]
    assert entry["changes"] == {"label": [NFC, NFD], "synonyms_added": [f"{NFD} au lait"],
                                "synonyms_removed": [f"{NFC} au lait"]}  # the facts: both forms, as stored
    lines = to_text(data).splitlines()
    assert f'      label: "{NFC}" -> "Cafe\\u0301"' in lines, lines
    assert '      synonym + "Cafe\\u0301 au lait"' in lines and f'      synonym - "{NFC} au lait"' in lines, lines
    cell = _cells(to_markdown(data), "http://ex.org/A")[2]
    assert cell == (f"label: {NFC} → {NFD} *(only the Unicode encodings of letters differ)*<br>"
                    f"synonym + {NFD} au lait *(only the Unicode encodings of letters differ)*<br>"
                    f"synonym − {NFC} au lait"), cell


def test_an_iri_that_differs_only_in_its_unicode_form_shows_it():
    """Two IRIs are two classes when their characters differ (RDF compares IRIs character by
    character), "Café" composed or not: a parent moved from one to the other read as a move from a
    class to itself, in the comment ("parent + Café (`Café`)") and in the text. An IRI not in
    Unicode's composed form (NFC) now shows the characters that make it so as escapes; an IRI in
    NFC, the usual case, is shown as before."""
    composed, decomposed = f"http://ex.org/{NFC}", f"http://ex.org/{NFD}"
    data = _changed("http://ex.org/C", {"parents_added": [{"iri": decomposed, "label": NFD}],
                                        "parents_removed": [{"iri": composed, "label": NFC}]})
    lines = to_text(data).splitlines()
    assert f"      parent + {NFD} <http://ex.org/Cafe\\u0301>" in lines, lines
    assert f"      parent - {NFC} <{composed}>" in lines, lines
    cell = _cells(to_markdown(data), "http://ex.org/C")[2]
    assert cell == f"parent + {NFD} (`Cafe\\u0301`)<br>parent − {NFC} (`{NFC}`)", cell
    assert md_iri(composed) == f"`{composed}`"
    hangul = unicodedata.normalize("NFD", "http://ex.org/\ud55c")  # conjoining jamo, no combining mark
    assert md_iri(hangul) == "`http://ex.org/\\u1112\\u1161\\u11ab`"


def test_diff_text_escapes_what_console_escapes_and_writes_tab_newline_return_short():
    """Pins the clean-up of `diff_format._escape` into console's escape (one home): every character
    `console.UNSAFE` matches reads in `diff`'s text as `printable` writes it (`\\x1b`, `\\x9b`,
    `\\u202e`, a file name's byte not UTF-8 `\\xff`), but for a tab, a newline and a carriage return,
    which the text writes short (`\\t`, `\\n`, `\\r`), as it did. Checked against the escape as the
    text wrote it before (Python's `unicode_escape`; a lone surrogate U+DC80-DCFF as its byte)."""
    from ontosync.console import UNSAFE, printable
    from ontosync.diff_format import visible

    def before(ch: str) -> str:
        code = ord(ch)
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else ch.encode("unicode_escape").decode("ascii")

    unsafe = [chr(c) for c in range(0x10000) if UNSAFE.match(chr(c))]
    assert len(unsafe) == 32 + 33 + 128 + 2 + 5 + 4  # C0, DEL and C1, byte escapes, separators, bidi
    for ch in unsafe:
        assert visible(f"a{ch}b") == f"a{before(ch)}b", hex(ord(ch))
    assert printable("\x1b\x9b\u202e\udcff") == "\\x1b\\x9b\\u202e\\xff"
    assert visible("\t\n\r\x00\x7f\u2066") == "\\t\\n\\r\\x00\\x7f\\u2066"


def test_an_empty_label_given_or_taken_is_a_change_the_comment_shows():
    """`rdfs:label ""` is a label, kept as the empty text, and giving or dropping it is a change in
    the log (rightly: the JSON has `["", null]`). The comment's cell read "label: *none* → *none*",
    a change that changed nothing: the empty label was shown as no label. It is *blank* now, as a
    label of spaces is; and a blank label re-spaced says so, as any value re-spaced does."""
    cells = {iri: _cells(to_markdown(_changed(iri, changes)), iri)[2] for iri, changes in (
        ("http://ex.org/A", {"label": [None, ""]}), ("http://ex.org/B", {"label": ["", None]}),
        ("http://ex.org/C", {"label": ["", " "]}), ("http://ex.org/D", {"synonyms_added": [""]}))}
    assert cells == {"http://ex.org/A": "label: *none* → *blank*", "http://ex.org/B": "label: *blank* → *none*",
                     "http://ex.org/C": "label: *blank* → *blank* *(only whitespace differ)*",
                     "http://ex.org/D": "synonym + *blank*"}, cells
    assert '      label: (none) -> ""' in to_text(_changed("http://ex.org/A", {"label": [None, ""]})).splitlines()


def test_status_says_how_many_failed_files_its_text_leaves_out(tmp_path, capsys):
    """`status` lists the first 50 failed files and stopped there without a word: a database with
    120 read as one whose failures were all on the screen (the count line is above them, far up
    in a terminal). The text now says how many more there are and where they all are."""
    tree, db = tmp_path / "t", str(tmp_path / "x.db")
    tree.mkdir()
    (tree / "a.ttl").write_text("<http://ex.org/A> a ;", encoding="utf-8")
    assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1"]) == 1
    with sqlite3.connect(db) as conn:  # 52 failed files in all, each as the sync stores one
        conn.executemany("INSERT INTO source_files (path, size, status, error, error_kind, synced_at) "
                         "SELECT ?, size, status, error, error_kind, synced_at FROM source_files WHERE path = 'a.ttl'",
                         [(f"b{i:02}.ttl",) for i in range(51)])
    conn.close()
    capsys.readouterr()
    assert cli_main(["status", "--db", db]) == 0
    failed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("failed ")]
    assert len(failed) == 51 and failed[0].startswith("failed        a.ttl:1 [parse]"), failed[:2]
    assert failed[-1] == "failed        …and 2 more (`ontosync status --json` lists them all)", failed[-1]


def test_an_invisible_character_that_is_no_format_character_is_shown_too():
    """Round 6 showed an IRI's format characters (category Cf: a zero-width space) as escapes and
    told a value changed by one apart; the other characters Unicode says to draw as nothing
    (Default_Ignorable_Code_Point, not Cf: the combining grapheme joiner U+034F, the Hangul fillers
    U+3164 and U+FFA0, a variation selector after a letter) went on reading as nothing: a parent
    moved from <http://ex.org/A> to <http://ex.org/A\\u3164> read as a move to itself, a label
    given a U+034F as "label: Cell → Cell". They are told apart now as a zero-width space is."""
    a, a2 = "http://ex.org/A", "http://ex.org/A\u3164"
    data = _changed("http://ex.org/C", {"label": ["Cell", "Ce\u034fll"], "parents_added": [{"iri": a2, "label": None}],
                                        "parents_removed": [{"iri": a, "label": None}]})
    lines = to_text(data).splitlines()
    assert '      label: "Cell" -> "Ce\\u034fll"' in lines and f"      parent + A\u3164 <{a}\\u3164>" in lines, lines
    cell = _cells(to_markdown(data), "http://ex.org/C")[2]
    assert cell == ("label: Cell → Ce\u034fll *(only characters that do not show differ)*<br>"
                    "parent + A\u3164 (`A\\u3164`)<br>parent − A (`A`)"), cell
    assert md_iri("http://ex.org/B\ufe00\uffa0\U000e0100") == "`http://ex.org/B\\ufe00\\uffa0\\U000e0100`"
