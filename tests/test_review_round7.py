"""`diff`'s outputs and the command line's guards, round 7 (task h85).

A label holding `" -> "` forged a change in `diff`'s text; the markdown of two databases did not
say which two; a sync of a folder with no ontology file emptied the database with exit 0 and only
"0 files ... 1 deleted" to say so.
"""

from __future__ import annotations

import json

from ontosync.cli import main as cli_main
from ontosync.diff_format import to_markdown, to_text

TTL = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
       '<http://ex.org/{0}> a owl:Class ; rdfs:label "{0}" .\n')


def _changes(changes: dict, base: dict | None = None, head: dict | None = None) -> dict:
    return {"base": base or {"run": 1, "revision": None}, "head": head or {"run": 2, "revision": None},
            "classes": {"added": [], "removed": [],
                        "changed": [{"iri": "http://ex.org/C", "label": "C", "changes": changes}] if changes else []},
            "properties": {"added": [], "removed": [], "changed": []},
            "axioms": {"added": 0, "removed": 0, "by_subject": []}}


def _unquote(line: str) -> list[str]:
    """The quoted values of a line as a reader of the escapes takes them: `\\"` a quote, `\\\\` a
    backslash; an unescaped quote opens or closes a value."""
    values, current, inside, i = [], "", False, 0
    while i < len(line):
        ch = line[i]
        if inside and ch == "\\" and i + 1 < len(line):
            current += line[i + 1]
            i += 2
            continue
        if ch == '"':
            if inside:
                values.append(current)
                current = ""
            inside = not inside
        elif inside:
            current += ch
        i += 1
    return values


def test_a_quote_in_a_value_cannot_forge_a_change_in_the_text():
    """A label `A" -> "B` changed to `C` read `label: "A" -> "B" -> "C"`: which is old and which new
    cannot be told, and a label `X" -> "Y` unchanged in meaning read as a change from X to Y. Quotes
    and backslashes inside a value are now escaped, so the line reads back as the two values."""
    forged = 'A" -> "B'
    data = _changes({"label": [forged, "C"], "definition": [None, 'say "hi" \\ bye'],
                     "synonyms_added": ['x" synonym - "y']})
    lines = to_text(data).splitlines()
    [label] = [line for line in lines if line.startswith("      label:")]
    assert label == '      label: "A\\" -> \\"B" -> "C"', label
    assert _unquote(label) == [forged, "C"]
    [definition] = [line for line in lines if line.startswith("      definition:")]
    assert _unquote(definition) == ['say "hi" \\ bye']
    [synonym] = [line for line in lines if line.startswith("      synonym")]
    assert synonym.startswith("      synonym + ") and _unquote(synonym) == ['x" synonym - "y']


def test_a_backslash_in_a_value_is_not_read_as_an_escape():
    """A label holding the text `\\x1b` read like one holding the escape character (shown `\\x1b`),
    and `Big \\x20cat` typed as text like a label with two spaces: a backslash is now doubled."""
    data = _changes({"label": ["Big \\x20cat", "Big\x1bcat"]})
    [label] = [line for line in to_text(data).splitlines() if line.startswith("      label:")]
    assert label == '      label: "Big \\\\x20cat" -> "Big\\x1bcat"', label
    same = _changes({"label": ["Big  cat", "Big \\x20cat"]})  # read the same before: both `Big \x20cat`
    [label] = [line for line in to_text(same).splitlines() if line.startswith("      label:")]
    old, new = label.removeprefix("      label: ").split(" -> ")
    assert old != new, label


def test_markdown_of_two_databases_names_them_escaped():
    """`diff --format markdown --base OTHER` said nothing of which databases it compared (the text
    and the JSON do): it now names both, as inert text (a path may hold markdown, `@`, `#12`)."""
    data = _changes({}, base={"database": "old_*x*_@team.db"}, head={"database": "new [a](http://e) #12.db"})
    lines = to_markdown(data).splitlines()
    [said] = [line for line in lines if line.startswith("Compared:")]
    assert said == ("Compared: base old\\_\\*x\\*\\_@\u200dteam\\.db → head new \\[a\\]\\(http\\:"
                    "//e\\) \\#\u200d12\\.db"), said
    assert not any(line.startswith("Compared:") for line in to_markdown(_changes({})).splitlines())


def test_the_markdown_of_diff_base_on_the_command_line_names_both(tmp_path, capsys):
    """The same through `ontosync diff`: the database compared with itself, both named."""
    tree, base = tmp_path / "t", str(tmp_path / "base.db")
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format("A"), encoding="utf-8")
    assert cli_main(["sync", str(tree), "--db", base, "--quiet", "--workers", "1"]) == 0
    capsys.readouterr()
    assert cli_main(["diff", "--db", base, "--base", base, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    shown = base.replace(".", "\\.").replace("_", "\\_").replace("-", "\\-")
    assert f"Compared: base {shown} → head {shown}" in out.splitlines(), out


def test_a_sync_of_a_folder_with_no_ontology_file_warns_how_many_classes_it_removed(tmp_path, capsys):
    """`ontosync sync EMPTY --db X` (a wrong path, a checkout that is not there, every file deleted)
    removed every class with exit 0 and "0 files: ... 2 deleted" as its only word. The run stays a
    sync of that tree (the contract: the database is a function of the tree), and now says on
    stderr and in the report's warnings how many files and classes it removed and from where."""
    tree, db, report = tmp_path / "t", str(tmp_path / "x.db"), tmp_path / "r.json"
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format("A"), encoding="utf-8")
    (tree / "b.ttl").write_text(TTL.format("B") + TTL.format("C").split(" .\n", 2)[2], encoding="utf-8")
    assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1"]) == 0
    capsys.readouterr()
    for f in tree.iterdir():
        f.unlink()
    (tree / "README.md").write_text("not an ontology\n", encoding="utf-8")  # only a non-ontology file left
    assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1", "--report", str(report)]) == 0
    err = capsys.readouterr().err
    [warning] = [w for w in json.loads(report.read_text())["warnings"] if w["kind"] == "no-ontology-files"]
    assert "deleted 2 files" in warning["message"] and "removed all 3 classes" in warning["message"], warning
    assert str(tree) in warning["message"]
    assert f"ontosync: warning: {warning['message']}\n" in err, err
    # the next sync of the same empty tree removes nothing: no warning
    assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1", "--report", str(report)]) == 0
    assert not [w for w in json.loads(report.read_text())["warnings"] if w["kind"] == "no-ontology-files"]
    assert "warning" not in capsys.readouterr().err


def test_diff_of_a_database_that_is_not_ontosync_s_says_so(tmp_path, capsys):
    """`ontosync diff --db other.db`, an SQLite database of another tool: it said "this database has
    no change log yet (run `ontosync sync` or `ontosync migrate` on it)", and both refuse it ("not a
    database ontosync can upgrade"). It now says the file is not an ontosync database, as `status`
    and `diff --base` do; exit 2, as any selection that cannot be made."""
    import sqlite3

    db = str(tmp_path / "other.db")
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    assert cli_main(["diff", "--db", db]) == 2
    out, err = capsys.readouterr()  # (the words every reading command says of it since h165)
    assert out == "" and err.startswith(f"ontosync: error: {db} is not an ontosync database: ") and \
        len(err.splitlines()) == 1, err


def test_a_name_or_iri_cannot_forge_another_class_in_the_text():
    """The text's lines are `+ class NAME <IRI>`, `parent + NAME <IRI>`, `axioms of NAME <IRI>: +A -R`:
    a label `B <http://ex.org/B>` on class A read `+ class B <http://ex.org/B> <http://ex.org/A>`, class
    B added; a subject labelled `Y <http://ex.org/Y>: +9 -9` put forged counts first. A name holding
    the line's own marks (`<`, `>`, a quote, a backslash) is now quoted, with escapes; so is such an
    ontology id; an IRI's characters no IRI may hold (`<>"`, space, backslash) are percent-encoded."""
    data = _changes({"parents_added": [{"iri": "http://ex.org/P", "label": "Q <http://ex.org/Q>"}]})
    data["classes"]["added"] = [{"iri": "http://ex.org/A", "label": "B <http://ex.org/B>"},
                                {"iri": "http://ex.org/D> <http://ex.org/E", "label": "plain"}]
    data["axioms"] = {"added": 1, "removed": 0, "by_subject": [
        {"iri": "http://ex.org/X", "label": 'Y <http://ex.org/Y>: +9 -9 "', "added": 1, "removed": 0}]}
    lines = to_text(data).splitlines()
    assert '  + class "B <http://ex.org/B>" <http://ex.org/A>' in lines, lines
    assert "  + class plain <http://ex.org/D%3E%20%3Chttp://ex.org/E>" in lines, lines
    assert '      parent + "Q <http://ex.org/Q>" <http://ex.org/P>' in lines, lines
    assert '  axioms of "Y <http://ex.org/Y>: +9 -9 \\"" <http://ex.org/X>: +1 -0' in lines, lines
    assert "  ~ class C <http://ex.org/C>" in lines  # a name without those marks is shown as it was


def test_status_shows_a_database_s_revision_and_times_inert(tmp_path, capsys):
    """`ontosync status` of a database from elsewhere (an artifact, a colleague's file) printed its
    recorded revision and last sync time as they were: a revision holding `ESC ]0;...BEL` retitled
    the terminal, `ESC [2J` cleared it, U+202E turned the line round. They are shown as escapes now,
    as the failed files' lines were already."""
    import sqlite3

    tree, db = tmp_path / "t", str(tmp_path / "x.db")
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format("A"), encoding="utf-8")
    assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1"]) == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE sync_meta SET value = ? WHERE key = 'revision'", ("\x1b]0;owned\x07\x1b[2J\u202eabc",))
        conn.execute("UPDATE source_files SET synced_at = ?", ("\x1b[31m2026\u202e",))
    conn.close()
    capsys.readouterr()
    assert cli_main(["status", "--db", db]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("revision")]
    assert line == "revision      \\x1b]0;owned\\x07\\x1b[2J\\u202eabc (last synced \\x1b[31m2026\\u202e)", line


def test_diff_of_a_damaged_change_log_is_one_line_not_a_traceback(tmp_path, capsys):
    """A change log row whose card is not what a sync writes (a damaged or hand-edited database, one
    from elsewhere): `diff` ended in a Python traceback, exit 1 (JSONDecodeError; `'list' object has
    no attribute 'get'`; an integer label's `casefold`). It is now one line naming the database and
    the row, exit 3, as any database `diff` cannot read; a card of the right shape still reads."""
    import sqlite3

    tree, db = tmp_path / "t", str(tmp_path / "x.db")
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format("A"), encoding="utf-8")
    assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1"]) == 0
    capsys.readouterr()
    for card in ("not json", "[1, 2]", "null", '{"label": 5}', '{"label": "A", "parents": "x"}',
                 '{"label": "A", "synonyms": [3]}'):
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE run_changes SET new = ?", (card,))
        conn.close()
        assert cli_main(["diff", "--db", db, "--format", "json"]) == 3, card
        out, err = capsys.readouterr()
        assert out == "" and err == (f"ontosync: fatal: {db}: the change log is damaged: class <http://ex.org/A> "
                                     "holds a value no ontosync writes; nothing was shown\n"), (card, err)
    from ontosync.action.changes import collect

    assert collect(db, 0, tmp_path / "changes.json") is None  # the Action: outputs left empty, as for a log unread
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE run_changes SET new = ?", ('{"label": "Z", "parents": [], "synonyms": ["s"]}',))
    conn.close()
    assert cli_main(["diff", "--db", db, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["classes"]["added"] == [{"iri": "http://ex.org/A", "label": "Z"}]


def test_status_does_not_promise_to_resume_another_database_s_checkpoint(tmp_path, capsys):
    """`status --db x.db --checkpoint shared.json`, the checkpoint of an unfinished sync into y.db:
    status said "UNFINISHED ...; a sync of SRC resumes it", and that sync into x.db refuses the file
    (exit 2: "holds the unfinished sync of another database"). Status now says whose it is."""
    from datetime import datetime, timedelta

    tree, x, y, shared = tmp_path / "t", str(tmp_path / "x.db"), str(tmp_path / "y.db"), tmp_path / "shared.json"
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL.format("A"), encoding="utf-8")
    for db in (x, y):
        assert cli_main(["sync", str(tree), "--db", db, "--checkpoint", str(shared), "--quiet", "--workers", "1"]) == 0
    ckpt = json.loads(shared.read_text())
    # y.db's sync, interrupted: started before the finished run it is made from, whose own checkpoint,
    # left unfinished, no sync resumes (tests/test_hostile_env6.py)
    started = datetime.fromisoformat(ckpt["started_at"]) - timedelta(milliseconds=1)
    ckpt["started_at"] = started.isoformat(timespec="milliseconds")
    shared.write_text(json.dumps({**ckpt, "finished": False}), encoding="utf-8")
    capsys.readouterr()
    assert cli_main(["status", "--db", x, "--checkpoint", str(shared)]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("checkpoint")]
    assert line == (f"checkpoint    UNFINISHED: 1/1 processed, 0 failed; a sync of {tree} into another database, "
                    f"{y}, resumes it (not a sync into this one)"), line
    assert cli_main(["status", "--db", y, "--checkpoint", str(shared)]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("checkpoint")]
    assert line == f"checkpoint    UNFINISHED: 1/1 processed, 0 failed; a sync of {tree} resumes it"


def test_an_ambiguous_since_shows_revisions_that_differ(tmp_path, capsys):
    """`diff --since abcdef1` naming two synced revisions that share their first 12 characters said
    "it starts the revisions abcdef100000, abcdef100000": two names that read the same, no help
    in choosing. Each is now shown up to where they differ."""
    import sqlite3

    tree, db = tmp_path / "t", str(tmp_path / "x.db")
    tree.mkdir()
    for name in ("A", "B"):
        (tree / f"{name}.ttl").write_text(TTL.format(name), encoding="utf-8")
        assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1"]) == 0
    one, two = "abcdef1" + "0" * 32 + "1", "abcdef1" + "0" * 32 + "2"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE runs SET revision = CASE id WHEN 1 THEN ? ELSE ? END", (one, two))
    conn.close()
    capsys.readouterr()
    assert cli_main(["diff", "--db", db, "--since", "abcdef1"]) == 2
    assert capsys.readouterr().err == (f"ontosync: error: --since abcdef1 is ambiguous: it starts the revisions "
                                       f"{one}, {two}; give more characters\n")


def test_an_arrow_in_a_value_cannot_forge_a_change_in_the_markdown():
    """The comment's change cell reads `label: OLD → NEW`: a label `A → B` changed to C read
    `label: A → B → C`. A pair whose values hold the arrow is now written `label: *from* OLD *to*
    NEW`, in italics no label can make (markdown's `*` is escaped in user text)."""
    cells = {}
    for label in ("A → B", "Plain"):
        markdown = to_markdown(_changes({"label": [label, "C"]}))
        [row] = [line for line in markdown.splitlines() if line.startswith("| C |")]
        cells[label] = row.split(" | ")[2].removesuffix(" |")
    assert cells["A → B"] == "label: *from* A → B *to* C", cells
    assert cells["Plain"] == "label: Plain → C", cells
    forged = to_markdown(_changes({"label": ["A *to* B", "C"]}))
    assert "label: A \\*to\\* B → C" in forged


def test_status_and_diff_base_of_a_legacy_database_say_to_migrate_it(tmp_path, capsys):
    """A database of the legacy shape L1 (`owl_classes` keyed by `iri`), which `ontosync migrate`
    upgrades: `status` said "fatal: ... is not an ontosync database: no such column: source_file",
    `diff --base` "is not an ontosync database: no such table: owl_class_hierarchy". Both now
    name its shape and the command that upgrades it."""
    import shlex
    import sqlite3

    legacy, db = str(tmp_path / "old.db"), str(tmp_path / "x.db")
    with sqlite3.connect(legacy) as conn:
        conn.execute("CREATE TABLE owl_classes (iri TEXT PRIMARY KEY, label TEXT)")
    conn.close()
    tree = tmp_path / "t"
    tree.mkdir()
    assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1"]) == 0
    capsys.readouterr()
    advice = (f"{legacy} is a legacy database (legacy shape L1 (the batch tool's own tables)): upgrade it with "
              f"`ontosync migrate --db {shlex.quote(legacy)}` (a backup is kept)")
    assert cli_main(["status", "--db", legacy]) == 2  # a command to run first, as diff says it (h171)
    assert capsys.readouterr().err == f"ontosync: error: {advice}\n"
    assert cli_main(["diff", "--db", db, "--base", legacy]) == 2
    assert capsys.readouterr().err == f"ontosync: error: {advice}\n"


def test_a_comma_in_a_synonym_cannot_split_it_in_the_markdown():
    """The cell lists synonyms (and parents) with commas: one synonym `Fox, Wolf` added read as two,
    `synonym + Fox, Wolf`. A list with an item holding a comma now starts with its count and is
    separated by *and*, in italics no synonym can write (its `*` is escaped); others read as before."""
    one = to_markdown(_changes({"synonyms_added": ["Fox, Wolf", "Bear"]}))
    [row] = [line for line in one.splitlines() if line.startswith("| C |")]
    assert "synonym + *2:* Fox, Wolf *and* Bear" in row, row
    two = to_markdown(_changes({"synonyms_added": ["Fox", "Wolf"], "parents_added": [
        {"iri": "http://ex.org/P", "label": "P, Q"}]}))
    [row] = [line for line in two.splitlines() if line.startswith("| C |")]
    assert "synonym + Fox, Wolf" in row and "parent + *1:* P, Q<br>" in row, row
