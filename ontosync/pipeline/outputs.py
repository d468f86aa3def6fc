"""The run's output files (--report, --checkpoint): checked before the work, written without
clobbering what is not a regular file.

`check_output` runs before the sync starts, so a report aimed at a folder, a missing folder or an
unwritable place is exit 2 up front instead of after the whole run. `write_text` replaces a
regular file atomically (temp file beside the real target, then rename: a symbolic link stays a
link and its target is updated), and writes straight into a FIFO or a character device (a pipe,
/dev/stdout, /dev/null), or through a link to one, never replacing it with a regular file.
Sockets and block devices are refused.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import time
from pathlib import Path

from ontosync.console import json_text
from ontosync.db_url import is_url, shown_db
from ontosync.files import replace_atomically
from ontosync.store.read_only import starts_as_sqlite


class OutputError(Exception):
    """An output path that cannot be written: exit 2 with this one-line message."""


def file_mode(path: str) -> int | None:
    """The mode of what `path` leads to (links followed), None when there is nothing to stat."""
    try:
        return os.stat(path).st_mode
    except OSError:
        return None


def is_special(path: str | Path) -> bool:
    """A FIFO or a character device (directly or through links): written into, not replaced."""
    mode = file_mode(os.fspath(path))
    return mode is not None and (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode))


def refused_kind(path: str | Path, flag: str) -> str | None:
    """Why no sync writes `path` for what it is (a folder, a socket, a block device), or None:
    `check_output`'s words, which `status` says of such a checkpoint path too."""
    mode = file_mode(os.fspath(path))  # followed as open() follows: see write_text
    if mode is not None and stat.S_ISDIR(mode):
        return f"{flag} {path}: is a folder; give a file path"
    if ends_in_slash(path):  # `--report out/`: a file `out` was written
        return f"{flag} {path}: {ENDS_IN_SLASH}"
    if mode is not None and (stat.S_ISSOCK(mode) or stat.S_ISBLK(mode)):
        return f"{flag} {path}: is a {'socket' if stat.S_ISSOCK(mode) else 'block device'}; refusing to write into it"
    return None


ENDS_IN_SLASH = "ends in /, so it names a folder, not a file; give a file path"
OTHER_DATABASE = "is a SQLite database; refusing to replace it with text (give another path)"


def ends_in_slash(path: str | Path) -> bool:
    """Whether an output path, as given, ends in `/` (ENDS_IN_SLASH), or in `/.` or `/..`, a
    folder's name too (`--report new/.` wrote a file `new`, as `--db new/.` is refused for): the
    Action's inputs are checked with it too, before their paths are normalised."""
    name = os.fspath(path).replace(os.sep, "/")
    return name.endswith(("/", "/.", "/.."))


def check_not_a_database(outputs: dict[str, str | None]) -> None:
    """OutputError when an output path (flag -> path, None: unset) is a SQLite database (said after
    check_distinct, whose words are more precise of the run's own): `diff --output notes.db`,
    another program's database, was replaced by the diff's text, exit 0."""
    for flag, path in outputs.items():
        if why := other_database_refused(path, flag):
            raise OutputError(why)


def other_database_refused(path: str | None, flag: str) -> str | None:
    """The refusal of an output `path` holding a SQLite database (`flag` names it), None for none:
    a sync's words, which `status` says of a checkpoint path too."""
    return f"{flag} {path}: {OTHER_DATABASE}" if path and is_other_database(path) else None


def is_other_database(path: str | Path) -> bool:
    """Whether the regular file at `path` begins as a SQLite database does (unreadable: no)."""
    if not stat.S_ISREG(file_mode(os.fspath(path)) or 0):
        return False
    try:
        return starts_as_sqlite(path)
    except OSError:
        return False


def url_refused(path: str | Path, flag: str) -> str | None:
    """Why a URL is no output path (its password hidden), or None; said by `status` of such a
    checkpoint too, which printed "checkpoint none" where a sync refused it."""
    if is_url(str(path)):
        return f"{flag} {shown_db(str(path))}: a URL, not a path: give a file's path"
    return None


def check_output(path: str | Path, flag: str) -> None:
    """Why `path` cannot take a file the run writes (OutputError); a URL first: `--report
    postgresql://u:PW@h/r.json` was refused as "folder .../postgresql:/u:PW@h does not exist",
    the password in the clear (and written into, when that folder was there)."""
    if why := url_refused(path, flag) or refused_kind(path, flag) or link_loop(path, flag):
        raise OutputError(why)
    real = os.path.realpath(path)
    mode = file_mode(os.fspath(path))
    if mode is not None:
        if not stat.S_ISREG(mode):
            if not os.access(path, os.W_OK):
                raise OutputError(f"{flag} {path}: permission denied")
            return
        if reason := not_writable(path):  # the rename would replace it all the same: as a shell's `>`, no
            raise OutputError(f"{flag} {path}: cannot write the file: {reason}")
    parent = os.path.dirname(real) or "."
    if not os.path.isdir(parent):
        raise OutputError(f"{flag} {path}: {missing_folder(parent)}")
    if reason := not_writable(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{flag} {path}: cannot write in folder {parent}: {reason}")
    if reason := too_long(os.path.basename(real), parent):
        raise OutputError(f"{flag} {path}: {reason}")


def link_loop(path: str | Path, flag: str) -> str | None:
    """The refusal of an output path that leads into a symbolic link loop (a link to itself, or a
    path through one), None otherwise: in `--db`'s words (sync_paths). Why: its mode cannot be read,
    so nothing was checked, and the atomic rename replaced the user's link with the report or
    checkpoint, exit 0."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"cannot use {flag} {path}: a symbolic link loop on the way ({exc.strerror})"
    return None


def too_long(name: str, folder: str | Path, suffix: str = "") -> str | None:
    """Why `name` + `suffix` cannot be a file name in `folder` (past the file system's limit for a
    name, 255 bytes), or None. A default checkpoint beside a long database name was never written,
    in silence; a database name that fit, but not its `-journal`, was SQLite's "unable to open"."""
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return None
    size = len(os.fsencode(name + suffix))
    if size <= limit:
        return None
    beside = f" with {suffix} after it" if suffix else ""
    return f"the name is {size} bytes{beside}, past this file system's {limit}-byte limit for a name"


def not_writable(path: str | Path, mode: int = os.W_OK) -> str | None:
    """Why this process may not write `path` (None: it may): a file system mounted read-only, or
    the permissions. Both were "permission denied", and the user of a read-only mount looked for
    the wrong cause."""
    if os.access(path, mode):
        return None
    try:
        read_only = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    return "read-only file system" if read_only else "permission denied"


def missing_folder(parent: str | Path) -> str:
    """Why a path's folder cannot hold it: absent, or no folder (`plain/x.db` said "folder plain
    does not exist" of a file that is there)."""
    return f"{parent} is not a folder" if os.path.lexists(parent) else f"folder {parent} does not exist"


STDOUT = "-"  # `--report -`, `diff --output -`: standard output, as for most command-line tools
DB_FILES = ("", "-wal", "-shm", "-journal", ".lock")  # the database and the files SQLite and the lock keep beside it


def side_file(db: str | Path) -> str | None:
    """Why `db` may not be a database's name (None: it may): it is the name of a file SQLite keeps
    beside another database (`o.db-wal`, `-shm`, `-journal`), or ontosync its lock (`o.db.lock`).
    `sync --db o.db-wal` made a database there, and the next sync of `o.db` took it for o.db's
    write-ahead log, found no valid log in it and deleted it; `fetch-db --out o.db-wal` replaced
    o.db's log, its last commits with it; a sync of `o.db` wrote its lock over `o.db.lock`. A name
    whose rest has no extension (`research-journal`) is one only when that rest is there."""
    name = Path(db).name
    suffix = next((s for s in DB_FILES if s and name.endswith(s) and name != s), None)
    base = Path(db).with_name(name.removesuffix(suffix)) if suffix else None
    if base is None or not (base.suffix or os.path.lexists(base)):
        return None
    keeper = "ontosync" if suffix == ".lock" else "SQLite"
    return (f"{keeper} keeps its {suffix[1:]} file beside a database {name.removesuffix(suffix)} under that name, "
            f"and opening that one writes over it; give a name that does not end in {suffix}")


def check_distinct(db: str | None, outputs: dict[str, str], flag: str = "--db") -> None:
    """No output is the database (or a file beside it) or another output: `--report x.db` replaced
    the database with the report. Links are followed; FIFOs and devices (/dev/null) may be shared.
    `flag`: the option that names the database (`diff --base` names a second one)."""
    taken = {os.path.realpath(db) + suffix: f"the database ({flag})" for suffix in DB_FILES} if db else {}
    db_file = _stat(db) if db else None
    for output, path in outputs.items():
        real = os.path.realpath(path)
        if real in taken:
            raise OutputError(f"{output} {path}: is {taken[real]}; give another path")
        if db_file and not is_special(path) and (out_file := _stat(path)) and os.path.samestat(db_file, out_file):
            # a hard link (`cp -al`): the output replaced that name, and the database's other name was gone
            raise OutputError(f"{output} {path}: is the database ({flag}) under another name (a hard link); give "
                              "another path")
        if not is_special(path):
            taken[real] = f"the {output.lstrip('-')} file"


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def write_text(path: str | Path, text: str) -> None:
    """Written into a FIFO or device at `path` itself, not at its realpath: `/dev/stdout` on a pipe
    (`--report /dev/stdout | jq`) is a link to `pipe:[N]`, which open() follows and realpath turns
    into a path that does not exist (the report was "not written", exit 2, after the sync)."""
    if is_special(path):
        with open(_open_for_writing(path), "w", encoding="utf-8") as fh:
            fh.write(text)
        return
    data = text.encode("utf-8")
    real = os.path.realpath(path)
    replace_atomically(real, lambda fh: fh.write(data), _mode_for(real))


def _mode_for(real: str) -> int:
    """The permissions of the file an output replaces (a report the user made private, 0600, became
    the umask's 0644 at each run); a new one gets those any new file gets here, not its temp file's 0600."""
    mode = file_mode(real)
    return stat.S_IMODE(mode) & 0o777 if mode is not None and stat.S_ISREG(mode) else 0o666 & ~current_umask()


FIFO_READER_WAIT_S = 5.0  # how long a FIFO's reader may take to open it


def _open_for_writing(path: str | Path) -> int:
    """A FIFO or device opened for writing. A plain open() of a FIFO waits for a reader for ever:
    `--report` naming one nobody reads hung the sync after its work, `diff --output` at once. The
    reader may come a moment later (`ontosync ... --report f & cat f`); after FIFO_READER_WAIT_S
    without one, an OSError says so."""
    deadline = time.monotonic() + FIFO_READER_WAIT_S
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: a FIFO that no process has open for reading
                raise
            if time.monotonic() >= deadline:
                raise OSError(errno.ENXIO, f"a FIFO nobody reads (waited {FIFO_READER_WAIT_S:g} s)") from None
            time.sleep(0.05)
            continue
        os.set_blocking(fd, True)
        return fd


def write_json(path: str | Path, data: object) -> None:
    """The report: JSON as `console.json_text` makes it, written as `write_text` writes. A path's byte
    that is not UTF-8 (a lone surrogate: `--db 'd\xff/o.db'` named in a warning) is its escape: it
    was a UnicodeEncodeError traceback after the whole sync, the report lost."""
    write_text(path, json_text(data))


def write_report(path: str, report: dict) -> None:
    """The run report at `path`, or on standard output for `--report -` (STDOUT), as `diff --output -`
    writes there: a file named `-` was written, and nothing printed."""
    if path != STDOUT:
        write_json(path, report)
        return
    sys.stdout.write(json_text(report) + "\n")  # a terminal's: escaped as status --json is
    sys.stdout.flush()  # a failure here is the report's ("not written"), not a later one of the exit


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
