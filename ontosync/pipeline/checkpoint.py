"""The checkpoint: a small JSON file, rewritten atomically (temp file, then rename).

It holds counters and the failed files, never the list of processed files: the database already
knows which files are committed (their blob hashes), so resuming only needs to know that a run
was interrupted, when it started, and for which source. Its size does not grow with progress.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ontosync.pipeline.outputs import read_regular, write_text

VERSION = 1


@dataclass
class Checkpoint:
    source: str
    revision: str | None
    started_at: str
    last_checkpoint_at: str
    total_files: int = 0
    processed: int = 0
    failed: list[dict] = field(default_factory=list)
    finished: bool = False
    version: int = VERSION

    @classmethod
    def load(cls, path: str | Path) -> Checkpoint | None:
        """The checkpoint at `path`, or None when absent or unreadable (then there is nothing to resume).
        Garbage is unreadable too, however it is made (deeply nested JSON raises RecursionError)."""
        try:
            data = json.loads(read_regular(path) or "null")
            known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
            return cls(**known)
        except (OSError, ValueError, TypeError, RecursionError):
            return None

    def save(self, path: str | Path) -> None:
        write_text(path, self.text())

    def text(self) -> str:
        """The file's content as of now (pipeline/checkpoint_writer.py writes it later)."""
        return json.dumps(asdict(self), indent=1, ensure_ascii=False)

    def resumable_for(self, source: str) -> bool:
        return not self.finished and self.source == source
