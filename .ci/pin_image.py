#!/usr/bin/env python3
"""Point action.yml at a published image by digest: ONTOSYNC_ACTION_IMAGE: docker://REPO@sha256:...

The release workflow runs this on the release's commit after pushing the image, commits the result
and moves the release tags to that commit, so `uses: OWNER/ontosync@vX` pulls the image it was
tested with instead of building the Dockerfile on every run. On `main`, action.yml keeps
`ONTOSYNC_ACTION_IMAGE: Dockerfile` (its sync step builds it), so `uses: ./` and `@main` build
from source. action.yml is a composite action (see the comment in its `runs:`); for a plain Docker
action the same edit applies to `runs.image`.

    python3 .ci/pin_image.py ghcr.io/owner/ontosync@sha256:<64 hex> [action.yml]

Only that one line under `runs:` changes (a text edit, so comments and layout survive); the
result is read back with PyYAML when it is installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REFERENCE = re.compile(r"[a-z0-9][a-z0-9._:/-]*@sha256:[0-9a-f]{64}")


def pin(text: str, reference: str) -> str:
    """action.yml's text with the image set to docker://reference (a digest reference)."""
    if not REFERENCE.fullmatch(reference):
        raise ValueError(f"not an image reference by digest (REPO@sha256:<64 hex>): {reference!r}")
    lines = text.splitlines(keepends=True)
    in_runs, done = False, 0
    for i, line in enumerate(lines):
        if re.match(r"^\S", line):
            in_runs = line.startswith("runs:")
            continue
        m = re.match(r"^(\s+)(image|ONTOSYNC_ACTION_IMAGE):\s*\S.*?(\r?\n)?$", line)
        if in_runs and m:
            lines[i] = f"{m.group(1)}{m.group(2)}: docker://{reference}{m.group(3) or ''}"
            done += 1
    if done != 1:
        raise ValueError(f"action.yml should name its image once under `runs:`, found {done}")
    return "".join(lines)


def pinned_image(action: dict) -> str | None:
    """The image a parsed action.yml runs: `runs.image`, or its sync step's ONTOSYNC_ACTION_IMAGE."""
    runs = action.get("runs") or {}
    if "image" in runs:
        return runs["image"]
    for step in runs.get("steps") or []:
        if "ONTOSYNC_ACTION_IMAGE" in (step.get("env") or {}):
            return step["env"]["ONTOSYNC_ACTION_IMAGE"]
    return None


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
        assert pinned_image(yaml.safe_load(new)) == f"docker://{argv[0]}"
    path.write_text(new, encoding="utf-8")
    print(f"{path}: the image is docker://{argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
