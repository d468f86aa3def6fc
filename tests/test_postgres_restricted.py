"""PostgreSQL servers set up by a cautious or unusual DBA: session settings on the role or in the
URL (`client_encoding`, `standard_conforming_strings`) and rights withheld (TEMPORARY).

Each case a user met: a `UnicodeEncodeError` traceback (exit 1) when the role's client encoding
was LATIN1 or SQL_ASCII and a label was not Latin; every first sync failing in migration 002 with
a syntax error under `standard_conforming_strings=off`; a role without TEMPORARY stopping with
PostgreSQL's multi-line words (`LINE 1: CREATE TEMP TABLE ...` and a caret), exit 3.
"""

from __future__ import annotations

import pytest

from tests.helpers import cli
from tests.postgres_server import connect, own_schema, schema_url

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
    """A database of its own (the tests' role may CREATEDB) where the role has no TEMPORARY right:
    revoking it on the shared database would break the tests running beside this one."""
    import secrets
    from urllib.parse import urlsplit, urlunsplit

    from ontosync.db_url import split_schema

    name = f"t_notemp_{secrets.token_hex(4)}"
    conn = connect()
    try:
        conn.cursor().execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
        parts = urlsplit(split_schema(schema_url("x"))[0])
        url = urlunsplit(parts._replace(path=f"/{name}"))
        own = connect(url)
        try:
            own.cursor().execute(f"REVOKE TEMPORARY ON DATABASE {name} FROM PUBLIC, CURRENT_USER")
        finally:
            own.close()
        yield name, url
    finally:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.close()


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
