"""Many sources syncing into one PostgreSQL server (CONTRACT.md section 8: each source owns its
rows, one schema per source). Each test failed before its fix. Skips without a server
(tests/postgres_server.py)."""

from __future__ import annotations

import pytest

from tests.helpers import cli
from tests.postgres_server import connect, drop_schema, full_database_url, new_schema, schema_url, server_url

HEAD = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"


def _tree(root, name: str, cls: str):
    tree = root / name
    tree.mkdir(parents=True)
    (tree / f"{cls}.ttl").write_text(HEAD + f"<http://e.org/{cls}> a owl:Class .\n")
    return tree


def _classes(schema: str) -> list[str]:
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'SELECT class_iri FROM "{schema}".owl_classes WHERE source_file IS NOT NULL ORDER BY 1')
        return [r[0] for r in cur.fetchall()]
    finally:
        conn.close()


@pytest.fixture
def derived():
    """A source-name stem whose derived schema (`<stem>_robotics`) is dropped after the test."""
    server_url()
    stem = new_schema()
    yield stem
    drop_schema(f"{stem}_robotics")


@pytest.mark.parametrize("first, second", [("{s}-Robotics", "{s}_robotics"), ("{s}/robotics", "{s}.robotics")])
def test_two_sources_whose_names_make_one_schema_never_share_it(derived, tmp_path, monkeypatch, first, second):
    """Was: the second source's sync (no `?schema=`, the name derived from GITHUB_REPOSITORY or the
    folder) went into the first's schema and deleted its rows as files gone from the tree ("1
    deleted"): `Acme-Robotics` and `acme_robotics`, or `acme/robotics` and `acme.robotics`, are
    one schema `acme_robotics`. Now the schema records the source that owns it and a second
    source is refused (exit 2, naming both and ?schema=), the first's rows untouched; the owner
    itself syncs again as before, and names differing only in case (GitHub's are the same repo)
    are the same source."""
    first, second = first.format(s=derived), second.format(s=derived)
    schema = f"{derived}_robotics"
    a, b = _tree(tmp_path / "a", "a", "A"), _tree(tmp_path / "b", "b", "B")
    url = server_url()
    monkeypatch.setenv("GITHUB_REPOSITORY", first)
    assert cli("sync", str(a), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "a.json")).returncode == 0
    monkeypatch.setenv("GITHUB_REPOSITORY", second)
    r = cli("sync", str(b), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "b.json"))
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1
    assert schema in line and first in line and second in line and "?schema=" in line
    assert _classes(schema) == ["http://e.org/A"]

    monkeypatch.setenv("GITHUB_REPOSITORY", first.upper())
    (a / "C.ttl").write_text(HEAD + "<http://e.org/C> a owl:Class .\n")
    r = cli("sync", str(a), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "a.json"))
    assert r.returncode == 0, r.stderr
    assert _classes(schema) == ["http://e.org/A", "http://e.org/C"]


def test_an_explicit_schema_is_the_users_choice(derived, tmp_path, monkeypatch):
    """`?schema=` names the schema outright: the second source may write it (the user chose it),
    the derived-name check is for names ontosync made up."""
    schema = f"{derived}_robotics"
    a, b = _tree(tmp_path / "a", "a", "A"), _tree(tmp_path / "b", "b", "B")
    monkeypatch.setenv("GITHUB_REPOSITORY", f"{derived}/robotics")
    url = server_url()
    assert cli("sync", str(a), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "a.json")).returncode == 0
    r = cli("sync", str(b), "--db", schema_url(schema), "--quiet", "--checkpoint", str(tmp_path / "b.json"))
    assert r.returncode == 0, r.stderr
    assert _classes(schema) == ["http://e.org/B"]


@pytest.fixture
def full_database():
    with full_database_url() as url:
        yield url


def test_a_server_with_no_free_connection_is_busy_not_a_configuration_error(full_database, tmp_path):
    """Was: exit 2 "cannot use ...: ... too many connections", the code of a wrong URL or password,
    so a matrix of syncs that filled max_connections looked misconfigured. Now it is the contract's
    busy (section 9): exit 4, one line naming the limit, nothing written; the same for `verify`."""
    tree = _tree(tmp_path, "t", "A")
    url = f"{full_database}{'&' if '?' in full_database else '?'}schema=s"
    r = cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json"))
    assert r.returncode == 4, r.stderr
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("ontosync: busy:")
    assert "too many connections" in line and "run again" in line
    assert "***" in line or "@" not in line  # the password stays masked
    r = cli("verify", "--db", url)
    assert r.returncode == 4, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "too many connections" in r.stderr


@pytest.fixture
def older_store():
    """A schema an older ontosync made: only PostgreSQL migration 001 applied (also what a reader
    sees while a source's first sync is still migrating its new schema)."""
    from ontosync.store import migrations
    from ontosync.store.pg.database import PgTarget, connect, migrations_dir

    server_url()
    name = new_schema()
    db, conn = connect(PgTarget(schema_url(name), name))
    try:
        conn.execute("BEGIN")
        migrations.apply_migration(conn, migrations.available_migrations(migrations_dir())[0])
        conn.execute("COMMIT")
    finally:
        db.close()
    yield name
    drop_schema(name)


def test_search_on_a_schema_behind_this_ontosync_says_what_to_do(older_store):
    """Was: `fatal: relation "class_search_words" does not exist` (exit 3), the server's words
    about a table the user never named, seen by a reader on a source an older ontosync synced or
    during a source's first sync. Now one line naming the schema's migration, this release's, and
    the command that brings it up (exit 2, as SQLite's search on an older file: a command to run
    first, not damage; tests/test_cli_round17.py)."""
    from ontosync.store import migrations
    from ontosync.store.pg.database import migrations_dir

    newest = max(m.version for m in migrations.available_migrations(migrations_dir()))
    r = cli("search", "anything", "--db", schema_url(older_store))
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and "does not exist" not in line
    assert older_store in line and "migration 1 " in line and f"{newest:03d}" in line
    assert "ontosync migrate" in line


@pytest.fixture
def one_schema_database():
    """(URL of a database where the test's role may not create schemas, the one schema made for
    it): an organisation's least-privilege set-up, each source's role writing its own schema."""
    from ontosync.db_url import split_schema

    name = new_schema()
    conn = connect()
    try:
        conn.cursor().execute(f"CREATE DATABASE {name}")
        head, _, query = split_schema(server_url())[0].partition("?")
        url = f"{head.rsplit('/', 1)[0]}/{name}{'?' + query if query else ''}"
        own = connect(url)
        try:
            own.cursor().execute(f"CREATE SCHEMA robotics; REVOKE CREATE ON DATABASE {name} FROM CURRENT_USER, PUBLIC")
        finally:
            own.close()
        yield url
    finally:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS {name}")
        conn.close()


def test_a_role_that_may_write_its_own_schema_only_syncs_into_it(one_schema_database, tmp_path):
    """Was: exit 2 "permission denied for database ...": every sync ran `CREATE SCHEMA IF NOT
    EXISTS`, which PostgreSQL checks for the database's CREATE right before it looks whether the
    schema exists, so a role granted only its own (existing) schema could never sync. Now an
    existing schema is used as it is; a missing one still needs the right (exit 2, one line)."""
    tree = _tree(tmp_path, "t", "A")
    sep = "&" if "?" in one_schema_database else "?"
    r = cli("sync", str(tree), "--db", f"{one_schema_database}{sep}schema=robotics", "--quiet",
            "--checkpoint", str(tmp_path / "c.json"))
    assert r.returncode == 0, r.stderr
    conn = connect(one_schema_database)
    try:
        cur = conn.cursor()
        cur.execute("SELECT class_iri FROM robotics.owl_classes WHERE source_file IS NOT NULL")
        assert cur.fetchall() == [("http://e.org/A",)]
    finally:
        conn.close()
    r = cli("sync", str(tree), "--db", f"{one_schema_database}{sep}schema=materials", "--quiet",
            "--checkpoint", str(tmp_path / "m.json"))
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "permission denied" in r.stderr


@pytest.mark.parametrize("folder, schema", [("information_schema", "s_information_schema"), ("public", "s_public")])
def test_a_source_named_like_a_system_schema_gets_a_schema_of_its_own(tmp_path, folder, schema):
    """Was: a source (folder) named `information_schema` failed with exit 3 ("migration
    postgresql/001_initial.sql failed ...: permission denied for schema information_schema"), and
    one named `public` spread its tables and functions over the database's shared default schema.
    Derived names are now kept out of both, as `pg_...` already was (`s_` in front)."""
    server_url()
    drop_schema(schema)
    tree = _tree(tmp_path, folder, "A")
    try:
        r = cli("sync", str(tree), "--db", server_url(), "--quiet", "--checkpoint", str(tmp_path / "c.json"))
        assert r.returncode == 0, r.stderr
        assert _classes(schema) == ["http://e.org/A"]
    finally:
        drop_schema(schema)
