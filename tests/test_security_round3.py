"""Security, round 3 (task h109): hostile input and secrets, where earlier hunts left them open.

Each test names what a user saw before its fix. Everything runs here: the CLI in-process on tiny
trees, the fake GitHub API (tests/fake_github.py) on 127.0.0.1, no mock.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.fake_github import FakeGitHub
from tests.helpers import cli

TTL = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
       "<http://example.org/h109#{name}> a owl:Class .\n")


# -- a configuration file of the checkout may not say where the token goes -------------------------

@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    """A workflow's workspace (the checkout of a pull request) holding `ci/ontosync.yml`."""
    ws = tmp_path / "ws"
    (ws / "ci").mkdir(parents=True)
    return ws


def test_a_checkout_config_cannot_send_the_token_to_another_api(workspace, tmp_path):
    """A workflow's `ontosync sync github:o/r --config ci/ontosync.yml` with `api-url: http://attacker/`
    in that file, which a pull request may change: the sync sent `Authorization: token $GITHUB_TOKEN`
    to that host, exit 0 when it answered as GitHub. An `--api-url` flag (the Action passes one) wins."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.ttl").write_text(TTL.format(name="A"), encoding="utf-8")
    with FakeGitHub(src) as attacker:  # answers only requests that carry the token
        (workspace / "ci" / "ontosync.yml").write_text(f"api-url: {attacker.url}\n", encoding="utf-8")
        proc = cli("sync", "github:o/r", "--config", "ci/ontosync.yml", "--db", tmp_path / "x.db", "--quiet",
                   cwd=workspace, env={"GITHUB_WORKSPACE": str(workspace), "GITHUB_TOKEN": attacker.token,
                                       "GITHUB_API_URL": "http://127.0.0.1:9"})
        assert attacker.log == [], attacker.log
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    line = proc.stderr.strip()
    assert "\n" not in line and "ci/ontosync.yml" in line and "'api-url'" in line, line
    assert attacker.token not in proc.stderr + proc.stdout
    flag = cli("sync", "github:o/r", "--config", "ci/ontosync.yml", "--db", tmp_path / "x.db", "--quiet",
               "--api-url", "http://127.0.0.1:9", "--retries", "1", cwd=workspace,
               env={"GITHUB_WORKSPACE": str(workspace), "GITHUB_TOKEN": "t"})
    assert flag.returncode == 2 and "'api-url'" not in flag.stderr and "GET commit HEAD" in flag.stderr, flag.stderr


# -- a --db that is neither a PostgreSQL URL nor a path ----------------------------------------------

DB_SECRET = "Pw-H109-db"


@pytest.mark.parametrize("db", [f"postgresql+psycopg2://u:{DB_SECRET}@127.0.0.1:9/db",  # SQLAlchemy's spelling
                                f" postgresql://u:{DB_SECRET}@127.0.0.1:9/db",  # pasted with a blank
                                f"host=127.0.0.1 port=9 password={DB_SECRET} dbname=db"])  # libpq's key=value
@pytest.mark.parametrize("command", ["sync", "status", "diff"])
def test_a_database_url_ontosync_does_not_take_is_refused_without_its_password(tmp_path, db, command):
    """Taken for a SQLite path: `--db postgresql+psycopg2://u:PW@host/db` was refused with the
    password in the clear (`database not found: postgresql+psycopg2://u:PW@...`, `folder .../u:PW@host
    does not exist`; `diff --base` likewise), a leading blank too; libpq's `host=... password=PW
    dbname=...` was synced, exit 0, into a SQLite file (and checkpoint) named with the password."""
    (tmp_path / "a.ttl").write_text(TTL.format(name="A"), encoding="utf-8")
    from ontosync.store.upgrade import migrate

    (tmp_path / "head.db").touch()  # the head `diff` reads first: an ontosync database (another program's
    migrate(tmp_path / "head.db")  # file is refused first since h165, exit 2 naming --db)
    args = {"sync": ("sync", tmp_path, "--quiet", "--db", db), "status": ("status", "--db", db),
            "diff": ("diff", "--db", "head.db", "--base", db)}[command]
    proc = cli(*args, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    flag = "--base" if command == "diff" else "--db"
    assert len(lines) == 1 and lines[0].startswith(f"ontosync: error: {flag} "), proc.stderr
    assert DB_SECRET not in proc.stderr + proc.stdout
    made = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("head.db-wal", "head.db-shm"))  # a reader's
    assert made == ["a.ttl", "head.db"]


# -- logseq/config.edn never read from .git/ ----------------------------------------------------------

def test_a_logseq_config_that_links_into_dot_git_is_not_read(tmp_path):
    """`logseq/config.edn -> ../.git/config` (a pull request may commit the link; actions/checkout
    keeps the job's token in that file): the walk refuses links into .git/, but the graph's
    config.edn was read through it, its settings applied (here: every page hidden) and its text
    parsed, so a parse error could quote it into the report and the job summary."""
    root = tmp_path / "root"
    for folder in (".git", "logseq", "pages"):
        (root / folder).mkdir(parents=True)
    (root / ".git" / "config").write_text('{:hidden ["pages"] :x "AUTHORIZATION: basic SECRETH109"}\n',
                                          encoding="utf-8")
    (root / "logseq" / "config.edn").symlink_to("../.git/config")
    (root / "pages" / "P.md").write_text("- ### OntologyBlock\n  - term-id:: P1\n  - preferred-term:: P\n",
                                         encoding="utf-8")
    db, report = tmp_path / "x.db", tmp_path / "r.json"
    proc = cli("sync", root, "--db", db, "--report", report, "--quiet")
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT path, status FROM source_files").fetchall() == [("pages/P.md", "ok")]
        assert conn.execute("SELECT label FROM owl_classes").fetchall() == [("P",)]
    assert "SECRETH109" not in report.read_text(encoding="utf-8") + proc.stderr


@pytest.mark.parametrize("db", [f"postgresql+psycopg2://u:{DB_SECRET}@127.0.0.1:9/db",
                                f"host=127.0.0.1 port=9 password={DB_SECRET} dbname=db"])
def test_the_actions_database_input_of_another_kind_is_refused_without_its_password(tmp_path, capsys, db):
    """The Action's `database: postgresql+psycopg2://u:PW@host/db` was made a path (`//` folded to
    `/`), its folders created in the workspace and synced into, exit 0: the password in the log
    (`database: .../u:PW@host/db`, the command line), the `database` output and the artifact's files."""
    from ontosync.action import run as action_run
    from ontosync.cli import main as cli_main
    from tests.test_action import make_env

    env = make_env(tmp_path, database=db)
    ws = Path(env["GITHUB_WORKSPACE"])
    (ws / "a.ttl").write_text(TTL.format(name="A"), encoding="utf-8")
    assert action_run.main(env, cli_main=cli_main) == 2
    said = capsys.readouterr()
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "input 'database'" in said.out and "input 'database'" in summary, said.out
    written = [p for p in (ws, Path(env["GITHUB_OUTPUT"])) if p.is_file()]
    assert DB_SECRET not in said.out + said.err + summary + "".join(p.read_text() for p in written)
    assert sorted(p.name for p in ws.iterdir()) == [".git", "a.ttl"]


# -- control characters in an OWL functional syntax IRI ---------------------------------------------

@pytest.mark.parametrize("name", ["<http://example.org/h109#A\x1b[31m>", ":A\x1b[2J\x07", "<http://example.org/h109#A\x7f>",
                                  ":A\x9b2J"])
def test_an_ofn_iri_holding_a_control_character_is_refused_as_every_other_reader_refuses_it(name):
    """`Declaration(Class(<http://e.org/A\\x1b[31m>))` in a .ofn file (or a Logseq page's fence) was
    stored as a class whose IRI holds a terminal escape, though no IRI may hold one (RFC 3987) and
    the Turtle, N-Triples, RDF/XML and JSON-LD readers refuse it; a space there was refused already."""
    from ontosync.parsing import ParseOptions, parse_file

    text = ("Prefix(:=<http://example.org/h109#>)\nOntology(<http://example.org/h109>\n"
            f"Declaration(Class({name}))\nDeclaration(Class(:B))\n)\n")
    facts = parse_file("a.ofn", text.encode("utf-8"), ParseOptions())
    assert [c.iri for c in facts.classes] == ["http://example.org/h109#B"]
    assert [(w.kind, w.line) for w in facts.warnings] == [("fence-syntax", 3)], facts.warnings


# -- IRIs a configuration file gives --------------------------------------------------------------------

@pytest.mark.parametrize(("config", "key"), [
    ('page-namespace: "urn:\\e[31m:"', "page-namespace"),
    ('page-namespace: "https://example.org/my onto/"', "page-namespace"),
    ('namespaces: {ex: "http://example.org/\\e[2J#"}',
     "'namespaces' must be a mapping of prefixes to absolute IRIs, and 'ex'"),
    ('relations: {has-part: "BFO:0000051\\e[31m"}', "relations: 'has-part'"),
])
def test_a_config_iri_holding_a_space_or_a_control_character_is_refused(tmp_path, config, key):
    """`page-namespace: "urn:\\e[31m:"` (a pull request's `.ontosync.yml`) minted every page's IRI
    with a terminal escape in it, and `"https://example.org/my onto/"` (a typo) with a space: IRIs
    no reader would take, stored for every page, exit 0; `relations:` took an escape in a property's
    IRI likewise, though it refused a space."""
    src = tmp_path / "src"
    (src / "pages").mkdir(parents=True)
    (src / "pages" / "P.md").write_text("- ### OntologyBlock\n  - term-id:: P1\n  - preferred-term:: P\n"
                                        "  - has-part:: [[Q]]\n", encoding="utf-8")
    (src / ".ontosync.yml").write_text(config + "\n", encoding="utf-8")
    proc = cli("sync", src, "--db", tmp_path / "x.db", "--quiet")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and ".ontosync.yml" in lines[0] and key in lines[0], lines
    assert "\x1b" not in proc.stderr and not (tmp_path / "x.db").exists()


def test_a_config_in_the_checkout_that_links_outside_it_is_not_read(workspace, tmp_path):
    """`--config ci/ontosync.yml` (the Action's `config` input) where a pull request made
    `ci/ontosync.yml` a link to a file outside the workspace: the file was read, and its first key
    printed (`unknown setting 'ghp_...'`), where the source's own `.ontosync.yml` is refused when
    it links outside."""
    (tmp_path / "secret.yml").write_text("ghp_H109SECRETKEY: 1\n", encoding="utf-8")
    (workspace / "ci" / "ontosync.yml").symlink_to(tmp_path / "secret.yml")
    (workspace / "a.ttl").write_text(TTL.format(name="A"), encoding="utf-8")
    proc = cli("sync", workspace, "--config", "ci/ontosync.yml", "--db", tmp_path / "x.db", "--quiet",
               cwd=workspace, env={"GITHUB_WORKSPACE": str(workspace)})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    line = proc.stderr.strip()
    assert "\n" not in line and "ci/ontosync.yml" in line and "symbolic link" in line, line
    assert "H109SECRETKEY" not in proc.stderr + proc.stdout


def test_a_json_ld_context_file_over_the_file_size_limit_is_refused(tmp_path):
    """`jsonld-contexts:` files were read whole whatever their size (every other file of the source
    is failed unread over `--max-file-size`), and their text handed to every parse worker: a pull
    request's `.ontosync.yml` mapping a context to a 99 MB file cost that, times the workers."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "ctx.json").write_text('{"@context": {"ex": "http://example.org/h109#"}}' + " " * 1000, encoding="utf-8")
    (src / ".ontosync.yml").write_text('jsonld-contexts:\n  "https://example.org/c": ctx.json\n', encoding="utf-8")
    (src / "a.ttl").write_text(TTL.format(name="A"), encoding="utf-8")
    proc = cli("sync", src, "--db", tmp_path / "x.db", "--quiet", "--max-file-size", "1000")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    line = proc.stderr.strip()
    assert "\n" not in line and "ctx.json" in line and "--max-file-size" in line, line
    assert cli("sync", src, "--db", tmp_path / "x.db", "--quiet", "--max-file-size", "2000").returncode == 0
