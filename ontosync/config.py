"""Settings of a sync: command-line flags over `.ontosync.yml` over defaults.

The YAML file takes the same names as the long options (`workers: 4`, `max-error-rate: 0.1`,
`include: [...]`), plus what only a file can hold: `namespaces:` (prefix -> IRI, extending the
built-in table), `page-namespace:`, `jsonld-contexts:` (URL -> local file) and `alerts:`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from ontosync.config_limits import ConfigError, check_shape, normalize_alerts, read_limited
from ontosync.parsing import DEFAULT_NAMESPACES, ParseOptions

__all__ = ["ConfigError", "Settings", "build_settings", "default_workers", "load_config_file"]

CONFIG_FILE = ".ontosync.yml"
DEFAULT_MAX_FILE_SIZE = 32 * 1024 * 1024


def default_workers() -> int:
    """One parse worker per usable CPU (affinity, cgroup quota: pipeline/cpus.py), at most 8."""
    from ontosync.pipeline.cpus import usable_cpus

    return min(8, usable_cpus())


@dataclass
class Settings:
    source: str = "."
    db: str = "ontology.db"
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    path: str | None = None
    workers: int = field(default_factory=default_workers)
    queue_size: int = 100
    retries: int = 3
    file_timeout: float = 30.0
    checkpoint: str | None = None
    checkpoint_every: int = 10
    full: bool = False
    ontology_id: str = "default"
    max_error_rate: float = 0.05
    report: str | None = None
    api_url: str = "https://api.github.com"
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    max_rate_limit_wait: float = 900.0
    quiet: bool = False
    lock_timeout: float = 30.0  # seconds a sync waits for another sync of the same database (exit 4)
    busy_timeout: float = 30.0  # seconds a write waits in all for another writer's lock (exit 4)
    keep_runs: int = 50  # change-log runs kept (store/changelog.py)
    namespaces: dict[str, str] = field(default_factory=dict)
    page_namespace: str = "urn:ontosync:page:"
    jsonld_contexts: dict[str, str] = field(default_factory=dict)
    # Logseq relationship key -> property (CURIE or IRI) in the semantic-sql layer, e.g.
    # `has-part: BFO:0000051`; an unbound key gets `rel:<key>` (urn:ontosync:relation:<key>).
    relations: dict[str, str] = field(default_factory=dict)
    alerts: dict[str, float] = field(default_factory=lambda: {"min_files_per_s": 2.0, "max_rss_mb": 200.0})

    @property
    def checkpoint_path(self) -> str:
        return self.checkpoint or f"{self.db}.checkpoint.json"

    def parse_options(self, base_dir: Path | None = None) -> ParseOptions:
        contexts = {}
        for url, file in self.jsonld_contexts.items():
            p = Path(file) if base_dir is None or Path(file).is_absolute() else base_dir / file
            try:
                contexts[url] = p.read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"jsonld-contexts: cannot read {file} for {url}: {exc.strerror}") from exc
        return ParseOptions({**DEFAULT_NAMESPACES, **self.namespaces}, self.page_namespace, contexts)

    def validate(self) -> None:
        checks = [
            (self.workers >= 1, "--workers must be at least 1"),
            (self.queue_size >= 1, "--queue-size must be at least 1"),
            (self.retries >= 1, "--retries must be at least 1 (one attempt, no retry)"),
            (self.file_timeout > 0, "--file-timeout must be positive"),
            (self.checkpoint_every >= 1, "--checkpoint-every must be at least 1"),
            (0 <= self.max_error_rate <= 1, "--max-error-rate must be between 0 and 1"),
            (self.max_file_size >= 1, "--max-file-size must be positive"),
            (0 <= self.lock_timeout <= 86400, "--lock-timeout must be between 0 and 86400 seconds"),
            (0 < self.busy_timeout <= 86400, "--busy-timeout must be positive and at most 86400 seconds"),
            (self.keep_runs >= 1, "--keep-runs must be at least 1"),
            (bool(self.ontology_id.strip()), "--ontology-id must not be empty"),
        ]
        for ok, message in checks:
            if not ok:
                raise ConfigError(message)


FIELD_NAMES = {f.name for f in fields(Settings)}


def load_config_file(path: Path) -> dict[str, Any]:
    """Read a YAML config into Settings field names; unknown keys are an error, not ignored."""
    text = read_limited(path)
    try:
        data = yaml.safe_load(text) or {}
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: invalid YAML") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings")
    check_shape(data, path)
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = str(key).replace("-", "_")
        if name == "database":
            name = "db"
        if name not in FIELD_NAMES or name in ("source", "config"):
            raise ConfigError(f"{path}: unknown setting '{key}'")
        if name in ("include", "exclude") and isinstance(value, str):
            value = [value]
        if name == "alerts":
            value = normalize_alerts(value, path, str(key))
        _check_type(path, str(key), name, value)
        out[name] = value
    return out


_INTEGERS = ("workers", "queue_size", "retries", "checkpoint_every", "max_file_size", "keep_runs")
_STRINGS = ("db", "path", "checkpoint", "ontology_id", "report", "api_url", "page_namespace")
_NUMBERS = ("workers", "queue_size", "retries", "file_timeout", "checkpoint_every", "max_error_rate",
            "max_file_size", "max_rate_limit_wait", "lock_timeout", "busy_timeout", "keep_runs")


def _check_type(path: Path, key: str, name: str, value: Any) -> None:
    """A wrong type in the file is a one-line ConfigError, never a traceback later on."""
    def fail(what: str) -> None:
        raise ConfigError(f"{path}: '{key}' must be {what}")

    if name in ("include", "exclude") and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        fail("a glob or a list of globs")
    if name == "relations":
        _check_relations(path, value)
    if name in ("namespaces", "jsonld_contexts") and not (
            isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())):
        fail("a mapping of strings to strings")
    if name == "alerts" and not (isinstance(value, dict) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values())):
        fail("a mapping of names to numbers")
    if name in _STRINGS and not isinstance(value, str):
        fail("a string")
    if name in _NUMBERS and (isinstance(value, bool) or not isinstance(value, (int, float))):
        fail("a number")
    if name in _INTEGERS and not isinstance(value, int):
        fail("a whole number")
    if name in ("full", "quiet") and not isinstance(value, bool):
        fail("true or false")


_RELATION_VALUE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*:[^\s<>\"{}|\\^`]+")


def _check_relations(path: Path, value: Any) -> None:
    """`relations:` maps a relationship key to a property given as a CURIE or an absolute IRI."""
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: 'relations' must be a mapping of relationship keys to properties")
    for key, prop in value.items():
        if not isinstance(key, str) or not key.strip():
            raise ConfigError(f"{path}: relations: keys must be non-empty strings")
        if not isinstance(prop, str) or not _RELATION_VALUE.fullmatch(prop.strip()):
            raise ConfigError(f"{path}: relations: '{key}' must map to a CURIE or IRI "
                              f"(like BFO:0000051), not {str(prop)[:60]!r}")


def _check_untrusted(values: dict[str, Any], root: Path, config: Path) -> None:
    """The source's own .ontosync.yml comes with the checkout, which may be a stranger's pull request:
    it may not make ontosync read or write outside the source root or the working folder."""
    for name in ("db", "report", "checkpoint"):
        p = values.get(name)
        if p is not None and (Path(p).is_absolute() or ".." in Path(p).parts):
            raise ConfigError(f"{config}: '{name}' must be a relative path without '..' "
                              f"(set it on the command line or with --config instead)")
    real_root = os.path.realpath(root)
    for url, file in values.get("jsonld_contexts", {}).items():
        target = os.path.realpath(root / file)
        if Path(file).is_absolute() or os.path.commonpath([target, real_root]) != real_root:
            raise ConfigError(f"{config}: jsonld-contexts file for {url} must be inside the source root")


def build_settings(cli: dict[str, Any], config_path: str | None) -> Settings:
    """Merge: defaults < config file < explicit flags (those not None in `cli`)."""
    source = cli.get("source") or os.environ.get("GITHUB_WORKSPACE") or "."
    file_values: dict[str, Any] = {}
    if config_path:
        file_values = load_config_file(Path(config_path))
    elif not source.startswith("github:") and os.path.isfile(Path(source) / CONFIG_FILE):
        file_values = load_config_file(Path(source) / CONFIG_FILE)
        _check_untrusted(file_values, Path(source), Path(source) / CONFIG_FILE)
    merged = {**file_values, **{k: v for k, v in cli.items() if v is not None and k in FIELD_NAMES}}
    merged["source"] = source
    try:
        settings = Settings(**merged)
        for name, typ in (("workers", int), ("queue_size", int), ("retries", int), ("checkpoint_every", int),
                          ("max_file_size", int), ("keep_runs", int), ("file_timeout", float),
                          ("max_error_rate", float), ("lock_timeout", float), ("busy_timeout", float)):
            setattr(settings, name, typ(getattr(settings, name)))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"bad setting: {exc}") from exc
    settings.validate()
    return settings
