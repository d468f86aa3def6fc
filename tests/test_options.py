"""One table of options (ontosync/options.py) drives the `sync` flags, `.ontosync.yml`, the
Settings, the Action's inputs and action.yml: each is checked here against the table."""

from __future__ import annotations

import argparse
import importlib.util
from dataclasses import fields

import pytest
import yaml

from ontosync.action.inputs import InputError, read_inputs
from ontosync.cli import build_parser
from ontosync.config import ConfigError, Settings, build_settings, load_config_file
from ontosync.options import BY_FIELD, OPTIONS, config_keys
from tests.helpers import ROOT

SPEC = importlib.util.spec_from_file_location("write_action_inputs", ROOT / ".ci" / "write_action_inputs.py")
writer = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(writer)


def sync_actions() -> dict[str, argparse.Action]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {s: a for a in sub.choices["sync"]._actions for s in a.option_strings if s.startswith("--")}


def test_the_sync_flags_are_the_tables_rows():
    flags = {f for f in sync_actions() if f != "--help"}
    assert flags == {o.flag for o in OPTIONS if o.cli}
    actions = sync_actions()
    for option in (o for o in OPTIONS if o.cli):
        action = actions[option.flag]
        assert action.type is {"int": int, "float": float}.get(option.kind), option.name
        assert action.default is None, option.name  # None = not given: the file or the default wins


def test_the_settings_fields_are_the_tables_settings():
    names = {f.name for f in fields(Settings)} - {"source"}
    assert names == {o.field for o in OPTIONS if o.setting}
    settings = Settings()
    for option in (o for o in OPTIONS if o.setting):
        assert getattr(settings, option.field) == option.default_value(), option.name


def test_action_yml_inputs_are_the_tables_inputs():
    inputs = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["inputs"]
    expected = {o.input: {"description": o.input_help, "required": False, "default": o.input_default}
                for o in OPTIONS if o.input}
    assert inputs == expected
    assert list(inputs) == [o.input for o in OPTIONS if o.input]


def test_action_yml_is_written_from_the_table():
    assert writer.main(["--check"]) == 0, "run python .ci/write_action_inputs.py"
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    assert writer.inputs_block() in text


@pytest.mark.parametrize("option", [o for o in OPTIONS if o.kind in ("int", "float") and o.low is not None],
                         ids=lambda o: o.name)
def test_every_bound_is_refused_alike_by_flag_file_and_input(option, tmp_path):
    """Just outside the bound: the flag, the YAML key and the Action input all refuse it (the key
    in the same words, after the file and line that set it)."""
    bad = option.low - 1 if not option.above else option.low
    bad = int(bad) if option.kind == "int" else float(bad)
    with pytest.raises(ConfigError, match=f"^{option.flag} must ") as flag:
        build_settings({option.field: bad}, None)
    config = tmp_path / "c.yml"
    config.write_text(f"{option.name}: {bad}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as key:
        build_settings({}, str(config))
    assert str(key.value) == f"{config} line 1: '{option.name}'" + str(flag.value).removeprefix(option.flag)
    if option.input:
        env = {"GITHUB_WORKSPACE": str(tmp_path), f"INPUT_{option.input.upper()}": str(bad)}
        with pytest.raises(InputError, match="out of range"):
            read_inputs(env)
    good = option.low if not option.above else option.low + 1
    assert getattr(build_settings({option.field: good}, None), option.field) == good


@pytest.mark.parametrize("option", [o for o in OPTIONS if o.kind == "int" and o.setting], ids=lambda o: o.name)
def test_integer_options_refuse_non_integers_everywhere(option, tmp_path):
    config = tmp_path / "c.yml"
    config.write_text(f"{option.name}: 2.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="whole number"):
        load_config_file(config)
    with pytest.raises(Exception, match="invalid int value"):
        build_parser().parse_args(["sync", option.flag, "2.5"])
    if option.input:
        with pytest.raises(InputError, match="whole number"):
            read_inputs({"GITHUB_WORKSPACE": str(tmp_path), f"INPUT_{option.input.upper()}": "2.5"})


def test_every_yaml_key_reads_back_into_its_field(tmp_path):
    """Snake_case and kebab-case keys, the `database` alias, nested keys still checked."""
    config = tmp_path / "c.yml"
    config.write_text("database: x.db\nqueue_size: 7\nkeep-runs: 3\nrelations: {has-part: 'BFO:0000051'}\n"
                      "alerts: {max-rss-mb: 5}\ninclude: '*.ttl'\n", encoding="utf-8")
    assert load_config_file(config) == {"db": "x.db", "queue_size": 7, "keep_runs": 3,
                                        "relations": {"has-part": "BFO:0000051"}, "alerts": {"max_rss_mb": 5},
                                        "include": ["*.ttl"]}
    for text, words in (("relations: {has-part: 'not a curie'}\n", "CURIE"), ("alerts: {nope: 1}\n", "unknown"),
                        ("config: x.yml\n", "unknown setting"), ("source: .\n", "unknown setting"),
                        ("full-sync: true\n", "unknown setting"), ("quiet: 1\n", "true or false")):
        config.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=words):
            load_config_file(config)
    assert set(config_keys()) == {o.name for o in OPTIONS if o.setting and o.config} | {"database"}


def test_the_table_is_consistent():
    assert len({o.name for o in OPTIONS}) == len(OPTIONS) == len(BY_FIELD)
    inputs = [o.input for o in OPTIONS if o.input]
    assert len(set(inputs)) == len(inputs)
    for option in OPTIONS:
        assert option.kind in ("int", "float", "str", "bool", "globs", "map", "relations", "alerts"), option.name
        assert not option.cli or option.help, option.name
        assert not option.input or option.input_help, option.name
