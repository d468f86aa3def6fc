"""An organisation's PostgreSQL server, round 6: URLs in libpq's other forms (a Unix socket's
directory, a service file), the busy lines' one lock-holder query, and a sync's session closed
whichever of its steps (open, migrate, run) stops it.

Each test of a defect failed before its fix. Skips without a server (tests/postgres_server.py).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from tests import test_postgres_round5 as round5
from tests.helpers import cli
from tests.postgres_server import connect, connect_dsn, run_sql, schema_url
from tests.test_postgres_many_sources import _classes

TTL = round5.TTL
schema, tree = round5.schema, round5.tree  # fixtures: a schema of the test's own, a tree of one class (TTL)


def _sync(tree, url: str, tmp_path, *more: str):
    return cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json"), *more)


def _socket_dir(port: int) -> str | None:
    """The directory of the test server's Unix socket (`.s.PGSQL.<port>`), from the kernel's list of
    listening sockets (SHOW unix_socket_directories needs pg_read_all_settings); None without one."""
    import os
    from pathlib import Path

    name = f".s.PGSQL.{port}"
    try:
        lines = Path("/proc/net/unix").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    paths = (line.split()[-1] for line in lines[1:] if line.rstrip().endswith("/" + name))
    return next((os.path.dirname(p) for p in paths if os.path.exists(p)), None)


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
    socket_dir = _socket_dir(server.port)
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


def _lock_is_free(schema: str) -> bool:
    """Whether another session can take the source's sync lock at once (then lets it go)."""
    from ontosync.store.pg.database import lock_key_sql

    expr, args = lock_key_sql(schema)
    expr = expr.replace("?", "%s")
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f"SELECT pg_try_advisory_lock({expr})", args)
        took = cur.fetchone()[0]
        if took:
            cur.execute(f"SELECT pg_advisory_unlock({expr})", args)
        return took
    finally:
        conn.close()


def test_a_sync_closes_its_session_whichever_step_stops_it(schema, tree, tmp_path):
    """pg_commands.sync opens a session (connect, the source's lock), migrates, runs: each step's
    failure is its own line and exit code, and the session, the lock with it, ends in all cases
    (the Action runs the sync in its own process and goes on). Kept while untangling the steps:
    the lock is free after a sync refused at its lock (exit 4), at its migrations (exit 3), and
    after one that ran (exit 0)."""
    url = schema_url(schema)
    assert _sync(tree, url, tmp_path).returncode == 0 and _lock_is_free(schema)
    holder = connect()
    try:
        from ontosync.store.pg.database import lock_key_sql

        expr, args = lock_key_sql(schema)
        holder.cursor().execute(f"SELECT pg_advisory_lock({expr.replace('?', '%s')})", args)
        r = _sync(tree, url, tmp_path, "--lock-timeout", "0")
        assert r.returncode == 4 and "holds its lock (server process" in r.stderr, r.stderr
    finally:
        holder.close()
    assert _lock_is_free(schema)
    run_sql(f"UPDATE \"{schema}\".schema_migrations SET checksum = 'edited' WHERE version = 1")
    r = _sync(tree, url, tmp_path, "--full")
    assert r.returncode == 3 and "changed after it was applied" in r.stderr, r.stderr
    assert _lock_is_free(schema)


def test_the_busy_lines_name_the_other_session_by_one_query(schema, tree, tmp_path):
    """The three lock-holder questions (the source's advisory lock, a table a migration waits for,
    a table a read waits for) are one query (store/pg/database.lock_holder): each names the other
    session that holds the lock, never the asking one, and for a read also one only queued for it."""
    import threading
    import time

    from ontosync.store.pg import database

    url = schema_url(schema)
    assert _sync(tree, url, tmp_path).returncode == 0
    db, conn = database.connect(database.PgTarget(url, schema), create=False)
    reader, waiter = connect(), connect()
    try:
        reader.autocommit = waiter.autocommit = False
        rc, wc = reader.cursor(), waiter.cursor()
        rc.execute("SELECT pg_backend_pid()")
        reader_pid = rc.fetchone()[0]
        wc.execute("SELECT pg_backend_pid()")
        waiter_pid = wc.fetchone()[0]
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM owl_classes")  # the asking session holds a lock there too
        rc.execute(f'SELECT count(*) FROM "{schema}".owl_classes')
        assert f"server process {reader_pid}," in database._table_holder(conn, schema, None)
        assert database.read_blocker(url, schema) is None  # a reader's lock stops no read
        queued = threading.Thread(target=wc.execute, args=(f'LOCK TABLE "{schema}".owl_classes',), daemon=True)
        queued.start()
        for _ in range(100):
            if (named := database.read_blocker(url, schema)) is not None:
                break
            time.sleep(0.02)
        assert named is not None and f"server process {waiter_pid}," in named, named
        conn.execute("COMMIT")
        rc.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (f"ontosync:{schema}",))
        assert f"server process {reader_pid}," in database._holder(conn, database.PgTarget(url, schema))
    finally:
        reader.close()
        queued.join(5)
        waiter.close()
        db.close()


OFN = """Prefix(:=<http://e.org/>)
Prefix(obo:=<http://purl.obolibrary.org/obo/>)
Ontology(<http://e.org/onto>
Import(<http://e.org/other>)
Declaration(Class(:A))
Declaration(Class(:C))
Declaration(Class(:D))
Declaration(ObjectProperty(:B))
Declaration(ObjectProperty(:a))
SubClassOf(:A ObjectSomeValuesFrom(:B :C))
SubClassOf(:A ObjectSomeValuesFrom(:a :C))
EquivalentClasses(:C :D)
DisjointClasses(:A :D)
AnnotationAssertion(owl:deprecated :D "true"^^xsd:boolean)
AnnotationAssertion(obo:IAO_0100001 :D :C)
AnnotationAssertion(rdfs:comment :A "a comment"@en)
AnnotationAssertion(<http://www.w3.org/2004/02/skos/core#exactMatch> :A <http://x.org/A>)
)
"""
PAGE = "- ### OntologyBlock\n\t- term-id:: EX-{n}\n\t- preferred-term:: {name}\n"
KEYS = ("HasPart", "has-part", "has_part", "has.part")  # their order differs between English and code points
LINKS = "\n### Relationships\n" + "".join(f"- {key}:: [[Q]]\n" for key in KEYS)


@pytest.fixture
def english_database():
    """(name, URL) of a database of its own whose default collation is English (ICU's `en-US`, as a
    managed server's `en_US.UTF-8`): `a` sorts before `B` there, after it by code point."""
    import psycopg2

    from tests.postgres_server import own_database

    try:
        with own_database(locale="LOCALE 'C' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'") as found:
            yield found
    except (psycopg2.errors.SyntaxError, psycopg2.errors.FeatureNotSupported) as exc:  # before 15, or no ICU
        pytest.skip(f"the server makes no ICU database: {exc.pgerror.strip()}")


def test_the_layer_on_a_server_with_an_english_default_collation_is_sqlites(english_database, tmp_path):
    """The restrictions of an `.ofn` file and a page's relationship links are blank nodes numbered
    in the order of their property: the writer sorted the property (read out of the axiom's JSON,
    which PostgreSQL gives the database's default collation, not the columns' "C") by English
    rules on such a server, so `_:…_s1` was the restriction on `:a` where SQLite's is the one on
    `:B`: `statements` differed from SQLite's for the same tree (README: rows sort by code point
    "whatever the server's default"). They are now equal."""
    from tests.helpers import CONTENT_TABLES
    from tests.postgres_server import pg_dump, sqlite_dump

    _name, url = english_database
    tree = tmp_path / "tree"
    (tree / "pages").mkdir(parents=True)
    (tree / "o.ofn").write_text(OFN, encoding="utf-8")
    (tree / "pages" / "P.md").write_text(PAGE.format(n=1, name="P") + LINKS, encoding="utf-8")
    (tree / "pages" / "Q.md").write_text(PAGE.format(n=2, name="Q"), encoding="utf-8")
    assert _sync(tree, f"{url}?schema=s", tmp_path).returncode == 0
    lite = tmp_path / "lite.db"
    assert _sync(tree, str(lite), tmp_path).returncode == 0
    tables = [*CONTENT_TABLES, "statements"]
    pg, sq = pg_dump("s", tables, url), sqlite_dump(lite, tables)
    blank = {r[1][:-1] for r in sq["statements"] if str(r[1]).startswith("_:")}
    assert {b[-2:] for b in blank} == {"_s", "_r"}, blank  # restrictions and links, both numbered
    # and the file's one-triple rows, four kinds read by one statement on PostgreSQL (semsql_ofn.OWN)
    # against SQLite's first run, which writes them by other SQL (store/semsql_deferred.py)
    predicates = {r[2] for r in sq["statements"] if r[-1] == "o.ofn"}
    assert {"owl:deprecated", "owl:equivalentClass", "owl:disjointWith", "owl:imports", "IAO:0100001",
            "rdfs:comment", "skos:exactMatch"} <= predicates, predicates
    assert pg == sq


def _silent_port(sock, hold_s: float) -> None:
    """Take each connection on `sock` and answer nothing, closing it after `hold_s` (so a client
    that waits for ever fails, later, rather than hanging the tests)."""
    import threading
    import time

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:  # the test closed the socket
                return
            threading.Timer(hold_s, conn.close).start()
            time.sleep(0)

    threading.Thread(target=serve, daemon=True).start()


def test_a_port_that_takes_the_connection_and_never_answers_is_one_line_not_a_hang(tmp_path, monkeypatch):
    """A URL whose port another program holds (or a stalled tunnel, a proxy whose server is down):
    the connection is taken and nothing answers. libpq waits for ever unless told otherwise, so
    `ontosync status` and `sync` hung (a CI job until its own limit). Now each command stops after
    CONNECT_TIMEOUT_S (1 s here: the wait, not the behaviour) with one line, exit 2."""
    import socket

    import ontosync.store.pg.database as database

    monkeypatch.setattr(database, "CONNECT_TIMEOUT_S", 1, raising=False)
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        _silent_port(silent, 8.0)
        url = f"postgresql://u:secret@127.0.0.1:{silent.getsockname()[1]}/db"
        for command in (("status", "--db", url), ("sync", str(tmp_path), "--db", f"{url}?schema=s")):
            r = cli(*command, "--checkpoint", str(tmp_path / "c.json"))
            lines = r.stderr.strip().splitlines()
            assert r.returncode == 2 and len(lines) == 1, r.stderr
            assert "timeout expired" in lines[0] and "secret" not in lines[0], lines[0]


@pytest.fixture
def stem():
    """A name stem whose schema (the stem itself: the letters after it are dropped) is dropped after."""
    from tests.postgres_server import drop_schema, new_schema

    name = new_schema()
    yield name
    drop_schema(name)


def test_two_explicit_schema_names_that_lose_their_letters_never_share_a_schema(stem, tmp_path):
    """`?schema=` keeps letters a-z, digits and `_`: `?schema=<stem>日本` and `?schema=<stem>中国`
    are one schema `<stem>`. The second source's sync went into the first's and deleted its rows
    as files gone from its tree (exit 0). A name that loses letters now claims the schema as a
    derived name does: the other is refused in one line, exit 2, the rows untouched; the first
    syncs again as before."""
    from urllib.parse import quote

    a, b = tmp_path / "a", tmp_path / "b"
    for tree, cls in ((a, "A"), (b, "B")):
        tree.mkdir()
        (tree / f"{cls}.ttl").write_text(TTL.replace("e.org/A", f"e.org/{cls}"), encoding="utf-8")
    first, second = (schema_url(quote(f"{stem}{name}")) for name in ("日本", "中国"))
    assert _sync(a, first, tmp_path / "a").returncode == 0
    r = _sync(b, second, tmp_path / "b")
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "日本" in lines[0] and "中国" in lines[0], r.stderr
    assert _classes(stem) == ["http://e.org/A"]
    (a / "C.ttl").write_text(TTL.replace("e.org/A", "e.org/C"), encoding="utf-8")
    assert _sync(a, first, tmp_path / "a").returncode == 0
    assert _classes(stem) == ["http://e.org/A", "http://e.org/C"]
