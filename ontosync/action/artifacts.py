"""Workflow artifacts through the GitHub REST API: find the newest one of a name, download, unzip.

Listing goes through PyGithub (`GET /repos/{owner}/{repo}/actions/artifacts?name=…`). The zip
comes from `archive_download_url`, which answers with a redirect to a short-lived signed storage
URL; that second request is sent without the token (the storage host must never see it).
Extraction takes only the members asked for, refuses absolute paths, `..`, links and oversized
members, and writes each file atomically (temp file, then rename).
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import BinaryIO, TypeVar
from urllib.parse import urljoin, urlsplit

import requests

from ontosync.files import replace_atomically
from ontosync.options import DEFAULT_API_URL
from ontosync.retry import RetryPolicy, waiting
from ontosync.sources.github_http import (  # a dropped connection: retried
    LONGEST_STOP_WAIT,
    NETWORK_ERRORS,
    SECONDARY_LIMIT_WAIT,
    error_kind,
    limit_of,
    rate_headers,
    rate_limit_wait,
    repeats_read_first,
    same_origin,
    scrubbed,
    server_message,
)

T = TypeVar("T")

MAX_ARTIFACTS_SCANNED = 300
PER_PAGE = 100  # items per page of a listing (GitHub's most): artifacts, a pull request's comments
MAX_DOWNLOAD_BYTES = 8 * 1024**3  # an artifact bigger than this is refused
CHUNK = 1 << 20
TIMEOUT_S = 60
# The pace of the Action's calls to GitHub (artifacts, comments): PyGithub's defaults, 0.25 s before every
# request and 1 s between writes, as GitHub's advice against its secondary rate limits asks of an
# integration. Named so that the tests, whose fake GitHub on 127.0.0.1 has no such limit, can set it to
# None (tests/conftest.py; tests/test_github_pacing.py holds that the Action keeps this pace).
PACING = {"seconds_between_requests": 0.25, "seconds_between_writes": 1.0}
COMMIT = re.compile(r"[0-9a-f]{40,64}")  # a head_sha that is none is not shown (12 characters of anything)
DEFAULT_BRANCH = ":default:"  # as `branch`: the repository's default branch (no git branch has a ':')
# A rate limit that resets within this is waited out: an artifact or a comment is not worth a longer wait
MAX_WAIT = SECONDARY_LIMIT_WAIT


class ArtifactError(Exception):
    """The artifact could not be listed, downloaded or unpacked (the message says why)."""


class AuthError(ArtifactError):
    """The API refused the token (401/403)."""


@dataclass(frozen=True)
class ArtifactInfo:
    id: int
    name: str
    size_in_bytes: int
    created_at: datetime | None
    expired: bool
    archive_download_url: str
    head_sha: str | None = None
    workflow_run_id: int | None = None
    head_branch: str | None = None
    from_fork: bool = False  # uploaded by a run of a pull request from a fork (see _to_info)

    def describe(self) -> str:
        when = self.created_at.isoformat() if self.created_at else "unknown time"
        run = f", run {self.workflow_run_id}" if self.workflow_run_id else ""
        sha = f", commit {self.head_sha[:12]}" if self.head_sha else ""
        return f"artifact {self.name!r} #{self.id} ({self.size_in_bytes} bytes, {when}{run}{sha})"


def github_client(token: str | None, api_url: str | None = None):
    from github import Auth, Github

    auth = Auth.Token(token) if token else None
    gh = Github(auth=auth, base_url=(api_url or DEFAULT_API_URL).rstrip("/"), timeout=TIMEOUT_S,
                retry=None, per_page=PER_PAGE, lazy=True,  # retried by policy(), like the GitHub source
                **PACING)
    repeats_read_first(gh.requester)  # a rate-limit header sent twice: its most conservative value
    return gh


def _aware(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


def _to_info(artifact) -> ArtifactInfo:
    """The fields we use. `from_fork`: the run's head repository is not this repository, i.e. a pull
    request from a fork uploaded it (its runs may upload artifacts, and its branch may well be called
    `main`); its database is whatever the fork put in it, so it is never restored nor fetched."""
    raw = artifact.raw_data
    run = raw.get("workflow_run") or {}
    head_repo, own_repo = run.get("head_repository_id"), run.get("repository_id")
    return ArtifactInfo(
        id=int(raw["id"]),
        name=str(raw.get("name") or ""),
        size_in_bytes=int(raw.get("size_in_bytes") or 0),
        created_at=_aware(artifact.created_at),
        expired=bool(raw.get("expired")),
        archive_download_url=str(raw.get("archive_download_url") or ""),
        head_sha=head if isinstance(head := run.get("head_sha"), str) and COMMIT.fullmatch(head) else None,
        workflow_run_id=run.get("id"),
        head_branch=run.get("head_branch"),
        from_fork=head_repo is not None and own_repo is not None and head_repo != own_repo,
    )


def find_newest_artifact(repo_full_name: str, name: str, token: str | None,
                         api_url: str | None = None, branch: str | None = None, *,
                         retry: RetryPolicy | None = None,
                         fallback: str | None = None) -> tuple[ArtifactInfo | None, int]:
    """The newest non-expired artifact called `name` (uploaded by a run on `branch`, when given: a
    pull request's base must not come from another pull request's run; DEFAULT_BRANCH: the
    repository's; never by a fork's run), and how many expired ones of `branch` were passed over.
    `fallback`: the branch whose newest is taken when `branch` has none (a new branch's first run:
    the default branch's), from the same listing: a second one cost its requests (pages) again.

    Returns (None, n) when there is none. Raises AuthError / ArtifactError when the API fails;
    server errors and dropped connections are retried by `retry` first (default: `policy()`).
    """
    from github import GithubException

    retry = retry or policy()
    try:
        branches = (branch,) if fallback in (None, branch) else (branch, fallback)
        live, expired = with_retries(lambda: _list_artifacts(repo_full_name, name, token, api_url, branches), retry)
    except GithubException as exc:
        raise _listing_refused(exc, repo_full_name, retry, token) from None
    except (requests.RequestException, *NETWORK_ERRORS) as exc:
        raise ArtifactError(f"listing artifacts of {repo_full_name} failed: {error_kind(exc)}"
                            f"{_after(retry, exc)}") from None
    except RuntimeError as exc:  # PyGithub's refusal of a 301 to another scheme or host
        if "redirected" not in str(exc):
            raise
        raise ArtifactError(f"listing artifacts of {repo_full_name} failed: the API at {api_url or DEFAULT_API_URL} "
                            "redirected to another scheme or host (http to https?); check --api-url") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # a 200 whose body is no listing
        raise ArtifactError(f"listing artifacts of {repo_full_name} failed: GitHub's answer was not the JSON "
                            f"expected ({type(exc).__name__})") from None
    if not live:
        return None, expired
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    live.sort(key=lambda a: (a.created_at or oldest, a.id), reverse=True)
    _check_download_host(live[0], (api_url or DEFAULT_API_URL).rstrip("/"), token)
    return live[0], expired


def branch_head(repo_full_name: str, branch: str, token: str | None, api_url: str | None = None) -> str | None:
    """The commit `branch` is at now (its git ref, an exact name), None when GitHub does not tell (no
    token, no `contents: read`, no such branch, down): one try, as the caller has its fallback."""
    from github import GithubException

    gh = github_client(token, api_url)
    try:
        sha = gh.get_repo(repo_full_name).get_git_ref(f"heads/{branch}").object.sha
    except (GithubException, requests.RequestException, *NETWORK_ERRORS, RuntimeError, ValueError, TypeError,
            KeyError, AttributeError):
        return None
    finally:
        gh.close()
    return sha if isinstance(sha, str) and COMMIT.fullmatch(sha) else None


def _check_download_host(info: ArtifactInfo, api_url: str, token: str | None) -> None:
    """The download's first request carries the token: only to the API's own server. GitHub (and
    GitHub Enterprise Server) name a URL there; a listing that names another host (a hostile or
    misconfigured server in front of the API) is refused before the token goes anywhere."""
    if not same_origin(info.archive_download_url, api_url):
        parts = urlsplit(info.archive_download_url)
        where = f"is on {scrubbed(parts.scheme + '://' + parts.netloc.rpartition('@')[2], token)}" \
            if parts.netloc else "has no host"
        raise ArtifactError(f"{info.describe()}: its download URL {where}, not on the API's server {api_url}; "
                            "not sent the token, not downloaded")


def _limit_error(what: str, status: int, limit: tuple[str, float]) -> ArtifactError:
    """A rate limit (kind, seconds) named as one, with when to run again: it read as a refusal of
    the token, which sent the user to check a token that was fine."""
    when = datetime.now(timezone.utc) + timedelta(seconds=min(limit[1], LONGEST_STOP_WAIT))
    return ArtifactError(f"{what} hit GitHub's API {limit[0]} (HTTP {status}); run again after "
                         f"{when.strftime('%Y-%m-%dT%H:%M:%SZ')}")


def _listing_refused(exc, repo_full_name: str, retry: RetryPolicy, token: str | None) -> ArtifactError:
    """The error for a listing GitHub answered with an error status (GithubException `exc`). A rate
    limit says so and when to run again: it was "the API refused the token", which sent the user
    to check a token that was fine (or that was not even given)."""
    message = _api_message(exc, token)
    limit = limit_of(exc, message)
    if limit is not None:
        return _limit_error(f"listing artifacts of {repo_full_name}", exc.status, limit)
    if exc.status in (401, 403):
        return AuthError(f"GitHub API refused the token listing artifacts of {repo_full_name}: {message}")
    if exc.status == 404:
        return ArtifactError(f"repository {repo_full_name} not found (or the token cannot see it)")
    return ArtifactError(f"listing artifacts of {repo_full_name} failed: HTTP {exc.status} {message}"
                         f"{_after(retry, exc)}")


def _list_artifacts(repo_full_name: str, name: str, token: str | None, api_url: str | None,
                    branches: tuple[str | None, ...]) -> tuple[list[ArtifactInfo], int]:
    """One listing, from the first page (a retry starts again: pages may have moved meanwhile): the
    live artifacts of the first of `branches` (None: any) that has one, and how many of the first's
    had expired. The default branch's name is asked for only when needed."""
    gh = github_client(token, api_url)
    try:
        repo = gh.get_repo(repo_full_name)
        named: list[ArtifactInfo] = []
        for i, artifact in enumerate(repo.get_artifacts(name=name)):
            if i >= MAX_ARTIFACTS_SCANNED:
                break
            info = _to_info(artifact)
            # the name filter is exact: be sure; a fork's upload is never ours
            if info.name == name and not info.from_fork:
                named.append(info)
        expired = None
        for branch in branches:
            wanted = repo.default_branch if branch == DEFAULT_BRANCH else branch
            found = [a for a in named if wanted in (None, a.head_branch)]
            live = [a for a in found if not a.expired]
            expired = len(found) - len(live) if expired is None else expired
            if live:
                break
        return live, expired or 0
    finally:
        gh.close()


class _Limited(Exception):
    def __init__(self, original: Exception, wait: float) -> None:
        super().__init__(str(original))
        self.original, self.wait = original, wait


def policy() -> RetryPolicy:
    """3 tries in all; waits drawn from [0, 1 s], then [0, 2 s] (the first step `$ONTOSYNC_RETRY_BACKOFF`
    as it is now). Made at each call: a policy made at import kept the backoff the environment had then,
    which `fetch-db` in a process whose environment changed since (the Action's entrypoint) waited."""
    return RetryPolicy()


def with_retries(exchange: Callable[[], T], retry: RetryPolicy | None = None, max_wait: float = MAX_WAIT) -> T:
    """Run `exchange` (calls to GitHub's API, or an artifact's download), tried again per the retry
    policy: a server error (GithubException's, or the download's `_ServerError`) or a dropped
    connection after a backoff, a rate limit (429, or 403 with `Retry-After` or no requests
    left) once it resets when that is within `max_wait`. Why: the listing met a secondary rate limit
    as a refusal, and the run went on without its artifact (a full sync). The last failure is raised
    as it came."""
    from github import GithubException

    def attempt() -> T:
        try:
            return exchange()
        except GithubException as exc:
            limit = limit_of(exc)
            if limit is not None and limit[1] <= max_wait:
                raise _Limited(exc, limit[1]) from None
            raise

    # a rate limit that reaches the backoff resets past `max_wait`: not retried (the others are waited for, below)
    retry = retry or policy()
    backed = retry.retrying(attempt, (GithubException, _ServerError, *NETWORK_ERRORS),
                            giveup=lambda exc: _final(exc, limits=False))
    try:
        return waiting(backed, _Limited, lambda exc: exc.wait, retry.attempts or 3)()
    except _Limited as exc:
        raise exc.original from None


class _ServerError(ArtifactError):
    """An answer worth asking again for (5xx, 429)."""


def _final(exc: BaseException, limits: bool = True) -> bool:
    """Not worth retrying: the API answered, and not with a server error or (`limits`) a 429 rate limit."""
    status = getattr(exc, "status", None)
    return status is not None and status < 500 and not (limits and status == 429)


def _after(retry: RetryPolicy, exc: BaseException) -> str:
    return "" if _final(exc) or retry.attempts <= 1 else f" ({retry.attempts} attempts)"


def _api_message(exc, token: str | None) -> str:
    """The answer's `message` as `server_message` shows it (the token scrubbed), else the exception's kind."""
    return (server_message(getattr(exc, "data", None), token)
            or server_message({"message": getattr(exc, "message", None)}, token) or exc.__class__.__name__)


def download_artifact(info: ArtifactInfo, token: str | None, dest: Path,
                      max_bytes: int = MAX_DOWNLOAD_BYTES, *, retry: RetryPolicy | None = None) -> Path:
    """Download the artifact's zip to `dest`; follows GitHub's redirect without sending the token on.

    Server errors and dropped connections start the download again (the redirect's signed URL is
    asked for anew: it is short-lived), `retry.attempts` tries in all."""
    if not token:
        raise AuthError("downloading an artifact needs a token (GITHUB_TOKEN or the github-token input)")
    retry = retry or policy()
    try:
        with_retries(lambda: _download_once(info, token, dest, max_bytes), retry)
    except _ServerError as exc:
        raise ArtifactError(f"{exc}{_after(retry, exc)}") from None
    except (requests.RequestException, *NETWORK_ERRORS) as exc:
        # Not the exception's text: it names the signed storage URL, whose query is a download grant.
        raise ArtifactError(f"download of {info.describe()} failed: {error_kind(exc)}"
                            f"{_after(retry, exc)}") from None
    return dest


def _download_once(info: ArtifactInfo, token: str, dest: Path, max_bytes: int) -> None:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
               "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "ontosync"}
    url = info.archive_download_url
    with requests.Session() as session:
        session.trust_env = True
        resp = session.get(url, headers=headers, allow_redirects=False, timeout=TIMEOUT_S, stream=True)
        hops = 0
        while resp.is_redirect and hops < 5:
            target = urljoin(url, resp.headers["Location"])
            resp.close()
            # The signed storage URL carries its own credentials: no token beyond the API.
            resp = session.get(target, headers={"User-Agent": "ontosync"}, allow_redirects=False,
                               timeout=TIMEOUT_S, stream=True)
            url, hops = target, hops + 1
        with resp:
            _check_limit(info, resp)
            _check_status(info, resp.status_code)
            written = 0
            with open(dest, "wb") as fh:
                for chunk in resp.iter_content(CHUNK):
                    written += len(chunk)
                    if written > max_bytes:
                        raise ArtifactError(f"{info.describe()} is larger than {max_bytes} bytes; refused")
                    fh.write(chunk)


def _check_limit(info: ArtifactInfo, resp: requests.Response) -> None:
    """A rate-limited download (403 or 429, as the listing reads them): raised as `_Limited` when it
    resets within MAX_WAIT (waited out, then tried again), else as an ArtifactError saying when to
    run again. It was "refused: HTTP 403" and the run went on as a full sync."""
    if resp.status_code not in (403, 429):
        return
    try:
        message = resp.json().get("message")
    except (ValueError, AttributeError):
        message = None
    limit = rate_limit_wait(resp.status_code, rate_headers(resp.headers),
                            message if isinstance(message, str) else "")
    if limit is None:
        return
    error = _limit_error(f"download of {info.describe()}", resp.status_code, limit)
    if limit[1] <= MAX_WAIT:
        raise _Limited(error, limit[1])
    raise error


def _check_status(info: ArtifactInfo, status: int) -> None:
    if status in (401, 403):
        raise AuthError(f"download of {info.describe()} refused: HTTP {status}")
    if status == 410:
        raise ArtifactError(f"{info.describe()} has expired (HTTP 410)")
    if status >= 500 or status == 429:
        raise _ServerError(f"download of {info.describe()} failed: HTTP {status}")
    if status != 200:
        raise ArtifactError(f"download of {info.describe()} failed: HTTP {status}")


# --- safe extraction -----------------------------------------------------------------------------

def safe_member_name(name: str) -> PurePosixPath | None:
    """The member's path if it stays inside the archive root, else None."""
    if not name or "\x00" in name:
        return None
    posix = name.replace("\\", "/")
    path = PurePosixPath(posix)
    if path.is_absolute() or posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        return None
    if any(part in ("..", "") for part in posix.rstrip("/").split("/")):
        return None
    return path


def is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return stat.S_ISLNK(mode)


def pick_member(zf: zipfile.ZipFile, wanted: Iterable[str]) -> zipfile.ZipInfo | None:
    """The first regular, safe member whose path equals one of `wanted`, else whose base name does."""
    members = [m for m in zf.infolist()
               if not m.is_dir() and not is_link(m) and safe_member_name(m.filename) is not None]
    wanted = [w.replace("\\", "/").removeprefix("./") for w in wanted]
    for w in wanted:
        for m in members:
            if m.filename == w:
                return m
    for w in wanted:
        base = PurePosixPath(w).name
        same = sorted((m for m in members if PurePosixPath(m.filename).name == base),
                      key=lambda m: (m.filename.count("/"), m.filename))
        if same:
            return same[0]
    return None


# What zipfile raises for a member it cannot read back: damaged data (a bad CRC or deflate stream,
# cut short), encryption (RuntimeError: a password is needed), a compression method it lacks.
UNPACK_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError)


def extract_member(zf: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path,
                   max_bytes: int = MAX_DOWNLOAD_BYTES) -> Path:
    """Write one member to `target` atomically, checking its real size as it streams."""
    if safe_member_name(member.filename) is None or is_link(member):
        raise ArtifactError(f"refusing unsafe archive member {member.filename!r}")
    if member.file_size > max_bytes:
        raise ArtifactError(f"archive member {member.filename!r} is too large ({member.file_size} bytes)")
    target.parent.mkdir(parents=True, exist_ok=True)

    def stream(out: BinaryIO) -> None:
        written = 0
        with zf.open(member) as src:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > max(member.file_size, 0) or written > max_bytes:
                    raise ArtifactError(f"archive member {member.filename!r} is larger than it declares")
                out.write(chunk)

    try:
        replace_atomically(target, stream)
    except UNPACK_ERRORS as exc:
        why = ("its compression method is not supported" if isinstance(exc, NotImplementedError)  # a RuntimeError
               else "it is encrypted" if isinstance(exc, RuntimeError) else f"its data is damaged ({exc})")
        raise ArtifactError(f"archive member {member.filename!r} cannot be unpacked: {why}") from None
    return target


def open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArtifactError(f"the artifact is not a readable zip: {exc}") from None


def copy_to(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fh:
        replace_atomically(dest, lambda out: shutil.copyfileobj(fh, out))
