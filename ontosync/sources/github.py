"""A GitHub repository read through the REST API (PyGithub), for syncs without a checkout.

Why it is shaped this way:

- Requests are the scarce resource (5,000 an hour per token, fewer for GitHub Apps), so a sync
  costs a handful of them whatever the repository's size: one for the commit the ref points at
  (the revision, and its tree), one for the recursive tree (every path with its git blob hash, so
  unchanged files are skipped without being downloaded), then either one blob request per changed
  file (few changes) or one tarball of the whole commit (many changes). The tarball request is a
  single API call answered by a redirect to a download host that does not count against the
  API rate limit.
- Everything after the first request is pinned to the resolved commit (tree sha, tarball of the
  commit sha), so a push during the sync cannot mix two versions of the repository.
- PyGithub's own retrying and throttling are switched off (`retry=None`,
  `seconds_between_requests=None`): its defaults sleep 0.25 s before every request and may wait an
  hour for a rate-limit reset. This module decides instead: a primary rate limit waits for the
  reset only up to `max_rate_limit_wait`, else raises `RateLimitStop` (the pipeline saves its
  checkpoint and exits 1); `Retry-After` is honoured; 5xx, timeouts and connection resets retry
  with exponential backoff and full jitter (`backoff`), and every retry is counted in
  `self.retries` for the run report.
- Errors are rebuilt as one-line messages of our own. Exception text from PyGithub or requests can
  carry response headers or a download URL with a short-lived token in its query, so it is never
  passed on, and the API token is kept in a wrapper that does not print.
- The tarball is read as a stream (`tarfile` mode `r|gz`) straight from the response into memory,
  one member at a time: nothing is written to disk at all. Entries with absolute paths, `..`,
  links or devices are refused; every accepted file must hash to the blob sha the tree reported,
  and any file the tarball does not deliver intact is fetched as a blob instead.
"""

from __future__ import annotations

import logging
import math
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import requests
from github import Auth, Github, GithubException

from ontosync.console import counted
from ontosync.options import DEFAULT_API_URL
from ontosync.retry import RetryPolicy, default_factor, waiting
from ontosync.sources import (
    FileTooLarge,
    PathFilter,
    SourceError,
    SourceFile,
    SourceInterrupted,
    submodule_warning,
    too_large,
)
from ontosync.sources.github_blobs import BlobCap, blob_bytes
from ontosync.sources.github_http import (
    NETWORK_ERRORS,
    SECONDARY_LIMIT_WAIT,
    Secret,
    checked_api_url,
    env_timeout,
    error_kind,
    get_json,
    is_sha,
    may_hold_graph_config,
    moved_repository,
    parse_spec,
    rate_headers,
    rate_limit_wait,
    repeats_read_first,
    safe_relpath,
    says_when,
    server_message,
)
from ontosync.sources.github_limits import RATE_LIMIT_TRIES, RateLimitStop, clock, reset_passed, stop
from ontosync.sources.github_limits import RateLimited as _RateLimited
from ontosync.sources.github_links import LINK_MODE, LinkFollower, LinkTarget, folder_index, known_texts
from ontosync.sources.github_tarball import GitHubDown, GitHubUnavailable, TarballReader
from ontosync.sources.github_tarball import Transient as _Transient
from ontosync.sources.github_tree import TreeItem, folders_left_out, tree_items
from ontosync.sources.names import display_name

log = logging.getLogger(__name__)

T = TypeVar("T")


# Up to this many changed files are fetched one blob request each; more go through one tarball.
# Blobs cost one API request (and one round trip) per file; the tarball costs one API request plus
# one download of the whole commit (the download host is not rate limited). Above ~20 files the
# tarball saves rate limit and wall time for repositories of the size this tool targets (a 15 MB
# knowledge graph downloads in about the time of 20 sequential round trips). Raise it for huge
# repositories where the selected folder is a small part of the tarball.
DEFAULT_BLOB_THRESHOLD = 20
DEFAULT_MAX_RATE_LIMIT_WAIT = 900.0  # 15 minutes
# Files in a row whose blob kept failing through every attempt: GitHub is down, the run stops.
DOWN_AFTER = 3

SIDE_FILE = "logseq/config.edn"  # the one kind of unselected file read_file can read


class GitHubSource(TarballReader, LinkFollower):
    """`Source` over the GitHub REST API. See the module docstring for the why.

    Attributes the pipeline reads: `description`, `revision` (commit sha; resolving it costs the
    first request and may raise `SourceError`), `retries` (retries and rate-limit waits so far, for
    the report), `api_requests` (API request attempts).
    """

    def __init__(
        self,
        spec: str,
        path_filter: PathFilter,
        api_url: str = DEFAULT_API_URL,
        token: str | None = None,
        max_rate_limit_wait: float = DEFAULT_MAX_RATE_LIMIT_WAIT,
        retries: int = 3,
        blob_threshold: int = DEFAULT_BLOB_THRESHOLD,
        max_file_size: int = 32 * 1024 * 1024,
        *,
        timeout: float | None = None,
        backoff_factor: float | None = None,
        backoff_max: float = 60.0,
    ):
        """`retries`: attempts per request for a retryable failure (the contract's `--retries`).

        `timeout`: seconds per request; default `$ONTOSYNC_GITHUB_TIMEOUT`, else 30.
        `backoff_factor`/`backoff_max`: the exponential backoff's first step and cap, in seconds
        (the first step: default `$ONTOSYNC_RETRY_BACKOFF`, else 1; see retry.default_factor).
        """
        self.owner, self.repo_name, self.ref = parse_spec(spec)
        self.description = f"github:{self.owner}/{self.repo_name}" + (f"@{self.ref}" if self.ref else "")
        self.filter = path_filter
        self.api_url = checked_api_url(api_url, DEFAULT_API_URL)
        self._token = Secret(token)
        if flaw := self._token.flaw():
            raise SourceError(flaw)
        self.max_rate_limit_wait = float(max_rate_limit_wait)
        factor = default_factor() if backoff_factor is None else backoff_factor
        self.retry = RetryPolicy(max(1, int(retries)), factor, backoff_max)
        self.max_attempts = self.retry.attempts
        self.blob_threshold = max(0, int(blob_threshold))
        self.max_file_size = int(max_file_size)
        self.timeout = max(0.1, float(env_timeout() if timeout is None else timeout))

        self.retries = 0  # retries made (backoffs and rate-limit waits), for the run report
        self.rate_limit_waits = 0
        self.api_requests = 0
        self.refused_entries = 0  # hostile tarball entries skipped
        self.truncated_walks = 0

        self._gh = Github(
            auth=Auth.Token(self._token.get()) if self._token.get() else None,
            base_url=self.api_url,
            timeout=max(1, math.ceil(self.timeout)),  # PyGithub insists on an int
            retry=None,  # we retry, with our own limits and counting
            seconds_between_requests=None,  # no fixed 0.25 s sleep before every request
            seconds_between_writes=None,
            lazy=True,  # get_repo and friends cost nothing until data is read
        )
        repeats_read_first(self._gh.requester)  # a rate-limit header sent twice: its most conservative value
        self._blob_cap = BlobCap.installed(self._gh.requester, self.max_file_size)  # (after: headers read first)
        self._repo = self._gh.get_repo(f"{self.owner}/{self.repo_name}")
        self._http = requests.Session()  # tarball downloads only
        self._commit_sha: str | None = None
        self._tree_sha: str | None = None
        self._stopped: RateLimitStop | None = None
        # Said when the run waits (a rate limit): the pipeline points it at its progress lines.
        self.notice: Callable[[str], None] = log.warning
        self._unhinted_limits = 0  # secondary rate limits met without a hint of how long to wait
        self._subdir_seen = False  # the listing met the --path folder
        self._subdir_file = False  # ... or a file of that name
        self._tree: dict[str, tuple[str, str, int]] | None = None  # the selected files, listed once
        self._side_files: dict[str, tuple[str, str, int]] = {}  # logseq/config.edn entries, for read_file
        self._raw_links: dict[str, str] = {}  # symbolic links, followed as a checkout's walk follows them
        self._link_shas: dict[str, str] = {}
        self._folders: dict[str, dict[str, TreeItem]] = {}
        self._link_texts: dict[str, str] = {}
        self._known_texts: dict[str, str] = {}  # what the last sync read: links' texts, logseq/config.edn
        self._side_texts: dict[str, str] = {}  # the logseq/config.edn blobs read, by sha
        self._linked_from: dict[str, dict[str, None]] = {}
        self._maybe_folders: list[str] = []  # links not selected by name, followed to say a folder's loss
        self.warnings: list[dict] = []  # `linked-folder`, `submodule`: as a checkout's walk says them (local.py)
        self._submodules: list[str] = []  # the tree's submodules (mode 160000), never read

    def __repr__(self) -> str:
        return f"GitHubSource({self.description!r}, api_url={self.api_url!r})"

    # -- the Source protocol -------------------------------------------------------------------
    @property
    def revision(self) -> str | None:
        """The commit sha the ref resolves to (resolved once, on first use: one request).

        Bad credentials or an unknown repository raise `SourceError` here. A rate limit that
        outlasts the allowed wait does not: the pipeline reads `revision` before its run loop,
        where it could not turn the stop into a checkpoint and exit 1, so the revision stays None
        and the same `RateLimitStop` is raised by `list_files`, inside the loop.
        """
        try:
            self._resolve()
        except RateLimitStop:
            return None
        return self._commit_sha

    def list_files(self) -> Iterator[SourceFile]:
        """Selected files in plain path-string order (the pipeline's merge join needs it)."""
        if self._stopped is not None:  # read_file met a rate-limit stop: the run stops here
            raise self._stopped
        entries = self._entries()
        self._name_linked_folders()  # the links the filter leaves out that may be folders (github_links)
        for path in sorted(entries):
            mode, sha, size = entries[path]
            yield self._describe(path, mode, sha, size)

    def count_files(self) -> int:
        """How many files `list_files` will yield, from the same (cached) tree listing: the
        progress bar's total, for no extra request. A rate-limit stop is kept for list_files."""
        try:
            return len(self._entries())
        except RateLimitStop as exc:
            self._stopped = exc
            raise

    def _entries(self) -> dict[str, tuple[str, str, int]]:
        if self._tree is None:
            if self._stopped is not None:  # read_file met it: not asked again (6 more limited tries)
                raise self._stopped
            self._resolve()
            assert self._tree_sha is not None
            self._tree = self._list_tree(self._tree_sha)
            self.filter.unmatched.walked = True  # (unmatched-glob: every path was seen)
        return self._tree

    def contents(self, files: Iterable[SourceFile]) -> Iterator[tuple[SourceFile, bytes]]:
        """Bytes of each requested file, as blobs (few) or from one streamed tarball (many).

        The iterable is read whole first: the choice between blobs and the tarball needs the count,
        and it is a list of small tuples. Refused files and files without a blob sha are not
        read. With the tarball, files come in the tarball's order.
        """
        wanted = [f for f in files if f.refused is None and f.blob_sha]
        if not wanted:
            return
        try:
            if len(wanted) <= self.blob_threshold:
                yield from self._blobs(wanted)
                return
            pending = {sf.path: sf for sf in wanted}
            yield from self._from_tarball(pending)
            missed = sorted(pending.values())
            for sf in missed:
                log.warning("%s: not delivered intact by the tarball; fetching it as a blob", sf.path)
            yield from self._blobs(missed)
        except GitHubUnavailable as exc:  # mid-run: what was handed over is committed, the rest resumes
            raise GitHubDown(str(exc)) from None  # its last line: GitHubDown.said

    def _blobs(self, files: list[SourceFile]) -> Iterator[tuple[SourceFile, bytes]]:
        """Each file's blob. One whose request keeps failing (a 5xx through every attempt) is handed
        over as a file that cannot be read (recorded failed, its last good version kept, tried
        again by the next run) and the run goes on; `DOWN_AFTER` such files in a row mean GitHub
        itself is down, and waiting out every retry of every file would only delay the stop."""
        in_a_row, tries = 0, counted(self.max_attempts, "attempt")
        for sf in files:
            try:
                data = self._fetch_blob(sf)
            except FileTooLarge:  # an answer longer than listed: its read stopped at the limit
                yield sf._replace(refused=too_large(None, self.max_file_size)), b""
                continue
            except GitHubUnavailable as exc:
                in_a_row += 1
                if in_a_row >= DOWN_AFTER:
                    raise GitHubUnavailable(f"GitHub API kept failing for {self.description}: {in_a_row} files in "
                                            f"a row through {tries} each (last: {exc.last})",
                                            exc.last) from None
                log.warning("%s: %s", sf.path, exc)
                yield sf._replace(refused=f"cannot read from GitHub ({tries}): {exc.last}"), b""
                continue
            in_a_row = 0  # (a listing that said it smaller than it is: held to the limit all the same)
            yield (sf, data) if len(data) <= self.max_file_size else (
                sf._replace(refused=too_large(len(data), self.max_file_size)), b"")

    def read_file(self, path: str, max_size: int) -> bytes | None:
        """A small file by path (see `Source.read_file`). Only `logseq/config.edn` files are kept
        from the tree listing (which `list_files` then reuses, so finding them costs no request);
        reading one costs one blob request. A rate-limit stop is kept for `list_files` to raise
        again, so the run stops there without asking again and no page is read with defaults."""
        try:
            self._entries()
            entry = self._side_files.get(path)
            if entry is not None and entry[0] == LINK_MODE:  # a checkout's read follows it too
                target = self._follow(path)
                entry = target[1:] if isinstance(target, LinkTarget) else None
            if entry is None or not is_sha(entry[1]):
                return None
            sf = SourceFile(path, entry[1], FileTooLarge.check(entry[2], max_size))
            text = self._known_texts.get(entry[1])
            data = self._fetch_blob(sf, max_size) if text is None else text.encode("utf-8", "surrogateescape")
            self._side_texts[entry[1]] = data.decode("utf-8", "surrogateescape")
            return data
        except RateLimitStop as exc:
            self._stopped = exc
            raise

    # -- what the database keeps for the next run ------------------------------------------------
    def keep_blobs(self, texts: object) -> None:
        """The blobs the database kept from its last sync (see `kept_blobs`); each is checked
        against its sha before it is used."""
        self._known_texts = known_texts(texts)

    @property
    def kept_blobs(self) -> dict[str, str]:
        """blob sha -> content (text, surrogate-escaped) of every link this run followed and of the
        graph config it read. Why: these are read on every run, a link's text a blob of its own (one
        request per link, or a tarball past the blob threshold), the config one more, though they
        rarely change; kept with the database, an unchanged one costs no request."""
        return {**self._link_texts, **self._side_texts}

    # -- resolving the ref and listing the tree ----------------------------------------------------
    def _resolve(self) -> None:
        if self._commit_sha is not None:
            return
        if self._stopped is not None:
            raise self._stopped
        ref = self.ref or "HEAD"  # HEAD: the default branch, without asking for the repository
        if ref.startswith(("refs/heads/", "refs/tags/")):
            ref = ref.removeprefix("refs/")  # GitHub documents `heads/NAME` and `tags/NAME` (README)
        try:
            data = self._api(f"GET commit {ref}", lambda: self._get(f"commits/{urllib.parse.quote(ref, safe='')}"),
                             lookup=True)
        except RateLimitStop as exc:
            self._stopped = exc
            raise
        try:
            sha, tree_sha = data["sha"], data["commit"]["tree"]["sha"]
        except (KeyError, TypeError):
            raise SourceError(f"unexpected answer from the GitHub API for {self.description}") from None
        if not (is_sha(sha) and is_sha(tree_sha)):
            raise SourceError(f"unexpected answer from the GitHub API for {self.description}")
        self._commit_sha, self._tree_sha = sha, tree_sha
        self._follow_move(data.get("url"))

    def _follow_move(self, url: object) -> None:
        """Ask a moved or renamed repository at its new home (the commit answer's `url`) from now
        on: GitHub answers the old name with a 301, which PyGithub follows without the query
        (`?recursive=1`), and each redirect costs a request."""
        moved = moved_repository(url, self.owner, self.repo_name)
        if moved is not None:
            log.info("%s has moved to %s/%s; reading it there", self.description, *moved)
            self._repo = self._gh.get_repo("/".join(moved))

    def _list_tree(self, tree_sha: str) -> dict[str, tuple[str, str, int]]:
        """path -> (mode, blob sha, size) of every file under the tree that the filter selects.

        One recursive request; when GitHub truncates the answer (over 100,000 entries or 7 MB),
        the tree is walked folder by folder, entering only folders the filter can match.
        """
        out: dict[str, tuple[str, str, int]] = {}
        items, truncated = self._get_tree(tree_sha, recursive=True)
        if not truncated:
            self._collect(items, "", out)
            if self._raw_links:  # the listing in hand is the tree the links' targets are looked up in
                self._folders = folder_index(items)
        else:
            self.truncated_walks += 1
            log.info("the tree of %s is too large for one answer; walking it folder by folder", self.description)
            subtrees: list[tuple[list[TreeItem], str]] = []
            self._walk(tree_sha, "", out, subtrees)
            if not self._raw_links:
                self._folders = {}  # kept for the links' targets only
            for sub, folder in subtrees if self._raw_links else ():  # indexed only when links were seen
                self._folders.update(folder_index(sub, folder))
        if self.filter.subdir and not self._subdir_seen:
            # as for a local folder: a misspelt --path is no empty sync that says it succeeded, and
            # one through a link is refused in a checkout's words
            sub = self.filter.subdir.rstrip("/")
            parts = sub.split("/")
            if any("/".join(parts[:i]) in self._raw_links for i in range(1, len(parts) + 1)):
                raise SourceError(f"--path must not pass through a symbolic link: {sub}")
            if self._subdir_file:  # a checkout's words (sources/local.py), not "not found"
                raise SourceError(f"--path {sub}: not a folder")
            if inside := next((m for m in self._submodules if f"{sub}/".startswith(f"{m}/")), None):
                raise SourceError(f"--path {sub} is in the submodule {inside}, which the GitHub source does not read: "
                                  "sync a checkout of the repository with its submodules")
            raise SourceError(f"--path folder not found in {self.description}: {sub}")
        self.filter.check_selectable()  # (after --path's own problems, as a checkout's walk says them)
        return out

    def _walk(self, tree_sha: str, prefix: str, out: dict[str, tuple[str, str, int]],
              subtrees: list[tuple[list[TreeItem], str]]) -> None:
        """List one folder non-recursively; each subfolder the filter can reach is first tried
        recursively (one request for the whole subtree), and walked in turn only if truncated. The
        subtrees listed whole go to `subtrees`: indexed for links' targets only if the walk met a link."""
        items, truncated = self._get_tree(tree_sha, recursive=False)
        if truncated:
            raise SourceError(f"GitHub truncated the listing of folder {prefix or '/'} in {self.description}")
        self._folders[prefix.rstrip("/")] = {item.name: item for item in items}  # a link's target is
        for item in items:  # looked up in the listings in hand (github_links), not listed again
            if item.type == "tree":
                folder = prefix + item.name + "/"
                recorded = display_name(folder)  # what the filter reads (a checkout's walk asks by it too)
                self._subdir_seen |= recorded == self.filter.subdir
                if not (self.filter.may_select_under(recorded) or may_hold_graph_config(self.filter, recorded)):
                    continue
                sub, sub_truncated = self._get_tree(item.sha, recursive=True)
                if sub_truncated:
                    self._walk(item.sha, folder, out, subtrees)
                else:
                    self._collect(sub, folder, out)
                    subtrees.append((sub, folder))
            else:
                self._collect([item], prefix, out)

    def _collect(self, items: list[TreeItem], prefix: str, out: dict[str, tuple[str, str, int]]) -> None:
        for item in items:
            if item.type != "blob":  # folders are implied; "commit" is a submodule
                self._subdir_seen |= item.type == "tree" and display_name(f"{prefix}{item.name}/") == self.filter.subdir
                if item.type == "commit":
                    self._submodule(display_name(prefix + item.name))
                continue
            path = display_name(prefix + item.name)  # escaped as a checkout's walk records it
            self._subdir_file |= f"{path}/" == self.filter.subdir
            if path != prefix + item.name and path in out:
                continue  # a plain name spelled as this escape wins, as in the walk of a checkout
            if item.mode == LINK_MODE:
                self._raw_links[path] = prefix + item.name
            if path.endswith(SIDE_FILE) and safe_relpath(path):
                self._side_files[path] = (item.mode, item.sha, item.size)
            if not safe_relpath(path) or not self.filter(path):
                if item.mode == LINK_MODE and safe_relpath(path):  # a folder's files lost? (github_links)
                    self._unselected_link(path, prefix + item.name, item.sha)
                continue
            if item.mode == LINK_MODE:  # a selected link's text may come from the tarball (github_links)
                self._link_shas[prefix + item.name] = item.sha
            out[path] = (item.mode, item.sha, item.size)

    def _submodule(self, path: str) -> None:
        """A submodule the filter could select files in: named (sources.submodule_warning), once."""
        self._submodules.append(path)
        warning = submodule_warning(path)
        if self.filter.may_select_under(path + "/") and path.startswith(self.filter.subdir) \
                and warning not in self.warnings:
            self.warnings.append(warning)

    def _get_tree(self, sha: str, recursive: bool) -> tuple[list[TreeItem], bool]:
        what = f"GET tree {sha[:12]}" + (" (recursive)" if recursive else "")
        data = self._api(what, lambda: self._get(f"git/trees/{sha}", {"recursive": 1} if recursive else None))
        items, truncated = tree_items(data, self.description)
        if recursive and not truncated and folders_left_out(items):
            log.warning("%s: the answer is not recursive; walking the tree folder by folder", what)
            return items, True
        return items, truncated

    def _describe(self, path: str, mode: str, sha: str, size: int) -> SourceFile:
        if mode == LINK_MODE:
            try:
                target = self._follow(path)
            except GitHubUnavailable as exc:
                return SourceFile(path, None, 0, f"cannot read the symbolic link from GitHub: {exc.last}")
            if not isinstance(target, LinkTarget):
                return self._unfollowed(path, target)
            sha, size = target.sha, target.size  # the target's content, as a checkout's walk hashes it
        if not is_sha(sha):
            return SourceFile(path, None, size, "no blob hash in the GitHub tree")
        if size > self.max_file_size:
            return SourceFile(path, None, size, too_large(size, self.max_file_size))
        return SourceFile(path, sha, size)

    def _get(self, path: str, params: dict[str, int] | None = None) -> object:
        """One GET under the repository (its new home once it has moved: _follow_move)."""
        return get_json(self._gh.requester, f"{self._repo.url}/{path}", self.api_url, params)

    # -- contents --------------------------------------------------------------------------------
    def _fetch_blob(self, sf: SourceFile, limit: int | None = None) -> bytes:
        """A file's blob, its answer read no further than a file of `limit` (--max-file-size) takes:
        FileTooLarge past it (github_blobs)."""
        assert sf.blob_sha is not None

        def call() -> bytes:
            self._blob_cap.limit = self.max_file_size if limit is None else limit
            return blob_bytes(self._get(f"git/blobs/{sf.blob_sha}"), sf)

        return self._api(f"GET blob {sf.blob_sha[:12]} ({sf.path})", call)

    # -- one API request with the retry policy -----------------------------------------------------
    def _api(self, what: str, call: Callable[[], T], lookup: bool = False) -> T:
        """Run `call` (one API request) with rate-limit waits and transient-error retries.

        Failed attempts never surface PyGithub's or requests' text: it is turned into our
        one-line errors here.
        """

        def attempt() -> T:
            self._wait_for_known_reset(what)
            self.api_requests += 1
            try:
                return call()
            except GithubException as exc:
                raise self._classify(exc, what, lookup) from None
            except NETWORK_ERRORS as exc:
                raise _Transient(f"{what}: {error_kind(exc)}") from None
            except (_Transient, _RateLimited, SourceError, SourceInterrupted, FileTooLarge):
                raise
            except Exception as exc:  # anything else from the client: its text is not ours to show
                raise SourceError(f"{what} for {self.description}: unexpected {type(exc).__name__} "
                                  f"from the GitHub client") from None

        def on_transient(exc: BaseException, tries: int, wait: float) -> None:
            self.retries += 1
            log.info("%s; retry %d in %.1f s", exc or what, tries, wait)

        def on_limited(exc: BaseException, tries: int, wait: float) -> None:
            self.retries += 1
            self.rate_limit_waits += 1
            self.notice(f"{exc or what}; waiting {wait:.0f} s, until {clock(wait)}")

        with_backoff = self.retry.retrying(attempt, _Transient, on_retry=on_transient)
        with_waits = waiting(with_backoff, _RateLimited, lambda exc: exc.wait, RATE_LIMIT_TRIES, on_retry=on_limited)
        try:
            return with_waits()
        except _Transient as exc:
            failing = f"GitHub API kept failing for {self.description} after {counted(self.max_attempts, 'attempt')}"
            raise GitHubUnavailable(f"{failing}: {exc}", str(exc)) from None
        except _RateLimited as exc:
            raise stop(self.description, str(exc), exc.wait, self.max_rate_limit_wait, tries=RATE_LIMIT_TRIES) from None

    def _wait_for_known_reset(self, what: str) -> None:
        """The last answer said no requests are left: wait for the reset before asking again."""
        requester = self._gh.requester
        remaining, _limit = requester.rate_limiting
        reset = requester.rate_limiting_resettime
        if remaining != 0 or not reset:
            return
        if reset <= time.time():  # passed: ask (a wait of its +1 s was a stop "in 1 s" at --max-rate-limit-wait 0)
            return
        wait = reset - time.time() + 1
        if wait > self.max_rate_limit_wait:
            raise stop(self.description, "GitHub API rate limit used up", wait, self.max_rate_limit_wait)
        self.rate_limit_waits += 1
        self.notice(f"GitHub API rate limit used up; waiting {wait:.0f} s for the reset, until {clock(wait)}, "
                    f"before {what}")
        time.sleep(wait)

    def _classify(self, exc: GithubException, what: str, lookup: bool) -> Exception:
        status = exc.status
        headers = rate_headers(exc.headers or {})
        message = server_message(exc.data, self._token)
        if status == 401:
            hint = "check GITHUB_TOKEN" if self._token.get() else "set GITHUB_TOKEN"
            return SourceError(f"authentication failed: GitHub rejected the credentials for "
                               f"{self.description} (HTTP 401); {hint}")
        if status in (403, 429):
            limited = self._rate_limit(status, headers, message, what)
            if limited is not None:
                return limited
            return SourceError(f"access denied to {self.description} (HTTP 403{': ' + message if message else ''})")
        if lookup and status in (404, 422):
            return self._not_found()
        if status == 404:
            return SourceError(f"not found on GitHub while reading {self.description}: {what} (HTTP 404)")
        if status == 409:
            return SourceError(f"cannot read {self.description}: {message or 'conflict'} (HTTP 409)")
        if status >= 500 or status in (408,):
            return _Transient(f"{what}: HTTP {status}")
        return SourceError(f"GitHub API error for {self.description}: {what} -> HTTP {status}"
                           + (f" ({message})" if message else ""))

    def _rate_limit(self, status: int, headers: dict[str, str], message: str, what: str) -> Exception | None:
        """A rate-limit answer as `_RateLimited` (wait) or `RateLimitStop`; None if it is not one
        (GitHub's rules: `rate_limit_wait`)."""
        limit = rate_limit_wait(status, headers, message, SECONDARY_LIMIT_WAIT * 2 ** self._unhinted_limits)
        if limit is None:
            return None
        kind, wait = limit
        if not says_when(headers):
            self._unhinted_limits += 1  # GitHub: waits that grow while the limit is met again
        passed = reset_passed(headers)  # said plainly: no "resets in 1 s" (its +1 s) for a time gone by
        if wait > self.max_rate_limit_wait:
            return stop(self.description, f"GitHub API {kind} reached", wait, self.max_rate_limit_wait, passed=passed)
        return _RateLimited(f"{what}: GitHub API {kind} (HTTP {status})"
                            + (", its reset time already passed" if passed else ""), wait)

    def _not_found(self) -> SourceError:
        """404/422 on the ref: one more request tells a missing repository from a missing ref."""
        base = f"repository or ref not found: {self.description}"
        try:
            self._api("GET repository", lambda: get_json(self._gh.requester, f"/repos/{self.owner}/{self.repo_name}",
                                                        self.api_url))
        except SourceError as exc:
            if str(exc).startswith("repository or ref not found") or "HTTP 404" in str(exc):
                unreadable = "the token cannot read it" if self._token.get() else \
                    "is private and no token was given: set GITHUB_TOKEN"
                return SourceError(f"{base} (repository {self.owner}/{self.repo_name} does not exist, "
                                   f"or {unreadable})")
            return SourceError(base)
        return SourceError(f"{base} (no branch, tag or commit {self.ref or 'HEAD'!r} "
                           f"in {self.owner}/{self.repo_name})")

