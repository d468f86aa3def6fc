"""Find the Logseq graph a source holds and read its `logseq/config.edn`, once per run.

Why here and this way: the settings must be known before the first page is parsed (they change
page names), and they must be read the same way from a local tree and from GitHub, so they go
through `Source.read_file` rather than the local filesystem. The graph root is the folder that
holds `logseq/config.edn`: the deepest of `--path` and its parent folders (up to the source
root) that has one. So `--path mainKnowledgeGraph/pages` finds `mainKnowledgeGraph/logseq/
config.edn`, and a whole-repository sync finds the root's. Without one, Logseq's defaults apply.
"""

from __future__ import annotations

import dataclasses

from ontosync.parsing import ParseOptions
from ontosync.parsing.facts import ParseWarning
from ontosync.parsing.logseq_config import (
    CONFIG_PATH,
    MAX_CONFIG_BYTES,
    LogseqGraph,
    kept_instead,
    oversized_config,
    parse_config,
    refused,
    settings_from_record,
    settings_record,
)
from ontosync.sources import FileTooLarge, Source, SourceInterrupted


def candidate_roots(subdir: str | None) -> list[str]:
    """`--path` and its parent folders, deepest first, ending with the source root ("")."""
    parts = [p for p in (subdir or "").strip("/").split("/") if p and p != "."]
    return ["/".join(parts[:k]) + "/" for k in range(len(parts), 0, -1)] + [""]


def find_graph(source: Source, subdir: str | None) -> tuple[LogseqGraph | None, list[ParseWarning], str | None]:
    """(the graph, warnings about its config, the config's path), or (None, [], None) if none."""
    read = getattr(source, "read_file", None)
    if read is None:  # a source without the method (a test double): Logseq's defaults
        return None, [], None
    for root in candidate_roots(subdir):
        path = root + CONFIG_PATH
        try:
            data = read(path, MAX_CONFIG_BYTES)
        except FileTooLarge:  # there, so this is the graph's root, with Logseq's defaults and a warning
            config, warnings = oversized_config(path)
            return LogseqGraph(root, config, True), warnings, path
        if data is None:
            continue
        config, warnings = parse_config(data, path)
        return LogseqGraph(root, config, True), warnings, path
    return None, [], None


def with_graph(source: Source, subdir: str | None, options: ParseOptions,
               stored: str | None = None) -> tuple[ParseOptions, list[dict], str | None]:
    """`options` carrying the source's graph, the run-report warnings its config gave, and the
    record of the graph's last good settings for the database to keep (`stored`: what it keeps).

    A config.edn refused whole is a failed file: as CONTRACT section 2 has a failed file keep the
    facts of its last good version, the graph keeps that version's settings when the database
    knows them. Logseq's defaults in their place changed the names and the pages of the whole graph
    (its `:hidden` folders' pages entered the database) for a lost bracket, and back when mended."""
    try:
        graph, warnings, path = find_graph(source, subdir)
    except SourceInterrupted:  # the listing meets the same stop first thing: nothing is parsed
        return options, [], stored
    record = None if graph is None else settings_record(path, graph.config)
    if graph is not None and refused(warnings):
        record = stored
        kept = settings_from_record(stored, path)
        if kept is not None:
            graph, warnings = dataclasses.replace(graph, config=kept), [kept_instead(warnings[0])]
    report = [{"path": path, "kind": w.kind, "message": w.message, "line": w.line} for w in warnings]
    if graph is None:
        return options, report, record
    return dataclasses.replace(options, logseq=graph), report, record


def logseq_fingerprint(graph: LogseqGraph | None) -> list:
    """The graph settings for the parse-settings fingerprint: a change renames pages, so the next
    sync reparses every file. Always a list, so that adding this to the fingerprint changed it
    once for every database (their links need the link text this version stores)."""
    if graph is None:
        return ["logseq"]
    return ["logseq", graph.root, dataclasses.asdict(graph.config)]
