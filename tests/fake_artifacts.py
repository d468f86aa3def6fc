"""A fake of GitHub's REST artifact endpoints on 127.0.0.1, for fetch-db and restore-artifact tests.

Serves, for any repositories added with `add()`:

- `GET /repos/{owner}/{repo}` (minimal repository object)
- `GET /repos/{owner}/{repo}/actions/artifacts?name=&per_page=&page=` (newest first, paginated
  with a `Link` header like GitHub's; an unknown repository is a 404)
- `GET /repos/{owner}/{repo}/actions/artifacts/{id}/zip`: needs `Authorization`, answers 302 to a
  signed storage URL like GitHub does, 410 for an expired artifact
- `GET /storage/{id}?sig=…`: the zip; refuses a request that carries `Authorization` (the token
  must not follow the redirect) or a wrong signature

`requests` counts requests per route; `auth_seen` records the Authorization headers the API saw.
Use as a context manager: `with FakeArtifactServer() as fake: fake.api_url`.
"""

from __future__ import annotations

import io
import json
import secrets
import threading
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeArtifact:
    id: int
    repo: str
    name: str
    content: bytes
    created_at: datetime
    expired: bool = False
    head_sha: str = "0" * 40
    run_id: int = 1
    head_branch: str = "main"
    head_repository_id: int = 1  # another id: uploaded by a run of a fork's pull request
    signature: str = field(default_factory=lambda: secrets.token_hex(8))

    def json(self, base: str) -> dict:
        expires = self.created_at + timedelta(days=90)
        return {
            "id": self.id,
            "node_id": f"MDg6QXJ0aWZhY3Q{self.id}",
            "name": self.name,
            "size_in_bytes": len(self.content),
            "url": f"{base}/repos/{self.repo}/actions/artifacts/{self.id}",
            "archive_download_url": f"{base}/repos/{self.repo}/actions/artifacts/{self.id}/zip",
            "expired": self.expired,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.created_at),
            "expires_at": iso(self.created_at - timedelta(days=1) if self.expired else expires),
            "digest": None,
            "workflow_run": {"id": self.run_id, "repository_id": 1, "head_repository_id": self.head_repository_id,
                             "head_branch": self.head_branch, "head_sha": self.head_sha},
        }


class FakeArtifactServer:
    def __init__(self, token: str | None = "test-token", per_page_max: int = 100) -> None:
        self.token = token  # the token the API accepts (None: accept any Authorization)
        self.per_page_max = per_page_max
        self.repos: set[str] = set()
        self.artifacts: list[FakeArtifact] = []
        self.requests: Counter[str] = Counter()
        self.heads: dict[str, str] = {}  # branch -> the commit it is at (GET .../git/ref/heads/BRANCH)
        self.auth_seen: list[str | None] = []
        self.fail_next: Counter[str] = Counter()  # route -> how many more answers are a 502
        self.limit_next: Counter[str] = Counter()  # route -> how many more are a secondary rate limit
        self.retry_after = "1"  # the Retry-After those answers carry
        self.storage_base: str | None = None  # where the signed URLs point (None: this server)
        self.download_base: str | None = None  # where `archive_download_url` points (None: this server)
        self.lock = threading.Lock()
        self._next_id = 1000
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    # -- setup ------------------------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add_repo(self, repo: str) -> None:
        self.repos.add(repo)

    def add(self, repo: str, name: str, members: dict[str, bytes] | bytes, *, age_hours: float = 1.0,
            expired: bool = False, head_sha: str | None = None, head_branch: str = "main",
            head_repository_id: int = 1) -> FakeArtifact:
        self.repos.add(repo)
        self._next_id += 1
        content = members if isinstance(members, bytes) else make_zip(members)
        art = FakeArtifact(self._next_id, repo, name, content,
                           datetime.now(timezone.utc) - timedelta(hours=age_hours), expired,
                           head_sha or secrets.token_hex(20), run_id=self._next_id * 10, head_branch=head_branch,
                           head_repository_id=head_repository_id)
        self.artifacts.append(art)
        return art

    def __enter__(self) -> FakeArtifactServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    # -- the handler ------------------------------------------------------------------------------
    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep pytest output clean
                pass

            def _send(self, status: int, body: bytes = b"", ctype: str = "application/json",
                      headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _json(self, status: int, data) -> None:
                self._send(status, json.dumps(data).encode())

            def _count(self, route: str) -> None:
                with fake.lock:
                    fake.requests[route] += 1

            def _failing(self, route: str) -> bool:
                """Answer 502 while `fake.fail_next[route]` says so (a GitHub hiccup), a secondary
                rate limit (403, Retry-After) while `fake.limit_next[route]` does."""
                with fake.lock:
                    limited = fake.limit_next[route] > 0
                    if fake.fail_next[route] <= 0 and not limited:
                        return False
                    fake.limit_next[route] -= limited
                    fake.fail_next[route] -= not limited
                if limited:
                    self._send(403, json.dumps({"message": "You have exceeded a secondary rate limit. Please wait a "
                                                           "few minutes before you try again."}).encode(),
                               headers={"Retry-After": fake.retry_after})
                    return True
                self._json(502, {"message": "Server Error"})
                return True

            def _authorized(self) -> bool:
                header = self.headers.get("Authorization")
                with fake.lock:
                    fake.auth_seen.append(header)
                if fake.token is None:
                    return header is not None
                return header in (f"Bearer {fake.token}", f"token {fake.token}")

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                parts = [p for p in url.path.split("/") if p]
                query = parse_qs(url.query)
                if parts[:1] == ["storage"] and len(parts) == 2:
                    return self._storage(parts[1], query)
                if len(parts) >= 3 and parts[0] == "repos":
                    repo = f"{parts[1]}/{parts[2]}"
                    rest = parts[3:]
                    if self.headers.get("Authorization") is not None and not self._authorized():
                        self._count("bad-credentials")
                        return self._json(401, {"message": "Bad credentials"})
                    if repo not in fake.repos:
                        self._count("not-found")
                        return self._json(404, {"message": "Not Found"})
                    if not rest:
                        self._count("repo")
                        return self._json(200, {"id": 1, "name": parts[2], "full_name": repo,
                                                "owner": {"login": parts[1]}, "default_branch": "main",
                                                "url": f"{fake.api_url}/repos/{repo}"})
                    if rest == ["actions", "artifacts"]:
                        return self._list(repo, query)
                    if rest[:3] == ["git", "ref", "heads"] and "/".join(rest[3:]) in fake.heads:
                        self._count("head")
                        return self._json(200, {"ref": "refs/" + "/".join(rest[2:]),
                                                "object": {"sha": fake.heads["/".join(rest[3:])], "type": "commit"}})
                    if len(rest) == 4 and rest[:2] == ["actions", "artifacts"] and rest[3] == "zip":
                        return self._zip(repo, rest[2])
                self._count("unknown")
                self._json(404, {"message": "Not Found"})

            def _list(self, repo: str, query) -> None:
                self._count("list")
                if self._failing("list"):
                    return
                name = (query.get("name") or [None])[0]
                per_page = min(int((query.get("per_page") or ["30"])[0]), fake.per_page_max)
                page = int((query.get("page") or ["1"])[0])
                found = [a for a in fake.artifacts if a.repo == repo and (name is None or a.name == name)]
                found.sort(key=lambda a: a.created_at, reverse=True)
                chunk = found[(page - 1) * per_page: page * per_page]
                headers = {}
                last = max(1, -(-len(found) // per_page))
                if page < last:
                    base = f"{fake.api_url}/repos/{repo}/actions/artifacts?per_page={per_page}"
                    if name:
                        base += f"&name={name}"
                    headers["Link"] = f'<{base}&page={page + 1}>; rel="next", <{base}&page={last}>; rel="last"'
                listed = [a.json(fake.api_url) for a in chunk]
                for item in listed if fake.download_base else ():
                    zip_url = item["archive_download_url"]
                    item["archive_download_url"] = zip_url.replace(fake.api_url, fake.download_base)
                body = json.dumps({"total_count": len(found), "artifacts": listed})
                self._send(200, body.encode(), headers=headers)

            def _zip(self, repo: str, art_id: str) -> None:
                self._count("zip")
                if self._failing("zip"):
                    return
                if not self._authorized():
                    return self._json(401, {"message": "Requires authentication"})
                art = next((a for a in fake.artifacts if str(a.id) == art_id and a.repo == repo), None)
                if art is None:
                    return self._json(404, {"message": "Not Found"})
                if art.expired:
                    return self._json(410, {"message": "Artifact has expired"})
                location = f"{fake.storage_base or fake.api_url}/storage/{art.id}?sig={art.signature}"
                self._send(302, b"", headers={"Location": location})

            def _storage(self, art_id: str, query) -> None:
                self._count("storage")
                if self._failing("storage"):
                    return
                if self.headers.get("Authorization") is not None:
                    # Signed storage URLs reject extra credentials, and must never receive the token.
                    return self._send(400, b"<Error>authorization not allowed</Error>", "application/xml")
                art = next((a for a in fake.artifacts if str(a.id) == art_id), None)
                if art is None or (query.get("sig") or [""])[0] != art.signature:
                    return self._send(403, b"<Error>signature mismatch</Error>", "application/xml")
                self._send(200, art.content, "application/zip")

        return Handler
