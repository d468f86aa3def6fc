"""The user's `--include` globs that select no file of the tree: the `unmatched-glob` warnings.

Why: `--include ontology/` on a tree whose folder is `ontologies/` synced the other globs' files,
exit 0, without a word of the glob that selected nothing (a misspelt folder looks like an empty
one). A warning, not an error: a configuration shared by several repositories may name folders
one of them lacks. Said only once the walk has seen the whole tree (`walked`): a run stopped
during its listing has not seen every file a glob may select.
"""

from __future__ import annotations

import os

from ontosync.sources.globs import Matcher, compile_globs

INCLUDE_FROM_ENV = "ONTOSYNC_INCLUDE_FROM"  # set by the Action: its `include` input gave the flags
FLAG = "--include"


def include_origin(from_flags: bool, config_file: str | None) -> str:
    """Where the include globs came from, as a warning names it: the flag (the Action's input when
    the Action ran the sync), else the configuration file's `include:` key."""
    if from_flags:
        return os.environ.get(INCLUDE_FROM_ENV) or FLAG
    return f"{config_file}: include" if config_file else FLAG


class UnmatchedGlobs:
    """Each user include glob not yet seen to select a path. A path the include test passed is
    matched against those left only (none left: no cost)."""

    def __init__(self, globs: tuple[str, ...], origin: str):
        self.origin = origin
        self._left: dict[str, Matcher] = {g: compile_globs([g]) for g in dict.fromkeys(globs)}
        self.walked = False  # set by a source once its walk has seen the whole tree

    def seen(self, path: str) -> None:
        if self._left:
            for glob in [g for g, matcher in self._left.items() if matcher.match(path)]:
                del self._left[glob]

    def warnings(self) -> list[dict]:
        if not self.walked:
            return []
        return [{"path": None, "kind": "unmatched-glob", "line": None,
                 "message": f"{self.origin} {glob!r} selects no file of the source"} for glob in self._left]
