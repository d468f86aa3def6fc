"""An organisation's PostgreSQL server, round 6: URLs in libpq's other forms (a Unix socket's
directory, a service file), the busy lines' one lock-holder query, and a sync's session closed
whichever of its steps (open, migrate, run) stops it.

Each test of a defect failed before its fix. Skips without a server (tests/postgres_server.py).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from tests.helpers import cli
from tests.postgres_server import connect, connect_dsn, own_schema, run_sql, schema_url, server_url

TTL = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://e.org/A> a owl:Class ; rdfs:label "Alpha" .
"""

schema = pytest.fixture(own_schema)  # a schema of the test's own, dropped after it


@pytest.fixture
def tree(tmp_path):
    """A source of one Turtle file declaring one class."""
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "a.ttl").write_text(TTL, encoding="utf-8")
    return tmp_path / "tree"


def _sync(tree, url: str, tmp_path, *more: str):
    return cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json"), *more)


def _classes(schema: str) -> list[str]:
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'SELECT class_iri FROM "{schema}".owl_classes WHERE source_file IS NOT NULL ORDER BY 1')
        return [r[0] for r in cur.fetchall()]
    finally:
        conn.close()


def _socket_dir() -> str | None:
    """A directory where the test server listens on a Unix socket, if any."""
    import os

    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute("SHOW unix_socket_directories")
        dirs = [d.strip() for d in cur.fetchone()[0].split(",") if d.strip()]
    finally:
        conn.close()
    return next((d for d in dirs if os.path.isdir(d)), None)


def _without_host(**params: str) -> str:
    """The server's URL in libpq's form with an empty host part (`postgresql:///db?...`): the
    server named by query parameters only."""
    server = urlsplit(connect_dsn())
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    return f"postgresql://{server.path}?{query}"


def test_a_unix_socket_url_and_a_service_name_reach_the_server_they_name(schema, tree, tmp_path, monkeypatch):
    """libpq's documented URL for a Unix socket, `postgresql:///db?host=/run/postgresql`, and a
    service file's `postgresql://?service=NAME`: ontosync rebuilt the URL without its `//` when the
    host part was empty (`postgresql:/db?host=...`), which libpq does not read as a URL, so it
    connected to its defaults (socket /var/run/postgresql, port 5432: another server, or none:
    exit 2 "No such file or directory"). Both now sync into the server they name."""
    server = urlsplit(connect_dsn())
    socket_dir = _socket_dir()
    if socket_dir is None:
        pytest.skip("the test server listens on no Unix socket")
    login = {"port": str(server.port), "user": server.username, "password": server.password or ""}
    r = _sync(tree, _without_host(host=socket_dir, **login, schema=schema), tmp_path)
    assert r.returncode == 0, r.stderr
    assert _classes(schema) == ["http://e.org/A"]
    services = tmp_path / "pg_service.conf"
    services.write_text(f"[ontosync_test]\nhost={server.hostname}\nport={server.port}\ndbname={server.path[1:]}\n"
                        f"user={server.username}\npassword={server.password or ''}\n", encoding="utf-8")
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    (tree / "b.ttl").write_text(TTL.replace("e.org/A", "e.org/B"), encoding="utf-8")
    r = _sync(tree, f"postgresql://?service=ontosync_test&schema={schema}", tmp_path)
    assert r.returncode == 0, r.stderr
    assert _classes(schema) == ["http://e.org/A", "http://e.org/B"]
