"""Replacing a file atomically: the one temp-file-then-rename writer of the package.

The new content goes to a temp file in the target's own folder (so the rename never crosses a
file system), and `os.replace` swaps it in: a reader sees the old file or the new one, never half
of one, and a failure (disk full, a size check, Ctrl-C) leaves the old file as it was and removes
the temp file. Used for the report and checkpoint (pipeline/outputs.py), and for the databases
`fetch-db` and the Action's restore write (action/artifacts.py), and the Action's change JSON
(action/changes.py). Below every layer: it imports
nothing of ontosync.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # as mkstemp opens: a link planted at the name is not followed


def replace_atomically(target: str | Path, write: Callable[[BinaryIO], None], mode: int | None = None) -> None:
    """Call `write` with a binary file open on a temp file beside `target`, then rename it over
    `target`; `mode` sets its permissions first (the temp file is made 0600)."""
    target = Path(target)
    # the temp name is at most 100 bytes of the name plus 14: a name near the file system's 255-byte
    # limit fits, and its temp file must too (a long --report was lost after the whole sync). In bytes:
    # a name decoded as UTF-8 could not be encoded back where file names are ASCII to Python (LC_ALL=C
    # with PYTHONUTF8=0), a UnicodeEncodeError at the first checkpoint
    short = os.fsencode(target.name)[:100].decode("utf-8", "ignore").encode("utf-8")
    # The temp file's name is known before the file exists, and the cleanup armed before it is made:
    # mkstemp made it first, and an interrupt between its return and the `try` (a signal's handler
    # runs between two lines) left the temp file behind for good.
    tmp = ""
    try:
        while not tmp:
            tmp = os.fsdecode(os.path.join(os.fsencode(target.parent), b"." + short + b"."
                                           + secrets.token_hex(4).encode() + b".tmp"))
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | os.O_CLOEXEC, 0o600)
            except FileExistsError:  # another's (one chance in four billion): another name
                tmp = ""
            except OSError as exc:  # nothing made; its file name as text, as every other OSError the callers say
                tmp = ""
                raise OSError(exc.errno, exc.strerror, os.fsdecode(exc.filename or target.parent)) from None
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
