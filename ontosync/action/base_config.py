"""The configuration file a pull request's base is synced with.

The base is synced to diff the pull request against it, so it must read the base's settings, as it
reads the base's ontology files. With the head's `config` file for both sides, a pull request that
changes that file (its include/exclude, its page namespace) showed no change of its own; through
the GitHub API (the Action's image has no git, so its usual way) the base read no `.ontosync.yml`
at all, and a repository whose file sets a page namespace saw every class removed and added again.

So the base reads the base's version of the file: the same path in the base commit's tree (from the
checkout's history), or fetched at the base commit through the API, where it is held to the
checkout's rules as the tree's own file is (its sync's GITHUB_WORKSPACE is the fetched file's
folder). A `config` file the base does not hold leaves the base with the defaults, as a base
without `.ontosync.yml` is (the input replaces `.ontosync.yml` on both sides). A file outside the
checkout, or one the head commit does not hold (an earlier step wrote it), is the workflow's own and
applies to both sides.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

from ontosync.action.inputs import ActionInputs
from ontosync.sources.github_http import NETWORK_ERRORS

CONFIG_FILE = ".ontosync.yml"  # (config.CONFIG_FILE: the source's own file)
DEFAULTS_FILE = "defaults.yml"  # an empty configuration file: the defaults, whatever the tree holds


class BaseSettings(NamedTuple):
    """The base sync's flags and, for a file fetched through the API, the folder that stands for the
    checkout while it runs (its GITHUB_WORKSPACE), None otherwise."""

    flags: list[str]
    workspace: str | None = None


class Unread(Exception):
    """The base's configuration file could not be fetched (not a 404): syncing the base with other
    settings would show their difference as the pull request's change."""


def tree_settings(flags: list[str], inputs: ActionInputs, tree: Path, tmp: Path) -> BaseSettings:
    """The base synced from `tree` (the base commit's files): the source's `.ontosync.yml` is the
    tree's already; a `config` input of the checkout is read at the same path in the tree. `tmp`: a
    folder of the run's own, for an empty file standing for the defaults."""
    if inputs.config is None or not committed(inputs, None):
        return BaseSettings(flags)
    at_base = tree / inputs.config.relative_to(inputs.workspace)
    return BaseSettings(with_config(flags, at_base if at_base.is_file() else defaults(tmp)))


def api_settings(flags: list[str], inputs: ActionInputs, revisions: tuple[str, str], tmp: Path,
                 fetch) -> BaseSettings:
    """The base synced through the API at `revisions[0]` (the head's commit: `revisions[1]`):
    the file (`.ontosync.yml` without a `config` input) fetched with `fetch(path, commit)` (its
    bytes, None for none there; Unread when it cannot be told) into `tmp`."""
    base, head = revisions
    if inputs.config is not None and not committed(inputs, lambda rel: fetch(rel, head) is not None):
        return BaseSettings(flags)
    rel = inputs.config.relative_to(inputs.workspace).as_posix() if inputs.config is not None else CONFIG_FILE
    data = fetch(rel, base)
    if data is None:  # none at the base: the defaults (without a `config` input, as the sync does by itself)
        return BaseSettings(with_config(flags, defaults(tmp)) if inputs.config is not None else flags)
    checkout = tmp / "checkout"
    at_base = checkout / rel
    at_base.parent.mkdir(parents=True, exist_ok=True)
    at_base.write_bytes(data)
    return BaseSettings(with_config(flags, at_base), str(checkout))


def with_config(flags: list[str], path: Path) -> list[str]:
    """`flags` with `--config PATH` (in place of the one given)."""
    if "--config" not in flags:
        return [*flags, "--config", str(path)]
    i = flags.index("--config")
    return [*flags[:i], "--config", str(path), *flags[i + 2:]]


def defaults(tmp: Path) -> Path:
    empty = tmp / DEFAULTS_FILE
    empty.write_text("", encoding="utf-8")
    return empty


def committed(inputs: ActionInputs, at_head) -> bool:
    """Whether the `config` input is a file of the checkout a commit holds (the pull request's to
    change), not one an earlier step of the job wrote: git's index says, else `at_head(path)` (the
    head commit, through the API), else no."""
    config = inputs.config
    if config is None or not config.is_relative_to(inputs.workspace):
        return False
    rel = os.path.relpath(config, inputs.workspace)
    git = shutil.which("git")
    if git is not None and (inputs.workspace / ".git").exists():
        try:
            return subprocess.run([git, "-c", "safe.directory=*", "-C", str(inputs.workspace), "--literal-pathspecs",
                                   "ls-files", "--error-unmatch", "--", rel], capture_output=True,
                                  timeout=60).returncode == 0  # (literal: `own*.yml` is no pattern of own.yml)
        except (OSError, subprocess.SubprocessError):
            pass
    return at_head is not None and at_head(Path(rel).as_posix())


def fetcher(repo: str, token: str | None, api_url: str):
    """`fetch(path, commit)` for api_settings: the file's bytes at that commit through the GitHub
    API (one request, retried as the comment's are), None when there is no such file."""
    def fetch(path: str, commit: str) -> bytes | None:
        import requests
        from github import GithubException

        from ontosync.action.artifacts import github_client, with_retries

        gh = github_client(token or None, api_url)
        try:
            found = with_retries(lambda: gh.get_repo(repo).get_contents(path, ref=commit))
        except GithubException as exc:
            if exc.status == 404:
                return None
            raise Unread(f"GitHub answered {exc.status}") from None
        except (requests.RequestException, *NETWORK_ERRORS, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise Unread(type(exc).__name__) from None  # a dropped connection, an answer not the JSON expected
        finally:
            gh.close()
        if isinstance(found, list) or getattr(found, "type", "file") != "file":
            return None  # a folder there: no file
        try:
            return found.decoded_content
        except (AssertionError, ValueError, TypeError) as exc:  # (a file over 1 MB: no content in the answer)
            raise Unread(f"its content was not in the answer ({type(exc).__name__})") from None
    return fetch
