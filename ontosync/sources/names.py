"""File names as ontosync records them: lossless, readable, safe in any output.

A POSIX file name is bytes. Python hands names that are not valid UTF-8 over as `surrogateescape`
strings, which SQLite, JSON files and the job summary cannot hold (UnicodeEncodeError). Names with
control characters are valid text, but print as terminal escapes and break log lines.

The rule: a name that is valid UTF-8 and holds no control character is recorded exactly as it is
(all names seen so far keep their rows). Any other name is recorded escaped: each byte that is not
valid UTF-8 and each C0 control character as `\\xNN`, each C1 one as `\\u00NN`, and each
backslash as `\\\\`. So the escaped form has one meaning, and the original bytes come back from it
(`unescape_name`). An escaped name equal to a plain name in the same folder is left out with a
warning (the walk reports it).
"""

from __future__ import annotations

import os
import re

# A GitHub owner or repository name, and `OWNER/REPO` (the GitHub source, the Action's input,
# fetch-db): the one pattern for all three.
GITHUB_NAME = r"[A-Za-z0-9_.-]+"
REPOSITORY_RE = re.compile(rf"(?P<owner>{GITHUB_NAME})/(?P<repo>{GITHUB_NAME})")


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/@\s]*@")


def hide_credentials(text: str) -> str:
    """`text` with the user info of every URL in it shown as `***`: a repository given as a clone
    URL (`https://x-access-token:TOKEN@github.com/OWNER/REPO`) is echoed in the error that refuses it."""
    return _USERINFO.sub(r"\1***@", text)


def is_repository(text: str) -> bool:
    """`OWNER/REPO` as GitHub spells them (`.` and `..` are no repository)."""
    m = REPOSITORY_RE.fullmatch(text or "")
    return bool(m) and m.group("repo") not in (".", "..")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Either reason to escape, in one pass of the regex engine (the walk asks for every name it meets).
_NEEDS_ESCAPE = re.compile(r"[\x00-\x1f\x7f-\x9f\udc80-\udcff]")
_ESCAPE = re.compile(r"\\(\\|x[0-9a-fA-F]{2}|u00[89][0-9a-fA-F])")


def needs_escape(name: str) -> bool:
    """True for a name that is not valid UTF-8 (surrogates from the OS) or holds control characters."""
    return _NEEDS_ESCAPE.search(name) is not None


def display_name(name: str) -> str:
    """The recorded form of one name (a path segment or a whole path) as the OS gave it."""
    if not needs_escape(name):
        return name
    out = []
    for ch in name:
        if "\udc80" <= ch <= "\udcff":
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ch == "\\":
            out.append("\\\\")
        elif _CONTROL.match(ch):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x80 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def unescape_name(recorded: str) -> str:
    """The OS name (surrogateescape str) of an escaped recorded name: the inverse of display_name."""
    def one(m: re.Match[str]) -> str:
        token = m.group(1)
        if token == "\\":
            return "\\"
        value = int(token[1:], 16)
        return chr(value) if value < 0x80 or token[0] == "u" else os.fsdecode(bytes([value]))

    return _ESCAPE.sub(one, recorded)
