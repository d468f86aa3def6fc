"""A large RDF file in two messages: its facts first, its `statements` rows after.

A file's parse and its save used to run one after the other: the writer waited for the whole parse,
then the worker idled while the writer saved. For a large RDF file (pato-base.owl: 35,080 rows) both
halves are long, so the worker sends the facts the contract tables need (classes, edges, properties,
axioms, synonyms) as soon as they are built, then extracts the rows and sends them as a second
message on the same pipe. The writer opens the file's transaction and saves the facts while the
worker extracts; when the save reaches the rows (store/repository.py save_parsed) it takes them from
the pipe, waiting if they are not there yet, inserts them and commits: still one transaction per file.

The worker does the same work in the same order with one more send, so the parse keeps its speed
(streaming rows during the parse, tried before, slowed it: bench/README.md, fourth round). Small
files, Logseq pages and functional syntax keep the one-message path.

If the rows never come (the worker passes --file-timeout, crashes, or fails extracting them), `take`
raises `RowsLost` inside the transaction, which rolls back: the file fails as a lost worker's file
does, and its last good version's facts stay. A Ctrl-C while waiting stops the run at once (nothing
of the file has committed).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ontosync.parsing.facts import LateRows
from ontosync.pipeline import interrupts

if TYPE_CHECKING:
    from ontosync.pipeline.workers import Failure, Outcome, ParsePool, _Worker

# Bytes from which an RDF file's rows follow its facts. Below it the overlap gains less than the
# second message costs. ONTOSYNC_HANDOVER_MIN_BYTES (tests, benchmarks) moves it.
SPLIT_FROM = 256 << 10


def split_from() -> int:
    """SPLIT_FROM, or the environment's ONTOSYNC_HANDOVER_MIN_BYTES; read as a worker starts. A value
    that is no whole number leaves SPLIT_FROM: `int("x")` raised in the worker, for every file."""
    try:
        return int(os.environ.get("ONTOSYNC_HANDOVER_MIN_BYTES") or SPLIT_FROM)
    except ValueError:
        return SPLIT_FROM
POLL_S = 0.1  # how often a wait for rows looks at the clock and for a Ctrl-C


@dataclass
class Rows:
    """The second message: the rows, or why there are none; `ms` the worker spent on them."""
    rows: list | None
    failure: Failure | None
    ms: float


class RowsLost(Exception):
    """The rows did not come: `failure` is the file's, as a lost worker's file gets."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class PendingRows(LateRows):
    """In the writer: the rows `worker` sends after the facts of `outcome` (its oldest task)."""

    def __init__(self, pool: ParsePool, worker: _Worker, outcome: Outcome) -> None:
        self.pool, self.worker, self.outcome = pool, worker, outcome

    def take(self) -> list:
        message = self._receive()
        self.outcome.parse_ms += message.ms
        if message.failure is not None:
            raise RowsLost(message.failure)
        return message.rows or []

    def _receive(self) -> Rows:
        pool, w = self.pool, self.worker
        try:
            while not w.conn.poll(POLL_S):
                if time.perf_counter() - w.started > pool.file_timeout:
                    raise RowsLost(pool.timed_out(w).failure)
                interrupts.raise_if_pending()
            message: Any = w.conn.recv()
        except (EOFError, OSError):
            raise RowsLost(pool.crashed(w).failure) from None
        except KeyboardInterrupt:  # the rows are not wanted any more: the worker goes with them
            pool.drop(w)
            raise
        pool.rows_received(w)
        return message
