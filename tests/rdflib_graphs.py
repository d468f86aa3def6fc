"""rdflib's reading of a shared ontology file, parsed once per test run instead of once per module.

test_rdf, test_sync and test_oak each compare ontosync with rdflib's own parse of the shared
ontologies (PATO, RO, BFO): the independent reference. rdflib's RDF/XML parser is slow (PATO alone
costs about 2.2 CPU-seconds), and the three modules run on different xdist workers, so each paid
for the same parse. The first worker to ask parses the file with rdflib and pickles its triples
into the run's shared folder (tests/conftest.py `shared_once`); the others rebuild an rdflib Graph
from those triples (PATO: ~0.8 CPU-seconds). The triples are rdflib's terms as its parser made
them (URIRef, Literal with its datatype or language, BNode ids), so the graph a test reads is the
same set of triples, and still nothing of ontosync's is involved.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import rdflib


def parsed_graph(shared_folder, path: Path, fmt: str) -> rdflib.Graph:
    """rdflib's graph of `path` (`fmt`: an rdflib format name). `shared_folder(name, make)` is a
    folder filled once per run by `make(folder)` (conftest's shared_once, bound to the session)."""
    folder = shared_folder(f"rdflib-{path.name}-{fmt}", lambda work: _parse_into(work, path, fmt))
    triples = pickle.loads((folder / "triples.pickle").read_bytes())
    graph = rdflib.Graph()
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return graph


def _parse_into(work: Path, path: Path, fmt: str) -> None:
    graph = rdflib.Graph().parse(path, format=fmt)
    (work / "triples.pickle").write_bytes(pickle.dumps(list(graph), protocol=pickle.HIGHEST_PROTOCOL))
