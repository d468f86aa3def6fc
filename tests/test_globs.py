"""Include/exclude globs: real patterns (those the README and the Action's inputs show) against real
paths, each checked against a plain-Python selection of the same files."""

from __future__ import annotations

import sqlite3
from pathlib import Path, PurePosixPath

import pytest

from ontosync.sources import PathFilter
from tests.helpers import CORPORA, ONTOLOGIES, PAGES, ROOT, cli

EXAMPLE = ROOT / "examples" / "ontology"


def tree_paths(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def corpus_paths() -> list[str]:
    """The shared corpora as one source tree would hold them: pages/... and ontologies/..."""
    return sorted([f"pages/{p.name}" for p in PAGES.iterdir()] + [f"ontologies/{p.name}" for p in ONTOLOGIES.iterdir()])


def suffix(path: str) -> str:
    return PurePosixPath(path).suffix


def first_folder(path: str) -> str:
    return path.split("/", 1)[0] if "/" in path else ""


def name(path: str) -> str:
    return PurePosixPath(path).name


# (include globs, exclude globs, the same selection written as a plain predicate)
CASES = {
    "brace extensions": (["**/*.{ttl,owl}"], [], lambda p: suffix(p) in (".ttl", ".owl")),
    "brace in a folder": (["ontologies/*.{ttl,owl}"], [],
                          lambda p: p.count("/") == 1 and first_folder(p) == "ontologies"
                          and suffix(p) in (".ttl", ".owl")),
    "brace folders": (["{pages,ontologies}/**"], [], lambda p: first_folder(p) in ("pages", "ontologies")),
    "the Action's example": (["**/*.md", "**/*.{ttl,owl}"], [], lambda p: suffix(p) in (".md", ".ttl", ".owl")),
    "brace exclude": (["**/*"], ["**/*.{md,yml}"], lambda p: suffix(p) not in (".md", ".yml")),
    "prefix and brace": (["pages/AI*.{md,txt}"], [],
                         lambda p: first_folder(p) == "pages" and name(p).startswith("AI") and suffix(p) == ".md"),
    "parentheses are literal": (["**/*(SXP).md"], [], lambda p: name(p).endswith("(SXP).md")),
    # Semantics that must not change:
    "globstar": (["**/*.md"], [], lambda p: suffix(p) == ".md"),
    "star stays in one folder": (["*.ttl"], [], lambda p: "/" not in p and suffix(p) == ".ttl"),
    "trailing slash is the folder": (["pages/"], [], lambda p: first_folder(p) == "pages"),
    "leading slash is the root": (["/pages/*.md"], [], lambda p: first_folder(p) == "pages" and suffix(p) == ".md"),
    "README's exclude": ([], ["journals/**", "logseq/**", "**/Notes.md"],
                         lambda p: suffix(p) in (".md", ".ttl", ".owl") and name(p) != "Notes.md"
                         and first_folder(p) not in ("journals", "logseq")),
    "question mark and class": (["pages/[A-C]?*.md"], [],
                                lambda p: first_folder(p) == "pages" and name(p)[0] in "ABC" and len(name(p)) > 4),
    "dot folders are not hidden": (["**/*.yml"], [], lambda p: suffix(p) == ".yml"),
}


def check(paths: list[str], case: str) -> None:
    include, exclude, expected = CASES[case]
    flt = PathFilter(include, exclude)
    got = [p for p in paths if flt(p)]
    want = [p for p in paths if expected(p)]
    assert got == want, case
    assert want, f"{case}: the sample paths should hold a match"


SAMPLE = [*tree_paths(EXAMPLE), ".config/x.yml", "pages/Alpha.md", "pages/AI Risk.md", "pages/Beta (SXP).md",
          "ontologies/pato.owl", "ontologies/deep/ro.owl", "journals/2024_01_01.md", "logseq/config.md",
          "pages/Notes.md", "x.ttl"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_glob_selects_the_same_files_as_plain_python(case: str) -> None:
    check(SAMPLE, case)


# (the corpora hold no dot files, no top-level file and only .md/.ttl/.owl: those cases have no match there)
CORPUS_CASES = sorted(set(CASES) - {"dot folders are not hidden", "brace exclude", "star stays in one folder"})


@pytest.mark.corpus
@pytest.mark.parametrize("case", CORPUS_CASES)
def test_glob_on_the_corpus_paths(case: str) -> None:
    check(corpus_paths(), case)


def test_git_folder_is_excluded_whatever_the_globs() -> None:
    flt = PathFilter(["**", "**/*.{md,ttl}"])
    assert not flt(".git/x.md") and not flt("a/.git/config.ttl") and flt("a/b.md")


def test_folder_pruning_with_braces() -> None:
    flt = PathFilter(include=["docs/{a,b}/*.ttl"])
    assert flt.may_select_under("docs/") and flt.may_select_under("docs/a/")
    assert not flt.may_select_under("src/")
    both = PathFilter(include=["{docs,src}/**/*.ttl"])  # braces expanded: docs/ and src/, and only they
    assert both.may_select_under("docs/") and both.may_select_under("src/x/") and not both.may_select_under("other/")


def sync_paths(src: Path, db: Path, *args: str) -> list[str]:
    res = cli("sync", str(src), "--db", str(db), "--workers", "1", *args)
    assert res.returncode == 0, res.stderr[-2000:]
    conn = sqlite3.connect(db)
    try:
        return sorted(r[0] for r in conn.execute("SELECT path FROM source_files"))
    finally:
        conn.close()


@pytest.mark.skipif(not CORPORA.is_dir(), reason=f"shared corpora not found at {CORPORA}")
def test_sync_with_a_brace_include_reads_exactly_those_files(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "pages").mkdir(parents=True)
    for page in sorted(PAGES.iterdir())[:20]:
        (src / "pages" / page.name).write_bytes(page.read_bytes())
    (src / "ontologies").mkdir()
    (src / "ontologies" / "bfo-core.ttl").write_bytes((ONTOLOGIES / "bfo-core.ttl").read_bytes())
    (src / "core.ttl").write_bytes((EXAMPLE / "core.ttl").read_bytes())
    want = [p for p in tree_paths(src) if suffix(p) in (".ttl", ".owl")]
    assert sync_paths(src, tmp_path / "cli.db", "--include", "**/*.{ttl,owl}") == want == [
        "core.ttl", "ontologies/bfo-core.ttl"]
    (src / ".ontosync.yml").write_text('include: ["pages/*.{md,txt}"]\nexclude: ["pages/A*"]\n', encoding="utf-8")
    want = [p for p in tree_paths(src) if p.startswith("pages/") and not name(p).startswith("A")]
    assert sync_paths(src, tmp_path / "config.db") == want and len(want) >= 5
