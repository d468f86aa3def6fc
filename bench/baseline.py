"""The old batch approach, for comparison only: read everything, parse everything, save once.

    python bench/baseline.py SOURCE_DIR --db OUT.db [--report report.json]

This is how the tool ontosync replaces worked, rebuilt here so the README can show both side by
side on the same inputs. It is deliberately *not* ontosync's pipeline and shares no code with it:

1. read every supported file of the tree into a list in memory;
2. parse each one, in this one process, into Python objects: Logseq pages with regular expressions
   (OntologyBlock properties, owl:class, preferred-term, definition, is-subclass-of links,
   relationship keys, `Declaration`/`SubClassOf`/`ObjectSomeValuesFrom` in clojure/owl fences),
   RDF files with rdflib (classes, labels, comments, rdfs:subClassOf, properties, someValuesFrom
   restrictions);
3. resolve page links by name across the whole graph in memory;
4. write everything into a fresh SQLite database in one transaction at the end (plain sqlite3
   executemany, no per-file bookkeeping, nothing incremental).

It writes a small JSON report with the same keys the harness reads from ontosync's run report
(`duration_s`, `files`, `entities`, `peak_rss_mb`) plus `read_s`, `parse_s`, `save_s`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

NAMESPACES = {
    "mv": "http://narrativegoldmine.com/metaverse#",
    "ai": "http://narrativegoldmine.com/ai#",
    "bc": "http://narrativegoldmine.com/blockchain#",
    "rb": "http://narrativegoldmine.com/robotics#",
    "tc": "http://narrativegoldmine.com/telecollaboration#",
    "dt": "http://narrativegoldmine.com/disruptive-tech#",
    "aigo": "http://narrativegoldmine.com/aigo#",
    "tele": "http://narrativegoldmine.com/telecollaboration#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "obo": "http://purl.obolibrary.org/obo/",
}
PAGE_NS = "urn:ontosync:page:"
RDF_FORMATS = {".ttl": "turtle", ".owl": "xml", ".rdf": "xml", ".xml": "xml", ".nt": "nt", ".jsonld": "json-ld"}
METADATA = {"source", "tags", "alias", "aliases", "definition", "preferred-term", "term-id", "belongstodomain",
            "implementedinlayer", "id", "collapsed", "related", "see-also"}

BLOCK_RE = re.compile(r"^\s*(?:- )?#+\s*OntologyBlock\b", re.M)
PROP_RE = re.compile(r"^\s*(?:- )?([A-Za-z][\w:.-]*):: ?(.*)$", re.M)
LINK_RE = re.compile(r"\[\[([^\]|]+)(?:\|[^\]]*)?\]\]")
FENCE_RE = re.compile(r"^\s*(?:- )?```(clojure|owl)\s*$(.*?)^\s*```", re.M | re.S)
DECL_RE = re.compile(r"\(\s*Declaration\s*\(\s*Class\s*\(?\s*([^\s()]+)\s*\)")
SUB_RE = re.compile(r"\(\s*SubClassOf\s*\(?\s*([^\s()]+)\s+([^\s()]+)\s*\)")
SOME_RE = re.compile(r"\(\s*SubClassOf\s*\(?\s*([^\s()]+)\s+\(?\s*ObjectSomeValuesFrom\s*\(?\s*([^\s()]+)\s+([^\s()]+)")


@dataclass
class Parsed:
    path: str
    fmt: str
    skipped: str | None = None
    error: str | None = None
    classes: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # iri, label, comment
    names: list[str] = field(default_factory=list)  # page title and preferred-term (link targets)
    edges: list[tuple[str, str, str | None]] = field(default_factory=list)  # child, parent iri, parent page name
    props: list[tuple[str, str, str | None]] = field(default_factory=list)  # iri, type, label
    axioms: list[tuple[str, str, str, str, str | None]] = field(default_factory=list)  # type, s, p, o, o page name
    public: bool = False


def mint(name: str) -> str:
    return PAGE_NS + quote(" ".join(name.casefold().split()).replace(" ", "-"), safe="")


def expand(curie: str, default_ns: str | None) -> str | None:
    curie = curie.strip().strip("<>")
    if curie.startswith(("http://", "https://", "urn:")):
        return curie
    prefix, sep, local = curie.partition(":")
    if not sep:
        return None
    if prefix == "":
        return (default_ns or PAGE_NS) + local
    ns = NAMESPACES.get(prefix)
    return ns + local if ns else None


def parse_page(path: str, text: str) -> Parsed:
    out = Parsed(path, "logseq")
    if not BLOCK_RE.search(text):
        out.skipped = "no OntologyBlock heading"
        return out
    title = Path(path).stem.replace("___", "/")
    body = FENCE_RE.sub("", text)
    props: dict[str, str] = {}
    lines: list[tuple[str, str]] = []
    for key, value in PROP_RE.findall(body):
        k = key.lower()
        props.setdefault(k, value.strip())
        lines.append((k, value))
    iri = expand(props.get("owl:class", ""), None) or mint(title)
    default_ns = iri.rsplit("#", 1)[0] + "#" if "#" in iri else None
    label = props.get("preferred-term") or title
    out.classes.append((iri, label, props.get("definition")))
    out.names = [title] + ([props["preferred-term"]] if props.get("preferred-term") else [])
    out.public = props.get("public") == "true"
    for key, value in lines:
        links = LINK_RE.findall(value)
        if key in ("is-subclass-of", "subclassof", "subclass-of"):
            out.edges += [(iri, mint(link), link) for link in links]
        elif links and key not in METADATA:
            out.axioms += [("Relationship", iri, key, mint(link), link) for link in links]
    for _tag, fence in FENCE_RE.findall(text):
        fence = "\n".join(line for line in fence.splitlines() if not line.strip().startswith((";", "#")))
        for name in DECL_RE.findall(fence):
            c = expand(name, default_ns)
            if c and c != iri:
                out.classes.append((c, None, None))
        for child, parent in SUB_RE.findall(fence):
            c, p = expand(child, default_ns), expand(parent, default_ns)
            if c and p:
                out.edges.append((c, p, None))
        for child, prop, filler in SOME_RE.findall(fence):
            c, p, o = expand(child, default_ns), expand(prop, default_ns), expand(filler, default_ns)
            if c and p and o:
                out.axioms.append(("SubClassOf", c, p, o, None))
    return out


def parse_rdf(path: str, data: bytes, fmt: str) -> Parsed:
    import rdflib  # imported only when there is an RDF file, as ontosync does
    from rdflib.namespace import OWL, RDF, RDFS

    out = Parsed(path, fmt)
    g = rdflib.Graph()
    g.parse(data=data, format=fmt)
    labels = {s: str(o) for s, o in g.subject_objects(RDFS.label)}
    comments = {s: str(o) for s, o in g.subject_objects(RDFS.comment)}
    for s in g.subjects(RDF.type, OWL.Class):
        if isinstance(s, rdflib.URIRef):
            out.classes.append((str(s), labels.get(s), comments.get(s)))
    for kind, t in (("object", OWL.ObjectProperty), ("data", OWL.DatatypeProperty),
                    ("annotation", OWL.AnnotationProperty)):
        for s in g.subjects(RDF.type, t):
            if isinstance(s, rdflib.URIRef):
                out.props.append((str(s), kind, labels.get(s)))
    for s, o in g.subject_objects(RDFS.subClassOf):
        if not isinstance(s, rdflib.URIRef):
            continue
        if isinstance(o, rdflib.URIRef):
            out.edges.append((str(s), str(o), None))
        else:
            p, v = g.value(o, OWL.onProperty), g.value(o, OWL.someValuesFrom)
            if isinstance(p, rdflib.URIRef) and isinstance(v, rdflib.URIRef):
                out.axioms.append(("SubClassOf", str(s), str(p), str(v), None))
    return out


def parse(path: str, data: bytes) -> Parsed:
    ext = Path(path).suffix.lower()
    try:
        if ext == ".md":
            return parse_page(path, data.decode("utf-8"))
        return parse_rdf(path, data, RDF_FORMATS[ext])
    except Exception as exc:  # the old tool logged and went on
        return Parsed(path, ext.lstrip("."), error=f"{type(exc).__name__}: {exc}")


SCHEMA = """
CREATE TABLE source_files (path TEXT PRIMARY KEY, size INTEGER, status TEXT, error TEXT, format TEXT, public INTEGER);
CREATE TABLE owl_classes (class_iri TEXT PRIMARY KEY, label TEXT, comment TEXT, source_file TEXT);
CREATE TABLE owl_class_hierarchy (class_iri TEXT, parent_iri TEXT, PRIMARY KEY (class_iri, parent_iri));
CREATE TABLE owl_properties (property_iri TEXT PRIMARY KEY, property_type TEXT, label TEXT, source_file TEXT);
CREATE TABLE owl_axioms (id INTEGER PRIMARY KEY, axiom_type TEXT, subject TEXT, predicate TEXT, object TEXT,
                         source_file TEXT);
"""


def save(db: str, files: list[tuple[str, bytes]], parsed: list[Parsed]) -> dict[str, int]:
    by_name: dict[str, str] = {}
    for p in sorted(parsed, key=lambda p: p.path):
        if p.classes and p.names:
            for n in p.names:
                by_name.setdefault(" ".join(n.casefold().split()), p.classes[0][0])

    def resolve(iri: str, name: str | None) -> str:
        return by_name.get(" ".join(name.casefold().split()), iri) if name else iri

    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(db + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    conn.executescript(SCHEMA)
    with conn:
        conn.executemany("INSERT INTO source_files VALUES (?, ?, ?, ?, ?, ?)",
                         [(p.path, len(data), "failed" if p.error else "skipped" if p.skipped else "ok",
                           p.error or p.skipped, p.fmt, int(p.public))
                          for (_, data), p in zip(files, parsed, strict=True)])
        classes = {}
        for p in parsed:
            for iri, label, comment in p.classes:
                old = classes.get(iri)
                if old is None or (old[0] is None and label):
                    classes[iri] = (label, comment, p.path)
        edges = {(c, resolve(par, name)) for p in parsed for c, par, name in p.edges}
        for c, par in edges:
            for iri in (c, par):
                classes.setdefault(iri, (None, None, None))
        conn.executemany("INSERT INTO owl_classes VALUES (?, ?, ?, ?)", [(k, *v) for k, v in classes.items()])
        conn.executemany("INSERT INTO owl_class_hierarchy VALUES (?, ?)", sorted(edges))
        props = {iri: (kind, label, p.path) for p in parsed for iri, kind, label in p.props}
        conn.executemany("INSERT INTO owl_properties VALUES (?, ?, ?, ?)", [(k, *v) for k, v in props.items()])
        conn.executemany("INSERT INTO owl_axioms (axiom_type, subject, predicate, object, source_file) "
                         "VALUES (?, ?, ?, ?, ?)",
                         [(t, s, pr, resolve(o, name), p.path) for p in parsed for t, s, pr, o, name in p.axioms])
    counts = {"classes": len([v for v in classes.values() if v[2]]), "properties": len(props),
              "axioms": conn.execute("SELECT count(*) FROM owl_axioms").fetchone()[0], "hierarchy_edges": len(edges)}
    conn.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="the old batch approach (benchmark baseline)")
    ap.add_argument("source")
    ap.add_argument("--db", required=True)
    ap.add_argument("--report")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    exts = {".md", *RDF_FORMATS}
    files: list[tuple[str, bytes]] = []
    for root, dirs, names in os.walk(args.source):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(names):
            if Path(name).suffix.lower() in exts:
                full = os.path.join(root, name)
                with open(full, "rb") as fh:
                    files.append((os.path.relpath(full, args.source), fh.read()))
    t1 = time.perf_counter()
    parsed = [parse(path, data) for path, data in files]
    t2 = time.perf_counter()
    counts = save(args.db, files, parsed)
    t3 = time.perf_counter()
    report = {
        "tool": "baseline (batch: read all, parse all, save once)",
        "duration_s": round(t3 - t0, 3), "read_s": round(t1 - t0, 3), "parse_s": round(t2 - t1, 3),
        "save_s": round(t3 - t2, 3),
        "files": {"total": len(files), "ok": sum(1 for p in parsed if not p.error and not p.skipped),
                  "failed": sum(1 for p in parsed if p.error), "skipped": sum(1 for p in parsed if p.skipped),
                  "unchanged": 0, "deleted": 0},
        "entities": counts,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_workers_mb": None,
        "write_latency_ms": None,
    }
    if args.report:
        Path(args.report).write_text(json.dumps(report, indent=2))
    f = report["files"]
    print(f"baseline: {f['total']} files ({f['ok']} ok, {f['skipped']} skipped, {f['failed']} failed), {counts} "
          f"in {report['duration_s']} s (read {report['read_s']}, parse {report['parse_s']}, save {report['save_s']})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
