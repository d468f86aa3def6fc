"""The change log, `diff` and the review comment, round 4 (task h55).

First an independent check of the log: along a chain of trees (edits, renames, a class moved to
another file, its label given by another file, deletions, a page renamed so links in other pages
re-point, a file failing to parse), each incremental sync's logged change must equal the
difference between fresh syncs of the trees before and after, computed here from the two
databases' contract tables and readers' layer, not by `diff --base` (which shares the log's cards).
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
from pathlib import Path

from ontosync.cli import main as cli_main
from ontosync.store.diff import DiffError, select_runs

HEAD = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .\n@prefix ex: <http://example.org/r#> .\n")
EX = "http://example.org/r#"
SYNONYMS = ("oio:hasExactSynonym", "oio:hasRelatedSynonym", "oio:hasBroadSynonym", "oio:hasNarrowSynonym",
            "skos:altLabel")


def _page(label: str, parent: str | None = None, alias: str | None = None, extra: str = "") -> str:
    text = f"- ### OntologyBlock\n  - ontology:: true\n  - preferred-term:: {label}\n{extra}"
    text += f"  - is-subclass-of:: [[{parent}]]\n" if parent else ""
    return text + (f"  - alias:: {alias}\n" if alias else "")


Y = 'ex:Y a owl:Class ; rdfs:label "Why" ; rdfs:subClassOf ex:X ; oio:hasExactSynonym "whY" ; rdfs:comment "def" .\n'
P = 'ex:p a owl:ObjectProperty ; rdfs:label "pee" ; rdfs:domain ex:X .\n'
DISJOINT = "ex:X owl:disjointWith ex:Z .\n"
BROKEN = HEAD + "ex:Oops a ;;; .\n"
T0 = {"a.ttl": HEAD + 'ex:X a owl:Class ; rdfs:label "Ex" .\n' + Y + P,
      "b.ttl": HEAD + 'ex:Z a owl:Class ; rdfs:label "Zed" .\n',
      "pages/Alpha.md": _page("Alpha"), "pages/Beta.md": _page("Beta", "Alpha"),
      "pages/Gamma.md": _page("Gamma", "Delta"), "pages/Omega.md": _page("Omega", extra="  - owl:class:: mv:Omega\n"),
      "pages/Kappa.md": _page("Kappa", "Omega", extra="  - has-part:: [[Omega]]\n")}
# (what the step does, the files it writes (None: deletes))
STEPS = [
    ("edits: relabel, synonym, definition, parent, property domain, an axiom, a page for a link",
     {"a.ttl": HEAD + 'ex:X a owl:Class ; rdfs:label "Ex" .\n' + DISJOINT
      + Y.replace('"Why"', '"Why two"').replace('"whY"', '"y2"').replace('"def"', '"def2"').replace("ex:X ;", "ex:Z ;")
      + P.replace("ex:X", "ex:Z"),
      "pages/Delta.md": _page("Delta", alias="Dee")}),
    ("a file renamed, a class moved out of it to another file",
     {"c.ttl": HEAD + 'ex:X a owl:Class ; rdfs:label "Ex" .\n' + DISJOINT + P, "a.ttl": None,
      "b.ttl": HEAD + 'ex:Z a owl:Class ; rdfs:label "Zed" .\n' + Y}),
    ("a class's label and an edge given by another file, an axiom copied there",
     {"c.ttl": HEAD + "ex:X a owl:Class .\n" + DISJOINT + P,
      "d.ttl": HEAD + 'ex:X rdfs:label "Ex" ; rdfs:subClassOf ex:Z .\n' + DISJOINT}),
    ("the label's file declares the class; a page renamed: a link in another page re-points; linked pages "
     "deleted: their classes are only referred to, a link and an axiom re-point",
     {"d.ttl": HEAD + 'ex:X a owl:Class ; rdfs:label "Ex" .\n' + DISJOINT, "pages/Alpha.md": None,
      "pages/Alpha2.md": _page("Alpha2"), "pages/Beta.md": _page("Beta", "Alpha2"), "pages/Delta.md": None,
      "pages/Omega.md": None}),
    ("a file fails, another is edited",
     {"c.ttl": BROKEN, "b.ttl": HEAD + 'ex:Z a owl:Class ; rdfs:label "Zee" .\n' + Y}),
    ("the failed file mended, with an edit; files deleted",
     {"c.ttl": HEAD + "ex:X a owl:Class ; rdfs:comment \"x\" .\n" + P, "d.ttl": None, "pages/Gamma.md": None}),
]


def _sync(src: Path, db: Path) -> None:
    assert cli_main(["sync", str(src), "--db", str(db), "--quiet", "--workers", "1", "--max-error-rate", "1"]) == 0


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def _contents(db: Path) -> dict:
    """What a fresh sync holds, read from the contract tables and the readers' `statements`."""
    conn = sqlite3.connect(db)
    try:
        prefixes = dict(conn.execute("SELECT prefix, base FROM prefix"))

        def iri(term: str) -> str:
            head, _, rest = term.partition(":")
            return prefixes[head] + rest if head in prefixes and not rest.startswith("//") else term

        classes = {(o, c): {"label": label, "definition": comment, "parents": set(), "synonyms": set()}
                   for o, c, label, comment in conn.execute(
                       "SELECT ontology_id, class_iri, label, comment FROM owl_classes WHERE source_file IS NOT NULL")}
        for o, c, parent in conn.execute("SELECT ontology_id, class_iri, parent_iri FROM owl_class_hierarchy"):
            if (o, c) in classes:
                classes[(o, c)]["parents"].add(parent)
        marks = ",".join("?" * len(SYNONYMS))
        for o, s, value in conn.execute(
                f"SELECT graph, subject, value FROM statements WHERE predicate IN ({marks})", SYNONYMS):
            if (o, iri(s)) in classes:
                classes[(o, iri(s))]["synonyms"].add(value)
        properties = {(o, p): {"type": t, "label": label, "domain": d, "range": r} for o, p, t, label, d, r in
                      conn.execute("SELECT ontology_id, property_iri, property_type, label, domain, range "
                                   "FROM owl_properties")}
        axioms = set(conn.execute("SELECT DISTINCT ontology_id, subject, axiom_type, object, annotations "
                                  "FROM owl_axioms"))
        return {"classes": classes, "properties": properties, "axioms": axioms}
    finally:
        conn.close()


def _class_change(old: dict, new: dict) -> dict:
    out = {k: [old[k], new[k]] for k in ("label", "definition") if old[k] != new[k]}
    for key in ("parents", "synonyms"):
        for how, items in (("added", new[key] - old[key]), ("removed", old[key] - new[key])):
            if items:
                out[f"{key}_{how}"] = sorted(items)
    return out


def _expected(before: dict, after: dict) -> dict:
    """The difference of two fresh syncs, in the shape `_logged` reduces the diff's JSON to."""
    out = {}
    for kind in ("classes", "properties"):
        old, new = before[kind], after[kind]
        change = _class_change if kind == "classes" else \
            (lambda a, b: {k: [a[k], b[k]] for k in ("type", "label", "domain", "range") if a[k] != b[k]})
        out[kind] = {"added": sorted((k[1], new[k]["label"]) for k in new.keys() - old.keys()),
                     "removed": sorted((k[1], old[k]["label"]) for k in old.keys() - new.keys()),
                     "changed": {k[1]: change(old[k], new[k]) for k in old.keys() & new.keys() if old[k] != new[k]}}
    out["axioms"] = {"added": len(after["axioms"] - before["axioms"]),
                     "removed": len(before["axioms"] - after["axioms"])}
    return out


def _logged(db: Path, run: int) -> dict:
    conn = sqlite3.connect(db)
    try:
        data = select_runs(conn, run=run).to_json(conn)
    finally:
        conn.close()
    out = {}
    for kind in ("classes", "properties"):
        section = data[kind]
        out[kind] = {how: sorted((e["iri"], e["label"]) for e in section[how]) for how in ("added", "removed")}
        out[kind]["changed"] = {
            e["iri"]: {k: sorted(p["iri"] for p in v) if k.startswith("parents") else v
                       for k, v in e["changes"].items()} for e in section["changed"]}
    out["axioms"] = {k: data["axioms"][k] for k in ("added", "removed")}
    return out


def test_each_logged_run_equals_two_fresh_syncs_compared_independently(tmp_path):
    """Along STEPS, `diff --run N` of the incremental database against the contract tables of fresh
    syncs of the trees before and after (a failed file at its last good version)."""
    src, db = tmp_path / "src", tmp_path / "inc.db"
    tree = dict(T0)
    _write(src, tree)
    _sync(src, db)
    (tmp_path / "f0").mkdir()
    _write(tmp_path / "f0", tree)
    _sync(tmp_path / "f0", tmp_path / "f0.db")
    before = _contents(tmp_path / "f0.db")
    good = dict(tree)
    for n, (what, files) in enumerate(STEPS, start=1):
        for rel, text in files.items():
            if text is None:
                (src / rel).unlink()
                tree.pop(rel)
                good.pop(rel)
            else:
                tree[rel] = text
                good[rel] = text if text != BROKEN else good[rel]
                _write(src, {rel: text})
        _sync(src, db)
        fresh = tmp_path / f"f{n}"
        fresh.mkdir()
        _write(fresh, good)
        _sync(fresh, tmp_path / f"f{n}.db")
        after = _contents(tmp_path / f"f{n}.db")
        assert _contents(db) == after, what  # the incremental content itself (CONTRACT section 2)
        assert _logged(db, n + 1) == _expected(before, after), what
        before = after


# -- the review's markdown ----------------------------------------------------------------------------

def _one_added(iri: str, label: str) -> dict:
    return {"base": {"run": 1, "revision": None}, "head": {"run": 2, "revision": None},
            "classes": {"added": [{"iri": iri, "label": label}], "removed": [], "changed": []},
            "properties": {"added": [], "removed": [], "changed": []},
            "axioms": {"added": 0, "removed": 0, "by_subject": []}}


def test_an_iri_s_bidirectional_override_is_shown_not_obeyed_in_the_review():
    """A Turtle IRI may hold U+202E (`<http://ex.org/\\u202Egpj.exe>`): the comment and the summary
    showed it raw in the IRI column, where GitHub renders "http://ex.org/exe.jpg"; the label column
    already showed such characters as escapes, and so did `diff`'s text. A failed file's path, named
    in the same review, likewise."""
    from ontosync.action.failed_note import failed_note
    from ontosync.diff_format import to_markdown

    iri = "http://ex.org/\u202egpj.exe\x1b[2J"
    for text in (to_markdown(_one_added(iri, "\u202eLabel")),
                 failed_note({"errors": [{"path": "onto/\u202ecod.ttl", "kind": "parse", "message": "x"}]})):
        assert not any(ch in text for ch in "\u202e\x1b"), text
    assert "`http://ex.org/\\u202egpj.exe\\x1b[2J`" in to_markdown(_one_added(iri, "L"))


# -- the base of a diff whose earlier runs were pruned --------------------------------------------------

def _two_syncs(tmp_path: Path, capsys, between: str, *flags: str) -> tuple[str, list[dict]]:
    """A synced, the SQL `between` run on the database, then B added and synced: the first line of
    `ontosync diff` and the JSON of the default diff and of `--since abcdef0` (None when refused)."""
    src, db = tmp_path / "src", str(tmp_path / "k.db")
    _write(src, {"a.ttl": HEAD + "ex:A a owl:Class .\n"})
    args = ["sync", str(src), "--db", db, "--quiet", "--workers", "1", *flags]
    assert cli_main(args) == 0
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(between)
    conn.close()
    _write(src, {"b.ttl": HEAD + "ex:B a owl:Class .\n"})
    assert cli_main(args) == 0
    capsys.readouterr()
    assert cli_main(["diff", "--db", db]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    conn = sqlite3.connect(db)
    try:
        data = [select_runs(conn).to_json(conn)]
        with contextlib.suppress(DiffError):
            data.append(select_runs(conn, since="abcdef0").to_json(conn))
    finally:
        conn.close()
    assert all([e["iri"] for e in got["classes"]["added"]] == [EX + "B"] for got in data)
    return first, data


def test_a_run_whose_base_was_pruned_is_not_shown_as_from_an_empty_database(tmp_path, capsys):
    """`--keep-runs 1`: the second sync's run (B added to a database holding A) was shown as
    "empty -> run 2", its JSON base `{"run": null}`, as if the database had been empty before it:
    pruning had deleted run 1. The base is now the pruned run that the kept log starts from, and
    `--since` the revision it synced finds it."""
    first, data = _two_syncs(tmp_path, capsys, "UPDATE runs SET revision = 'abcdef0123456789' WHERE id = 1",
                             "--keep-runs", "1")  # the revision: as a git checkout's sync
    assert first == "run 1 (abcdef012345) -> run 2", first
    assert len(data) == 2
    for got in data:
        assert got["base"] == {"run": 1, "revision": "abcdef0123456789"}, got["base"]
        assert got["head"] == {"run": 2, "revision": None}


def test_the_first_logged_run_of_an_upgraded_database_is_not_shown_as_from_an_empty_one(tmp_path, capsys):
    """A database an ontosync without the change log wrote (its content, no run; upgraded by
    migration 006): the first run after the upgrade logged only what it changed, and `diff` said
    "empty -> run 1", JSON base `{"run": null}`, as if it had added the whole ontology to nothing."""
    first, [data] = _two_syncs(tmp_path, capsys, "DELETE FROM runs")  # the state an upgrade leaves
    assert first == "the content before the change log -> run 2", first
    assert data["base"] == {"run": 0, "revision": None}


def test_a_change_log_that_cannot_be_read_before_the_sync_is_not_read_as_no_runs():
    """The Action's figures are the runs after the last one before its sync. A read of it that
    failed (here: nothing listens at the PostgreSQL URL; a server restarting for that moment) was
    taken as "no run before", so a sync that then went through reported every run the log holds,
    the whole ontology, as this push's change. It is now unknown (None), and the step shows no
    figures rather than those (action/run.py)."""
    from ontosync.action.changes import before_sync

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: the connection is refused
        assert before_sync(f"postgresql://u:p@127.0.0.1:{port}/db", ".", None, None)[1] is None


def test_a_prefix_of_both_a_kept_and_a_pruned_revision_is_refused_as_ambiguous(tmp_path):
    """`--since abcdef0` where run 1 (pruned, abcdef01...) and run 2 (kept, abcdef02...) both start
    so: the kept run was taken silently, because the pruned revision was looked up apart from the
    ambiguity check. Git refuses such a prefix, and so does `diff`; a longer one finds either run."""
    src, db = tmp_path / "src", str(tmp_path / "p.db")
    args = ["sync", str(src), "--db", db, "--quiet", "--workers", "1", "--keep-runs", "1"]
    for run, files in ((1, {"a.ttl": HEAD + "ex:A a owl:Class .\n"}), (2, {"b.ttl": HEAD + "ex:B a owl:Class .\n"})):
        _write(src, files)
        assert cli_main(args) == 0
        with contextlib.closing(sqlite3.connect(db)) as conn, conn:
            conn.execute("UPDATE runs SET revision = ? WHERE id = ?", (f"abcdef0{run}" + "9" * 32, run))
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT id FROM runs").fetchall() == [(2,)]  # run 1 was pruned
        try:
            select_runs(conn, since="abcdef0")
        except DiffError as exc:
            assert "ambiguous" in str(exc) and "abcdef019999" in str(exc) and "abcdef029999" in str(exc), exc
        else:
            raise AssertionError("--since abcdef0 was taken as one revision")
        assert select_runs(conn, since="abcdef01").to_json(conn)["base"]["run"] == 1
        assert select_runs(conn, since="ABCDEF02").to_json(conn)["base"]["run"] == 2
