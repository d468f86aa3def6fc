"""Write action.yml's `inputs:` block from the options table (ontosync/options.py).

Run after adding or changing an option that is an Action input:
`python .ci/write_action_inputs.py` (`--check` exits 1 when action.yml is out of date, which is
what tests/test_options.py asserts too).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / ".ci"))

from generated import write_or_check  # noqa: E402

from ontosync.options import render_action_inputs  # noqa: E402

ACTION = ROOT / "action.yml"


def plain(text: str) -> bool:
    """True when `text` reads back unchanged as a plain YAML scalar."""
    try:
        return yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        return False


def inputs_block() -> str:
    return render_action_inputs(plain)


def with_new_inputs(text: str) -> str:
    """action.yml's text with everything from `inputs:` up to `outputs:` replaced."""
    start, end = text.index("\ninputs:\n") + 1, text.index("\noutputs:\n")
    return text[:start] + inputs_block() + text[end:]


def main(argv: list[str]) -> int:
    return write_or_check(ACTION, with_new_inputs, argv, "action.yml's inputs differ from ontosync/options.py: "
                          "run python .ci/write_action_inputs.py")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
