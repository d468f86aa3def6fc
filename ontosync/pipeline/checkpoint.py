"""The checkpoint: a small JSON file, rewritten atomically (temp file, then rename).

It holds counters and the failed files, never the list of processed files: the database already
knows which files are committed (their blob hashes), so resuming only needs to know that a run
was interrupted, when it started, and for which source. Its size does not grow with progress.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ontosync.db_url import is_postgres_url, mask, schema_for
from ontosync.pipeline.outputs import file_mode, write_text
from ontosync.sources import SourceInterrupted
from ontosync.store.sync_records import finished_checkpoint

VERSION = 1
MAX_BYTES = 64 * 1024 * 1024


@dataclass
class Checkpoint:
    source: str
    revision: str | None
    started_at: str
    last_checkpoint_at: str
    total_files: int = 0
    processed: int = 0
    failed: list[dict] = field(default_factory=list)
    finished: bool = False
    version: int = VERSION

    database: str = ""  # whose checkpoint it is (`database_name`); "" in one an older ontosync wrote

    @classmethod
    def load(cls, path: str | Path) -> Checkpoint | None:
        """The checkpoint at `path`, or None when absent or unreadable (then there is nothing to resume)."""
        return cls.read(path)[0]

    @classmethod
    def read(cls, path: str | Path) -> tuple[Checkpoint | None, str | None]:
        """(the checkpoint at `path`, None), or (None, why it is not read: None when absent).
        Garbage is unreadable too, however it is made (deeply nested JSON raises RecursionError), and
        so is JSON whose fields do not have their types, or a newer ontosync's (its fields may mean
        something else): `started_at: 5` was a traceback at the first unchanged file, and
        `started_at: "0"` took every recorded file for one the interrupted run committed, so a
        `--full` run reparsed none. Not resuming costs time only: unchanged files are still known."""
        try:
            data = json.loads(_read_capped(path) or "null")
            ckpt = cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except TooLarge as exc:
            return None, str(exc)
        except (OSError, ValueError, TypeError, RecursionError):
            ckpt = None
        if ckpt is not None and ckpt._sound():
            return ckpt, None
        return None, f"{path} is not a checkpoint this ontosync reads" if os.path.lexists(path) else None

    def _sound(self) -> bool:
        """Every field of its type, `started_at` a time, and a version this ontosync writes."""
        typed = (isinstance(self.source, str) and isinstance(self.revision, (str, type(None)))
                 and all(_is_time(t) for t in (self.started_at, self.last_checkpoint_at))
                 and all(_is_count(n) for n in (self.total_files, self.processed, self.version))
                 and isinstance(self.failed, list) and all(isinstance(f, dict) for f in self.failed)
                 and isinstance(self.finished, bool) and isinstance(self.database, str))
        return typed and self.version <= VERSION

    def __post_init__(self) -> None:
        # the JSON of each entry of `failed` encoded so far (not a field: the file does not hold it);
        # encoded by `text()`, so a checkpoint loaded only to be read encodes nothing
        self._failed_json: list[str] = []

    def save(self, path: str | Path) -> None:
        write_text(path, self.text())

    def add_failed(self, path: str, error: str) -> None:
        """Add a failed file; `failed` only grows (appended here), so `text()` encodes only its new entries."""
        self.failed.append({"path": path, "error": error})

    def text(self) -> str:
        """The file's content as of now (pipeline/checkpoint_writer.py writes it later).

        Each entry of `failed` is encoded once, at the first text() after it came, not again at every checkpoint:
        `json.dumps(asdict(self))` encoded (and deep-copied) the whole list each time, so a run whose
        files fail spent time quadratic in their count on its checkpoints (4,000 failed files: 12 s
        of 30; CONTRACT section 4: writing checkpoints stays a small share of the run)."""
        self._failed_json.extend(json.dumps(f, ensure_ascii=False) for f in self.failed[len(self._failed_json):])
        head = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "failed"}
        # `database`, a real path, may hold a name that is not UTF-8 (a surrogate, unwritable: a traceback
        # at the first checkpoint): written as JSON's escape of it (`\udcff`), which reads back the same
        text = json.dumps(head, indent=1, ensure_ascii=False).encode("utf-8", "backslashreplace").decode("utf-8")
        return text[:-2] + ',\n "failed": [' + ", ".join(self._failed_json) + "]\n}"

    def resumable_for(self, source: str, owner: str, finished_start: str | None = None) -> bool:
        """An interrupted sync of this source into this database (`checkpoint_owner`; "" on either
        side, a default checkpoint or an older ontosync's file, is no objection). `finished_start`:
        the database's record of its last finished run's checkpoint (store/sync_records.py
        `finished_checkpoint`): a checkpoint that started then was that run's, left unreplaced."""
        return (not self.finished and self.source == source and not self.owned_by_another(owner)
                and not self.unreplaced(finished_start))

    def unreplaced(self, finished_start: str | None) -> bool:
        """The first checkpoint of a run that finished and could not replace it (its folder
        read-only, a full disk): unfinished, started when the database's last finished run did
        (`finished_start`). The one test of it, for the sync (not resumed) and `status` (said so)."""
        return not self.finished and self.started_at == finished_start

    def owned_by_another(self, owner: str) -> bool:
        """An unfinished sync of another database, which a sync of `owner` must not replace: two
        databases given one `--checkpoint` resumed each other's runs. A database file no longer at
        the path it records is taken for this one, moved (a CI cache restored under another folder)."""
        if self.finished or "" in (self.database, owner) or self.database == owner:
            return False
        return not os.path.isabs(self.database) or os.path.lexists(self.database)


def resume_since(path: str, source: str, owner: str, conn) -> str | None:
    """The `started_at` of the interrupted sync the run resumes (the checkpoint at `path`), or None.
    Not a checkpoint that started when the database's last finished run did (`finished_checkpoint`)."""
    previous = Checkpoint.load(path)
    if previous is None or not previous.resumable_for(source, owner, finished_checkpoint(conn)):
        return None
    return previous.started_at


def checkpoint_owner(settings) -> str:
    """The database a checkpoint belongs to, as it records it: a file by its real path (`--db ./o.db`
    and `--db o.db` are one), a server's by its schema and a digest of the server and database its
    URL names (a checkpoint holds no URL). "" for an SQLite database's default checkpoint, named
    after its database already (a folder moved with both keeps resuming); a PostgreSQL database's
    default is named after its schema alone (`ontosync-<schema>.checkpoint.json` in the working
    folder), which two servers' syncs of one source share, so it records its owner too."""
    postgres = is_postgres_url(settings.db)
    if not settings.checkpoint and not postgres:
        return ""
    if not postgres:
        return file_owner(settings.db, settings.checkpoint)
    # (Settings.checkout: read once a sync; asked again here, `.git/config` was read twice)
    return schema_owner(settings.db, schema_for(settings.db, settings.source, settings.checkout))


def schema_owner(url: str, schema: str) -> str:
    """A PostgreSQL schema's owner of a checkpoint (`checkpoint_owner`; `status` asks it too, of the
    schema it reads): named or default checkpoint alike."""
    server = hashlib.sha256(_server_of(url).encode()).hexdigest()[:12]
    return f"schema {schema} on PostgreSQL server {server}"


def file_owner(db: str, checkpoint: str | None) -> str:
    """An SQLite database's owner of a checkpoint (`checkpoint_owner`; `status` asks it too): its real
    path when the checkpoint is named (`--checkpoint`), "" for its default one."""
    return os.path.realpath(db) if checkpoint else ""


def _server_of(url: str) -> str:
    """The server and database a PostgreSQL URL names (host lower-cased, port 5432 when unsaid,
    database, and the query's `host`, `port`, `dbname`), without the role, its password or the
    session's options: a run resumed with `?options=-c statement_timeout=...` added or dropped,
    another role, or `db.example:5432` for `DB.example` is one database's."""
    try:
        parts = urlsplit(url)
        port = parts.port or 5432
    except ValueError:  # malformed (`[::1`, a port that is no number): the connection refuses it, one line
        return mask(url)
    query = parse_qs(parts.query)
    return repr(((parts.hostname or "").lower(), port, parts.path, *(query.get(k) for k in ("host", "port", "dbname"))))


class TooLarge(ValueError):
    """A file past MAX_BYTES: no checkpoint is that large."""


def _read_capped(path: str | Path) -> str | None:
    """The text of the regular file at `path` (None for anything else: a FIFO would block), refused
    past MAX_BYTES: a file of gigabytes there (a name given by mistake) was read whole into memory.
    A checkpoint holds counters and the failed files: 64 MiB is ~200,000 failures."""
    mode = file_mode(os.fspath(path))
    if mode is None or not stat.S_ISREG(mode):
        return None
    with open(path, "rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge(f"{path} is larger than {MAX_BYTES} bytes, more than a checkpoint holds")
    return data.decode("utf-8")


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_time(value: object) -> bool:
    """An ISO 8601 time in UTC, as `utc_now` writes it (compared as text with the database's)."""
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).utcoffset() == timedelta(0)
    except ValueError:
        return False


def checkpoint_info(path: str, owner: str = "", finished_start: str | None = None) -> tuple[dict | None, str | None]:
    """What `status` shows of the checkpoint at `path`: (its fields, None), or (None, why it is
    not read) for a file there that `load` refuses (garbage, another program's JSON, a newer
    ontosync's), which `status` called "none" as if no file were there; (None, None) when absent.
    `owner`: the database status reads (`checkpoint_owner`); `of_another` names the database whose
    unfinished sync it is when that is another (status said a sync resumed it, which refuses it).
    `finished_start`: the database's `finished_checkpoint`; `unreplaced`: the checkpoint is the first
    one of that finished run, which could not replace it (status said a sync resumed it; none does)."""
    ckpt, why = Checkpoint.read(path)
    if ckpt is not None:
        unreplaced = ckpt.unreplaced(finished_start)
        return {"source": ckpt.source, "revision": ckpt.revision, "started_at": ckpt.started_at,
                "last_checkpoint_at": ckpt.last_checkpoint_at, "processed": ckpt.processed,
                "total_files": ckpt.total_files, "finished": ckpt.finished or unreplaced, "failed": len(ckpt.failed),
                "of_another": ckpt.database if ckpt.owned_by_another(owner) else None, "unreplaced": unreplaced}, None
    return None, why and f"unreadable: {why}; nothing resumes from it, and the next sync replaces it"


def interrupted_words(saved: bool) -> str:
    """An interrupted run's last line: "the checkpoint is saved" only when its last write was (a
    read-only folder, a full disk: it was said all the same, under the warning saying it was not)."""
    if saved:
        return ("interrupted: the checkpoint is saved and every counted file is committed; run the same command "
                "again to resume")
    return ("interrupted: every counted file is committed, but the checkpoint is not saved (its warning says why); "
            "run the same command again to go on")


def last_words(exit_code: int, message: str | SourceInterrupted | None, saved: bool) -> str | None:
    """A stopped run's last line once its last checkpoint is written, or not (`saved`): an interrupt's,
    or the source's stop (GitHub down mid-run said "the checkpoint is saved" of one not saved)."""
    if exit_code == 130:
        return interrupted_words(saved)
    return message.said(saved) if isinstance(message, SourceInterrupted) else message
