"""GitHub Actions workflow commands, written to a stream (stdout by default).

The runner parses lines of the form `::command key=value,key=value::message`. Messages escape `%`,
CR and LF; property values also escape `:` and `,` (the runner's own rules), so a file name or an
error message can never end a command early or start a new one. Untrusted text that has to appear
in the log verbatim goes inside `stop_commands()`, during which the runner ignores commands.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

from ontosync.console import printable

ANNOTATION_LIMIT = 10  # GitHub shows at most this many error annotations per step


def escape_data(text: object) -> str:
    """The runner's escapes for %, CR and LF; other control characters shown as `\\xNN`."""
    return printable(str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: object) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class Commands:
    """Writes workflow commands to `out`; every write is flushed so the log keeps its order."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out if out is not None else sys.stdout
        self.errors = 0  # `::error` annotations written: GitHub shows ANNOTATION_LIMIT per step

    def line(self, text: str = "") -> None:
        """One line of the log, whatever `text` holds: a newline in an input (`database: "a.db\\n::error::x"`)
        or a name read from an artifact started a line of its own, which the runner ran as a command;
        control characters are shown as `\\xNN` (console.printable)."""
        self.out.write(printable(text) + "\n")
        self.out.flush()

    def command(self, name: str, message: object = "", properties: Mapping[str, object] | None = None) -> None:
        props = ""
        if properties:
            kept = [(k, v) for k, v in properties.items() if v is not None and v != ""]
            if kept:
                props = " " + ",".join(f"{k}={escape_property(v)}" for k, v in kept)
        self.line(f"::{name}{props}::{escape_data(message)}")
        if name == "error":
            self.errors += 1

    def mask(self, secret: str) -> None:
        """Tell the runner to hide `secret` (and each of its lines) from the log."""
        for part in secret.splitlines():
            if part.strip():
                self.command("add-mask", part)

    def error(self, message: object, **properties: object) -> None:
        self.command("error", message, properties)

    def warning(self, message: object, **properties: object) -> None:
        self.command("warning", message, properties)

    def notice(self, message: object, **properties: object) -> None:
        self.command("notice", message, properties)

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        self.command("group", title)
        try:
            yield
        finally:
            self.line("::endgroup::")

    @contextmanager
    def stop_commands(self) -> Iterator[None]:
        """Within the block the runner treats `::…::` lines as plain text (for untrusted output)."""
        token = secrets.token_hex(16)
        self.line(f"::stop-commands::{token}")
        try:
            yield
        finally:
            self.out.flush()
            self.line(f"::{token}::")
