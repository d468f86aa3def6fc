"""The one way a command tells the user something went wrong: `ontosync: <message>` on stderr.

Also what goes with it: `Stopped` (a command's "stop with this line and this exit code", which
cli.py's main says), `verdict` (how `verify` ends on either database), and the standard streams
kept usable when closed or when their reader went away (`open_standard_streams`, `drop_output`).

Below every layer (it imports nothing of ontosync but db_url, a bottom module too), so the CLI and
`fetch-db` print alike.
"""

from __future__ import annotations

import codecs
import errno
import io
import json
import os
import re
import sys


class Stopped(Exception):
    """A command stops with this one line, after `word`, and exit `code` (cli.py's main says it)."""

    word, code = "fatal", 3


def say(message: str) -> None:
    """One line on stderr; a PostgreSQL password in it (a URL, a driver's message) is masked."""
    from ontosync.db_url import mask

    try:
        print(f"ontosync: {printable(mask(message))}", file=sys.stderr)
    except OSError:  # `2>&1 | head` once head is done, `2>>log` on a full disk: the exit code still tells
        drop_output(sys.stderr)


# Bidirectional overrides and isolates, line and paragraph separators: text shown reversed or split
BIDI_CHARS = "\u2028\u2029\u202a-\u202e\u2066-\u2069"  # for a regex character class
UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\udc80-\udcff{BIDI_CHARS}]")  # what printable escapes (diff_format too)


def printable(text: object) -> str:
    """User text for a terminal, a log line or a summary: control characters shown as `\\xNN`, a
    file name's byte that is not UTF-8 too, and bidirectional overrides as `\\u202e` (a file name
    would read reversed in the job summary). Every message goes through it (`say`): a database
    path holding a newline split a one-line message in two, an escape sequence reached the terminal."""
    return UNSAFE.sub(lambda m: escaped_char(m.group(0)), str(text))


def json_text(data: object) -> str:
    """`data` as JSON (indented, each script as itself) with the characters a terminal obeys or
    lays out written as `\\u` escapes: C1 controls (U+009B is CSI), bidirectional overrides and
    isolates, line separators. Why: `status --json` printed a stored revision's U+202E raw, and a
    person reading the JSON, as most do in a terminal, saw the line turned round. The JSON is data:
    an escape is the same value to every JSON reader (json.dumps escapes C0 controls already), and
    these characters occur only inside strings, where an escape is valid. A file name's byte that
    is not UTF-8 (a lone surrogate) is its escape too, which no file could be written with."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def listed(names: list[str]) -> str:
    """`names` joined with ", ", each that holds a comma or a quote, starts or ends in a space, or
    is empty shown as a JSON string ("a, b"). Why: `status` listed an ontology id `ex:a, ex:b`
    as two ontologies; a plain id (an IRI, a path) reads as itself, as before."""
    return ", ".join(json.dumps(n, ensure_ascii=False) if _QUOTED.search(n) or not n.strip() or n != n.strip()
                     else n for n in names)


def counted(n: int, word: str) -> str:
    """`n` and `word`, plural but for one: `--retries 1` read "after 1 attempts"."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


_QUOTED = re.compile(r'[,"]')
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f\udc80-\udcff{BIDI_CHARS}]")  # and a file name's byte not UTF-8


def escaped_char(ch: str) -> str:
    """The escape of one character `UNSAFE` matches: `\\xNN` up to U+009F, `\\uNNNN` above; a file
    name's byte that is not UTF-8 (a lone surrogate) as the byte, `\\xNN` (diff_format's too)."""
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0x9F else f"\\u{code:04x}"


def kind_of(mode: int) -> str:
    """What a file that is no regular file is, in the user's words (`mode`: its st_mode)."""
    import stat

    if stat.S_ISDIR(mode):
        return "a folder"
    return "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device or a socket"


def not_there(what: str, path: object, wanted: str = "a regular file") -> str:
    """Why `path` is no `what`: not there at all, or there but not `wanted` (a folder, a FIFO, a
    file given as the source): "not found" of a file the user can list misled. A URL's user info is
    hidden: `sync https://u:TOKEN@host/repo` printed the token."""
    from ontosync.db_url import is_url, shown_db

    shown = shown_db(path) if isinstance(path, str) and is_url(path) else path
    if reason := too_long_path(path):
        return f"{what} {shown}: {reason}"
    if not os.path.lexists(path):
        return f"{what} not found: {shown}"
    return f"{what} {shown}: not {wanted}"


def too_long_path(path: object) -> str | None:
    """Why `path` can name no file on this system (None: it may): a name in it over NAME_MAX bytes
    (255), or the whole path over PATH_MAX (4096) as given or once made absolute. `Path.is_file()`
    and the like raise there (ENAMETOOLONG): a traceback, where one line says it."""
    text = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else str(path)
    for candidate in (text, os.path.abspath(text)):
        try:
            os.stat(candidate)
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:
                return _too_long(candidate)
    return None


def _too_long(path: str) -> str:
    longest = max(len(os.fsencode(part)) for part in path.split("/"))
    name_max = _limit("PC_NAME_MAX", 255)
    what = (f"a name in it is longer than {name_max} bytes" if longest > name_max else
            f"longer than {_limit('PC_PATH_MAX', 4096)} bytes")
    return f"the path is too long for this system ({what})"


def _limit(name: str, default: int) -> int:
    try:
        return os.pathconf("/", name)
    except (OSError, ValueError):
        return default


def unusable_db_path(db: str) -> str | None:
    """Why a SQLite `--db` path can name no file (None: it may, or it is a server's URL): a
    URL or connection string ontosync does not take (db_url.not_a_path), a PostgreSQL URL libpq would
    misread for an unencoded `@` or its parameters (db_url.url_problem), a folder's name
    (db_url.folder_name), or a path past the system's limits (`too_long_path`)."""
    from ontosync.db_url import folder_name, is_postgres_url, not_a_path, url_problem

    if db == "-":  # `--report -` and `diff --output -` print; `--db -` made a database file named `-`
        return "standard input and output cannot hold a database: give a path"
    return (not_a_path(db) or url_problem(db) or folder_name(db)
            or (None if is_postgres_url(db) else too_long_path(db)))


def no_database(path: object) -> str | None:
    """Why `path` is no database a reading command can read (None: a file to open): not there, not
    a regular file, or empty. SQLite takes a 0-byte file (`touch ontology.db`, a download cut short)
    as an empty database, and `sync` fills it; `status`, `verify`, `diff` and `search` gave it
    four verdicts (not ontosync's, not SQLite, no change log, cannot search) under two exit codes."""
    if not os.path.isfile(path):
        return not_there("database", path)
    if os.path.getsize(path) == 0 and not _has_bytes(f"{path}-wal"):  # a WAL may hold its first pages
        return f"database {path}: an empty file (0 bytes), no ontosync database yet; `ontosync sync` creates one in it"
    return None


def _has_bytes(path: str) -> bool:
    try:
        return os.path.getsize(path) > 0
    except OSError:
        return False


def verdict(problems: list[str], shown: str, ok_line: str) -> int:
    """What `verify` ends with on either database: each problem on its own line and exit 3, or the
    one line that says which checks passed (on stdout) and exit 0."""
    if problems:
        for p in problems:
            say(f"verify: {p}")
        say(f"verify failed: {shown} fails its checks (above)")
        return 3
    print(f"{printable(shown)}: {ok_line}")
    return 0


def drop_output(stream) -> None:
    """Send what is still written to `stream` (a pipe whose reader went away) to the null device,
    so the next write or the flush at exit does not raise BrokenPipeError again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def open_standard_streams() -> None:
    """Open a standard descriptor the caller closed (`status >&-`, `sync 2>&-`, a daemon) on the
    null device, so its output is dropped as with `>/dev/null`. Else the interpreter leaves
    sys.stdout (or sys.stderr) None: a flush or a progress line raised AttributeError (a traceback,
    exit 1, after the work was done), and the next file the run opened took the free number, where
    a stray write meant for the terminal would land."""
    for fd, name, flags in ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_WRONLY), (2, "stderr", os.O_WRONLY)):
        try:
            os.fstat(fd)
            continue
        except OSError:
            pass
        new = os.open(os.devnull, flags)
        if new != fd:
            os.dup2(new, fd)
            os.close(new)
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, "r" if fd == 0 else "w", closefd=False))  # noqa: SIM115
    _whole_writes_to_stdout()


class OutputLost(OSError):
    """Standard output took part of what was written and refused the rest (a file at `ulimit -f`,
    a full disk, an I/O error): what the user holds is short, so the command may not end well."""


class _WholeWrites(io.RawIOBase):
    """Standard output's descriptor, written whole or not at all: each write loops over what the
    kernel took. CPython's own writer, handed a partial write of a long text (`diff` prints its
    JSON in one call), kept no error and dropped the rest: `diff > changes.json` at a size limit
    left a short file and exit 0. The failure after a partial write is raised as `OutputLost`
    (a reader gone away stays BrokenPipeError: exit 141, silent)."""

    def __init__(self, fd: int):
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            try:
                done += os.write(self._fd, view[done:])
            except BrokenPipeError:
                raise
            except OSError as exc:
                raise OutputLost(exc.errno, exc.strerror) from None
        return done


def flush_output() -> None:
    """Flush standard output; a failure other than a reader gone away is `OutputLost`, whatever
    writer the stream has (the CLI's `_WholeWrites`, or one a caller gave: the Action, a test)."""
    try:
        sys.stdout.flush()
    except (BrokenPipeError, OutputLost):
        raise
    except OSError as exc:
        raise OutputLost(exc.errno, exc.strerror) from None


def _whole_writes_to_stdout() -> None:
    """sys.stdout over `_WholeWrites`, with the encoding and buffering the interpreter chose, and
    `ESCAPE` for what that encoding cannot hold."""
    old = sys.stdout
    try:
        fd = old.fileno()
        old.flush()
    except (AttributeError, OSError, ValueError):  # not a real descriptor (a test's capture): left alone
        return
    raw = _WholeWrites(fd)
    # unbuffered as the interpreter made it under `python -u` / PYTHONUNBUFFERED, else buffered
    buffer = io.BufferedWriter(raw) if isinstance(getattr(old, "buffer", None), io.BufferedWriter) else raw
    sys.stdout = io.TextIOWrapper(buffer, encoding=old.encoding, errors=ESCAPE,
                                  line_buffering=old.line_buffering, write_through=old.write_through)


ESCAPE = "ontosync-json-escape"


def _json_escape(exc: UnicodeError) -> tuple[str, int]:
    """What standard output cannot encode (an ASCII-only locale, PYTHONIOENCODING=ascii; a file
    name's undecodable byte even in UTF-8) is written as JSON's `\\uXXXX` (a surrogate pair above
    U+FFFF): readable in text, and the JSON of `--json`/`--format json` still reads back unchanged.
    Without it a label like `Élan` ended `search`, `diff` and `status --json` in a
    UnicodeEncodeError traceback."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for char in exc.object[exc.start:exc.end]:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), exc.end


codecs.register_error(ESCAPE, _json_escape)


def environment_failure(exc: Exception) -> str | None:
    """What the process's surroundings, not the input, broke, in words (else None: a bug, which
    keeps its traceback): the working folder deleted under it (a relative path cannot resolve),
    too few file descriptors for the workers' pipes (`ulimit -n`)."""
    try:
        os.getcwd()
    except FileNotFoundError:
        return "the working folder no longer exists (deleted while ontosync ran?): cd to an existing folder, " \
               "or give absolute paths"
    if isinstance(exc, OSError) and exc.errno == errno.EMFILE:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        return f"too many open files: the limit is {limit} (`ulimit -n`); raise it, or lower --workers"
    return None
