"""The end of a sync, both databases: the report file, the summary line and the run's exit code.

Out of cli.py, which runs the sync up to its result. A signal while the report is written (a FIFO's
reader that has not come yet, a slow disk) stops the writing: the report is then not written (a
file's temp copy removed, an earlier run's report left as it was), and the last line says so, exit
130; it said "interrupted; the checkpoint is saved, run the same command again to resume", without
the summary line, of a run whose report was absent or an earlier run's.
"""

from __future__ import annotations

import sys

from ontosync.console import drop_output, say

REPORT_INTERRUPTED = ("interrupted while writing the report: --report {}: not written (the run itself ended as the "
                      "lines above say)")


def finish_sync(settings, result) -> int:
    """The report file, the summary line and the run's exit code (cli.py, pg_commands.py's result)."""
    from ontosync.pipeline.outputs import STDOUT, write_report

    closed, interrupted = 0, False
    if settings.report:
        try:
            write_report(settings.report, result.report)
        except BrokenPipeError:  # `--report /dev/stdout | head -1`: the reader has what it wanted, as `status | head`
            if settings.report == STDOUT:
                drop_output(sys.stdout)  # what print() still holds, not raised again at the exit's flush
            closed = 141
        except OSError as exc:
            say(f"error: --report {settings.report}: not written: {exc.strerror or exc}")
            return 2
        except KeyboardInterrupt:  # Ctrl-C, SIGTERM, SIGHUP: the run's lines are still true, then this one
            interrupted = True
    summary_line(result.report)
    if result.message:
        say({3: "fatal: ", 4: "busy: "}.get(result.exit_code, "") + result.message)
    if interrupted:
        say(REPORT_INTERRUPTED.format(settings.report))
        return 130
    return result.exit_code or closed


def summary_line(report: dict) -> None:
    f, e = report["files"], report["entities"]
    held = (f"{e['classes']} classes, {e['hierarchy_edges']} hierarchy edges, {e['properties']} properties, "
            f"{e['axioms']} axioms" if e["classes"] is not None else "the database's counts could not be read")
    say(f"{f['total']} files: {f['ok']} ok, {f['failed']} failed, {f['skipped']} skipped, "
        f"{f['unchanged']} unchanged, {f['deleted']} deleted; {held} in {report['duration_s']:.2f} s")
    for kind, word, why in NAMED_WARNINGS:
        found = list({w["path"]: w for w in report["warnings"] if w["kind"] == kind}.values())  # a path once: its last
        if len(found) == 1:  # (a warning of the whole run has no path)
            say(f"{word}: {found[0]['path'] + ': ' if found[0]['path'] else ''}{found[0]['message']}")
        elif found:  # a count past the report's limit has no path
            named = [w["path"] for w in found if w["path"]][:5]
            say(f"{word}: {', '.join(named)}{' and others' if len(found) > len(named) else ''} ({why})")
    for warning in (w for w in report["warnings"] if w["kind"] == "unmatched-glob"):  # (one a glob the user gave)
        say(f"warning: {warning['message']}")


# Warnings the terminal names too, not the report only: each hides files from the database. A folder
# the walk cannot list (no permission, deeper than PATH_MAX) said "0 files ... ok" and nothing else.
NAMED_WARNINGS = (
    ("not-read", "not read",
     "ontology files ontosync does not read: the report's `not-read` warnings say why"),
    ("unreadable-folder", "not listed",
     "folders ontosync could not list: the report's `unreadable-folder` warnings say why"),
    ("linked-folder", "not descended",
     "symbolic links to folders, not followed: the files in them are not synced"),
    ("linked-file", "not followed",
     "symbolic links to files that are not read: the report's `linked-file` warnings say why"),
    ("submodule", "not synced", "submodules, not read: the files in them are not synced"),
    # one at most each (store/health.py hard_link_warnings, pipeline/emptied.py, sources/git_head.py)
    ("hard-links", "warning", ""), ("no-ontology-files", "warning", ""), ("revision", "warning", ""),
    ("change-log", "warning", ""),  # its end not written (a full disk): store/changelog.py finish_or_warn
    # a checkpoint not saved (its folder read-only, a full disk): an interrupted run's "saved" was a guess
    ("checkpoint", "warning", "checkpoints not saved: the report's `checkpoint` warnings say why"),
)
