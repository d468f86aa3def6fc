"""PostgreSQL, round 12 (h169): what a user meets on a server beside SQLite.

Two decisions pinned here as the README states them: a repository's schema is the repository's,
whatever the ref or configuration synced (two refs of it replace each other's rows; `?schema=` keeps
both), and search on PostgreSQL counts a class's words only up to a tsvector's limits (16,383
positions, 256 occurrences a word), so past them a class may rank otherwise than on SQLite.

Each test of a defect failed before its fix. Skips without a server (tests/postgres_server.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ontosync.cli import main
from ontosync.db_url import schema_for
from tests.helpers import cli
from tests.postgres_server import connect, drop_schema, own_schema, pg_row, run_sql, schema_url
from tests.test_search_both import HEAD, Both

X = "http://example.org/x#"
OWL = "<http://www.w3.org/2002/07/owl#Class>"
LABEL, DEF = "<http://www.w3.org/2000/01/rdf-schema#label>", "<http://purl.obolibrary.org/obo/IAO_0000115>"
README = Path(__file__).resolve().parents[1] / "README.md"

schema = pytest.fixture(own_schema)  # a schema of the test's own, dropped after it


def _ttl(label: str) -> str:
    return ('@prefix owl: <http://www.w3.org/2002/07/owl#> .\n'
            f'<http://e.org/{label}> a owl:Class ; <http://www.w3.org/2000/01/rdf-schema#label> "{label}" .\n')


def test_two_refs_of_one_repository_name_one_schema_as_the_readme_says(monkeypatch):
    """One repository is one source (CONTRACT §8) wherever and at whatever ref it is synced."""
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/tools")
    url = "postgresql://u@127.0.0.1:9/db"
    assert schema_for(url, "github:acme/onto@v1") == schema_for(url, "github:acme/onto@main") == "acme_onto"
    assert schema_for(url, "/w/onto", "acme/onto") == "acme_onto"  # another workflow's checkout of it
    assert "syncs of one repository at two refs" in " ".join(README.read_text(encoding="utf-8").split())


def test_a_second_ref_replaces_the_rows_and_its_own_schema_keeps_both(tmp_path, schema, capsys):
    """What the README tells: one schema holds the last sync's rows; `?schema=` keeps each ref's."""
    one, two = tmp_path / "main", tmp_path / "v1"
    for folder, label in ((one, "Alpha"), (two, "Beta")):
        folder.mkdir()
        (folder / "a.ttl").write_text(_ttl(label), encoding="utf-8")
    url = schema_url(schema)
    for folder in (one, two):
        assert main(["sync", str(folder), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json")]) == 0
    assert pg_row(url, f"SELECT string_agg(label, ',') FROM {schema}.owl_classes WHERE source_file IS NOT NULL") \
        == ("Beta",)
    kept = schema_url(f"{schema}_v1")
    try:
        assert main(["sync", str(one), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json")]) == 0
        assert main(["sync", str(two), "--db", kept, "--quiet", "--checkpoint", str(tmp_path / "k.json")]) == 0
        assert pg_row(url, f"SELECT label FROM {schema}.owl_classes WHERE source_file IS NOT NULL") == ("Alpha",)
        assert pg_row(url, f"SELECT label FROM {schema}_v1.owl_classes WHERE source_file IS NOT NULL") == ("Beta",)
    finally:
        drop_schema(f"{schema}_v1")
    capsys.readouterr()


def _far(curie: str, tail: str) -> str:
    filler = " ".join(f"w{i}" for i in range(17_000))  # past a tsvector's 16,383 positions
    return f'<{X}{curie}> a {OWL} ; {LABEL} "{curie}" ; {DEF} "{filler} {tail}" .\n'


def test_search_past_a_tsvectors_positions_finds_the_word_but_ranks_as_the_readme_says(tmp_path, schema):
    """A word past the 16,383rd of its class is found on both; three occurrences there count as one on
    PostgreSQL (its tsvector keeps no larger position), so the tie goes to the CURIE; a phrase there
    is not found. The README's Limits say so."""
    both = Both(tmp_path, schema, HEAD + _far("A1", "zebra horse") + _far("Z1", "zebra zebra zebra"))
    assert both.sqlite("horse") == both.postgres("horse") == [X + "A1"]
    assert both.sqlite("zebra") == [X + "Z1", X + "A1"]
    assert both.postgres("zebra") == [X + "A1", X + "Z1"]
    assert both.sqlite("zebra_horse") == [X + "A1"] and both.postgres("zebra_horse") == []
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "counts a class's words up to its 16,383rd and each word's first 256 occurrences" in text


def _stop_saving(schema: str, path: str) -> None:
    """The server ends the sync's session as it saves `path` (a trigger: as a restart would)."""
    run_sql(f"""CREATE FUNCTION "{schema}".stop() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.path = '{path}' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
                RETURN NEW; END $$""")
    run_sql(f'CREATE TRIGGER stop BEFORE INSERT OR UPDATE ON "{schema}".source_files '
            f'FOR EACH ROW EXECUTE FUNCTION "{schema}".stop()')


def test_a_session_ended_mid_sync_is_said_once(tmp_path, schema):
    """The server ending the session mid-run (a restart, pg_terminate_backend): besides the fatal line
    naming the file and saying the next sync resumes, the user saw a second one in the driver's words,
    `warning: this run's change log could not be closed: connection already closed`. Now the fatal
    line alone says it; the next sync resumes."""
    tree = tmp_path / "tree"
    tree.mkdir()
    url = schema_url(schema)
    (tree / "a.ttl").write_text(_ttl("Alpha"), encoding="utf-8")
    assert cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json")).returncode == 0
    (tree / "b.ttl").write_text(_ttl("Beta"), encoding="utf-8")
    _stop_saving(schema, "b.ttl")
    r = cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json"))
    assert r.returncode == 3, r.stderr
    said = [line for line in r.stderr.splitlines() if not line.startswith("ontosync: 2 files:")]
    assert len(said) == 1 and "saving b.ttl" in said[0] and "ended the session" in said[0], r.stderr
    run_sql(f'DROP TRIGGER stop ON "{schema}".source_files')
    r = cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json"))
    assert r.returncode == 0, r.stderr
    assert pg_row(url, "SELECT string_agg(label, ',' ORDER BY label) FROM owl_classes") == ("Alpha,Beta",)


@pytest.mark.parametrize("given", ["url", "PGAPPNAME"])
def test_the_users_application_name_names_the_sync_session(tmp_path, schema, given):
    """`?application_name=nightly ontology` (a libpq parameter, which the README says the URL takes),
    or libpq's PGAPPNAME: a DBA's pg_stat_activity, a pooler's routing or the server's log lines
    showed `ontosync sync` instead, ontosync's own name overriding the user's. Now the user's name."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.ttl").write_text(_ttl("Alpha"), encoding="utf-8")
    url = schema_url(schema)
    assert cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json")).returncode == 0
    run_sql(f'CREATE TABLE "{schema}".seen (name text)')
    run_sql(f"""CREATE FUNCTION "{schema}".note() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO "{schema}".seen VALUES (current_setting('application_name')); RETURN NEW; END $$""")
    run_sql(f'CREATE TRIGGER note BEFORE INSERT OR UPDATE ON "{schema}".source_files '
            f'FOR EACH ROW EXECUTE FUNCTION "{schema}".note()')
    (tree / "b.ttl").write_text(_ttl("Beta"), encoding="utf-8")
    env = {"PGAPPNAME": "nightly ontology"} if given == "PGAPPNAME" else {}
    db = url if env else f"{url}&application_name=nightly%20ontology"
    r = cli("sync", str(tree), "--db", db, "--quiet", "--checkpoint", str(tmp_path / "c.json"), env=env)
    assert r.returncode == 0, r.stderr
    assert pg_row(url, "SELECT string_agg(DISTINCT name, ',') FROM seen") == ("nightly ontology",)


@pytest.mark.parametrize("command", [["status"], ["search", "alpha"], ["diff"], ["verify"]])
def test_a_reader_while_a_first_sync_creates_the_store_is_busy(schema, command):
    """A first sync into a new schema has created it and holds the source's lock while its migration
    is not committed: `status` (search, diff, verify) said `holds no ontosync store (run ontosync sync
    into it first...)`, exit 2, of the sync running. Now busy, exit 4, naming the sync's session, as
    on SQLite (`... whose schema is not committed yet`)."""
    from ontosync.store.pg.database import lock_key_sql

    url = schema_url(schema)
    run_sql(f'CREATE SCHEMA "{schema}"')
    sync = connect()  # the sync's session: the source's advisory lock, as store/pg/database.acquire_lock takes it
    try:
        key, args = lock_key_sql(schema)
        sync.cursor().execute(f"SELECT pg_advisory_lock({key.replace('?', '%s')})", args)
        r = cli(*command, "--db", url)
    finally:
        sync.close()
    assert r.returncode == 4, r.stderr
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("ontosync: busy:") and schema in line, line
    assert "being created by a sync" in line and "server process" in line, line
    r = cli(*command, "--db", url)  # the lock gone: no store there, as before
    assert r.returncode == 2 and "holds no ontosync store" in r.stderr, r.stderr


def test_the_words_a_tsvector_cannot_hold_are_not_found_as_the_readme_says(tmp_path, schema):
    """A definition of 60,000 different words is cut to what a tsvector holds: its first words are
    found on both databases, its last on SQLite only (README, Limits)."""
    words = " ".join(f"word{i:08d}" for i in range(60_000))
    both = Both(tmp_path, schema, HEAD + f'<{X}Huge> a {OWL} ; {LABEL} "Huge" ; {DEF} "{words}" .\n')
    assert both.sqlite("word00000001") == both.postgres("word00000001") == [X + "Huge"]
    assert both.sqlite("word00059999") == [X + "Huge"] and both.postgres("word00059999") == []
    assert "a class's distinct words past some 900 kB of them" in " ".join(README.read_text(encoding="utf-8").split())


def _synced_tree(tmp_path, url: str):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.ttl").write_text(_ttl("Alpha"), encoding="utf-8")
    assert cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json")).returncode == 0
    (tree / "b.ttl").write_text(_ttl("Beta"), encoding="utf-8")
    return tree


def test_a_servers_error_of_several_lines_stops_the_run_in_one_readable_line(tmp_path, schema):
    """A full disk on the server (`could not extend file ...: No space left on device` and a HINT
    line): the fatal line carried the driver's newlines as `\\x0a` with the lines after them
    (`\\x0aHINT:  Check free disk space.\\x0aCONTEXT: ...\\x0a`). Now the server's first line."""
    url = schema_url(schema)
    tree = _synced_tree(tmp_path, url)
    run_sql(f"""CREATE FUNCTION "{schema}".disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION USING ERRCODE = 'disk_full', HINT = 'Check free disk space.',
                      MESSAGE = 'could not extend file "base/1/2": No space left on device'; END $$""")
    run_sql(f'CREATE TRIGGER disk_full BEFORE INSERT ON "{schema}".source_files '
            f'FOR EACH ROW EXECUTE FUNCTION "{schema}".disk_full()')
    r = cli("sync", str(tree), "--db", url, "--quiet", "--checkpoint", str(tmp_path / "c.json"))
    assert r.returncode == 3, r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.endswith('saving b.ttl, run stopped: could not extend file "base/1/2": No space left on device'), last


def test_a_sync_into_a_read_only_server_is_refused_before_the_run(tmp_path, schema):
    """A standby, or a server a provider made read-only (a full disk), or a role's
    default_transaction_read_only: a first sync was told `read-only database ...`, but a sync into
    an existing schema began its run and stopped on its first write, `database write failed, run
    stopped: cannot execute INSERT in a read-only transaction\\x0a` after a summary of nothing.
    Now one line, exit 3, as for a read-only SQLite file."""
    url = schema_url(schema)
    tree = _synced_tree(tmp_path, url)
    r = cli("sync", str(tree), "--db", f"{url}&options=-c%20default_transaction_read_only%3Don", "--quiet",
            "--checkpoint", str(tmp_path / "c.json"))
    assert r.returncode == 3, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ontosync: fatal: read-only database "), r.stderr
    assert schema in lines[0] and "nothing was written" in lines[0] and "\\x0a" not in lines[0], r.stderr


def test_the_expected_shape_is_what_the_migrations_make(schema):
    """store/pg/shape.EXPECTED lists what a schema migrated afresh holds, no more and no less: a new
    migration that adds or renames a key or a trigger updates it."""
    from ontosync.pg_commands import open_reader
    from ontosync.store.pg.shape import EXPECTED, found

    assert cli("migrate", "--db", schema_url(schema)).returncode == 0
    db, conn, _ = open_reader(schema_url(schema))
    try:
        assert found(conn, schema) == {(table, item) for table, items in EXPECTED.items() for item in items}
    finally:
        db.close()


@pytest.mark.parametrize("drop", ["ALTER TABLE owl_classes DROP CONSTRAINT owl_classes_ontology_id_fkey",
                                  "DROP TRIGGER chg_cls_i ON owl_classes"])
def test_verify_names_a_foreign_key_or_trigger_the_schema_lost(tmp_path, schema, drop):
    """A schema whose restore stopped short, or a DBA's DROP CONSTRAINT: `verify` validated only the
    constraints it found and said "constraints validated, migrations match, foreign keys hold", exit 0,
    of a store with no foreign key there, or whose change log no longer records new classes. Now it
    names what is missing, exit 3."""
    url = schema_url(schema)
    _synced_tree(tmp_path, url)
    run_sql(f'SET search_path = "{schema}"; {drop}')
    r = cli("verify", "--db", url)
    assert r.returncode == 3, (r.stdout, r.stderr)
    name = drop.split()[5] if drop.startswith("ALTER") else drop.split()[2]
    assert f"verify: {'constraint' if drop.startswith('ALTER') else 'trigger'} {name} on owl_classes is missing" \
        in r.stderr, r.stderr
