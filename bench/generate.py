"""A deterministic synthetic Logseq graph shaped like `../shared/corpora/visionflow-pages`.

    python bench/generate.py OUT_DIR --pages 10000 [--seed 7]

Same seed and page count, same bytes. The pages follow the three styles the real graph uses
(see `../shared/spec/logseq-format.md`):

* metaverse style (about half): `owl:class:: mv:...`, a `#### Relationships` sub-block with
  relationship keys (`has-part`, `requires`, `enables`, ...) and a `#### OWL Axioms` sub-block
  holding a `clojure` fence in OWL Functional Syntax;
* AI style (about a third): `term-id:: AI-nnnn`, a `**Definition**` group, `is-subclass-of::`
  under a `### Relationships` heading after the block, often a Lisp-style `clojure` fence;
* blockchain style (the rest): a short block with `is-subclass-of::` in the block.

About 9% of the pages have no OntologyBlock (they are skipped, as 160 of the 1,684 real pages
are). Parents are earlier pages (a forest) or, for about 60% of the links, names that no page has,
as in the real graph; relationship links point at any page. Prose paragraphs bring the median page
to about the real median of 5 kB. Everything is written into OUT_DIR/pages/, flat, as Logseq does.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

WORDS = (
    "ontology", "agent", "protocol", "virtual", "spatial", "ledger", "token", "consensus", "governance",
    "identity", "avatar", "network", "latency", "rendering", "semantic", "inference", "alignment", "model",
    "training", "dataset", "robot", "sensor", "actuator", "fusion", "standard", "interoperability", "framework",
    "privacy", "security", "trust", "audit", "compliance", "economy", "market", "asset", "contract", "wallet",
    "layer", "middleware", "platform", "service", "interface", "metric", "benchmark", "scene", "mesh", "texture",
    "physics", "simulation", "twin", "telepresence", "haptic", "collaboration", "learning", "reinforcement",
    "feedback", "policy", "oversight", "transparency", "accountability", "risk", "resilience",
)
ADJECTIVES = (
    "Adaptive", "Autonomous", "Virtual", "Spatial", "Distributed", "Federated", "Decentralised", "Persistent",
    "Immersive", "Semantic", "Secure", "Trusted", "Scalable", "Haptic", "Neural", "Cognitive", "Digital", "Mixed",
    "Augmented", "Collaborative",
)
NOUNS = (
    "Agent", "Protocol", "Ledger", "Token", "Registry", "Framework", "Avatar", "Network", "Twin", "Engine",
    "Sensor", "Platform", "Governance", "Identity", "Market", "Contract", "Wallet", "Layer", "Service", "Model",
    "Dataset", "Standard", "Index", "Graph",
)
RELATIONS = ("has-part", "is-part-of", "requires", "depends-on", "enables", "relates-to")
DOMAINS = ("TrustAndGovernanceDomain", "InfrastructureDomain", "InteractionDomain", "CreativeMediaDomain",
           "VirtualEconomyDomain", "ComputationAndIntelligenceDomain")
ROOTS = ("ArtificialIntelligence", "Metaverse", "Blockchain", "VirtualEntity", "Robotics", "DistributedLedger",
         "MachineLearning", "Telecollaboration", "CryptographicPrimitive", "SpatialComputing")


def title_of(i: int) -> str:
    """Page i's title: deterministic from i alone, unique (the number is part of it)."""
    return f"{ADJECTIVES[i % len(ADJECTIVES)]} {NOUNS[(i // len(ADJECTIVES)) % len(NOUNS)]} {i:05d}"


def camel(title: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in title.split())


def lower_camel(text: str) -> str:
    c = camel(text)
    return c[:1].lower() + c[1:]


def sentence(rng: random.Random, lo: int = 8, hi: int = 24) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraph(rng: random.Random, lo: int = 3, hi: int = 7) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(lo, hi)))


class Graph:
    def __init__(self, pages: int, seed: int):
        self.n = pages
        self.seed = seed

    def parents(self, rng: random.Random, i: int) -> list[str]:
        out = []
        for _ in range(1 if rng.random() < 0.9 else 2):
            if i > 0 and rng.random() < 0.4:
                out.append(title_of(rng.randrange(max(0, i - 2000), i)))  # an existing, earlier page
            else:
                out.append(rng.choice(ROOTS) + ("" if rng.random() < 0.5 else f" {rng.randrange(200)}"))
        return out

    def links(self, rng: random.Random, k: int) -> str:
        names = []
        for _ in range(k):
            names.append(title_of(rng.randrange(self.n)) if rng.random() < 0.5
                         else f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}")
        return ", ".join(f"[[{n}]]" for n in names)

    def prose(self, rng: random.Random, title: str) -> str:
        parts = [f"## {title}", "", paragraph(rng), "", paragraph(rng, 2, 5), ""]
        for _ in range(min(40, int(rng.lognormvariate(1.5, 0.7)))):
            parts.append(f"- {sentence(rng)}")
            parts.append(f"  - {paragraph(rng, 1, 3)}")
            if rng.random() < 0.3:
                parts.append(f"  - See [[{title_of(rng.randrange(self.n))}]] and [[{rng.choice(NOUNS)}]].")
        parts += ["", "## References", "", f"1. {sentence(rng)} *{rng.choice(NOUNS)} Journal*, {rng.randint(1, 40)}.",
                  ""]
        return "\n".join(parts)

    def page(self, i: int) -> str:
        rng = random.Random(self.seed * 1_000_003 + i)
        title = title_of(i)
        kind = rng.random()
        if kind < 0.09:
            return self.prose(rng, title)
        if kind < 0.55:
            return self.metaverse(rng, i, title)
        if kind < 0.87:
            return self.ai(rng, i, title)
        return self.blockchain(rng, i, title)

    def metaverse(self, rng: random.Random, i: int, title: str) -> str:
        cls = "mv:" + camel(title)
        slug = title.lower().replace(" ", "-")
        parents = self.parents(rng, i)
        rels = rng.sample(RELATIONS, rng.randint(2, 5))
        lines = [
            "- ### OntologyBlock",
            f"  id:: {slug}-ontology",
            "  collapsed:: true",
            "\t- ontology:: true",
            f"\t- term-id:: {20000 + i}",
            "\t- source-domain:: metaverse",
            "\t- status:: draft",
            f"\t- preferred-term:: {title}",
            f"\t- definition:: {paragraph(rng, 2, 4)}",
            f"\t- maturity:: {rng.choice(('draft', 'emerging', 'mature'))}",
            f"\t- source:: {self.links(rng, 2)}",
            f"\t- owl:class:: {cls}",
            f"\t- owl:physicality:: {rng.choice(('VirtualEntity', 'PhysicalEntity', 'ConceptualEntity'))}",
            f"\t- owl:role:: {rng.choice(('Object', 'Process', 'Agent', 'Concept'))}",
            f"\t- belongsToDomain:: [[{rng.choice(DOMAINS)}]]",
            "\t- #### Relationships",
            f"\t  id:: {slug}-relationships",
            "\t\t- is-subclass-of:: " + ", ".join(f"[[{p}]]" for p in parents),
        ]
        lines += [f"\t\t- {r}:: {self.links(rng, rng.randint(1, 4))}" for r in rels]
        if rng.random() < 0.6:
            parent = "mv:" + camel(parents[0])
            axioms = [f"Declaration(Class({cls}))", "", "# Classification", f"SubClassOf({cls} {parent})"]
            for r in rels[:3]:
                target = "mv:" + camel(title_of(rng.randrange(self.n)))
                prop = "mv:" + lower_camel(r.replace("-", " "))
                axioms += ["", f"SubClassOf({cls}", f"  ObjectSomeValuesFrom({prop} {target})", ")"]
            if rng.random() < 0.15:  # declares another page's class too: a duplicate-declaration warning
                axioms += ["", f"Declaration(Class({parent}))"]
            if rng.random() < 0.2:  # a construct the fence dialect does not know: a warning, as in the real pages
                axioms += ["", f"DisjointWith({cls} mv:{camel(title_of(rng.randrange(self.n)))})"]
            lines += ["\t- #### OWL Axioms", f"\t  id:: {slug}-owl-axioms", "\t  collapsed:: true", "\t\t- ```clojure"]
            lines += [f"\t\t  {a}" if a else "" for a in axioms]
            lines += ["\t\t  ```"]
        if rng.random() < 0.03:
            lines.append("- public:: true")
        return "\n".join(lines) + "\n\n" + self.prose(rng, title)

    def ai(self, rng: random.Random, i: int, title: str) -> str:
        parents = self.parents(rng, i)
        lines = [
            "- ### OntologyBlock",
            f"    - term-id:: AI-{i:05d}",
            f"    - preferred-term:: {title}",
            "    - ontology:: true",
            "",
            "  - **Definition**",
            f"    - definition:: {paragraph(rng, 3, 8)}",
            f"    - maturity:: {rng.choice(('draft', 'emerging', 'mature'))}",
            f"    - source:: {self.links(rng, rng.randint(1, 3))}",
            f"    - authority-score:: {rng.randint(50, 99) / 100:.2f}",
        ]
        if rng.random() < 0.3:
            lines.insert(3, f"    - owl:class:: ai:{camel(title)}")
        lines += ["", "", "### Relationships", "- is-subclass-of:: " + ", ".join(f"[[{p}]]" for p in parents)]
        if rng.random() < 0.5:
            lines.append(f"- {rng.choice(RELATIONS)}:: {self.links(rng, rng.randint(1, 3))}")
        lines.append("")
        if rng.random() < 0.35:
            name = ":" + camel(title)
            lines += ["## OWL Formal Semantics", "", "```clojure", ";; OWL Functional Syntax", "",
                      f"(Declaration (Class {name}))", "", ";; Annotations",
                      f'(AnnotationAssertion rdfs:label {name} "{title}"@en)', "", ";; Taxonomic Relationships",
                      f"(SubClassOf {name} :{camel(parents[0])})",
                      f"(SubClassOf {name}",
                      f"  (ObjectSomeValuesFrom :relatedTo :{camel(title_of(rng.randrange(self.n)))}))",
                      "```", ""]
        return "\n".join(lines) + "\n" + self.prose(rng, title)

    def blockchain(self, rng: random.Random, i: int, title: str) -> str:
        parents = self.parents(rng, i)
        lines = [
            "- ### OntologyBlock",
            f"  id:: bc-{i:04d}-ontology",
            "  collapsed:: true",
            f"\t- term-id:: BC-{i:04d}",
            f"\t- preferred-term:: {title}",
            f"\t- definition:: {paragraph(rng, 1, 3)}",
            f"\t- owl:class:: bc:{camel(title)}",
            "\t- #### Relationships",
            "\t\t- is-subclass-of:: " + ", ".join(f"[[{p}]]" for p in parents),
        ]
        if rng.random() < 0.5:
            lines.append(f"\t\t- {rng.choice(RELATIONS)}:: {self.links(rng, rng.randint(1, 2))}")
        return "\n".join(lines) + "\n\n" + self.prose(rng, title)


def generate(out_dir: str | Path, pages: int, seed: int = 7) -> Path:
    """Write the graph into out_dir/pages/ and return that folder (files already there are replaced)."""
    folder = Path(out_dir) / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    g = Graph(pages, seed)
    for i in range(pages):
        (folder / f"{title_of(i)}.md").write_text(g.page(i), encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="folder to write (the pages go to OUT/pages/)")
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    folder = generate(args.out, args.pages, args.seed)
    size = sum(p.stat().st_size for p in folder.iterdir())
    print(f"{args.pages} pages, {size / 1e6:.1f} MB in {folder} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
