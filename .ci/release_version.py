"""The release tag must be the version ontosync reports: python3 .ci/release_version.py vX.Y.Z.

The release workflow tags the image X.Y.Z from the tag alone, while `ontosync --version`, the run
report's `ontosync_version`, the package metadata (`pip install ...@vX`) and the Action's "written
by a newer ontosync" warnings read `__version__` in ontosync/__init__.py. Nothing tied the two:
a release v1.2.0 without a bump shipped an image labelled 1.2.0 that calls itself 0.1.0. The
release stops here first (exit 1, a workflow error). Standard library only (the runner's python3).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

INIT = Path(__file__).resolve().parents[1] / "ontosync" / "__init__.py"


def package_version(init: Path = INIT) -> str:
    """`__version__` as written in the package (read, not imported: no dependencies needed)."""
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit(f"::error::no __version__ in {init}")


def main(argv: list[str]) -> int:
    tag = argv[0] if argv else ""
    version = package_version()
    if tag != f"v{version}":
        print(f"::error::release tag {tag or '(none)'} is not ontosync's version v{version} "
              f"(ontosync/__init__.py __version__): set __version__ to the release's version first", flush=True)
        return 1
    print(f"release {tag}: ontosync reports {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
