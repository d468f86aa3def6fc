"""The change log, `diff`, the pull-request comment and the job summary, round 6 (task h82).

Right-to-left text reached `diff`'s terminal text and the IRIs of every output as it was: a line
holding two Hebrew labels, or an IRI ending in one beside another, showed the second before the
first, "old -> new" as "new -> old". `_visual` below lays a line out as a left-to-right terminal or
page does (Unicode's bidi algorithm, UAX #9, reduced to what these lines hold), so each test checks
the order the reader sees, not the characters the code wrote.
"""

from __future__ import annotations

import unicodedata

from ontosync.diff_format import md_iri, to_markdown, to_text

ISOLATES = {"\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}
MIRROR = str.maketrans("<>()[]{}", "><)(][}{")


def _strong(ch: str) -> str | None:
    kind = unicodedata.bidirectional(ch)
    return "R" if kind in ("R", "AL") else "L" if kind == "L" else None


def _units(line: str) -> list[tuple[str, str]]:
    """(text, class) per character, an isolate (FSI/LRI/RLI ... PDI) one neutral unit laid out on
    its own (X5a-c, BD13); a digit after a right-to-left letter counts as one (W7, N1)."""
    out, i, last = [], 0, "L"
    while i < len(line):
        ch = line[i]
        if ch in ISOLATES:
            end = line.index("\u2069", i)
            out.append((_isolate_visual(line[i:end + 1]), "N"))
            i = end + 1
            continue
        kind = _strong(ch) or ("R" if ch.isdigit() and last == "R" else "N")
        last = _strong(ch) or last
        out.append((ch, kind))
        i += 1
    return out


def _isolate_visual(isolate: str) -> str:
    """An isolate's own layout: its paragraph direction from its opening mark (FSI: the first
    strong letter inside), then as a paragraph of that direction."""
    inner = isolate[1:-1]
    rtl = isolate[0] == "\u2067" or (isolate[0] == "\u2068" and next(
        (k for k in map(_strong, inner) if k), "L") == "R")
    return _visual(inner, rtl)


def _visual(line: str, rtl: bool = False) -> str:
    """`line` as a reader sees it, left to right: neutrals between two letters of one direction take
    it, other neutrals the paragraph's (N1, N2); each right-to-left run reversed, its brackets
    mirrored (L2, L4); in a right-to-left paragraph the whole then reversed with left-to-right runs
    kept."""
    units = _units(line)
    kinds = [k for _t, k in units]
    base = "R" if rtl else "L"
    for i, k in enumerate(kinds):
        if k == "N":
            before = next((x for x in reversed(kinds[:i]) if x != "N"), base)
            after = next((x for x in kinds[i + 1:] if x != "N"), base)
            kinds[i] = before if before == after else base
    runs: list[tuple[list[str], str]] = []
    for (text, _k), kind in zip(units, kinds, strict=True):
        shown = text.translate(MIRROR) if kind == "R" and len(text) == 1 else text
        if runs and runs[-1][1] == kind:
            runs[-1][0].append(shown)
        else:
            runs.append(([shown], kind))
    # a right-to-left run shows its units in reverse (an isolate's text stays as laid out); in a
    # right-to-left paragraph the runs themselves go right to left
    order = reversed(runs) if rtl else runs
    return "".join("".join(reversed(units_) if kind == "R" else units_) for units_, kind in order)


def _before(visual: str, first: str, second: str) -> bool:
    """`first` shows left of `second` (a right-to-left word shows its letters reversed)."""
    def at(word: str) -> int:
        shown = word[::-1] if _strong(word[0]) == "R" else word
        return visual.index(shown)
    return at(first) < at(second)


def _changes(changed: list[tuple[str, str, dict]] = (), by_subject: list[dict] = ()) -> dict:
    return {"base": {"run": 1, "revision": None}, "head": {"run": 2, "revision": None},
            "classes": {"added": [], "removed": [],
                        "changed": [{"iri": i, "label": label, "changes": c} for i, label, c in changed]},
            "properties": {"added": [], "removed": [], "changed": []},
            "axioms": {"added": sum(s["added"] for s in by_subject), "removed": sum(s["removed"] for s in by_subject),
                       "by_subject": list(by_subject)}}


def test_the_model_of_the_layout_shows_what_the_defects_were():
    """The layout model itself: the arrow between two Hebrew words joins their run, so a plain
    `"שלום" -> "עולם"` shows the new word first; isolated, each stays where it was written."""
    assert not _before(_visual('label: "שלום" -> "עולם"'), "שלום", "עולם")
    assert _before(_visual('label: "\u2068שלום\u2069" -> "\u2068עולם\u2069"'), "שלום", "עולם")
    assert _visual("abc") == "abc" and _visual("\u05d0\u05d1 c") == "\u05d1\u05d0 c"


def test_diff_text_shows_a_right_to_left_change_old_then_new():
    """`ontosync diff` (text) of a class relabelled "שלום" -> "עולם": the terminal laid the quoted
    labels and the arrow out as one right-to-left run, "label: "עולם" -> "שלום"", the new label shown
    as the old (the markdown was mended in round 5, the text was not). Likewise a synonym, the two
    databases of `--base` in the first line, and an axioms line's counts beside a Hebrew IRI, which
    read "0- 1+". Each piece of user text is now an isolate when it holds right-to-left letters."""
    data = _changes(changed=[("http://ex.org/B", "עולם", {"label": ["שלום", "עולם"], "definition": ["אבג", "דהו"]})],
                    by_subject=[{"iri": "http://ex.org/ז/ח", "label": "טית", "added": 1, "removed": 0}])
    lines = to_text(data).splitlines()
    label = next(line for line in lines if "label:" in line)
    assert _before(_visual(label), "שלום", "עולם"), _visual(label)
    definition = next(line for line in lines if "definition:" in line)
    assert _before(_visual(definition), "אבג", "דהו"), _visual(definition)
    axioms = _visual(next(line for line in lines if "axioms of" in line))
    assert axioms.endswith(": +1 -0"), axioms
    data["base"], data["head"] = {"database": "/tmp/ישן.db"}, {"database": "/tmp/חדש.db"}
    head = _visual(to_text(data).splitlines()[0])
    assert _before(head, "ישן", "חדש") and head.index("ישן"[::-1]) < head.index("->") < head.index("חדש"[::-1]), head


def test_diff_text_keeps_latin_lines_as_they_were():
    """Isolates are only added where right-to-left letters are: a Latin diff's text is unchanged
    (scripts grep it), and user text's own isolates are still shown as escapes, not obeyed."""
    data = _changes(changed=[("http://ex.org/B", "Pear\u2067x", {"label": ["Apple", "Pear\u2067x"]})])
    lines = to_text(data).splitlines()
    assert '      label: "Apple" -> "Pear\\u2067x"' in lines
    assert "  ~ class Pear\\u2067x <http://ex.org/B>" in lines


def test_an_iri_in_a_right_to_left_script_stays_beside_its_own_label_in_markdown():
    """Two parents of one Hebrew name are told apart by their IRIs' last parts: "parent + אלף (`א`),
    אלף (`ב`)". The code spans were no isolates, so the second IRI's letters joined the first's
    across the labels' isolates and the page showed each label with the other parent's IRI. An IRI
    holding right-to-left letters is now an isolate too, in the comment, the summary and the
    failed-file note; a Latin one is left as it was."""
    from ontosync.action.failed_note import failed_note

    alef = [{"iri": "http://ex.org/א", "label": "אלף"}, {"iri": "http://ex.org/ב", "label": "אלף"}]
    data = _changes(changed=[("http://ex.org/C", "C", {"parents_added": alef[:1], "parents_removed": alef[1:]}),
                             ("http://ex.org/D", "D", {"parents_added": alef, "parents_removed": [
                                 {"iri": "http://ex.org/ג", "label": "אלף"}]})])
    [row] = [line for line in to_markdown(data).splitlines() if "`http://ex.org/D`" in line]
    added = _visual(row.split("|")[3].split("<br>")[0].strip())
    first, second = added.index("(`א`)"), added.index("(`ב`)")
    assert first < second, added
    assert added.index("ףלא") < first < added.rindex("ףלא") < second, added
    note = _visual(failed_note({"errors": [{"path": "א", "kind": "parse", "message": "x"},
                                           {"path": "ב", "kind": "parse", "message": "y"}]}).splitlines()[0])
    assert note.index("`א`") < note.index("`ב`"), note
    assert md_iri("http://ex.org/A") == "`http://ex.org/A`"




# -- a re-run of a push's workflow --------------------------------------------------------------------

TTL = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
       '<http://ex.org/{0}> a owl:Class ; rdfs:label "{0}" .\n')


def _push_to(tmp_path, monkeypatch, sha: str, files: dict[str, str], database: str,
             before: str | None = None) -> tuple[dict, str]:
    """The Action in-process on a push of commit `sha` after `before` (no `before`: a manual run),
    the database kept from the step before (a restored artifact, a PostgreSQL `database`)."""
    import io
    import json

    from ontosync.action.run import main as action_main
    from ontosync.cli import main as cli_main

    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    for rel, text in files.items():
        (ws / rel).write_text(text, encoding="utf-8")
    out, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    out.write_text("")
    summary.write_text("")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"before": before} if before else {}), encoding="utf-8")
    env = {"GITHUB_WORKSPACE": str(ws), "GITHUB_EVENT_NAME": "push" if before else "workflow_dispatch",
           "GITHUB_EVENT_PATH": str(event), "GITHUB_REF": "refs/heads/main",
           "GITHUB_SHA": sha, "INPUT_UPLOAD-ARTIFACT": "false",
           "INPUT_WORKERS": "1", "GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary),
           **({"INPUT_DATABASE": database} if database.startswith("postgresql:") else {})}
    monkeypatch.setenv("GITHUB_SHA", sha)  # the container's environment, where the sync reads it
    assert action_main(env=env, out=io.StringIO(), cli_main=cli_main) == 0
    outputs = dict(line.split("=", 1) for line in out.read_text(encoding="utf-8").splitlines() if "=" in line)
    return outputs, summary.read_text(encoding="utf-8").split("## ontosync:")[0]


def test_a_re_run_of_a_push_shows_the_push_s_changes_again(tmp_path, monkeypatch, backend):
    """A push's workflow re-run (a later step failed; "Re-run jobs"): the database is the first
    attempt's (its artifact restored, or the PostgreSQL server's), already at the commit, so the sync
    changed nothing and the step said "No change to the ontology" and `classes-added` 0, where the
    first attempt said 1: a later step acting on the outputs (publishing the new classes) did nothing
    on the re-run it was re-run for. A push's figures now start from its previous commit's run
    (action/changes.py before_sync); a new run at a commit already synced (a manual run, a tag) still
    says "No change", as nothing changed since the last sync. The same on PostgreSQL (CONTRACT 8)."""
    a, b = "a" * 40, "b" * 40

    def _push(sha, files, before=None):
        return _push_to(tmp_path, monkeypatch, sha, files, backend.db, before)

    _push(a, {"a.ttl": TTL.format("A")})
    changed = {"b.ttl": TTL.format("B"), "a.ttl": TTL.format("A").replace('"A"', '"Ay"')}
    first, _summary = _push(b, changed, a)
    assert (first["classes-added"], first["classes-changed"]) == ("1", "1")
    again, summary = _push(b, {}, a)  # the re-run: its payload's `before` is the first attempt's
    assert {k: again[k] for k in ("classes-added", "classes-removed", "classes-changed")} == \
        {k: first[k] for k in ("classes-added", "classes-removed", "classes-changed")}
    assert "No change" not in summary and "| B | `http://ex.org/B` |" in summary
    new_run, summary = _push(b, {})  # a manual run: no previous commit
    assert new_run["classes-added"] == "0" and "No change to the ontology." in summary


def test_the_default_diff_after_a_sync_that_changed_nothing_says_so(tmp_path, capsys):
    """`ontosync diff --db X` (the quick start: "what the last sync changed") shows the last run that
    changed something: after a sync that changed nothing (run again, a file renamed) it showed an
    older run's classes as added, nothing telling the user that their sync was not that run. A note
    on stderr now says which runs changed nothing; the output itself is that of `--run` the run."""
    from ontosync.cli import main as cli_main

    tree, db = tmp_path / "t", str(tmp_path / "x.db")
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format("A"), encoding="utf-8")
    for _ in range(2):  # the second changes nothing
        assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1"]) == 0
    capsys.readouterr()
    assert cli_main(["diff", "--db", db]) == 0
    out, err = capsys.readouterr()
    assert err == ("ontosync: note: run 2 changed nothing in the ontology; shown: run 1, the last run that "
                   "changed something\n")
    assert cli_main(["diff", "--db", db, "--run", "1"]) == 0
    assert capsys.readouterr() == (out, "")
    assert out.splitlines()[0] == "empty -> run 1" and "  + class A <http://ex.org/A>" in out.splitlines()


def test_two_parents_of_one_name_and_one_local_name_are_told_apart():
    """A class re-parented from http://ex.org/A to https://ex.org/A (a namespace moved to https), both
    labelled "Alpha": round 5 told two parents of one name apart by their IRIs' last parts, which are
    the same here, so the comment read "parent + Alpha (`A`)<br>parent − Alpha (`A`)", a change
    that changed nothing. Two parents added of one name ("parent + Cell, Cell") had no IRI at all.
    Parents whose shown names repeat now carry their last parts where those differ, else the full IRIs."""
    moved = {"parents_added": [{"iri": "https://ex.org/A", "label": "Alpha"}],
             "parents_removed": [{"iri": "http://ex.org/A", "label": "Alpha"}]}
    two = {"parents_added": [{"iri": "http://a.org/Cell", "label": "Cell"},
                             {"iri": "http://b.org/CL_1", "label": "Cell"},
                             {"iri": "http://b.org/X", "label": "Other"}]}
    markdown = to_markdown(_changes(changed=[("http://ex.org/C", "C", moved), ("http://ex.org/D", "D", two)]))
    rows = {cells[1]: cells[2] for cells in ([c.strip() for c in line.split("|")[1:-1]]
                                             for line in markdown.splitlines() if line.startswith(("| C |", "| D |")))}
    assert rows["`http://ex.org/C`"] == "parent + Alpha (`https://ex.org/A`)<br>parent − Alpha (`http://ex.org/A`)"
    assert rows["`http://ex.org/D`"] == "parent + Cell (`Cell`), Cell (`CL_1`), Other"


def test_an_iri_that_differs_by_an_invisible_character_shows_it():
    """A parent moved from <http://ex.org/A> to <http://ex.org/A\\u200b> (a zero-width space: Turtle
    takes it in an IRI), or a class removed and one added with such IRIs: the review showed two IRIs
    that read the same, a move from a class to itself, in the comment and in `diff`'s text. An IRI's
    format characters (zero-width space, word joiner, soft hyphen, BOM) are now shown as escapes,
    as its control characters were; the joiners that are parts of words in some scripts stay."""
    a, a2 = "http://ex.org/A", "http://ex.org/A\u200b"
    data = _changes(changed=[("http://ex.org/C", "C", {"parents_added": [{"iri": a2, "label": None}],
                                                       "parents_removed": [{"iri": a, "label": None}]})])
    data["classes"]["added"] = [{"iri": "http://ex.org/B\u00ad\u2060\ufeff", "label": "B"}]
    markdown = to_markdown(data)
    assert "| B | `http://ex.org/B\\xad\\u2060\\ufeff` |" in markdown.splitlines()
    [row] = [line for line in markdown.splitlines() if line.startswith("| C |")]
    assert row.endswith(" | parent + A\u200b (`A\\u200b`)<br>parent − A (`A`) |"), row
    text = to_text(data).splitlines()
    assert "      parent + A\u200b <http://ex.org/A\\u200b>" in text, text
    data["axioms"] = {"added": 2, "removed": 0, "by_subject": [{"iri": a, "label": None, "added": 1, "removed": 0},
                                                                {"iri": a2, "label": None, "added": 1, "removed": 0}]}
    assert to_markdown(data).splitlines()[-2:] == ["| A (`http://ex.org/A`) | 1 | 0 |",
                                                   "| A\u200b (`http://ex.org/A\\u200b`) | 1 | 0 |"]
    assert md_iri("http://ex.org/\u0645\u06cc\u200c\u0631") == "\u2068`http://ex.org/\u0645\u06cc\u200c\u0631`\u2069"


def test_diff_text_shows_where_two_values_that_read_the_same_differ():
    """Round 5 mended the comment, not `diff`'s text: a definition edited past its 120th character
    read `definition: "A device…" -> "A device…"`, a label given a second space `label: "Big cat" ->
    "Big cat"` (the text folds whitespace), one given a zero-width space likewise: changes that
    changed nothing, as the terminal showed them. A synonym's double space fixed read "synonym +
    Big cat" and "synonym − Big cat" in both outputs. Two values that read the same are now shown
    from near their first difference, with the characters that differ as escapes."""
    long = "A device that moves people or goods over land, by road or by rail, in cities and between them, " * 2
    data = _changes(changed=[("http://ex.org/D", "D", {"definition": [long + "mostly.", long + "always."]}),
                             ("http://ex.org/E", "E", {"label": ["Big  cat", "Big cat"],
                                                       "synonyms_added": ["Fox\u200b", "wolf"],
                                                       "synonyms_removed": ["Fox", "Bear"]})])
    lines = to_text(data).splitlines()
    [definition] = [line for line in lines if "definition:" in line]
    old, new = definition.split(" -> ")
    assert "mostly" in old and "always" in new, definition
    assert '      label: "Big \\x20cat" -> "Big cat"' in lines, lines
    assert '      synonym + "Fox\\u200b"' in lines and '      synonym - "Fox"' in lines, lines
    assert '      synonym + "wolf"' in lines and '      synonym - "Bear"' in lines
    [row] = [line for line in to_markdown(data).splitlines() if line.startswith("| E |")]
    assert "synonym + Fox\u200b *(only characters that do not show differ)*, wolf<br>synonym − Fox, Bear" in row, row


def test_a_change_cell_says_how_many_parents_and_synonyms_it_left_out():
    """A change cell shows at most 10 parents and 10 synonyms per side: a class given 12 synonyms
    (an import of a thesaurus) showed 10 and said nothing of the other 2, read as 10 added. The cell
    now says how many more there are (the text and the JSON hold them all)."""
    data = _changes(changed=[("http://ex.org/E", "E", {
        "synonyms_added": [f"s{i:02}" for i in range(12)],
        "parents_removed": [{"iri": f"http://ex.org/P{i:02}", "label": f"P{i:02}"} for i in range(11)]})])
    [row] = [line for line in to_markdown(data).splitlines() if line.startswith("| E |")]
    parents, synonyms = row.split(" | ")[2].removesuffix(" |").split("<br>")
    assert parents.endswith("P09 *and 1 more*") and "P10" not in parents, parents
    assert synonyms.endswith("s09 *and 2 more*") and "s10" not in synonyms, synonyms
    assert sum(line.startswith("      synonym + ") for line in to_text(data).splitlines()) == 12


def test_one_subject_s_axioms_in_two_ontologies_say_which_row_is_which():
    """ex:X with axioms in two ontologies (two Turtle files, each its owl:Ontology), one gaining an
    axiom and the other losing one: the axioms table's two rows read "X (`ex:X`) | 1 | 0" and "X
    (`ex:X`) | 0 | 1", and `diff`'s text two "axioms of X" lines, one subject both gaining and losing
    (round 5 named the ontology in the class tables only). Each such row now names its ontology."""
    x = "http://ex.org/X"
    data = _changes(by_subject=[{"iri": x, "label": None, "added": 1, "removed": 0, "ontology": "http://ex.org/o1"},
                                {"iri": x, "label": None, "added": 0, "removed": 1, "ontology": "http://ex.org/o2"},
                                {"iri": "http://ex.org/Y", "label": "Y", "added": 1, "removed": 0}])
    assert to_markdown(data).splitlines()[-3:] == [
        "| X (`http://ex.org/X`) in ontology `http://ex.org/o1` | 1 | 0 |",
        "| X (`http://ex.org/X`) in ontology `http://ex.org/o2` | 0 | 1 |", "| Y | 1 | 0 |"]
    assert to_text(data).splitlines()[-3:] == ["  axioms of X <http://ex.org/X> in ontology http://ex.org/o1: +1 -0",
                                               "  axioms of X <http://ex.org/X> in ontology http://ex.org/o2: +0 -1",
                                               "  axioms of Y <http://ex.org/Y>: +1 -0"]
