"""What this step's sync changed in the ontology: the changes JSON, four outputs, the summary's
opening section. Read from the database's change log (store/diff.py) after the sync.

Any problem reading the log (an old database, a sync that never started) leaves the outputs empty
and the summary without the section: the change report never fails the step.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import peewee

from ontosync.action.artifacts import COMMIT, DEFAULT_BRANCH, branch_head
from ontosync.action.container_step import event_payload
from ontosync.console import json_text
from ontosync.db_url import is_postgres_url
from ontosync.diff_format import MAX_NOTE, md, md_whole, to_markdown, utf8_size
from ontosync.files import replace_atomically
from ontosync.store.changelog import has_change_log
from ontosync.store.diff import DiffError, LogDamaged, open_readonly, select_runs
from ontosync.store.pg.database import PgMissingRight
from ontosync.store.run_reads import RunLog

CHANGE_OUTPUTS = ("classes-added", "classes-removed", "classes-changed", "changes")
# PostgreSQL's errors arrive as Peewee's; a role lacking the store's rights is the sync's to say (its GRANTs, exit 2)
_READ_ERRORS = (sqlite3.DatabaseError, peewee.DatabaseError, PgMissingRight)
# UTF-8 bytes of "What changed" in the job summary: GitHub allows 1 MiB (bytes) for the whole of it, and
# the run's own part (action/summary.py) may take half of that when file names are in a 4-byte script.
SUMMARY_BUDGET = 200_000
SUMMARY_TITLE = "## What changed"


def push_previous(env: Mapping[str, str]) -> str | None:
    """The commit a push's branch was at before it (the payload's `before`), or the base commit of a
    merge queue's group (`merge_group.base_sha`); None for another event, a new branch (all zeros)
    or a payload that does not tell."""
    payload = event_payload(env) if env.get("GITHUB_EVENT_NAME") in ("push", "merge_group") else None
    if not isinstance(payload, dict):
        return None
    group = payload.get("merge_group")
    before = group.get("base_sha") if isinstance(group, dict) else payload.get("before")
    return before if isinstance(before, str) and COMMIT.fullmatch(before) and before.strip("0") else None


def at_branch_head(env: Mapping[str, str], repository: str, branch: str, token: str | None,
                   api_url: str | None, restored_run: int | None = None) -> bool:
    """Whether `branch` is at this run's commit now, though the restored database went past it: a
    force-push back to an older commit, whose newer one's run never uploaded. That is no re-run of an
    older push (action/run.py older_commit): its database is the branch's newest, uploaded under the
    branch's name, or every later push started from commits the branch dropped. GitHub's API tells
    (the branch's ref); when it cannot, a force-push's first run (forced_push) is taken as such,
    unless the restored artifact was uploaded by a run created after this one (`restored_run`, its
    run id, above GITHUB_RUN_ID: run ids grow): a later push's run finished first, so the branch
    went on past this commit, and this database uploaded as the newest took the branch back, the
    next push's run then passing for a re-run of an older push."""
    head = branch_head(repository, branch, token, api_url) if repository else None
    if head is not None:
        return head == env.get("GITHUB_SHA")
    run_id = (env.get("GITHUB_RUN_ID") or "").strip()
    overtaken = restored_run is not None and run_id.isdecimal() and restored_run > int(run_id)
    return forced_push(env) and not overtaken


def forced_push(env: Mapping[str, str]) -> bool:
    """The first run of a force-push (the payload's `forced`): the branch moved to this commit. A
    re-run (GITHUB_RUN_ATTEMPT 2 or more) of it may come after newer pushes: not taken as one."""
    if env.get("GITHUB_EVENT_NAME") != "push" or (env.get("GITHUB_RUN_ATTEMPT") or "1") != "1":
        return False
    payload = event_payload(env)
    return isinstance(payload, dict) and payload.get("forced") is True


def before_sync(db: Path | str, source: str, commit: str | None,
                previous: str | None, checkout: str | None = None) -> tuple[tuple[str, bool] | None, int | None]:
    """(`_synced_past`'s answer for `commit`, None without one; the run this step's figures start
    after), from one reading of the log. The run: the newest in the database before this step's sync
    (0: none, or no database yet; None: the database is there but could not be read), or, for a push,
    the newest finished run at its `previous` commit when the log holds one. Why not 0 on an error:
    the step's figures are the runs after this one, and 0 made them every run the log holds (a
    PostgreSQL server unreachable for this read, back for the sync: the whole ontology shown as this
    push's change). Why the run at `previous`: a re-run of the push restores this commit's own
    upload, which already holds the push, and its figures were "no change".

    `db` is the database file, or a PostgreSQL URL (then `source` and `checkout`, the origin of the
    checkout holding its synced folder as the Action read it once: ActionInputs.origin, name the
    schema, as for the sync)."""
    if not is_postgres_url(str(db)) and not Path(db).is_file():
        return None, 0
    try:
        with _reading(db, source, checkout) as conn:
            if not has_change_log(conn):
                return None, 0
            log = RunLog(conn)
            at, last = log.at_revision(previous, finished=True) if previous else None, log.last_finished()
            past = _synced_past(log, (commit, last), previous, at is not None) if commit else None
            return past, last if at is None else at
    except (*_READ_ERRORS, DiffError, LogDamaged):
        return None, None


def _synced_past(log: RunLog, at: tuple[str, int], previous: str | None, held: bool) -> tuple[str, bool] | None:
    """(the commit the database was last synced at, `held`: whether its log holds `previous`) when the
    log shows the database went past this run's commit (`at`: it and the newest finished run): it
    holds a finished run at the commit or at `previous`, and its newest finished run is at neither.
    Such a run is an older push's (a re-run after newer pushes): synced, the database goes back to
    its commit, and uploaded under the branch's name it became the newest artifact, which the next
    run and `fetch-db` took. None otherwise, or when the log cannot tell (ancestry is not known
    here: a shallow checkout)."""
    commit, last = at
    newest = log.revision(last) or ""
    if not COMMIT.fullmatch(newest) or newest in (commit, previous):
        return None
    ours = log.at_revision(commit, finished=True)
    return (newest, held) if ours is not None or held else None


def collect(db: Path | str, after_run: int, out: Path, source: str = ".", checkout: str | None = None) -> dict | None:
    """The net change of the runs after `after_run`, written as JSON to `out`; None when unreadable
    (`source`, `checkout`: before_sync's)."""
    try:
        with _reading(db, source, checkout) as conn:
            data = select_runs(conn, after_run=after_run).to_json(conn)
    except (*_READ_ERRORS, DiffError, LogDamaged, OSError):
        return None
    text = json_text(data).encode("utf-8")  # diff --format json's shape, escaped as it is
    with contextlib.suppress(OSError):  # (not written: changes_file says so)
        replace_atomically(out, lambda fh: fh.write(text), 0o644)  # no temp file left by an interrupt either
    return data


@contextlib.contextmanager
def _reading(db: Path | str, source: str, checkout: str | None = None) -> Iterator[Any]:
    """A read connection to the database file, or to the schema on a PostgreSQL server that the sync
    of `source` writes (named after the origin of the checkout holding its synced folder: `checkout`)."""
    if is_postgres_url(str(db)):
        from ontosync.store.pg.database import connect, target

        pg, conn = connect(target(str(db), source, checkout), "ontosync changes", create=False)  # a read adds no schema
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


EMPTY_START = ("Compared with an empty database (no earlier run's database was there: `restore-artifact` names "
               "the artifact to start from): every class counts as added.")


def start_note(data: dict | None, previous: str | None) -> str:
    """A push's figures measured from a database that never held its previous commit (the newest
    artifact is older: a run cancelled before its upload; or another branch's): the sentence that
    says so, "" otherwise. Unsaid, "2 classes added" read as this push's when it held earlier ones.
    From an empty database (no artifact restored, or none yet): EMPTY_START."""
    base = (data or {}).get("base") or {}
    start = base.get("revision")
    if previous and base.get("run") is None and data is not None:
        return EMPTY_START
    if not previous or not start or start == previous:
        return ""
    return (f"the database this run started from was synced at {start[:12]}, not at {previous[:12]}, the commit "
            f"this push (or merge group) follows: the figures are the change from {start[:12]}, the commits between "
            "included")


def branch_note(restored, branch: str | None) -> str:
    """The summary's note when the restored artifact (an ArtifactInfo, or None) is the default
    branch's because the run is on no branch (a tag: `branch` DEFAULT_BRANCH) or on one with none yet
    (action/restore.py): the figures are measured from that database, not from this ref's past."""
    if restored is None or not branch or restored.head_branch == branch:
        return ""
    why = "this run is on no branch (a tag?)" if branch == DEFAULT_BRANCH else f"branch {md(branch)} had no " \
        "artifact yet"
    return f"Compared with the default branch's database ({md(restored.describe(), MAX_NOTE)}): {why}."


def summary_section(data: dict | None, changes_path: str, base_note: str = "", failed: str = "") -> str:
    """The job summary's opening: counts and grouped tables, cut well below GitHub's 1 MiB; `failed`:
    the files whose edits the figures miss (action/failed_note.py). `changes_path` "": the JSON could not
    be written (action/run.py changes_file), so no sentence names it."""
    if data is None:
        return ""
    text = to_markdown(data, budget=SUMMARY_BUDGET, title=SUMMARY_TITLE, note=failed,
                       measure=utf8_size)
    note = f"{base_note}\n\n" if base_note else ""
    path = md_whole(changes_path)  # None: a path too long to show whole (there is no `changes` input)
    where = "\n" if not changes_path else f"The full list is in {path} (output `changes`).\n\n" if path \
        else "The full list is in the file the `changes` output names.\n\n"
    return f"{text}\n{note}{where}"
