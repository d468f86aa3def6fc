"""The change log does not depend on the order a run applies its files in, and `ontosync diff`
renders it safely.

Order: one set of edits (a page appears that another page's link names, so the link re-points; a
page is relabelled; a page goes; a page changes only whitespace) is applied to copies of the same
database in every order, file by file through the repository as the writer does. Every order must
log the same rows, equal to the direct comparison of the database before and after.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

from ontosync.cli import main as cli_main
from ontosync.diff_format import ZWJ, md, to_markdown, to_text
from ontosync.parsing import ParseOptions, parse_file
from ontosync.store.changelog import ChangeLog
from ontosync.store.diff import compare_databases, select_runs
from ontosync.store.repository import Repository


def page(label: str, parent: str | None = None, definition: str | None = None, extra: str = "") -> str:
    lines = ["- ### OntologyBlock", "  - ontology:: true", f"  - preferred-term:: {label}"]
    if definition:
        lines.append(f"  - definition:: {definition}")
    if parent:
        lines.append(f"  - is-subclass-of:: [[{parent}]]")
    return "\n".join(lines) + "\n" + extra


START = {
    "Animal.md": page("Animal", definition="A living thing that moves."),
    "Dog.md": page("Dog", parent="Canine", extra="- is-part-of:: [[Pack]]\n"),  # no Canine page yet
    "Cat.md": page("Cat", parent="Animal"),
    "Fish.md": page("Fish", parent="Animal"),
}
EDITS = {  # path -> new text, or None: deleted
    # Dog's link now names this page, whose class has its own IRI: the link re-points
    "Canine.md": page("Canine", parent="Animal", extra="  - owl:class:: <http://example.org/Canine>\n"),
    "Cat.md": page("House cat", parent="Animal"),
    "Fish.md": None,
    "Animal.md": "\n" + page("Animal", definition="A living thing that moves.").replace("\n", "  \n"),
}


def build(tmp_path: Path, name: str) -> Path:
    src = tmp_path / name
    src.mkdir()
    for rel, text in START.items():
        (src / rel).write_text(text, encoding="utf-8")
    db = tmp_path / f"{name}.db"
    assert cli_main(["sync", str(src), "--db", str(db), "--quiet"]) == 0
    return db


def apply(db: Path, order: tuple[str, ...]) -> list[tuple]:
    repo = Repository(db)
    try:
        log = repo.changes = ChangeLog.start(repo, "after", "test", "t")
        for path in order:
            text = EDITS[path]
            if text is None:
                repo.delete_file(path, "t")
            else:
                repo.save_parsed(path, None, len(text), parse_file(path, text.encode(), ParseOptions()), "t")
        repo.changes = None
        log.finish("t")
        return sorted(repo.conn.execute("SELECT kind, ontology_id, iri, item, old, new FROM run_changes "
                                        "WHERE run_id = ?", (log.run_id,)).fetchall())
    finally:
        repo.close()


def test_every_order_logs_the_same_net_change(tmp_path):
    base = build(tmp_path, "start")
    results = set()
    for i, order in enumerate(itertools.permutations(EDITS)):
        db = tmp_path / f"order{i}.db"
        shutil.copy(base, db)
        results.add(tuple(apply(db, order)))
    assert len(results) == 1
    rows = results.pop()
    # what changed: Canine added; Dog re-parented onto it; Cat relabelled; Fish removed; Animal's
    # whitespace nothing. The axiom of Dog (is-part-of Pack) is untouched.
    kinds = sorted((kind, iri.rsplit(":", 1)[-1].rsplit("/", 1)[-1]) for kind, _o, iri, _item, _old, _new in rows)
    assert kinds == [("class", "Canine"), ("class", "cat"), ("class", "dog"), ("class", "fish")]

    db = tmp_path / "order0.db"
    repo = Repository(db)
    try:
        from_log = select_runs(repo.conn).to_json(repo.conn)
        direct = compare_databases(repo.conn, base, str(db)).to_json(repo.conn)
    finally:
        repo.close()
    for key in ("classes", "properties", "axioms"):
        assert from_log[key] == direct[key]
    dog = next(e for e in from_log["classes"]["changed"] if e["label"] == "Dog")
    assert [p["label"] for p in dog["changes"]["parents_added"]] == ["Canine"]
    assert dog["changes"]["parents_removed"][0]["label"] is None  # the minted IRI no page declares
    assert [e["label"] for e in from_log["classes"]["removed"]] == ["Fish"]


def test_markdown_escapes_and_text_shows_old_and_new():
    data = {
        "base": {"run": 1, "revision": "abc"}, "head": {"run": 2, "revision": "def"},
        "classes": {"added": [{"iri": "http://x/a|b", "label": "@team <script>alert(1)</script> *x* [l](u)"}],
                    "removed": [],
                    "changed": [{"iri": "http://x/c", "label": "C", "changes": {"label": ["Old", "C"],
                                                                             "synonyms_added": ["See"]}}]},
        "properties": {"added": [], "removed": [], "changed": []},
        "axioms": {"added": 0, "removed": 0, "by_subject": []},
    }
    text = to_markdown(data)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert f"@{ZWJ}team" in text and "\\*x\\*" in text and "\\[l\\]\\(u\\)" in text
    assert "`http://x/a%7Cb`" in text  # a pipe in an IRI cannot end the table cell
    assert "label: Old → C<br>synonym + See" in text
    plain = to_text(data)
    assert 'label: "Old" -> "C"' in plain and "synonym + \"See\"" in plain
    assert md("a\nb|c") == "a b\\|c"


def test_markdown_budget_is_kept():
    rows = [{"iri": f"http://x/{i}", "label": "L" * 100} for i in range(2000)]
    data = {"base": {"run": None, "revision": None}, "head": {"run": 1, "revision": None},
            "classes": {"added": rows, "removed": [], "changed": []},
            "properties": {"added": [], "removed": [], "changed": []},
            "axioms": {"added": 0, "removed": 0, "by_subject": []}}
    for budget in (5_000, 60_000):
        text = to_markdown(data, budget=budget, more=lambda n: f"…and {n} more rows, [elsewhere](https://example.com/run).")
        assert len(text) <= budget
        shown = text.count("| L")
        assert 0 < shown < 2000
        assert f"…and {2000 - shown} more rows, [elsewhere](https://example.com/run)." in text


def test_diff_cli_errors_are_one_line(tmp_path, capsys):
    db = build(tmp_path, "cli")
    assert cli_main(["diff", "--db", str(db), "--since", "0123456789"]) == 2
    assert "no run at revision 0123456789" in capsys.readouterr().err
    assert cli_main(["diff", "--db", str(db), "--base", str(tmp_path / "missing.db")]) == 2
    assert cli_main(["diff", "--db", str(tmp_path / "missing.db")]) == 2
    out = tmp_path / "d.json"
    assert cli_main(["diff", "--db", str(db), "--format", "json", "--output", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["counts"]["classes_added"] == len(START)  # declared classes only, not linked-to names


def test_diff_output_dash_is_standard_output(tmp_path, capsys, monkeypatch):
    """`--output -` wrote a file named `-` in the current folder (h45's report); `-` is standard
    output, as for most command-line tools."""
    db = build(tmp_path, "dash")
    monkeypatch.chdir(tmp_path)
    assert cli_main(["diff", "--db", str(db), "--format", "json", "--output", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["classes_added"] == len(START)
    assert not (tmp_path / "-").exists()
