"""The Action's inputs: read from `INPUT_*`, checked, and turned into `ontosync sync` arguments.

The runner passes each input as `INPUT_<NAME>` with the name upper-cased and its hyphens kept
(`INPUT_GITHUB-TOKEN`, `INPUT_MAX-ERROR-RATE`). An input left empty means "the command line's
default". Relative paths are resolved inside the workspace (`GITHUB_WORKSPACE`, which the runner
mounts at `/github/workspace`), so the outputs name files that later steps can read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ontosync.action.container_step import FALSE, TRUE, bool_word, name_refused, uploads  # the runner step's too
from ontosync.db_url import (
    BadDatabaseUrl,
    checkpoint_name,
    folder_name,
    is_postgres_url,
    not_a_path,
    shown_db,
    split_schema,
    url_problem,
)
from ontosync.options import BY_INPUT, OPTIONS, Option, default_api_url
from ontosync.pipeline.outputs import DB_FILES, ENDS_IN_SLASH, OTHER_DATABASE, ends_in_slash, is_other_database
from ontosync.sources.git_head import nearest_checkout, origin_repository
from ontosync.sources.local import file_kind
from ontosync.sources.names import hide_credentials, is_repository

DEFAULT_WORKSPACE = "/github/workspace"
DEFAULT_DATABASE = BY_INPUT["database"].input_default  # what an empty input means (action.yml says the same)
DEFAULT_REPORT = BY_INPUT["report"].input_default
CHANGES_FILE = "ontosync-changes.json"  # the change JSON beside the default report (ActionInputs.changes)



class InputError(ValueError):
    """An input has a value the Action cannot use (exit 2, like a bad command-line flag)."""


def input_env_name(name: str) -> str:
    return "INPUT_" + name.replace(" ", "_").upper()


def get_input(env: Mapping[str, str], name: str) -> str:
    return env.get(input_env_name(name), "").strip()


def split_list(value: str) -> list[str]:
    """Newline- or comma-separated items; commas inside `{a,b}` braces belong to the glob."""
    items: list[str] = []
    for raw_line in value.splitlines():
        depth, current = 0, []
        for ch in raw_line:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth = max(0, depth - 1)
            if ch == "," and depth == 0:
                items.append("".join(current))
                current = []
            else:
                current.append(ch)
        items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def parse_bool(name: str, value: str, default: str) -> bool:
    """A boolean input; empty: `default` (its action.yml default)."""
    low = bool_word(value, default)
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    raise InputError(f"input {name!r} must be true or false, not {value!r}")


class Checkout(NamedTuple):
    """The checkout holding the synced folder (None when none does up to the workspace), and its
    `origin`'s OWNER/REPO (None: none readable)."""

    place: Path | None
    origin: str | None


def read_checkout(workspace: Path, folder: str) -> Checkout:
    """The checkout holding `folder` of the workspace, found by the sync's own walk
    (git_head.nearest_checkout, within the workspace's real path), and its origin: read once a run
    (ActionInputs.checked_out). Read again for each use (the schema's checkpoint, each read of the
    change log, the summary), a `.git/config` changed meanwhile named one repository for the schema
    and another in the summary."""
    top = Path(os.path.realpath(workspace))
    place = nearest_checkout(workspace / folder, top)
    return Checkout(place, origin_repository(place, top) if place is not None else None)


def schema_origin(checkout: Checkout) -> str | None:
    """`checkout`'s origin in CI (GITHUB_REPOSITORY set), as sources/git_head.checkout_origin gives it
    to the sync: what a PostgreSQL schema is named after (db_url.default_source_name); None outside CI."""
    return checkout.origin if os.environ.get("GITHUB_REPOSITORY") else None


@dataclass
class ActionInputs:
    workspace: Path
    database: Path
    checkpoint: Path
    report: Path
    source: str
    token: str = ""
    restore_artifact: str = ""
    api_url: str = ""
    repository: str = ""
    flags: list[str] = field(default_factory=list)  # every other sync option, ready for argv
    notes: list[str] = field(default_factory=list)  # warnings about the inputs, for the log
    database_url: str = ""  # a PostgreSQL `database` input (then `database` is a path never written)
    config: Path | None = None  # the `config` input, resolved (None: the source's `.ontosync.yml`, if any)
    path: str = ""  # the folder synced in the source, normalized as the sync reads it (synced_folder)
    checkout: Checkout | None = None  # read_checkout's answer, once a run (checked_out)

    @property
    def local_source(self) -> bool:
        return not self.source.startswith("github:")

    def checked_out(self) -> Checkout:
        """The checkout holding the synced folder and its origin (read_checkout), read at the first
        call and kept; none for the GitHub API's source."""
        if self.checkout is None:
            self.checkout = read_checkout(self.workspace, self.path) if self.local_source else Checkout(None, None)
        return self.checkout

    @property
    def origin(self) -> str | None:
        """The synced checkout's origin (checked_out) as the schema is named after it (schema_origin)."""
        return schema_origin(self.checked_out())

    @property
    def changes(self) -> Path:
        """The change JSON (the `changes` output): `ontosync-changes.json` beside the default report,
        `NAME-changes.json` beside a report `NAME.json`. Why: two Action steps in one job, each with
        its own report, shared one change JSON, and the second removed or overwrote the first's."""
        default = self.report.name == Path(DEFAULT_REPORT).name
        return self.report.with_name(CHANGES_FILE if default else f"{self.report.stem}-changes.json")

    def sync_argv(self) -> list[str]:
        """The `ontosync sync` command line these inputs mean (the token travels in the env)."""
        argv = ["sync", self.source, "--db", self.database_url or str(self.database),
                "--checkpoint", str(self.checkpoint), "--report", str(self.report)]
        return argv + self.flags

    def relative(self, path: Path) -> str:
        """`path` as later steps see it: relative to the workspace when inside it."""
        try:
            return str(path.relative_to(self.workspace))
        except ValueError:
            return str(path)


def resolve_in_workspace(workspace: Path, value: str, notes: list[str], name: str, runner: str = "") -> Path:
    """`value` inside the workspace; `runner`: the runner's path of the checkout, which a path written
    as `${{ github.workspace }}/...` starts with: no such folder in the container (a file written
    there was lost with it, and the upload found none), so taken as the workspace's."""
    path = Path(value)
    if len(Path(runner).parts) > 1 and path.is_absolute() and path.is_relative_to(runner):  # (not `/`)
        path = workspace / path.relative_to(runner)
    if not path.is_absolute():
        path = workspace / path
    path = Path(os.path.normpath(path))
    try:
        path.relative_to(workspace)
    except ValueError:
        notes.append(f"input {name!r} ({value}) is outside the workspace {workspace}: "
                     "later steps of the job will not see it")
    return path


def option_flags(option: Option, raw: str) -> list[str]:
    """The `sync` flags one input of the options table means: type and bounds checked here, so a
    bad input is named as the input (exit 2 either way). `--flag=value`, one word: as two words,
    `exclude: -drafts/**` read as a flag of its own ("expected one argument")."""
    name, value = option.input, raw.strip()
    if option.kind == "globs":
        return [f"{option.flag}={glob}" for glob in split_list(raw)]
    if option.kind == "bool":  # empty: its action.yml default, as for every boolean input
        return [option.flag] if parse_bool(name, value, option.input_default) else []
    if not value:
        return []
    if option.kind == "int":
        try:
            number: float = int(value)
        except ValueError:
            raise InputError(f"input {name!r} must be a whole number, not {value!r}") from None
        value = str(number)
    elif option.kind == "float":
        try:
            number = float(value)
        except ValueError:
            raise InputError(f"input {name!r} must be a number, not {value!r}") from None
    rule = option.broken_rule(number if option.kind in ("int", "float") else value)
    if rule:
        raise InputError(f"input {name!r} is out of range: {value!r} (it must {rule})")
    return [f"{option.flag}={value}"]  # one word: a value starting with `-` is no flag of its own


def read_source(env: Mapping[str, str], workspace: Path, notes: list[str]) -> str:
    """`github:OWNER/REPO[@REF]` from `repository` and `ref`, else the checked-out workspace."""
    repository, ref = get_input(env, "repository"), get_input(env, "ref")
    if repository:
        if not is_repository(repository):
            raise InputError(f"input 'repository' must look like OWNER/REPO, not {hide_credentials(repository)!r}")
        return f"github:{repository}" + (f"@{ref}" if ref else "")
    if ref:
        notes.append("input 'ref' only applies with 'repository'; syncing the checked-out workspace")
    return str(workspace)


def path_flags(sub: str) -> list[str]:
    if not sub:
        return []
    if Path(sub).is_absolute() or ".." in Path(sub).parts:
        raise InputError(f"input 'path' must be a folder inside the source, not {sub!r}")
    return [f"--path={sub}"]


def read_inputs(env: Mapping[str, str]) -> ActionInputs:
    """Check every input and build the settings; raises InputError with a one-line reason."""
    inputs = read_places(env)
    refuse_dashes(env)
    refuse_clashing_paths(inputs)
    refuse_unfit_outputs(env, inputs)
    refuse_artifact_names(env)
    inputs.flags = read_flags(env, inputs)
    return inputs


PATH_INPUTS = ("path", "database", "checkpoint", "report", "config")


def refuse_dashes(env: Mapping[str, str]) -> None:
    """A path input given as `-` (the command line's standard input or output): the Action has neither,
    and took it as a file or folder named `-` in the workspace. Refused, naming the input."""
    for name in PATH_INPUTS:
        if get_input(env, name) == "-":
            raise InputError(f"input {name!r} is '-', which names no file here (the Action has no standard input "
                             f"or output to read or write): give {name!r} a path in the workspace, or leave it empty")


def refuse_unfit_outputs(env: Mapping[str, str], inputs: ActionInputs) -> None:
    """The command line's refusals of an output path (pipeline/outputs.py), said of the `report` and
    `checkpoint` inputs before the run removes (or restores) anything: `report: notes.db`, another
    program's SQLite database, was deleted as a report left from before, and the sync found nothing
    to refuse; `report: out/` was normalised to `out`, and a file `out` written (`database: out/`, a
    database file `out`, where `--db out/` is refused). A FIFO or a device at one of the Action's
    files, the database's too, is refused as well (special_file)."""
    if why := folder_name(get_input(env, "database")):  # `database: out/` made a database file `out`
        raise InputError(f"input 'database' ({get_input(env, 'database')}): {why}")
    for name in ("report", "checkpoint"):
        if ends_in_slash(get_input(env, name)):
            raise InputError(f"input {name!r} ({get_input(env, name)}): {ENDS_IN_SLASH}")
    changes = f"the change JSON the Action writes beside it ({inputs.relative(inputs.changes)}) "
    named = [] if inputs.database_url else [("database", inputs.database, "")]  # (a server's: no file)
    named += [("report", inputs.report, ""), ("checkpoint", inputs.checkpoint, ""), ("report", inputs.changes, changes)]
    for name, path, what in named:
        shown = inputs.relative(inputs.report if path == inputs.changes else path)
        if kind := special_file(path, inputs.workspace):
            raise InputError(f"input {name!r} ({shown}): {what}is {kind}: the Action writes (or restores) its own "
                             f"file there, reads it back and uploads it; give {name!r} a file's path")
        if name != "database" and is_other_database(path):
            raise InputError(f"input {name!r} ({shown}): {what}{OTHER_DATABASE}")


def special_file(path: Path, workspace: Path) -> str | None:
    """What is at `path` when it is neither a regular file nor a folder (a FIFO, a device, a socket:
    sources/local.file_kind's words), links followed; None when nothing is there, or when a link
    inside the workspace leads there (at the path or at a folder on the way): the checkout's, which
    the Action removes unfollowed (planted_links.py). Why: `report: /dev/stdout` (or a FIFO an
    earlier step made) was removed as an earlier run's report, as root in the container, and a file
    written in its place; left there, the sync wrote into it and the Action's read of the report
    back waited on it; a restore put a file over a device named as `checkpoint` or `database`, and
    a pull request's run removed it. (A folder is the sync's to name.)"""
    inside = path.is_relative_to(workspace)
    unlinked = os.path.normpath(os.path.join(os.path.realpath(workspace), os.path.relpath(path.parent, workspace)))
    if inside and os.path.realpath(path.parent) != unlinked:
        return None
    try:
        mode = (os.lstat if inside else os.stat)(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode) else file_kind(mode)


def refuse_artifact_names(env: Mapping[str, str]) -> None:
    """An artifact's name upload-artifact refuses (`/`, `:`, ...): `artifact-name` failed the upload
    step after the sync, nothing saved and every next run a full sync; `restore-artifact` named an
    artifact that cannot exist, a full sync each run. Refused before the sync, naming the input."""
    for name in ("artifact-name", "restore-artifact") if uploads(get_input(env, "upload-artifact")) \
            else ("restore-artifact",):
        bad = name_refused(get_input(env, name))
        if bad:
            raise InputError(f"input {name!r} ({get_input(env, name)!r}) holds {bad}, which no artifact's name may "
                             "hold (actions/upload-artifact refuses it)")


def refuse_clashing_paths(inputs: ActionInputs) -> None:
    """A file the run removes before the sync (the report and the change JSON: an earlier run's must not
    pass for this one's) named by an input whose file it must keep (`database`, `checkpoint`, `config`):
    refused. Left to the sync, which refuses a report named as the database, the file was gone
    already: a restored database or checkpoint (or a self-hosted runner's kept one) deleted, and the
    change JSON written over it after the sync. The database's files beside it count, as the sync
    counts them (pipeline/outputs.check_distinct): its -wal holds its last commits. (A link on the way
    is the checkout's, removed before anything is: action/planted_links.py.) Checked here, not in
    read_places: the refusal is still said in the pull request's comment. So is a `checkpoint` named
    as the database or a file beside it: the run downloaded and restored the artifact's database there
    (a pull request's run synced the base into it) before the sync refused the two as one."""
    db = None if inputs.database_url else inputs.database
    kept = [("database", db.with_name(db.name + suffix)) for suffix in DB_FILES] if db else []
    if db and (suffix := next((s for s in DB_FILES if inputs.checkpoint == db.with_name(db.name + s)), None)) \
            is not None:
        what = f"its {suffix[1:]} file" if suffix else "that file"
        raise InputError(f"input 'checkpoint' ({inputs.relative(inputs.checkpoint)}) is the database (input 'database' "
                         f"{inputs.relative(db)}: {what}); give 'checkpoint' another path")
    kept += [("checkpoint", inputs.checkpoint), ("config", inputs.config)]
    removed = [(inputs.report, "also input 'report'"), (inputs.changes, "the change JSON the Action writes beside "
                                                        f"input 'report' ({inputs.relative(inputs.report)})")]
    for name, path in kept:
        for gone, what in removed:
            if path == gone:
                shown = f"{inputs.relative(db)}: its file {path.name}" if name == "database" and path != db \
                    else inputs.relative(path)
                raise InputError(f"input {name!r} ({shown}) is {what}: give {name!r} or 'report' another path")


def read_places(env: Mapping[str, str]) -> ActionInputs:
    """The inputs that say where: the source, the database and the files beside it (no sync flags).
    Read alone when a flag's input is bad, so the failure is still said in the pull request's comment,
    which is found by the database's name (action/run.py stop_on_input)."""
    notes: list[str] = []
    workspace = Path(os.path.normpath(env.get("GITHUB_WORKSPACE") or DEFAULT_WORKSPACE))
    runner = os.path.normpath(env.get("ONTOSYNC_RUNNER_WORKSPACE") or str(workspace))

    def resolve(value: str, name: str) -> Path:
        return resolve_in_workspace(workspace, value, notes, name, runner)

    source = read_source(env, workspace, notes)
    database_url = get_input(env, "database") if is_postgres_url(get_input(env, "database")) else ""
    if reason := not_a_path(get_input(env, "database")) or url_problem(get_input(env, "database")):
        # `postgresql+psycopg2://u:PW@h/db` became a path (`//` folded): synced into, PW in the log and outputs
        raise InputError(f"input 'database' ({shown_db(get_input(env, 'database'))}): {reason}")
    try:
        split_schema(database_url)
    except BadDatabaseUrl as exc:
        raise InputError(f"input 'database': {exc}") from None
    config = resolve(get_input(env, "config"), "config") if get_input(env, "config") else None
    folder = synced_folder(env, source, config)  # its checkout names the schema (checkout_origin)
    checkout = read_checkout(workspace, folder) if not source.startswith("github:") else Checkout(None, None)
    # a PostgreSQL database: the file-based steps (artifacts, change log) look at a path never written
    schema_file = checkpoint_name(database_url, source, schema_origin(checkout)) if database_url else ""
    database = resolve((schema_file.replace(".checkpoint.json", ".postgres")
                        if database_url else get_input(env, "database") or DEFAULT_DATABASE), "database")
    checkpoint_value = get_input(env, "checkpoint")
    checkpoint = (resolve(checkpoint_value, "checkpoint") if checkpoint_value
                  else database.with_name(database.name + ".checkpoint.json"))
    report = resolve(get_input(env, "report") or DEFAULT_REPORT, "report")
    return ActionInputs(
        workspace=workspace,
        database=database,
        checkpoint=checkpoint,
        report=report,
        source=source,
        token=get_input(env, "github-token"),
        restore_artifact=get_input(env, "restore-artifact"),
        api_url=default_api_url(env),
        repository=(env.get("GITHUB_REPOSITORY") or "").strip(),
        notes=notes,
        database_url=database_url,
        config=config,
        path=folder,
        checkout=checkout,
    )


def synced_folder(env: Mapping[str, str], source: str, config: Path | None) -> str:
    """The folder of the source the sync syncs, as the sync reads it: the `path` input, else the
    configuration file's `path:` (a flag wins over the file), normalized as the sync does
    (config.source_folder: `/onto` and `./onto/` are `onto`). The Action names the PostgreSQL
    schema (its checkpoint, the change figures' reads) after that folder's checkout as the sync
    does, and its summary, the empty-folder check and a pull request's base read that folder: as
    written, `/onto` was the root's folder and a checkout of another repository read the
    workspace's schema. "" for the whole source, or a value or file the sync will refuse (it says
    why: a `path` climbing out through `..`, a file linked out of the checkout)."""
    from ontosync.config import config_followed, read_config_mapping, source_folder
    from ontosync.config_limits import ConfigError

    given = get_input(env, "path")
    named = str(config) if config else None
    file = None if given or source.startswith("github:") else config_followed(named, source)
    try:
        value = read_config_mapping(Path(file))[0].get("path") if file else given
        return source_folder(value) if isinstance(value, str) else ""
    except (ConfigError, OSError):
        return ""


def read_flags(env: Mapping[str, str], inputs: ActionInputs) -> list[str]:
    """The `sync` flags of every other input (`inputs`: read_places' settings)."""
    flags = path_flags(get_input(env, "path"))
    for option in OPTIONS:
        if option.input and option.passed:
            flags += option_flags(option, env.get(input_env_name(option.input), ""))
    if inputs.config:
        flags += ["--config", str(inputs.config)]
    api_url = (env.get("GITHUB_API_URL") or "").strip()  # passed on only when set (default_api_url)
    if get_input(env, "repository") and api_url:
        flags += ["--api-url", api_url]
    return flags
