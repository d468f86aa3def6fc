"""Reading GitHub's answers safely, for the GitHub source: which failures mean "try again", the
token holder that never prints, the stream reader tarfile reads, the checks on tarball entries and
the one-line messages made from GitHub's errors (no URL query, no token, no raw exception text).
"""

from __future__ import annotations

import email.utils
import http.client
import io
import ipaddress
import json
import os
import posixpath
import re
import tarfile
import time
import urllib.parse
import zlib
from collections.abc import Iterator
from typing import Any

import requests

from ontosync.sources import PathFilter, SourceError
from ontosync.sources.names import REPOSITORY_RE, hide_credentials

# What a dropped, reset or slow connection looks like through PyGithub and requests.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    http.client.HTTPException,
    ConnectionError,
    TimeoutError,
    json.JSONDecodeError,  # a body cut short by a reset
)
# ... and what a tarball stream cut short looks like to tarfile / gzip.
STREAM_ERRORS: tuple[type[BaseException], ...] = (
    *NETWORK_ERRORS,
    tarfile.ReadError,
    tarfile.StreamError,
    EOFError,
    zlib.error,
)
SECONDARY_LIMIT_WAIT = 60.0  # GitHub: without Retry-After, wait at least a minute
# A stop names the time to run again; a Retry-After of 1e20 or inf names none a datetime can hold.
LONGEST_STOP_WAIT = 366 * 86400.0
DEFAULT_TIMEOUT = 30.0  # seconds per request (connect, and between bytes while reading)
MAX_REDIRECTS = 5


def rate_limit_wait(status: int, headers: dict[str, str], message: str,
                    unhinted: float = SECONDARY_LIMIT_WAIT) -> tuple[str, float] | None:
    """(kind, seconds to wait) when a 403 or 429 is a rate limit, else None (`headers` lower-case).

    GitHub's rules: with `Retry-After`, wait that long; with `X-RateLimit-Remaining: 0`, wait
    until `X-RateLimit-Reset`; otherwise (a secondary limit) wait at least a minute: `unhinted`,
    which a caller that meets the limit again makes longer, as GitHub asks.
    """
    lowered = message.lower()
    retry_after = headers.get("retry-after")
    remaining = headers.get("x-ratelimit-remaining")
    reset = headers.get("x-ratelimit-reset")
    if status not in (403, 429) or not (status == 429 or retry_after is not None or remaining == "0"
                                        or "rate limit" in lowered or "abuse" in lowered):
        return None
    secondary = "secondary" in lowered or "abuse" in lowered
    if not says_when(headers):
        return "secondary rate limit", unhinted
    if retry_after is not None:
        kind = "secondary rate limit" if status == 403 or secondary else "too many requests"
        return kind, header_seconds(retry_after, unhinted)
    kind = "secondary rate limit" if secondary else "primary rate limit"
    return kind, max(0.0, header_seconds(reset, unhinted + time.time()) - time.time()) + 1  # +1: not precise


def says_when(headers: dict[str, str]) -> bool:
    """Whether a rate limit's answer says how long to wait (`Retry-After`, or no requests left
    and when they reset). The one test of it: `rate_limit_wait` waits `unhinted` when it does not,
    and the GitHub source makes that wait longer each time (sources/github.py)."""
    return "retry-after" in headers or (headers.get("x-ratelimit-remaining") == "0"
                                        and bool(headers.get("x-ratelimit-reset")))


def limit_of(exc, message: str | None = None) -> tuple[str, float] | None:
    """`rate_limit_wait` of a PyGithub GithubException `exc` (its status, headers and JSON body;
    duck-typed: this module does not import PyGithub), read by the Action's artifact listing and
    its pull-request comment alike; `message` is the answer's own `message` unless given."""
    if message is None:
        data = exc.data if isinstance(exc.data, dict) else {}
        message = str(data.get("message") or "")
    return rate_limit_wait(exc.status, rate_headers(exc.headers or {}), message)


# A header sent twice (GitHub's and a proxy's, or a proxy's repeat) reaches us joined by ", " (requests,
# PyGithub): "0, 0" was no number, so PyGithub's int() of it failed every request ("unexpected ValueError")
# and a Retry-After of "1, 3" was read as unreadable (the 60 s of a limit that says nothing). Each is
# read for the value that waits longest: the fewest requests left, the smallest limit, the latest reset,
# the longest Retry-After. A wait too short meets the limit again, and GitHub lengthens its penalty.
_MOST_CONSERVATIVE = {"x-ratelimit-remaining": min, "x-ratelimit-limit": min, "x-ratelimit-reset": max}
_REPEATS = re.compile(r"\s*((?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,)?[^,]+)")  # an HTTP date's comma: its day's


def rate_headers(headers: Any) -> dict[str, str]:
    """`headers` (any mapping) with lower-case names, each repeated rate-limit header as its most
    conservative value (see above); other headers as sent."""
    return _read_repeats({str(k).lower(): str(v) for k, v in headers.items()})


def _read_repeats(headers: Any) -> Any:
    """`headers` (lower-case names, or requests' case-insensitive ones), each repeated rate-limit
    header replaced in place by its most conservative value."""
    for name in ("retry-after", *_MOST_CONSERVATIVE):
        if "," in str(headers.get(name) or ""):
            headers[name] = _conservative(name, str(headers[name]))
    return headers


def _conservative(name: str, joined: str) -> str:
    """The value of `name`'s repeats (joined by ", ") that waits longest; `joined` itself when none reads."""
    values = [v.strip() for v in _REPEATS.findall(joined) if v.strip()]
    if name == "retry-after":
        return max(values, key=header_seconds, default=joined)  # an unreadable one: the 60 s it is taken for
    numbers = [(float(v), v) for v in values if re.fullmatch(r"\d+(?:\.\d+)?", v)]
    return _MOST_CONSERVATIVE[name](numbers)[1] if numbers else joined


def repeats_read_first(requester: Any) -> bool:
    """Have PyGithub's `requester` read every answer's repeated rate-limit headers as `rate_headers` does,
    before it reads them itself (its int() of "0, 0" failed the request). Through a PyGithub internal,
    its per-requester connection class: False, and PyGithub left as it is, where that is absent."""
    cls = getattr(requester, "_Requester__connectionClass", None)
    if not isinstance(cls, type) or not callable(getattr(cls, "getresponse", None)):
        return False

    class ReadingRepeats(cls):  # type: ignore[misc, valid-type]
        def getresponse(self):
            response = super().getresponse()
            if getattr(response, "headers", None) is not None:
                _drop_unreadable(_read_repeats(response.headers))
            return response

    requester._Requester__connectionClass = ReadingRepeats
    return True


def _drop_unreadable(headers: Any) -> None:
    """The X-RateLimit headers PyGithub reads with int(float()) left out where that fails (a proxy's
    `unlimited`, a blank, `nan`, `inf`): every request failed, good answers too. Such a value says
    nothing of a limit, as no header does; `rate_limit_wait` reads it so already."""
    for name in [name for name in _MOST_CONSERVATIVE if name in headers]:
        try:
            int(float(headers[name]))
        except (ValueError, OverflowError):
            del headers[name]


def header_seconds(value: str, unreadable: float = SECONDARY_LIMIT_WAIT) -> float:
    """A Retry-After (seconds, or an HTTP date as RFC 9110 allows: proxies send one) or an
    X-RateLimit-Reset header as seconds (for a date: from now); an unreadable one as `unreadable`."""
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return unreadable
    return max(0.0, when.timestamp() - time.time()) if when.tzinfo else unreadable


class Secret:
    """Holds the token so that no repr, log line or traceback local shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str | None):
        # a token holds no whitespace: a CI secret pasted with its newline is the token (a header
        # cannot carry the newline: every request failed, with a message no user could act on)
        self._value = (value or "").strip() or None

    def get(self) -> str | None:
        return self._value

    def flaw(self) -> str | None:
        """Why no request can carry the token (None: one can): a space, a line break (a secret pasted
        over two lines) or a character outside ASCII inside it. Sent, it failed every request as
        "InvalidHeader" (or an encoding error), after the retries. The token itself is never said."""
        if self._value is None or re.fullmatch(r"[\x21-\x7e]+", self._value):
            return None
        return ("GITHUB_TOKEN has a space, a line break or a character outside ASCII inside it, which no request can "
                "carry: set it again as the one word GitHub gave")

    def __repr__(self) -> str:
        return "<secret>" if self._value else "<none>"

    __str__ = __repr__


class ChunkReader(io.RawIOBase):
    """A readable file over an iterator of byte chunks (what tarfile's stream mode reads)."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf:
            try:
                self._buf = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def tar_refusal(member: tarfile.TarInfo) -> str | None:
    """Why a tarball entry must not be used, or None. Checked before the top folder is stripped.
    Only `/` separates: a backslash is a character of a name git holds (`..\\y.ttl`), and nothing
    of the tarball is written to disk (github_tarball)."""
    name = member.name
    if name.startswith("/") or re.match(r"[A-Za-z]:[\\/]", name) or name.startswith("\\"):
        return "absolute path"
    if ".." in name.split("/"):
        return "'..' in the path"
    if member.issym() or member.islnk():
        return "link"
    if member.ischr() or member.isblk() or member.isfifo() or (not member.isfile() and not member.isdir()):
        return "device or special file"
    return None


def safe_relpath(path: str) -> bool:
    """A relative path with no empty, `.` or `..` part (only `/` separates, as in git)."""
    return bool(path) and not path.startswith("/") and ".." not in path.split("/") \
        and posixpath.normpath(path) == path != "."


def error_kind(exc: BaseException) -> str:
    """Name the failure without the exception's text (it can hold URLs and headers)."""
    if isinstance(exc, requests.exceptions.Timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.ChunkedEncodingError
                  | ConnectionError | http.client.HTTPException):
        return "connection failed or was reset"
    if isinstance(exc, json.JSONDecodeError):
        return "answer cut short"
    if isinstance(exc, tarfile.TarError | EOFError | zlib.error):
        return "archive stream cut short or damaged"
    return type(exc).__name__


def server_message(data: Any, token: Secret | str | None) -> str:
    """GitHub's `message` field, one line, short, with the token scrubbed: a proxy or gateway may
    echo the request's token, and `fetch-db` prints outside Actions, where no runner masks it. The
    token goes before the cut: cut first, a token across it was shown in part."""
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, str):
        return ""
    return " ".join(scrubbed(message, token).split())[:200]


def scrubbed(text: str, token: Secret | str | None) -> str:
    """`text` from one of the server's answers with the token shown as `***`: an error's message, and
    a successful answer's text too (a comment's URL, an artifact's member names), which a gateway may
    equally echo the token in, and which is printed or even posted in a comment."""
    secret = token.get() if isinstance(token, Secret) else token
    return text.replace(secret, "***") if secret else text


def without_query(url: str) -> str:
    """A download URL for messages: its query may hold a short-lived access grant."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def same_origin(a: str, b: str) -> bool:
    """Same scheme, host and port (a default port written out or not: `https://h:443` is `https://h`)."""
    def origin(url: str) -> tuple[str, str | None, int | None]:
        parts = urllib.parse.urlsplit(url)
        return parts.scheme, parts.hostname, parts.port or {"http": 80, "https": 443}.get(parts.scheme)

    try:
        return origin(a) == origin(b)
    except ValueError:  # a port that is no number
        return False


def checked_api_url(url: str | None, default: str) -> str:
    """`--api-url` (or `default` when unset) without its trailing `/`, or SourceError.

    Refused: anything but http(s)://HOST[:PORT][/PATH], plain http to any host but this machine
    (the token and the files would cross the network unencrypted), and a URL that carries credentials
    (`user:token@`) or a query: the token goes in GITHUB_TOKEN, which no message prints, while
    the URL is echoed by errors and reports. The refusal never shows what it refuses to use.
    """
    url = (url or default).strip().rstrip("/")
    try:
        parts = urllib.parse.urlsplit(url)
        web = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 -- raises ValueError for a port that is no number
    except ValueError:  # that, or a bracket left open
        raise SourceError("invalid --api-url: expected http(s)://HOST[/PATH]") from None
    secret = parts.username is not None or parts.password is not None
    clear = web and parts.scheme == "http" and not _this_machine(parts.hostname or "")
    if web and not (secret or parts.query or parts.fragment or clear):
        return url
    why = ("credentials in the URL are never used (give the token in GITHUB_TOKEN)" if secret else
           "a query or fragment is not part of an API base URL" if web and not clear else
           "plain http to another machine would carry the token and the files unencrypted: use https"
           if clear else "expected http(s)://HOST[/PATH]")
    host = parts.netloc.rpartition("@")[2]
    shown = f" '{parts.scheme}://{'***@' if secret else ''}{host}{parts.path}'" if parts.scheme and parts.netloc else ""
    raise SourceError(f"invalid --api-url{shown}: {why}")


def _this_machine(host: str) -> bool:
    """Whether `host` is the loopback interface (plain http stays on this machine: a local proxy,
    the tests' fake servers)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def get_json(requester: Any, url: str, api_url: str, params: dict[str, Any] | None = None) -> Any:
    """GET `url` (relative to the API, or absolute) through PyGithub's requester, following a
    302, 303, 307 or 308 on the API's own server as GitHub's clients do (PyGithub follows only a
    301, and answered the others with no data at all: "unexpected TypeError"). A redirect to
    another host is refused in one line: the request carries the token."""
    for _ in range(MAX_REDIRECTS + 1):
        try:
            headers, data = requester.requestJsonAndCheck("GET", url, parameters=params)
        except RuntimeError as exc:  # PyGithub's refusal of a 301 to another scheme or host
            if "redirected" not in str(exc):
                raise
            raise SourceError(f"the GitHub API at {without_query(api_url)} redirected to another scheme or host "
                              "(http to https?): not followed; check --api-url") from None
        location = (headers or {}).get("location")
        if not location:
            return data
        parts = urllib.parse.urlsplit(urllib.parse.urljoin(api_url + url if url.startswith("/") else url, location))
        api = urllib.parse.urlsplit(api_url)
        if not same_origin(parts.geturl(), api_url) or not parts.path.startswith(api.path):
            raise SourceError(f"the GitHub API redirected to {parts.scheme}://{parts.netloc.rpartition('@')[2]}"
                              f"{parts.path}, outside {without_query(api_url)}: not followed (the request "
                              "carries the token); check --api-url")
        # the API's own spelling of the server (PyGithub compares it as written); the location's query kept
        url, params = urllib.parse.urlunsplit((api.scheme, api.netloc, parts.path, parts.query, "")), None
    raise SourceError(f"the GitHub API redirected more than {MAX_REDIRECTS} times; check --api-url")


_SPEC = re.compile(rf"github:{REPOSITORY_RE.pattern}(?:@(?P<ref>[^\s]+))?\Z")


def parse_spec(spec: str) -> tuple[str, str, str | None]:
    """`github:OWNER/REPO[@REF]` -> (owner, repo, ref or None)."""
    m = _SPEC.match(spec.strip())
    if not m or m.group("repo") in (".", ".."):
        raise SourceError(f"invalid GitHub source {hide_credentials(spec)!r}: expected github:OWNER/REPO[@REF]")
    return m.group("owner"), m.group("repo"), m.group("ref")


def is_sha(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", value) is not None


_COMMIT_URL = re.compile(r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/commits/[^/]+\Z")


def moved_repository(url: Any, owner: str, repo: str) -> tuple[str, str] | None:
    """(owner, repo) that a commit answer's `url` names, when it is not `owner/repo` (GitHub
    compares names without case); None when it is the same or the url is not one of these."""
    if not isinstance(url, str):
        return None
    m = _COMMIT_URL.search(urllib.parse.urlsplit(url).path)
    if m is None:
        return None
    new = urllib.parse.unquote(m.group("owner")), urllib.parse.unquote(m.group("repo"))
    if f"{new[0]}/{new[1]}".lower() == f"{owner}/{repo}".lower() or not REPOSITORY_RE.fullmatch(f"{new[0]}/{new[1]}"):
        return None
    return new


def may_hold_graph_config(path_filter: PathFilter, folder: str) -> bool:
    """Is `folder` (ending in '/') the `logseq/` folder of a graph root the run may use?

    Why: the graph's `logseq/config.edn` is read from `--path` or one of its parent folders
    (pipeline/logseq_graph.py), which the filter does not select; the truncated tree's folder by
    folder walk must enter that folder too, or the run silently parses with Logseq's defaults.
    """
    root = folder.removesuffix("logseq/")
    return root != folder and (root == "" or root.endswith("/")) and path_filter.subdir.startswith(root)


def env_timeout() -> float:
    """`$ONTOSYNC_GITHUB_TIMEOUT` seconds (more than 0, at most a day), else DEFAULT_TIMEOUT: `inf`
    (meant as "no timeout") was an OverflowError traceback, and `nan` a 0.1 s timeout per request."""
    try:
        value = float(os.environ.get("ONTOSYNC_GITHUB_TIMEOUT") or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if 0 < value <= 86400 else DEFAULT_TIMEOUT
