"""What this step's sync changed in the ontology: the changes JSON, four outputs, the summary's
opening section. Read from the database's change log (store/diff.py) after the sync.

Any problem reading the log (an old database, a sync that never started) leaves the outputs empty
and the summary without the section: the change report never fails the step.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import peewee

from ontosync.db_url import is_postgres_url
from ontosync.diff_format import md_iri, to_markdown, utf8_size
from ontosync.store.diff import DiffError, last_run_id, open_readonly, select_runs
from ontosync.store.run_reads import RunLog

CHANGE_OUTPUTS = ("classes-added", "classes-removed", "classes-changed", "changes")
_READ_ERRORS = (sqlite3.DatabaseError, peewee.DatabaseError)  # PostgreSQL's errors arrive as Peewee's
# UTF-8 bytes of "What changed" in the job summary: GitHub allows 1 MiB (bytes) for the whole of it, and
# the run's own part (action/summary.py) may take half of that when file names are in a 4-byte script.
SUMMARY_BUDGET = 200_000
SUMMARY_TITLE = "## What changed"


def last_run(db: Path | str, source: str = ".") -> int | None:
    """The newest run in the database before this step's sync (0: none, or no database yet; None:
    the database is there but could not be read). Why not 0 on an error: the step's figures are the
    runs after this one, and 0 made them every run the log holds (a PostgreSQL server unreachable
    for this read, back for the sync: the whole ontology shown as this push's change).

    `db` is the database file, or a PostgreSQL URL (then `source` names the schema, as for the sync)."""
    if not is_postgres_url(str(db)) and not Path(db).is_file():
        return 0
    try:
        with _reading(db, source) as conn:
            return last_run_id(conn)
    except (*_READ_ERRORS, DiffError):
        return None


def collect(db: Path | str, after_run: int, out: Path, source: str = ".", rerun: bool = False) -> dict | None:
    """The net change of the runs after `after_run`, written as JSON to `out`; None when unreadable.
    `rerun`: the step is a re-run of a workflow run (GITHUB_RUN_ATTEMPT over 1), whose commit an
    earlier attempt may have synced already: then the runs since the commit before it (`rerun_base`)."""
    try:
        with _reading(db, source) as conn:
            after_run = min(after_run, rerun_base(conn)) if rerun else after_run
            data = select_runs(conn, after_run=after_run).to_json(conn)
    except (*_READ_ERRORS, DiffError, OSError):
        return None
    fd, tmp = tempfile.mkstemp(prefix=".changes-", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return data
    return data


def rerun_base(conn: Any) -> int:
    """The run a re-run's changes start after: the newest finished run at another revision than the
    newest run's. Why: a re-run (a later step failed, say) restores the first attempt's database, or
    finds it on the PostgreSQL server, already at this commit: its sync changes nothing, and the step
    said "No change" and output 0 classes added, where the first attempt showed the push's changes
    (a later step that acts on `classes-added` then did nothing). Runs with no revision: the newest."""
    log = RunLog(conn)
    newest = log.last_finished()
    found = log.before_revision(newest) if newest else None
    return newest if found is None else found


def rerun_note(data: dict | None, before: int | None) -> str:
    """The summary's sentence when a re-run's figures reach back past this step's sync ("": they do not)."""
    base = (data or {}).get("base") or {}
    start = base.get("run")
    if data is None or before is None or (start or 0) >= before:
        return ""
    at = f" ({md_iri(base['revision'][:12])})" if base.get("revision") else ""
    since = "an empty database" if start is None else f"the content before the change log{at}" if start == 0 \
        else f"run {start}{at}, the last sync of another commit"
    return f"A re-run: this commit was synced before (by an earlier attempt), so these are its changes since {since}."


@contextlib.contextmanager
def _reading(db: Path | str, source: str) -> Iterator[Any]:
    """A read connection to the database file, or to the source's schema on a PostgreSQL server."""
    if is_postgres_url(str(db)):
        from ontosync.store.pg.database import connect, target

        pg, conn = connect(target(str(db), source), "ontosync changes")
        try:
            yield conn
        finally:
            pg.close()
        return
    conn = open_readonly(db)
    try:
        yield conn
    finally:
        conn.close()


def outputs(data: dict | None, changes_path: str) -> dict[str, str]:
    if data is None:
        return dict.fromkeys(CHANGE_OUTPUTS, "")
    c = data["classes"]
    return {"classes-added": str(len(c["added"])), "classes-removed": str(len(c["removed"])),
            "classes-changed": str(len(c["changed"])), "changes": changes_path}


def summary_section(data: dict | None, changes_path: str, base_note: str = "", failed: str = "") -> str:
    """The job summary's opening: counts and grouped tables, cut well below GitHub's 1 MiB; `failed`:
    the files whose edits the figures miss (action/failed_note.py). `changes_path` "": the JSON could not
    be written (action/run.py changes_file), so no sentence names it."""
    if data is None:
        return ""
    text = to_markdown(data, budget=SUMMARY_BUDGET, title=SUMMARY_TITLE, note=failed,
                       measure=utf8_size)
    note = f"{base_note}\n\n" if base_note else ""
    where = f"The full list is in {md_iri(changes_path)} (output `changes`).\n\n" if changes_path else "\n"
    return f"{text}\n{note}{where}"
