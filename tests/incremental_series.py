"""A seeded generator of small Logseq graphs with Turtle files, and of edit series over them, for
the contract's central invariant (CONTRACT.md section 2): whatever series of incremental syncs
reached a tree, the database equals one fresh full sync of that tree, the semantic-sql layer and
the search index included (section 6).

The model is plain data (`Tree`): pages (name, title, aliases, owl:class, links, ...), Turtle files,
an optional `logseq/config.edn` and `.ontosync.yml`, and the run's `--path`/`--workers`. `render`
writes it to disk; `EDITS` change it one way each. A file may be broken (invalid UTF-8, bad Turtle):
the contract counts it as its last good version, so the reference tree holds that version instead.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import random
import shutil
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import CONTENT_TABLES, VOLATILE, cli

EX = "http://example.org/s#"
NAMES = ["Alpha", "Beta", "Gamma Ray", "Gamma  Ray", "Café", "Ns", "Ns/Child", "Ns/Child/Leaf", "Delta", "Zeta"]
IRIS = ["ex:A", "ex:B", "ex:C", "ex:D", None, None]
FOLDERS = ["pages", "pages/sub", "archive", "journals", "logseq/bak"]
TTL_EXTRA = ['ex:A skos:altLabel "Zed alt" .', 'ex:A skos:altLabel "Able alt"@en .',
             'ex:B obo:IAO_0000115 "a widget" .',
             'ex:A rdfs:label "Alpha fr"@fr .', 'ex:B rdfs:label "Beta en"@en .', 'ex:T1 rdfs:comment "tee" .',
             'ex:hasPart a owl:ObjectProperty ; rdfs:label "has part" ; rdfs:domain ex:A .',
             'ex:hasPart rdfs:range ex:B .', 'ex:A owl:disjointWith ex:B .', 'ex:T2 owl:equivalentClass ex:B .',
             'ex:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:hasPart ; owl:someValuesFrom ex:T1 ] .']
# mapping rows whose CURIE text gives the `prefix` table an xref prefix (store/xref_prefixes.py)
XREFS = ['ex:A oio:hasDbXref "MESH:D000001" .', 'ex:B oio:hasDbXref "MeSH:D000002" .',
         'ex:T1 skos:exactMatch "MESH:D000003" .']
OTHERS = ["owl:disjointWith:: [[Beta]]", "owl:equivalentClass:: [[Alpha]]", "requires:: [[Ns/Child]], #Delta",
          "enables:: #[[Gamma Ray]]", "public:: true", "source:: [[Zeta]]", "subClassOf:: [[Ns]]",
          "enables:: [[Gamma  Ray]]", "is-subclass-of:: [[Delta  Two]]"]
# links naming the journal page by date, and a pipe that is part of the page's name (round 15)
DATE_LINKS = ["requires:: [[2024-01-15]]", "requires:: [[Jan 15th, 2024]]", "enables:: [[Alpha|the alpha]]",
              "is-subclass-of:: [[Jan 15th, 2024]]", "has-part:: [[Later]]", "is-subclass-of:: [[Later]]"]
JOURNAL = "journals/2024_01_15.md"
# blocks whose lines Logseq reads as no property or link (fences either way, #+BEGIN_X ... #+END_X), and
# a #+BEGIN_X left open before the next column-0 bullet (its lines are read as any others)
BLOCKS = {"tilde": "  - ~~~\n    is-subclass-of:: [[Delta]]\n    has-part:: [[Beta]]\n    ~~~",
          "mixed": "  - ```\n    owl:class:: ex:T2\n    requires:: [[Zeta]]\n    ~~~",
          "quote": "  - #+BEGIN_QUOTE\n    is-subclass-of:: [[Zeta]]\n    alias:: Quoted\n    #+END_QUOTE",
          "open": "- #+BEGIN_NOTE\n  is-subclass-of:: [[Gamma  Ray]]\n- tail",
          "src": "  - #+BEGIN_SRC clojure\n    SubClassOf({cls} ex:T1)\n    #+END_SRC",
          "top": "- ~~~\n  - ### OntologyBlock\n    owl:class:: ex:D\n  ~~~"}
# turtle fences on a page: restrictions and deprecations its readers' layer notes (parsing/fence_notes.py)
TTL_FENCES = {"some": "{cls} rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:hasPart ; "
                      "owl:someValuesFrom ex:T1 ] .",
              "dep": "{cls} owl:deprecated true .",
              "depstr": '{cls} owl:deprecated "true"^^xsd:boolean .',
              "deplang": '{cls} owl:deprecated "yes"@en .',
              "both": "{cls} owl:deprecated true ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:hasPart ; "
                      "owl:someValuesFrom ex:B ] .",
              "label": '{cls} rdfs:label "Fenced"@en-GB .',
              "langs": '{cls} rdfs:label "Fenced"@en , "Clos"@fr ; rdfs:comment "note"@fr .',
              "migrate": "{cls} owl:deprecated true ; <http://purl.obolibrary.org/obo/IAO_0100001> ex:B ; "
                         "<http://www.geneontology.org/formats/oboInOwl#consider> ex:T1 ."}
# .ofn files: an n-ary EquivalentClasses, several ontology headers' worth of class axioms
OFN = {"nary": "EquivalentClasses(ex:A ex:B ex:T1)",
       "pair": "EquivalentClasses(ex:A ex:T2)\nSubClassOf(ex:T2 ex:B)",
       "label": 'AnnotationAssertion(rdfs:label ex:A "Alpha ofn"@fr)\nEquivalentClasses(ex:B ex:T1 ex:T2)'}
TTL_PREFIXES = ("@prefix ex: <http://example.org/s#> . @prefix owl: <http://www.w3.org/2002/07/owl#> . "
                "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
                "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .")
LABELS = ["Alpha", "Tee", "Beta", "Gamma Ray", "Alpha@en", "Alpha@EN-gb", "Alpha@en-GB", "Tee@fr"]
YML_MORE = ["", "relations:\n  has-part: BFO:0000051\n", 'page-namespace: "urn:x:"\n',
            'relations:\n  requires: "http://example.org/s#needs"\n']
FENCES = {"property": "Declaration(ObjectProperty(ex:hasPart))\n    ObjectPropertyDomain(ex:hasPart ex:B)",
          "label": 'AnnotationAssertion(rdfs:label ex:hasPart "part of it")',
          "some": "SubClassOf(ex:A ObjectSomeValuesFrom(ex:hasPart ex:T1))",
          "data": "Declaration(DataProperty(ex:serial))\n    DataPropertyRange(ex:serial xsd:string)"}
LAYER = ("file_synonyms", "statements", "prefix", "entailed_edge", "class_search")


@dataclass
class Page:
    name: str
    folder: str = "pages"
    titled: bool = False          # title:: in the page properties, file named file-<n>
    stem_form: str = "nfc"        # nfc, nfd, lower (a case-only rename)
    aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    owl_class: str | None = None
    preferred: str | None = None
    definition: str = "a thing"
    synonyms: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)      # has-part:: [[X]]
    plain: list[str] = field(default_factory=list)      # part-of:: X, Y (links only when separated-by-commas)
    fence: str | None = None                            # an ex: parent in a clojure fence
    others: list[str] = field(default_factory=list)     # more property lines (disjointWith, ...)
    front: bool = False                                 # title in YAML front matter, not title::
    serial: int = 0
    ext: str = ".md"                                    # .markdown read too; .org skipped with a reason
    block: str | None = None                            # a BLOCKS entry
    ttl_fence: str | None = None                        # a TTL_FENCES entry
    tilde: bool = False                                 # the turtle fence opened and closed by ~~~


@dataclass
class Turtle:
    classes: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # local -> (label, parent local)
    ontology: str | None = None     # its owl:Ontology IRI (its rows' ontology id)
    extra: list[str] = field(default_factory=list)   # more triples: synonyms, definitions, a property
    defs: dict[str, str] = field(default_factory=dict)  # local -> its IAO_0000115 definition


@dataclass
class Tree:
    pages: dict[int, Page] = field(default_factory=dict)
    ttl: dict[str, Turtle] = field(default_factory=dict)
    config: dict | None = None      # hidden, separated, ignored, legacy
    yml_id: str = "http://example.org/s"
    yml_more: str = ""              # more .ontosync.yml lines: relations, page-namespace, a prefix
    path: str | None = None
    workers: int = 1
    broken: set[str] = field(default_factory=set)   # rendered paths that are written broken
    journal: int = 0                # the journal page 2024_01_15: 0 none, 1 with a class, 2 without
    ofn: str | None = None          # an OFN entry as onto/f.ofn
    later: bool = False             # a page named Later (links name it before it exists)
    next_id: int = 0


def page_path(k: int, p: Page) -> str:
    if p.titled:
        stem = f"file-{k}-{p.serial}"
    else:
        stem = p.name.replace("/", "___")
        stem = {"nfd": unicodedata.normalize("NFD", stem), "lower": stem.lower(), "percent": p.name.replace("/", "%2F"),
                "legacy": p.name.replace("/", ".")}.get(p.stem_form, stem)
    return f"{p.folder}/{stem}{p.ext}"


def page_text(p: Page) -> str:
    head = []
    if p.titled and p.front:
        head.append(f"---\ntitle: {p.name}\n---")
    elif p.titled:
        head.append(f"title:: {p.name}")
    if p.aliases:
        head.append("alias:: " + ", ".join(p.aliases))
    if p.tags:
        head.append("tags:: " + ", ".join(f"[[{t}]]" for t in p.tags))
    lines = ["- ### OntologyBlock"]
    if p.owl_class:
        lines.append(f"  - owl:class:: {p.owl_class}")
    if p.preferred:
        lines.append(f"  - preferred-term:: {p.preferred}")
    lines.append(f"  - definition:: {p.definition}")
    if p.synonyms:
        lines.append("  - alternate-terms:: " + ", ".join(p.synonyms))
    if p.parents:
        lines.append("  - is-subclass-of:: " + ", ".join(f"[[{n}]]" for n in p.parents))
    if p.parts:
        lines.append("  - has-part:: " + ", ".join(f"[[{n}]]" for n in p.parts))
    if p.plain:
        lines.append("  - part-of:: " + ", ".join(p.plain))
    lines += [f"  - {x}" for x in p.others]
    if p.fence and p.owl_class:
        axiom = FENCES.get(p.fence, f"SubClassOf({p.owl_class} {p.fence})")
        lines += ["  - ```clojure", f"    {axiom}", "    ```"]
    if p.ttl_fence and p.owl_class:
        mark = "~~~" if p.tilde else "```"
        body = TTL_FENCES[p.ttl_fence].format(cls=p.owl_class)
        lines += [f"  - {mark}turtle", f"    {TTL_PREFIXES}", f"    {body}", f"    {mark}"]
    if p.block:
        lines.append(BLOCKS[p.block].format(cls=p.owl_class or "ex:A"))
    text = ("\n".join(head) + "\n\n" if head else "") + "\n".join(lines) + "\n"
    return text


def ttl_text(t: Turtle) -> str:
    out = ["@prefix ex: <http://example.org/s#> .", "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
           "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
           "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
           "@prefix obo: <http://purl.obolibrary.org/obo/> .",
           "@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .", *t.extra, ""]
    for local, (label, parent) in sorted(t.classes.items()):
        sub = f" ; rdfs:subClassOf ex:{parent}" if parent else ""
        text, _, lang = label.partition("@")
        tag = f"@{lang}" if lang else ""
        defn = f' ; obo:IAO_0000115 "{t.defs[local]}"' if local in t.defs else ""
        out.append(f'ex:{local} a owl:Class ; rdfs:label "{text}"{tag}{sub}{defn} .')
    if t.ontology:
        out.append(f"<{t.ontology}> a owl:Ontology .")
    return "\n".join(out) + "\n"


def config_text(c: dict) -> str:
    parts = []
    if c.get("hidden"):
        parts.append(':hidden ["/archive"]')
    if c.get("separated"):
        parts.append(":property/separated-by-commas #{:part-of}")
    if c.get("ignored"):
        parts.append(":ignored-page-references-keywords #{:has-part}")
    if c.get("dates"):
        parts.append(':journal/page-title-format "yyyy-MM-dd"')
    if c.get("legacy") is False:
        parts.append(":file/name-format :triple-lowbar")
    return "{" + "\n ".join(parts) + "}\n"


def files(tree: Tree) -> dict[str, bytes]:
    """Every file of the tree, as written (broken files broken)."""
    out = {page_path(k, p): page_text(p).encode() for k, p in tree.pages.items()}
    out.update({name: ttl_text(t).encode() for name, t in tree.ttl.items()})
    if tree.config is not None:
        out["logseq/config.edn"] = config_text(tree.config).encode()
    out["pages/Notes.md"] = b"- a page with no OntologyBlock: skipped\n"
    out.update(_round15_files(tree))
    out[".ontosync.yml"] = f'namespaces:\n  ex: "{EX}"\nontology-id: "{tree.yml_id}"\n{tree.yml_more}'.encode()
    for path in tree.broken:
        if path in out:
            out[path] = b"\xff\xfe broken" if not path.endswith(".ttl") else b"@prefix ex: <oops .\nex:A a ;\n"
    return out


def _round15_files(tree: Tree) -> dict[str, bytes]:
    """The journal page dates link to, the page `Later` links name early, an .ofn file."""
    out = {}
    if tree.journal:
        iri = "  - owl:class:: ex:J\n" if tree.journal == 1 else ""
        out[JOURNAL] = f"- ### OntologyBlock\n{iri}  - definition:: a day\n".encode()
    if tree.later:
        out["pages/Later.md"] = b"- ### OntologyBlock\n  - owl:class:: ex:L\n  - is-subclass-of:: [[Alpha]]\n"
    if tree.ofn:
        body = OFN[tree.ofn]
        out["onto/f.ofn"] = (f"Prefix(ex:=<{EX}>)\nPrefix(rdfs:=<http://www.w3.org/2000/01/rdf-schema#>)\n"
                             f"Ontology(<http://example.org/f>\nDeclaration(Class(ex:A))\n{body}\n)\n").encode()
    return out


def write(root: Path, want: dict[str, bytes]) -> None:
    """Make `root` hold exactly `want` (other files removed, unchanged ones left untouched)."""
    for f in [f for f in root.rglob("*") if f.is_file()]:
        rel = f.relative_to(root).as_posix()
        if rel not in want:
            f.unlink()
    for rel, data in want.items():
        f = root / rel
        if f.exists() and f.read_bytes() == data:
            continue
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(data)


# -- edits: each changes the model one way; the caller renders after each --------------------------
def _page(tree: Tree, rng: random.Random) -> tuple[int, Page] | None:
    good = [(k, p) for k, p in tree.pages.items() if page_path(k, p) not in tree.broken]
    return rng.choice(good) if good else None


def _names(rng: random.Random, n: int = 2) -> list[str]:
    return rng.sample([*NAMES, "Nowhere"], rng.randint(0, n))


def add_page(tree: Tree, rng: random.Random) -> None:
    taken = {p.name.lower() for p in tree.pages.values()}
    free = [n for n in NAMES if n.lower() not in taken]
    if not free:
        return
    tree.pages[tree.next_id] = Page(rng.choice(free), folder=rng.choice(FOLDERS), owl_class=rng.choice(IRIS),
                                    parents=_names(rng), parts=_names(rng, 1), titled=rng.random() < 0.3)
    tree.next_id += 1


def field_edit(tree: Tree, rng: random.Random) -> None:
    """One field of one page: title, file name, case, NFD, folder, aliases, tags, IRI, links, text."""
    got = _page(tree, rng)
    if got is None:
        return add_page(tree, rng)
    _k, p = got
    what = rng.choice(["rename", "title", "case", "nfd", "folder", "alias", "tags", "iri", "parents", "parts",
                       "plain", "fence", "preferred", "definition", "synonyms", "others", "stem", "front",
                       "ext", "block", "ttl_fence", "ttl_fence", "block"])
    if what == "rename":
        p.name = rng.choice(NAMES)
    elif what == "title":
        p.titled = not p.titled
        p.serial += 1
    elif what == "case":
        p.stem_form = "lower" if p.stem_form != "lower" else "nfc"
    elif what == "nfd":
        p.stem_form = "nfd" if p.stem_form != "nfd" else "nfc"
    elif what == "folder":
        p.folder = rng.choice(FOLDERS)
    elif what == "alias":
        p.aliases = rng.sample([*NAMES, p.name, "Other Name"], rng.randint(0, 2))
    elif what == "tags":
        p.tags = _names(rng)
    elif what == "iri":
        p.owl_class = rng.choice(IRIS)
    elif what == "parents":
        p.parents = _names(rng)
    elif what == "parts":
        p.parts = _names(rng)
    elif what == "plain":
        p.plain = _names(rng)
    elif what == "fence":
        p.fence = rng.choice(["ex:A", "ex:B", "ex:T1", None, *FENCES])
    elif what == "preferred":
        p.preferred = rng.choice([None, "Alpha", "Gamma Ray", "Preferred One"])
    elif what == "definition":
        p.definition = rng.choice(["a thing", "a widget", "a gadget of sorts"])
    elif what == "others":
        p.others = rng.sample(OTHERS, rng.randint(0, 2))
    elif what == "stem":
        p.stem_form = rng.choice(["percent", "legacy", "nfc"])
    elif what == "front":
        p.front = not p.front
    elif what in ("ext", "block", "ttl_fence"):
        _new_edit(p, what, rng)
    else:
        p.synonyms = rng.sample(["Syn One", "Syn Two", "Alpha"], rng.randint(0, 2))


def _new_edit(p: Page, what: str, rng: random.Random) -> None:
    """This round's page behaviours: the file's extension, a block holding properties, a turtle fence."""
    if what == "ext":
        p.ext = rng.choice([".md", ".md", ".markdown", ".org"])
    elif what == "block":
        p.block = rng.choice([None, *BLOCKS])
    else:
        p.ttl_fence = rng.choice([None, *TTL_FENCES])
        p.tilde = rng.random() < 0.5


def delete_page(tree: Tree, rng: random.Random) -> None:
    got = _page(tree, rng)
    if got:
        del tree.pages[got[0]]


def ttl_edit(tree: Tree, rng: random.Random) -> None:
    name = rng.choice(["onto/a.ttl", "onto/b.ttl", "onto/c.ttl"])
    t = tree.ttl.setdefault(name, Turtle())
    if name in tree.broken:
        return
    roll = rng.random()
    if roll < 0.15:
        del tree.ttl[name]
        return
    local = rng.choice(["A", "B", "T1", "T2"])
    if roll < 0.2:  # renamed: the class's winning file may move
        tree.ttl[rng.choice(["onto/a.ttl", "onto/b.ttl", "onto/c.ttl", "z.ttl"])] = tree.ttl.pop(name)
    elif roll < 0.25:
        t.defs[local] = rng.choice(["def one", "def two", ""])
    elif roll < 0.3:
        t.ontology = rng.choice([None, "http://example.org/o1", "http://example.org/o2"])
    elif roll < 0.4:
        t.extra = rng.sample(TTL_EXTRA, rng.randint(0, 3))
    elif roll < 0.5 and local in t.classes:
        del t.classes[local]
    else:
        t.classes[local] = (rng.choice(LABELS), rng.choice([None, "A", "T1", "T2"]))


def break_or_fix(tree: Tree, rng: random.Random) -> None:
    if tree.broken and rng.random() < 0.6:
        path = rng.choice(sorted(tree.broken))
        tree.broken.discard(path)
        if rng.random() < 0.3:  # fixed by deleting it
            tree.pages = {k: p for k, p in tree.pages.items() if page_path(k, p) != path}
            tree.ttl.pop(path, None)
        return
    paths = [page_path(k, p) for k, p in tree.pages.items()] + list(tree.ttl)
    if paths:
        tree.broken.add(rng.choice(paths))


def config_edit(tree: Tree, rng: random.Random) -> None:
    if tree.config is None or rng.random() < 0.15:
        tree.config = None if tree.config is not None else {}
        return
    key = rng.choice(["hidden", "separated", "ignored", "legacy", "dates"])
    tree.config[key] = not tree.config.get(key, key == "legacy")


def run_edit(tree: Tree, rng: random.Random) -> None:
    roll = rng.random()
    if roll < 0.4:
        tree.workers = 3 - tree.workers
    elif roll < 0.7:
        tree.yml_more = rng.choice(YML_MORE)
    else:
        tree.yml_id = rng.choice(["http://example.org/s", "http://example.org/t"])


def round_edit(tree: Tree, rng: random.Random) -> None:
    """Only the behaviours new in round 14: an extension, a block, a turtle fence, a name with a doubled
    inner space, a Turtle file's labels, language tags, definitions and name (the class's winning file)."""
    got = _page(tree, rng)
    roll = rng.random()
    if got is None or roll < 0.1:
        add_page(tree, rng)
    elif roll < 0.55:
        _new_edit(got[1], rng.choice(["ext", "block", "ttl_fence"]), rng)
        got[1].owl_class = got[1].owl_class or rng.choice(IRIS[:4])
    elif roll < 0.65:
        got[1].name = rng.choice(["Gamma Ray", "Gamma  Ray"])
    else:
        ttl_edit(tree, rng)


def round15_edit(tree: Tree, rng: random.Random) -> None:
    """Round 15's behaviours: date and pipe links, the journal page they name appearing and going,
    a page links named before it existed, xref prefixes in a .ttl, language-tagged fence labels, .ofn."""
    got = _page(tree, rng)
    roll = rng.random()
    if roll < 0.15:
        tree.journal = rng.choice([0, 1, 2])
    elif roll < 0.3:
        tree.later = not tree.later
    elif roll < 0.45:
        tree.ofn = rng.choice([None, *OFN])
    elif roll < 0.6:
        name = rng.choice(["onto/a.ttl", "onto/b.ttl"])
        if name in tree.broken:
            return
        t = tree.ttl.setdefault(name, Turtle())
        t.extra = rng.sample(XREFS + TTL_EXTRA[:2], rng.randint(0, 2))
    elif got is None:
        add_page(tree, rng)
    elif roll < 0.85:
        got[1].others = rng.sample(DATE_LINKS + OTHERS[:2], rng.randint(0, 2))
    else:
        got[1].ttl_fence, got[1].fence = rng.choice([("langs", None), ("label", "label"), (None, "label"),
                                                         ("migrate", None)])
        got[1].owl_class = got[1].owl_class or rng.choice(IRIS[:4])


EDITS = [(add_page, 3), (field_edit, 12), (delete_page, 2), (ttl_edit, 3), (break_or_fix, 2), (config_edit, 2),
         (run_edit, 1), (round_edit, 3), (round15_edit, 4)]


def edit(tree: Tree, rng: random.Random, edits=EDITS) -> str:
    fn = rng.choices([e for e, _ in edits], [w for _, w in edits])[0]
    if tree.broken and fn in (config_edit, run_edit):
        # A failed file keeps the facts its last good version gave under the settings of then: a
        # fresh sync would read that version under the new ones (the bytes are gone: not modelled).
        fn = field_edit
    before = copy.deepcopy(tree)
    fn(tree, rng)
    broken_paths = {page_path(k, p) for k, p in tree.pages.items()} | set(tree.ttl)
    tree.broken &= broken_paths  # a broken file renamed is a new file: not broken
    if fn is not break_or_fix and before.broken != tree.broken:
        tree.broken = before.broken & broken_paths
    return fn.__name__


# -- syncing and comparing -------------------------------------------------------------------------
def sync(src: Path, db: Path | str, tree: Tree, *extra: str) -> None:
    ckpt = src.parent / f"{src.name}.ckpt.json"
    args = ["sync", str(src), "--db", str(db), "--quiet", "--workers", str(tree.workers), "--max-error-rate", "1",
            "--checkpoint", str(ckpt)]
    if tree.path:
        args += ["--path", tree.path]
    proc = cli(*args, *extra)
    assert proc.returncode == 0, proc.stderr


def dump(db: Path, skip_paths: set[str]) -> dict[str, list[tuple]]:
    """Content, layer and search index, without the rows of `skip_paths` in source_files (a broken
    file's row says failed where the reference says ok: its facts are compared, not its status)."""
    conn = sqlite3.connect(db)
    try:
        out = {}
        for table in CONTENT_TABLES + LAYER:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in VOLATILE]
            rows = conn.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
            if table == "source_files":
                rows = [r for r in rows if r[0] not in skip_paths]
            out[table] = sorted(rows, key=repr)
        conn.execute("INSERT INTO class_search_fts(class_search_fts) VALUES ('integrity-check')")
        out["search"] = sorted(conn.execute(
            "SELECT s.curie, f.label FROM class_search_fts f JOIN class_search s ON s.id = f.rowid "
            "WHERE class_search_fts MATCH 'alpha OR beta OR gamma OR widget OR syn'").fetchall())
        return out
    finally:
        conn.close()


def diff(a: dict, b: dict) -> dict:
    return {t: (sorted(set(a[t]) - set(b[t]), key=repr), sorted(set(b[t]) - set(a[t]), key=repr))
            for t in a if a[t] != b[t]}


def run_series(work: Path, seed: int, steps: int, schema: str | None = None,
               edits=EDITS) -> tuple[int, list[str], dict] | None:
    """Edit, sync, compare with a fresh sync, `steps` times; the first difference as (step, the
    edits so far, the tables that differ), or None. With `schema` (a fresh one on the PostgreSQL
    server of tests/postgres_server.py) the incremental syncs go there, the fresh ones to SQLite;
    `edits` (weighted edit functions) narrows the series to some behaviours."""
    rng = random.Random(seed)
    tree = Tree(path=rng.choice([None, None, "pages"]))  # --path: one per series (outside it, files stay)
    for _ in range(rng.randint(2, 4)):
        add_page(tree, rng)
    src, db = work / "src", (work / "inc.db" if schema is None else _pg_url(schema))
    src.mkdir(parents=True)
    last_good: dict[str, bytes] = {}
    log: list[str] = []
    for step in range(steps):
        if step:
            log.append(edit(tree, rng, edits))
        now = files(tree)
        write(src, now)
        sync(src, db, tree)
        status = dict(_statuses(db, schema))
        for path, data in now.items():
            if status.get(path) == "ok" and path not in tree.broken:
                last_good[path] = data
            elif status.get(path) != "failed":
                last_good.pop(path, None)
        ref_files = {p: (last_good[p] if p in tree.broken else d) for p, d in now.items()
                     if p not in tree.broken or p in last_good}
        ref_src, ref_db = work / f"ref{step}", work / f"ref{step}.db"
        write_fresh(ref_src, ref_files)
        with reversed_order():  # the other worker count and the files in reverse order too
            sync(ref_src, ref_db, dataclasses.replace(tree, workers=3 - tree.workers))
        a, b = (dump(db, tree.broken), dump(ref_db, tree.broken)) if schema is None else _pg_pair(schema, ref_db, tree)
        shutil.rmtree(ref_src)
        if a != b:
            return step, log, diff(a, b)
        ref_db.unlink()
    return None


def _pg_url(schema: str) -> str:
    from tests.postgres_server import schema_url

    return schema_url(schema)


def _statuses(db: Path | str, schema: str | None) -> list[tuple]:
    if schema is None:
        conn = sqlite3.connect(db)
        try:
            return conn.execute("SELECT path, status FROM source_files").fetchall()
        finally:
            conn.close()
    from tests.postgres_server import pg_dump

    return [(r[0], r[4]) for r in pg_dump(schema, ["source_files"])["source_files"]]


def _pg_pair(schema: str, ref_db: Path, tree: Tree) -> tuple[dict, dict]:
    """The PostgreSQL schema's tables and the SQLite reference's (no search index: SQLite's FTS)."""
    from tests.postgres_server import pg_dump, sqlite_dump

    a, b = pg_dump(schema, CONTENT_TABLES + LAYER), sqlite_dump(ref_db, CONTENT_TABLES + LAYER)
    for d in (a, b):
        d["source_files"] = [r for r in d["source_files"] if r[0] not in tree.broken]
    return a, b


@contextlib.contextmanager
def reversed_order():
    """A local sync hands its files to the workers in reverse path order (the listing, and so the
    plan's merge join, stay in path order): outcomes reach the writer in another order."""
    from ontosync.sources.local import LocalSource

    contents = LocalSource.contents
    LocalSource.contents = lambda self, files: iter(list(contents(self, files))[::-1])
    try:
        yield
    finally:
        LocalSource.contents = contents


def write_fresh(root: Path, want: dict[str, bytes]) -> None:
    root.mkdir(parents=True)
    write(root, want)
