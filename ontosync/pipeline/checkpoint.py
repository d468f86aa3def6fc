"""The checkpoint: a small JSON file, rewritten atomically (temp file, then rename).

It holds counters and the failed files, never the list of processed files: the database already
knows which files are committed (their blob hashes), so resuming only needs to know that a run
was interrupted, when it started, and for which source. Its size does not grow with progress.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

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
        """The checkpoint at `path`, or None when absent or unreadable (then there is nothing to resume)."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
            return cls(**known)
        except (OSError, ValueError, TypeError):
            return None

    def save(self, path: str | Path) -> None:
        path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", suffix=".tmp", dir=path.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(asdict(self), fh, indent=1, ensure_ascii=False)
            os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; a checkpoint is an ordinary file
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def resumable_for(self, source: str) -> bool:
        return not self.finished and self.source == source


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
