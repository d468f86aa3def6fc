"""The shared ending of the .ci/write_*.py scripts: write a file generated from ontosync/options.py,
or with `--check` only say (exit 1) that it is out of date."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def write_or_check(path: Path, rewrite: Callable[[str], str], argv: list[str], stale: str) -> int:
    """`rewrite(text)` is the file as it should be; `stale` is printed when `--check` finds it is not."""
    text = path.read_text(encoding="utf-8")
    new = rewrite(text)
    if "--check" in argv:
        if new != text:
            print(stale)
            return 1
        return 0
    path.write_text(new, encoding="utf-8")
    return 0
