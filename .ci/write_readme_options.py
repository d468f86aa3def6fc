"""Write README.md's option tables (the CLI reference, the Action's inputs) from the options table
(ontosync/options.py), as .ci/write_action_inputs.py does for action.yml.

Each table stands between `<!-- options:NAME -->` and `<!-- /options:NAME -->` (NAME a key of
`options.README_TABLES`); the rest of the README is left as it is. Run after adding or changing an
option: `python .ci/write_readme_options.py` (`--check` exits 1 when README.md is out of date,
which is what tests/test_readme_options.py asserts too).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / ".ci"))

from generated import write_or_check  # noqa: E402

from ontosync.options import README_TABLES, render_readme_table  # noqa: E402

README = ROOT / "README.md"


def with_new_tables(text: str) -> str:
    """README text with every marked option table written again; a missing marker is an error."""
    for name in README_TABLES:
        block = re.compile(rf"(<!-- options:{name} -->\n).*?(<!-- /options:{name} -->)", re.DOTALL)
        if not block.search(text):
            raise SystemExit(f"README.md has no <!-- options:{name} --> ... <!-- /options:{name} --> block")
        text = block.sub(lambda m, name=name: m.group(1) + render_readme_table(name) + m.group(2), text)
    return text


def main(argv: list[str]) -> int:
    return write_or_check(README, with_new_tables, argv, "README.md's option tables differ from ontosync/options.py: "
                          "run python .ci/write_readme_options.py")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
