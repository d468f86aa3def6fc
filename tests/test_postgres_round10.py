"""An organisation's PostgreSQL server, round 10: another program's schema holding tables named
`schema_migrations` and `source_files` is not counted as an ontosync store (the readers without
`?schema=` refused the server's only store, or chose that schema; a sync into it was told to GRANT
rights on the other program's tables).

Each test of a defect failed before its fix. Skips without a server (tests/postgres_server.py).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest

from ontosync.cli import main
from tests.postgres_server import connect, own_database, own_schema, reader_role

TTL = ('@prefix owl: <http://www.w3.org/2002/07/owl#> .\n'
       '<http://e.org/A> a owl:Class ; <http://www.w3.org/2000/01/rdf-schema#label> "Alpha" .\n')
# a Rails application's schema: its schema_migrations has a `version` and no `checksum`
RAILS = ("CREATE SCHEMA app", "CREATE TABLE app.schema_migrations (version varchar PRIMARY KEY)",
         "CREATE TABLE app.source_files (id int)")

schema = pytest.fixture(own_schema)  # a schema of the test's own, dropped after it


def _sql(url: str, *statements: str) -> None:
    conn = connect(url)
    try:
        for sql in statements:
            conn.cursor().execute(sql)
    finally:
        conn.close()


def _tree(tmp_path):
    tree = tmp_path / "t"
    tree.mkdir()
    (tree / "a.ttl").write_text(TTL, encoding="utf-8")
    return tree


# Another program's schema_migrations with a `checksum` and no `version` (round 11): the list of
# stores (store/pg/rights.py, `checksum` only) counted it, the reader (store/pg/foreign.py, `version`
# and `checksum`) refused it as another program's: `search` without ?schema= listed "app, onto", and
# with no store yet chose `app` and said it "is not an ontosync store". One predicate now (foreign.OURS).
@pytest.mark.parametrize("columns", ["version varchar PRIMARY KEY", "id int, checksum text"])
def test_another_programs_schema_migrations_is_not_an_ontosync_store(tmp_path, capsys, columns):
    """A database holding a Rails application's schema (`schema_migrations`, `source_files`) and one
    ontosync store: `search` without ?schema= said "name the source's schema ... (ontosync schemas
    on this server: app, onto)", exit 2, naming the application's schema as ontosync's; with no
    store yet it chose that schema ("schema app ... is not an ontosync store", to a user who named
    none). Now only ontosync's schemas count: "none", then the only store is read."""
    with own_database() as (_name, url):
        _sql(url, RAILS[0], f"CREATE TABLE app.schema_migrations ({columns})", RAILS[2])
        assert main(["search", "alpha", "--db", url]) == 2
        assert capsys.readouterr().err == ("ontosync: error: name the source's schema with ?schema=NAME in the URL "
                                           "(ontosync schemas on this server: none)\n")
        assert main(["sync", str(_tree(tmp_path)), "--db", f"{url}?schema=onto", "--quiet", "--workers", "1",
                     "--checkpoint", str(tmp_path / "c.json")]) == 0
        capsys.readouterr()
        assert main(["search", "alpha", "--db", url]) == 0
        out, err = capsys.readouterr()
        assert (out, err) == ("http://e.org/A\tAlpha\ta.ttl\n", "1 class(es)\n")


def test_a_sync_into_another_programs_schema_is_refused_not_granted(tmp_path, capsys):
    """A writer role without rights on the application's schema, `sync --db ...?schema=app`: it
    was told "role ... may not use the ontosync store in schema app ... GRANT SELECT, INSERT,
    UPDATE, DELETE ON ALL TABLES IN SCHEMA app", a DBA's invitation to let ontosync write another
    program's tables. Now the schema is refused as not ontosync's, exit 2, nothing written."""
    with own_database() as (name, url), reader_role() as (role, role_url):
        _sql(url, *RAILS)
        mine = urlunsplit(urlsplit(role_url)._replace(path=f"/{name}", query="schema=app"))
        assert main(["sync", str(_tree(tmp_path)), "--db", mine, "--quiet", "--workers", "1",
                     "--checkpoint", str(tmp_path / "c.json")]) == 2
        err = capsys.readouterr().err
        assert "is not an ontosync store but holds schema_migrations, source_files" in err, err
        assert "GRANT" not in err and role not in err, err


def test_a_search_reads_only_the_words_it_asks_for_of_each_hit(schema):
    """`search market governance`: each hit's words were all unnested (rows of a few hundred words
    in a definition) and every one compared with every term of the search, a prefix term by
    `starts_with`, which no hash join can take: 0.8 s at 10,000 synthetic pages, 4 s at 50,000. The
    hits' vectors are now cut to the words the search asks for (ts_stat lists those a prefix stands
    for) before they are unnested, so the rows the plan handles no longer grow with a row's words."""
    from ontosync.store.pg import search as pg
    from tests.test_postgres_round8 import _search_table, _work

    n, filler = 60, " ".join(f"w{i}x" for i in range(150))
    with _search_table(schema, ("INSERT INTO class_search (curie, label, definition) SELECT 'ex:G' || i, "
                                "'Market gov ' || i, ? || ' governance market' FROM generate_series(1, ?) AS i",
                                (filler, n))) as conn:
        sql, params = pg.statement(conn, "market gov")
        (plan,), = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).fetchone()
        hits = pg.search(conn, "market gov")
    assert [h["curie"] for h in hits[:3]] == ["ex:G1", "ex:G2", "ex:G3"] and len(hits) == 50
    assert _work(plan["Plan"]) < 500 * n, _work(plan["Plan"])  # was 98,000: 150 words a hit, each by every term


@pytest.mark.parametrize("secret", ["Sec@ret?9x", "Sec@ret#9x", "Sec@re't9x", "Sec@ret9x/?a=b"])
@pytest.mark.parametrize("command", [["status"], ["search", "robot"]])
def test_a_password_whose_at_sign_comes_before_a_question_mark_is_never_printed(secret, command, capsys):
    """A password pasted into the URL unencoded, holding an `@` and after it a `?`, `#` or a quote
    (`Sec@ret?9x`): the mask took the first `@` followed by a `?` for the host's, and printed
    `postgresql://u:***@ret?9x%40127.0.0.1...` (the query re-encoded), and libpq's `invalid URI query
    parameter: "9x@127..."` the rest. The mask now runs to the last `@` (or `%40`) of the URL, and
    a piece libpq quotes holding an `@` is masked to it. Still one line naming the host, exit 2."""
    url = f"postgresql://ontosync:{secret}@127.0.0.1:9/onto?schema=s"
    assert main([*command, "--db", url]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "***" in err and "127.0.0.1" in err, err
    assert not any(piece in err for piece in ("Sec", "ret", "9x", "re't")), err


def _ts_stat_rows(plan: dict) -> int:
    """The rows the plan's ts_stat gave (0: never run), each time it ran."""
    own = plan.get("Actual Rows", 0) * plan.get("Actual Loops", 0) if plan.get("Function Name") == "ts_stat" else 0
    return own + sum(_ts_stat_rows(p) for p in plan.get("Plans", []))


def test_a_one_letter_search_does_not_list_the_words_of_every_hit_twice(schema):
    """`search c` on PostgreSQL: h107's cut of each hit's words listed the words the prefix stands for
    with ts_stat of every hit, most of the index's words when the prefix is short, and the hits are
    most rows: 10,000 rows of 44 words (30,000 distinct), `c` 190 -> 680 ms. A prefix shorter than 3
    characters now unnests each hit whole, as before the cut (ts_stat never runs); `cab` is still cut."""
    from ontosync.store.pg import search as pg
    from tests.test_postgres_round8 import _search_table

    n = 40
    with _search_table(schema, ("INSERT INTO class_search (curie, label, definition) SELECT 'ex:C' || i, 'Cab ' || i, "
                                "(SELECT string_agg('c' || i || 'x' || j, ' ') FROM generate_series(1, 100) AS j) "
                                "FROM generate_series(1, ?) AS i", (n,))) as conn:
        plans = {text: conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).fetchone()[0][0]["Plan"]
                 for text in ("c", "cab") for sql, params in [pg.statement(conn, text)]}
        hits = {text: [h["curie"] for h in pg.search(conn, text)] for text in ("c", "cab")}
    assert hits["c"] == hits["cab"] == [f"ex:C{i}" for i in range(1, n + 1)], hits  # "Cab 9" before "Cab 10"
    assert _ts_stat_rows(plans["c"]) == 0, _ts_stat_rows(plans["c"])  # was 4,041: every word of every hit, once more
    assert _ts_stat_rows(plans["cab"]) > 0  # a longer prefix stands for few words: each hit is cut to them

