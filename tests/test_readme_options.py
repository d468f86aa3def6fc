"""README.md's option tables (CLI reference, Action inputs) are written from ontosync/options.py by
.ci/write_readme_options.py: they list exactly the `sync` flags argparse knows and the inputs
action.yml declares, and a change to the table that is not written out fails here."""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import re

import pytest
import yaml

from ontosync import options
from ontosync.cli import build_parser
from tests.helpers import ROOT

SPEC = importlib.util.spec_from_file_location("write_readme_options", ROOT / ".ci" / "write_readme_options.py")
writer = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(writer)
README = ROOT / "README.md"


def table(name: str, text: str | None = None) -> list[list[str]]:
    """The body rows (cells) of a marked README table."""
    text = README.read_text(encoding="utf-8") if text is None else text
    body = re.search(rf"<!-- options:{name} -->\n(.*?)<!-- /options:{name} -->", text, re.DOTALL).group(1)
    rows = [[c.strip() for c in line.strip("|").split(" | ")] for line in body.splitlines()]
    return rows[2:]


def first_words(rows: list[list[str]]) -> list[str]:
    return [row[0].strip("`").split()[0] for row in rows]


def test_the_readme_is_written_from_the_table() -> None:
    assert writer.main(["--check"]) == 0, "run python .ci/write_readme_options.py"


def test_the_cli_rows_are_the_flags_argparse_knows() -> None:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    flags = [s for a in sub.choices["sync"]._actions for s in a.option_strings if s.startswith("--") and s != "--help"]
    assert first_words(table("cli")) == flags
    metavars = {s: a.metavar for a in sub.choices["sync"]._actions for s in a.option_strings}
    for row in table("cli"):  # `--workers N`: the metavar `sync --help` shows
        flag, *rest = row[0].strip("`").split()
        assert rest == ([metavars[flag]] if metavars[flag] else []), flag


def test_the_input_rows_are_action_yml_inputs() -> None:
    inputs = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["inputs"]
    assert first_words(table("action-inputs")) == list(inputs)


@pytest.fixture
def trial_option(monkeypatch):
    """A trial option added to the table, as a contributor would: one new row."""
    trial = options.Option("trial-knob", "int", "a trial (default {default})", 7, low=1, metavar="N",
                           input="trial-knob", input_help="A trial.", doc="a knob for the trial", doc_default="7")
    monkeypatch.setattr(options, "OPTIONS", (*options.OPTIONS, trial))
    return trial


def test_a_new_option_shows_in_both_tables_and_the_check_catches_a_stale_readme(trial_option, capsys) -> None:
    new = writer.with_new_tables(README.read_text(encoding="utf-8"))
    assert ["`--trial-knob N`", "a knob for the trial", "7"] in table("cli", new)
    assert ["`trial-knob`", "a knob for the trial", "7"] in table("action-inputs", new)
    assert writer.main(["--check"]) == 1
    assert "write_readme_options.py" in capsys.readouterr().out


def test_an_edited_default_makes_the_check_fail(monkeypatch) -> None:
    edited = tuple(dataclasses.replace(o, doc_default="101") if o.name == "queue-size" else o for o in options.OPTIONS)
    monkeypatch.setattr(options, "OPTIONS", edited)
    assert writer.main(["--check"]) == 1
    assert ["`--queue-size N`", "bound of the queue of files waiting for a worker, 1 to 100000", "101"] in table(
        "cli", writer.with_new_tables(README.read_text(encoding="utf-8")))


def test_a_readme_without_the_markers_is_refused() -> None:
    with pytest.raises(SystemExit, match="options:cli"):
        writer.with_new_tables("# no tables here\n")
