"""The command line's parser rules, for every command: flags spelled in full, a one-value flag
given once and never blank, and argparse's errors said as one plain line (cli.py's `main` prints
it, exit 2).

Why a class of our own: argparse took `--worker` for `--workers`, let the last of two `--db` win,
took `--checkpoint ""` for the default, and said "the following arguments are required: command"
to a newcomer who typed `ontosync` alone.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from typing import NoReturn


class UsageError(Exception):
    """Exit 2 with this one-line message."""


class Once(argparse._StoreAction):
    """A flag of one value given twice (`--db a.db ... --db b.db`) is a usage error, as a key given
    twice in `.ontosync.yml` is: argparse let the last win, so a wrapper script's flag was silently
    overridden, or a pasted command meant something else than it read. Repeatable flags (`--include`)
    append, and a switch said twice (`--quiet --quiet`) still means one thing. A blank value (`status
    --checkpoint "$CKPT"`, the variable unset) is a usage error in every command: `""` meant the
    default checkpoint, `" "` a file named ` `, `migrate --backup-dir " "` a folder ` `."""

    def __call__(self, parser, namespace, values, option_string=None):
        given = parser.given  # this parse's flags (see Parser.parse_known_args)
        if option_string is not None and self.dest in given:  # the values unsaid: a URL may hold a secret
            raise argparse.ArgumentError(self, "given twice: give it once")
        if option_string is not None and isinstance(values, str) and not values.strip():
            raise UsageError(f"{option_string} must not be empty{BLANK_HINT.get(option_string, '')}")
        given.add(self.dest)
        super().__call__(parser, namespace, values, option_string)


BLANK_HINT = {"--output": " (- is standard output)"}


class Parser(argparse.ArgumentParser):
    """Every parser of the command line (each command's too: they are made through this class).
    No abbreviations: argparse took `--worker` for `--workers`, so a script's typo meant another
    option, and a script that works today would break (or change meaning) when an option is added."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **{**kwargs, "allow_abbrev": False})
        self.register("action", None, Once)
        self.register("action", "store", Once)
        self.given: set[str] = set()
        self.words: list[str] = []

    def parse_known_args(self, args=None, namespace=None):
        self.given = set()
        self.words = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def _print_message(self, message, file=None) -> None:
        """`--help` and `--version` written, or their failure raised (cli.main: `standard output: not
        written`, exit 2; 141 for a reader gone away): argparse dropped an OSError of its print, so
        unbuffered (the image's PYTHONUNBUFFERED=1) `--help > help.txt` on a full disk exited 0."""
        if message:
            (file or sys.stderr).write(message)

    def error(self, message: str) -> NoReturn:
        raise UsageError(self.plain(message))

    def plain(self, message: str) -> str:
        """argparse's words about the command itself, said as what to type: the commands there are,
        the likely one, `--help`; a misspelt flag, with the likely one."""
        choices = next((a.choices for a in self._actions if isinstance(a, argparse._SubParsersAction)), None)
        if not choices:  # a command's own parser
            return message
        commands = list(choices)
        if message.startswith("unrecognized arguments: "):
            return message + _likely_flag(message.split()[2:], self.words, choices.get(next(iter(self.words), "")))
        unknown = re.match(r"argument command: invalid choice: '(.*)' \(choose from", message, re.S)
        if message.endswith("required: command") or unknown:
            listed = f"{', '.join(commands[:-1])} or {commands[-1]} (`{self.prog} --help` says what each does)"
            if self.words and self.words[0].startswith("-"):  # `ontosync --db o.db sync`
                return f"give a command first, then its flags: {listed}"
            if not unknown:
                return f"give a command: {listed}"
            close = difflib.get_close_matches(unknown[1], commands, 1)
            return f"unknown command '{unknown[1]}'{f' (did you mean {close[0]}?)' if close else ''}: give {listed}"
        return message


def _likely_flag(unknown: list[str], words: list[str], command: argparse.ArgumentParser | None) -> str:
    """` (did you mean --workers?)` for `--worker` (or `-workers`), a flag of `command` close to the
    first unknown word that looks like one. A word after `--` is no flag, however it is spelled:
    `sync src -- --workers 2` was told "did you mean --db?" (`--` matched), and `-- --wrkers`
    "did you mean --workers?", which is refused there too."""
    first = next((word for word in unknown if _flag_like(word)), None)
    if command is None or first is None:
        return ""
    before = " ".join(words[:words.index("--")] if "--" in words else words).split()  # as `unknown` is split
    if first not in before:
        return " (no word after -- is a flag: give the flags before --)"
    flags = [flag for action in command._actions for flag in action.option_strings if flag.startswith("--")]
    close = difflib.get_close_matches("--" + first.lstrip("-").partition("=")[0], flags, 1)
    return f" (did you mean {close[0]}?)" if close else ""


def _flag_like(word: str) -> bool:
    """Whether an unknown word is worth matching against the flags: `--x...`, or one dash and at least
    three letters (`-workers`, `-jsn`). A bare `-` was told "did you mean --db?", and `-o` or `-n`
    "did you mean --json?": a short flag this command lacks is no misspelt long one."""
    name = word.lstrip("-").partition("=")[0]
    if word.startswith("--"):
        return bool(name)
    return word.startswith("-") and len(name) >= 3 and not name.replace(".", "", 1).isdigit()
