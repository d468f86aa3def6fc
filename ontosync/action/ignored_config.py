"""The keys of the sync's configuration file that the Action overrides, named in a notice.

The Action always passes `--db`, `--checkpoint` and `--report` (it restores and uploads those
files, and its outputs name them), and flags win over the file. A `db:` in `.ontosync.yml` was
therefore ignored without a word: the user looked for a database that was never written. Each
such key is named with its line and the input whose value is used instead.
"""

from __future__ import annotations

from pathlib import Path

from ontosync.action.commands import Commands
from ontosync.action.inputs import ActionInputs
from ontosync.config import config_followed, read_config_mapping
from ontosync.config_limits import ConfigError
from ontosync.db_url import mask
from ontosync.options import config_keys

OVERRIDDEN = {"db": "database", "checkpoint": "checkpoint", "report": "report"}  # setting -> the input that wins


def config_keys_lines(inputs: ActionInputs) -> tuple[str, list[tuple[str, str, int | None]]] | None:
    """(the file as the user names it, [(key as written, its setting, its line)]) of the file the
    sync reads; None when there is none, or it cannot be read (the sync says why, exit 2)."""
    # (a link out of the checkout: None, the sync refuses it, and it is not the checkout's to show)
    path = config_followed(str(inputs.config) if inputs.config else None, inputs.source)
    if path is None:
        return None
    try:
        data, lines = read_config_mapping(Path(path))
    except ConfigError:
        return None
    keys = config_keys()
    found = [(str(key), keys[str(key).replace("_", "-")].field, lines.get(str(key)))
             for key in data if str(key).replace("_", "-") in keys]
    return inputs.relative(Path(path)), found


def note_ignored_config(cmd: Commands, inputs: ActionInputs) -> None:
    """A notice per `db:`/`checkpoint:`/`report:` key of the configuration file, naming the input
    (and the value) the Action uses instead."""
    read = config_keys_lines(inputs)
    if read is None:
        return
    shown, found = read
    used = {"db": mask(inputs.database_url) or inputs.relative(inputs.database),
            "checkpoint": inputs.relative(inputs.checkpoint), "report": inputs.relative(inputs.report)}
    for key, setting, line in found:
        if setting in OVERRIDDEN:
            where = f"{shown} line {line}" if line else shown
            cmd.notice(f"{where}: {key!r} is not used by the Action: its input {OVERRIDDEN[setting]!r} "
                       f"({used[setting]}) sets that file", title="ontosync: configuration")
