"""The security rules attacked as a whole (task h20): what earlier hunts left open.

Each test names what a user saw before its fix. Everything runs here: the CLI in-process on real
trees, a PostgreSQL URL aimed at a closed port on 127.0.0.1 (the driver's own refusal is the text
under test), no mock.
"""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import cli

TTL = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
       "<http://example.org/h20#{name}> a owl:Class .\n")


def _closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the checkout's .ontosync.yml may not write outside the working folder ----------------------------

@pytest.fixture()
def checkout(tmp_path: Path) -> Path:
    """`work/` (the working folder, also the source: the Action's layout) holding one file and a
    link `out` to `victim/`, a folder beside it that no sync of `work` may write into."""
    work, victim = tmp_path / "work", tmp_path / "victim"
    work.mkdir()
    victim.mkdir()
    (work / "a.ttl").write_text(TTL.format(name="A"), encoding="utf-8")
    (work / "out").symlink_to("../victim", target_is_directory=True)
    return work


@pytest.mark.parametrize("key", ["db", "report", "checkpoint"])
def test_a_config_in_the_checkout_cannot_write_through_a_linked_folder(checkout, key):
    """A pull request adding `out -> ../victim` and `.ontosync.yml` with `report: out/r.json` (or
    `db:`, `checkpoint:`) made the sync write its report, checkpoint or database outside the
    working folder, exit 0: only `..` and absolute paths were refused."""
    (checkout / ".ontosync.yml").write_text(f"{key}: out/x.json\n", encoding="utf-8")
    proc = cli("sync", ".", "--quiet", cwd=checkout)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert ".ontosync.yml" in lines[0] and f"'{key}'" in lines[0] and "symbolic link" in lines[0], lines[0]
    assert list((checkout.parent / "victim").iterdir()) == []


def test_a_config_database_that_is_a_link_leading_outside_is_refused(checkout):
    """`db: ontology.db` where the checkout's `ontology.db` is a link to a file outside: SQLite
    followed it and created (or wrote) the database there."""
    (checkout / "ontology.db").symlink_to("../victim/stolen.db")
    (checkout / ".ontosync.yml").write_text("db: ontology.db\n", encoding="utf-8")
    proc = cli("sync", ".", "--quiet", cwd=checkout)
    assert proc.returncode == 2 and "'db'" in proc.stderr, proc.stderr
    assert list((checkout.parent / "victim").iterdir()) == []


def test_config_outputs_inside_the_working_folder_still_work(checkout):
    """The check refuses only what leads out: a real folder and a link that stays inside are fine."""
    (checkout / "real").mkdir()
    (checkout / "inner").symlink_to("real", target_is_directory=True)
    (checkout / ".ontosync.yml").write_text("db: real/o.db\nreport: inner/r.json\n", encoding="utf-8")
    proc = cli("sync", ".", "--quiet", cwd=checkout)
    assert proc.returncode == 0, proc.stderr
    assert (checkout / "real" / "r.json").is_file()
    with sqlite3.connect(checkout / "real" / "o.db") as conn:
        assert conn.execute("SELECT class_iri FROM owl_classes").fetchall() == [("http://example.org/h20#A",)]


# -- PostgreSQL passwords never printed ----------------------------------------------------------------

@pytest.mark.parametrize("secret", ["pa'ss-H20x", 'pa"ss-H20x', "pa ss-H20x", "pa%zzss-H20x", "pa%00ss-H20x"])
@pytest.mark.parametrize("command", ["status", "sync"])
def test_a_password_with_quotes_spaces_or_a_stray_percent_is_masked(tmp_path, secret, command):
    """`postgresql://u:pa'ss@host/db` (a quote is valid in a URL's user info, and libpq takes quotes,
    spaces and an unencoded `%` in a password) was printed in the clear: `cannot use
    postgresql://u:pa'ss@...`; with `%zz` in it, libpq's own message quoted the password
    (`invalid percent-encoded token: "pa%zzss"`)."""
    (tmp_path / "a.ttl").write_text(TTL.format(name="A"), encoding="utf-8")
    url = f"postgresql://u:{secret}@127.0.0.1:{_closed_port()}/db"
    args = ("status", "--db", url) if command == "status" else ("sync", str(tmp_path), "--db", url, "--quiet")
    proc = cli(*args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "cannot use postgresql://u:***@127.0.0.1" in proc.stderr, proc.stderr
    for part in ("H20x", secret.split("-")[0]):
        assert part not in proc.stderr + proc.stdout, proc.stderr


# -- the Action never writes or uploads through a link the checkout planted ------------------------

GIT_SECRET = "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX0gyMFNFQ1JFVA=="  # what actions/checkout keeps


def test_the_action_removes_links_planted_at_its_output_paths(tmp_path, capsys):
    """A pull request committing `ontology.db -> .git/config` (and the checkpoint, report and
    `-wal` as links): SQLite opened the link's target, the sync failed, and the upload step, which
    follows links, would upload `.git/config` with the job's token as `ontology.db`; the `-wal`
    link led out of the workspace, where the container's root chowned and chmodded its target."""
    from ontosync.action import container_step
    from ontosync.action import run as action_run
    from ontosync.cli import main as cli_main
    from tests.test_action import make_env

    env = make_env(tmp_path)
    ws, victim = Path(env["GITHUB_WORKSPACE"]), tmp_path / "victim"
    victim.mkdir()
    (ws / ".git").mkdir(exist_ok=True)  # make_env has one (a checkout)
    (ws / ".git" / "config").write_text(f"[http]\n\textraheader = {GIT_SECRET}\n", encoding="utf-8")
    (ws / "a.ttl").write_text(TTL.format(name="A"), encoding="utf-8")
    planted = {"ontology.db": ".git/config", "ontology.db.checkpoint.json": ".git/config",
               "ontosync-report.json": ".git/config", "ontology.db-wal": "../victim/wal"}
    for name, target in planted.items():
        (ws / name).symlink_to(target)

    code = action_run.main(env, cli_main=cli_main)
    log = capsys.readouterr().out
    assert code == 0, log
    uploaded = container_step.artifact_paths({"database": "ontology.db", "report": "ontosync-report.json"})
    for rel in uploaded:
        assert not (ws / rel).is_symlink() and "H20SECRET" not in (ws / rel).read_bytes().decode("latin-1"), rel
    with sqlite3.connect(ws / "ontology.db") as conn:
        assert conn.execute("SELECT class_iri FROM owl_classes").fetchall() == [("http://example.org/h20#A",)]
    assert (ws / ".git" / "config").read_text(encoding="utf-8").endswith(f"{GIT_SECRET}\n")
    assert list(victim.iterdir()) == []
    for name, target in planted.items():
        assert f"::warning title=ontosync%3A link removed::{name} was a symbolic link (to {target})" in log


# -- a clone URL with its token, given where OWNER/REPO belongs -----------------------------------

CLONE_TOKEN = "ghs_H20CloneUrlToken0123456789"


@pytest.mark.parametrize("url", [f"https://x-access-token:{CLONE_TOKEN}@github.com/o/r",
                                 f"https://{CLONE_TOKEN}@github.com/o/r.git"])
@pytest.mark.parametrize("command", ["sync", "fetch-db"])
def test_a_clone_url_with_a_token_is_refused_without_printing_the_token(tmp_path, url, command):
    """`ontosync sync github:https://x-access-token:TOKEN@github.com/o/r` (a clone URL pasted where
    OWNER/REPO belongs; also `fetch-db`) was refused with the whole URL, token and all, in the
    error line that CI logs keep."""
    args = ("sync", f"github:{url}", "--db", tmp_path / "x.db") if command == "sync" else \
        ("fetch-db", url, "--out", tmp_path / "x.db")
    proc = cli(*args, env={"GITHUB_API_URL": f"http://127.0.0.1:{_closed_port()}"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "https://***@github.com/o/r" in proc.stderr, proc.stderr
    assert CLONE_TOKEN not in proc.stderr + proc.stdout


def test_the_actions_repository_input_never_echoes_a_token(tmp_path, capsys):
    from ontosync.action import run as action_run
    from ontosync.cli import main as cli_main
    from tests.test_action import make_env

    env = make_env(tmp_path, repository=f"https://x-access-token:{CLONE_TOKEN}@github.com/o/r")
    assert action_run.main(env, cli_main=cli_main) == 2
    out = capsys.readouterr().out + Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "input 'repository' must look like OWNER/REPO" in out and "https://***@github.com/o/r" in out
    assert CLONE_TOKEN not in out


# -- the walk never reads .git/, not even through a link -------------------------------------------

def test_a_link_into_dot_git_is_skipped_not_read(tmp_path):
    """`leak.ofn -> .git/config` (and one into a nested checkout's `.git/`) was read and parsed:
    the OWL functional syntax reader's warning quoted the config's first 90 characters, in the
    report, the job summary and the log, though the walk never lists `.git/` itself."""
    root = tmp_path / "root"
    for git in (root / ".git", root / "sub" / ".git"):
        git.mkdir(parents=True)
        (git / "config").write_text(f"[http]\n\textraheader = {GIT_SECRET}\n", encoding="utf-8")
    (root / "a.ttl").write_text(TTL.format(name="A"), encoding="utf-8")
    (root / "leak.ofn").symlink_to(".git/config")
    (root / "leak.ttl").symlink_to("sub/.git/config")
    db, report = tmp_path / "x.db", tmp_path / "r.json"
    proc = cli("sync", str(root), "--db", str(db), "--report", str(report), "--quiet")
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT path, status, error FROM source_files ORDER BY path").fetchall()
    assert rows == [("a.ttl", "ok", None), ("leak.ofn", "skipped", "symbolic link into .git/ (not read)"),
                    ("leak.ttl", "skipped", "symbolic link into .git/ (not read)")]
    assert "extraheader" not in report.read_text(encoding="utf-8") + proc.stderr


# -- bidirectional overrides in the job summary and annotations ------------------------------------

RLO = "\u202e"  # right-to-left override: `invoice{RLO}fdp.ttl` reads as `invoiceltt.pdf`


def test_bidirectional_overrides_are_shown_as_escapes_in_the_summary_and_annotations():
    """A file named `a\\u202eltt.pdf.ttl` that failed showed reversed (`a` + `ttl.fdp.ttl` read
    right to left) in the job summary's table and its annotation, though the pull-request
    comment and `status` already showed such characters as escapes."""
    import io

    from ontosync.action.commands import Commands
    from ontosync.action.summary import annotate_failures, summary_markdown

    path, message = f"pages/a{RLO}ltt.pdf.ttl", "Turtle syntax error: bad label \u2066x\u2069"
    report = {"source": "/w", "files": {"total": 1, "failed": 1},
              "errors": [{"path": path, "line": 3, "kind": "parse", "message": message}],
              "warnings": [{"path": path, "kind": "file-name", "message": f"odd {RLO} name"}]}
    summary = summary_markdown(report, 1, {"database": "ontology.db", "report": "r.json"})
    out = io.StringIO()
    annotate_failures(Commands(out), report)
    for text in (summary, out.getvalue()):
        assert not any(ch in text for ch in (RLO, "\u2066", "\u2069")), text
        assert "a\\u202eltt.pdf.ttl" in text and "\\u2066x\\u2069" in text


# -- the RDF/XML guard is linear in the file's size ------------------------------------------------

RDF_HEAD = (b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            b'<rdf:Description rdf:about="http://example.org/h20#x"/>\n')


PIECES = {"comment": b"<!--", "cdata": b"<![CDATA[", "pi": b"<?pi ", "quote": b'<a b="'}


def test_unterminated_markup_repeated_is_a_parse_error_not_a_timeout(tmp_path):
    """A 400 KB .rdf file of `<!--` (or `<![CDATA[`, `<?`, `<a b="`) repeated, never closed: the
    guard that vets RDF/XML before parsing rescanned to the end of the file from each one
    (quadratic: 40 KB took 2.7 s of CPU, 400 KB minutes), so the file ended as `timeout` after
    `--file-timeout` and held a worker that long, where it is a syntax error found at once."""
    root = tmp_path / "root"
    root.mkdir()
    for name, piece in PIECES.items():
        (root / f"{name}.rdf").write_bytes(RDF_HEAD + piece * (400_000 // len(piece)))
    db = tmp_path / "x.db"
    # 20 s: ~1,000 times what the linear scan takes, a small part of what the quadratic one took
    proc = cli("sync", str(root), "--db", str(db), "--quiet", "--file-timeout", "20", "--max-error-rate", "1")
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT path, status, error_kind, error FROM source_files ORDER BY path").fetchall()
    assert [r[:3] for r in rows] == [(f"{name}.rdf", "failed", "parse") for name in sorted(PIECES)], rows
    assert all(r[3].startswith("RDF/XML syntax error") and "not closed" in r[3] for r in rows), rows
