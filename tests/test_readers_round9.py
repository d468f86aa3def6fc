"""The readers' layer, `diff` and the review's markdown, ninth round (task h162).

- The semantic-sql `prefix` table listed an OBO base twice when `.ontosync.yml` named it
  (`go: http://purl.obolibrary.org/obo/GO_`): `GO` (the OBO convention, what the CURIEs use) and
  `go`; OAK's `prefixes` showed both (store/closure.py `_obo_prefix`).
- `diff --base`'s first line is `BASE -> HEAD`: a database path holding ` -> ` read as three
  sides; the markdown's "base A → head B" the same with `→`.
- An emoji shortcode (`:warning:`, `:+1:`) in user text showed as the emoji in the pull-request
  comment and the job summary; GitHub's own names only get a joiner (text_cut.no_emoji), not a
  CURIE's or a time's colons.
- The JSON modes of `search`, `status` and `diff` on error: the line on stderr, stdout empty (no
  case found that broke it on main; README's "Failures and exit codes" states the rule, kept here).
- A damaged database (a b-tree page overwritten): `search` said "cannot search (...malformed);
  run `ontosync sync` with this version first", `status` "is not an ontosync database"; both now
  say it is damaged, as `sync` does (store/health.is_damaged); and so does `diff`, of its `--db` (it
  gave SQLite's words alone) and of its `--base` ("is not an ontosync database", exit 2).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from ontosync.action.summary import cell, code, summary_markdown
from ontosync.cli import main
from ontosync.diff_format import md, to_markdown
from tests.helpers import q

OBO_GO = "http://purl.obolibrary.org/obo/GO_"
TTL = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix GO: <http://purl.obolibrary.org/obo/GO_> .
GO:0000001 a owl:Class ; rdfs:label "{label}" .
GO:0000002 a owl:Class ; rdfs:label "two" ; rdfs:subClassOf GO:0000001 .
"""


def _tree(root: Path, label: str = "one", config: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "go.ttl").write_text(TTL.format(label=label), encoding="utf-8")
    if config:
        (root / ".ontosync.yml").write_text(config, encoding="utf-8")
    return root


def _sync(tree: Path, db: str, checkpoint: Path) -> None:
    assert main(["sync", str(tree), "--db", db, "--quiet", "--workers", "1", "--checkpoint", str(checkpoint)]) == 0


# -- 1. one prefix per base -----------------------------------------------------------------------

ALIAS = f"namespaces:\n  go: {OBO_GO}\n"


def test_an_obo_base_the_namespace_table_names_again_is_one_prefix_row(tmp_path):
    tree, db = _tree(tmp_path / "t", config=ALIAS), tmp_path / "t.db"
    _sync(tree, str(db), tmp_path / "t.json")
    assert q(db, "SELECT DISTINCT substr(subject, 1, 3) FROM statements WHERE subject LIKE 'GO:%'") == [("GO:",)]
    assert q(db, "SELECT prefix FROM prefix WHERE base = ?", OBO_GO) == [("GO",)]
    assert q(db, "SELECT base FROM prefix GROUP BY base HAVING count(*) > 1") == []
    _tree(tree, label="one again")  # a later run (the table is kept, not rebuilt) keeps the one row
    _sync(tree, str(db), tmp_path / "t.json")
    assert q(db, "SELECT prefix FROM prefix WHERE base = ?", OBO_GO) == [("GO",)]
    runoak = os.environ.get("ONTOSYNC_RUNOAK")
    if runoak:  # what OAK lists (tests/test_oak.py runs it the same way)
        out = subprocess.run([runoak, "-i", f"sqlite:{db}", "prefixes"], capture_output=True, text=True,
                             timeout=300, check=True).stdout
        assert [line.split()[0] for line in out.splitlines() if line.split()[1:] == [OBO_GO]] == ["GO"], out


def test_the_same_on_postgresql(tmp_path):
    from tests.postgres_server import own_schema, pg_row, schema_url

    tree = _tree(tmp_path / "t", config=ALIAS)
    for schema in own_schema():  # skips without a server
        url = schema_url(schema)
        _sync(tree, url, tmp_path / "pg.json")
        assert pg_row(url, f'SELECT string_agg(prefix, \',\') FROM "{schema}".prefix WHERE base = %s', OBO_GO) \
            == ("GO",)


# -- 2. ` -> ` in a database path ----------------------------------------------------------------

def _two_databases(tmp_path: Path, head_name: str) -> tuple[str, str]:
    base, head = str(tmp_path / "base.db"), str(tmp_path / head_name)
    _sync(_tree(tmp_path / "a"), base, tmp_path / "a.json")
    _sync(_tree(tmp_path / "b", label="renamed"), head, tmp_path / "b.json")
    return base, head


def test_a_database_path_holding_the_arrow_is_quoted_in_the_text(tmp_path, capsys):
    base, head = _two_databases(tmp_path, "x -> y.db")
    capsys.readouterr()
    assert main(["diff", "--db", head, "--base", base]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == f'{base} -> "{head}"', first  # was `base.db -> x -> y.db`: which two?
    assert main(["diff", "--db", base, "--base", head]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f'"{head}" -> {base}'


def test_a_database_path_holding_an_arrow_is_code_in_the_markdown(tmp_path, capsys):
    base, head = _two_databases(tmp_path, "x → head y.db")
    capsys.readouterr()
    assert main(["diff", "--db", head, "--base", base, "--format", "markdown"]) == 0
    [said] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Compared:")]
    shown = base.replace(".", "\\.").replace("_", "\\_").replace("-", "\\-")
    assert said == f"Compared: base {shown} → head `{head}`", said


# -- 3. emoji shortcodes ------------------------------------------------------------------------

_SHORTCODE = re.compile(r":[0-9a-z_+\-]+:")


def _rendered(markdown: str) -> str:
    """The text GitHub's emoji filter sees: markdown's backslash escapes and HTML's entities undone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("&lt;", "<").replace("&amp;", "&")


def _change(label: str) -> dict:
    return {"base": {"run": 1, "revision": None}, "head": {"run": 2, "revision": None},
            "classes": {"added": [{"iri": "http://ex.org/B", "label": label}], "removed": [], "changed": [
                {"iri": "http://ex.org/A", "label": label, "changes": {"label": [":x:", label]}}]},
            "properties": {"added": [], "removed": [], "changed": []},
            "axioms": {"added": 0, "removed": 0, "by_subject": []}}


@pytest.mark.parametrize("text", [":warning:", "Fix :+1: it", ":white_check_mark: Done", "a :-1: b", "x :rocket:y",
                                  "obo:tada:", ":octocat:"])
def test_an_emoji_shortcode_in_user_text_shows_as_its_text(text):
    for shown in (md(text), cell(text), to_markdown(_change(text))):
        assert not _SHORTCODE.search(_rendered(shown)), shown
    for shown in (md(text), cell(text)):
        assert _rendered(shown).replace("\u200d", "") == text
    report = {"errors": [{"path": "a.ttl", "kind": "parse", "message": f"bad {text}"}],
              "warnings": [{"path": "b.ttl", "kind": text, "message": text}]}
    assert not _SHORTCODE.search(_rendered(summary_markdown(report, 0, {})))


@pytest.mark.parametrize("text", ["obo:GO:0008150", "10:30:00", "urn:isbn:0451450523", "file:line:col", ":Warning:",
                                  ":not_an_emoji_name:"])
def test_a_colon_pair_that_is_no_emoji_name_is_left_alone(text):
    """The joiner once went after every `:word:` colon, into CURIEs and times a reader copies."""
    for shown in (md(text), cell(text), code(text)):
        assert "\u200d" not in shown, shown


def test_a_path_in_code_gets_no_joiner():
    """GitHub shows no emoji inside `<code>`: a file named `:tada:.md` is copied as it is."""
    assert _rendered(code(":tada:.md")) == "<code>:tada:.md</code>"


# -- 4. JSON modes on error ---------------------------------------------------------------------

def test_a_json_mode_that_fails_leaves_stdout_empty(tmp_path, capsys):
    other = tmp_path / "other.db"  # another program's SQLite file
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE foo (a)")
    conn.commit()
    conn.close()
    db = str(tmp_path / "t.db")
    _sync(_tree(tmp_path / "t"), db, tmp_path / "t.json")
    cases = [(["search", "one", "--json", "--db", str(other)], 2),  # another program's file: exit 2 (h165)
             (["status", "--json", "--db", str(other)], 2),
             (["diff", "--format", "json", "--db", str(other)], 2),
             (["search", "one", "--json", "--db", str(tmp_path / "none.db")], 2),
             (["status", "--json", "--db", str(tmp_path / "none.db")], 2),
             (["diff", "--format", "json", "--db", db, "--run", "99"], 2),
             (["diff", "--format", "json", "--db", db, "--base", str(other)], 2)]
    for argv, code_ in cases:
        capsys.readouterr()
        assert main(argv) == code_, argv
        out, err = capsys.readouterr()
        assert out == "" and len(err.splitlines()) == 1 and err.startswith("ontosync: "), (argv, out, err)
    assert main(["status", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["classes"] == 2


# -- 5. a damaged database ---------------------------------------------------------------------

def _damaged(tmp_path: Path) -> str:
    """A synced database with one of its b-tree pages overwritten (as a disk fault leaves it)."""
    db = str(tmp_path / "t.db")
    _sync(_tree(tmp_path / "t"), db, tmp_path / "t.json")
    with open(db, "r+b") as fh:
        size = fh.seek(0, 2)
        for page in range(2, size // 4096):
            fh.seek(page * 4096)
            fh.write(b"\xff" * 4096)
    return db


@pytest.mark.parametrize("argv", [["search", "one"], ["status"]])
def test_a_damaged_database_is_said_damaged_by_search_and_status(tmp_path, capsys, argv):
    """`search` said "cannot search (database disk image is malformed); run `ontosync sync` with this
    version first" (a sync refuses a damaged database), `status` that the file "is not an ontosync
    database": both now say what `sync` says, the database is damaged, and `verify`."""
    db = _damaged(tmp_path)
    capsys.readouterr()
    assert main([*argv, "--db", db]) == 3
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"ontosync: fatal: {db}: the database is damaged (") and \
        err.rstrip().endswith("`ontosync verify` lists the problems") and len(err.splitlines()) == 1, err


def test_diff_names_a_damaged_database_damaged_as_head_and_as_base(tmp_path, capsys):
    """`diff --base` of a damaged database said it "is not an ontosync database", exit 2 (a usage
    error, as for another program's file); `diff --db` of one gave SQLite's words alone. Both are
    now the damaged-database line of `sync` and `status`, exit 3, naming the damaged one."""
    db = _damaged(tmp_path)
    good = str(tmp_path / "good.db")
    _sync(_tree(tmp_path / "g"), good, tmp_path / "g.json")
    for argv, damaged in ((["--db", good, "--base", db], db), (["--db", db], db), (["--db", db, "--base", good], db)):
        capsys.readouterr()
        assert main(["diff", *argv]) == 3, argv
        out, err = capsys.readouterr()
        assert out == "" and err.startswith(f"ontosync: fatal: {damaged}: the database is damaged (") and \
            err.rstrip().endswith("`ontosync verify` lists the problems") and len(err.splitlines()) == 1, (argv, err)
