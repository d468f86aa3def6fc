"""Parse workers: processes, each parsing its tasks one at a time, killed when a file overruns its time.

Threads cannot parse in parallel here (the GIL: measured slower than one thread on this 2-core
machine), so parsing runs in worker processes while the main process writes. Each worker has its
own pipe and a short queue of tasks (`ParsePool.DEPTH`): it parses them in the order sent and
answers in that order, so the coordinator knows which file a worker is parsing (the oldest it has
no answer for) and can kill exactly that worker when the file passes `--file-timeout`; a
replacement starts, the files queued behind it go to another worker without counting an attempt,
and the run goes on. The queue is why a worker is never idle while the writer saves: with one task
each, every file was a full round trip (send, wake, read, parse, send, wake) that the writer waited
for (1,684 waits, 0.33 s of a 2.2 s corpus sync).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ontosync.parsing import ParseOptions, format_for, parse_file_split
from ontosync.parsing.facts import FileFacts, ParseError
from ontosync.pipeline import handover, stat_cache
from ontosync.sources import git_blob_sha
from ontosync.sources.local import read_with_stat
from ontosync.store import own_rows

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


@dataclass
class Task:
    path: str
    blob_sha: str | None
    size: int
    content: bytes | str  # bytes, or a local file path the worker reads
    attempt: int = 1


@dataclass(frozen=True)
class Failure:
    """Why a file has no facts: the message (with its line, when the parser knows it), the kind
    recorded in source_files.error_kind, and whether trying again may help (a read error may)."""
    message: str
    line: int | None = None
    kind: str = "parse"
    retryable: bool = False


@dataclass
class Outcome:
    """A parsed file: its facts, or the failure that stands in for them."""
    task: Task
    facts: FileFacts | None
    blob_sha: str | None
    size: int
    parse_ms: float
    failure: Failure | None = None
    read_stat: tuple | None = None  # a local file's (size, mtime_ns, ctime_ns, inode, read at ns)
    rows_follow: bool = False  # the facts' statements come in a second message (pipeline/handover.py)


def _parse_task(task: Task, options: ParseOptions, max_size: int, split_from: int,
                default_ontology: str | None = None) -> tuple[Outcome, Callable[[], list] | None]:
    """Read and parse one file; every failure becomes an Outcome, never an exception. With
    `split_from` > 0 an RDF file of at least that many bytes comes back without its rows, and with
    the function that extracts them (pipeline/handover.py). With `default_ontology` (the run's) the
    facts carry the store's rows of them (`_prepare_rows`)."""
    started = time.perf_counter()
    sha, size, read = task.blob_sha, task.size, None
    try:
        _maybe_injected_fault("ONTOSYNC_FAULT_SLOW_PARSE", task.path)
        if isinstance(task.content, str):
            data, read = _read(task.content, max_size)
        else:
            data = task.content
        size = len(data)
        sha = git_blob_sha(data)
        facts, rows = parse_file_split(task.path, data, options, split=0 < split_from <= size)
        if rows is None and default_ontology is not None:
            _prepare_rows(task.path, facts, default_ontology)
        return Outcome(task, facts, sha, size, _ms(started), read_stat=read, rows_follow=rows is not None), rows
    except Exception as exc:  # a parser bug must cost one file, not the run
        failure = _failure(exc)
    return Outcome(task, None, sha, size, _ms(started), failure, read), None


def _prepare_rows(path: str, facts: FileFacts, default_ontology: str) -> None:
    """The store's own rows of `facts`, built here rather than by the single writer, the run's
    bottleneck, while this worker has time to spare (store/own_rows.py). A large RDF file whose
    rows follow its facts is left to the writer: its facts are what the writer waits for. Anything
    that fails here fails as it did before, in the writer's save."""
    if facts.skipped:
        return
    with contextlib.suppress(Exception):
        facts.own_rows = own_rows.prepare(path, facts.ontology_id or default_ontology, facts)


def _failure(exc: Exception) -> Failure:
    """What an exception from reading or parsing a file makes of it."""
    if isinstance(exc, ParseError):
        return Failure(_clip(exc.message), exc.line, exc.kind)
    if isinstance(exc, (MemoryError, RecursionError)):
        return Failure(f"file too complex to parse: {type(exc).__name__}")
    if isinstance(exc, OSError):
        return Failure(_clip(f"cannot read: {exc.strerror or exc}"), kind="io", retryable=True)
    return Failure(_clip(f"internal error: {type(exc).__name__}: {exc}"), kind="internal")


def _rows_message(task: Task, rows: Callable[[], list]) -> handover.Rows:
    """The second message of a file whose rows follow its facts: the rows, or the failure."""
    started = time.perf_counter()
    try:
        _maybe_injected_fault("ONTOSYNC_FAULT_SLOW_ROWS", task.path)
        return handover.Rows(rows(), None, _ms(started))
    except Exception as exc:
        return handover.Rows(None, _failure(exc), _ms(started))


def _read(path: str, max_size: int) -> tuple[bytes, tuple]:
    """A local file's bytes, and what the stat cache keeps of it: the fstat of what was read and
    the moment before reading (a write after it stamps a later time: pipeline/stat_cache.py)."""
    read_at = stat_cache.now_ns()
    data, st = read_with_stat(path, max_size)
    return data, (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, read_at)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


MAX_MESSAGE = 1000  # characters of an error message kept: a message may quote a huge input line


def _clip(message: str) -> str:
    """One line of at most MAX_MESSAGE printable characters (it goes to the report, annotations, the db)."""
    text = "".join(ch if ch.isprintable() else " " for ch in message[: MAX_MESSAGE + 1])
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _maybe_injected_fault(variable: str, path: str) -> None:
    """Test hooks (ONTOSYNC_FAULT_SLOW_PARSE: before a file is read and parsed):
    `variable`="<substring>:<seconds>" stalls matching files; "<substring>:crash"
    ends the worker on the spot; "<substring>:interrupt" sends the coordinator a Ctrl-C after half
    a second, then stalls (ONTOSYNC_FAULT_SLOW_ROWS: between a file's facts and its rows)."""
    spec = os.environ.get(variable)
    if spec and ":" in spec:
        needle, what = spec.rsplit(":", 1)
        if needle in path:
            if what == "crash":
                os._exit(70)
            if what == "interrupt":
                time.sleep(0.5)
                os.kill(os.getppid(), signal.SIGINT)
                what = "60"
            time.sleep(float(what))


# The modules a worker imports to parse a file of each format, its first one included: the Logseq
# reader parses Turtle and OWL fences through the RDF reader (pyoxigraph). A no-op run imports none.
PARSER_MODULES = {
    "logseq": ("ontosync.parsing.logseq", "ontosync.parsing.rdf", "ontosync.parsing.class_expressions"),
    "ofn": ("ontosync.parsing.ofn",),
}
RDF_MODULES = ("ontosync.parsing.rdf", "ontosync.parsing.class_expressions")


def _preload_parser(path: str) -> None:
    """Import the parser modules `path` needs here, before a fork, so that the workers inherit them
    (their pages shared with this process, PSS divides them) instead of each importing them on its
    first file (~40-70 ms for the Logseq reader, per worker, and a private copy of each module)."""
    fmt = format_for(path)
    for name in () if fmt is None else PARSER_MODULES.get(fmt, RDF_MODULES):
        if name not in sys.modules:
            with contextlib.suppress(Exception):  # a parser that cannot load fails in the worker, per file
                importlib.import_module(name)


def _worker_main(conn: Connection, options: ParseOptions, max_size: int, parent: int,
                 default_ontology: str | None = None) -> None:
    # Ctrl-C and a terminal's hangup reach the whole process group: the coordinator handles them
    # and stops the workers, so a worker ignores them (no KeyboardInterrupt traceback from a parse,
    # no file lost to a worker gone); SIGTERM ends it silently.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # `parent` is the coordinator's pid, passed by it: read here, after the fork, it would be init's
    # when the coordinator was killed before this line ran, and the worker would wait for ever.
    split_from = handover.split_from()
    while True:
        try:
            # A worker forked later holds copies of the earlier workers' pipe ends, so a killed
            # parent does not always give EOF: check that the parent is still there.
            while not conn.poll(1.0):
                if os.getppid() != parent:
                    return
            task = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if task is None:
            return
        outcome, rows = _parse_task(task, options, max_size, split_from, default_ontology)
        try:
            conn.send(outcome)
            if rows is not None:  # a large RDF file: its rows follow its facts (pipeline/handover.py)
                conn.send(_rows_message(task, rows))
        except OSError:  # the coordinator is gone (a broken pipe): nobody wants the answer
            return
        # Freed now, while the writer saves what was sent, rather than as the worker exits, which
        # the run waits for (PATO: the tree, the store and the rows, ~10 ms).
        outcome = rows = None


SMALL_TASK = 16 << 10  # bytes of content a task may carry to be queued behind another


def _small(task: Task) -> bool:
    """A task that may wait in a worker's pipe behind the one it parses. Queued tasks must fit in
    the pipe's buffer: a big one could block the coordinator's send while the worker blocks
    sending its answer (a local file travels as its path: always small)."""
    return isinstance(task.content, str) or len(task.content) <= SMALL_TASK


class _Worker:
    def __init__(self, ctx: Any, options: ParseOptions, max_size: int, default_ontology: str | None = None):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, daemon=True,
                                   args=(child, options, max_size, os.getpid(), default_ontology))
        # The parent's objects move to the collector's permanent generation for the fork: a forked
        # worker's collections then leave their pages alone, and those stay shared with the parent
        # (PSS divides them) instead of being copied into every worker.
        gc.freeze()
        try:
            self.process.start()
        finally:
            gc.unfreeze()
        child.close()
        self.tasks: deque[Task] = deque()  # sent, not answered yet; the first is the one parsing
        self.rows_pending = False  # the first task's facts came, its rows not yet (pipeline/handover.py)
        self.started = 0.0  # when the first of `tasks` started: sent to an idle worker, or the answer before it came
        self.busy_s = 0.0

    @property
    def task(self) -> Task | None:
        """The task this worker is parsing (None when idle)."""
        return self.tasks[0] if self.tasks else None


class ParsePool:
    """Up to `size` worker processes, started as work arrives (a no-op sync starts none, and does
    not even import multiprocessing), each holding up to DEPTH tasks.

    One worker starts with the first file; another only while the writer keeps waiting for parses
    (`starved`): on a graph of Logseq pages the single writer is the bottleneck, one worker parses
    ahead of it (its queue keeps it busy while the writer saves), and each worker not started saves
    its memory (~13 MB of PSS on the corpus). Large RDF files, where parsing is the slow part, soon
    start the others."""

    WINDOW_S = 0.5  # the writer's waiting is measured over windows this long
    STARVED_SHARE = 0.5  # another worker starts after a window the writer spent over half waiting: parse-bound
    DEPTH = 3  # tasks in flight per worker: the one it parses and two waiting in its pipe

    def __init__(self, size: int, options: ParseOptions, max_size: int, file_timeout: float,
                 default_ontology: str | None = None):
        self.ctx: Any = None  # the multiprocessing context, made with the first worker
        self.default_ontology = default_ontology  # the run's: workers build the store's rows (_prepare_rows)
        self.size = max(1, size)
        self.options = options
        self.max_size = max_size
        self.file_timeout = file_timeout
        self.workers: list[_Worker] = []
        self.returned: list[Task] = []  # queued on a worker that was lost before starting them
        self.before_fork: Callable[[], None] | None = None  # the run's threads end before a fork
        self.exiting: list[_Worker] = []  # told to stop, not joined yet (stop, close)
        self.busy_s = 0.0
        self.started_at = time.perf_counter()
        self.starved = False  # the writer spent the last window waiting for parses (WINDOW_S, STARVED_SHARE)
        self._window = (self.started_at, 0.0)  # (start, seconds waited in it)

    def idle(self) -> _Worker | None:
        for w in self.workers:
            if not w.tasks:
                return w
        if self._may_grow():
            self.starved, self._window = False, (time.perf_counter(), 0.0)  # a new worker needs new evidence
            if self.before_fork is not None:
                self.before_fork()
            w = _Worker(self._context(), self.options, self.max_size, self.default_ontology)
            self.workers.append(w)
            return w
        return None

    def _may_grow(self) -> bool:
        return len(self.workers) < self.size and (not self.workers or self.starved)

    def _waited(self, seconds: float) -> None:
        start, waited = self._window
        now = time.perf_counter()
        if now - start < self.WINDOW_S:
            self._window = (start, waited + seconds)
            return
        self.starved = waited + seconds > self.STARVED_SHARE * (now - start)
        self._window = (now, 0.0)

    def _context(self) -> Any:
        if self.ctx is None:
            import multiprocessing as mp

            self.ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        return self.ctx

    def has_idle(self) -> bool:
        """A worker can start a task now: one is idle, or another may start."""
        return any(not w.tasks for w in self.workers) or self._may_grow()

    def accepts(self, task: Task) -> bool:
        """`task` can be sent now: to an idle or new worker, or queued behind a busy one."""
        return self.has_idle() or (_small(task) and self._least_loaded() is not None)

    def _least_loaded(self) -> _Worker | None:
        """The busy worker with the fewest tasks, when it has room for another."""
        w = min(self.workers, key=lambda w: len(w.tasks), default=None)
        return w if w is not None and len(w.tasks) < self.DEPTH else None

    def in_flight(self) -> int:
        return sum(len(w.tasks) for w in self.workers) + len(self.returned)

    def take_returned(self) -> list[Task]:
        """Tasks a lost worker had queued but not started, in the order they were sent: they go to
        another worker as they are (no attempt is counted: they never ran)."""
        tasks, self.returned = self.returned, []
        return tasks

    def submit(self, task: Task) -> None:
        if self.workers and all(w.tasks for w in self.workers) and self._may_grow():
            _preload_parser(task.path)  # a second worker is about to be forked: let it share the parser
        w = self.idle() or (self._least_loaded() if _small(task) else None)
        assert w is not None, "submit() without a worker that accepts the task"
        if not w.tasks:
            w.started = time.perf_counter()
        w.tasks.append(task)
        w.conn.send(task)

    def collect(self, timeout: float) -> list[Outcome]:
        """Outcomes that are ready (waiting up to `timeout`), including timeouts and crashes."""
        busy = [w for w in self.workers if w.tasks and not w.rows_pending]  # rows: the save takes them
        if not busy:
            return []
        from multiprocessing.connection import wait

        now = time.perf_counter()
        nearest = min(w.started + self.file_timeout for w in busy)
        ready = wait([w.conn for w in busy], timeout=max(0.0, min(timeout, nearest - now)))
        self._waited(time.perf_counter() - now)
        out: list[Outcome] = []
        for w in busy:
            if w.conn in ready:
                self._receive(w, out)
            elif time.perf_counter() - w.started > self.file_timeout:
                out.append(self.timed_out(w))
        return out

    def _receive(self, w: _Worker, out: list[Outcome]) -> None:
        """Every answer `w` has ready (at least one), in the order its tasks were sent. Facts whose
        rows follow end the batch: the next message is those rows, which the save takes
        (pipeline/handover.py); the task stays `w`'s until then, under its time limit."""
        while True:
            try:
                outcome = w.conn.recv()
            except (EOFError, OSError):
                out.append(self.crashed(w))
                return
            out.append(outcome)
            if outcome.rows_follow:
                outcome.facts.statements = handover.PendingRows(self, w, outcome)
                w.rows_pending = True
                return
            self._finish(w)
            if not w.tasks or not w.conn.poll():
                return

    def rows_received(self, w: _Worker) -> None:
        """The rows of `w`'s oldest task came: the task is done."""
        w.rows_pending = False
        self._finish(w)

    def timed_out(self, w: _Worker) -> Outcome:
        return self._lost(w, f"parsing took longer than --file-timeout ({self.file_timeout:g} s)", "timeout")

    def crashed(self, w: _Worker) -> Outcome:
        return self._lost(w, "the parser process died (out of memory or crashed)", "crash")

    def drop(self, w: _Worker) -> None:
        """`w` is killed and its tasks go back (their answers are not wanted now)."""
        self._lost(w, "interrupted", "interrupted")

    def _finish(self, w: _Worker) -> None:
        now = time.perf_counter()
        spent = now - w.started
        w.busy_s += spent
        self.busy_s += spent
        w.tasks.popleft()
        w.started = now  # the next task's clock starts with this answer: the worker went on to it

    def _lost(self, w: _Worker, message: str, kind: str) -> Outcome:
        task = w.tasks[0]
        self._finish(w)
        self.returned.extend(w.tasks)
        w.tasks.clear()
        w.process.kill()
        w.process.join(5)
        w.conn.close()
        self.workers.remove(w)
        size = task.size
        return Outcome(task, None, self._sha(task), size, 0.0, Failure(message, kind=kind))

    def _sha(self, task: Task) -> str | None:
        """A lost task's hash: a new local file's was to come from its worker, so take it here
        (the failed row keeps the file's true hash, as when the walk hashed every file)."""
        if task.blob_sha is not None or not isinstance(task.content, str):
            return task.blob_sha
        try:
            return git_blob_sha(read_with_stat(task.content, self.max_size)[0])
        except OSError:
            return None

    def utilization(self) -> float:
        elapsed = time.perf_counter() - self.started_at
        if not self.workers and self.busy_s == 0:
            return 0.0
        return min(1.0, self.busy_s / max(1e-9, elapsed * self.size))

    def stop(self) -> None:
        """Tell every worker to exit, without waiting for it: a run's end stops them before its
        refresh and `close` joins them after it, so their exit (freeing a large file's parse, ~13-40
        ms on PATO) runs beside the refresh instead of before it."""
        for w in self.workers:
            if w.rows_pending:  # its rows are not wanted now (a run that stopped): it would not read None
                w.process.kill()
            with contextlib.suppress(OSError):
                w.conn.send(None)
        self.exiting.extend(self.workers)
        self.workers.clear()

    def close(self) -> None:
        """Stop the workers and wait for them to exit (killed after 2 s). A Ctrl-C cuts the wait, not
        the run: raised from here, it ended the run without its report (a second Ctrl-C as it stopped)."""
        self.stop()
        try:
            for w in self.exiting:
                w.process.join(2)
                if w.process.is_alive():
                    w.process.kill()
                    w.process.join(2)
        except KeyboardInterrupt:  # the rest are killed, not waited for: the run writes its report
            for w in self.exiting:
                w.process.kill()
        self.exiting.clear()
