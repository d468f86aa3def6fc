"""One sync per database at a time, and naming who holds a database when it is busy.

`SyncLock` is an OS lock (`fcntl.flock`) on `<db>.lock`, taken by `sync` and `migrate` before
anything is written, and held to the end. The kernel drops it when its holder exits in any way
(a crash, SIGKILL), so a dead holder never blocks the next run; the file itself stays. While held,
the file says who holds it (pid, host, start time, source), which the run that waits for it names
when `--lock-timeout` runs out (exit 4). A run that leaves nothing else (refused before writing, a
first sync stopped before any file or interrupted before its database was there) removes the lock
file it created itself (`drop`), under its lock: a run that opened the old file meanwhile finds,
once it holds it, that the name no longer leads there, and opens the name again (`_named`); else
two runs would lock two different files.
Readers (`verify`, `status`, anyone with sqlite3) never take it: SQLite's WAL keeps them unblocked.

`describe_writers` names the processes that hold POSIX locks on the database's files (from
/proc/locks, Linux), for the message of a write that stayed locked past the retry budget: that
writer need not be an ontosync sync.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
import time
from pathlib import Path

from ontosync.store import inode_lock
from ontosync.store.migrations import utc_now
from ontosync.store.upgrade_errors import UpgradeError

POLL_S = 0.2
# How long `migrate` waits for a sync's lock (SQLite and PostgreSQL): a fixed wait, since `migrate`
# has no --lock-timeout; its busy line names this wait, not the sync's option.
MIGRATE_WAIT_S = 30.0
SYNC_WAIT = "--lock-timeout"  # what a sync's busy line calls its wait
MIGRATE_WAIT = "migrate's wait"
HARD_LINKED = ("through another name of the same file (a hard link; that name's .lock file names the "
               "holder)")


class LockBusy(Exception):
    """Another sync holds the database past --lock-timeout: exit 4, with this message."""


class LockUnavailable(Exception):
    """The lock file cannot be opened at all: exit 2, like an unwritable database path."""


def lock_path(db_path: str | Path) -> str:
    """The lock file of the database file `db_path` names: beside the file its links lead to, as
    SQLite keeps its -wal there. Beside the name given, `--db link.db` and `--db real.db` took two
    locks on one database, and two syncs ran into it at once."""
    return os.path.realpath(db_path) + ".lock"


class SyncLock:
    def __init__(self, db_path: str | Path, source: str, timeout: float, wait: str = SYNC_WAIT):
        self.path = lock_path(db_path)
        self.db_path = str(db_path)
        self.source = source
        self.timeout = timeout
        self.wait = wait  # what the busy line calls the timeout: the option (or wait) that set it
        self.fd: int | None = None
        self.inode_fd: int | None = None  # the database file's descriptor, while it holds its lock
        self._file_held = False  # the last try found the file's own lock held (a hard link's sync)
        self.sound_stamp: list[int] | None = None  # what the last holder left: see `leave_sound`
        self._leave: list[int] | None = None
        self.created = False  # this run made the lock file (`drop` may remove it)

    def __enter__(self) -> SyncLock:
        self.acquire()
        return self

    def __exit__(self, _type: object, exc: object, _tb: object) -> None:
        # refused or rolled back: the database is as it was; interrupted before there was one
        if isinstance(exc, UpgradeError) or (isinstance(exc, KeyboardInterrupt) and not os.path.lexists(self.db_path)):
            self.drop()
        self.release()

    def acquire(self) -> None:
        fd = self._open()
        deadline = time.monotonic() + max(0.0, self.timeout)
        while True:
            if self._take(fd):
                if self._named(fd):
                    break
                self._close_inode()  # held, but a refused run removed it (`drop`): the name's file now
                os.close(fd)  # drops the flock
                fd = self._open()
                continue
            if time.monotonic() >= deadline:
                holder = HARD_LINKED if self._file_held else f"({_read_holder(fd)})"
                self._close_inode()
                os.close(fd)
                raise LockBusy(f"database {self.db_path} is busy: another sync holds it {holder}; waited "
                               f"{self.timeout:g} s ({self.wait}). Nothing was written; run again later.")
            time.sleep(POLL_S)
        self.fd = fd
        inode_lock.close_in_children(fd)  # a parse worker forked later must not keep the flock (a killed sync)
        self.sound_stamp = _read_sound_stamp(fd)
        # the host name as socket.gethostname() gives it on POSIX, without importing socket (issue 18)
        info = {"pid": os.getpid(), "host": os.uname().nodename, "started_at": utc_now(), "source": self.source}
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)

    def _take(self, fd: int) -> bool:
        """Both locks, or neither: `<db>.lock`, then the database file's own (store/inode_lock.py),
        which another name of the same file (a hard link) holds when `<db>.lock` is free."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):  # a file system without locks (ENOLCK: NFS
                os.close(fd)  # without lockd, some FUSE): a traceback, where one line says it all
                raise LockUnavailable(f"cannot lock {self.path}: {exc.strerror}; a file system without "
                                      "file locks cannot keep two syncs apart: put the database on a "
                                      "local disk") from None
            self._file_held = False
            return False
        if self.inode_fd is None:
            self.inode_fd = inode_lock.open_inode(self.db_path)
        taken = None if self.inode_fd is None else inode_lock.try_lock(self.inode_fd)
        self._file_held = taken is False
        if self._file_held:  # the sync of another name of this file holds it: wait for that one
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        if taken is None:  # a new file, or one that takes no such lock: `<db>.lock` alone decides
            self._close_inode()
        return True

    def _named(self, fd: int) -> bool:
        """Whether the lock file's name still leads to `fd`'s file (see `drop`)."""
        try:
            st = os.stat(self.path, follow_symlinks=False)
        except OSError:
            return False
        held = os.fstat(fd)
        return (st.st_dev, st.st_ino) == (held.st_dev, held.st_ino)

    def drop(self) -> None:
        """Remove the lock file, if this run created it and holds it: a run refused before writing
        anything leaves the folder as it found it (`sync --db notes.txt` left notes.txt.lock)."""
        if self.fd is not None and self.created and self._named(self.fd):
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            self.created = False

    def _close_inode(self) -> None:
        if self.inode_fd is not None:
            inode_lock.forget(self.inode_fd)
            os.close(self.inode_fd)  # after every connection: it drops SQLite's POSIX locks too
            self.inode_fd = None

    def _open(self) -> int:
        """The lock file, read-write; read-only when another user made it (flock works on either).
        Never through a symbolic link: the holder's JSON is written into it (truncated first), and a
        checkout can hold `ontology.db.lock -> ~/.bashrc`."""
        flags = os.O_CLOEXEC | os.O_NOFOLLOW  # a link: ELOOP, said below (no check before: it would race)
        with contextlib.suppress(OSError):  # there already, or not to be made: said below
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL | flags, 0o666)
            self.created = True
            return fd
        self.created = False
        try:
            return self._lock_file_only(os.open(self.path, os.O_RDWR | os.O_CREAT | flags, 0o666))
        except PermissionError as denied:
            try:
                return os.open(self.path, os.O_RDONLY | flags)
            except OSError as exc:
                cause = denied if isinstance(exc, FileNotFoundError) else exc  # none there, and none may be made
                raise self._unavailable(cause) from exc
        except OSError as exc:
            raise self._unavailable(exc) from exc

    def _lock_file_only(self, fd: int) -> int:
        """`fd`, unless the lock file is a hard link of a file that holds no lock (`ln o.db o.db.lock`):
        the holder's name is written over its content, and the database went to 0 bytes. A hard link
        of another lock file (a `cp -al` backup of the folder) holds a lock's JSON, or nothing."""
        st = os.fstat(fd)
        if st.st_nlink < 2 or not stat.S_ISREG(st.st_mode) or _holds_a_lock(fd, st.st_size):
            return fd
        os.close(fd)
        raise LockUnavailable(f"cannot use the lock file {self.path}: it is another name (a hard link) of a file "
                              "that is no lock file, which the lock's writes would overwrite; remove it")

    def _unavailable(self, exc: OSError) -> LockUnavailable:
        if exc.errno == errno.ELOOP:
            with contextlib.suppress(OSError):  # else a loop on the way: the error's own words
                return LockUnavailable(f"cannot use the lock file {self.path}: it is a symbolic link (to "
                                       f"{os.readlink(self.path)}); remove it")
        return LockUnavailable(f"cannot open the lock file {self.path}: {exc.strerror}")

    def leave_sound(self, stamp: list[int] | None) -> None:
        """On release, record that the run left the database sound with this `health.file_stamp`:
        the next sync skips its integrity check while the file keeps it (store/health.py)."""
        self._leave = stamp

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)
            if self._leave is not None:
                os.pwrite(self.fd, json.dumps({"sound": self._leave}).encode(), 0)
        inode_lock.forget(self.fd)
        os.close(self.fd)  # closing drops the flock
        self.fd = None
        self._close_inode()


LOCK_KEYS = {"pid", "host", "started_at", "source", "sound"}  # what acquire and leave_sound write


def _holds_a_lock(fd: int, size: int) -> bool:
    """Whether the file is empty or holds what a lock file holds: one JSON object of a holder's or a
    sound stamp's keys (another JSON file, a checkpoint or a config, is no lock file to write over)."""
    if size == 0:
        return True
    if size > 65536:
        return False
    try:
        info = json.loads(os.pread(fd, size, 0))
        return isinstance(info, dict) and set(info) <= LOCK_KEYS
    except (OSError, ValueError, RecursionError):  # not UTF-8, not JSON, nested past the parser's depth
        return False


def holder_now(db_path: str | Path) -> str | None:
    """Who holds the database's sync lock right now ("pid N on host, ..."), or None. For readers,
    which never wait for it: a shared lock tried once and dropped at once, so a sync starting at
    that instant waits one poll at most."""
    try:
        fd = os.open(lock_path(db_path), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:  # held; or no locks on this file system, where no holder can be known
        return _read_holder(fd) if exc.errno in (errno.EAGAIN, errno.EACCES) else None
    finally:
        os.close(fd)  # drops the shared lock, when taken
    return None


def _read_sound_stamp(fd: int) -> list[int] | None:
    """The stamp a clean release left (`leave_sound`); None after a crash, `migrate` or anything else."""
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        return None
    stamp = info.get("sound") if isinstance(info, dict) else None
    return stamp if isinstance(stamp, list) and all(isinstance(v, int) for v in stamp) else None


def _read_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        info = {}
    if not isinstance(info, dict) or "pid" not in info:
        return "holder unknown: it has not written its name yet"
    if info.get("host") == os.uname().nodename and not _running(info.get("pid")):
        # a holder that may not write the file (another user's) leaves an earlier holder's name there
        return f"holder unknown: the lock file still names pid {info.get('pid')}, which has exited"
    return (f"pid {info.get('pid')} on {info.get('host')}, started {info.get('started_at')}, "
            f"source {info.get('source')}")


def _running(pid: object) -> bool:
    """Whether a process `pid` runs on this host (one of another user's counts: EPERM)."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except (OSError, OverflowError):
        return False
    return True


def describe_writers(db_path: str | Path) -> str:
    """Who holds POSIX locks on the database, its WAL or its shared memory: 'pid N (command)', or a
    plain phrase when that cannot be known (not Linux, another host, open file description locks)."""
    inodes = set()
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            st = os.stat(f"{db_path}{suffix}")
            inodes.add(st.st_ino)
    pids = set()
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) > 5 and parts[1] == "POSIX":
                    with contextlib.suppress(ValueError, IndexError):
                        if int(parts[5].split(":")[2]) in inodes and int(parts[4]) != os.getpid():
                            pids.add(int(parts[4]))
    except OSError:
        return "another process (its name cannot be read here)"
    if not pids:
        return "another process (not found among this machine's lock holders)"
    return ", ".join(f"pid {pid} ({_command(pid)})" for pid in sorted(pids)[:5])


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return " ".join(raw.decode("utf-8", "replace").replace("\0", " ").split())[:120] or "?"
