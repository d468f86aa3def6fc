"""Every command-line option and every Action input is documented in the README."""

from __future__ import annotations

import argparse
import re

import yaml

from ontosync.cli import build_parser
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _options() -> dict[str, list[str]]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    out = {}
    for name, p in sub.choices.items():
        out[name] = [s for a in p._actions for s in a.option_strings if s.startswith("--") and s != "--help"]
    return out


def test_every_cli_option_is_in_the_readme():
    missing = [f"{cmd} {opt}" for cmd, opts in _options().items() for opt in opts
               if not re.search(re.escape(opt) + r"(?![\w-])", README)]
    assert not missing, f"undocumented options: {missing}"


def test_every_subcommand_is_in_the_readme():
    missing = [cmd for cmd in _options() if f"ontosync {cmd}" not in README]
    assert not missing


def test_every_action_input_and_output_is_in_the_readme():
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    names = list(action["inputs"]) + list(action.get("outputs", {}))
    missing = [n for n in names if f"`{n}`" not in README]
    assert not missing, f"undocumented Action inputs/outputs: {missing}"
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name
        assert "default" in spec or spec.get("required"), name


def synopsis_gaps(text: str) -> list[str]:
    """The options argparse knows for a command that its line in the CLI reference's synopsis does
    not name (`sync` is excepted: its line says `[options]`, and the table below lists them)."""
    block = text.split("## CLI reference", 1)[1].split("```", 2)[1]
    lines = {ln.split()[1]: ln for ln in block.splitlines() if ln.startswith("ontosync ")}
    return [f"{cmd} {opt}" for cmd, opts in _options().items() if cmd != "sync" for opt in opts
            if not re.search(re.escape(opt) + r"(?![\w-])", lines.get(cmd, ""))]


def test_the_cli_synopsis_names_every_option_of_its_command():
    assert not synopsis_gaps(README), "options missing from the CLI reference's synopsis"


WARNING_KIND = re.compile(r'ParseWarning\(\s*"([a-z-]+)"|warnings\.add\("([a-z-]+)"|"kind": "([a-z-]+)"'
                          r'|kind="([a-z]+-[a-z-]+)"')


def reported_warning_kinds() -> set[str]:
    """The warning kinds ontosync's code can put in a run report, read from its source: a new kind
    written the ways the code writes them today shows here without anyone listing it."""
    from ontosync.parsing.logseq import _CLASS_PROBLEMS

    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "ontosync").rglob("*.py"))
    return {k for groups in WARNING_KIND.findall(text) for k in groups if k} | set(_CLASS_PROBLEMS)


def warning_kinds_gaps(text: str) -> list[str]:
    table = re.search(r"<!-- warning-kinds[^>]*-->\n(.*?)\n\n", text, re.S)
    named = set(re.findall(r"^\| (.*?) \|", table.group(1), re.M)) if table else set()
    listed = {k for cell in named for k in re.findall(r"`([a-z-]+)`", cell)}
    return sorted(reported_warning_kinds() - listed)


def test_every_warning_kind_is_explained_in_the_readme():
    assert len(reported_warning_kinds()) > 20  # the scan still finds the kinds the code writes
    assert not warning_kinds_gaps(README), "warning kinds the README's table does not explain"


def test_every_table_of_a_new_database_is_in_the_readmes_tables():
    # `file_stats` (the stat cache) and `term_association` (semantic-sql's, for OAK) were in every
    # database and in no row of the README's table of tables
    import json

    statements = json.loads((ROOT / "ontosync" / "store" / "new_database.json").read_text(encoding="utf-8"))
    tables = {m for s in statements["statements"]
              for m in re.findall(r"CREATE (?:VIRTUAL )?TABLE (?:IF NOT EXISTS )?(\w+)", s)}
    section = README[README.index("### Tables"):]
    section = section[:section.index("\n## ", 1)]
    assert len(tables) > 20
    assert not {t for t in tables if f"`{t}`" not in section}, "tables the README's ### Tables does not list"
