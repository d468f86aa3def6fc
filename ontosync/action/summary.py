"""The run report (CONTRACT section 3) as step outputs, a job summary and annotations.

Everything here is a pure function of the report dict, so it is tested with reports built by hand.
The report may come from a run that stopped early: every key is optional here.
"""

from __future__ import annotations

import html
import math
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from ontosync.action.commands import ANNOTATION_LIMIT, Commands
from ontosync.console import counted
from ontosync.diff_format import visible_pieces
from ontosync.text_cut import ZWJ, cut_shown, no_emoji

OUTPUT_NAMES = (
    "database", "checkpoint", "report", "files-total", "files-ok", "files-failed", "files-unchanged",
    "classes", "properties", "axioms", "error-rate", "files-per-second",
    "classes-added", "classes-removed", "classes-changed", "changes",  # filled by action/changes.py
)
# What starts inline markup: `[` (links, images, footnotes), emphasis, code, `|` (cells), `:` (autolinks),
# `$` (math), and a backslash before punctuation (it would cancel the escape that follows it).
_INLINE_MARKUP = re.compile(r"([`*_\[|~:$]|\\(?=[!-/:-@\[-`{-~]))")
MAX_TABLE_ROWS = 100  # failed files listed in the summary (GitHub caps a summary at 1 MiB)
MAX_MESSAGE = 300
CHART_POINTS = 24


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def error_rate(files: Mapping[str, Any]) -> float | None:
    ok, failed = _int(files.get("ok")), _int(files.get("failed"))
    if ok is None or failed is None:
        return None
    return failed / (ok + failed) if ok + failed else 0.0


def format_number(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return f"{value:.{digits}f}"


def outputs_from_report(report: Mapping[str, Any] | None, paths: Mapping[str, str]) -> dict[str, str]:
    """All twelve outputs; a count the report does not hold is an empty string."""
    report = report or {}
    files = report.get("files") or {}
    entities = report.get("entities") or {}

    def count(section: Mapping[str, Any], key: str) -> str:
        value = _int(section.get(key))
        return "" if value is None else str(value)

    throughput = report.get("throughput_files_per_s")
    return {
        "database": paths.get("database", ""),
        "checkpoint": paths.get("checkpoint", ""),
        "report": paths.get("report", ""),
        "files-total": count(files, "total"),
        "files-ok": count(files, "ok"),
        "files-failed": count(files, "failed"),
        "files-unchanged": count(files, "unchanged"),
        "classes": count(entities, "classes"),
        "properties": count(entities, "properties"),
        "axioms": count(entities, "axioms"),
        "error-rate": format_number(error_rate(files), 4),
        "files-per-second": format_number(throughput if isinstance(throughput, (int, float)) else None),
        **{name: "" for name in OUTPUT_NAMES[12:]},
    }


def write_outputs(path: str, outputs: Mapping[str, str]) -> None:
    """Append `name=value` lines to `$GITHUB_OUTPUT` (a random-delimiter block for multi-line values)."""
    with open(path, "a", encoding="utf-8") as fh:
        for name, value in outputs.items():
            value = str(value)
            if "\n" in value or "\r" in value:
                delimiter = "ghadelimiter_" + secrets.token_hex(8)
                fh.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                fh.write(f"{name}={value}\n")


# --- the job summary -----------------------------------------------------------------------------

SUMMARY_LIMIT = 1024 * 1024  # GitHub drops a step's job summary over 1 MiB (bytes, not characters)
CUT_NOTE = "\n…cut here to stay under GitHub's 1 MiB job summary limit; the run report has everything.\n"
# "What changed" is budgeted far below the limit (action/changes.py): this note is a last guard
CHANGES_CUT_NOTE = ("\n…cut here to stay under GitHub's 1 MiB job summary limit; `ontosync diff` on the database lists "
                    "every change.\n")


def fit_summary(opening: str, body: str) -> str:
    """The job summary: `opening` ("What changed") then `body` (the run), in UTF-8 bytes under
    SUMMARY_LIMIT, each cut at a line. The opening keeps its room first: it is budgeted already
    (action/changes.py SUMMARY_BUDGET), and the pull request's comment says how many of its rows
    the summary has; the run's part, capped in characters (4x the bytes in a 4-byte script, 5x for
    `&`), took its room first and cut the opening, whose note sent readers to the run report,
    which holds no change. The run's part is cut now, its note true: the run report has it all."""
    opening = _cut_bytes(opening, SUMMARY_LIMIT - 4096, CHANGES_CUT_NOTE)
    return opening + _cut_bytes(body, SUMMARY_LIMIT - 4096 - len(opening.encode("utf-8")))


def _cut_bytes(text: str, limit: int, note: str = CUT_NOTE) -> str:
    """`text` cut at a line to `limit` bytes, the cut note ending it. A `<details>` block the cut
    falls in is closed first: the note was inside the collapsed warnings, and the summary read whole."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = max(limit - len(note.encode("utf-8")) - len(_CLOSE) * text.count("<details>"), 0)
    kept = data[:room].decode("utf-8", "ignore").rsplit("\n", 1)[0]
    return kept + "\n" + _CLOSE * (kept.count("<details>") - kept.count("</details>")) + note + "\n"


_CLOSE = "\n</details>\n"  # (a user's text never holds the tag: `cell` escapes HTML)


def cell(text: Any, limit: int = MAX_MESSAGE, in_code: bool = False) -> str:
    """Text safe inside a markdown table cell or quote: one line, no raw HTML, no inline markup (a file
    name like `[x](https://…).md` is no link, `![…](…)` no image, `**…**` no emphasis, no autolink),
    pipes escaped, `@name` pings nobody (a zero-width joiner, as in the pull-request comment), and
    `:warning:` is no emoji (text_cut.no_emoji) but `in_code`, where GitHub shows none: a path copied
    from its `<code>` carried the joiner."""
    line = " ".join(str("" if text is None else text).split())  # (no tab nor newline: printable's escapes)
    s = cut_shown(line, limit, visible_pieces)  # between two escapes, never inside one
    s = _INLINE_MARKUP.sub(r"\\\1", html.escape(s, quote=False)).replace("@", "@" + ZWJ)
    s = s if in_code else no_emoji(s)
    return _WWW.sub(r"\1\\.", s)  # GitHub links a bare `www.host` too (GFM's extended autolink)


_WWW = re.compile(r"(?i)(?<![0-9a-z])(www)\.")


def code(text: Any) -> str:
    return f"<code>{cell(text, in_code=True)}</code>"


def table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def resample_progress(progress: list[Mapping[str, Any]], points: int = CHART_POINTS) -> list[tuple[float, int]]:
    """(t, done) at evenly spaced times from the run's samples, stepping as the samples do."""
    samples = sorted(
        (float(p["t"]), int(p["done"])) for p in progress
        if isinstance(p, Mapping) and _int(p.get("done")) is not None and p.get("t") is not None
    )
    if not samples:
        return []
    if samples[0][0] > 0:
        samples.insert(0, (0.0, 0))
    end = samples[-1][0]
    if end <= 0:
        return [(0.0, samples[-1][1])]
    n = max(2, points)
    out, j = [], 0
    for i in range(n):
        t = end * i / (n - 1)
        while j + 1 < len(samples) and samples[j + 1][0] <= t + 1e-9:
            j += 1
        out.append((t, samples[j][1]))
    return out


def progress_chart(progress: list[Mapping[str, Any]], total: int | None) -> list[str]:
    points = resample_progress(progress)
    if len(points) < 2:
        return []
    top = max([p[1] for p in points] + [total or 0, 1])
    end = points[-1][0]
    values = ", ".join(str(v) for _, v in points)
    # A numeric x-axis spreads the (evenly resampled) values over the run's duration.
    return [
        "```mermaid",
        "xychart-beta",
        '    title "Files processed over the run"',
        f'    x-axis "seconds" 0 --> {max(end, 0.1):.{1 if end < 100 else 0}f}',
        f'    y-axis "files" 0 --> {top}',
        f"    line [{values}]",
        "```",
        "",
    ]


VERDICTS = {0: "✅ synced", 1: "⚠️ error rate over the threshold", 2: "❌ usage or configuration error",
            3: "❌ fatal: database integrity or migration failure",
            4: "⏳ database busy: another sync holds it", 130: "⏹️ interrupted"}


def verdict(report: Mapping[str, Any], exit_code: int) -> str:
    """The summary's heading. Exit 1 is also a run GitHub stopped early (a rate limit past the
    allowed wait, GitHub down): its report has no error-rate alert, and saying "error rate" sent
    the user looking for failed files instead of running again. Exit 1 with no report at all is
    said as such: "error rate over the threshold" named a cause nothing showed."""
    if stopped_early(report, exit_code):  # "saved" unless a `checkpoint` warning says it was not (a read-only folder)
        warnings = report.get("warnings")
        if isinstance(warnings, list) and any(isinstance(w, dict) and w.get("kind") == "checkpoint" for w in warnings):
            return "⏸️ stopped early: the checkpoint is not saved (its warning says why), run again to go on"
        return "⏸️ stopped early: the checkpoint is saved, run again to resume"
    if exit_code == 1 and not report:  # (no report to tell an error rate from a stop, nor to name a failed file)
        return "❌ exit 1 and no run report"
    return VERDICTS.get(exit_code, f"❌ exit {exit_code}")


def stopped_early(report: Mapping[str, Any], exit_code: int) -> bool:
    """Exit 1 without an error-rate alert: GitHub stopped the run before its end."""
    alerts = report.get("alerts")
    return exit_code == 1 and isinstance(alerts, list) and not any(
        isinstance(a, dict) and a.get("name") == "error_rate" for a in alerts)


def summary_markdown(report: Mapping[str, Any] | None, exit_code: int, paths: Mapping[str, str],
                     reason: str = "") -> str:
    """The job summary: a verdict, where from and to, then one section per part of the report
    (each section is empty when the report has nothing for it)."""
    report = report or {}
    lines = [f"## ontosync: {verdict(report, exit_code)}", ""]
    if reason:
        lines += [f"> {cell(reason, 1000)}", ""]
    source = report.get("source")
    if source:
        rev = paths["commit"] if "commit" in paths else report.get("revision")  # (action/checked_out.py)
        folder = paths.get("folder")
        lines += [f"Source {code(paths.get('source') or source)}" + (f", folder {code(folder)}" if folder else "")
                  + (f" at {code(rev)}" if rev else "")
                  + (" (resumed from a checkpoint)" if report.get("resumed") else "")
                  + f"; database {code(paths.get('database', ''))}.", ""]
    if not report:
        lines += ["No run report was written.", ""]
        return "\n".join(lines)
    for section in (_counts, _throughput, _alerts, _progress, _errors_by_kind, _slowest, _failed, _warnings):
        lines += section(report, paths)
    return "\n".join(lines)


def _counts(report: Mapping[str, Any], paths: Mapping[str, str]) -> list[str]:
    files = report.get("files") or {}
    entities = report.get("entities") or {}
    keys = ("total", "ok", "failed", "skipped", "unchanged", "deleted")
    lines = ["### Files", "", *table(keys, [[files.get(k, "") for k in keys]])]
    lines += ["### Entities in the database", ""]
    ekeys = ("classes", "properties", "axioms", "hierarchy_edges")
    return lines + table(["classes", "properties", "axioms", "hierarchy edges"],
                         [[_shown(entities.get(k, "")) for k in ekeys]])


def _shown(count: Any) -> Any:
    """A count the sync could not read (null: its database stopped answering) says so."""
    return "not read" if count is None else count


def _throughput(report: Mapping[str, Any], paths: Mapping[str, str]) -> list[str]:
    lat = report.get("write_latency_ms") or {}
    rate = error_rate(report.get("files") or {})
    util = report.get("worker_utilization")
    rows = [
        ["duration", f"{format_number(report.get('duration_s'), 1)} s"],
        ["throughput", f"{format_number(report.get('throughput_files_per_s'), 1)} files/s"],
        ["error rate", f"{rate:.2%}" if rate is not None else ""],
        ["peak memory", f"{format_number(report.get('peak_rss_mb'), 1)} MB"],
        ["write latency p50 / p95 / max",
         " / ".join(format_number(lat.get(k), 1) for k in ("p50", "p95", "max")) + " ms"],
        ["worker utilization", f"{util:.0%}" if isinstance(util, (int, float)) else ""],
        ["retries", report.get("retries", "")],
        ["queue depth max", report.get("queue_depth_max", "")],
    ]
    return ["### Throughput", "", *table(["measure", "value"], rows)]


def _alerts(report: Mapping[str, Any], paths: Mapping[str, str]) -> list[str]:
    alerts = report.get("alerts") or []
    if not alerts:
        return []
    return ["### Alerts", "", *table(["alert", "value", "threshold"],
                                     [[cell(a.get("name")), cell(a.get("value")), cell(a.get("threshold"))]
                                      for a in alerts])]


def _progress(report: Mapping[str, Any], paths: Mapping[str, str]) -> list[str]:
    chart = progress_chart(report.get("progress") or [], _int((report.get("files") or {}).get("total")))
    return ["### Progress", "", *chart] if chart else []


def _errors(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [e for e in report.get("errors") or [] if isinstance(e, Mapping)]


def _errors_by_kind(report: Mapping[str, Any], paths: Mapping[str, str]) -> list[str]:
    kinds = Counter(str(e.get("kind") or "unknown") for e in _errors(report))
    if not kinds:
        return []
    return ["### Errors by kind", "", *table(["kind", "files"], [[cell(k), n] for k, n in kinds.most_common()])]


def _slowest(report: Mapping[str, Any], paths: Mapping[str, str]) -> list[str]:
    slowest = [s for s in report.get("slowest_files") or [] if isinstance(s, Mapping)]
    if not slowest:
        return []
    return ["### Slowest files", "", *table(["file", "ms"], [[code(s.get("path")), format_number(s.get("ms"), 1)]
                                                              for s in slowest[:10]])]


def _failed(report: Mapping[str, Any], paths: Mapping[str, str]) -> list[str]:
    errors = _errors(report)
    if not errors:
        return []
    lines = [f"### Failed files ({len(errors)})", ""]
    lines += table(
        ["file", "line", "kind", "message"],
        [[code(e.get("path")), e.get("line") or "", cell(e.get("kind")), cell(e.get("message"))]
         for e in errors[:MAX_TABLE_ROWS]],
    )
    if len(errors) > MAX_TABLE_ROWS:
        lines += [f"…and {len(errors) - MAX_TABLE_ROWS} more: see the report {code(paths.get('report'))}.", ""]
    return lines


def _warnings(report: Mapping[str, Any], paths: Mapping[str, str]) -> list[str]:
    warnings = [w for w in report.get("warnings") or [] if isinstance(w, Mapping)]
    if not warnings:
        return []
    kinds = Counter(str(w.get("kind") or "warning") for w in warnings)
    lines = ["<details><summary>Warnings: "
             + ", ".join(f"{cell(k)} × {n}" for k, n in kinds.most_common()) + "</summary>", ""]
    lines += table(["file", "kind", "message"],
                   [[code(w.get("path")), cell(w.get("kind")), cell(w.get("message"))]
                    for w in warnings[:MAX_TABLE_ROWS]])
    return [*lines, "</details>", ""]


# --- annotations ---------------------------------------------------------------------------------

def annotate_failures(cmd: Commands, report: Mapping[str, Any] | None, *, link_files: bool = True,
                      path_prefix: str = "") -> int:
    """One `::error` per failed file while the step has room (GitHub shows ten; an exit's own error
    annotation takes one), then one warning that counts the rest.

    The rest are also listed in the log, inside `stop-commands` since their text is untrusted.
    Returns the number of error annotations written.
    """
    errors = [e for e in (report or {}).get("errors") or [] if isinstance(e, Mapping)]
    room = max(ANNOTATION_LIMIT - cmd.errors, 0)
    shown = errors if len(errors) <= room else errors[:room]
    for e in shown:
        path = str(e.get("path") or "")
        props: dict[str, object] = {"title": f"ontosync: {e.get('kind') or 'error'} in {path}"}
        if link_files and path:
            props = {"file": path_prefix + path, "line": _int(e.get("line")) or 1, **props}
        cmd.command("error", e.get("message") or "failed", props)
    rest = errors[len(shown):]
    if rest:
        more = "1 more file failed to sync and is" if len(rest) == 1 else \
            f"{len(rest)} more files failed to sync and are"
        cmd.warning(
            f"{more} not annotated (GitHub shows at most "
            f"{ANNOTATION_LIMIT} per step); {len(errors)} in all: see the job summary and the run report.",
            title="ontosync: more failed files",
        )
        with cmd.group(f"{counted(len(rest), 'more failed file')}"), cmd.stop_commands():
            for e in rest:
                line = f":{e.get('line')}" if e.get("line") else ""
                message = " ".join(str(e.get("message") or "").split())
                cmd.line(f"{e.get('path')}{line}: {e.get('kind') or 'error'}: {message}")
    return len(shown)


def annotate_revision(cmd: Commands, report: Mapping[str, Any] | None) -> None:
    """A `::warning` for the sync's `revision` warning (a `.git/HEAD` it could not read: the commit
    recorded is GITHUB_SHA, which need not be the one checked out): its terminal line is in the
    sync's fenced log, which a reader of the run's page does not open."""
    for w in (report or {}).get("warnings") or []:
        if isinstance(w, Mapping) and w.get("kind") == "revision":
            cmd.warning(str(w.get("message") or ""), title="ontosync: revision")
