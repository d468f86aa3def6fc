"""The warning of a run that found no ontology file and deleted what the database held.

`ontosync sync PATH` of an empty folder, of a wrong path that exists but holds no ontology file, or
of a tree whose files were all deleted, is a sync of a tree with no file: every stored file is
deleted and every class removed, exit 0 (the contract: the database is a function of the tree, and
deleting the last file is an edit like any other). Its only word was "0 files: ... N deleted". The
Action stops on an empty workspace (action/empty_workspace.py); the command line has no checkout to
miss, so it keeps the run and says, on stderr and in the report, what the run removed and how to
see it (`ontosync diff`), so a wrong path is noticed before the database is shipped.
"""

from __future__ import annotations

from typing import Any

from ontosync.store.changelog import classes_removed
from ontosync.store.db_errors import database_errors

KIND = "no-ontology-files"


def emptied_warning(deleted: int, entities: dict, conn: Any, changes: Any, source: str) -> list[dict]:
    """The warning (a list of none or one) for a run that deleted files (`deleted`) and left no class
    (`entities`, the report's counts); `changes`: the run's ChangeLog, or None."""
    if not deleted or entities.get("classes") != 0:
        return []
    classes = _classes_removed(conn, getattr(changes, "run_id", None))
    if classes == 0:  # the database held no class before either: nothing was lost
        return []
    removed = "every class" if classes is None else "its one class" if classes == 1 else f"all {classes} classes"
    message = (f"{source}: this sync deleted {deleted} {'file' if deleted == 1 else 'files'} the database held and "
               f"no class is left (it removed {removed}); if that is not the ontology's folder, restore the "
               "database from a backup (`ontosync diff` shows what was removed)")
    return [{"path": None, "kind": KIND, "message": message, "line": None}]


def _classes_removed(conn: Any, run_id: int | None) -> int | None:
    """The classes the run's change log says it removed (None when it cannot be read)."""
    if run_id is None:
        return None
    try:
        return classes_removed(conn, run_id)
    except database_errors():
        return None
