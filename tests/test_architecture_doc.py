"""docs/ARCHITECTURE.md is checked against the code, so a newcomer's map stays true.

The module map names every module of the package and nothing else; every file the document names
exists; every dotted name "The path of one sync" gives (`store.health.untouched`) is a name the
code has. A module added, renamed or removed without its line in the map fails here.
"""

from __future__ import annotations

import importlib
import re

from tests.helpers import ROOT

DOC = ROOT / "docs" / "ARCHITECTURE.md"
PACKAGE = ROOT / "ontosync"
PACKAGES = ("", "sources.", "parsing.", "store.", "store.pg.", "pipeline.", "action.")
# The variables the path's text names calls on (`repo.save_parsed`), and the class each one is.
VARIABLES = {"repo": "store.repository.Repository", "pool": "pipeline.workers.ParsePool", "source": "sources.Source"}


def section(text: str, heading: str) -> str:
    """The text under `## heading`, up to the next `## `."""
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def mapped(text: str) -> set[str]:
    """The modules the map names: the first backticked `*.py` of each `- ` line."""
    return set(re.findall(r"^- `([\w/]+\.py)`", section(text, "Module map"), re.M))


def package_modules() -> set[str]:
    return {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")}


def map_mismatch(text: str, modules: set[str]) -> tuple[list[str], list[str]]:
    """(modules the map leaves out, names in the map that are no module)."""
    named = mapped(text)
    return sorted(modules - named), sorted(named - modules)


def missing_files(text: str) -> list[str]:
    """Files the document names (`store/repository.py`, `migrations/001_initial.sql`) that do not exist,
    looked for in the package, in its packages, and from the repository's root."""
    names = set(re.findall(r"(?<![\w./-])((?:[\w.-]+/)*[\w-]+\.(?:py|sql|json))\b", text))
    bases = [ROOT, ROOT / "migrations", PACKAGE,
             *(PACKAGE / d for d in ("store", "pipeline", "parsing", "sources", "action"))]
    return sorted(n for n in names if not any((b / n).exists() for b in bases))


def resolves(dotted: str) -> bool | None:
    """Whether `a.b.c` is a name of ontosync (a module, then attributes); None when its first part
    names no module at all."""
    head, _, rest = dotted.partition(".")
    parts = (VARIABLES[head] + "." + rest if head in VARIABLES else dotted).split(".")
    for prefix in PACKAGES:
        for cut in range(len(parts), 0, -1):
            name = "ontosync." + prefix + ".".join(parts[:cut])
            try:
                obj = importlib.import_module(name)
            except ImportError:
                continue
            for attr in parts[cut:]:
                if not hasattr(obj, attr):
                    return False
                obj = getattr(obj, attr)
            return True
    return None


def unknown_names(text: str) -> list[str]:
    """The dotted names of "The path of one sync" whose module exists but whose attribute does not."""
    found = re.findall(r"`([a-z_]+(?:[./][A-Za-z_]+)+)(?:\(\))?`", section(text, "The path of one sync"))
    dotted = {n.replace("/", ".") for n in found if not n.endswith((".py", ".edn", ".yml"))}
    return sorted(n for n in dotted if resolves(n) is False)


def test_the_map_names_every_module_and_only_modules():
    left_out, not_modules = map_mismatch(DOC.read_text(encoding="utf-8"), package_modules())
    assert left_out == [], f"modules missing from docs/ARCHITECTURE.md's map: {left_out}"
    assert not_modules == [], f"the map names modules that do not exist: {not_modules}"


def test_every_file_the_document_names_exists():
    assert missing_files(DOC.read_text(encoding="utf-8")) == []


def test_the_path_of_one_sync_uses_the_codes_names():
    assert unknown_names(DOC.read_text(encoding="utf-8")) == []


def test_the_checks_see_what_they_check():
    """A map that leaves a module out and names a gone one, a stale file and a stale name are found,
    so the empty results above mean something."""
    doc = ("\n## The path of one sync\n`store.health.untouched` `store.health.no_such_check` `repo.save_parsed`"
           " `repo.save_everything` `self.anything`\n"
           "\n## Module map\n- `cli.py`: x\n- `store/gone.py`: y\n`pipeline/gone.py` `migrations/001_initial.sql`\n")
    assert map_mismatch(doc, {"cli.py", "config.py"}) == (["config.py"], ["store/gone.py"])
    assert missing_files(doc) == ["pipeline/gone.py", "store/gone.py"]
    assert unknown_names(doc) == ["repo.save_everything", "store.health.no_such_check"]
    assert mapped(DOC.read_text(encoding="utf-8")) >= {"cli.py", "store/pg/dialect.py", "action/__init__.py"}
