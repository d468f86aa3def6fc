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

OBO = "http://purl.obolibrary.org/obo/"
OIO = rdflib.Namespace("http://www.geneontology.org/formats/oboInOwl#")
COMMANDS = ("info", "labels", "search", "ancestors", "descendants", "relationships", "tree", "definitions",
            "aliases", "obsoletes", "statistics")


def run_all(db: Path, calls: dict[str, list[str]]) -> dict[str, str]:
    """Each call's stdout; every call must exit 0. All calls in one OAK process (tests/oak_batch.py)."""
    python = Path(RUNOAK).parent / "python"
    names = list(calls)
    batch = [["-i", f"sqlite:{db}", *calls[n]] for n in names]
    proc = subprocess.run([str(python), str(Path(__file__).with_name("oak_batch.py"))], input=json.dumps(batch),
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYSTOW_HOME": str(db.parent / "pystow")})
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout)
    for name, r in zip(names, results, strict=True):
        assert r["exit_code"] == 0, f"runoak {' '.join(calls[name])}: exit {r['exit_code']} {r['error']}"
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


def test_example(tmp_path: Path) -> None:
    db = tmp_path / "example.db"
    sync(ROOT / "examples" / "ontology", db)
    out = run_all(db, commands_for("ex:Machine", "Machine"))
    assert "ex:Machine" in ids(out["search"])
    assert "ex:Machine" in ids(out["ancestors"])
    conn = sqlite3.connect(db)
    expected = {r[0] for r in conn.execute("SELECT subject FROM entailed_edge WHERE object = 'ex:Machine' "
                                           "AND predicate = 'rdfs:subClassOf'")}
    assert ids(out["descendants"]) == expected and len(expected) > 1


# The Logseq corpus: tests/test_oak_corpus_closure.py (descendants of a hub class against a closure
# computed from the pages, and every command answering on the corpus database).


@pytest.mark.skipif(not (ONTOLOGIES / "pato-base.owl").is_file(), reason="pato-base.owl not present")
def test_pato_against_rdflib(tmp_path: Path) -> None:
    src = tmp_path / "pato"
    src.mkdir()
    shutil.copy(ONTOLOGIES / "pato-base.owl", src / "pato-base.owl")
    db = tmp_path / "pato.db"
    sync(src, db)
    g = rdflib.Graph().parse(src / "pato-base.owl", format="xml")
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

    terms = ["PATO:0000014", "PATO:0000001", "PATO:0000051"]
    calls = commands_for("PATO:0000014", "colour")
    calls["labels"] = ["labels", *terms]
    calls["aliases"] = ["aliases", *terms]
    out = run_all(db, calls)
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
