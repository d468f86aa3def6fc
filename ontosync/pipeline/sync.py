"""One sync run: source -> plan -> parse workers -> single writer -> report.

The plan walks the source and the database's `source_files` side by side, both in path order
(a merge join), so it needs memory for neither the tree nor the database: a path only in the
source is new, one in both with the same blob hash is unchanged, one only in the database has
left the source. Files to parse go through a queue bounded by `--queue-size` to the worker
processes; every outcome is committed by the main process in its own transaction before the next
is counted, so each finished file is safe on disk the moment it is counted.
"""

from __future__ import annotations

import contextlib
import heapq
import math
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from ontosync import __version__
from ontosync.config import Settings
from ontosync.console import Stopped
from ontosync.parsing import ParseOptions
from ontosync.pipeline import interrupts, stat_cache
from ontosync.pipeline.checkpoint import Checkpoint, checkpoint_owner, last_words, resume_since
from ontosync.pipeline.checkpoint_writer import CheckpointWriter
from ontosync.pipeline.emptied import emptied_warning
from ontosync.pipeline.fingerprint import settings_fingerprint
from ontosync.pipeline.handover import RowsLost
from ontosync.pipeline.logseq_graph import with_graph
from ontosync.pipeline.outputs import write_text
from ontosync.pipeline.progress import Progress, peak_rss_mb
from ontosync.pipeline.unreadable import UnreadableFolders
from ontosync.pipeline.workers import Failure, Outcome, ParsePool, Task
from ontosync.retry import RetryPolicy, RetryQueue
from ontosync.sources import PathFilter, Source, SourceError, SourceFile, SourceInterrupted
from ontosync.store.changelog import ChangeLog
from ontosync.store.db_errors import database_errors, first_line, operational_errors, server_stopped, size_limit_note
from ontosync.store.health import hard_link_warnings
from ontosync.store.migrations import utc_now
from ontosync.store.minted_collisions import name_collisions
from ontosync.store.refused import ValueRefused, named_refusal
from ontosync.store.repository import Repository, StoreError
from ontosync.store.semsql import ReadersLayer
from ontosync.store.sync_records import (
    graph_settings,
    kept_blobs,
    known_files,
    record_graph_settings,
    record_kept_blobs,
    record_source,
)

# The one retry policy (ontosync/retry.py) for the run's two kinds of retry: a write waiting out
# another writer's lock (for --busy-timeout seconds) and a parse requeued after a worker crash or
# timeout (--retries times, without blocking the other workers).
WRITE_RETRY = RetryPolicy(attempts=None, factor=0.5, max_wait=8.0)
REQUEUE = RetryPolicy(attempts=None, factor=0.1, max_wait=8.0)
LEGACY_PREFIX = "legacy:"
RETRYABLE_KINDS = {"io", "crash", "timeout", "locked", "network", "rate-limit"}


class FatalStop(Stopped):
    """The database cannot take writes any more (corrupt, disk full): stop cleanly, exit 3; or
    another writer held its lock past the retry budget: exit 4, `busy` (nothing lost, run again).
    A kind of console.Stopped, the one way a command stops; the run ends itself on it (`run`)."""

    def __init__(self, message: str, code: int = 3):
        super().__init__(message)
        self.word, self.code = ("busy", 4) if code == 4 else ("fatal", code)


class Latencies:
    """Per-file write times (ms) in bounded memory, so a run's memory does not grow with the tree.

    Exact while there are at most EXACT values; past that, a histogram of buckets 1% wide (at most
    ~2,800 of them), so a reported quantile is within 1% of the exact one. The maximum stays exact.
    """

    EXACT = 4096
    STEP = math.log(1.01)

    def __init__(self) -> None:
        self.values: list[float] | None = []
        self.buckets: dict[int, int] = {}
        self.count = 0
        self.max = 0.0

    def append(self, ms: float) -> None:
        self.count += 1
        self.max = max(self.max, ms)
        if self.values is None:
            self._bucket(ms)
            return
        self.values.append(ms)
        if len(self.values) > self.EXACT:
            for v in self.values:
                self._bucket(v)
            self.values = None

    def _bucket(self, ms: float) -> None:
        k = math.floor(math.log(min(max(ms, 1e-6), 1e6)) / self.STEP)
        self.buckets[k] = self.buckets.get(k, 0) + 1

    def quantile(self, q: float) -> float:
        """The value at rank int(q * count) in sorted order (q = 1.0: the maximum), 3 decimals."""
        if not self.count:
            return 0.0
        rank = min(self.count - 1, int(q * self.count))
        if rank == self.count - 1:
            return round(self.max, 3)
        if self.values is not None:
            return round(sorted(self.values)[rank], 3)
        seen = 0
        for k in sorted(self.buckets):
            seen += self.buckets[k]
            if seen > rank:
                return round(min(self.max, math.exp((k + 0.5) * self.STEP)), 3)
        return round(self.max, 3)


@dataclass
class RunStats:
    total: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    unchanged: int = 0
    deleted: int = 0
    retries: int = 0
    fence_axioms: int = 0  # axioms read from functional-syntax fences of the pages parsed in this run
    queue_depth_max: int = 0
    write_ms: Latencies = field(default_factory=lambda: Latencies())
    slowest: list[tuple[float, str]] = field(default_factory=list)  # min-heap of the 10 slowest
    warnings: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.ok + self.failed + self.skipped

    @property
    def finished(self) -> int:
        """Listed files this run is done with, unchanged ones included: the progress count."""
        return self.processed + self.unchanged


@dataclass
class SyncResult:
    report: dict
    exit_code: int
    message: str | None = None


def is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return True
    from ontosync.store.pg.dialect import is_retryable  # PostgreSQL's deadlocks

    return is_retryable(exc)


class SyncRun:
    def __init__(self, settings: Settings, source: Source, repo: Repository, options: ParseOptions,
                 progress: Progress | None = None):
        self.s = settings
        self.source = source
        self.repo = repo
        self.options = options
        self.filter = PathFilter(settings.include, settings.exclude, settings.path)
        self.progress = progress or Progress(quiet=settings.quiet)
        self.stats = RunStats()
        self.side_work: deque[tuple[str, SourceFile | str]] = deque()
        self.delayed: RetryQueue[Task] = RetryQueue(REQUEUE)  # parse failures worth another try
        self._save = self._retrying(self._save_outcome)
        self.unreadable = UnreadableFolders(self.stats.warnings)
        self.stat_cache: stat_cache.StatCache | None = None
        self.ckpt_writer = CheckpointWriter(write_text)  # the periodic checkpoints, off the writer's path
        if hasattr(source, "notice"):
            source.notice = self.progress.note  # a remote source's waits are said with the progress
        repo.readers = ReadersLayer(options.namespaces, settings.relations, options.page_namespace)

    # -- the run ----------------------------------------------------------------------------
    def run(self) -> SyncResult:
        started_at, t0 = utc_now(), time.perf_counter()
        ckpt_path, owner = self.s.checkpoint_path, checkpoint_owner(self.s)
        with interrupts.before_files():  # (said "the checkpoint is saved", none written: cli.py's main)
            self.resume_since = resume_since(ckpt_path, self.source.description, owner, self.repo.conn)
            resumed = self.resume_since is not None
            if hasattr(self.source, "keep_blobs"):  # what a remote source read last time (its links' texts, the
                with contextlib.suppress(*database_errors()):  # graph's config): unchanged, it costs no request
                    self.source.keep_blobs(kept_blobs(self.repo.conn))
            self.options, config_warnings, self.graph_record = with_graph(
                self.source, self.s.path, self.options, graph_settings(self.repo.conn))
            self.stats.warnings.extend(config_warnings + hard_link_warnings(self.s.db))
            self.force_all = self.s.full
            self.fingerprint = self.repo.fingerprint = settings_fingerprint(self.s, self.options)
            self.ckpt = Checkpoint(self.source.description, self.source.revision,
                                   self.resume_since or started_at, started_at, database=owner)
            self._write_checkpoint(ckpt_path)
        pool = ParsePool(self.s.workers, self.options, self.s.max_file_size, self.s.file_timeout,
                         self.repo.default_ontology)
        pool.before_fork = self.ckpt_writer.close  # a worker is forked from a process with one thread
        exit_code, message = 0, None
        self.changes, self.started_at, self.writes_started, self.server_stop = None, started_at, False, None
        try:
            self.stat_cache = stat_cache.attach(self.source, self.repo)  # a local tree: hash what changed
            self._loop(pool, ckpt_path)
            self._start_writes()  # a run with nothing to write still logs itself
            stat_cache.flush(self.stat_cache, self.repo, self._write, done=True)  # the workers' hashes
            pool.stop()  # every file is parsed: the workers exit during the refresh (joined below)
            for text in self._write(self.repo.refresh_readers):  # semantic-sql layer: store/closure.py
                self.stats.warnings.append({"path": None, "kind": "subclass-cycle", "message": text, "line": None})
            if self.stats.processed or self.stats.deleted:  # like a file's warnings: when something was read
                self.stats.warnings.extend(self._write(name_collisions, self.repo.conn.execute))
            self.ckpt.finished = True
            self._record_settings()
        except FatalStop as exc:
            exit_code, message = exc.code, str(exc)
        except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (cli.py): report what was done, keep the checkpoint
            exit_code = 130  # its words once the last checkpoint is written, or not (interrupted_words)
        except SourceInterrupted as exc:
            exit_code, message = 1, exc  # its words once the last checkpoint is written, or not
        finally:
            pool.stop()
            with interrupts.finishing():  # a Ctrl-C now (a second one, or a first as the run ends) waits for these
                self._finish_change_log()
                self.ckpt.last_checkpoint_at = utc_now()
                self.ckpt.total_files = self.stats.total
                saved = self._write_checkpoint(ckpt_path)
            pool.close()  # joined here, before the report reads their peak memory (a Ctrl-C cuts the wait)
        with interrupts.finishing():  # the run is over: its report is made whatever comes now
            self.progress.update(self.stats.finished, self.stats.total, final=True)
            message = last_words(exit_code, message, saved)
            report = self._report(started_at, time.perf_counter() - t0, resumed, pool)
            rate = report.pop("alerts_error_rate")
            if exit_code == 0 and rate > self.s.max_error_rate:
                exit_code = 1
                message = (f"error rate {rate:.3f} is over --max-error-rate {self.s.max_error_rate:g} "
                           f"({self.stats.failed} of {self.stats.ok + self.stats.failed} files failed)")
            return SyncResult(report, exit_code, message)

    def _loop(self, pool: ParsePool, ckpt_path: str) -> None:
        self.progress.start(self._total_for_progress())
        feed = iter(self.source.contents(self._plan()))
        pending: deque[Task] = deque()
        feed_done, self.source_stop = False, None
        while True:
            self._drain_side_work()
            while not feed_done and len(pending) < self.s.queue_size:
                feed_done = self._take(feed, pending)
                self._drain_side_work()
                self._submit(pool, pending)  # parsed while the rest is planned: one changed file waits for no walk
            self._submit(pool, pending)
            if feed_done and not pending and not pool.in_flight() and not self.delayed:
                self._drain_side_work()
                if self.source_stop is not None:
                    raise self.source_stop
                return
            wait = 0.05 if self.delayed else 0.5
            if pool.in_flight():
                self._start_writes()  # while the first files parse, not after they come back
            outcomes = pool.collect(timeout=wait if pool.in_flight() else 0.0)
            self._submit(pool, pending)  # the workers just freed parse the next files while these are saved
            for outcome in outcomes:
                self._handle(outcome, ckpt_path)
            if not pool.in_flight() and self.delayed and not pending:
                time.sleep(min(0.05, self.delayed.next_in()))

    def _take(self, feed: Iterator[tuple[SourceFile, bytes | str]], pending: deque[Task]) -> bool:
        """The source's next file into `pending` (one it could not read: recorded failed); True when
        the feed is done. A source that stops midway (GitHub down, a rate limit past the allowed
        wait) ends the feed, not the run: the files already handed over are parsed and committed
        first, and `_loop` raises the stop after them (raised at once, it lost them, and the next
        run fetched them again with the rate limit that had run out)."""
        try:
            sf, content = next(feed)
        except StopIteration:
            return True
        except (SourceError, SourceInterrupted) as exc:
            self.source_stop = exc
            return True
        if sf.refused:
            self.side_work.append(("refused", sf))
            return False
        pending.append(Task(sf.path, sf.blob_sha, sf.size, content))
        self.stats.queue_depth_max = max(self.stats.queue_depth_max, len(pending))
        return False

    def _start_writes(self) -> None:
        """Open the run's change log (store/changelog.py) and the readers' layer's run (a first run's
        layer at its end: semsql_deferred), once: when the loop first waits for a worker, or before the
        run's first write of a file. Not at the run's start: the first file then goes to its worker a
        few ms earlier, and the change log's first transaction runs while the worker imports its
        parser and parses (issue 11, PATO)."""
        if self.writes_started:
            return
        self.writes_started = True
        start_log = getattr(self.repo, "start_change_log", ChangeLog.start)  # PostgreSQL's: store/pg/changelog.py
        self.changes = self.repo.changes = self._write(
            start_log, self.repo, self.source.revision, self.source.description, self.started_at)
        self._write(self.repo.readers.begin_run, self.repo)

    def _submit(self, pool: ParsePool, pending: deque[Task]) -> None:
        pending.extendleft(self.delayed.due())
        pending.extendleft(reversed(pool.take_returned()))  # a lost worker's queue, in its order
        while pending and pool.accepts(pending[0]):
            pool.submit(pending.popleft())

    def _total_for_progress(self) -> int | None:
        """The bar's total, before any parsing. Only shown, so a quiet run does not walk a local
        tree twice for it (a tenth of a no-op re-sync, issue 18)."""
        count = None if self.progress.quiet else getattr(self.source, "count_files", None)
        return count() if count else None

    # -- planning: the merge join of source and database ------------------------------------------
    def _plan(self) -> Iterator[SourceFile]:
        known = known_files(self.repo.conn)
        current = next(known, None)
        previous = ""
        for sf in self.source.list_files():
            if sf.path <= previous:
                raise RuntimeError(f"source listed {sf.path!r} after {previous!r}: listings must be in path order")
            previous = sf.path
            while current is not None and current[0] < sf.path:
                self._maybe_deleted(current)
                current = next(known, None)
            if self.unreadable.folder(sf):
                continue
            self.stats.total += 1
            row = None
            if current is not None and current[0] == sf.path:
                row, current = current, next(known, None)
            if row is not None:
                sf = stat_cache.known_file(self.stat_cache, sf)  # its hash decides: take it now
            if sf.refused:
                self.side_work.append(("refused", sf))
            elif row is not None and self._unchanged(sf, row):
                self.stats.unchanged += 1
                self.progress.update(self.stats.finished)
            else:
                yield sf
            stat_cache.flush(self.stat_cache, self.repo, self._write)
        stat_cache.flush(self.stat_cache, self.repo, self._write, done=True)
        while current is not None:
            self._maybe_deleted(current)
            current = next(known, None)

    def _unchanged(self, sf: SourceFile, row: tuple) -> bool:
        _, blob_sha, status, error_kind, synced_at, fingerprint = row
        if blob_sha != sf.blob_sha or fingerprint != self.fingerprint:
            return False
        retry = status == "failed" and error_kind in RETRYABLE_KINDS  # a moment's failure: tried again
        if self.resume_since and synced_at >= self.resume_since:
            return not retry  # done by the interrupted run this one resumes (not a blob GitHub failed to serve)
        return not (self.force_all or retry)

    def _maybe_deleted(self, row: tuple) -> None:
        if not (path := row[0]).startswith(LEGACY_PREFIX) and self.filter(path):
            if self.unreadable.holds(path):  # under a folder that cannot be listed: not deleted, still counted
                self.stats.total += 1  # in files.total, as `failed` counts it (it was failed 2 of total 4, 4 unchanged)
                self.side_work.append(("unreadable", SourceFile(path, row[1], 0, self.unreadable.reason(path))))
            else:
                self.side_work.append(("deleted", path))

    def _drain_side_work(self) -> None:
        if self.side_work:
            self._start_writes()
        while self.side_work:
            with interrupts.held():
                self._side_work_item(*self.side_work.popleft())

    def _side_work_item(self, kind: str, item) -> None:
        """One deletion, refused or unreadable file: written and counted as one step."""
        now = utc_now()
        if kind == "deleted":
            assert isinstance(item, str)
            self._write(self.repo.delete_file, item, now)
            self.stats.deleted += 1
        else:
            assert isinstance(item, SourceFile)
            if item.refused and item.refused.startswith("file too large"):
                self._record_failure(item.path, None, item.size, item.refused, None, "too-large", None)
            elif item.refused and (kind == "unreadable" or item.refused.startswith("cannot read")):
                self._record_failure(item.path, item.blob_sha, item.size, item.refused, None, "io", None,
                                     retryable=True)
            else:
                self._write(self.repo.save_parsed, item.path, item.blob_sha, item.size,
                            _skipped_facts(item.path, item.refused or "refused"), now)
                self.stats.skipped += 1
            self._count_processed()

    # -- outcomes -------------------------------------------------------------------------------
    def _handle(self, outcome: Outcome, ckpt_path: str) -> None:
        self._start_writes()
        with interrupts.held():  # a file saved is a file counted (pipeline/interrupts.py)
            self._handle_outcome(outcome, ckpt_path)

    def _handle_outcome(self, outcome: Outcome, ckpt_path: str) -> None:
        task = outcome.task
        failure = outcome.failure
        stat_cache.record_outcome(self.stat_cache, outcome)  # a new path's hash, taken by its worker
        if failure and failure.retryable and task.attempt < self.s.retries:
            task.attempt += 1
            self.stats.retries += 1
            self.delayed.push(task, task.attempt)
            return
        if not failure:
            failure = self._save_facts(outcome)
        if failure:
            self._record_failure(task.path, outcome.blob_sha, outcome.size, failure.message, failure.line,
                                 failure.kind, None, retryable=failure.retryable)
        entry = (outcome.parse_ms, task.path)
        if len(self.stats.slowest) < 10:
            heapq.heappush(self.stats.slowest, entry)
        else:
            heapq.heappushpop(self.stats.slowest, entry)
        self._count_processed(ckpt_path)

    def _save_facts(self, outcome: Outcome) -> Failure | None:
        """Save a parsed file; a Failure when its rows never came (pipeline/handover.py): its save
        rolled back, and it fails as a lost worker's file does."""
        task = outcome.task
        assert outcome.facts is not None
        started = time.perf_counter()
        try:
            warnings = self._write(self._save, task.path, outcome.blob_sha, outcome.size, outcome.facts)
        except RowsLost as lost:
            return lost.failure
        except ValueRefused as refused:  # its save rolled back; the run goes on (store/refused.py)
            return Failure(*named_refusal(refused, outcome.facts), kind=refused.kind)  # (message, line)
        self.stats.write_ms.append((time.perf_counter() - started) * 1000)
        for w in list(outcome.facts.warnings) + list(warnings or []):
            self.stats.warnings.append({"path": task.path, "kind": w.kind, "message": w.message, "line": w.line})
        if outcome.facts.format == "logseq":
            self.stats.fence_axioms += sum(1 for a in outcome.facts.axioms if a.annotations and "ofn" in a.annotations)
        if outcome.facts.skipped:
            self.stats.skipped += 1
        else:
            self.stats.ok += 1
        return None

    def _save_outcome(self, path: str, blob_sha: str | None, size: int, facts) -> list:
        warnings = self.repo.save_parsed(path, blob_sha, size, facts, utc_now())
        interrupts.fault_after_save()
        return warnings

    def _record_failure(self, path, blob_sha, size, message, line, kind, fmt, retryable=False) -> None:
        with contextlib.suppress(ValueRefused):  # a path the database cannot key: the report names it
            self._write(self.repo.save_failure, path, blob_sha, size, message, line, kind, fmt, utc_now())
        self.stats.failed += 1
        self.stats.errors.append({"path": path, "line": line, "kind": kind, "message": message,
                                  "retryable": retryable})
        self.ckpt.add_failed(path, message)

    def _count_processed(self, ckpt_path: str | None = None) -> None:
        done = self.stats.processed
        self.ckpt.processed = done
        self.progress.update(self.stats.finished)
        if done % self.s.checkpoint_every == 0:
            self.ckpt.last_checkpoint_at = utc_now()
            self.ckpt.total_files = self.stats.total
            self._write_checkpoint(ckpt_path or self.s.checkpoint_path, background=True)

    # -- writing with retries ---------------------------------------------------------------------
    def _retrying(self, fn):
        """fn, retried on a locked database (WRITE_RETRY) for --busy-timeout seconds in all (each try
        also waits up to 1 s in SQLite's busy handler), each retry counted in the report. Past the
        budget the run stops with exit 4, naming the writer that holds the lock."""
        def count(_exc, _tries, _wait) -> None:
            interrupts.raise_if_pending()  # nothing of this file has committed yet: stop now
            self.stats.retries += 1
            self.repo.watch_blockers()

        return WRITE_RETRY.retrying(fn, operational_errors(), on_retry=count,
                                    giveup=lambda e: not is_locked(e), max_time=self.s.busy_timeout)

    def _write(self, fn, *args):
        """Run a store write; retryable lock errors retry (via _save), anything fatal stops the run."""
        try:
            if fn is not self._save:
                return self._retrying(fn)(*args)
            return fn(*args)
        except database_errors() as exc:
            if is_locked(exc):
                raise FatalStop(self.repo.busy_line(exc, self.s.busy_timeout), 4) from exc
            damaged = any(w in str(exc).lower() for w in ("malformed", "not a database"))
            self.server_stop = server_stopped(exc)  # PostgreSQL restarted, a role's timeout: say so
            why = self.server_stop or first_line(exc)  # not a server's HINT and statement as `\x0a...`
            at = f" saving {args[0]}" if fn is self._save else ""
            raise FatalStop(("the database is damaged: " if damaged else "") +
                            f"database write failed{at}, run stopped: {why}{size_limit_note(exc)}") from exc
        except StoreError as exc:
            raise FatalStop(str(exc)) from exc
        finally:
            self.repo.stop_watching()

    def _write_checkpoint(self, path: str, background: bool = False) -> bool:
        """Every --checkpoint-every files in the background; the run's first and last here, after
        the background ones (pipeline/checkpoint_writer.py). False when one written here failed."""
        failed: list[tuple[str, Exception]] = []
        if background:
            self.ckpt_writer.submit(path, self.ckpt.text())
        else:
            self.ckpt_writer.close()
            try:
                self.ckpt.save(path)
            except OSError as exc:
                failed.append((path, exc))
        for where, exc in self.ckpt_writer.take_errors() + failed:
            why = f"not saved: {getattr(exc, 'strerror', None) or exc}"  # (an OSError's names a temp file)
            self.stats.warnings.append({"path": where, "kind": "checkpoint", "message": why, "line": None})
        return not failed

    def _finish_change_log(self) -> None:
        """Close the run's log; its failure unsaid after the server ended the session: the fatal line
        says so, a warning in the driver's words (`connection already closed`) said it again."""
        self.repo.changes = None
        if self.changes is not None:
            said = self.changes.finish_or_warn(utc_now(), self.s.keep_runs)
            self.stats.warnings.extend([] if self.server_stop else said)

    # -- what the database was last synced from ------------------------------------------------
    def _record_settings(self) -> None:
        def write() -> None:
            with self.repo.transaction():
                record_source(self.repo.conn, self.source.revision, self.source.description, self.ckpt.started_at)
                record_kept_blobs(self.repo.conn, getattr(self.source, "kept_blobs", {}))
                record_graph_settings(self.repo.conn, self.graph_record)

        self._write(write)

    # -- the report --------------------------------------------------------------------------------
    def _report(self, started_at: str, duration: float, resumed: bool, pool: ParsePool) -> dict:
        st = self.stats
        try:
            with interrupts.cut_short():  # a Ctrl-C cuts the read, not the report
                entities = self.repo.counts()
        except (*database_errors(), KeyboardInterrupt):  # not read: null, never a 0 that says the database is empty
            entities = dict.fromkeys(("classes", "properties", "axioms", "hierarchy_edges"))
        attempted = st.ok + st.failed
        error_rate = st.failed / attempted if attempted else 0.0
        throughput = st.processed / duration if duration > 0 else 0.0
        rss = peak_rss_mb()
        alerts = []
        if error_rate > self.s.max_error_rate:
            alerts.append({"name": "error_rate", "value": round(error_rate, 4), "threshold": self.s.max_error_rate})
        min_rate = float(self.s.alerts.get("min_files_per_s", 2.0))
        if st.processed >= 20 and throughput < min_rate:
            alerts.append({"name": "throughput", "value": round(throughput, 2), "threshold": min_rate})
        max_rss = float(self.s.alerts.get("max_rss_mb", 200.0))
        if rss > max_rss:
            alerts.append({"name": "peak_rss_mb", "value": round(rss, 1), "threshold": max_rss})
        lat = st.write_ms
        return {
            "ontosync_version": __version__,
            "source": self.source.description,
            "revision": self.source.revision,
            "started_at": started_at,
            "finished_at": utc_now(),
            "duration_s": round(duration, 3),
            "resumed": resumed,
            "files": {"total": st.total, "ok": st.ok, "failed": st.failed, "skipped": st.skipped,
                      "unchanged": st.unchanged, "deleted": st.deleted},
            "entities": entities,
            "fences": {"axioms_recovered": st.fence_axioms,
                       "warnings": sum(1 for w in st.warnings if w["kind"] == "fence-syntax")},
            "throughput_files_per_s": round(throughput, 2),
            "peak_rss_mb": round(rss, 1),
            "peak_rss_workers_mb": round(peak_rss_mb(children=True), 1),
            "write_latency_ms": {"p50": lat.quantile(0.5), "p95": lat.quantile(0.95), "max": lat.quantile(1.0)},
            "retries": st.retries + getattr(self.source, "retries", 0),
            "queue_depth_max": st.queue_depth_max,
            "readers_layer_ms": {"files": round(self.repo.readers.files_ms, 1),
                                 "refresh": round(self.repo.readers.refresh_ms, 1)},
            "worker_utilization": round(pool.utilization(), 3),
            "warnings": st.warnings + list(getattr(self.source, "warnings", [])) + _not_read(self.source)
            + emptied_warning(st.deleted, entities, self.repo.conn, self.changes, self.source.description),
            "alerts": alerts,
            "errors": st.errors,
            "slowest_files": [{"path": p, "ms": round(ms, 2)} for ms, p in sorted(st.slowest, reverse=True)],
            "progress": self.progress.samples,
            "change_run": self.changes.run_id if self.changes is not None else None,
            "alerts_error_rate": error_rate,
        }


def _skipped_facts(path: str, reason: str):
    from ontosync.parsing.facts import FileFacts
    return FileFacts(format="none", skipped=reason)


def _not_read(source: Source) -> list[dict]:
    """The ontology files the source's default selection left out (sources.PathFilter.not_read)."""
    path_filter = getattr(source, "filter", None)
    return path_filter.not_read_warnings() if isinstance(path_filter, PathFilter) else []
