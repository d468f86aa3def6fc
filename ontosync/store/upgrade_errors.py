"""What upgrading a database can raise: each a console.Stopped, whose `word` and `code` (the CLI's
exit status) cli.py's main says."""

from __future__ import annotations

from ontosync.console import Stopped


class UpgradeError(Stopped):
    """Base of what `prepare_database` and `migrate` raise (exit 3 unless a kind below says)."""


class UnknownShapeError(UpgradeError):
    """Not a database ontosync knows how to upgrade; nothing was written."""

    word, code = "error", 2


class NewerDatabase(UpgradeError):
    """The database applied migrations this release does not know; nothing was written (exit 3)."""


class DatabaseBusy(UpgradeError):
    """Another writer holds the database: exit 4, nothing was written."""

    word, code = "busy", 4


class DatabaseNotFound(UpgradeError):
    """`migrate` was pointed at a file that does not exist (a typo should not create one)."""

    word, code = "error", 2


class MigrationFailed(UpgradeError):
    """The migration was refused or failed and was rolled back (exit 3); `backup_path` names the backup."""

    def __init__(self, message: str, backup_path: str | None = None) -> None:
        super().__init__(message)
        self.backup_path = backup_path
