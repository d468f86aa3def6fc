"""The GitHub source's tarball path: one streamed `GET /repos/{o}/{r}/tarball/{sha}` delivers many
changed files for one API request (github.py's docstring says when it is used and why).

A mixin of `GitHubSource` (it reads the source's client, retry policy and counters), kept apart
so each module stays one subject: requests and errors there, the archive here. The archive is
read as a stream (`tarfile` mode `r|gz`) straight from the response, one member at a time, with
nothing written to disk; hostile entries are refused (github_http.tar_refusal) and every
accepted file must hash to the blob sha the tree reported.
"""

from __future__ import annotations

import logging
import tarfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import requests

from ontosync.console import counted
from ontosync.retry import RetryPolicy
from ontosync.sources import SourceError, SourceFile, SourceInterrupted, git_blob_sha
from ontosync.sources.github_http import (
    NETWORK_ERRORS,
    STREAM_ERRORS,
    ChunkReader,
    Secret,
    error_kind,
    same_origin,
    tar_refusal,
    without_query,
)
from ontosync.sources.names import display_name

log = logging.getLogger("ontosync.sources.github")
DOWNLOAD_CHUNK = 1 << 16


class GitHubUnavailable(SourceError):
    """GitHub kept failing (5xx, resets, timeouts) through every retry; `last` is the last failure
    (the request and its answer, no URL), for the one-line messages made from it."""

    def __init__(self, message: str, last: str = ""):
        super().__init__(message)
        self.last = last or message


class GitHubDown(SourceInterrupted):
    """GitHub kept failing through every retry in the middle of a run: the run stops with its
    checkpoint (exit 1), and the next run resumes where it stopped."""

    def said(self, saved: bool) -> str:
        """Says "the checkpoint is saved" only when it was (a read-only folder, a full disk: it was said
        all the same, under the warning saying it was not)."""
        if saved:
            return f"{self}; the files read so far are committed and the checkpoint is saved: run again later to resume"
        return (f"{self}; the files read so far are committed, but the checkpoint is not saved (its warning says why): "
                "run again later to go on")


class Transient(Exception):
    """Worth retrying after a backoff; the message is ours and safe to show."""


class TarballReader:
    """`GitHubSource`'s tarball download (attributes below are the source's own)."""

    description: str
    api_url: str
    timeout: float
    max_attempts: int
    max_file_size: int
    retry: RetryPolicy
    retries: int
    refused_entries: int
    _commit_sha: str | None
    _token: Secret
    _http: requests.Session
    _repo: Any
    _api: Callable[..., Any]
    _linked_from: dict[str, dict[str, None]]  # a link's target -> the links to it (github_links)
    _raw_links: dict[str, str]  # the tree's links, by recorded path

    def _from_tarball(self, pending: dict[str, SourceFile]) -> Iterator[tuple[SourceFile, bytes]]:
        """Yield what one tarball delivers; delivered files leave `pending`.

        A download that fails midway is started again (counted as a retry) and skips the files
        already handed over; the redirect's URL is asked for again each time because it expires.
        A failed download that still delivered files does not use up an attempt, so a long
        download over a flaky connection gets through as long as it makes progress.
        """
        attempt = 0
        while pending:
            before = len(pending)
            try:
                yield from self._read_tarball(pending)
                return
            except Transient as exc:
                if len(pending) < before:
                    attempt = 0
                if attempt + 1 >= self.max_attempts:
                    raise GitHubUnavailable(
                        f"GitHub tarball download for {self.description} failed {counted(attempt + 1, 'time')}: {exc}"
                    ) from None
                attempt += 1
                delay = self.retry.wait(attempt)
                self.retries += 1
                log.info("%s; retry %d in %.1f s", exc, attempt, delay)
                time.sleep(delay)

    def _read_tarball(self, pending: dict[str, SourceFile],
                      members: Callable[[tarfile.TarFile], Iterator[Any]] | None = None) -> Iterator[Any]:
        """One download of the commit's tarball: `pending`'s files (see _members), or what `members`
        reads from the archive instead (the link texts: github_links)."""
        assert self._commit_sha is not None
        sha = self._commit_sha

        def link() -> str:
            try:
                location = self._repo.get_archive_link("tarball", sha)
            except KeyError:  # answered without a redirect
                location = None
            if not isinstance(location, str) or urllib.parse.urlsplit(location).scheme not in ("http", "https"):
                raise Transient(f"GET tarball {sha[:12]}: no usable redirect location")
            return location

        location = self._api(f"GET tarball {sha[:12]}", link)
        shown = without_query(location)
        headers = {"User-Agent": "ontosync"}
        token = self._token.get()
        if token and same_origin(location, self.api_url):
            # GitHub's download host needs no credentials (the URL carries its own short-lived
            # grant); a server that serves downloads itself gets the token, no other host does.
            headers["Authorization"] = f"token {token}"
        try:
            resp = self._http.get(location, headers=headers, stream=True, timeout=self.timeout)
        except NETWORK_ERRORS as exc:
            raise Transient(f"tarball download {shown}: {error_kind(exc)}") from None
        try:
            if resp.status_code != 200:
                raise Transient(f"tarball download {shown}: HTTP {resp.status_code}")
            reader = ChunkReader(resp.iter_content(DOWNLOAD_CHUNK))
            try:
                # names as UTF-8 whatever the locale (tarfile's default is the file system's
                # encoding: ASCII under LC_ALL=C, where `Rébot.md` matched no listed path)
                with tarfile.open(fileobj=reader, mode="r|gz", encoding="utf-8") as tar:
                    yield from self._members(tar, pending) if members is None else members(tar)
            except STREAM_ERRORS as exc:
                raise Transient(f"tarball download {shown}: {error_kind(exc)}") from None
        finally:
            resp.close()

    def _members(self, tar: tarfile.TarFile, pending: dict[str, SourceFile]) -> Iterator[tuple[SourceFile, bytes]]:
        top: str | None = None
        for member in tar:
            name = member.name
            reason = tar_refusal(member)
            if reason is None:
                first, _, rel = name.partition("/")
                if top is None:
                    top = first  # GitHub's `owner-repo-sha/` folder
                if first != top:
                    reason = "outside the archive's top folder"
            if reason == "link" and member.issym() and display_name(name.partition("/")[2]) in self._raw_links:
                continue  # a link the tree lists: followed through the tree, never through the archive
            if reason is not None:
                self.refused_entries += 1
                log.warning("tarball entry %r refused: %s", name[:200], reason)
                continue
            if not member.isfile():
                continue  # folders
            path = display_name(rel)
            wanted = [sf for sf in (pending.get(p) for p in (path, *self._linked_from.get(path, ())))
                      if sf is not None and sf.size == member.size <= self.max_file_size]
            fh = tar.extractfile(member) if wanted else None
            if fh is None:
                continue
            data = fh.read()
            sha = git_blob_sha(data)
            for sf in wanted:  # the file, and the links that lead to it (a link's own entry is refused)
                if sf.blob_sha == sha:  # else an export filter changed it: the blob fallback fetches the real one
                    del pending[sf.path]
                    yield sf, data
            if not pending:
                return  # everything arrived: the rest of the archive is not downloaded

