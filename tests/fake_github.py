"""A fake GitHub REST API on 127.0.0.1, standing in for api.github.com in tests.

It serves one repository built from a folder on disk, with real git object ids (blob, tree and
commit hashes computed as git computes them), the endpoints the GitHub source uses, GitHub's
rate-limit headers, and the shapes GitHub answers errors with. Tests change the folder and call
`commit()` to move the branch, count requests, and inject faults:

- a rate of failures (`fault_rate`, `fault_kinds`): HTTP 500s, connection resets (a download is
  cut off midway), and answers slower than the client's timeout; at most
  `max_consecutive_faults` in a row for the same request, so a client with that many retries must
  get through (a seeded random generator keeps runs repeatable);
- queued one-off answers: a primary rate limit (`403`, `X-RateLimit-Remaining: 0`, a reset some
  seconds ahead) and a `429` with `Retry-After`;
- `truncate_over`: recursive tree answers with more entries are cut and marked `truncated`;
- `tarball_override`: serve these bytes as the tarball (hostile archives).

Refs resolve as GitHub's API resolves them: `heads/NAME` and `tags/NAME` (with or without `refs/`)
say which; a bare name that is both a branch (`commit(branch=...)`) and a tag (`repo.tags`) is the
branch. `commit(links={path: target})` stores symbolic links as git does (mode 120000, the blob
holding the target), and the tarball keeps them as link entries.

Endpoints: `GET /repos/{o}/{r}`, `/repos/{o}/{r}/commits/{ref}`,
`/repos/{o}/{r}/git/trees/{sha}[?recursive=1]`, `/repos/{o}/{r}/git/blobs/{sha}`,
`/repos/{o}/{r}/tarball/{ref}` (302 to `/_codeload/...` on the same server, as GitHub redirects to
codeload.github.com with a short-lived grant in the query), `/rate_limit`, `/user` (the token's
owner, `token_owner`: 403 for a bot's installation token, as GitHub answers).

Pull-request comments (issue comments, as GitHub files them): `GET /repos/{o}/{r}/issues/{n}/comments`
(paginated with a `Link` header), `POST` to the same path, `PATCH` and `DELETE /repos/{o}/{r}/issues/comments/{id}`.
`GET /repos/{o}/{r}/pulls/{n}`: the pull request's head commit, from `pull_heads` (n -> sha; 404 for another).
Comments live in `comments` (id -> dict); `add_comment()` plants one by another user. With
`comments_forbidden` set, writes answer 403 "Resource not accessible by integration", as GitHub does
for a token without `pull-requests: write` (a pull request from a fork). A body over 65,536
characters is refused with 422, as GitHub does.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import io
import json
import os
import random
import re
import secrets
import select
import socket
import struct
import tarfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RATE_LIMIT = 5000


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _object_sha(kind: str, body: bytes) -> str:
    return hashlib.sha1(kind.encode() + b" %d\0" % len(body) + body).hexdigest()


@dataclass
class TreeEntry:
    name: str
    mode: str  # "100644", "100755", "120000" (symlink), "40000" (folder)
    sha: str
    size: int | None = None

    @property
    def type(self) -> str:
        return "tree" if self.mode == "40000" else "blob"


@dataclass
class Snapshot:
    """One commit: its tree objects, blobs and file list."""

    commit_sha: str
    tree_sha: str
    files: dict[str, bytes]
    trees: dict[str, list[TreeEntry]] = field(default_factory=dict)


class FakeRepository:
    """Git objects for successive versions of a folder (all versions stay readable)."""

    def __init__(self, owner: str, name: str, default_branch: str = "main"):
        self.owner, self.name, self.default_branch = owner, name, default_branch
        self.blobs: dict[str, bytes] = {}
        self.trees: dict[str, list[TreeEntry]] = {}
        self.commits: dict[str, Snapshot] = {}
        self.branches: dict[str, str] = {}
        self.tags: dict[str, str] = {}  # name -> commit sha (lightweight tags)
        self._counter = 0

    def commit(self, files: dict[str, bytes], message: str = "sync", branch: str | None = None,
               links: dict[str, str] | None = None) -> str:
        """A commit of `files` (path -> bytes) and symbolic `links` (path -> target, as git stores
        it: the blob holds the target text, the tree entry has mode 120000) on `branch`."""
        branch = branch or self.default_branch
        parent = self.branches.get(branch)
        root = self._build_tree({**files, **{p: _Link(t) for p, t in (links or {}).items()}})
        self._counter += 1
        body = f"tree {root}\n"
        if parent:
            body += f"parent {parent}\n"
        stamp = 1_700_000_000 + self._counter
        body += (f"author Fake <fake@example.com> {stamp} +0000\n"
                 f"committer Fake <fake@example.com> {stamp} +0000\n\n{message}\n")
        sha = _object_sha("commit", body.encode())
        self.commits[sha] = Snapshot(sha, root, dict(files))
        self.branches[branch] = sha
        return sha

    def _build_tree(self, files: dict[str, bytes]) -> str:
        nested: dict[str, Any] = {}
        for path, data in files.items():
            node = nested
            *folders, leaf = path.split("/")
            for f in folders:
                node = node.setdefault(f + "/", {})
            node[leaf] = data
        return self._tree_of(nested)

    def _tree_of(self, node: dict[str, Any]) -> str:
        entries: list[TreeEntry] = []
        for key, value in node.items():
            if key.endswith("/"):
                entries.append(TreeEntry(key[:-1], "40000", self._tree_of(value)))
            else:
                data = value.target.encode() if isinstance(value, _Link) else value
                sha = blob_sha(data)
                self.blobs[sha] = data
                entries.append(TreeEntry(key, "120000" if isinstance(value, _Link) else "100644", sha, len(data)))
        # git's order: by name, a folder compared as "name/"
        entries.sort(key=lambda e: e.name.encode() + (b"/" if e.type == "tree" else b""))
        body = b"".join(f"{e.mode} {e.name}".encode() + b"\0" + bytes.fromhex(e.sha) for e in entries)
        sha = _object_sha("tree", body)
        self.trees[sha] = entries
        return sha

    def resolve(self, ref: str) -> str | None:
        """The commit `ref` names, as GitHub's API resolves it: `heads/NAME` and `tags/NAME` (with
        or without `refs/`) say which; a bare name that is both a branch and a tag is the branch."""
        if ref == "HEAD":
            ref = self.default_branch
        kind, _, name = ref.removeprefix("refs/").partition("/")
        if kind in ("heads", "tags") and name in (self.branches if kind == "heads" else self.tags):
            return (self.branches if kind == "heads" else self.tags)[name]
        if ref in self.branches:
            return self.branches[ref]
        if ref in self.tags:
            return self.tags[ref]
        if re.fullmatch(r"[0-9a-f]{7,40}", ref):
            hits = [s for s in self.commits if s.startswith(ref)]
            if len(hits) == 1:
                return hits[0]
        return None

    def walk(self, tree_sha: str, prefix: str = "") -> list[tuple[str, TreeEntry]]:
        """Every entry under a tree, recursively, in git's order."""
        out: list[tuple[str, TreeEntry]] = []
        for e in self.trees[tree_sha]:
            out.append((prefix + e.name, e))
            if e.type == "tree":
                out.extend(self.walk(e.sha, prefix + e.name + "/"))
        return out

    def tarball(self, commit_sha: str) -> bytes:
        """A gzip tar as GitHub builds it: pax global header with the commit, `owner-repo-sha/` top."""
        snap = self.commits[commit_sha]
        top = f"{self.owner}-{self.name}-{commit_sha[:7]}"
        buf = io.BytesIO()
        mtime = 1_700_000_000
        with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=1,
                          pax_headers={"comment": commit_sha}) as tar:
            dirinfo = tarfile.TarInfo(top)
            dirinfo.type, dirinfo.mode, dirinfo.mtime = tarfile.DIRTYPE, 0o775, mtime
            tar.addfile(dirinfo)
            for path, entry in self.walk(snap.tree_sha):
                info = tarfile.TarInfo(f"{top}/{path}")
                info.mtime = mtime
                if entry.type == "tree":
                    info.type, info.mode = tarfile.DIRTYPE, 0o775
                    tar.addfile(info)
                elif entry.mode == "120000":  # GitHub's tarball keeps a link as a link
                    info.type, info.linkname, info.mode = tarfile.SYMTYPE, self.blobs[entry.sha].decode(), 0o777
                    tar.addfile(info)
                else:
                    data = self.blobs[entry.sha]
                    info.size, info.mode = len(data), 0o664
                    tar.addfile(info, io.BytesIO(data))
        return buf.getvalue()


@dataclass(frozen=True)
class _Link:
    target: str


def read_links(root: Path, under: str = "") -> dict[str, str]:
    """path -> target of every symbolic link below `root` (folders linked to are not entered), as
    `FakeRepository.commit(links=...)` takes them: the same tree as a checkout of `root`."""
    prefix = under.strip("/") + "/" if under.strip("/") else ""
    out: dict[str, str] = {}
    for folder, dirs, names in os.walk(root):
        for name in dirs + names:
            full = Path(folder) / name
            if full.is_symlink():
                out[prefix + full.relative_to(root).as_posix()] = os.readlink(full)
    return out


def read_folder(root: Path, under: str = "") -> dict[str, bytes]:
    """path -> bytes of every regular file below `root`, paths prefixed by `under`."""
    prefix = under.strip("/") + "/" if under.strip("/") else ""
    return {prefix + p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


class FakeGitHub:
    """The server. Use as a context manager, or call `start()` and `stop()`."""

    def __init__(self, folder: Path | None = None, *, owner: str = "o", repo: str = "r",
                 token: str | None = "ghp_fake_token_0123456789abcdef", under: str = "",
                 seed: int = 1234, prefix: str = ""):
        self.repo = FakeRepository(owner, repo)
        self.folder, self.under = folder, under
        self.prefix = prefix.rstrip("/")  # GitHub Enterprise Server's API lives under /api/v3
        self.token = token
        self.lock = threading.Lock()
        self.log: list[tuple[str, str, str, int]] = []  # (kind, method, path, status or -1 reset/-2 slow)
        self.rng = random.Random(seed)
        self.fault_rate = 0.0
        self.fault_kinds: tuple[str, ...] = ("500", "reset", "slow")
        self.slow_seconds = 3.0
        self.max_consecutive_faults = 2
        self.truncate_over: int | None = None
        self.tarball_override: bytes | None = None
        self._specials: list[list[Any]] = []  # [kind, seconds, requests to let through first]
        self.remaining: int | None = None  # X-RateLimit-Remaining to report instead of the count
        self._consecutive: dict[str, int] = {}
        self._tarballs: dict[str, bytes] = {}
        self._grants: set[str] = set()
        self.reset_at = int(time.time()) + 3600
        self.comments: dict[int, dict[str, Any]] = {}
        self.comments_forbidden = False
        self.forbidden_message = "Resource not accessible by integration"  # the 403's text
        self._comment_ids = 1000
        # Whose token the client holds: comments it posts are by this account. A "User" (a personal
        # access token) is answered by `GET /user`; a "Bot" (GITHUB_TOKEN, a GitHub App's token) gets
        # 403 there, as installation tokens do.
        self.token_owner: dict[str, Any] = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
        # answer_hook(handler, segments, query) -> status or None: a test's own answer to an API
        # request (malformed or hostile JSON, odd headers); None lets the fake answer as usual.
        self.answer_hook: Any = None
        # write_hook(method, segments): called as a write (POST, PATCH, DELETE) arrives, before it is
        # done: what lands just before it (another job's comment posted meanwhile); a status it returns
        # is the answer instead, the write not done.
        self.write_hook: Any = None
        self.pull_heads: dict[int, str] = {}  # a pull request's head commit now (GET .../pulls/{n})
        self.server: ThreadingHTTPServer | None = None
        if folder is not None:
            self.commit()

    # -- the repository -------------------------------------------------------------------------
    def commit(self, files: dict[str, bytes] | None = None, message: str = "sync", *,
               links: dict[str, str] | None = None, branch: str | None = None) -> str:
        """A new commit on the default branch (or `branch`) from `files` and `links`, or from the
        folder as it is now."""
        if files is None:
            assert self.folder is not None
            files = read_folder(self.folder, self.under)
        return self.repo.commit(files, message, branch=branch, links=links)

    @property
    def head(self) -> str:
        return self.repo.branches[self.repo.default_branch]

    def add_comment(self, number: int, body: str, login: str = "someone", user_type: str = "User") -> dict:
        """A comment on pull request `number` (by another user unless told otherwise)."""
        with self.lock:
            self._comment_ids += 1
            cid = self._comment_ids
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            self.comments[cid] = {"id": cid, "number": number, "body": body, "created_at": stamp, "updated_at": stamp,
                                  "user": {"login": login, "id": 41898282 if user_type == "Bot" else 1,
                                           "type": user_type}}
            return self.comments[cid]

    def comment_json(self, c: dict[str, Any]) -> dict[str, Any]:
        base = f"{self.url}/repos/{self.repo.owner}/{self.repo.name}"
        return {"id": c["id"], "node_id": f"IC_{c['id']}", "body": c["body"], "user": c["user"],
                "url": f"{base}/issues/comments/{c['id']}", "issue_url": f"{base}/issues/{c['number']}",
                "html_url": f"https://github.com/{self.repo.owner}/{self.repo.name}/pull/{c['number']}"
                            f"#issuecomment-{c['id']}",
                "created_at": c["created_at"], "updated_at": c["updated_at"], "author_association": "NONE"}

    def pr_comments(self, number: int) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(c) for c in sorted(self.comments.values(), key=lambda c: c["id"]) if c["number"] == number]

    # -- counting and faults ------------------------------------------------------------------------
    def count(self, kind: str | None = None) -> int:
        """Requests received ("api", "download", or all), faulted ones included."""
        with self.lock:
            return sum(1 for k, *_ in self.log if kind is None or k == kind)

    def reset_log(self) -> None:
        with self.lock:
            self.log.clear()

    def queue_primary_rate_limit(self, reset_in: float = 2, after: int = 0) -> None:
        """After `after` more API requests, the next one not otherwise faulted answers a primary
        rate limit (403, `X-RateLimit-Remaining: 0`, reset `reset_in` seconds ahead)."""
        with self.lock:
            self._specials.append(["primary", reset_in, after])

    def queue_too_many_requests(self, retry_after: float = 1, after: int = 0) -> None:
        """Like `queue_primary_rate_limit`, answering 429 with `Retry-After`."""
        with self.lock:
            self._specials.append(["429", retry_after, after])

    def _pick_fault(self, key: str) -> str | None:
        with self.lock:
            if self.fault_rate <= 0 or self._consecutive.get(key, 0) >= self.max_consecutive_faults:
                self._consecutive[key] = 0
                return None
            if self.rng.random() >= self.fault_rate:
                self._consecutive[key] = 0
                return None
            self._consecutive[key] = self._consecutive.get(key, 0) + 1
            return self.rng.choice(self.fault_kinds)

    # -- the server ---------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{self.prefix}"

    def start(self) -> FakeGitHub:
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-github",
                         daemon=True).start()  # polls: shutdown() waits up to one interval
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def tarball_bytes(self, commit_sha: str) -> bytes:
        if self.tarball_override is not None:
            return self.tarball_override
        with self.lock:
            if commit_sha not in self._tarballs:
                self._tarballs[commit_sha] = self.repo.tarball(commit_sha)
            return self._tarballs[commit_sha]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGitHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # -- plumbing -----------------------------------------------------------------------------------
    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None,
              raw: bytes | None = None, api: bool = True) -> None:
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        try:
            self.send_response(status)
            if raw is None:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            if api:
                used = self.fake.count("api")
                self.send_header("X-RateLimit-Limit", str(RATE_LIMIT))
                remaining = self.fake.remaining if self.fake.remaining is not None else RATE_LIMIT - used
                self.send_header("X-RateLimit-Remaining", str(max(0, remaining)))
                self.send_header("X-RateLimit-Reset", str(self.fake.reset_at))
                self.send_header("X-RateLimit-Used", str(used))
                self.send_header("X-RateLimit-Resource", "core")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True

    def _hold(self) -> None:
        """A slow answer: nothing until the client gives up and closes the connection (at most
        `slow_seconds`). Not a fixed sleep a little past the client's timeout: on a loaded machine the
        client may start waiting late, take that answer after all, and retry once less than counted."""
        with contextlib.suppress(OSError, ValueError):
            select.select([self.connection], [], [], self.fake.slow_seconds)

    def _reset(self, partial: bytes = b"", headers: dict[str, str] | None = None) -> None:
        """Drop the connection with a TCP reset, optionally after headers and part of a body."""
        try:
            if headers is not None:
                self.send_response(200)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(partial)
                self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def _segments(self, path: str) -> list[str]:
        """The path's segments after the server's prefix (none: a path outside it answers 404)."""
        prefix = self.fake.prefix
        if prefix and not path.startswith(prefix + "/"):
            return ["outside-the-prefix"]
        return [urllib.parse.unquote(s) for s in path[len(prefix):].strip("/").split("/")]

    def _log(self, kind: str, status: int) -> None:
        with self.fake.lock:
            self.fake.log.append((kind, self.command, urllib.parse.urlsplit(self.path).path, status))

    # -- routing ------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        segments = self._segments(parts.path)
        query = urllib.parse.parse_qs(parts.query)
        kind = "download" if segments[:1] == ["_codeload"] else "api"
        fault = self.fake._pick_fault(f"{self.command} {parts.path}")  # not the query: grants change
        if fault == "slow":
            self._log(kind, -2)
            self._hold()  # past the client's timeout; then answer normally
        elif fault == "reset" and kind == "api":
            self._log(kind, -1)
            return self._reset()
        elif fault == "500":
            self._log(kind, 500)
            return self._send(500, {"message": "Server Error"}, api=kind == "api")
        if kind == "download":
            return self._download(segments, query, cut=fault == "reset")
        special = None
        with self.fake.lock:
            if self.fake._specials and fault is None:
                if self.fake._specials[0][2] > 0:
                    self.fake._specials[0][2] -= 1
                else:
                    special = self.fake._specials.pop(0)
        if special is not None:
            return self._special(special[0], special[1])
        status = self._api(segments, query)
        self._log(kind, status)

    def _write_request(self) -> None:
        """POST, PATCH and DELETE: only the issue-comment endpoints."""
        parts = urllib.parse.urlsplit(self.path)
        segments = self._segments(parts.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self._authorized():
            return self._log("api", 401)
        repo = self.fake.repo
        if len(segments) < 4 or segments[:3] != ["repos", repo.owner, repo.name] or segments[3] != "issues":
            self._send(404, {"message": "Not Found"})
            return self._log("api", 404)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send(400, {"message": "Problems parsing JSON"})
            return self._log("api", 400)
        if self.fake.write_hook is not None and (status := self.fake.write_hook(self.command, segments)):
            self._send(status, {"message": "Server Error"})  # the hook's answer instead (a 5xx)
            return self._log("api", status)
        self._log("api", self._issues(segments[3:], {}, self.command, body))

    do_POST = _write_request
    do_PATCH = _write_request
    do_DELETE = _write_request

    def _issues(self, rest: list[str], query: dict[str, list[str]], method: str, body: Any) -> int:
        fake = self.fake
        if method != "GET" and fake.comments_forbidden:
            self._send(403, {"message": fake.forbidden_message,
                             "documentation_url": "https://docs.github.com/rest/issues/comments"})
            return 403
        if len(rest) == 3 and rest[1] == "comments" and rest[2].isdigit() and method == "DELETE":
            with fake.lock:
                gone = fake.comments.pop(int(rest[2]), None)
            if gone is None:
                self._send(404, {"message": "Not Found"})
                return 404
            self._send(204)
            return 204
        text = body.get("body") if isinstance(body, dict) else None
        if method != "GET" and (not isinstance(text, str) or len(text) > 65536):
            self._send(422, {"message": "Validation Failed", "errors": [
                {"resource": "IssueComment", "code": "custom", "field": "body",
                 "message": "body is too long (maximum is 65536 characters)"}]})
            return 422
        if len(rest) == 3 and rest[2] == "comments" and rest[1].isdigit():
            number = int(rest[1])
            if method == "POST":
                c = fake.add_comment(number, text, fake.token_owner["login"], fake.token_owner["type"])
                c["user"] = dict(fake.token_owner)
                self._send(201, fake.comment_json(c))
                return 201
            items = fake.pr_comments(number)
            per_page = int(query.get("per_page", ["30"])[0])
            page = int(query.get("page", ["1"])[0])
            chunk = items[(page - 1) * per_page: page * per_page]
            headers = {}
            if page * per_page < len(items):
                base = f"{fake.url}/repos/{fake.repo.owner}/{fake.repo.name}/issues/{number}/comments"
                headers["Link"] = f'<{base}?per_page={per_page}&page={page + 1}>; rel="next"'
            self._send(200, [fake.comment_json(c) for c in chunk], headers=headers)
            return 200
        if len(rest) == 3 and rest[1] == "comments" and rest[2].isdigit() and method == "PATCH":
            with fake.lock:
                c = fake.comments.get(int(rest[2]))
                if c is not None:
                    c["body"] = text
                    c["updated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            if c is None:
                self._send(404, {"message": "Not Found"})
                return 404
            self._send(200, fake.comment_json(c))
            return 200
        self._send(404, {"message": "Not Found"})
        return 404

    def _special(self, what: str, seconds: float) -> None:
        if what == "primary":
            self._log("api", 403)
            reset = int(time.time()) + round(seconds)
            body = {"message": "API rate limit exceeded for user ID 1.",
                    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}
            data = json.dumps(body).encode()
            self.send_response(403)
            for k, v in {"Content-Type": "application/json; charset=utf-8", "X-RateLimit-Limit": str(RATE_LIMIT),
                         "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset),
                         "X-RateLimit-Used": str(RATE_LIMIT), "X-RateLimit-Resource": "core",
                         "Content-Length": str(len(data))}.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        else:
            self._log("api", 429)
            self._send(429, {"message": "You have exceeded a secondary rate limit. Please wait a few minutes "
                                        "before you try again."},
                       headers={"Retry-After": str(int(seconds))})

    def _authorized(self) -> bool:
        if self.fake.token is None:
            return True
        header = self.headers.get("Authorization")
        if header is None:
            self._send(401, {"message": "Requires authentication"})
            return False
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in ("token", "bearer") or value != self.fake.token:
            self._send(401, {"message": "Bad credentials",
                             "documentation_url": "https://docs.github.com/rest"})
            return False
        return True

    def _api(self, seg: list[str], query: dict[str, list[str]]) -> int:
        fake, repo = self.fake, self.fake.repo
        if not self._authorized():
            return 401
        if fake.answer_hook is not None and (status := fake.answer_hook(self, seg, query)) is not None:
            return status
        if seg == ["rate_limit"]:
            self._send(200, {"resources": {"core": {"limit": RATE_LIMIT, "reset": fake.reset_at}}})
            return 200
        if seg == ["user"]:
            if fake.token_owner["type"] != "User":
                self._send(403, {"message": "Resource not accessible by integration",
                                 "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user"})
                return 403
            self._send(200, dict(fake.token_owner))
            return 200
        if len(seg) < 3 or seg[0] != "repos" or (seg[1], seg[2]) != (repo.owner, repo.name):
            self._send(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
            return 404
        base = f"{fake.url}/repos/{repo.owner}/{repo.name}"
        rest = seg[3:]
        if not rest:
            self._send(200, {"id": 1, "name": repo.name, "full_name": f"{repo.owner}/{repo.name}",
                             "default_branch": repo.default_branch, "private": False, "url": base})
            return 200
        if rest[0] == "issues":
            return self._issues(rest, query, "GET", None)
        if rest[0] == "pulls" and len(rest) == 2 and rest[1].isdigit() and int(rest[1]) in fake.pull_heads:
            number = int(rest[1])
            self._send(200, {"number": number, "url": f"{base}/pulls/{number}", "state": "open",
                             "head": {"sha": fake.pull_heads[number], "ref": "topic"}})
            return 200
        if rest[0] == "commits" and len(rest) >= 2:
            ref = "/".join(rest[1:])
            sha = repo.resolve(ref)
            if sha is None:
                self._send(422, {"message": f"No commit found for SHA: {ref}"})
                return 422
            snap = repo.commits[sha]
            self._send(200, {"sha": sha, "node_id": "C_" + sha[:8], "url": f"{base}/commits/{sha}",
                             "commit": {"message": "sync", "url": f"{base}/git/commits/{sha}",
                                        "tree": {"sha": snap.tree_sha, "url": f"{base}/git/trees/{snap.tree_sha}"}},
                             "parents": [], "files": []})
            return 200
        if rest[:2] == ["git", "trees"] and len(rest) == 3:
            sha = rest[2]
            if sha not in repo.trees:
                resolved = repo.resolve(sha)
                sha = repo.commits[resolved].tree_sha if resolved else sha
            if sha not in repo.trees:
                self._send(404, {"message": "Not Found"})
                return 404
            recursive = query.get("recursive", ["0"])[0] not in ("", "0", "false")
            items = repo.walk(sha) if recursive else [(e.name, e) for e in repo.trees[sha]]
            truncated = False
            if recursive and fake.truncate_over is not None and len(items) > fake.truncate_over:
                items, truncated = items[: fake.truncate_over], True
            tree = []
            for path, e in items:
                item = {"path": path, "mode": e.mode, "type": e.type, "sha": e.sha,
                        "url": f"{base}/git/{'trees' if e.type == 'tree' else 'blobs'}/{e.sha}"}
                if e.type == "blob":
                    item["size"] = e.size
                tree.append(item)
            self._send(200, {"sha": sha, "url": f"{base}/git/trees/{sha}", "tree": tree, "truncated": truncated})
            return 200
        if rest[:2] == ["git", "blobs"] and len(rest) == 3:
            data = repo.blobs.get(rest[2])
            if data is None:
                self._send(404, {"message": "Not Found"})
                return 404
            self._send(200, {"sha": rest[2], "node_id": "B_" + rest[2][:8], "size": len(data),
                             "url": f"{base}/git/blobs/{rest[2]}",
                             "content": base64.encodebytes(data).decode(), "encoding": "base64"})
            return 200
        if rest[0] == "contents" and len(rest) >= 2:  # one file at a ref (a folder or none: 404 here)
            return self._contents("/".join(rest[1:]), query.get("ref", [repo.default_branch])[0], base)
        if rest[0] == "tarball" and len(rest) >= 2:
            sha = repo.resolve("/".join(rest[1:]))
            if sha is None:
                self._send(404, {"message": "Not Found"})
                return 404
            grant = secrets.token_hex(8)
            with fake.lock:
                fake._grants.add(grant)
            location = f"{fake.url}/_codeload/{repo.owner}/{repo.name}/legacy.tar.gz/{sha}?token={grant}"
            self._send(302, None, headers={"Location": location})
            return 302
        self._send(404, {"message": "Not Found"})
        return 404

    def _contents(self, path: str, ref: str, base: str) -> int:
        """`GET /repos/O/R/contents/PATH?ref=REF` for a file: its bytes, base64, as GitHub answers."""
        repo = self.fake.repo
        sha = repo.resolve(ref)
        entry = dict(repo.walk(repo.commits[sha].tree_sha)).get(path) if sha else None
        if entry is None or entry.type != "blob":
            self._send(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
            return 404
        data = repo.blobs[entry.sha]
        self._send(200, {"type": "file", "encoding": "base64", "size": len(data), "name": path.rsplit("/", 1)[-1],
                         "path": path, "sha": entry.sha, "url": f"{base}/contents/{path}",
                         "content": base64.encodebytes(data).decode()})
        return 200

    def _download(self, seg: list[str], query: dict[str, list[str]], cut: bool) -> None:
        fake = self.fake
        grant = query.get("token", [""])[0]
        sha = seg[-1]
        with fake.lock:
            known = grant in fake._grants
        if not known or len(seg) != 5 or sha not in fake.repo.commits:
            self._log("download", 404)
            return self._send(404, raw=b"Not Found", api=False)
        data = fake.tarball_bytes(sha)
        headers = {"Content-Type": "application/x-gzip",
                   "Content-Disposition": f"attachment; filename={fake.repo.owner}-{fake.repo.name}-{sha[:7]}.tar.gz",
                   "Content-Length": str(len(data))}
        if cut:
            self._log("download", -1)
            return self._reset(data[: len(data) // 2], headers)
        self._log("download", 200)
        try:
            self.send_response(200)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            for i in range(0, len(data), 1 << 16):
                self.wfile.write(data[i: i + (1 << 16)])
        except OSError:
            self.close_connection = True


def gzip_tar(entries: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    """A .tar.gz from hand-made entries (for hostile archives)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return gzip.compress(raw.getvalue())
