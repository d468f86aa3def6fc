"""Every option of a sync, declared once: `OPTIONS` below.

Each row says what the option is (type, bounds, default, help) and where it applies: a flag of
`ontosync sync`, a key of `.ontosync.yml`, a field of `config.Settings`, an input of the Action
(its name, description and default in `action.yml`). Everything else is built from this table:
the `sync` parser (cli.py), the checks and coercion of the YAML file and the Settings class
(config.py), the Action's reading of its inputs (action/inputs.py) and `action.yml`'s `inputs:`
block (written by `.ci/write_action_inputs.py`, checked by tests/test_options.py) and README.md's
option tables (written by `.ci/write_readme_options.py` from `doc`, `doc_default`, `input_doc`,
checked by tests/test_readme_options.py). So a new option is one new row here (plus the two
regenerated blocks).

A bottom module: it imports nothing of ontosync but cpus.py (the default `--workers`, standard
library only), so every layer may read it.
"""

from __future__ import annotations

import math
import os
import re
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ontosync.cpus import usable_cpus

DEFAULT_API_URL = "https://api.github.com"


def default_api_url(env: Mapping[str, str] = os.environ) -> str:
    """$GITHUB_API_URL (set in every Actions job, GitHub Enterprise Server's own there), else
    github.com's: the sync, `fetch-db` and the Action all take it, so a token is never sent to
    another host than the job's."""
    return (env.get("GITHUB_API_URL") or "").strip() or DEFAULT_API_URL


DEFAULT_MAX_FILE_SIZE = 32 * 1024 * 1024
MAX_FILE_SIZE_IN_FILE = 256 * 1024 * 1024  # a configuration file's --max-file-size at most (Option.file_high)


SQL_INT_MAX = 2**63 - 1  # SQLite's (and PostgreSQL's bigint) largest integer


MAX_WORKERS = 64

# What no IRI holds (RFC 3987; every reader refuses it in a file): blanks, control characters (a
# terminal's escape), `<>"{}|\^` and the backquote.
NOT_IN_IRI = r"\s<>\"{}|\\^`\x00-\x1f\x7f-\x9f"
# `page-namespace:` begins every minted page IRI: `""` made a page's class `industrial-robot`, `" "`
# made it ` robot`, a pull request's `urn:\e[31m:` a terminal escape in every page's IRI (exit 0):
# names no RDF tool reads as IRIs. A scheme, then none of the characters above.
IRI_PREFIX = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:[^{NOT_IN_IRI}]*")
IRI_PREFIX_RULE = "be an absolute IRI (like urn:ontosync:page: or https://example.org/page/)"


def default_workers() -> int:
    """One parse worker per usable CPU (affinity, cgroup quota: cpus.py), at most 8."""
    return min(8, usable_cpus())


@dataclass(frozen=True)
class Option:
    """One option. `name` is the kebab-case spelling of the flag (`--name`) and the YAML key; the
    Settings field is the same with underscores. Kinds: int, float, str, bool, globs (a list of
    path globs), map (string -> string), relations, alerts (the last two checked by config.py)."""

    name: str
    kind: str
    help: str = ""  # the `sync --help` line; `{default}` is replaced by the default
    default: Any = None  # a value, or a function of no arguments returning one
    low: float | None = None  # bounds, inclusive unless `above` (then the value must exceed `low`)
    high: float | None = None
    above: bool = False
    # a configuration file's tighter high bound: `.ontosync.yml` comes with the checkout, which a
    # pull request may change, and `retries: 1000000` or `file-timeout: 86400` must not make CI hang
    # (a file of the checkout only, for a key the command line does not give: config._tight_fields)
    file_high: float | None = None
    rule: str = ""  # "--name must <rule>", when the bounds need words of their own
    pattern: re.Pattern | None = None  # a str option's values match it whole (else `rule` is said)
    metavar: str | None = None
    cli: bool = True  # a flag of `ontosync sync`
    setting: bool = True  # a field of Settings (and, unless `config` says no, a YAML key)
    config: bool = True
    aliases: tuple[str, ...] = ()  # other YAML keys for it
    input: str | None = None  # the Action input's name, when it has one
    input_help: str = ""
    input_default: str = ""
    passed: bool = True  # the Action hands a set input to `sync` as its flag (else it reads it itself)
    # The README's rows (CLI reference; Action inputs), written by .ci/write_readme_options.py:
    doc: str = ""  # the flag's meaning
    doc_default: str = ""  # its default, as the README says it
    input_doc: str = ""  # the input's meaning
    input_doc_default: str = ""  # its default, when not `doc_default`

    @property
    def field(self) -> str:
        return self.name.replace("-", "_")

    @property
    def flag(self) -> str:
        return f"--{self.name}"

    def default_value(self) -> Any:
        return self.default() if callable(self.default) else self.default

    def broken_rule(self, value: Any, in_file: bool = False) -> str | None:
        """What is wrong with a value of the right type (`must ...`), or None; `in_file`: a value of
        a configuration file of the checkout, held to `file_high` too."""
        if self.kind == "str":
            return self._broken_text_rule(str(value))
        if self.kind == "globs":  # `--include "$GLOB"` unset matched no file: a sync of nothing, exit 0
            return "not be empty" if any(not str(glob).strip() for glob in value or ()) else None
        if self.kind not in ("int", "float"):
            return None
        bad = ((isinstance(value, float) and math.isnan(value))
               or (self.low is not None and (value < self.low or (self.above and value == self.low)))
               or (self.high is not None and value > self.high))
        if bad:
            return self.rule or self._bounds_words()
        if in_file and self.file_high is not None and value > self.file_high:
            action = f" or the Action's '{self.input}' input" if self.input else ""  # (no command line there)
            return (f"be at most {self._shown(self.file_high)} in a configuration file of the checkout (a larger "
                    f"value: give {self.flag} on the command line{action}, or in a --config file outside the checkout)")
        return None

    def _broken_text_rule(self, value: str) -> str | None:
        if self.rule == "not be empty":
            return None if value.strip() else self.rule
        return self.rule if self.pattern and not self.pattern.fullmatch(value) else None

    def _bounds_words(self) -> str:
        if self.high is None:
            return "be positive" if self.above and self.low == 0 else f"be at least {self._shown(self.low)}"
        return f"be between {self._shown(self.low)} and {self._shown(self.high)}"

    def _shown(self, bound: float | None) -> str:
        """A bound in words: a whole number as one (`:g` printed 256 MiB as `2.68435e+08`), and a
        size in bytes in MiB too (`268435456 (256 MiB)`)."""
        if bound is None or not float(bound).is_integer():
            return f"{bound:g}"
        mib = f" ({int(bound) // 2**20} MiB)" if self.metavar == "BYTES" and bound % 2**20 == 0 else ""
        return f"{int(bound)}{mib}"


def action_only(name: str, help: str, doc: str, *, kind: str = "str", default: str = "",
                doc_default: str = "") -> Option:
    """An input only the Action has (no flag, key or setting; the Action reads it itself): `help` is
    its action.yml description, `doc` its README line, `default` its action.yml default."""
    return Option(name, kind, cli=False, setting=False, input=name, passed=False, input_help=help, input_doc=doc,
                  input_default=default, input_doc_default=doc_default or (f"`{default}`" if default else ""))


OPTIONS: tuple[Option, ...] = (
    Option("db", "str", "SQLite database path, or a PostgreSQL URL postgresql://...; created and migrated when "
           "missing (default $ONTOSYNC_DATABASE_URL, else {default})", "ontology.db",
           rule="not be empty", aliases=("database",), input="database", input_default="ontology.db", passed=False,
           input_help="The SQLite database, relative to the workspace; created and migrated when missing. Or a "
                      "PostgreSQL URL postgresql://... (pass it from a secret; README: PostgreSQL).",
           metavar="PATH",
           doc="the SQLite database, or a PostgreSQL URL `postgresql://...`; created and migrated when missing",
           doc_default="`$ONTOSYNC_DATABASE_URL`, else `ontology.db`",
           input_doc="the SQLite database, relative to the workspace, or a PostgreSQL URL ([PostgreSQL](#postgresql))"),
    Option("include", "globs", "path glob to include (repeatable)", list, metavar="GLOB", input="include",
           input_help="Path globs to include, relative to the source root, one per line or comma-separated "
                      "(commas inside {a,b} braces belong to the glob). Empty means every supported extension.",
           doc=("repeatable path globs relative to the source root (`**` spans folders, `*` and `?` stay in one, "
                "`{ttl,owl}` braces expand, each choice a glob of its own (`{/drafts,/old}/` is `/drafts/` and "
                "`/old/`), `[...]` classes; parentheses and a leading `!` are literal; a trailing `/` means the "
                "whole folder; a leading `/` or `./` is the root, as `--path ./pages` is `pages`, and `/` or `./` "
                "alone the whole root, as `**`; `..` after a folder's name goes back up, as in `--path`, and one "
                "above the root or after a wildcard is exit 2; blanks around a glob, and around each brace choice "
                "(`{ttl, owl}`), are dropped)"),
           doc_default="every `.md .markdown .ttl .owl .rdf .xml .nt .jsonld .ofn .org` file",
           input_doc="path globs, one per line or comma-separated", input_doc_default="supported extensions"),
    Option("exclude", "globs", "path glob to exclude (repeatable)", list, metavar="GLOB", input="exclude",
           input_help="Path globs to exclude, one per line or comma-separated. `.git/` is always excluded.",
           doc="repeatable path globs to leave out, as `--include`", doc_default="none; `.git/` always excluded",
           input_doc="path globs to leave out, one per line or comma-separated",
           input_doc_default="none; `.git/` excluded"),
    Option("path", "str", "only this folder of the source", metavar="SUBDIR", input="path", passed=False,
           rule="not be empty",
           input_help="Only sync this folder of the source (relative to the repository root). "
                      "Empty syncs everything.",
           doc="only this folder of the source (paths stay relative to the root, and so do the globs: "
               "`--include` globs none of which can select a file under it, `--path pages --include '*.md'`, "
               "are exit 2, as an `--exclude` glob leaving out the whole folder, `--path pages --exclude pages/`)",
           doc_default="whole source",
           input_doc="only this folder of the repository", input_doc_default="whole repository"),
    # The pool grows toward the number asked (a worker per starved half second), so a typo like
    # `--workers 100000` would start hundreds of processes; a fixed ceiling (not one of this
    # machine's CPUs) keeps a checked-in `.ontosync.yml` valid on every runner.
    Option("workers", "int", f"parallel parse workers (default {{default}}, at most {MAX_WORKERS})", default_workers,
           low=1, high=MAX_WORKERS, input="workers",
           input_help=f"Parallel parse workers (at most {MAX_WORKERS}). Empty means one per usable CPU, at most 8.",
           metavar="N",
           doc=f"parse worker processes, 1 to {MAX_WORKERS}",
           doc_default="usable CPUs (affinity, cgroup quota), at most 8",
           input_doc=f"parallel parse workers, 1 to {MAX_WORKERS}"),
    # Each file queued is held read (up to --max-file-size): the bound is memory's.
    Option("queue-size", "int", "bound of the file queue (default {default}, at most 100000)", 100, low=1,
           high=100_000, file_high=1000, input="queue-size",
           input_help="Bound of the file queue (backpressure). Empty means 100.",
           metavar="N",
           doc="bound of the queue of files waiting for a worker, 1 to 100000", input_doc="bound of the file queue"),
    Option("retries", "int", "attempts for a retryable failure (default {default}, at most 100)", 3, low=1, high=100,
           file_high=10, rule="be between 1 (one attempt, no retry) and 100", input="retries",
           input_help="Attempts for a retryable failure. Empty means 3.",
           metavar="N",
           doc="attempts for a retryable failure (locked database, transient I/O, network), 1 to 100",
           input_doc="attempts for a retryable failure"),
    Option("file-timeout", "float", "seconds one file may take (default {default:g}, at most 86400)", 30.0, low=0,
           high=86400, above=True, rule="be positive and at most 86400 seconds", file_high=300,
           metavar="S", input="file-timeout",
           input_help="Seconds one file may take before it is failed. Empty means 30.",
           doc="seconds one file may take to read and parse, at most 86400", input_doc="seconds one file may take"),
    Option("checkpoint", "str", "checkpoint file (default <db>.checkpoint.json)", metavar="PATH",
           input="checkpoint", passed=False, rule="not be empty",
           input_help="The checkpoint file, relative to the workspace. Empty means `<database>.checkpoint.json`.",
           doc="checkpoint file", doc_default="`<db>.checkpoint.json`", input_doc="the checkpoint file",
           input_doc_default="`<database>.checkpoint.json`"),
    Option("checkpoint-every", "int", "files between checkpoints (default {default})", 10, low=1, metavar="N",
           input="checkpoint-every", input_help="Files between checkpoints. Empty means 10.",
           doc="files between checkpoint writes", input_doc="files between checkpoints"),
    Option("full", "bool", "reprocess every file, even unchanged ones", False, input="full-sync",
           input_default="false",
           input_help="Reprocess every file, even those whose content is already in the database (true or false).",
           doc="reprocess every file, even unchanged ones", input_doc="reparse every file"),
    Option("ontology-id", "str", "ontology id for files that declare none (default '{default}')", "default",
           rule="not be empty", metavar="ID", input="ontology-id",
           input_help="Ontology id for files that declare none. Empty means `default`.",
           doc="ontology id for files that declare none (Logseq pages, RDF without one `owl:Ontology`)",
           input_doc="ontology id for files that declare none"),
    Option("max-error-rate", "float", "exit 1 above this failed share (default {default})", 0.05, low=0, high=1,
           metavar="R", input="max-error-rate",
           input_help="The step fails (exit 1) when failed / (ok + failed) is above this, from 0 to 1. "
                      "Empty means 0.05.",
           doc="exit 1 when failed / (ok + failed) of this run is over R",
           input_doc="fail the step above this failed share"),
    Option("report", "str", "write the JSON run report here (- for standard output)", metavar="PATH", input="report",
           rule="not be empty",
           input_default="ontosync-report.json", passed=False,
           input_help="Where the JSON run report is written, relative to the workspace.",
           doc="write the JSON run report (`-`: standard output)", input_doc="the JSON run report"),
    Option("api-url", "str", "GitHub API base URL (default $GITHUB_API_URL, else https://api.github.com)",
           default_api_url, metavar="URL", rule="not be empty",
           doc="GitHub API base URL (GitHub Enterprise, tests)",
           doc_default="`$GITHUB_API_URL`, else `https://api.github.com`"),
    Option("config", "str", "YAML configuration, - for standard input (default .ontosync.yml in the source)",
           metavar="PATH",
           setting=False, config=False, input="config", passed=False,
           input_help="A YAML configuration file, relative to the workspace; inputs win. "
                      "Empty uses `.ontosync.yml` in the source root when present.",
           doc="YAML configuration (`-`: standard input); command-line flags win",
           doc_default="`.ontosync.yml` in the source root, if present", input_doc="a YAML configuration file",
           input_doc_default="`.ontosync.yml` when present"),
    Option("max-file-size", "int", "larger files are failed unread (default {default})", DEFAULT_MAX_FILE_SIZE,
           low=1, rule="be positive", file_high=MAX_FILE_SIZE_IN_FILE, metavar="BYTES", input="max-file-size",
           input_help="Files larger than this many bytes are failed unread. Empty means 33554432 (32 MiB).",
           doc="larger files are recorded `failed` with their size, unread", doc_default="33554432 (32 MiB)",
           input_doc="larger files fail unread (bytes)", input_doc_default="32 MiB"),
    Option("max-rate-limit-wait", "float", "longest wait for a GitHub rate-limit reset before stopping "
           "(default {default:g})", 900.0, low=0, high=86400, rule="be between 0 and 86400 seconds", file_high=3600,
           metavar="S",
           doc="longest wait for a GitHub primary rate-limit reset before the run stops (exit 1, checkpoint kept)"),
    Option("keep-runs", "int", "change-log runs kept in the database (default {default})", 50, low=1,
           high=1_000_000, rule="be between 1 and 1000000", metavar="N",  # SQLite integers: 8 bytes
           doc="change-log runs kept in the database (see [`ontosync diff`](#ontosync-diff))"),
    Option("quiet", "bool", "no progress output", False,
           doc="no progress output"),
    Option("lock-timeout", "float", "seconds to wait while another sync holds the database, then exit 4 "
           "(default {default:g})", 30.0, low=0, high=86400, rule="be between 0 and 86400 seconds",
           file_high=3600, metavar="S", input="lock-timeout",
           input_help="Seconds to wait while another sync holds the database, then exit 4. Empty means 30.",
           doc="seconds to wait while another sync holds the database, then exit 4"),
    Option("busy-timeout", "float", "seconds a write waits in all for another writer's lock, then exit 4 "
           "(default {default:g})", 30.0, low=0, high=86400, above=True,
           rule="be positive and at most 86400 seconds", file_high=3600, metavar="S", input="busy-timeout",
           input_help="Seconds a write waits in all for another writer's lock, then exit 4. Empty means 30.",
           doc="seconds a write keeps retrying while another writer holds SQLite's lock, then exit 4",
           input_doc="seconds a write retries while another writer holds the lock, then exit 4"),
    # Only a file can hold these.
    Option("namespaces", "map", default=dict, cli=False),
    Option("page-namespace", "str", default="urn:ontosync:page:", cli=False, rule=IRI_PREFIX_RULE,
           pattern=IRI_PREFIX),
    Option("jsonld-contexts", "map", default=dict, cli=False),
    # Logseq relationship key -> property (CURIE or IRI) in the readers' layer, e.g.
    # `has-part: BFO:0000051`; an unbound key gets `rel:<key>` (urn:ontosync:relation:<key>).
    Option("relations", "relations", default=dict, cli=False),
    Option("alerts", "alerts", default=lambda: {"min_files_per_s": 2.0, "max_rss_mb": 200.0}, cli=False),
    # Only the Action has these.
    action_only("repository", "Sync OWNER/REPO through the GitHub API instead of the checked-out workspace "
                "(no checkout needed). Empty syncs the workspace.",
                "sync `OWNER/REPO` through the API instead of the checkout", doc_default="the workspace"),
    action_only("ref", "Branch, tag or commit of `repository`; a name that is both a branch and a tag is the branch, "
                "as GitHub's API resolves it (`tags/NAME` names the tag). Empty means its default branch.",
                "branch, tag or commit of `repository` (a name both branch and tag is the branch; `tags/NAME`: the "
                "tag)", doc_default="its default branch"),
    action_only("github-token", "Token for the GitHub API (`repository`, `restore-artifact`). Masked in the log and "
                "never printed. Restoring an artifact needs `actions: read`.",
                "token for the API and for `restore-artifact`", default="${{ github.token }}"),
    action_only("restore-artifact", "Name of an artifact an earlier run uploaded with the database and checkpoint; "
                "the newest non-expired one of this run's branch (a branch with none yet, or a run on a tag: the "
                "default branch's; in a merge queue: its base branch's) is downloaded and the sync starts from it. "
                "None found means a full sync.",
                "artifact name to start from (newest non-expired of this run's branch, else the default branch's, "
                "on a tag the default branch's, in a merge queue its base branch's; none found means a full sync)"),
    action_only("upload-artifact", "Upload the database, checkpoint and report as a workflow artifact (true or "
                "false), also when the sync fails, so the next run can start from them (`restore-artifact`).",
                "upload database, checkpoint and report as an artifact, also when the sync fails",
                kind="bool", default="true"),
    action_only("artifact-name", "Name of the uploaded artifact (give the same name to `restore-artifact` in the "
                "next run). A run of a pull request as the base branch (pull_request_target, a workflow_run after a "
                "pull request's run, an issue_comment on a pull request) uploads under NAME-pr-N (the pull "
                "request's number), so its database never passes for the base branch's; a re-run of an older push "
                "after newer ones, under NAME-at-COMMIT (its commit's first 12 characters).",
                "name of that artifact (what `fetch-db` fetches by default; NAME-pr-N for a pull request's "
                "`pull_request_target`, `workflow_run` or `issue_comment` run)", default="ontology-db"),
    action_only("artifact-retention-days", "Days GitHub keeps the artifact (1 to 90). Empty means the repository's "
                "setting; another value is a warning, and the repository's setting.",
                "days GitHub keeps it (1 to 90; another value: a warning, and the repository's setting)", kind="int",
                doc_default="the repository's setting"),
    action_only("pr-comment", "On pull_request events, post one comment on the pull request with what it changes in "
                "the ontology (compared with the base branch's database), updated in place on later pushes (true or "
                "false). Needs `pull-requests: write`; without it the step warns and goes on.",
                "on `pull_request` events, one comment on the pull request with what it changes, updated on later "
                "pushes", kind="bool", default="true"),
)

# The reading commands' `--busy-timeout` (verify, status, diff, search: cli.py), no row of the table
# (a sync's is another, positive), checked by the same rule; 0: no wait.
READ_WAIT = Option("busy-timeout", "float", low=0, high=86400, rule="be between 0 and 86400 seconds", cli=False,
                   setting=False)

BY_FIELD = {option.field: option for option in OPTIONS}
BY_INPUT = {option.input: option for option in OPTIONS if option.input}


def settings_options() -> Iterator[Option]:
    return (option for option in OPTIONS if option.setting)


def config_keys() -> dict[str, Option]:
    """Every key `.ontosync.yml` accepts (kebab-case; snake_case is read as the same key)."""
    keys = {option.name: option for option in OPTIONS if option.setting and option.config}
    keys.update({alias: option for option in keys.copy().values() for alias in option.aliases})
    return keys


def add_sync_arguments(parser: Any) -> None:
    """The flags of `ontosync sync`, in the table's order."""
    for option in OPTIONS:
        if option.cli:
            parser.add_argument(option.flag, **_argparse_kwargs(option))


def _argparse_kwargs(option: Option) -> dict[str, Any]:
    help_text = option.help.format(default=option.default_value()) if "{default" in option.help else option.help
    kwargs: dict[str, Any] = {"help": help_text}
    if option.kind == "bool":
        return {**kwargs, "action": "store_true", "default": None}
    if option.kind == "globs":
        kwargs["action"] = "append"
    if option.kind in ("int", "float"):
        kwargs["type"] = int if option.kind == "int" else float
    if option.metavar:
        kwargs["metavar"] = option.metavar
    return kwargs


def action_inputs() -> list[Option]:
    return [option for option in OPTIONS if option.input]


ACTION_INPUTS_HEADER = (
    "  # Written from ontosync/options.py by .ci/write_action_inputs.py: edit the table there. The tuning\n"
    "  # inputs default to empty: empty means \"the configuration file's value, else the default named in\n"
    "  # the description\", so a `.ontosync.yml` in the repository is not overridden.\n")


def render_action_inputs(scalar: Callable[[str], bool]) -> str:
    """The `inputs:` block of action.yml. `scalar(text)` says whether `text` reads back unchanged
    as a plain YAML scalar (the caller has a YAML parser; this module imports none)."""
    lines = ["inputs:", ACTION_INPUTS_HEADER.rstrip("\n")]
    for option in action_inputs():
        lines.append(f"  {option.input}:")
        text = option.input_help
        if len(text) <= 96 and scalar(text):
            lines.append(f"    description: {text}")
        else:
            lines.append("    description: >-")
            lines += ["      " + line for line in textwrap.wrap(text, 94, break_long_words=False,
                                                                  break_on_hyphens=False)]
        lines.append("    required: false")
        default = option.input_default
        lines.append(f"    default: {default}" if default and scalar(default) and default not in ("true", "false")
                     else f'    default: "{default}"')
    return "\n".join(lines) + "\n"


README_TABLES = {  # marker name in README.md -> (header, rows)
    "cli": ("| option | meaning | default |", lambda: [_cli_row(o) for o in OPTIONS if o.cli]),
    "action-inputs": ("| input | meaning | default |", lambda: [_input_row(o) for o in action_inputs()]),
}


def _cli_row(option: Option) -> str:
    name = option.flag if option.kind == "bool" else f"{option.flag} {option.metavar or option.field.upper()}"
    return f"| `{name}` | {option.doc or option.help} | {option.doc_default or _default_words(option)} |"


def _input_row(option: Option) -> str:
    meaning = option.input_doc or option.doc or option.input_help
    default = option.input_doc_default or (f"`{option.input_default}`" if option.input_default else "")
    return f"| `{option.input}` | {meaning} | {default or option.doc_default or _default_words(option)} |"


def _default_words(option: Option) -> str:
    """The default as the README says it when the row does not say it otherwise."""
    value = option.default_value()
    if option.kind == "bool":
        return "off"
    if option.kind in ("int", "float"):
        return f"{value:g}"
    return f"`{value}`" if value else "none"


def render_readme_table(name: str) -> str:
    """One of README.md's option tables (README_TABLES), from this table."""
    header, rows = README_TABLES[name]
    return "\n".join([header, "| --- | --- | --- |", *rows()]) + "\n"
