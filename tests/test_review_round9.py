"""The change log, `diff`, `status`, the pull-request comment and the job summary, round 9 (task h97).

A `--since` revision that is also the start of another, a `diff` command cut in the comment, a
`status` line of ontology ids that a comma split, and the job summary's cut note.
"""

from __future__ import annotations

import json
import sqlite3

from ontosync.cli import main as cli_main

TTL = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
       '<http://ex.org/{0}> a owl:Class ; rdfs:label "{0}" .\n')


def _runs(tmp_path, *revisions: str) -> str:
    """A database synced once per revision, each run adding one class (A, B, ...) under its revision."""
    tree, db = tmp_path / "t", str(tmp_path / "x.db")
    tree.mkdir()
    for number, revision in enumerate(revisions):
        name = chr(ord("A") + number)
        (tree / f"{name}.ttl").write_text(TTL.format(name), encoding="utf-8")
        assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1"]) == 0
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE runs SET revision = ? WHERE id = (SELECT max(id) FROM runs)", (revision,))
        conn.close()
    return db


def test_since_a_full_revision_takes_its_own_run_over_a_newer_one_it_starts(tmp_path, capsys):
    """`--since R`, R a stored revision whole, and also the start of a newer run's revision: the
    newer run was taken (it matched as a prefix and was newer), so the diff left out what the run
    right after R added. The exact revision names its run, as git takes a whole ref over a prefix;
    R's run killed (not finished), it is named as such, not replaced by the newer finished run."""
    short, longer = "abcdef1234", "abcdef1234567"
    db = _runs(tmp_path, short, longer)
    capsys.readouterr()
    assert cli_main(["diff", "--db", db, "--since", short, "--format", "json"]) == 0
    assert [c["label"] for c in json.loads(capsys.readouterr().out)["classes"]["added"]] == ["B"]
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE runs SET finished_at = NULL WHERE id = 1")
    conn.close()
    assert cli_main(["diff", "--db", db, "--since", short]) == 2
    assert "the run at revision abcdef1234 (run 1) did not finish" in capsys.readouterr().err


def _changes(base_revision: str | None = "0123456789abcdef") -> dict:
    return {"base": {"run": 1, "revision": base_revision}, "head": {"run": 2, "revision": None},
            "classes": {"added": [], "removed": [], "changed": []},
            "properties": {"added": [], "removed": [], "changed": []},
            "axioms": {"added": 0, "removed": 0, "by_subject": []}}


def test_the_comment_s_diff_command_is_whole_or_not_given():
    """The comment's command giving every row quoted the database path in a code span cut at 300
    characters: a long path gave `ontosync diff --db 'dir/…` to copy, a command on no database (and
    its `--since` gone). A path too long, or one shown with escapes, leaves the command without it."""
    from ontosync.action.pull_request import _all_of_it

    long_path = "d/" * 200 + "x.db"
    said = _all_of_it(_changes(), long_path, "ontology-db")
    assert "…" not in said and "\\x1b" not in said, said
    assert said == ("`ontosync diff --since 0123456789ab` with `--db` naming the database of the run's "
                    "ontology\\-db artifact gives them all"), said
    assert _all_of_it(_changes(), "a\x1bb.db", "ontology-db").startswith("`ontosync diff --since 0123456789ab` with")
    assert _all_of_it(_changes(None), "x.db", "ontology-db") == (  # a short path: the whole command, as before
        "`ontosync diff --db x.db --run 2` on the database of the run's ontology\\-db artifact gives them all")


def test_status_lists_an_ontology_id_holding_a_comma_as_one(tmp_path, capsys):
    """`status` joined the ontology ids with ", ", so the id `http://ex.org/a,b` (an IRI may hold a
    comma) read as two ontologies, `http://ex.org/a` and `b`. An id holding a comma or a quote, or
    one that starts or ends in a space, is shown quoted now; the others as before."""
    tree, db = tmp_path / "t", str(tmp_path / "x.db")
    tree.mkdir()
    for name, iri in (("a", "http://ex.org/a,b"), ("c", "http://ex.org/c")):
        (tree / f"{name}.ttl").write_text(TTL.format(name) + f"<{iri}> a owl:Ontology .\n", encoding="utf-8")
    assert cli_main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1"]) == 0
    capsys.readouterr()
    assert cli_main(["status", "--db", db]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("ontologies")]
    assert line == 'ontologies    "http://ex.org/a,b", http://ex.org/c', line


def test_the_summary_s_cut_note_is_outside_the_collapsed_warnings():
    """A run's part of the job summary over its room was cut at a line and the cut note added: a
    cut inside the warnings' `<details>` put the note in the collapsed block (and left it open), so
    the summary read as whole. The block is closed before the note now, which shows unfolded."""
    from ontosync.action.summary import CUT_NOTE, SUMMARY_LIMIT, fit_summary, summary_markdown

    errors = [{"path": f"f{i}.ttl", "kind": "<" * 280 + str(i), "message": "<" * 300} for i in range(700)]
    warnings = [{"path": f"w{i}.ttl", "kind": "w", "message": "<" * 300} for i in range(100)]
    body = summary_markdown({"source": "s", "errors": errors, "warnings": warnings}, 1, {"database": "x.db"})
    opened = body.encode("utf-8").index(b"<details>")
    assert opened < SUMMARY_LIMIT - 4096 < len(body.encode("utf-8"))  # the cut falls inside the block
    text = fit_summary("", body)
    before = text[:text.index(CUT_NOTE.strip())]
    assert before.count("<details>") == before.count("</details>") == 1, before[-300:]
    assert before.rstrip().endswith("</details>") and len(text.encode("utf-8")) <= SUMMARY_LIMIT


def test_the_summary_names_the_changes_file_whole_or_by_its_output():
    """The same for the job summary's "The full list is in `<path>`": a long path was cut, naming a
    file that does not exist; it names the output that gives it instead (the Action has no `changes`
    input: the final read)."""
    from ontosync.action.changes import summary_section

    said = summary_section(_changes(), "d/" * 200 + "changes.json")
    assert "The full list is in the file the `changes` output names." in said and "…" not in said
    said = summary_section(_changes(), "out/changes.json")
    assert "The full list is in `out/changes.json` (output `changes`)." in said
