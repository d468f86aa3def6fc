"""Folders the source could not list: what they held is not taken for deleted.

A local walk that meets a folder it may not list (permissions, an I/O error) yields one marker,
a `SourceFile` whose path is the folder's, ending in "/", with the reason in `refused`. The plan
then marks every stored file under that folder `failed` (kind `io`), which keeps its last good
facts, instead of deleting it; the run warns once per folder. The next run that can list the
folder again reprocesses those files (`io` is a retryable kind).
"""

from __future__ import annotations

from ontosync.sources import SourceFile


class UnreadableFolders:
    def __init__(self, warnings: list[dict]):
        self.warnings = warnings
        self.prefixes: dict[str, str] = {}  # "folder/" -> why it could not be listed

    def folder(self, sf: SourceFile) -> bool:
        """True (and remembered, with a warning) when `sf` is a folder marker rather than a file."""
        if not sf.path.endswith("/"):
            return False
        reason = sf.refused or "cannot list folder"
        self.prefixes[sf.path] = reason
        self.warnings.append({"path": sf.path.rstrip("/"), "kind": "unreadable-folder", "line": None,
                              "message": f"{reason}; the files stored from it keep their facts"})
        return True

    def holds(self, path: str) -> bool:
        return bool(self.prefixes) and any(path.startswith(p) for p in self.prefixes)

    def reason(self, path: str) -> str:
        folder = next(p for p in self.prefixes if path.startswith(p))
        return f"{self.prefixes[folder]} ({folder.rstrip('/')})"
