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
from tests.conftest import copy_db, oak_installed
from tests.helpers import ONTOLOGIES, PAGES, ROOT, reachable
from tests.logseq_reference import subclass_edges

RUNOAK = os.environ.get("ONTOSYNC_RUNOAK")
if not oak_installed():
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


def run_jobs(jobs: dict, scratch: Path | None = None, server: Path | None = None) -> dict:
    """`run_all` over several databases: name -> (database, runoak arguments), in one OAK process
    (each OAK start costs seconds): the run's shared one at `server` (conftest's oak_server), else a
    process of its own. PYSTOW_HOME: in `scratch`, else beside the first database."""
    names = list(jobs)
    batch = [["-i", f"sqlite:{jobs[n][0]}", *jobs[n][1]] for n in names]
    scratch = scratch or jobs[names[0]][0].parent
    env = {"PYSTOW_HOME": str(scratch / "pystow")}
    results = (served(server, batch, env) if server is not None else None) or own_process(batch, env)
    for name, r in zip(names, results, strict=True):
        assert r["exit_code"] == 0, f"runoak {' '.join(jobs[name][1])}: exit {r['exit_code']} {r['error']}"
    return {name: r["stdout"] for name, r in zip(names, results, strict=True)}


def own_process(batch: list[list[str]], env: dict) -> list[dict]:
    """The batch's results from an OAK process started for it (tests/oak_batch.py)."""
    python = Path(RUNOAK).parent / "python"
    proc = subprocess.run([str(python), str(Path(__file__).with_name("oak_batch.py"))], input=json.dumps(batch),
                          capture_output=True, text=True, timeout=600, env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def served(server: Path, batch: list[list[str]], env: dict) -> list[dict] | None:
    """The batch's results from the run's shared OAK process (tests/oak_batch.py --serve); None when
    it is gone (it stops after a while without a batch): the caller then starts one of its own."""
    import socket

    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(600)
        try:
            conn.connect(str(server))
        except OSError:
            return None
        conn.sendall(json.dumps({"batch": batch, "env": env}).encode())
        conn.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    assert data, "the shared OAK process answered nothing (its child failed: see the run's oak-server/server.log)"
    return json.loads(data)


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
def answers(request, tmp_path_factory, oak_server) -> dict:
    """The example's, pato-base.owl's and the Logseq corpus's databases, built first, then every
    command on all three in one OAK process (each start costs seconds of CPU): {"example": {command:
    stdout}, "pato": {...}, "corpus": {...}, "example.db": path, "hub": {...}}."""
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
    if PAGES.is_dir():
        answers["hub"] = hub = corpus_hub(copy_db(request.getfixturevalue("corpus_db"), tmp / "corpus.db"))
        jobs.update({("corpus", n): (hub["db"], args) for n, args in hub["calls"].items()})
    for (name, command), text in run_jobs(jobs, tmp, oak_server).items():
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


# -- the Logseq corpus (issue 11's acceptance) ------------------------------------------------------
# A real OAK (`runoak descendants -p i`) on the database ontosync builds from
# ../shared/corpora/visionflow-pages answers, for the hub class (the class with the most
# descendants), exactly the closure the test computes from the page files themselves.
#
# The closure is computed apart from ontosync: tests/logseq_reference.py reads the pages by the
# documented rules (is-subclass-of links resolved to pages by title and preferred-term, SubClassOf
# in `clojure`/`owl` fences, rdfs:subClassOf in `turtle` fences) and imports nothing of ontosync.
# Of the database the test reads only the `prefix` table, to write the IRIs as the CURIEs OAK prints.
# Every other OAK command must answer on the same database too (exit 0), with the hub as its term.
# Its commands run in the module's one OAK process (`answers`).


def compact(prefixes: list[tuple[str, str]]):
    """IRI -> CURIE by the longest matching base of the database's `prefix` table."""
    ordered = sorted(prefixes, key=lambda pb: -len(pb[1]))

    def to_curie(iri: str) -> str:
        for prefix, base in ordered:
            if iri.startswith(base) and len(iri) > len(base):
                return f"{prefix}:{iri[len(base):]}"
        return iri
    return to_curie


def corpus_hub(db: Path) -> dict:
    """The hub class of the pages (most descendants by the pages' own rules), its closure, a child
    naming it as parent, and the OAK commands to run on `db` (a copy of the session's corpus sync)."""
    conn = sqlite3.connect(db)
    to_curie = compact(conn.execute("SELECT prefix, base FROM prefix").fetchall())
    conn.close()
    children: dict[str, set[str]] = {}
    for child, parent in subclass_edges(PAGES):
        children.setdefault(to_curie(parent), set()).add(to_curie(child))
    size, hub = max((len(reachable(children, node)), node) for node in sorted(children))
    child = sorted(children[hub])[0]  # a page that names the hub as its parent
    calls = commands_for(hub, "virtual")
    calls["relationships"] = ["relationships", child]
    return {"db": db, "hub": hub, "size": size, "closure": reachable(children, hub), "child": child,
            "to_curie": to_curie, "calls": calls}


@pytest.mark.corpus
@pytest.mark.skipif(not PAGES.is_dir(), reason="corpus not present")
def test_descendants_of_the_hub_equal_the_closure_computed_from_the_pages(answers: dict) -> None:
    hub, out = answers["hub"], answers["corpus"]
    closure, to_curie = hub["closure"], hub["to_curie"]
    assert hub["size"] == len(closure) > 300  # a real hub: hundreds of classes, over several levels
    assert ids(out["descendants"]) == closure
    # the contract table's hierarchy, walked here, agrees as well
    contract: dict[str, set[str]] = {}
    conn = sqlite3.connect(hub["db"])
    for sub, sup in conn.execute("SELECT class_iri, parent_iri FROM owl_class_hierarchy"):
        contract.setdefault(to_curie(sup), set()).add(to_curie(sub))
    conn.close()
    assert reachable(contract, hub["hub"]) == closure
    assert hub["hub"] in ids(out["ancestors"]) and out["statistics"].strip()
    assert any(row.split("\t")[:3] == [hub["child"], "rdfs:subClassOf", hub["hub"]]
               for row in out["relationships"].splitlines())


@pytest.mark.skipif(not PATO.is_file(), reason="pato-base.owl not present")
def test_pato_against_rdflib(answers: dict, rdflib_graph) -> None:
    out = answers["pato"]
    g = rdflib_graph(PATO, "xml")  # rdflib's own parse, made once per run (tests/rdflib_graphs.py)
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
