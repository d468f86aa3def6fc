"""The first parse worker, forked as `ontosync sync` starts, before the run knows its settings.

A run's first file waited for the coordinator's start (the store's and the pipeline's imports, the
database's preparation, the plan: ~70 ms) and then for its worker's own (the parsers' imports,
~15-70 ms): on PATO, one file, and at the start of a corpus sync, the writer has nothing else to do
meanwhile (issue 18, thirteenth round). Forked first, the worker imports its parsers while the
coordinator starts, then waits on its pipe for the run's settings (`workers.Setup`), which the pool
sends when it adopts it as its first worker (`ParsePool(early=...)`).

It is forked with `os.fork` over two plain pipes, not through multiprocessing: a run that needs no
worker (a no-op re-sync, an error before the run) ends it without importing multiprocessing (~8 ms,
and tests/test_fixed_costs.py keeps a no-op free of it), by closing its pipes and killing it: it has
read no file and holds nothing. It closes the coordinator's ends of its pipes, so a coordinator that
dies (even by SIGKILL) before adopting it gives it EOF at once; after that the worker's own watch
of its parent's pid applies (workers._worker_main). Only where the pool forks too (Linux), and only
with two CPUs or more: on one, its imports would take the coordinator's CPU while it starts.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import time
from typing import Any

# What the early worker imports while it waits: the Logseq reader and the RDF one (which the Logseq
# reader uses for its fences), the parsers of nearly every tree. Functional syntax loads on its first file.
PRELOADED = ("ontosync.parsing.rdf", "ontosync.parsing.class_expressions", "ontosync.parsing.logseq")


# Under this many file descriptors (`ulimit -n`), no early worker: its pipes would take the ones the
# run needs (SQLite's files, the lock), and the pool's own fork says "too many open files" in one line.
FEW_FILES = 64


class Child:
    """A process forked here: as much of multiprocessing.Process as the pool uses (pid, exitcode,
    is_alive, kill, join), the exit code reaped with waitpid."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.exitcode: int | None = None

    def _reaped(self, block: bool = False) -> bool:
        if self.exitcode is None:
            try:
                pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            except ChildProcessError:  # reaped by someone else: gone all the same
                pid, status = self.pid, 0
            if pid:
                self.exitcode = os.waitstatus_to_exitcode(status)
        return self.exitcode is not None

    def is_alive(self) -> bool:
        return not self._reaped()

    def kill(self) -> None:
        if self.exitcode is None:  # not reaped: the pid is still this process's (a zombie at worst)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def join(self, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._reaped():
            if deadline is not None and time.monotonic() >= deadline:
                return
            time.sleep(0.001)


class Duplex:
    """Two one-way multiprocessing Connections, on two pipes, as the one two-way Connection the
    pool and the worker use (send, recv, poll, close, and fileno for `connection.wait`)."""

    def __init__(self, reader: Any, writer: Any) -> None:
        self.reader, self.writer = reader, writer

    def send(self, obj: Any) -> None:
        self.writer.send(obj)

    def recv(self) -> Any:
        return self.reader.recv()

    def poll(self, timeout: float | None = 0.0) -> bool:
        return self.reader.poll(timeout)

    def fileno(self) -> int:
        return self.reader.fileno()

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


def _duplex(read_fd: int, write_fd: int) -> Duplex:
    from multiprocessing.connection import Connection

    return Duplex(Connection(read_fd, writable=False), Connection(write_fd, readable=False))


class EarlyWorker:
    """The coordinator's side: its pipes' ends and the process, until the pool adopts it or the
    command ends without a worker (`dismiss`)."""

    def __init__(self, process: Child, to_child: int, from_child: int) -> None:
        self.process = process
        self.fds: tuple[int, int] | None = (from_child, to_child)

    def adopt(self, setup: Any) -> tuple[Duplex, Child] | None:
        """The worker's connection and process, told the run's settings; None when it is gone
        (the pool then forks one as it did without it)."""
        if self.fds is None:
            return None
        fds, self.fds = self.fds, None
        conn = _duplex(*fds)
        try:
            if not self.process.is_alive():
                raise BrokenPipeError
            conn.send(setup)
        except OSError:
            conn.close()
            self.process.kill()
            self.process.join()
            return None
        return conn, self.process

    def dismiss(self) -> None:
        """End it now, if no pool adopted it: its pipes closed, killed (it may still be importing:
        it has read nothing and holds nothing) and reaped."""
        if self.fds is None:
            return
        for fd in self.fds:
            os.close(fd)
        self.fds = None
        self.process.kill()
        self.process.join()


def start() -> EarlyWorker | None:
    """Fork the early worker, where it helps: None on a system where the pool does not fork
    (not Linux), with one usable CPU or a tight `ulimit -n`, or when the fork fails (the pool then forks as it did)."""
    import resource

    from ontosync.cpus import usable_cpus

    if not sys.platform.startswith("linux") or usable_cpus() < 2:
        return None
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < FEW_FILES:  # the run's pool says what it lacks
        return None
    down_r, down_w = os.pipe()
    up_r, up_w = os.pipe()
    parent = os.getpid()
    gc.freeze()  # as workers._Worker: the child's collections leave the parent's pages shared
    try:
        pid = os.fork()
    except OSError:
        gc.unfreeze()
        for fd in (down_r, down_w, up_r, up_w):
            os.close(fd)
        return None
    if pid == 0:  # the child: never returns into the coordinator's stack
        _child(down_r, up_w, parent, (down_w, up_r))
    gc.unfreeze()
    os.close(down_r)
    os.close(up_w)
    return EarlyWorker(Child(pid), down_w, up_r)


def _child(read_fd: int, write_fd: int, parent: int, theirs: tuple[int, int]) -> None:
    """The early worker: the signals as every worker's (set first: a Ctrl-C or a SIGTERM during its
    imports must not print a traceback), the coordinator's pipe ends closed, the parsers imported,
    then the worker's loop, which waits for the run's settings. Ends with os._exit, whatever happens:
    no atexit handler or buffered output of the coordinator's runs twice."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for fd in theirs:
            os.close(fd)
        conn = _duplex(read_fd, write_fd)
        from ontosync.pipeline import workers

        workers.preload(PRELOADED)
        gc.freeze()  # what it imported lives as long as it does: its collections need not walk it
        workers._worker_main(conn, None, 0, parent)
        code = 0
    except BaseException:  # a worker that cannot start is the pool's lost worker, said there
        code = 1
    finally:
        os._exit(code)
