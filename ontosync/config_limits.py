"""Limits on a configuration file, and the checks of its nested keys.

A `.ontosync.yml` comes with the checkout, which may be a stranger's pull request: it must not
make ontosync read without bound, recurse without bound (YAML aliases can make a small file a
huge or self-referencing tree) or take a misspelt key for a silent default. So the file is at
most MAX_CONFIG_BYTES, its tree at most MAX_DEPTH levels, MAX_NODES values and MAX_TEXT
characters of text (aliases counted each time they are used), and `alerts:` keys follow the rule
of every other key (kebab-case or snake_case, known names only). Every breach is a one-line
ConfigError (exit 2).
"""

from __future__ import annotations

import math
import os
import stat
import sys
from pathlib import Path
from typing import Any

MAX_CONFIG_BYTES = 256 * 1024
MAX_DEPTH = 8
MAX_NODES = 20_000
MAX_TEXT = 1024 * 1024  # characters of text in the tree, aliases counted each time they are used
ALERT_KEYS = ("min_files_per_s", "max_rss_mb")


class ConfigError(Exception):
    """A bad setting: exit 2 with this one-line message."""


def key_text(key: Any) -> str:
    """A mapping key as YAML reads it, for an error: `null:` (or `~:`) was "unknown setting
    'None'" and `true:` 'True', Python's words, not the user's nor YAML's."""
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def read_limited(path: Path, from_stdin: bool = False) -> str:
    """The text of the configuration file at `path` (or, `from_stdin`, of standard input, `path`
    naming it in the errors), bounded, or one ConfigError line."""
    try:
        raw = _read_stdin() if from_stdin else _read_bytes(path)
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from exc
    if raw is None:
        raise ConfigError(f"cannot read config {path}: a FIFO with nothing to read (no writer)")
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KiB; a configuration file is small")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from exc


def _read_stdin() -> bytes:
    """At most MAX_CONFIG_BYTES + 1 bytes of standard input (`--config -`); a terminal is refused,
    not waited on: a sync that sits silent until Ctrl-D looks hung."""
    if sys.stdin is None:  # (closed: open_standard_streams gives it /dev/null)
        return b""
    if sys.stdin.isatty():
        raise ConfigError("--config -: standard input is a terminal; pipe the configuration in (--config - < FILE)")
    return sys.stdin.buffer.read(MAX_CONFIG_BYTES + 1)


def _read_bytes(path: Path) -> bytes | None:
    """At most MAX_CONFIG_BYTES + 1 bytes of the file; None for a FIFO that gave none. A plain open
    of a FIFO without a writer (`--config` naming one) waited for ever; opened without blocking it
    reads what a writer sends (`--config <(make-config)`, a pipe) and ends at once without one."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb", closefd=True) as fh:
        if os.isatty(fd):  # `--config /dev/stdin` at a terminal: said to be "a FIFO with nothing to read"
            raise ConfigError(f"cannot read config {path}: a terminal; pipe the configuration in (--config - < FILE)")
        fifo = stat.S_ISFIFO(os.fstat(fd).st_mode)
        if fifo:  # a writer there: wait for its bytes, as a blocking read does
            os.set_blocking(fd, True)
        raw = fh.read(MAX_CONFIG_BYTES + 1)
    return None if fifo and not raw else raw


def check_shape(data: Any, path: Path) -> None:
    """Depth and size of the loaded tree, walked iteratively (a self-referencing alias ends here),
    and the length of its text: 300 aliases of one 100 kB string are 30 MB of globs from a 30 kB
    file, which cost 15 CPU-seconds to compile before the first file."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    nodes = text = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        text += len(value) if isinstance(value, str) else 0
        if nodes > MAX_NODES:
            raise ConfigError(f"{path}: more than {MAX_NODES} values (YAML aliases count each time they are used)")
        if text > MAX_TEXT:
            raise ConfigError(f"{path}: more than {MAX_TEXT // 1024 // 1024} MiB of text once its YAML aliases are "
                              "expanded; a configuration is small")
        if depth > MAX_DEPTH:
            raise ConfigError(f"{path}: nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
            stack.extend((k, depth + 1) for k in value)
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def normalize_alerts(value: Any, path: str | Path, key: str) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: '{key}' must be a mapping of names to numbers")
    out: dict[str, float] = {}
    for name, number in value.items():
        field = str(name).replace("-", "_")
        if field not in ALERT_KEYS:
            known = ", ".join(k.replace("_", "-") for k in ALERT_KEYS)
            raise ConfigError(f"{path}: unknown setting '{key}.{key_text(name)}' (known: {known})")
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise ConfigError(f"{path}: '{key}.{name}' must be a number")
        if not _threshold(number):  # `-.inf` wrote `"threshold": -Infinity` into the report: no JSON
            raise ConfigError(f"{path}: '{key}.{name}' must be a finite number, 0 or more")
        out[field] = number
    return out


def _threshold(number: float) -> bool:
    """Whether an alert's threshold is one the report can hold and a comparison can mean: a
    401-digit integer was an OverflowError traceback after the whole sync, `.nan` never alerted."""
    try:
        return math.isfinite(float(number)) and number >= 0
    except OverflowError:
        return False
