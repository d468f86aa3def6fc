"""End to end: `ontosync sync` on small trees and on the shared corpora (issue 2's acceptance)."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from ontosync.config import Settings
from ontosync.parsing.facts import normalize_name
from ontosync.pipeline.sync import SyncRun
from ontosync.sources import PathFilter
from ontosync.sources.local import LocalSource
from ontosync.store.repository import Repository
from tests.helpers import ONTOLOGIES, PAGES, ROOT, cli, dump_file, q

EXAMPLE = ROOT / "examples" / "ontology"


def sync(source: Path | str, db: Path, *extra: str, env: dict | None = None):
    return cli("sync", str(source), "--db", str(db), "--quiet", *extra, env=env)


def verify_ok(db: Path) -> None:
    proc = cli("verify", "--db", str(db))
    assert proc.returncode == 0, proc.stderr


# -- small trees -----------------------------------------------------------------------------------
def test_example_sync_rows(tmp_path):
    db = tmp_path / "ex.db"
    proc = sync(EXAMPLE, db, "--report", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    verify_ok(db)
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["files"]["total"] == len(list(EXAMPLE.rglob("*.md"))) + 1
    assert report["files"]["skipped"] == 1 and report["files"]["failed"] == 0
    ex = "http://example.org/ontosync-example#"
    edges = set(q(db, "SELECT class_iri, parent_iri FROM owl_class_hierarchy"))
    assert (ex + "IndustrialRobot", ex + "Robot") in edges
    assert (ex + "Robot", ex + "Machine") in edges
    assert (ex + "Sensor", ex + "Component") in edges  # link [[Component]] resolves to the Component page
    labels = dict(q(db, "SELECT class_iri, label FROM owl_classes WHERE source_file IS NOT NULL"))
    assert labels[ex + "Robot"] == "Robot"
    assert q(db, "SELECT property_type, domain, range FROM owl_properties WHERE property_iri = ?", ex + "hasPart") == [
        ("ObjectProperty", ex + "Machine", ex + "Component")]
    assert q(db, "SELECT status, error FROM source_files WHERE path = 'pages/Notes.md'") == [
        ("skipped", "no OntologyBlock heading")]
    assert report["entities"]["classes"] == len(labels)


def test_malformed_turtle_among_good_files(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(EXAMPLE, src)
    (src / "broken.ttl").write_text("@prefix ex: <http://e/> .\nex:a a ex:B .\nex:c ex:d \"unterminated .\n")
    db = tmp_path / "a.db"
    proc = sync(src, db, "--report", str(tmp_path / "r.json"))
    assert proc.returncode == 1  # 1 of 8 attempted failed: over the default 0.05
    assert "error rate" in proc.stderr
    status, error, line = q(db, "SELECT status, error, error_line FROM source_files WHERE path = 'broken.ttl'")[0]
    assert status == "failed" and line == 3 and error
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["errors"] == [{"path": "broken.ttl", "line": 3, "kind": "parse", "message": error,
                                 "retryable": False}]
    assert report["alerts"][0]["name"] == "error_rate"
    good = q(db, "SELECT count(*) FROM source_files WHERE status = 'ok'")[0][0]
    assert good == report["files"]["ok"] == len(list(src.rglob("*.md"))) - 1 + 1  # pages but Notes, plus core.ttl
    verify_ok(db)
    proc = sync(src, tmp_path / "b.db", "--max-error-rate", "0.5")
    assert proc.returncode == 0, proc.stderr


def test_broken_fence_keeps_page_ok_with_warning(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "Broken.md").write_text(
        "- ### OntologyBlock\n  - owl:class:: mv:Broken\n  - preferred-term:: Broken\n"
        "  - ```clojure\n    Declaration(Class(mv:Broken))\n    SubClassOf(mv:Broken mv:Thing\n"
        "    SubClassOf(mv:Broken (ObjectSomeValuesFrom mv:hasPart\n    ```\n")
    db = tmp_path / "a.db"
    proc = sync(src, db, "--report", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    assert q(db, "SELECT status FROM source_files") == [("ok",)]
    report = json.loads((tmp_path / "r.json").read_text())
    fence = [w for w in report["warnings"] if w["path"] == "Broken.md"]
    assert fence and all(isinstance(w["line"], int) and w["line"] >= 5 for w in fence)


def test_bad_command_lines_exit_2_with_one_line(tmp_path):
    cases = [
        ("sync", str(tmp_path / "missing"), "--db", str(tmp_path / "x.db")),
        ("sync", str(EXAMPLE), "--no-such-flag"),
        ("sync", str(EXAMPLE), "--db", str(tmp_path / "no" / "dir" / "x.db")),
        ("sync", str(EXAMPLE), "--workers", "zero"),
        ("sync", str(EXAMPLE), "--db", str(tmp_path / "x.db"), "--max-error-rate", "2"),
        ("verify", "--db", str(tmp_path / "none.db")),
    ]
    for args in cases:
        proc = cli(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ontosync: error:"), (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    if os.geteuid() != 0:  # root writes anywhere; the check is for ordinary users
        proc = cli("sync", str(EXAMPLE), "--db", str(ro / "x.db"))
        assert proc.returncode == 2 and "cannot write" in proc.stderr


def test_config_file_and_flags(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(EXAMPLE, src)
    (src / ".ontosync.yml").write_text("exclude: ['**/*.ttl']\nontology-id: cfg\nworkers: 1\n")
    db = tmp_path / "c.db"
    assert sync(src, db).returncode == 0
    assert q(db, "SELECT count(*) FROM source_files WHERE path LIKE '%.ttl'") == [(0,)]
    assert q(db, "SELECT ontology_id FROM ontologies") == [("cfg",)]
    db2 = tmp_path / "d.db"
    assert sync(src, db2, "--ontology-id", "flag").returncode == 0  # the flag wins over the file
    assert q(db2, "SELECT ontology_id FROM ontologies") == [("flag",)]
    (src / ".ontosync.yml").write_text("wrokers: 2\n")
    proc = sync(src, tmp_path / "e.db")
    assert proc.returncode == 2 and "unknown setting 'wrokers'" in proc.stderr


def test_include_exclude_and_path(tmp_path):
    db = tmp_path / "p.db"
    assert sync(EXAMPLE, db, "--path", "pages", "--exclude", "**/Notes.md").returncode == 0
    paths = [p for (p,) in q(db, "SELECT path FROM source_files ORDER BY path")]
    assert paths == sorted(f"pages/{p.name}" for p in (EXAMPLE / "pages").glob("*.md") if p.name != "Notes.md")
    db2 = tmp_path / "i.db"
    assert sync(EXAMPLE, db2, "--include", "*.ttl").returncode == 0
    assert q(db2, "SELECT path FROM source_files") == [("core.ttl",)]


class ShuffledSource(LocalSource):
    """The same files handed to the workers in another order (listing stays in path order)."""

    def __init__(self, *a, seed: int, **kw):
        super().__init__(*a, **kw)
        self.seed = seed

    def contents(self, files):
        items = list(super().contents(files))
        random.Random(self.seed).shuffle(items)
        return iter(items)


def _run_in_process(src: Path, db: Path, workers: int, seed: int | None) -> None:
    settings = Settings(source=str(src), db=str(db), workers=workers, quiet=True)
    flt = PathFilter()
    source = (ShuffledSource(src, flt, settings.max_file_size, seed=seed) if seed is not None
              else LocalSource(src, flt, settings.max_file_size))
    repo = Repository(db, settings.ontology_id)
    repo.ensure_schema()
    try:
        result = SyncRun(settings, source, repo, settings.parse_options(src)).run()
    finally:
        repo.close()
    assert result.exit_code == 0


@pytest.mark.slow  # a corpus sync; without the corpus it runs on the example
def test_same_database_for_any_worker_count_and_order(request, tmp_path):
    """Three workers handed the files in a shuffled order (so outcomes reach the writer in an order
    of their own) give the database the CLI's default run gives (on the corpus: the session's
    corpus_db, its default worker count, in path order); on the example, one worker as well."""
    if PAGES.is_dir():
        src, dumps = PAGES, [dump_file(request.getfixturevalue("corpus_db"))]
    else:
        src, dumps = EXAMPLE, []
        _run_in_process(src, tmp_path / "in-order.db", 2, None)
        dumps.append(dump_file(tmp_path / "in-order.db"))
    for i, (workers, seed) in enumerate([(3, 2)] if PAGES.is_dir() else [(1, 1), (3, 2)]):
        db = tmp_path / f"w{i}.db"
        _run_in_process(src, db, workers, seed)
        dumps.append(dump_file(db))
    assert dumps[0]["owl_class_hierarchy"] and all(d == dumps[0] for d in dumps[1:])


# -- the shared Logseq corpus --------------------------------------------------------------------------
LINK = re.compile(r"\[\[([^\]]+)\]\]")
PROP = re.compile(r"^\s*(?:-\s+)?([A-Za-z][\w:-]*)::\s*(.*?)\s*$")


def _independent_pages(root: Path) -> dict[str, dict]:
    """A deliberately simple reading of the pages: heading, owl:class, preferred-term, definition, links."""
    pages = {}
    for f in sorted(root.glob("*.md")):
        text = f.read_text(encoding="utf-8")
        if not re.search(r"^\s*(?:-\s+)?### OntologyBlock\s*$", text, re.M):
            continue
        props: dict[str, list[str]] = {}
        for line in text.splitlines():
            m = PROP.match(line)
            if m:
                props.setdefault(m.group(1), []).append(m.group(2))
        links = []
        for value in props.get("is-subclass-of", []):
            links += [x.strip() for x in LINK.findall(value)]
        pages[f.name] = {
            "title": unquote(f.stem.replace("___", "/")),
            "class": (props.get("owl:class") or [None])[0],
            "label": (props.get("preferred-term") or [None])[0],
            "definition": (props.get("definition") or [None])[0] or None,
            "links": links,
        }
    return pages


@pytest.mark.corpus
def test_corpus_sync_every_page_and_link(corpus_db, corpus_report):
    db, report = corpus_db, corpus_report  # the session's full sync of a copy of the pages
    verify_ok(db)
    files = {p: (s, e) for p, s, e in q(db, "SELECT path, status, error FROM source_files")}
    assert len(files) == 1684 == report["files"]["total"]
    pages = _independent_pages(PAGES)
    assert len(pages) == 1524
    for name, (status, error) in files.items():
        if name in pages:
            assert status == "ok" or (status == "failed" and error), name
        else:
            assert status == "skipped" and error, name
    ok = {n for n, (s, _) in files.items() if s == "ok"}
    assert len(ok) >= 1520
    page_class = dict(q(db, "SELECT path, class_iri FROM page_names WHERE rank = 0"))
    classes = {iri: (label, comment, src) for iri, label, comment, src in
               q(db, "SELECT class_iri, label, comment, source_file FROM owl_classes")}
    declared_by: dict[str, list[str]] = {}
    for name in sorted(ok):
        declared_by.setdefault(page_class[name], []).append(name)
    # label and comment: from the winning page (a page with a label first, then the smallest path)
    for iri, names in declared_by.items():
        label, comment, src = classes[iri]
        assert src in names
        assert label == (pages[src]["label"] or pages[src]["title"]), src
        assert comment == pages[src]["definition"], src
    assert sum(1 for n in pages if pages[n]["class"]) == 804
    # every is-subclass-of link: an edge from the page's class to the class the link resolves to
    names: dict[str, tuple[int, str, str]] = {}
    for name in ok:
        for rank, value in ((0, pages[name]["title"]), (1, pages[name]["label"])):
            if value:
                key = normalize_name(value)
                cand = (rank, name, page_class[name])
                names[key] = min(names.get(key, cand), cand)
    from ontosync.parsing import ParseOptions
    from ontosync.parsing.logseq import mint_page_iri

    options = ParseOptions()
    edges = set(q(db, "SELECT class_iri, parent_iri FROM owl_class_hierarchy"))
    distinct_links = set()
    for name in ok:
        for link in pages[name]["links"]:
            distinct_links.add((name, link))
            target = names.get(normalize_name(link))
            parent = target[2] if target else mint_page_iri(link, options)
            assert (page_class[name], parent) in edges, (name, link)
    assert len(distinct_links) >= 1560
    assert report["entities"]["axioms"] > 1000  # relationship keys plus axioms recovered from fences
    assert report["fences"]["axioms_recovered"] > 2000 and report["fences"]["warnings"] > 0
    assert report["entities"]["axioms"] == q(db, "SELECT count(*) FROM owl_axioms")[0][0]
    assert report["write_latency_ms"]["p95"] > 0


@pytest.mark.corpus
def test_ontologies_counts_match_rdflib(fresh_sync, rdflib_graph):
    rdflib = pytest.importorskip("rdflib")
    from rdflib.namespace import OWL, RDF, RDFS

    db = fresh_sync(ONTOLOGIES)  # a fresh sync of the three ontologies, made once per run
    verify_ok(db)
    for f in sorted(ONTOLOGIES.iterdir()):
        g = rdflib_graph(f, "turtle" if f.suffix == ".ttl" else "xml")  # rdflib's parse, once per run
        named = {s for t in (OWL.Class, RDFS.Class) for s in g.subjects(RDF.type, t) if isinstance(s, rdflib.URIRef)}
        labelled = {s for s in named if g.value(s, RDFS.label) is not None}
        sub = {(s, o) for s, o in g.subject_objects(RDFS.subClassOf)
               if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef)}
        props = {str(s) for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
                 for s in g.subjects(RDF.type, t) if isinstance(s, rdflib.URIRef)}
        onto = q(db, "SELECT ontology_id FROM source_files WHERE path = ?", f.name)[0][0]
        assert q(db, "SELECT count(*) FROM owl_classes WHERE source_file = ?", f.name)[0][0] == len(named), f.name
        assert q(db, "SELECT count(*) FROM owl_classes WHERE source_file = ? AND label IS NOT NULL",
                 f.name)[0][0] == len(labelled), f.name
        assert q(db, "SELECT count(*) FROM owl_class_hierarchy WHERE ontology_id = ?", onto)[0][0] == len(sub)
        assert q(db, "SELECT count(*) FROM owl_properties WHERE ontology_id = ?", onto)[0][0] == len(props)


@pytest.mark.corpus
def test_sigkill_mid_sync_leaves_whole_files(corpus_db, tmp_path):
    reference = corpus_db  # a full sync of the same pages
    db = tmp_path / "k.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "ontosync", "sync", str(PAGES), "--db", str(db), "--quiet"],
                            env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:  # kill once a few hundred files are in
        time.sleep(0.05)
        try:
            n = q(db, "SELECT count(*) FROM source_files")[0][0]
        except sqlite3.Error:
            continue
        if n > 300:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    verify_ok(db)
    committed = {p for (p,) in q(db, "SELECT path FROM source_files")}
    assert 300 < len(committed) < 1684
    own = ("SELECT path, class_iri, label, comment FROM file_classes",
           "SELECT path, class_iri, parent_fallback, parent_ref_key FROM file_edges",
           "SELECT path, name_key, rank, class_iri FROM page_names",
           "SELECT source_file, axiom_type, subject, "
           "CASE WHEN object_ref_key IS NULL THEN object ELSE object_fallback END, annotations FROM owl_axioms")
    for sql in own:
        got = sorted(q(db, sql))
        want = sorted(r for r in q(reference, sql) if r[0] in committed)
        assert got == want, sql
