"""Parse time alone, in-process: every corpus page through the Logseq parser, and each of BFO, RO and
PATO through the RDF parser, with no database. Medians of `--runs` after one warm-up run.

    .venv/bin/python bench/parse.py [--runs 5] [--corpora DIR]

The whole-process cases in bench/run.py include this time; this script says how much of it is the
parsers' (it replaced two tests that asserted wall-clock bounds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from ontosync.parsing import ParseOptions
from ontosync.parsing.logseq import parse_page
from ontosync.parsing.rdf import parse_rdf

ONTOLOGIES = (("bfo-core.ttl", "turtle"), ("ro.owl", "rdfxml"), ("pato-base.owl", "rdfxml"))


def median_seconds(work, runs: int) -> float:
    work()  # warm-up: imports, caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    default = os.environ.get("ONTOSYNC_CORPORA") or Path(__file__).resolve().parents[2] / "shared" / "corpora"
    ap.add_argument("--corpora", type=Path, default=Path(default))
    args = ap.parse_args(argv)
    pages_dir = args.corpora / "visionflow-pages"
    if not pages_dir.is_dir():
        print(f"corpora not found at {args.corpora}: nothing to measure")
        return 0
    pages = [(p.name, p.read_bytes()) for p in sorted(pages_dir.glob("*.md"))]
    options = ParseOptions()
    took = median_seconds(lambda: [parse_page(name, data, options) for name, data in pages], args.runs)
    print(f"{len(pages)} Logseq pages: {took:.3f} s ({len(pages) / took:.0f} pages/s)")
    for name, fmt in ONTOLOGIES:
        data = (args.corpora / "ontologies" / name).read_bytes()
        print(f"{name}: {median_seconds(lambda n=name, d=data, f=fmt: parse_rdf(n, d, f, options), args.runs):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
