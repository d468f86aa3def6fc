"""Hostile and broken input (issue 8): one sync over a tree of bad files next to good ones.

The static part of the corpus is `tests/hostile/` (small UTF-8 text files). Everything that cannot
live in git as such is made here, in the copy under the test's tmp folder: byte-level cases (BOM,
CRLF, NUL bytes, invalid UTF-8, binary files, 10 MB lines, deep nesting), files whose content
names a runtime path or port, and the special files of the walk (symbolic links, a FIFO, a socket,
a device node). A secret file is planted *beside* the source root; external entities, external
DTDs and symbolic links point at it, and it must never show up in any output.

Every case states the status it must end with and the words (and line) its message must hold:
the message is what a person reads in the report, the job summary and `source_files.error`.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ontosync.parsing import ParseOptions, parse_file
from ontosync.parsing.facts import ParseError
from tests.helpers import ROOT, cli, q

CORPUS = ROOT / "tests" / "hostile"
GD = "http://example.org/good#"
SECRET = "ONTOSYNC-SECRET-" + secrets.token_hex(8)  # the content of every planted secret file
MAX_FILE_SIZE = 12_000_000  # the run's --max-file-size: over the 10 MB one-line files
MB10 = 10 * 1024 * 1024


# -- the expected outcome of every case -------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    path: str
    status: str  # ok | skipped | failed
    words: tuple[str, ...] = ()  # each must occur in source_files.error (case-insensitive)
    line: int | None = None  # error_line, where the format has lines (None: not checked)
    bug: str = ""  # a known parser bug, reported: the case is expected to fail until it is fixed


CASES: list[Case] = [
    # RDF/XML: nothing outside the file is read, nothing expands without bound
    Case("rdfxml/xxe-relative.rdf", "failed", ("refused", "external entity", "not loaded"), 4),
    Case("rdfxml/xxe-absolute.rdf", "failed", ("refused", "external entity", "not loaded"), 3),
    Case("rdfxml/xxe-parameter.rdf", "failed", ("refused", "parameter entity"), 3),
    Case("rdfxml/external-dtd.rdf", "failed", ("refused", "external DTD", "not loaded"), 2),
    Case("rdfxml/billion-laughs.rdf", "failed", ("refused", "entity expansion"), 4),
    Case("rdfxml/quadratic-blowup.rdf", "failed", ("refused", "expand", "limit"), 5),
    Case("rdfxml/doctype-in-comment.rdf", "failed", ("refused", "DOCTYPE", "outside"), 3),
    Case("rdfxml/deep-nesting.rdf", "failed", ("refused", "nested more than"), 514),
    # JSON-LD: remote contexts are never fetched
    Case("jsonld/remote-context.jsonld", "failed", ("remote JSON-LD context", "not fetched", "example.invalid",
                                                    ".ontosync.yml")),
    Case("jsonld/remote-import.jsonld", "failed", ("remote JSON-LD context", "not fetched")),
    Case("jsonld/local-server-context.jsonld", "failed", ("remote JSON-LD context", "not fetched", "127.0.0.1")),
    Case("jsonld/deep.jsonld", "failed", ("JSON-LD", "nested too deeply")),
    # the walk: never leave the root, never open what is not a regular file
    Case("walk/leak.ttl", "skipped", ("symbolic link", "outside the source root")),
    Case("walk/outside-dir.ttl", "skipped", ("symbolic link", "outside the source root")),
    Case("walk/inside-link.ttl", "ok"),
    Case("walk/inside-dir.md", "skipped", ("symbolic link to a folder",)),
    Case("walk/dangling.ttl", "skipped", ("broken symbolic link", "does not exist")),
    Case("walk/loop.ttl", "skipped", ("symbolic link loop",)),
    Case("walk/pipe.ttl", "skipped", ("not a regular file", "FIFO")),
    Case("walk/sock.md", "skipped", ("not a regular file", "socket")),
    Case("walk/null-device.nt", "skipped", ("not a regular file", "character device")),
    Case("walk/too-big.ttl", "failed", ("file too large", str(MAX_FILE_SIZE + 1), "--max-file-size")),
    # encodings
    Case("encoding/bad-utf8.md", "failed", ("invalid UTF-8", "0xe9", "line 2"), 2),
    Case("encoding/bad-utf8.ofn", "failed", ("invalid UTF-8", "0xe9", "line 4"), 4),
    Case("encoding/bad-utf8.ttl", "failed", ("Turtle syntax error", "UTF-8"), 6),
    Case("encoding/bad-utf8.nt", "failed", ("N-Triples syntax error", "UTF-8"), 2),
    Case("encoding/bad-utf8.rdf", "failed", ("RDF/XML", "UTF-8"), 4),
    Case("encoding/bad-utf8.jsonld", "failed", ("JSON-LD", "UTF-8")),
    Case("encoding/nul.md", "failed", ("NUL byte", "binary", "line 3"), 3),
    Case("encoding/nul.ofn", "failed", ("NUL byte", "line 4"), 4),
    Case("encoding/nul.ttl", "failed", ("Turtle syntax error",), 6),
    Case("encoding/nul-in-literal.ttl", "ok"),  # Turtle allows U+0000 inside a string: stored as read
    Case("encoding/binary.ttl", "failed", ("Turtle syntax error",), 1),
    Case("encoding/binary.md", "failed", ("invalid UTF-8", "0x89", "line 1"), 1),
    Case("encoding/binary.ofn", "failed", ("invalid UTF-8", "0x89", "line 1"), 1),
    Case("encoding/binary.nt", "failed", ("N-Triples syntax error", "UTF-8"), 1),
    Case("encoding/binary.jsonld", "failed", ("JSON-LD syntax error", "0x89")),
    *(Case(f"encoding/binary.{ext}", "failed", ("not an RDF/XML document", "invalid UTF-8"), 1)
      for ext in ("owl", "rdf")),
    *(Case(f"encoding/bom.{ext}", "ok") for ext in ("md", "ttl", "nt", "rdf", "jsonld", "ofn")),
    *(Case(f"encoding/crlf.{ext}", "ok") for ext in ("md", "ttl", "nt", "rdf", "jsonld", "ofn")),
    # shapes
    Case("shapes/long-line.ttl", "ok"),
    Case("shapes/long-line-bad.ttl", "failed", ("Turtle syntax error",), 1),
    Case("shapes/Long Line.md", "ok"),
    Case("shapes/long-line.ofn", "ok"),
    Case("shapes/deep-collection.ttl", "ok"),
    Case("shapes/deep-bnodes.ttl", "ok"),
    Case("shapes/deep-parens.ofn", "ok"),
    Case("shapes/deep-unbalanced.ofn", "ok"),
    Case("shapes/Deep Fence.md", "ok"),
    Case("shapes/Two Blocks.md", "ok"),
    Case("shapes/empty/empty.md", "skipped", ("no OntologyBlock",)),
    Case("shapes/empty/empty.ttl", "ok"),
    Case("shapes/empty/empty.nt", "ok"),
    Case("shapes/empty/empty.ofn", "ok"),
    Case("shapes/empty/empty.rdf", "failed", ("RDF/XML", "empty file"), 1),
    Case("shapes/empty/empty.owl", "failed", ("RDF/XML", "empty file"), 1),
    Case("shapes/empty/empty.xml", "failed", ("RDF/XML", "empty file"), 1),
    Case("shapes/empty/empty.jsonld", "failed", ("JSON-LD syntax error",), 1),
    # names
    Case("names/names.ttl", "ok"),
    Case("names/names.ofn", "ok"),
    Case("names/Names.md", "ok"),
    Case('names/Quote "Me"; back\\slash 🚀 שלום.md', "ok"),
    # the good files
    Case("good/core.ttl", "ok"),
    Case("good/core.nt", "ok"),
    Case("good/core.rdf", "ok"),
    Case("good/core.jsonld", "ok"),
    Case("good/core.ofn", "ok"),
    Case("good/pages/Drone.md", "ok"),
    Case("good/pages/Aircraft.md", "ok"),
    Case("good/pages/Diary.md", "skipped", ("no OntologyBlock",)),
]


# -- building the tree --------------------------------------------------------------------------------
TTL = ("@prefix gd: <http://example.org/good#> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
       "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\ngd:{name} a owl:Class ;\n"
       '    rdfs:label "{label}" .\n')  # the label is on line 6
NT = ("<http://example.org/good#{name}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
      "<http://www.w3.org/2002/07/owl#Class> .\n"
      '<http://example.org/good#{name}> <http://www.w3.org/2000/01/rdf-schema#label> "{label}" .\n')
RDFXML = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
          'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#" xmlns:owl="http://www.w3.org/2002/07/owl#">\n'
          '  <owl:Class rdf:about="http://example.org/good#{name}">\n    <rdfs:label>{label}</rdfs:label>\n'
          "  </owl:Class>\n</rdf:RDF>\n")
JSONLD = ('{{\n  "@context": {{"owl": "http://www.w3.org/2002/07/owl#", '
          '"label": "http://www.w3.org/2000/01/rdf-schema#label"}},\n'
          '  "@id": "http://example.org/good#{name}",\n  "@type": "owl:Class",\n  "label": "{label}"\n}}\n')
OFN = ("Prefix(gd:=<http://example.org/good#>)\nOntology(<http://example.org/{name}>\n"
       '  Declaration(Class(gd:{name}))\n  AnnotationAssertion(rdfs:label gd:{name} "{label}")\n)\n')
PAGE = "- ### OntologyBlock\n\t- preferred-term:: {label}\n\t- owl:class:: gd:{name}\n\t- is-subclass-of:: gd:Vehicle\n"
TEMPLATES = {"ttl": TTL, "nt": NT, "rdf": RDFXML, "jsonld": JSONLD, "ofn": OFN, "md": PAGE}
WEIRD_PAGE = 'Quote "Me"; back\\slash 🚀 שלום'


def _text(ext: str, name: str, label: str) -> bytes:
    return TEMPLATES[ext].format(name=name, label=label).encode()


@dataclass
class Planted:
    root: Path  # the tmp folder: the source is root/"src", secrets sit beside it
    src: Path
    device: bool  # whether a device node could be made here
    context_requests: list[str]  # requests the local "remote context" server received


def build_tree(tmp: Path, context_url: str) -> Planted:
    src = tmp / "src"
    shutil.copytree(CORPUS, src)
    # secrets beside the source root: every way in must fail to reach them
    (tmp / "secret.txt").write_text(SECRET + "\n")
    (tmp / "secret.dtd").write_text(f'<!ENTITY leak "{SECRET}">\n')
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "secret.ttl").write_text(
        f'@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://example.org/s#{SECRET}> a owl:Class .\n')
    (tmp / "secret.ttl").write_text((outside / "secret.ttl").read_text())

    def put(rel: str, data: bytes | str) -> Path:
        p = src / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode() if isinstance(data, str) else data)
        return p

    rdf_head = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#" xmlns:owl="http://www.w3.org/2002/07/owl#">\n')
    put("rdfxml/xxe-absolute.rdf",
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY leak SYSTEM "file://{tmp / "secret.txt"}">\n]>\n'
        + rdf_head + '  <owl:Class rdf:about="http://example.org/hostile#X"><rdfs:label>&leak;</rdfs:label>'
        "</owl:Class>\n</rdf:RDF>\n")
    put("rdfxml/quadratic-blowup.rdf",
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY a "' + "a" * 4000 + '">\n]>\n' + rdf_head
        + '  <owl:Class rdf:about="http://example.org/hostile#Q">\n'
        + "    <rdfs:label>" + "&a;" * 3000 + "</rdfs:label>\n  </owl:Class>\n</rdf:RDF>\n")
    put("rdfxml/doctype-in-comment.rdf",
        '<?xml version="1.0"?>\n' + rdf_head
        + f'<!-- <!DOCTYPE x [<!ENTITY leak SYSTEM "file://{tmp / "secret.txt"}">]> -->\n</rdf:RDF>\n')
    depth = 600  # element nesting: line 3 opens the first property element
    put("rdfxml/deep-nesting.rdf",
        '<?xml version="1.0"?>\n' + rdf_head
        + "".join(f'<rdf:Description rdf:about="http://e/{i}">\n<owl:p>\n' for i in range(depth // 2))
        + "".join("</owl:p>\n</rdf:Description>\n" for _ in range(depth // 2)) + "</rdf:RDF>\n")

    put("jsonld/local-server-context.jsonld", json.dumps(
        {"@context": context_url, "@id": "http://example.org/hostile#Local", "@type": "owl:Class"}, indent=1))
    put("jsonld/deep.jsonld", "[" * 100_000 + "]" * 100_000)

    # the walk
    walk = src / "walk"
    walk.mkdir()
    (walk / "leak.ttl").symlink_to(tmp / "secret.ttl")
    (walk / "outside-dir").symlink_to(outside, target_is_directory=True)
    (walk / "outside-dir.ttl").symlink_to(outside, target_is_directory=True)
    put("walk/target/inside.nt", _text("nt", "InsideLink", "inside link"))
    (walk / "inside-link.ttl").symlink_to(Path("target") / "inside.nt")
    (walk / "inside-dir.md").symlink_to(Path("..") / "good", target_is_directory=True)
    (walk / "dangling.ttl").symlink_to(walk / "no-such-file.ttl")
    (walk / "loop.ttl").symlink_to(walk / "loop.ttl")
    os.mkfifo(walk / "pipe.ttl")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(walk / "sock.md"))
    sock.close()  # the socket file stays: a listener is not needed to be "a socket"
    try:
        os.mknod(walk / "null-device.nt", stat.S_IFCHR | 0o600, os.makedev(1, 3))
        device = True
    except (PermissionError, OSError):
        device = False
    with open(walk / "too-big.ttl", "wb") as fh:  # sparse: costs no disk, and is never read
        fh.truncate(MAX_FILE_SIZE + 1)

    # encodings
    for ext in ("md", "ttl", "nt", "rdf", "jsonld", "ofn"):
        put(f"encoding/bom.{ext}", b"\xef\xbb\xbf" + _text(ext, f"Bom{ext.capitalize()}", "Bom label"))
        put(f"encoding/crlf.{ext}",
            _text(ext, f"Crlf{ext.capitalize()}", "Crlf label").replace(b"\n", b"\r\n"))
        bad = _text(ext, f"Bad{ext.capitalize()}", "caf@").replace(b"caf@", b"caf\xe9")
        put(f"encoding/bad-utf8.{ext}", bad)
    put("encoding/nul.md", _text("md", "Nul", "nul").replace(b"owl:class", b"owl:\x00class"))
    put("encoding/nul.ofn", _text("ofn", "Nul", "n\x00ul"))
    put("encoding/nul.ttl", _text("ttl", "Nul", "nul").replace(b"rdfs:label", b"rdfs:\x00label"))
    put("encoding/nul-in-literal.ttl", _text("ttl", "NulLiteral", "n\x00ul"))
    rng = random.Random(8)
    binary = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4096))
    for ext in ("ttl", "md", "owl", "rdf", "ofn", "nt", "jsonld"):
        put(f"encoding/binary.{ext}", binary)

    # shapes
    put("shapes/long-line.ttl", f'<{GD}LongLine> <http://www.w3.org/2000/01/rdf-schema#comment> "{"x" * MB10}" . '
        f"<{GD}LongLine> a <http://www.w3.org/2002/07/owl#Class> .")
    put("shapes/long-line-bad.ttl", f'<{GD}LongBad> <http://www.w3.org/2000/01/rdf-schema#comment> "{"x" * MB10}" '
        "oops .")
    put("shapes/Long Line.md", "- ### OntologyBlock\n\t- owl:class:: gd:LongLinePage\n\t- definition:: "
        + "y" * MB10 + "\n")
    put("shapes/long-line.ofn", "Declaration(Class(<http://example.org/good#LongOfn>)) " + "(word " * (MB10 // 6))
    put("shapes/deep-collection.ttl", f"<{GD}DeepList> <http://e/p> " + "(" * 100_000 + ")" * 100_000
        + f" .\n<{GD}DeepList> a <http://www.w3.org/2002/07/owl#Class> .\n")
    put("shapes/deep-bnodes.ttl", f"<{GD}DeepNodes> <http://e/p> " + "[ <http://e/p> " * 100_000 + "<http://e/o>"
        + "]" * 100_000 + f" .\n<{GD}DeepNodes> a <http://www.w3.org/2002/07/owl#Class> .\n")
    put("shapes/deep-parens.ofn", "Declaration(Class(<http://example.org/good#DeepOfn>))\nSubClassOf(<http://e/a> "
        + "ObjectIntersectionOf(" * 100_000 + "<http://e/b>" + ")" * 100_001 + "\n")
    put("shapes/deep-unbalanced.ofn", "Declaration(Class(<http://example.org/good#DeepOpen>))\n" + "(" * 200_000)
    put("shapes/Deep Fence.md", "- ### OntologyBlock\n\t- owl:class:: gd:DeepFence\n\t- ```clojure\n\t  "
        + "(" * 50_000 + ":x" + ")" * 50_000 + "\n\t  ```\n")

    # names: a page whose file name holds quotes, a semicolon, a backslash, emoji and RTL text
    put(f"names/{WEIRD_PAGE}.md", "- ### OntologyBlock\n\t- definition:: named by its file\n")
    return Planted(tmp, src, device, [])


# -- one run over the whole tree ------------------------------------------------------------------------
class _CountingHandler(BaseHTTPRequestHandler):
    """Stands where a remote JSON-LD context would be fetched from: any request is a failure."""

    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = b'{"@context": {"owl": "http://www.w3.org/2002/07/owl#"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Run:
    planted: Planted
    db: Path
    report_path: Path
    checkpoint: Path
    proc: object
    report: dict
    rows: dict[str, tuple]  # path -> (status, error, error_line)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    tmp = tmp_path_factory.mktemp("hostile")
    seen: list[str] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_CountingHandler,), {"seen": seen}))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        planted = build_tree(tmp, f"http://127.0.0.1:{server.server_address[1]}/context.jsonld")
        planted.context_requests = seen
        out = tmp / "out"
        out.mkdir()
        db, report_path = out / "hostile.db", out / "report.json"
        proc = cli("sync", str(planted.src), "--db", str(db), "--report", str(report_path), "--quiet",
                       "--max-error-rate", "1", "--max-file-size", str(MAX_FILE_SIZE), "--workers", "2",
                       "--file-timeout", "120", timeout=400)
    finally:
        server.shutdown()
        server.server_close()
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    rows = {}
    if db.exists():
        conn = sqlite3.connect(db)
        rows = {r[0]: r[1:] for r in conn.execute("SELECT path, status, error, error_line FROM source_files")}
        conn.close()
    return Run(planted, db, report_path, Path(str(db) + ".checkpoint.json"), proc, report, rows)


@pytest.mark.slow  # reads the module's run: one sync of the hostile tree, 10 MB files included
def test_the_run_completes(run: Run):
    assert run.proc.returncode == 0, run.proc.stderr  # --max-error-rate 1: failures do not fail the run
    assert "Traceback" not in run.proc.stderr + run.proc.stdout
    files = run.report["files"]
    expected = {c.path for c in CASES if run.planted.device or c.path != "walk/null-device.nt"}
    expected.add("walk/target/inside.nt")  # the file inside-link.ttl points at
    assert set(run.rows) == expected  # nothing lost, nothing read from outside
    assert files["total"] == len(expected) == files["ok"] + files["failed"] + files["skipped"]
    assert files["failed"] == sum(1 for r in run.rows.values() if r[0] == "failed")
    assert not any(p.startswith("walk/outside-dir/") for p in run.rows)  # a linked folder is not descended
    assert run.report["errors"] and all(e["message"] for e in run.report["errors"])


@pytest.mark.parametrize("case", [pytest.param(c, id=c.path, marks=[pytest.mark.xfail(reason=c.bug)] if c.bug else [])
                                  for c in CASES])
@pytest.mark.slow  # reads the module's run: one sync of the hostile tree, 10 MB files included
def test_case_status_and_message(run: Run, case: Case):
    if case.path == "walk/null-device.nt" and not run.planted.device:
        pytest.skip("cannot create a device node here (no CAP_MKNOD)")
    status, error, line = run.rows[case.path]
    assert status == case.status, (case.path, status, error)
    if case.status == "ok":
        assert error is None
        return
    assert error, case.path
    assert "\n" not in error and len(error) <= 1000, error
    for word in case.words:
        assert word.lower() in error.lower(), (case.path, word, error)
    if case.line is not None:
        assert line == case.line, (case.path, line, error)
    if case.status == "failed":
        [entry] = [e for e in run.report["errors"] if e["path"] == case.path]
        assert entry["message"] == error and entry["line"] == line


@pytest.mark.slow  # reads the module's run: one sync of the hostile tree, 10 MB files included
def test_good_files_are_ok_with_their_facts(run: Run):
    for path, (status, _, _) in run.rows.items():
        if path.startswith("good/") and path != "good/pages/Diary.md":
            assert status == "ok", path
    classes = {r[0]: r[1:] for r in q(run.db, "SELECT class_iri, label, comment, source_file FROM owl_classes "
                                              "WHERE source_file IS NOT NULL")}
    assert classes[GD + "Vehicle"] == ("Vehicle", "Carries people or goods.", "good/core.ttl")
    assert classes[GD + "Car"][::2] == ("Car", "good/core.ttl")
    assert classes[GD + "Wheel"][::2] == ("Wheel", "good/core.nt")
    assert classes[GD + "Truck"][::2] == ("Truck", "good/core.rdf")
    assert classes[GD + "Bicycle"][::2] == ("Bicycle", "good/core.jsonld")
    assert classes[GD + "Boat"][::2] == ("Boat", "good/core.ofn")
    assert classes[GD + "Drone"] == ("Drone", "An aircraft without a pilot on board.", "good/pages/Drone.md")
    assert classes[GD + "Aircraft"][::2] == ("Aircraft", "good/pages/Aircraft.md")
    edges = set(q(run.db, "SELECT class_iri, parent_iri FROM owl_class_hierarchy"))
    for child, parent in (("Car", "Vehicle"), ("Tyre", "Wheel"), ("Truck", "Vehicle"), ("Bicycle", "Vehicle"),
                          ("Boat", "Vehicle"), ("Drone", "Aircraft"), ("Aircraft", "Vehicle")):
        assert (GD + child, GD + parent) in edges, (child, parent)
    assert q(run.db, "SELECT property_type, label, domain, range FROM owl_properties WHERE property_iri = ?",
             GD + "hasWheel") == [("ObjectProperty", "has wheel", GD + "Vehicle", GD + "Wheel")]


@pytest.mark.slow  # reads the module's run: one sync of the hostile tree, 10 MB files included
def test_encoding_and_shape_cases_keep_their_facts(run: Run):
    labels = dict(q(run.db, "SELECT class_iri, label FROM owl_classes WHERE source_file IS NOT NULL"))
    for kind in ("Bom", "Crlf"):
        for ext in ("md", "ttl", "nt", "rdf", "jsonld", "ofn"):
            assert labels.get(f"{GD}{kind}{ext.capitalize()}") == f"{kind} label", (kind, ext)  # no BOM, no \r
    assert labels[GD + "NulLiteral"] == "n\x00ul"
    assert labels[GD + "InsideLink"] == "inside link"
    for name in ("LongLine", "LongLinePage", "LongOfn", "DeepList", "DeepNodes", "DeepOfn", "DeepOpen", "DeepFence",
                 "TwoBlocks"):
        assert GD + name in labels, name
    comments = dict(q(run.db, "SELECT class_iri, length(comment) FROM owl_classes WHERE class_iri IN (?, ?)",
                      GD + "LongLine", GD + "LongLinePage"))
    assert comments == {GD + "LongLine": MB10, GD + "LongLinePage": MB10}
    # Two OntologyBlocks: the first declares the class, the second warns and still adds its links.
    assert labels[GD + "TwoBlocks"] == "Two Blocks" and GD + "SecondClassIgnored" not in labels
    edges = set(q(run.db, "SELECT parent_iri FROM owl_class_hierarchy WHERE class_iri = ?", GD + "TwoBlocks"))
    assert edges == {(GD + "Vehicle",), (GD + "Aircraft",)}
    warned = {(w["path"], w["kind"], w["line"]) for w in run.report["warnings"]}
    assert ("shapes/Two Blocks.md", "second-ontology-block", 6) in warned
    for path in ("shapes/deep-parens.ofn", "shapes/deep-unbalanced.ofn", "shapes/Deep Fence.md"):
        assert any(p == path and k == "fence-syntax" for p, k, _ in warned), path


@pytest.mark.slow  # reads the module's run: one sync of the hostile tree, 10 MB files included
def test_names_are_stored_and_read_back_exactly(run: Run):
    rows = {r[0]: r[1:] for r in q(run.db, "SELECT class_iri, label, comment, source_file FROM owl_classes")}
    assert rows["http://example.org/names/semi;colon'apos🚀שלום"] == (
        "He said \"hi\"; C:\\path\\to 🚀 שלום עולם 'single'", 'three\nlines with "quotes" and \\ and ;',
        "names/names.ttl")
    assert rows["http://example.org/names/escA\U0001F600"][0] == "single 'quoted' label"
    assert rows["http://example.org/names-ofn/semi;colon🚀שלום"][0] == 'quote " back \\ semi; 🚀 עברית'
    assert rows["http://example.org/names-page/Q;🚀مرحبا"] == (
        '"Quoted"; back\\slash 🚀 مرحبا',
        "A definition with \"double\", 'single', \\backslashes\\ and ; semicolons; emoji 🧪 and RTL עברית.",
        "names/Names.md")


@pytest.mark.slow  # reads the module's run: one sync of the hostile tree, 10 MB files included
def test_page_named_with_quotes_semicolon_backslash_emoji_rtl(run: Run):
    from ontosync.parsing.logseq import mint_page_iri

    weird_path = f"names/{WEIRD_PAGE}.md"
    assert run.rows[weird_path][0] == "ok"
    rows = {r[0]: r[1:] for r in q(run.db, "SELECT class_iri, label, comment, source_file FROM owl_classes "
                                           "WHERE source_file = ?", weird_path)}
    iri = mint_page_iri(WEIRD_PAGE, ParseOptions())
    assert rows == {iri: (WEIRD_PAGE, "named by its file", weird_path)}


@pytest.mark.slow  # reads the module's run: one sync of the hostile tree, 10 MB files included
def test_the_secret_never_appears(run: Run):
    assert SECRET not in run.proc.stdout + run.proc.stderr
    status = cli("status", "--db", str(run.db))
    assert SECRET not in status.stdout + status.stderr
    for path in run.db.parent.iterdir():  # database (and its WAL), checkpoint, report
        assert SECRET.encode() not in path.read_bytes(), path
    assert run.checkpoint.exists() and SECRET not in run.checkpoint.read_text()
    assert SECRET not in run.report_path.read_text()
    conn = sqlite3.connect(run.db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            for col in cols:
                hits = conn.execute(f'SELECT count(*) FROM "{table}" WHERE instr(CAST("{col}" AS TEXT), ?) > 0',
                                    (SECRET,)).fetchone()[0]
                assert hits == 0, (table, col)
    finally:
        conn.close()


@pytest.mark.slow  # reads the module's run: one sync of the hostile tree, 10 MB files included
def test_no_remote_context_was_fetched(run: Run):
    assert run.rows["jsonld/local-server-context.jsonld"][0] == "failed"
    assert run.planted.context_requests == []


@pytest.mark.slow  # reads the module's run: one sync of the hostile tree, 10 MB files included
def test_verify_passes(run: Run):
    proc = cli("verify", "--db", str(run.db))
    assert proc.returncode == 0, proc.stdout + proc.stderr


# -- the same refusals, fast, at the parser ------------------------------------------------------------
@pytest.mark.parametrize("name", ["billion-laughs.rdf", "xxe-relative.rdf", "xxe-parameter.rdf", "external-dtd.rdf"])
def test_rdfxml_refusals_are_fast(name: str):
    data = (CORPUS / "rdfxml" / name).read_bytes()
    started = time.process_time()  # CPU, not wall time: a loaded machine's waits are not the parser's
    with pytest.raises(ParseError) as info:
        parse_file(name, data, ParseOptions())
    assert time.process_time() - started < 1.0
    assert "refused" in info.value.message and info.value.line


# -- the GitHub token ------------------------------------------------------------------------------------
TOKEN = "ghp_SECRETTOKEN1234567890abcdefABCDEF"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _assert_no_token(proc, folder: Path, token: str) -> None:
    assert token not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    for path in folder.iterdir():
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path


def test_token_never_leaks_when_the_api_is_unreachable(tmp_path):
    proc = cli("sync", "github:owner/repo", "--api-url", f"http://127.0.0.1:{_closed_port()}",
                   "--db", str(tmp_path / "t.db"), "--report", str(tmp_path / "r.json"), "--retries", "1", "--quiet",
                   env={"GITHUB_TOKEN": TOKEN, "ONTOSYNC_GITHUB_TIMEOUT": "2"}, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2, proc.stderr  # a reason, not a dump
    _assert_no_token(proc, tmp_path, TOKEN)


def test_token_never_leaks_with_the_fake_api(tmp_path):
    fake_github = pytest.importorskip("tests.fake_github")
    with fake_github.FakeGitHub(CORPUS / "good") as fake:
        bad = tmp_path / "bad"
        bad.mkdir()
        proc = cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", str(bad / "t.db"),
                       "--report", str(bad / "r.json"), "--quiet", env={"GITHUB_TOKEN": TOKEN}, timeout=120)
        assert proc.returncode == 2, proc.stderr
        _assert_no_token(proc, bad, TOKEN)
        good = tmp_path / "good"
        good.mkdir()
        proc = cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", str(good / "t.db"),
                       "--report", str(good / "r.json"), "--quiet", env={"GITHUB_TOKEN": fake.token}, timeout=120)
        assert proc.returncode == 0, proc.stderr
        _assert_no_token(proc, good, fake.token)
        assert json.loads((good / "r.json").read_text())["files"]["ok"] == 7


def test_a_config_in_the_source_cannot_read_outside_the_root(tmp_path):
    """`.ontosync.yml` comes with the (possibly hostile) checkout: its context files stay inside the root."""
    src = tmp_path / "src"
    src.mkdir()
    (tmp_path / "secret.json").write_text(json.dumps({"@context": {"leak": f"http://example.org/{SECRET}/"}}))
    (src / ".ontosync.yml").write_text('jsonld-contexts:\n  "https://example.invalid/c.jsonld": "../secret.json"\n')
    (src / "doc.jsonld").write_text(json.dumps({"@context": ["https://example.invalid/c.jsonld"], "@id": "leak:X",
                                                "@type": "http://www.w3.org/2002/07/owl#Class"}))
    out = tmp_path / "out"
    out.mkdir()
    proc = cli("sync", str(src), "--db", str(out / "c.db"), "--report", str(out / "r.json"), "--quiet",
                   "--max-error-rate", "1")
    assert "Traceback" not in proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    for path in out.iterdir():
        assert SECRET.encode() not in path.read_bytes(), path




@pytest.mark.parametrize("config", [
    "include: [[1, 2]]",
    "exclude: 5",
    "ontology-id: 5",
    "alerts: {max_rss_mb: x}",
    'jsonld-contexts: {"https://e/c": [1]}',
    "workers: [1]",
    "max-file-size: -5",
    '!!python/object/apply:os.system ["echo PWNED"]',
    "a: &a [*a, *a]",
    "- just\n- a list",
])
def test_a_hostile_config_is_a_usage_error(tmp_path, config: str):
    """`.ontosync.yml` comes with the checkout: a bad one is exit 2 with one line, never a traceback."""
    src = tmp_path / "src"
    shutil.copytree(CORPUS / "good", src)
    (src / ".ontosync.yml").write_text(config + "\n")
    proc = cli("sync", str(src), "--db", str(tmp_path / "c.db"), "--quiet")
    assert "Traceback" not in proc.stderr and "PWNED" not in proc.stdout + proc.stderr
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "error:" in proc.stderr, proc.stderr


def test_a_worker_never_opens_what_the_walk_would_refuse(tmp_path):
    """A file swapped for a FIFO or a link after the walk: the worker's own open refuses it, at once."""
    from ontosync.sources.local import read_regular_file

    os.mkfifo(tmp_path / "pipe.ttl")  # no writer: a blocking open would hang here
    started = time.perf_counter()
    with pytest.raises(OSError, match="FIFO"):
        read_regular_file(str(tmp_path / "pipe.ttl"), 1000)
    assert time.perf_counter() - started < 1.0
    (tmp_path / "secret.ttl").write_text(SECRET)
    (tmp_path / "link.ttl").symlink_to(tmp_path / "secret.ttl")
    with pytest.raises(OSError, match="symbolic link"):
        read_regular_file(str(tmp_path / "link.ttl"), 1000)
    (tmp_path / "big.ttl").write_bytes(b"x" * 2000)
    with pytest.raises(OSError, match="too large"):
        read_regular_file(str(tmp_path / "big.ttl"), 1000)


def test_a_comment_without_line_break_does_not_hang_the_dispatcher():
    """Run in a child process: the bug is an endless loop, which only a kill ends."""
    inputs = [b"# c", b"#", b"\n# comment\n#" + b"x" * 5000]
    code = ("import sys\nfrom ontosync.parsing import ParseOptions, parse_file\n"
            "from ontosync.parsing.facts import ParseError\n"
            "for data in sys.stdin.buffer.read().split(b'\\0'):\n"
            "    try:\n        parse_file('x.owl', data, ParseOptions())\n    except ParseError:\n        pass\n")
    try:
        proc = subprocess.run([sys.executable, "-c", code], input=b"\0".join(inputs), capture_output=True,
                              timeout=5, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("parse_file('x.owl', ...) still running after 5 s on a few bytes")
    assert proc.returncode == 0, proc.stderr
