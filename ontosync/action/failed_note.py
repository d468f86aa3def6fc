"""The line a review needs when files failed to sync in this push: their edits are not in the diff.

Why: a file that fails keeps its last good version (CONTRACT section 2), so the change log rightly
holds nothing for it. Alone, "No change to the ontology" (and, in a pull request, no comment at all)
reads as "this push is harmless" when it broke files whose edits nobody has seen. The job summary's
"What changed" and the pull-request comment carry this line under their counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ontosync.diff_format import md_iri

MAX_NAMED = 10  # paths named in the line; the job summary's "Failed files" table has the rest


NO_REPORT = ("⚠️ **The sync exited 1 and wrote no run report** (see the run's log), so nothing tells whether it "
             "stopped early or which files failed: these figures may miss some of this push's changes.")


def failed_note(report: Mapping[str, Any] | None, code: int = 0) -> str:
    """Markdown naming the files that failed in this run ("" when none did); paths are escaped. A
    sync that exited 1 (`code`) with no report: NO_REPORT, since its figures read as the whole push's."""
    if code == 1 and not report:
        return NO_REPORT
    errors = (report or {}).get("errors") or []
    paths = sorted({str(e["path"]) for e in errors if isinstance(e, Mapping) and e.get("path")})
    if not paths:
        return ""
    n = len(paths)
    more = f" and {n - MAX_NAMED} more" if n > MAX_NAMED else ""
    named = ", ".join(md_iri(p, in_table=False) for p in paths[:MAX_NAMED]) + more
    files, them = ("1 file", "it") if n == 1 else (f"{n} files", "them")
    return (f"⚠️ **{files} failed to sync**, so what this push changed in {them} is not in these figures: the "
            f"ontology keeps each one's last good version. Failed: {named} (the job summary's Failed files say why).")
