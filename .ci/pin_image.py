#!/usr/bin/env python3
"""Point action.yml at a published image by digest: `runs.image: docker://REPO@sha256:...`.

The release workflow runs this on the release's commit after pushing the image, commits the result
and moves the release tags to that commit, so `uses: OWNER/ontosync@vX` pulls the image it was
tested with instead of building the Dockerfile on every run. On `main`, action.yml keeps
`image: Dockerfile`, so `uses: ./` and `@main` build from source.

    python3 .ci/pin_image.py ghcr.io/owner/ontosync@sha256:<64 hex> [action.yml]

Only the `image:` line under `runs:` changes (a text edit, so comments and layout survive); the
result is read back with PyYAML when it is installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REFERENCE = re.compile(r"[a-z0-9][a-z0-9._:/-]*@sha256:[0-9a-f]{64}")


def pin(text: str, reference: str) -> str:
    """action.yml's text with `runs.image` set to docker://reference (a digest reference)."""
    if not REFERENCE.fullmatch(reference):
        raise ValueError(f"not an image reference by digest (REPO@sha256:<64 hex>): {reference!r}")
    lines = text.splitlines(keepends=True)
    in_runs, done = False, False
    for i, line in enumerate(lines):
        if re.match(r"^\S", line):
            in_runs = line.startswith("runs:")
            continue
        m = re.match(r"^(\s+)image:\s*\S.*?(\r?\n)?$", line)
        if in_runs and m and not done:
            lines[i] = f"{m.group(1)}image: docker://{reference}{m.group(2) or ''}"
            done = True
    if not done:
        raise ValueError("action.yml has no `image:` under `runs:`")
    return "".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    path = Path(argv[1] if len(argv) == 2 else "action.yml")
    try:
        new = pin(path.read_text(encoding="utf-8"), argv[0])
    except (OSError, ValueError) as exc:
        print(f"pin_image: {exc}", file=sys.stderr)
        return 2
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is not None:
        runs = yaml.safe_load(new)["runs"]
        assert runs["image"] == f"docker://{argv[0]}", runs
    path.write_text(new, encoding="utf-8")
    print(f"{path}: runs.image = docker://{argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
