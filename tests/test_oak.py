"""A real OAK (oaklib, in its own venv: .ci/oak.sh) reads the databases ontosync builds, as they are.

`ONTOSYNC_RUNOAK` names the `runoak` to use; without it these tests skip, unless
`ONTOSYNC_REQUIRE_OAK=1` (CI), which makes a missing OAK a failure. Each runoak start costs
seconds, so commands run two at a time and take several terms at once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDFS

from ontosync.cli import main
from tests.helpers import ONTOLOGIES, ROOT, reachable

RUNOAK = os.environ.get("ONTOSYNC_RUNOAK")
if not RUNOAK or not Path(RUNOAK).is_file():
    if os.environ.get("ONTOSYNC_REQUIRE_OAK") == "1":
        raise RuntimeError(f"ONTOSYNC_REQUIRE_OAK=1 but ONTOSYNC_RUNOAK={RUNOAK!r} is not a runoak (run .ci/oak.sh)")
    pytest.skip("OAK not installed: set ONTOSYNC_RUNOAK (bash .ci/oak.sh prints it)", allow_module_level=True)

pytestmark = pytest.mark.slow  # an OAK start costs seconds

OBO = "http://purl.obolibrary.org/obo/"
OIO = rdflib.Namespace("http://www.geneontology.org/formats/oboInOwl#")
COMMANDS = ("info", "labels", "search", "ancestors", "descendants", "relationships", "tree", "definitions",
            "aliases", "obsoletes", "statistics")


def run_all(db: Path, calls: dict[str, list[str]]) -> dict[str, str]:
    """Each call's stdout; every call must exit 0. All calls in one OAK process (tests/oak_batch.py)."""
    return run_jobs({name: (db, args) for name, args in calls.items()})


def run_jobs(jobs: dict, scratch: Path | None = None) -> dict:
    """`run_all` over several databases: name -> (database, runoak arguments), in one OAK process
    (each OAK start costs seconds). PYSTOW_HOME: in `scratch`, else beside the first database."""
    python = Path(RUNOAK).parent / "python"
    names = list(jobs)
    batch = [["-i", f"sqlite:{jobs[n][0]}", *jobs[n][1]] for n in names]
    scratch = scratch or jobs[names[0]][0].parent
    proc = subprocess.run([str(python), str(Path(__file__).with_name("oak_batch.py"))], input=json.dumps(batch),
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYSTOW_HOME": str(scratch / "pystow")})
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout)
    for name, r in zip(names, results, strict=True):
        assert r["exit_code"] == 0, f"runoak {' '.join(jobs[name][1])}: exit {r['exit_code']} {r['error']}"
    return {name: r["stdout"] for name, r in zip(names, results, strict=True)}


def ids(output: str) -> set[str]:
    """First column of runoak's TSV (or `ID ! label`) output, header left out."""
    found = set()
    for line in output.splitlines():
        first = line.split("\t")[0].split(" ! ")[0].strip()
        if first and first not in ("id", "curie"):
            found.add(first)
    return found


def commands_for(term: str, word: str) -> dict[str, list[str]]:
    calls = {
        "info": ["info", term], "labels": ["labels", term], "search": ["search", word],
        "ancestors": ["ancestors", "-p", "i", term], "descendants": ["descendants", "-p", "i", term],
        "relationships": ["relationships", term], "tree": ["tree", term, "-p", "i"],
        "definitions": ["definitions", term], "aliases": ["aliases", term], "obsoletes": ["obsoletes"],
        "statistics": ["statistics"],
    }
    assert set(calls) == set(COMMANDS)
    return calls


def sync(src: Path, db: Path) -> None:
    assert main(["sync", str(src), "--db", str(db), "--quiet", "--workers", "2"]) == 0


def curie(iri: str) -> str:
    """The OBO convention, written out independently of ontosync's code."""
    if not iri.startswith(OBO):
        return iri
    local = iri[len(OBO):]
    m = re.fullmatch(r"([A-Za-z][A-Za-z0-9]*)_([A-Za-z0-9_.-]+)", local)
    return f"{m.group(1)}:{m.group(2)}" if m else f"obo:{local}"


PATO = ONTOLOGIES / "pato-base.owl"
PATO_TERMS = ["PATO:0000014", "PATO:0000001", "PATO:0000051"]


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict:
    """The example's and pato-base.owl's databases, built first, then every command on both in
    one OAK process: {"example": {command: stdout}, "pato": {...}, "example.db": path}."""
    tmp = tmp_path_factory.mktemp("oak")
    jobs = {}
    example = tmp / "example.db"
    sync(ROOT / "examples" / "ontology", example)
    jobs.update({("example", n): (example, args) for n, args in commands_for("ex:Machine", "Machine").items()})
    if PATO.is_file():
        src = tmp / "pato"
        src.mkdir()
        shutil.copy(PATO, src / "pato-base.owl")
        sync(src, tmp / "pato.db")
        calls = commands_for("PATO:0000014", "colour")
        calls["labels"] = ["labels", *PATO_TERMS]
        calls["aliases"] = ["aliases", *PATO_TERMS]
        jobs.update({("pato", n): (tmp / "pato.db", args) for n, args in calls.items()})
    answers: dict = {"example.db": example}
    for (name, command), text in run_jobs(jobs, tmp).items():
        answers.setdefault(name, {})[command] = text
    return answers


def test_example(answers: dict) -> None:
    out = answers["example"]
    assert "ex:Machine" in ids(out["search"])
    assert "ex:Machine" in ids(out["ancestors"])
    conn = sqlite3.connect(answers["example.db"])
    expected = {r[0] for r in conn.execute("SELECT subject FROM entailed_edge WHERE object = 'ex:Machine' "
                                           "AND predicate = 'rdfs:subClassOf'")}
    assert ids(out["descendants"]) == expected and len(expected) > 1


# The Logseq corpus: tests/test_oak_corpus_closure.py (descendants of a hub class against a closure
# computed from the pages, and every command answering on the corpus database).


@pytest.mark.skipif(not PATO.is_file(), reason="pato-base.owl not present")
def test_pato_against_rdflib(answers: dict) -> None:
    out = answers["pato"]
    g = rdflib.Graph().parse(PATO, format="xml")
    color = rdflib.URIRef(OBO + "PATO_0000014")
    parents: dict = {}
    for s, o in g.subject_objects(RDFS.subClassOf):
        if isinstance(s, rdflib.URIRef) and isinstance(o, rdflib.URIRef):
            parents.setdefault(s, set()).add(o)
    kids: dict = {}
    for s, ps in parents.items():
        for p in ps:
            kids.setdefault(p, set()).add(s)

    def walk(start, edges) -> set[str]:
        return {curie(str(x)) for x in reachable(edges, start)}

    terms = PATO_TERMS
    assert ids(out["ancestors"]) == walk(color, parents)
    assert ids(out["descendants"]) == walk(color, kids)
    assert "PATO:0000014" in ids(out["search"])  # found by its synonym "colour"
    labels = {line.split("\t")[0]: line.split("\t")[1] for line in out["labels"].splitlines()[1:]}
    assert labels == {t: str(g.value(rdflib.URIRef(OBO + t.replace(":", "_")), RDFS.label)) for t in terms}
    aliases = {tuple(line.split("\t")) for line in out["aliases"].splitlines()[1:]}
    expected = set()
    for t in terms:
        node = rdflib.URIRef(OBO + t.replace(":", "_"))
        for pred, name in ((RDFS.label, "rdfs:label"), (OIO.hasExactSynonym, "oio:hasExactSynonym"),
                           (OIO.hasRelatedSynonym, "oio:hasRelatedSynonym"),
                           (OIO.hasBroadSynonym, "oio:hasBroadSynonym"),
                           (OIO.hasNarrowSynonym, "oio:hasNarrowSynonym")):
            expected |= {(t, name, str(v)) for v in g.objects(node, pred)}
    assert aliases == expected
    deprecated = {curie(str(s)) for s, v in g.subject_objects(OWL.deprecated)
                  if str(v).lower() == "true" and isinstance(s, rdflib.URIRef)}
    assert ids(out["obsoletes"]) == deprecated
