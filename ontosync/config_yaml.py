"""The YAML reader of `.ontosync.yml`: PyYAML's safe loader, except that a key given twice in
one mapping is an error.

PyYAML keeps the last of two equal keys without a word, so a user who wrote `workers:` twice (or
one namespace prefix twice) ran with one of the values unknowingly. Imported only when a file is
read (PyYAML costs ~15 ms of start-up, issue 18).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

from ontosync.config_limits import ConfigError, key_text

MERGE_TAG = "tag:yaml.org,2002:merge"


def load_yaml(text: str, path: Path) -> tuple[Any, dict[str, int]]:
    """`yaml.safe_load(text)`, refusing a repeated key with the line of each; and the line of each
    top-level key, as written (an error about a setting names its line, not only the file)."""
    loader = _loader(path)(text)  # a SafeLoader: safe_load's tags only
    lines: dict[str, int] = {}
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
        for key_node, _ in node.value if isinstance(node, MappingNode) else ():
            if isinstance(key_node, ScalarNode):  # as the key reads back (`~` is None): its errors name the line
                lines.setdefault(str(loader.construct_object(key_node)), key_node.start_mark.line + 1)
    finally:
        loader.dispose()
    return data, lines


def _loader(path: Path) -> type[yaml.SafeLoader]:
    class UniqueKeyLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            _check_unique(self, node, path)
            return super().construct_mapping(node, deep=deep)

    return UniqueKeyLoader


def _check_unique(loader: yaml.SafeLoader, node: Any, path: Path) -> None:
    """The mapping's own scalar keys (not those a `<<:` merge brings, which it may override)."""
    first: dict[Any, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == MERGE_TAG:
            continue
        key = loader.construct_object(key_node)  # a scalar: hashable
        line = key_node.start_mark.line + 1
        if key in first:
            raise ConfigError(f"{path} line {line}: '{key_text(key)}' is given twice (first on line {first[key]}); "
                              "keep one")
        first[key] = line
