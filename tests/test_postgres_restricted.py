"""PostgreSQL servers set up by a cautious or unusual DBA: session settings on the role or in the
URL (`client_encoding`, `standard_conforming_strings`) and rights withheld (TEMPORARY).

Each case a user met: a `UnicodeEncodeError` traceback (exit 1) when the role's client encoding
was LATIN1 or SQL_ASCII and a label was not Latin; every first sync failing in migration 002 with
a syntax error under `standard_conforming_strings=off`; a role without TEMPORARY stopping with
PostgreSQL's multi-line words (`LINE 1: CREATE TEMP TABLE ...` and a caret), exit 3.
"""

from __future__ import annotations

import json
import secrets

import pytest

from ontosync.db_url import split_schema
from tests.helpers import CONTENT_TABLES, cli
from tests.postgres_server import connect, own_database, own_schema, pg_dump, run_sql, schema_url, sqlite_dump

LABELS = {"http://ex.org/A": "Страница Ωmega \\back", "http://ex.org/B": "o'brien \\' Ω"}
TTL = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://ex.org/A> a owl:Class ; rdfs:label "Страница Ωmega \\\\back" .
<http://ex.org/B> a owl:Class ; rdfs:subClassOf <http://ex.org/A> ; rdfs:label "o'brien \\\\' Ω" .
"""


@pytest.fixture
def schema():
    yield from own_schema()


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    (root / "a.ttl").write_text(TTL, encoding="utf-8")
    return root


def _labels(schema: str) -> dict[str, str]:
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(f'SELECT class_iri, label FROM "{schema}".owl_classes')
        return dict(cur.fetchall())
    finally:
        conn.close()


def _sync(tree, url, tmp_path):
    return cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json"))


@pytest.mark.parametrize("setting", ["client_encoding%3DLATIN1", "client_encoding%3DSQL_ASCII",
                                     "standard_conforming_strings%3Doff"])
def test_a_sessions_odd_settings_change_nothing(setting, schema, tree, tmp_path):
    """The URL's `options=` stands for the role's settings (ALTER ROLE ... SET, which the tests'
    role may not run): the sync's own settings win over both, and the labels arrive intact."""
    r = _sync(tree, f"{schema_url(schema)}&options=-c%20{setting}", tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert _labels(schema) == LABELS


@pytest.fixture
def no_temp_db():
    """A database where the role has no TEMPORARY right."""
    with own_database() as (name, url):
        own = connect(url)
        try:
            own.cursor().execute(f"REVOKE TEMPORARY ON DATABASE {name} FROM PUBLIC, CURRENT_USER")
        finally:
            own.close()
        yield name, url


def test_a_role_without_the_temporary_right_gets_one_line_naming_it(no_temp_db, tree, tmp_path):
    """The writer keeps each file's changes in temp tables: without TEMPORARY on the database the
    sync stopped at its first file with PostgreSQL's words over three lines (the statement and a
    caret), exit 3, as if the data were at fault. Now: before anything is written, one line naming
    the role, the right and the GRANT that gives it, exit 2 (a configuration problem)."""
    name, url = no_temp_db
    r = _sync(tree, f"{url}?schema=s", tmp_path)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "TEMPORARY" in lines[0] and name in lines[0] and "GRANT" in lines[0]
    assert not (tmp_path / "c.json").exists()  # stopped before the run began
    conn = connect(url)
    try:
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 's'")
        assert cur.fetchone()[0] == 0  # not even the schema was created
    finally:
        conn.close()


STOPS = {  # how the server stops a file's save: a trigger on its source_files row, and the URL's options
    "statement_timeout": ("PERFORM pg_sleep(0.5)", "&options=-c%20statement_timeout%3D200", "statement_timeout"),
    "session_ended": ("PERFORM pg_terminate_backend(pg_backend_pid())", "", "ended the session"),
}


@pytest.mark.parametrize("stop", sorted(STOPS))
def test_the_server_stopping_a_save_is_named_and_the_next_sync_resumes(stop, schema, tree, tmp_path):
    """A role's statement_timeout cancelling a save, or the session ended under it (a restart, a
    terminated backend, idle_session_timeout): the user saw the driver's words ("SSL connection has
    been closed unexpectedly") and no file. Now one line names the file and what the server did,
    and says the next sync resumes; it does, to the rows a SQLite sync of the same tree holds."""
    (tree / "b.ttl").write_text(TTL.replace("ex.org/", "ex.org/b/"), encoding="utf-8")
    assert _sync(tree, schema_url(schema), tmp_path).returncode == 0
    for name in ("a.ttl", "b.ttl"):  # both change; b's save is the one the server stops
        (tree / name).write_text((tree / name).read_text(encoding="utf-8") + "<http://ex.org/N> a "
                                 "<http://www.w3.org/2002/07/owl#Class> .\n", encoding="utf-8")
    body, options, words = STOPS[stop]
    run_sql(f"""CREATE FUNCTION "{schema}".stop() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.path = 'b.ttl' THEN {body}; END IF; RETURN NEW; END $$""")
    run_sql(f'CREATE TRIGGER stop BEFORE INSERT OR UPDATE ON "{schema}".source_files '
            f'FOR EACH ROW EXECUTE FUNCTION "{schema}".stop()')
    r = _sync(tree, schema_url(schema) + options, tmp_path)
    assert r.returncode == 3, r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert "Traceback" not in r.stderr and "saving b.ttl" in last and words in last and "resume" in last, r.stderr
    run_sql(f'DROP TRIGGER stop ON "{schema}".source_files')
    assert _sync(tree, schema_url(schema), tmp_path).returncode == 0
    lite = tmp_path / "lite.db"
    assert _sync(tree, str(lite), tmp_path).returncode == 0
    assert pg_dump(schema, CONTENT_TABLES) == sqlite_dump(lite, CONTENT_TABLES)


def test_a_urls_options_reach_the_server_intact_for_every_command(tmp_path):
    """`?options=-c%20statement_timeout%3D0` (what a DBA's short timeout calls for): the URL handed
    to libpq was re-encoded with `+` for the space, which libpq takes literally, so `status` and
    `search` without `?schema=` failed: `unrecognized configuration parameter "+statement_timeout"`."""
    url = f"{schema_url('x')}&options=-c%20statement_timeout%3D4321&application_name=my%20reader"
    conn = connect(split_schema(url)[0])
    try:
        cur = conn.cursor()
        cur.execute("SELECT current_setting('statement_timeout'), current_setting('application_name')")
        assert cur.fetchone() == ("4321ms", "my reader")
    finally:
        conn.close()
    r = cli("status", "--db", url.replace("schema=x&", ""))
    assert "unrecognized configuration parameter" not in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_listing_the_schemas_survives_a_sessions_ascii_encoding():
    """Without `?schema=` the readers list the server's ontosync schemas; under a role's
    client_encoding SQL_ASCII, a schema named `é...` (a DBA's rename) was a UnicodeDecodeError
    traceback. Two such schemas: the listing is always the "say which" line naming them."""
    names = [f"é_{secrets.token_hex(4)}" for _ in range(2)]
    with own_database() as (_name, url):  # not the shared database: its listing is other tests' too
        own = connect(url)
        try:
            own.autocommit = True
            for name in names:
                for sql in (f'CREATE SCHEMA "{name}"', f'CREATE TABLE "{name}".source_files (x int)',
                            f'CREATE TABLE "{name}".schema_migrations (version int, checksum text)'):
                    own.cursor().execute(sql)
        finally:
            own.close()
        r = cli("status", "--db", f"{url}?options=-c%20client_encoding%3DSQL_ASCII")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert all(name in r.stderr for name in names), r.stderr


def test_a_latin1_database_refuses_one_files_text_and_the_run_goes_on(tree, tmp_path):
    """A database created LATIN1 cannot hold a Cyrillic label: that file's save stopped the whole
    run (exit 3) at every sync, and no file after it was ever synced. Now that file fails (kind
    `database`, the message says the database's encoding is why) and every other file is saved."""
    (tree / "c.ttl").write_text(TTL.replace("ex.org/", "ex.org/c/").replace("Страница Ωmega", "plain"
                                ).replace(" Ω", ""), encoding="utf-8")
    with own_database("LATIN1") as (_name, url):
        report = tmp_path / "r.json"
        r = cli("sync", str(tree), "--db", f"{url}?schema=s", "--quiet", "--checkpoint", str(tmp_path / "c.json"),
                "--report", str(report))
        assert "fatal" not in r.stderr and "Traceback" not in r.stderr, r.stderr
        errors = json.loads(report.read_text())["errors"]
        assert [(e["path"], e["kind"]) for e in errors] == [("a.ttl", "database")]
        assert "encoding" in errors[0]["message"]
        conn = connect(url)
        try:
            cur = conn.cursor()
            cur.execute("SELECT path, status FROM s.source_files ORDER BY path")
            assert cur.fetchall() == [("a.ttl", "failed"), ("c.ttl", "ok")]
            cur.execute("SELECT class_iri, label FROM s.owl_classes ORDER BY 1")
            assert cur.fetchall() == [("http://ex.org/c/A", "plain \\back"), ("http://ex.org/c/B", "o'brien \\'")]
        finally:
            conn.close()
