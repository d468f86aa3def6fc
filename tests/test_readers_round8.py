"""The readers' layer and `ontosync search`, eighth round.

- A search text of some 18,700 distinct words (a 128 kB argument holds more) failed on PostgreSQL
  with "fatal: stack depth limit exceeded", exit 3, where SQLite answered: the tsquery and-ed
  the words one level deeper each (store/pg/search.py `_all_of`).
- A query the PostgreSQL server refused a read command (`search`, `diff`, `verify`: permission
  denied on a table a later migration added, a statement timeout) was "fatal: <the server's
  words>", no store named; the line now names the URL (password masked) and schema.
"""

from __future__ import annotations

import json
from pathlib import Path

from ontosync.cli import main

PREFIXES = """@prefix ex: <http://example.org/r8#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
"""
FEW = "http://example.org/r8#Few"
MANY = " ".join(f"w{i}" for i in range(19_000))  # past the ~18,650 words PostgreSQL's stack held


def _sync(root: Path, tree: str, db: str | None = None) -> str:
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "src" / "a.ttl").write_text(PREFIXES + tree, encoding="utf-8")
    db = db or str(root / "r8.db")
    assert main(["sync", str(root / "src"), "--db", db, "--quiet", "--checkpoint", str(root / "r8.json")]) == 0
    return db


def _search(db: str, text: str, capsys) -> list[str]:
    capsys.readouterr()
    assert main(["search", text, "--db", db, "--json"]) == 0, capsys.readouterr().err
    return [h["curie"] for h in json.loads(capsys.readouterr().out)]


def test_a_search_of_thousands_of_words_answers_on_both_databases(tmp_path, capsys):
    from tests.postgres_server import own_schema, schema_url

    tree = 'ex:Few a owl:Class ; rdfs:label "Few words" ; obo:IAO_0000115 "w0 w1 w18999" .\n'
    lite = _sync(tmp_path / "lite", tree)
    assert _search(lite, MANY, capsys) == [] and _search(lite, "w18999 w0", capsys) == [FEW]
    for schema in own_schema():  # skips without a server
        url = _sync(tmp_path / "pg", tree, db=schema_url(schema))
        assert _search(url, MANY, capsys) == [] and _search(url, "w18999 w0", capsys) == [FEW]


def test_a_query_the_server_refuses_names_the_store(tmp_path, capsys):
    # a reader role granted the store before a later migration added a table (store/pg/rights.py lets
    # the command that needs it say so): `search` said only "fatal: permission denied for table
    # class_search_words", no database named; `diff` and `verify` end the same way
    from tests.postgres_server import own_schema, reader_role, run_sql, schema_url

    for schema in own_schema():  # skips without a server
        _sync(tmp_path, 'ex:Few a owl:Class ; rdfs:label "Few words" .\n', db=schema_url(schema))
        with reader_role() as (role, url):
            run_sql(
                f'GRANT USAGE ON SCHEMA "{schema}" TO {role}; '
                f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {role}; '
                f'REVOKE SELECT ON "{schema}".class_search_words FROM {role}'
            )
            capsys.readouterr()
            assert main(["search", "few", "--db", f"{url}?schema={schema}"]) == 3
            err = capsys.readouterr().err.strip()
            assert len(err.splitlines()) == 1 and "permission denied for table class_search_words" in err, err
            password = url.split("@")[0].rsplit(":", 1)[1]
            assert f"schema {schema}" in err and "127.0.0.1" in err and password not in err, err
