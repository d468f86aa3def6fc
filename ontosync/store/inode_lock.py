"""The sync lock's second half: a lock on the database file itself, which every name of it shares.

`<db>.lock` is found through the name given (its links resolved), so two hard links of one file
(`ln real.db hard.db`, a backup made with `cp -al`) had two lock files, and two syncs wrote into the
one database at once. A lock on the file's inode cannot be told two names. It is an open file
description lock (Linux `F_OFD_SETLK`) on one byte past the range SQLite locks (its PENDING byte at
1 GiB and the 511 after it): SQLite's own POSIX locks never meet it, closing one of SQLite's
descriptors does not drop it (a process-owned POSIX lock would go), and on NFS it is a byte-range
lock there too, which no reader's lock overlaps. Where such locks do not exist (not Linux), or the
file cannot be opened for writing (the sync then fails on its own read-only line), `<db>.lock`
alone keeps two syncs apart, as before.

The descriptor is held until the sync's lock is released, after every connection is closed:
closing a descriptor of a file drops the process's POSIX locks on it, SQLite's included. A forked
child (a parse worker) closes its copy at once: an open file description's lock lasts while any
descriptor of it is open, so a killed sync's worker, still parsing, held the lock and kept the next
sync waiting (or busy) until it noticed its parent was gone.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import struct

# SQLite's lock bytes: PENDING at 0x40000000, RESERVED after it, then 510 SHARED bytes (os_unix.c)
LOCK_BYTE = 0x40000000 + 4096
_FLOCK = "hhqqi4x"  # struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid


def open_inode(db_path: str) -> int | None:
    """A read-write descriptor of the database file, or None (none there yet, none allowed, or no
    open file description locks here)."""
    if not hasattr(fcntl, "F_OFD_SETLK"):
        return None
    try:
        fd = os.open(db_path, os.O_RDWR | os.O_CLOEXEC | os.O_NONBLOCK)  # a FIFO there would block
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


_HELD: set[int] = set()  # this process's descriptors holding a lock, this one or `<db>.lock`'s (`forget`)


def _close_in_child() -> None:
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


def close_in_children(fd: int) -> None:
    """A forked child closes `fd`: a lock held through an open file description (this module's, and
    `<db>.lock`'s flock, store/lock.py) lasts while any copy of the descriptor is open."""
    _HELD.add(fd)


def forget(fd: int) -> None:
    """`fd` is being closed by its owner: no child needs to close it any more."""
    _HELD.discard(fd)


def try_lock(fd: int) -> bool | None:
    """Lock the file's byte: True when taken, False when another description holds it, None when
    this file system refuses such locks (then `<db>.lock` alone decides)."""
    request = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, LOCK_BYTE, 1, 0)
    try:
        fcntl.fcntl(fd, fcntl.F_OFD_SETLK, request)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return False
        return None
    close_in_children(fd)
    return True

