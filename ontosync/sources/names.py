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

The bytes are read as UTF-8 whatever the locale says: under `LC_ALL=C` without Python's UTF-8
mode (or a Latin-1 locale) the OS hands `Rébot.md` over as `R\udcc3\udca9bot.md` (or `RÃ©bot.md`),
and a sync there recorded another path than every other sync of the tree (the file deleted and
added again, a page renamed). `recorded_name` and `os_name` convert between the two forms.
"""

from __future__ import annotations

import codecs
import os
import re
import sys

from ontosync.db_url import hide_userinfo

# A GitHub owner or repository name, and `OWNER/REPO` (the GitHub source, the Action's input,
# fetch-db): the one pattern for all three.
GITHUB_NAME = r"[A-Za-z0-9_.-]+"
REPOSITORY_RE = re.compile(rf"(?P<owner>{GITHUB_NAME})/(?P<repo>{GITHUB_NAME})")


def hide_credentials(text: str) -> str:
    """`text` with the user info of every URL in it shown as `***`: a repository given as a clone
    URL (`https://x-access-token:TOKEN@github.com/OWNER/REPO`) is echoed in the error that refuses it."""
    return hide_userinfo(text)


def is_repository(text: str) -> bool:
    """`OWNER/REPO` as GitHub spells them (`.` and `..` are no repository)."""
    m = REPOSITORY_RE.fullmatch(text or "")
    return bool(m) and m.group("repo") not in (".", "..")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Either reason to escape, in one pass of the regex engine (the walk asks for every name it meets).
_NEEDS_ESCAPE = re.compile(r"[\x00-\x1f\x7f-\x9f\udc80-\udcff]")
_ESCAPE = re.compile(r"\\(\\|x[0-9a-fA-F]{2}|u00[89][0-9a-fA-F])")


def needs_escape(name: str) -> bool:
    """True for a name, as the OS gave it, whose recorded form differs (recorded_name): not valid
    UTF-8 (surrogates from the OS), control characters, or any non-ASCII under a locale not UTF-8."""
    return _NEEDS_ESCAPE.search(name) is not None or not (_FS_UTF8 or name.isascii())


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
    """The OS name (surrogateescape str) of an escaped recorded name: the inverse of recorded_name."""
    def one(m: re.Match[str]) -> str:
        token = m.group(1)
        if token == "\\":
            return "\\"
        value = int(token[1:], 16)
        return chr(value) if value < 0x80 or token[0] == "u" else chr(0xDC00 + value)

    return os_name(_ESCAPE.sub(one, recorded))


# The file system encoding Python took from the locale; UTF-8 nearly everywhere (then the two
# conversions below are the identity, and cost one test per name).
_FS_UTF8 = codecs.lookup(sys.getfilesystemencoding()).name == "utf-8"


def recorded_name(name: str) -> str:
    """The recorded form of a name as the OS gave it (a walk's entry, a command-line path): its
    bytes read as UTF-8 whatever the locale, then escaped where odd (display_name)."""
    if not _FS_UTF8 and not name.isascii():
        name = os.fsencode(name).decode("utf-8", "surrogateescape")
    return display_name(name)


def os_name(name: str) -> str:
    """A name in UTF-8 `surrogateescape` form as the OS functions take it under this locale."""
    if _FS_UTF8 or name.isascii():
        return name
    return os.fsdecode(name.encode("utf-8", "surrogateescape"))
