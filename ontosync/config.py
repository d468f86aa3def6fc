"""Settings of a sync: command-line flags over `.ontosync.yml` over defaults.

The YAML file takes the same names as the long options (`workers: 4`, `max-error-rate: 0.1`,
`include: [...]`), plus what only a file can hold: `namespaces:` (prefix -> IRI, extending the
built-in table), `page-namespace:`, `jsonld-contexts:` (URL -> local file), `relations:` and
`alerts:`. Every key, its type and its bounds are a row of ontosync/options.py; this module turns
the table into the Settings class and the file's checks.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import stat
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields, make_dataclass
from pathlib import Path
from typing import Any, NoReturn

from ontosync.config_limits import ConfigError, check_shape, key_text, normalize_alerts, read_limited
from ontosync.console import kind_of
from ontosync.db_url import checkpoint_name, is_postgres_url, is_url, shown_db
from ontosync.options import (
    DEFAULT_MAX_FILE_SIZE,
    IRI_PREFIX,
    NOT_IN_IRI,
    Option,
    config_keys,
    default_api_url,
    default_workers,
    settings_options,
)
from ontosync.parsing import DEFAULT_NAMESPACES, ParseOptions
from ontosync.sources import SourceInterrupted
from ontosync.sources.git_head import checkout_origin

__all__ = ["DEFAULT_MAX_FILE_SIZE", "ConfigError", "Settings", "build_settings", "default_workers",
           "load_config_file"]

CONFIG_FILE = ".ontosync.yml"
STDIN = "-"  # `--config -`: the configuration is read from standard input
STDIN_NAME = Path("standard input")  # how its errors name it


@dataclass
class _SettingsBase:
    """Where the files come from; every other field is a row of ontosync/options.py."""

    source: str = "."

    @property
    def checkpoint_path(self) -> str:
        if not self.checkpoint and is_postgres_url(self.db):
            return checkpoint_name(self.db, self.source, self.checkout)  # named by the source's schema, never the URL
        return self.checkpoint or f"{self.db}.checkpoint.json"

    @functools.cached_property
    def checkout(self) -> str | None:
        """The repository of the checkout holding the synced folder (the source, or its --path folder),
        in CI (sources/git_head.checkout_origin): what its PostgreSQL schema is named after when that is
        not the workflow's own repository. Read once: checkpoint_path, asked ~7 times a sync, read
        `.git/config` each time."""
        return checkout_origin(self.source, self.path or "")

    def parse_options(self, base_dir: Path | None = None,
                      read_path: Callable[[str, int], bytes] | None = None) -> ParseOptions:
        """The parsers' options; a relative `jsonld-contexts:` file is the source root's: under
        `base_dir` (a local source), or through `read_path` (a `github:` source's repository file,
        `GitHubSource.read_path`). An absolute one is a file of this machine."""
        contexts = {}
        for url, file in self.jsonld_contexts.items():
            what = f"jsonld-contexts: {file} for {url}"
            if read_path is not None and not Path(file).is_absolute():
                contexts[url] = _repository_context(read_path, file, what, self.max_file_size)
                continue
            p = Path(file) if base_dir is None or Path(file).is_absolute() else base_dir / file
            contexts[url] = _context_text(p, what, self.max_file_size)
        return ParseOptions({**DEFAULT_NAMESPACES, **self.namespaces}, self.page_namespace, contexts)

    def validate(self) -> None:
        """The bounds of the options table, as `--flag must ...` (the same words for a flag and a key)."""
        for option in settings_options():
            rule = option.broken_rule(getattr(self, option.field))
            if rule:
                raise ConfigError(f"{option.flag} must {rule}")
        if self.path:
            self.path = source_folder(self.path)


def source_folder(path: str) -> str:
    """`--path` as the listings compare it with recorded paths: `./pages`, `pages/.` and `pages` are
    one folder (else `./pages` selected nothing, silently); one that climbs out of the source root
    through `..` is refused, wherever it was set (the checkout's own `.ontosync.yml` too)."""
    folder = posixpath.normpath(path.strip("/") or ".")
    if folder == ".." or folder.startswith("../"):
        raise ConfigError(f"--path must {OUTSIDE.format(path)}")
    return "" if folder == "." else folder


OUTSIDE = "be a folder inside the source, not {!r}"


def _context_text(path: Path, what: str, max_size: int) -> str:
    """A JSON-LD context file's text; anything else (absent, not UTF-8, a FIFO that would block the
    run for ever, larger than any file of the source may be: it was read whole, and handed to every
    worker) is a one-line ConfigError naming it, never a traceback."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{what}: not a regular file")
        if info.st_size > max_size:
            raise ConfigError(f"{what}: {info.st_size} bytes, larger than --max-file-size ({max_size})")
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{what}: cannot read it: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what}: not UTF-8 text (byte {exc.start})") from None


def _repository_context(read_path: Callable[[str, int], bytes], file: str, what: str, max_size: int) -> str:
    """A JSON-LD context file of a `github:` source's repository, as `_context_text` reads a local one:
    anything wrong is a one-line ConfigError naming it."""
    try:
        return read_path(file, max_size).decode("utf-8")
    except SourceInterrupted:  # a rate-limit stop, kept by the source: its run stops at the listing (exit 1,
        return ""  # the checkpoint saved) before any file is parsed; it was a ConfigError, exit 2
    except OSError as exc:
        raise ConfigError(f"{what}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what}: not UTF-8 text (byte {exc.start})") from None


_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "globs": list, "map": dict, "relations": dict,
          "alerts": dict}


def _field(option: Option) -> tuple[str, Any, Any]:
    default = option.default
    made = field(default_factory=default) if callable(default) else field(default=default)
    typ = _TYPES[option.kind] if default is not None else _TYPES[option.kind] | None
    return option.field, typ, made


# The settings of a run: `source` and one field per row of the options table that is a setting.
Settings = make_dataclass("Settings", [_field(o) for o in settings_options()], bases=(_SettingsBase,))
Settings.__module__ = __name__
Settings.__doc__ = "The settings of one sync: defaults < .ontosync.yml < flags (build_settings)."

FIELD_NAMES = {f.name for f in fields(Settings)}
_KEYS = config_keys()


def read_config_mapping(path: Path, from_stdin: bool = False) -> tuple[dict[Any, Any], dict[str, int]]:
    """The file's top-level mapping ({} for an empty file) and the line of each key, or one
    ConfigError line naming the file: the sync and the Action's notices read it alike.
    `from_stdin`: standard input's text (`--config -`), `path` its name in the errors."""
    import yaml  # here: most runs have no config file, and PyYAML costs ~15 ms of start-up (issue 18)

    from ontosync.config_yaml import load_yaml

    text = read_limited(path, from_stdin)
    try:
        data, lines = load_yaml(text, path)
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply") from None
    except ValueError:  # PyYAML's int() of a number past Python's 4300 digits (sys.set_int_max_str_digits)
        raise ConfigError(f"{path}: a number too long to read (more than 4300 digits)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: invalid YAML") from exc
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings")
    return data, lines


def load_config_file(path: Path, from_stdin: bool = False, tight: Collection[str] = ()) -> dict[str, Any]:
    """Read a YAML config into Settings field names; unknown keys are an error, not ignored. The
    fields in `tight` are held to a file's tighter bounds too (Option.file_high): a file of the
    checkout's, for the keys the command line does not give (_tight_fields)."""
    data, lines = read_config_mapping(path, from_stdin)
    check_shape(data, path)
    out: dict[str, Any] = {}
    for key, value in data.items():
        shown = f"{path} line {lines[str(key)]}" if str(key) in lines else str(path)  # the key's own line
        option = _KEYS.get(str(key).replace("_", "-"))
        if option is None:
            raise ConfigError(f"{shown}: unknown setting '{key_text(key)}'")
        if option.field in out:  # `max_error_rate` beside `max-error-rate`, `database` beside `db`
            other = next(k for k in data if k != key and _KEYS.get(str(k).replace("_", "-")) is option)
            raise ConfigError(f"{shown}: '{key}' is given twice (also as '{other}'); keep one")
        where = _Where(shown, str(key))
        out[option.field] = _within(option, _CHECKS[option.kind](value, where), where, option.field in tight)
    return out


def _within(option: Option, value: Any, where: _Where, tight: bool = False) -> Any:
    """The table's bounds, said of the file and the key's line: `file-timeout: .nan` (or `workers:
    0`, `path: ../up`) said "--file-timeout must be positive", a flag the user never typed, and
    left the user to find which file set it."""
    if rule := option.broken_rule(value, in_file=tight):
        where.must(rule)
    if option.field == "path":
        try:
            source_folder(value)
        except ConfigError:
            where.must(OUTSIDE.format(value))
    if option.field == "namespaces":  # `ex: ""` made `owl:class:: ex:Robot` the class `Robot`, no IRI
        for prefix, iri in value.items():
            if not IRI_PREFIX.fullmatch(iri):
                where.fail(f"a mapping of prefixes to absolute IRIs, and {_shown(prefix)}: {_shown(iri)} is not")
    return value


@dataclass(frozen=True)
class _Where:
    """The file (and the key's line) and key a value came from, for the one-line error."""

    path: str
    key: str

    def fail(self, what: str) -> NoReturn:
        self.must(f"be {what}")

    def must(self, rule: str) -> NoReturn:
        raise ConfigError(f"{self.path}: '{self.key}' must {rule}")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: Any, where: _Where) -> Any:
    return value if _is_number(value) else where.fail("a number")


def _real(value: Any, where: _Where) -> Any:
    """A float option's number: an integer past a float's range (`file-timeout: 1000...`, 401 digits)
    was an OverflowError traceback when the settings were made."""
    try:
        return float(_number(value, where))
    except OverflowError:
        where.fail(f"a number a float can hold, not one of {len(str(abs(value)))} digits")


def _whole_number(value: Any, where: _Where) -> Any:
    return value if isinstance(_number(value, where), int) else where.fail("a whole number")


def _string(value: Any, where: _Where) -> Any:
    if not isinstance(value, str):
        where.fail("a string")
    if "\0" in value:  # a YAML file can hold one, a command line cannot: "embedded null byte", a traceback
        where.fail("a string without a NUL character (no path can hold one)")
    return value


def _boolean(value: Any, where: _Where) -> Any:
    return value if isinstance(value, bool) else where.fail("true or false")


def _globs(value: Any, where: _Where) -> Any:
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list):
        where.fail("a glob or a list of globs")
    for number, item in enumerate(value, 1):  # which item: a list of 40 globs needs the place
        if not isinstance(item, str):
            where.fail(f"a list of globs, and item {number} is {_shown(item)}, not a glob")
        if not item.strip():  # which one, as for a wrong type (the rule's words said only "not be empty")
            where.must(f"not hold an empty glob (item {number})")
    return value


def _strings_map(value: Any, where: _Where) -> Any:
    if not isinstance(value, dict):
        where.fail("a mapping of strings to strings")
    for key, item in value.items():  # which entry: a table of 30 prefixes needs the one
        if not isinstance(key, str) or not isinstance(item, str):
            where.fail(f"a mapping of strings to strings, and {_shown(key)}: {_shown(item)} is not")
    return value


def _shown(value: Any) -> str:
    """A YAML value in an error line: short, and its type plain (`5`, `null`, `[...]`)."""
    if value is None:
        return "null"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _relations(value: Any, where: _Where) -> Any:
    _check_relations(where.path, value)
    return value


def _alerts(value: Any, where: _Where) -> Any:
    return normalize_alerts(value, where.path, where.key)


# A wrong type in the file is a one-line ConfigError, never a traceback later on.
_CHECKS: dict[str, Callable[[Any, _Where], Any]] = {
    "int": _whole_number, "float": _real, "str": _string, "bool": _boolean, "globs": _globs,
    "map": _strings_map, "relations": _relations, "alerts": _alerts,
}


_RELATION_VALUE = re.compile(rf"[A-Za-z_][A-Za-z0-9_.\-]*:[^{NOT_IN_IRI}]+")


def _check_relations(path: str | Path, value: Any) -> None:
    """`relations:` maps a relationship key to a property given as a CURIE or an absolute IRI."""
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: 'relations' must be a mapping of relationship keys to properties")
    for key, prop in value.items():
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(f"{path}: relations: keys must be non-empty strings")
        if not isinstance(prop, str) or not _RELATION_VALUE.fullmatch(prop.strip()):
            raise ConfigError(f"{path}: relations: '{key}' must map to a CURIE or IRI "
                              f"(like BFO:0000051), not {str(prop)[:60]!r}")


def _check_untrusted(values: dict[str, Any], root: Path, config: Path, context_base: Path | None) -> None:
    """A configuration file of the checkout (the source's own `.ontosync.yml`, or a `--config` file
    inside the source root or the GitHub workspace) may be a stranger's pull request: it may not
    make ontosync read or write outside `root` or the working folder, nor name a PostgreSQL server
    (libpq would send it $PGPASSWORD, and read the files its `passfile=`/`sslkey=` name)."""
    where = "on the command line, or in a --config file outside the checkout"
    for name in ("db", "report", "checkpoint"):
        p = values.get(name)
        if p is not None and (Path(p).is_absolute() or ".." in Path(p).parts or is_postgres_url(p)):
            raise ConfigError(f"{config}: '{name}' must be a relative path without '..' (set it {where})")
        if p is not None and ".git" in (part.lower() for part in Path(p).parts):
            # `report: .git/config` replaced the clone's config (where actions/checkout keeps the token)
            raise ConfigError(f"{config}: '{name}' must not be inside .git/ (set it {where})")
        if p is not None and not inside(Path.cwd(), Path(p)):
            # `out/r.json` with `out` a link in the checkout: SQLite and the rename write through it
            raise ConfigError(f"{config}: '{name}' leads outside the working folder through a symbolic "
                              f"link (set it {where})")
    for url, file in values.get("jsonld_contexts", {}).items():
        outside = not inside(root, context_base / file) if context_base else _climbs_out(file)
        if Path(file).is_absolute() or outside:
            raise ConfigError(f"{config}: jsonld-contexts file for {url} must be inside the source root")


def _climbs_out(file: str) -> bool:
    """Does a repository path (a `github:` source's jsonld-contexts file) climb out of its root?"""
    return posixpath.normpath(file) == ".." or posixpath.normpath(file).startswith("../")


def _check_token_host(values: dict[str, Any], config: Path, source: str) -> None:
    """A checkout's configuration file may not choose where the GitHub source sends $GITHUB_TOKEN:
    `api-url: http://attacker/` in a pull request's `ci/ontosync.yml`, read by `sync github:o/r
    --config ci/ontosync.yml`, handed that host the job's token. A local sync never asks the API,
    so its own `.ontosync.yml` may name one (harmless there)."""
    api_url = values.get("api_url")
    if (source.startswith("github:") and api_url is not None
            and str(api_url).strip().rstrip("/") != default_api_url().rstrip("/")):
        raise ConfigError(f"{config}: 'api-url' other than $GITHUB_API_URL is not taken from a file in the "
                          "checkout (give --api-url on the command line)")


def _checkout(config: Path, source: str) -> tuple[Path, Path | None] | None:
    """(the root its JSON-LD contexts must stay in, the folder they are read from: None for a
    `github:` source, whose are the repository's, read through the API) when `config` lies in the
    checkout: the local source root, or $GITHUB_WORKSPACE (a workflow's `--config ci/ontosync.yml`,
    the Action's `config` input: a pull request changes them); else None (a file of the user's own,
    trusted)."""
    local = not source.startswith("github:")
    workspace = os.environ.get("GITHUB_WORKSPACE", "").strip()
    if local and _in(Path(source), config):
        return Path(source), Path(source)
    if workspace and _in(Path(workspace), config):
        return (Path(source), Path(source)) if local else (Path(workspace), None)
    return None


def _check_not_led_out(config: Path, source: str) -> None:
    """A `--config` file of the checkout that is a link leading out of it (out of the source root
    and the workspace) is not read, as the source's own `.ontosync.yml` is not: a pull request's
    `ci/ontosync.yml -> /elsewhere/secrets.yml` had that file read, its first key printed
    (`unknown setting 'ghp_...'`)."""
    workspace = os.environ.get("GITHUB_WORKSPACE", "").strip()
    roots = [root for root in ("" if source.startswith("github:") else source, workspace) if root]
    _check_inside(config, roots, "the checkout", "give a file of your own outside the checkout")


def _in(root: Path, path: Path) -> bool:
    """Whether `path` lies in `root` as written or with its links followed (a link committed at
    `ci/ontosync.yml` still names a file the checkout chose)."""
    written = os.path.abspath(root)
    return inside(root, path) or os.path.commonpath([os.path.abspath(path), written]) == written


def inside(root: Path, path: Path) -> bool:
    """Whether `path`, its links followed, is inside the source root."""
    real_root = os.path.realpath(root)
    return os.path.commonpath([os.path.realpath(path), real_root]) == real_root


def _check_inside(config: Path, roots: list[str], where: str, instead: str) -> None:
    """The checkout's `.ontosync.yml` (or `--config` file) may be a link: one that leads outside
    `roots` would apply (and name, in errors) a file the checkout does not hold."""
    if not any(inside(Path(root), config) for root in roots):
        raise ConfigError(f"{config}: a symbolic link leading outside {where}; not read ({instead})")


def config_in_use(config_path: str | None, source: str) -> str | None:
    """The configuration file a sync reads: `--config`, else the local source's `.ontosync.yml`.
    The one place of that rule: build_settings reads the file it names, cmd_sync keeps outputs off it."""
    if config_path:
        return stdin_file() if config_path == STDIN else config_path
    default = os.path.join(source, CONFIG_FILE)
    # any entry of that name, a folder, a FIFO or a link to nothing too: build_settings says why it is no file
    return default if not source.startswith("github:") and os.path.lexists(default) else None


def _check_regular(config: Path) -> None:
    """ConfigError when the source's own `.ontosync.yml` is there but no file to read: a folder, a
    FIFO (never opened: a FIFO without a writer waits for ever), a device, a link to nothing. Each
    was taken for absent and the defaults applied without a word, as a `logseq/config.edn` that
    cannot be read is refused (exit 2) rather than taken for absent."""
    try:
        mode = os.stat(config).st_mode
    except FileNotFoundError:
        raise ConfigError(f"{config}: a symbolic link to a file that does not exist; not read") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config {config}: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise ConfigError(f"{config}: {kind_of(mode)}, not a configuration file; not read (remove or rename it)")


def stdin_file() -> str | None:
    """The file behind standard input when it is a regular one (`--config - < c.yml`): its real path,
    so that `--report c.yml` is refused as with `--config c.yml` (it replaced the settings with the
    report); None for a pipe or a terminal, no file to keep outputs off."""
    try:
        regular = stat.S_ISREG(os.fstat(0).st_mode)
    except OSError:
        return None
    return os.path.realpath("/dev/stdin") if regular else None


def _check_own_file(config: Path, source: str) -> None:
    """The source's own `.ontosync.yml` stays in the source root (its links followed)."""
    _check_inside(config, [source], "the source root", "give that file with --config instead")


def config_followed(config_path: str | None, source: str) -> str | None:
    """config_in_use's file unless the sync refuses it as a link leading out of the checkout
    (`_check_followed`): what the Action reads of the file (its `path:`, the keys it overrides)
    the sync must read too; a file it refuses had its `path:` name the schema of a sync that
    never ran."""
    path = config_in_use(config_path, source)
    if path is None:
        return None
    try:
        _check_followed(config_path, path, source)
        if not config_path:
            _check_regular(Path(path))  # a FIFO the Action opened would wait, or take the sync's bytes
    except ConfigError:
        return None
    return path


def _check_followed(config_path: str | None, in_use: str | None, source: str) -> tuple[Path, Path | None] | None:
    """ConfigError for a configuration file the sync refuses for where its links lead (a
    `--config` file of the checkout, or the source's `.ontosync.yml`); else `--config`'s
    `_checkout`. The one place of that decision: build_settings and config_followed (the
    Action's read of the same file) must not disagree."""
    if config_path:
        checkout = _checkout(Path(config_path), source)
        if checkout:
            _check_not_led_out(Path(config_path), source)
        return checkout
    if in_use:
        _check_own_file(Path(in_use), source)
    return None


def database_from_env() -> str | None:
    """$ONTOSYNC_DATABASE_URL without the blanks around it (a CI secret pasted with its newline);
    blank, it is unset, as empty is (else ` ` became a database file of that name)."""
    return os.environ.get("ONTOSYNC_DATABASE_URL", "").strip() or None


def _check_config_path(config_path: str | None) -> None:
    """ConfigError for a `--config` that names no file: blank (`--config "$CONF"`, unset, read the
    tree's file instead), or a URL (read as a path, `postgresql://u:PW@h/c.yml` printed PW)."""
    if config_path is not None and not config_path.strip():
        raise ConfigError("--config must not be empty")
    if config_path and is_url(config_path):
        raise ConfigError(f"--config {shown_db(config_path)}: a URL, not a path: give the file's path")


def _file_values(config_path: str | None, source: str, given: Collection[str]) -> dict[str, Any]:
    """The settings of the configuration file the sync reads ({} for none), checked as where it
    comes from demands; `given`: the fields the command line gives (they win over the file). `--config
    -` reads standard input (it was a file named `-`, or "cannot read"): a pipe is the text of whoever
    runs the command, as a file of their own outside the checkout is; a file of the checkout
    redirected there (`--config - < ci/ontosync.yml`) is held to the checkout's rules, as `--config
    ci/ontosync.yml` is."""
    in_use = config_in_use(config_path, source)
    if config_path == STDIN:
        config, checkout = STDIN_NAME, _checkout(Path(os.path.realpath("/dev/stdin")), source)
    else:
        checkout = _check_followed(config_path, in_use, source)
        if in_use is None:
            return {}
        config = Path(in_use)
        if not config_path:  # the source's own file: the checkout's, by definition
            _check_regular(config)
            checkout = (Path(source), Path(source))
    file_values = load_config_file(config, config_path == STDIN, _tight_fields(checkout is not None, given))
    if checkout:
        _check_untrusted(file_values, checkout[0], config, checkout[1])
        if "api_url" not in given:  # `--api-url` wins over the file (the Action passes it); a local source asks no API
            _check_token_host(file_values, config, source)
    return file_values


def _tight_fields(of_checkout: bool, given: Collection[str]) -> frozenset[str]:
    """The fields a configuration file's value is held to its tighter bounds for (Option.file_high):
    a file of the checkout, which a pull request may change, for the keys the command line does not
    give. A user's own file outside the checkout keeps the flags' bounds (`retries: 20` in it was
    refused, "give --retries on the command line", and refused again when the flag was given)."""
    return frozenset(option.field for option in settings_options() if of_checkout and option.field not in given)


def build_settings(cli: dict[str, Any], config_path: str | None) -> Settings:
    """Merge: defaults < config file < explicit flags (those not None in `cli`)."""
    if cli.get("source") is not None and not cli["source"].strip():  # `sync "$DIR"`, unset: it synced `.`
        raise ConfigError("SOURCE must not be empty (a folder or github:OWNER/REPO)")
    source = cli.get("source") or os.environ.get("GITHUB_WORKSPACE") or "."
    _check_config_path(config_path)
    file_values = _file_values(config_path, source, {k for k, v in cli.items() if v is not None})
    # ONTOSYNC_DATABASE_URL: where a URL with a password belongs (a CI secret), not a flag or a file
    from_env = {"db": database_from_env()} if database_from_env() else {}
    merged = {**file_values, **from_env, **{k: v for k, v in cli.items() if v is not None and k in FIELD_NAMES}}
    merged["source"] = source
    try:
        settings = Settings(**merged)
        for option in settings_options():
            if option.kind in ("int", "float"):
                typ = int if option.kind == "int" else float
                setattr(settings, option.field, typ(getattr(settings, option.field)))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"bad setting: {exc}") from exc
    settings.validate()
    return settings
