"""The change log, `diff`, the review comment and a PostgreSQL sync's last words (task h29: round 3).

Each test is a defect a reviewer or a user met: `diff --run N` of an old run naming parents by the
labels they carry today, a pull-request comment promising a "full list" the job summary cannot hold,
a sync whose PostgreSQL session was lost reporting 0 classes, and a migration cancelled by a
`statement_timeout` without the hint a save gets. Then what the hunt found: an ambiguous `--since`
prefix guessed, `diff --output` writing over the database, issue references (`#12`) in labels,
`search --limit 0` and wordless text, an IRI cut silently, an older head database's error.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from tests.helpers import cli

OWL = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
P, C = "http://ex.org/P", "http://ex.org/C"


def _parent(label: str) -> str:
    return OWL + f'<{P}> a owl:Class ; rdfs:label "{label}" .\n'


def _child(with_parent: bool) -> str:
    return OWL + f'<{C}> a owl:Class ; rdfs:label "Child" ' + (f"; rdfs:subClassOf <{P}> " if with_parent else "") \
        + f'.\n<{C}> rdfs:comment "a note" .\n'


def _history(tmp_path: Path, db: str, keep_runs: int) -> None:
    """Run 1: P "Old parent" and C; run 2: C under P; run 3: P relabelled "New parent"; run 4: again."""
    tree = tmp_path / "tree"
    tree.mkdir()
    steps = [(_parent("Old parent"), _child(False)), (None, _child(True)), (_parent("New parent"), None),
             (_parent("Newest parent"), None)]
    for parent, child in steps:
        for name, text in (("p.ttl", parent), ("c.ttl", child)):
            if text is not None:
                (tree / name).write_text(text, encoding="utf-8")
        r = cli("sync", tree, "--db", db, "--quiet", "--keep-runs", str(keep_runs),
                "--checkpoint", tmp_path / "c.json")
        assert r.returncode == 0, r.stderr


def _diff(db: str, *args: str) -> dict:
    r = cli("diff", "--db", db, "--format", "json", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _labels_of_an_old_run(tmp_path: Path, db: str) -> None:
    _history(tmp_path, db, keep_runs=3)  # run 1 (the first sync, which recorded P) is pruned
    old = _diff(db, "--run", "2")
    [changed] = old["classes"]["changed"]
    assert changed["iri"] == C
    assert changed["changes"]["parents_added"] == [{"iri": P, "label": "Old parent"}]
    # the newest run's diff names P as it is now, and the old label is its change
    new = _diff(db)
    assert new["classes"]["changed"][0]["changes"]["label"] == ["New parent", "Newest parent"]
    run3 = _diff(db, "--run", "3")
    assert run3["classes"]["changed"][0]["changes"]["label"] == ["Old parent", "New parent"]


def test_diff_of_an_old_run_shows_the_labels_of_its_time(tmp_path):
    """`diff --run 2` (C put under P) after P was relabelled twice: the parent was named by its
    label of today ("Newest parent"), not the one a reviewer of run 2 saw ("Old parent")."""
    _labels_of_an_old_run(tmp_path, str(tmp_path / "o.db"))


def test_diff_of_an_old_run_shows_the_labels_of_its_time_on_postgresql(tmp_path):
    from tests.postgres_server import own_schema, schema_url

    for schema in own_schema():
        _labels_of_an_old_run(tmp_path, schema_url(schema))


def test_a_statement_timeout_in_a_migration_gives_the_hint_a_save_gets(tmp_path):
    """A role's statement_timeout cancelling a migration (here 008's DROP INDEX, waiting for a
    reader's lock): "migration ... failed and was rolled back: canceling statement due to statement
    timeout", without the URL option that lifts it, which a save's timeout names."""
    from tests.postgres_server import connect, own_schema, run_sql, schema_url

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "p.ttl").write_text(_parent("P"), encoding="utf-8")
    for schema in own_schema():
        url = schema_url(schema)
        assert cli("migrate", "--db", url).returncode == 0
        run_sql(f'DELETE FROM "{schema}".schema_migrations WHERE version = 8')  # 008 pending again, with
        run_sql(f'CREATE INDEX owl_classes_source_file ON "{schema}".owl_classes (source_file)')  # its index
        reader = connect()
        reader.autocommit = False
        try:
            reader.cursor().execute(f'SELECT 1 FROM "{schema}".owl_classes')  # holds the table's lock
            r = cli("sync", tree, "--db", url + "&options=-c%20statement_timeout%3D200", "--quiet",
                    "--checkpoint", tmp_path / "c.json")
        finally:
            reader.rollback()
            reader.close()
        assert r.returncode == 3, r.stderr
        [line] = r.stderr.strip().splitlines()
        assert "migration postgresql/008_writer_indexes.sql failed and was rolled back" in line, line
        assert "statement_timeout" in line and "options=-c%20statement_timeout%3D0" in line, line
        assert "files saved" not in line  # a save's words: no file was saved
        assert cli("sync", tree, "--db", url, "--quiet", "--checkpoint", tmp_path / "c.json").returncode == 0


def test_a_lost_session_reports_the_classes_the_database_holds(tmp_path):
    """The server ends the writer's session while it saves c.ttl (exit 3, resume later): the
    summary and report said "0 classes", though a.ttl's and b.ttl's were committed. The counts are
    now read on a new session, and equal the schema's own count."""
    from tests.postgres_server import connect, own_schema, run_sql, schema_url

    tree = tmp_path / "tree"
    tree.mkdir()
    for name in "abc":
        (tree / f"{name}.ttl").write_text(OWL + f"<http://ex.org/{name}/A> a owl:Class .\n"
                                          f"<http://ex.org/{name}/B> a owl:Class ; rdfs:subClassOf "
                                          f"<http://ex.org/{name}/A> .\n", encoding="utf-8")
    for schema in own_schema():
        url = schema_url(schema)
        assert cli("migrate", "--db", url).returncode == 0
        run_sql(f"""CREATE FUNCTION "{schema}".stop() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.path = 'c.ttl' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
                    RETURN NEW; END $$""")
        run_sql(f'CREATE TRIGGER stop BEFORE INSERT OR UPDATE ON "{schema}".source_files '
                f'FOR EACH ROW EXECUTE FUNCTION "{schema}".stop()')
        report = tmp_path / "report.json"
        r = cli("sync", tree, "--db", url, "--report", report, "--checkpoint", tmp_path / "c.json", "--workers", "1")
        assert r.returncode == 3, r.stderr
        conn = connect()
        try:
            cur = conn.cursor()
            cur.execute(f'SELECT count(*) FROM "{schema}".owl_classes WHERE source_file IS NOT NULL')
            classes = cur.fetchone()[0]
            cur.execute(f'SELECT count(*) FROM "{schema}".owl_class_hierarchy')
            edges = cur.fetchone()[0]
        finally:
            conn.close()
        assert classes == 4 and edges == 2  # a.ttl and b.ttl were committed, c.ttl was not
        entities = json.loads(report.read_text(encoding="utf-8"))["entities"]
        assert (entities["classes"], entities["hierarchy_edges"]) == (classes, edges)
        assert f"; {classes} classes, {edges} hierarchy edges" in r.stderr, r.stderr


def _end_the_sleeping_save(name: str) -> None:
    """From another session: wait for the save asleep in the trigger, make the database take no new
    session, and end the save's."""
    from tests.postgres_server import connect

    conn = connect()
    try:
        cur = conn.cursor()
        for _ in range(200):
            cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event = 'PgSleep'", (name,))
            row = cur.fetchone()
            if row:
                cur.execute(f"ALTER DATABASE {name} CONNECTION LIMIT 0")
                cur.execute("SELECT pg_terminate_backend(%s)", row)
                return
            time.sleep(0.05)
    finally:
        conn.close()


def test_counts_that_cannot_be_read_are_not_zeros(tmp_path):
    """The session is lost and the server takes no new one (here: the database's CONNECTION
    LIMIT 0, set while a save waits): no counts to give, so none, and a line saying so, not "0
    classes" for a database that holds some."""
    from tests.postgres_server import connect, own_database

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.ttl").write_text(_parent("A"), encoding="utf-8")
    (tree / "b.ttl").write_text(_parent("B").replace("/P>", "/Q>"), encoding="utf-8")
    with own_database() as (name, server):
        url = server + "?schema=s"
        assert cli("migrate", "--db", url).returncode == 0
        conn = connect(url)
        try:
            conn.cursor().execute("""CREATE FUNCTION s.stop() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.path = 'b.ttl' THEN PERFORM pg_sleep(20); END IF; RETURN NEW; END $$""")
            conn.cursor().execute("CREATE TRIGGER stop BEFORE INSERT OR UPDATE ON s.source_files "
                                  "FOR EACH ROW EXECUTE FUNCTION s.stop()")
        finally:
            conn.close()
        ender = threading.Thread(target=_end_the_sleeping_save, args=(name,))
        ender.start()
        report = tmp_path / "report.json"
        try:
            r = cli("sync", tree, "--db", url, "--report", report, "--checkpoint", tmp_path / "c.json",
                    "--workers", "1")
        finally:
            ender.join()
        assert r.returncode == 3, r.stderr
        assert "the database's counts could not be read" in r.stderr and " 0 classes" not in r.stderr, r.stderr
        data = json.loads(report.read_text(encoding="utf-8"))
        assert set(data["entities"].values()) == {None}
        from ontosync.action.summary import outputs_from_report, summary_markdown

        assert "| not read | not read | not read | not read |" in summary_markdown(data, 3, {}, "lost")
        assert outputs_from_report(data, {})["classes"] == ""


def _many_added(n: int) -> dict:
    # two UTF-8 bytes a letter: the summary's budget (bytes) is reached in fewer rows
    rows = [{"iri": f"http://ex.org/t{i:05d}", "label": f"Term {i:05d} " + "é" * 190} for i in range(n)]
    return {"base": {"run": 3, "revision": "b" * 40}, "head": {"run": 4, "revision": "d" * 40},
            "classes": {"added": rows, "removed": [], "changed": []},
            "properties": {"added": [], "removed": [], "changed": []},
            "axioms": {"added": 0, "removed": 0, "by_subject": []}}


def _comment(data: dict, artifact: str = "ontology-db") -> str:
    from ontosync.action.pull_request import PullRequest, comment_body

    pr = PullRequest(7, "acme/onto", "b" * 40, "main", "d" * 40)
    return comment_body(data, pr, "the base", "https://github.example/acme/onto/actions/runs/9", "ontology.db",
                        artifact=artifact)


def test_the_comment_says_what_the_summary_holds_of_a_very_large_diff():
    """1,200 classes added: the comment said "see the full list in the run's summary", but the
    summary's part (200,000 bytes of GitHub's 1 MiB) holds some 500 of them. The comment now says
    how many the summary shows and what gives them all."""
    from ontosync.action.changes import summary_section

    data = _many_added(1200)
    in_summary = summary_section(data, "ontosync-changes.json").count("| Term ")
    assert 0 < in_summary < 1200
    body = _comment(data)
    assert "full list" not in body
    assert f"has the first {in_summary} of the 1200 rows" in body, body[-600:]
    assert f"`ontosync diff --db ontology.db --since {'b' * 12}` on the database of the run's ontology\\-db " \
           "artifact gives them all" in body, body[-600:]
    no_upload = _comment(data, artifact="")
    assert "artifact" not in no_upload and "the step's `changes` output (a JSON file) holds them all" in no_upload


def test_the_comment_says_the_summary_holds_all_when_it_does():
    data = _many_added(300)  # over the comment's 60,000 characters, under the summary's part
    from ontosync.action.changes import summary_section

    assert summary_section(data, "ontosync-changes.json").count("| Term ") == 300
    body = _comment(data)
    shown = body.count("| Term ")
    assert 0 < shown < 300
    assert f"…and {300 - shown} more rows not shown here; [the run's summary](https://github.example/acme/onto/" \
           "actions/runs/9) has all 300." in body, body[-600:]


def _synced_at(tmp_path: Path, revisions: list[str]) -> str:
    """A database synced once per revision, each run relabelling P (run i: "Label i")."""
    tree, db = tmp_path / "tree", str(tmp_path / "r.db")
    tree.mkdir()
    for i, revision in enumerate(revisions, 1):
        (tree / "p.ttl").write_text(_parent(f"Label {i}"), encoding="utf-8")
        r = cli("sync", tree, "--db", db, "--quiet", "--checkpoint", tmp_path / "c.json", env={"GITHUB_SHA": revision})
        assert r.returncode == 0, r.stderr
    return db


def test_since_an_ambiguous_prefix_is_refused_not_guessed(tmp_path):
    """Two commits share the prefix `abcdef1`: `--since abcdef1` silently took the newer one and
    showed the runs after it, not those after the commit the user meant (git itself refuses such a
    prefix). It is now exit 2 naming both; the full revision, or the same commit synced twice, works."""
    first, second = "abcdef1" + "0" * 33, "abcdef1" + "f" * 33
    db = _synced_at(tmp_path, [first, second, "1234567" + "0" * 33, second])
    r = cli("diff", "--db", db, "--since", "abcdef1")
    assert r.returncode == 2 and r.stdout == ""
    [line] = r.stderr.strip().splitlines()
    assert "ambiguous" in line and first[:12] in line and second[:12] in line, line
    # the same commit synced twice (runs 2 and 4) is no ambiguity: the newest run at it
    assert _diff(db, "--since", second[:10])["base"] == {"run": 4, "revision": second}
    full = _diff(db, "--since", first)
    assert (full["base"]["run"], full["head"]["run"]) == (1, 4)
    assert full["classes"]["changed"][0]["changes"]["label"] == ["Label 1", "Label 4"]


def test_since_a_prefix_too_short_or_blank_says_why(tmp_path):
    db = _synced_at(tmp_path, ["abcdef1" + "0" * 33])
    for since, words in (("abcdef", "7 or more characters"), ("", "must not be empty"), ("  ", "must not be empty")):
        r = cli("diff", "--db", db, "--since", since)
        assert r.returncode == 2 and words in r.stderr and len(r.stderr.strip().splitlines()) == 1, (since, r.stderr)


def test_issue_numbers_in_labels_do_not_link_issues():
    """A label "Fix #12, see acme/onto#3 and GH-7" in the pull-request comment: GitHub links `#12`
    (a backslash escape does not stop it) and adds a "mentioned" back-reference to issue 12 at every
    push. Each reference is broken with a zero-width joiner, as `@` mentions are."""
    import re

    from ontosync.diff_format import ZWJ, md

    shown = md("Fix #12, see acme/onto#3 and GH-7; C# and #hashtag stay")
    assert not re.search(r"#\d|GH-\d", shown.replace("\\", "")), shown
    assert shown.replace(ZWJ, "").replace("\\", "") == "Fix #12, see acme/onto#3 and GH-7; C# and #hashtag stay"


def test_search_refuses_what_it_cannot_do_in_one_line(tmp_path):
    """`search --limit 0` printed one class (clamped to 1) and `--limit -1` one too; text with no
    word in it ("", "   ", "*", "() | -") printed "0 class(es)", as if the database held no match.
    Each is now exit 2 with one line saying why; FTS syntax in real text stays plain words."""
    db = _synced_at(tmp_path, ["abcdef1" + "0" * 33])  # P, "Label 1"
    refused = [(("label", "--limit", "0"), "--limit"), (("label", "--limit", "-1"), "--limit")]
    refused += [((text,), "no word") for text in ("", "   ", "*", "() | -", "___")]
    for args, words in refused:
        r = cli("search", "--db", db, *args)
        assert r.returncode == 2 and r.stdout == "" and words in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    for text in ('"label', "label*", "label OR nothing", "NEAR(label 1)", "x" * 10_000, "label " * 2000):
        r = cli("search", "--db", db, text, "--json")
        assert r.returncode == 0, (text[:20], r.stderr)
        found = [h["curie"] for h in json.loads(r.stdout)]
        assert found == ([] if text.startswith(("x", "label OR", "NEAR")) else [P]), (text[:20], found)


def test_a_long_iri_cut_in_markdown_says_it_was_cut():
    """An IRI over 300 characters was cut silently in the comment: a reviewer read a shorter IRI,
    as if it were the class's, with nothing saying the rest was missing."""
    from ontosync.diff_format import md_iri

    iri = "http://ex.org/" + "i" * 400
    shown = md_iri(iri)
    assert shown.endswith("…`") and len(shown) <= 302 and shown[1:-2] == iri[:len(shown) - 3]
    assert md_iri("http://ex.org/short") == "`http://ex.org/short`"


def test_diff_output_never_replaces_a_database(tmp_path):
    """`diff --output` naming the database (`--db x.db --output x.db`, a link to it, its -wal, or
    the --base database) replaced it with the diff's text, exit 0: every row lost. Exit 2 now, the
    databases untouched, as `sync --report x.db` is refused."""
    db = _synced_at(tmp_path, ["abcdef1" + "0" * 33, "1234567" + "0" * 33])
    base = tmp_path / "base.db"
    base.write_bytes(Path(db).read_bytes())
    (tmp_path / "link.db").symlink_to(db)
    before = {p: Path(p).read_bytes() for p in (db, base)}
    for extra, output, named in (((), db, "--db"), ((), str(tmp_path / "link.db"), "--db"), ((), db + "-wal", "--db"),
                                 (("--base", str(base)), str(base), "--base")):
        r = cli("diff", "--db", db, *extra, "--output", output)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert f"--output {output}: is the database ({named})" in r.stderr, r.stderr
    assert {p: Path(p).read_bytes() for p in (db, base)} == before
    assert not Path(db + "-wal").exists() or Path(db + "-wal").stat().st_size == 0
    assert cli("diff", "--db", db, "--output", tmp_path / "d.txt").returncode == 0
    assert "Label 1" in (tmp_path / "d.txt").read_text(encoding="utf-8")


def test_diff_of_an_older_head_database_says_how_to_upgrade_it(tmp_path):
    """`diff --db OLD --base NEW`: an older base got "is an older ontosync database ... upgrade it
    with `ontosync migrate`", an older head "fatal: OLD: no such table: file_synonyms" (exit 3, as
    for a damaged file). The head now gets the base's line, exit 2, and the advice works."""
    from tests.helpers import database_at

    db = _synced_at(tmp_path, ["abcdef1" + "0" * 33])
    old = tmp_path / "old.db"
    database_at(old, 1)
    r = cli("diff", "--db", old, "--base", db)
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert f"{old} is an older ontosync database (schema 001;" in r.stderr and "ontosync migrate --db" in r.stderr
    assert cli("migrate", "--db", old).returncode == 0
    assert [c["iri"] for c in json.loads(cli("diff", "--db", old, "--base", db, "--format", "json").stdout)
            ["classes"]["removed"]] == [P]
