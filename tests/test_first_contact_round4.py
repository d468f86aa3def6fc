"""First contact, fourth round (issue h136): the command line and its configuration file.
`--config -` (and a terminal as the configuration), bounds on `--file-timeout`, `--queue-size`,
`--retries` and, tighter, on a configuration file's numbers, `diff --base -` and `migrate
--backup-dir -`, the "did you mean" of a misspelt flag, and an output path that is another SQLite
database or ends in `/`.

Each test is a defect a first try met, run in this process on a copy of the example tree (or,
where standard input is the point, in a process of its own).
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ontosync.cli import main
from tests.helpers import EXAMPLE


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> tuple[Path, Path]:
    """(a copy of the example tree, a database synced from it)."""
    root = tmp_path_factory.mktemp("h136")
    shutil.copytree(EXAMPLE, root / "src")
    db = root / "o.db"
    assert main(["sync", str(root / "src"), "--db", str(db), "--quiet", "--workers", "1"]) == 0
    return root / "src", db


def _other_database(path: Path) -> bytes:
    """Another program's SQLite database at `path`; its bytes."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()
    return path.read_bytes()


# --- 7. an output path that is another SQLite database ----------------------------------------------

@pytest.mark.parametrize("command, flag", [("diff", "--output"), ("sync", "--report"), ("sync", "--checkpoint")])
def test_an_output_path_holding_another_sqlite_database_is_refused(synced, tmp_path, capsys, command, flag):
    """`diff --output notes.db`, `notes.db` another program's SQLite database (a slip of the shell's
    completion): it was replaced with the diff's text, exit 0, the user's data gone; `--report` and
    `--checkpoint` the same. A text output never replaces a database: exit 2, one line, the file kept."""
    src, db = synced
    other = tmp_path / "notes.db"
    before = _other_database(other)
    args = ["diff", "--db", str(db)] if command == "diff" else ["sync", str(src), "--db", str(db), "--quiet"]
    capsys.readouterr()
    assert main([*args, flag, str(other)]) == 2
    err = capsys.readouterr().err
    assert err == (f"ontosync: error: {flag} {other}: is a SQLite database; refusing to replace it with "
                   "text (give another path)\n")
    assert other.read_bytes() == before


# --- 6. the "did you mean" of an unknown flag -------------------------------------------------------

@pytest.mark.parametrize("argv, said", [
    (["sync", "src", "--db", "x.db", "--", "--workers", "2"],
     "unrecognized arguments: -- --workers 2 (no word after -- is a flag: give the flags before --)"),
    (["sync", "src", "--", "--wrkers"], "unrecognized arguments: --wrkers (no word after -- is a flag: give the "
                                        "flags before --)"),
    (["sync", "src", "-workers", "2"], "unrecognized arguments: -workers 2 (did you mean --workers?)"),
    (["sync", "src", "extra", "--wokers", "2"], "unrecognized arguments: extra --wokers 2 (did you mean --workers?)"),
    (["status", "--db", "x.db", "-jsn"], "unrecognized arguments: -jsn (did you mean --json?)"),
    (["status", "--db", "x.db", "-q"], "unrecognized arguments: -q"),
    (["sync", "src", "--", "--a b"], "unrecognized arguments: --a b (no word after -- is a flag: give the flags "
                                     "before --)"),
    (["sync", "src", "--wokers", "2", "--", "x"],
     "unrecognized arguments: --wokers 2 -- x (did you mean --workers?)"),
])
def test_an_unknown_flag_is_answered_with_a_flag_that_would_work(argv, said, capsys):
    """`sync src --db x.db -- --workers 2` was told "did you mean --db?" (the `--` itself was matched
    against the flags), and `sync src -- --wrkers` "did you mean --workers?", which is no flag there
    either; `-workers` (one dash) and a misspelt flag after another unknown word got no suggestion."""
    assert main(argv) == 2
    assert capsys.readouterr() == ("", f"ontosync: error: {said}\n")


# --- 5. `diff --base -` --------------------------------------------------------------------------------

def test_diff_base_dash_is_refused_as_standard_input(synced, tmp_path, monkeypatch, capsys):
    """`-` is standard input or output everywhere else on this command line (`--output -`, `--report
    -`), but `diff --base -` said "database not found: -", or, a file `-` in the folder, compared with
    it. No database is read from standard input: exit 2, one line saying so; `./-` still names the file."""
    _, db = synced
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    for present in (False, True):
        if present:
            shutil.copy(db, tmp_path / "-")
        assert main(["diff", "--db", str(db), "--base", "-"]) == 2
        assert capsys.readouterr() == ("", "ontosync: error: --base -: a database cannot be read from standard "
                                           "input; give the other database's path (./- for a file named -)\n")
    assert main(["diff", "--db", str(db), "--base", "./-", "--format", "json"]) == 0
    assert '"added": []' in capsys.readouterr().out


# --- 2, 3. bounds: `--file-timeout`, and a configuration file's numbers -------------------------------

def _from_file(tmp_path: Path, text: str, cli: dict | None = None, checkout: bool = False) -> str:
    """What build_settings makes of a configuration file holding `text` on line 2 (`checkout`: the
    file is in the source folder, a pull request's to change, `src/c.yml`; else the user's own,
    `c.yml` beside it): the error, or "taken"."""
    from ontosync.config import ConfigError, build_settings

    config = tmp_path / "src" / "c.yml" if checkout else tmp_path / "c.yml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(f"# settings\n{text}\n", encoding="utf-8")
    try:
        build_settings({"source": str(tmp_path / "src"), **(cli or {})}, str(config))
    except ConfigError as exc:
        return str(exc)
    return "taken"


@pytest.mark.parametrize("value", ["inf", "1e300", "86401", "nan", "0"])
def test_file_timeout_is_finite_and_at_most_a_day(synced, tmp_path, capsys, value):
    """`--file-timeout inf` (or 1e300) was taken: a parse that runs away held its worker, and the
    run, for ever, where the option exists to stop it; `file-timeout: .inf` in a file the same. At
    most 86400 seconds: exit 2, one line naming the flag (or the file and line)."""
    src, db = synced
    capsys.readouterr()
    assert main(["sync", str(src), "--db", str(db), "--quiet", "--file-timeout", value]) == 2
    assert capsys.readouterr() == ("", "ontosync: error: --file-timeout must be positive and at most 86400 seconds\n")
    assert _from_file(tmp_path, "file-timeout: .inf") == (f"{tmp_path / 'c.yml'} line 2: 'file-timeout' must be "
                                                          "positive and at most 86400 seconds")


@pytest.mark.parametrize("key, high", [("retries", 10), ("file-timeout", 300), ("max-file-size", 256 * 1024 * 1024),
                                       ("max-rate-limit-wait", 3600), ("lock-timeout", 3600),
                                       ("busy-timeout", 3600)])
def test_a_configuration_file_holds_tighter_bounds_than_the_command_line(tmp_path, key, high):
    """`.ontosync.yml` comes with the checkout, which a pull request may change: `retries: 1000000`,
    `file-timeout: 86400`, `max-file-size: 100000000000` or `lock-timeout: 86400` in it made CI retry,
    wait or read without a useful bound, where only the command line's bounds applied. A file's value
    is at most a sane ceiling (one line naming the file, the line and the flag that may go higher);
    the command line, the workflow's own, may still give more."""
    field, shown = key.replace("-", "_"), f"{high} (256 MiB)" if key == "max-file-size" else high
    action = "" if key == "max-rate-limit-wait" else f" or the Action's '{key}' input"  # (an input of its own)
    assert _from_file(tmp_path, f"{key}: {high}", checkout=True) == "taken"
    assert _from_file(tmp_path, f"{key}: {high + 1}", checkout=True) == (
        f"{tmp_path / 'src' / 'c.yml'} line 2: '{key}' must be at most {shown} in a configuration file of the "
        f"checkout (a larger value: give --{key} on the command line{action}, or in a --config file outside the "
        "checkout)")
    assert _from_file(tmp_path, f"{key}: {high}", {field: high + 1}, checkout=True) == "taken"


# --- 1. `--config -` -------------------------------------------------------------------------------------

def test_config_dash_reads_the_configuration_from_standard_input(synced, tmp_path, monkeypatch):
    """`generate-config | ontosync sync src --config -`: `-` was taken as a file named `-` ("cannot
    read config -: No such file or directory", or a file `-` in the folder read instead). It is
    standard input, as `-` is on the rest of the command line; its errors name it, with the line; a
    terminal there is refused rather than waited on, which looked hung."""
    src, _ = synced
    monkeypatch.chdir(tmp_path)
    Path("-").write_text("ontology-id: from-a-file-named-dash\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "ontosync", "sync", str(src), "--db", "o.db", "--config", "-",
                           "--quiet", "--workers", "1"], input="ontology-id: piped\n", capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    ids = {row[0] for row in sqlite3.connect("o.db").execute("SELECT ontology_id FROM owl_classes")}
    assert "piped" in ids and "from-a-file-named-dash" not in ids
    proc = subprocess.run([sys.executable, "-m", "ontosync", "sync", str(src), "--db", "o.db", "--config", "-"],
                          input="# settings\nworkers: 0\n", capture_output=True, text=True, timeout=120, check=False)
    assert (proc.returncode, proc.stderr) == (2, "ontosync: error: standard input line 2: 'workers' must be between "
                                                 "1 and 64\n")
    primary, secondary = os.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "ontosync", "sync", str(src), "--db", "o.db", "--config", "-"],
                              stdin=secondary, capture_output=True, text=True, timeout=120, check=False)
    finally:
        os.close(primary)
        os.close(secondary)
    assert (proc.returncode, proc.stderr) == (2, "ontosync: error: --config -: standard input is a terminal; pipe "
                                                 "the configuration in (--config - < FILE)\n")


# --- hunt: `--queue-size` and `--retries` without a ceiling ----------------------------------------------

@pytest.mark.parametrize("flag, value, said", [
    ("--queue-size", "100001", "--queue-size must be between 1 and 100000"),
    ("--retries", "101", "--retries must be between 1 (one attempt, no retry) and 100"),
    ("--retries", "100000000000000000000", "--retries must be between 1 (one attempt, no retry) and 100"),
])
def test_queue_size_and_retries_have_a_ceiling(synced, tmp_path, capsys, flag, value, said):
    """`--queue-size 100000000000000000000` was taken: every queued file is held read, so a large tree
    was read whole into memory; `--retries 100000000000000000000`, a persistent failure retried for
    ever (each wait up to 60 s). Both have a ceiling, and a configuration file's queue-size a lower one."""
    src, db = synced
    capsys.readouterr()
    assert main(["sync", str(src), "--db", str(db), "--quiet", flag, value]) == 2
    assert capsys.readouterr() == ("", f"ontosync: error: {said}\n")
    assert _from_file(tmp_path, "queue-size: 1001", checkout=True) == (
        f"{tmp_path / 'src' / 'c.yml'} line 2: 'queue-size' must be at most 1000 in a configuration file of the "
        "checkout (a larger value: give --queue-size on the command line or the Action's 'queue-size' input, or in a "
        "--config file outside the checkout)")


def test_config_naming_a_terminal_says_so(synced, tmp_path):
    """`--config /dev/stdin` typed at a terminal (a non-blocking read finds nothing there) said
    "a FIFO with nothing to read (no writer)": no FIFO was involved. It says a terminal, as `-` does."""
    src, _ = synced
    primary, secondary = os.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "ontosync", "sync", str(src), "--db", str(tmp_path / "o.db"),
                               "--config", "/dev/stdin"], stdin=secondary, capture_output=True, text=True,
                              timeout=120, check=False)
    finally:
        os.close(primary)
        os.close(secondary)
    assert (proc.returncode, proc.stderr) == (2, "ontosync: error: cannot read config /dev/stdin: a terminal; pipe the "
                                                 "configuration in (--config - < FILE)\n")


def test_migrate_backup_dir_dash_is_refused(synced, tmp_path, monkeypatch, capsys):
    """`migrate --backup-dir -` made a folder named `-` and put the backup there, where `-` is standard
    input or output everywhere else on this command line (`--db -` is refused so): exit 2, one line,
    nothing made; `./-` still names such a folder."""
    _, db = synced
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["migrate", "--db", str(db), "--backup-dir", "-"]) == 2
    assert capsys.readouterr() == ("", "ontosync: error: --backup-dir -: standard output cannot hold a backup: give "
                                       "a folder (./- for one named -)\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("ending", ["/", "/."])
@pytest.mark.parametrize("command, flag", [("diff", "--output"), ("sync", "--report"), ("sync", "--checkpoint")])
def test_an_output_path_ending_in_a_slash_is_refused(synced, tmp_path, monkeypatch, capsys, command, flag, ending):
    """`--report reports/` (a folder not made yet) wrote a file named `reports`, exit 0, where the
    user meant a folder (`--db new/` is refused so): exit 2, one line, nothing written. `out/.`
    (h143), a folder's name too (`--db new/.` is refused for it), the same."""
    src, db = synced
    monkeypatch.chdir(tmp_path)
    args = ["diff", "--db", str(db)] if command == "diff" else ["sync", str(src), "--db", str(db), "--quiet"]
    capsys.readouterr()
    assert main([*args, flag, f"out{ending}"]) == 2
    assert capsys.readouterr() == ("", f"ontosync: error: {flag} out{ending}: ends in /, so it names a folder, not a "
                                       "file; give a file path\n")
    assert list(tmp_path.iterdir()) == []


def test_config_dash_from_a_file_of_the_checkout_keeps_the_checkouts_rules(synced, tmp_path):
    """`--config - < ci/ontosync.yml`, a file of the checkout (a pull request's) redirected to
    standard input, must not escape the rules `--config ci/ontosync.yml` holds it to (no absolute
    `db`, no `report` outside the working folder): the file behind standard input is the checkout's.
    The same text piped (the runner's own) is taken."""
    src, _ = synced
    work = tmp_path / "work"
    shutil.copytree(src, work)
    (work / "ci.yml").write_text(f"report: {tmp_path / 'elsewhere.json'}\n", encoding="utf-8")
    run = [sys.executable, "-m", "ontosync", "sync", str(work), "--db", str(tmp_path / "o.db"), "--config", "-",
           "--quiet", "--workers", "1"]
    with open(work / "ci.yml", "rb") as redirected:
        proc = subprocess.run(run, stdin=redirected, capture_output=True, text=True, timeout=120, check=False)
    assert (proc.returncode, proc.stderr) == (2, "ontosync: error: standard input: 'report' must be a relative path "
                                                 "without '..' (set it on the command line, or in a --config file "
                                                 "outside the checkout)\n")
    proc = subprocess.run(run, input=(work / "ci.yml").read_text("utf-8"), capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "elsewhere.json").is_file()


# --- h143: a reviewer's findings on this round --------------------------------------------------------

@pytest.mark.parametrize("key, value", [("retries", 20), ("file-timeout", 600), ("max-file-size", 2**30),
                                        ("queue-size", 5000), ("lock-timeout", 7200)])
def test_the_tighter_bounds_hold_only_a_file_of_the_checkout_and_a_flag_wins(tmp_path, key, value):
    """The tighter bounds of a configuration file held every file: `--config own.yml` (the user's
    own, outside the checkout) with `retries: 20` exited 2 saying "give --retries on the command
    line", and `--retries 20` given too was refused the same. They are for a file a pull request can
    change (one inside the checkout); the user's own file keeps the flags' bounds, and a key the
    command line gives is not refused for the file's value (the flag wins)."""
    field = key.replace("-", "_")
    assert _from_file(tmp_path, f"{key}: {value}") == "taken"
    assert _from_file(tmp_path, f"{key}: {value}", {field: value}) == "taken"
    assert _from_file(tmp_path, f"{key}: {value}", {field: value}, checkout=True) == "taken"
    assert "in a configuration file of the checkout" in _from_file(tmp_path, f"{key}: {value}", checkout=True)


def test_a_users_own_configuration_file_with_a_large_retries_syncs(synced, tmp_path, monkeypatch, capsys):
    """`printf 'retries: 20\\n' > own.yml; ontosync sync src --db x.db --config own.yml --retries 20`
    exited 2, with or without the flag: it syncs (exit 0)."""
    src, _ = synced
    monkeypatch.chdir(tmp_path)
    Path("own.yml").write_text("retries: 20\n", encoding="utf-8")
    capsys.readouterr()
    for flags in ([], ["--retries", "20"]):
        assert main(["sync", str(src), "--db", "x.db", "--config", "own.yml", "--quiet", *flags]) == 0
        assert "error" not in capsys.readouterr().err


def test_the_max_file_size_bound_is_said_as_a_whole_number(tmp_path):
    """A configuration file's `max-file-size: 300000000` was told "must be at most 2.68435e+08": a
    number of bytes no one can type back. Said whole, with its MiB."""
    assert _from_file(tmp_path, "max-file-size: 300000000", checkout=True) == (
        f"{tmp_path / 'src' / 'c.yml'} line 2: 'max-file-size' must be at most 268435456 (256 MiB) in a configuration "
        "file of the checkout (a larger value: give --max-file-size on the command line or the Action's "
        "'max-file-size' input, or in a --config file outside the checkout)")


@pytest.mark.parametrize("argv, said", [
    (["status", "--db", "x.db", "-"], "unrecognized arguments: -"),
    (["status", "--db", "x.db", "-o"], "unrecognized arguments: -o"),
    (["status", "--db", "x.db", "-n"], "unrecognized arguments: -n"),
    (["status", "--db", "x.db", "-js"], "unrecognized arguments: -js"),
    (["status", "--db", "x.db", "-1000"], "unrecognized arguments: -1000"),
    (["status", "--db", "x.db", "--", "-"], "unrecognized arguments: -- -"),
    (["status", "--db", "x.db", "-", "--jsn"], "unrecognized arguments: - --jsn (did you mean --json?)"),
    (["status", "--db", "x.db", "-jsn"], "unrecognized arguments: -jsn (did you mean --json?)"),
])
def test_a_bare_dash_or_a_short_one_dash_word_gets_no_nonsense_suggestion(argv, said, capsys):
    """`status --db x.db -` was told "did you mean --db?", and `-o` or `-n` "did you mean --json?": a
    bare `-`, or a one-dash word of fewer than three letters, is no misspelt long flag (`-jsn` still is)."""
    assert main(argv) == 2
    assert capsys.readouterr() == ("", f"ontosync: error: {said}\n")


@pytest.mark.parametrize("flag", ["--report", "--checkpoint"])
def test_config_dash_from_a_file_keeps_outputs_off_that_file(synced, tmp_path, flag):
    """`--config - < c.yml --report c.yml` replaced the configuration file with the report, exit 0,
    where `--config c.yml --report c.yml` is refused (standard input named no file to keep outputs
    off). Standard input that is a regular file is that file: exit 2, one line, the file kept."""
    src, _ = synced
    config = tmp_path / "c.yml"
    config.write_text("retries: 2\n", encoding="utf-8")
    with open(config, "rb") as redirected:
        proc = subprocess.run([sys.executable, "-m", "ontosync", "sync", str(src), "--db", str(tmp_path / "o.db"),
                               "--config", "-", flag, "c.yml", "--quiet"], stdin=redirected, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120, check=False)
    assert (proc.returncode, proc.stderr) == (2, f"ontosync: error: {flag} c.yml: is the config file; give another "
                                                 "path\n")
    assert config.read_text("utf-8") == "retries: 2\n"


def test_the_sqlite_header_is_read_in_one_place():
    """The output paths' refusal of another program's database (pipeline/outputs.py) read the SQLite
    header a third way, beside `verify`'s (store/integrity.py) and the damage probe's
    (store/health.py), each with its own copy of the magic bytes. One helper reads it:
    store/read_only.starts_as_sqlite."""
    from tests.helpers import ROOT

    holders = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "ontosync").rglob("*.py")
                     if "SQLite format 3" in path.read_text("utf-8"))
    assert holders == ["ontosync/store/read_only.py"]


def test_the_readme_names_this_rounds_output_refusals_and_the_queue_size_ceiling():
    """The README's "Outputs are checked first" did not name the two refusals this round added (an
    output that is another SQLite database, a path ending in `/`), and the `--queue-size` row of the
    CLI reference gave no upper limit where `--retries` and `--file-timeout` give theirs."""
    from tests.helpers import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    checked = " ".join(readme.split("**Outputs are checked first.**")[1].split("\n- **")[0].split())
    assert "or another SQLite database (`--report notes.db`" in checked
    assert "or a path ending in `/` (`--report out/` wrote a file `out`)" in checked
    assert "| `--queue-size N` | bound of the queue of files waiting for a worker, 1 to 100000 | 100 |" in readme


# --- the Action's report and checkpoint inputs: another database, a trailing / ------------------------

def _action(tmp_path: Path, other: str | None = None, **inputs: str) -> tuple[int, list[str], Path, bytes]:
    """The Action run with these inputs on a workspace of one class (the sync a fake; `other`: a
    file of the workspace made another program's SQLite database first): (its exit code, its
    ::error lines, the workspace, the other database's bytes before the run)."""
    from ontosync.action import run as action_run
    from tests.test_action import FakeCli, make_env, sample_report
    from tests.test_action_round8 import write_classes

    env = make_env(tmp_path, **inputs)
    workspace = Path(env["GITHUB_WORKSPACE"])
    write_classes(workspace, "A")
    before = _other_database(workspace / other) if other else b""
    cli, log = FakeCli(sample_report(failed=0)), io.StringIO()
    code = action_run.main(env, cli_main=cli, out=log)
    assert code == 0 or cli.argv is None, log.getvalue()  # refused: no sync ran
    return code, [line for line in log.getvalue().splitlines() if line.startswith("::error")], workspace, before


@pytest.mark.parametrize("name", ["report", "checkpoint"])
def test_the_actions_report_or_checkpoint_holding_another_database_is_refused_before_anything_is_removed(
        tmp_path, name):
    """`report: notes.db`, another program's SQLite database in the workspace: the Action deleted it
    (a report left from before must not pass for this run's) before the sync, whose own check then
    found nothing to refuse; a `checkpoint:` there was written over by a restored artifact. Refused
    first, as the command line refuses it: exit 2, one line naming the input, the file kept."""
    code, errors, workspace, before = _action(tmp_path, "notes.db", **{name: "notes.db"})
    assert code == 2 and len(errors) == 1, errors
    assert errors[0].endswith(f"input {name!r} (notes.db): is a SQLite database; refusing to replace it with text "
                              "(give another path)")
    assert (workspace / "notes.db").read_bytes() == before


@pytest.mark.parametrize("name", ["report", "checkpoint", "database"])
def test_the_actions_report_or_checkpoint_ending_in_a_slash_is_refused(tmp_path, name):
    """`report: out/` was read as `out` (the path normalised) and a file `out` written, where the
    command line refuses `--report out/`: refused the same, naming the input; nothing written.
    `database: out/` (h143) the same: the sync made a database file `out`, where `--db out/` is refused."""
    code, errors, workspace, _ = _action(tmp_path, **{name: "out/"})
    assert code == 2 and len(errors) == 1, errors
    said = "not a database file" if name == "database" else "not a file; give a file path"
    assert errors[0].endswith(f"input {name!r} (out/): ends in /, so it names a folder, {said}")
    assert not (workspace / "out").exists()


def test_the_actions_change_json_holding_another_database_is_refused(tmp_path):
    """The change JSON the Action writes beside the report (`ontosync-changes.json`) is removed
    before the sync too: another program's database under that name is refused the same."""
    code, errors, workspace, before = _action(tmp_path, "ontosync-changes.json")
    assert code == 2 and len(errors) == 1, errors
    assert errors[0].endswith("input 'report' (ontosync-report.json): the change JSON the Action writes beside it "
                              "(ontosync-changes.json) is a SQLite database; refusing to replace it with text (give "
                              "another path)")
    assert (workspace / "ontosync-changes.json").read_bytes() == before



def test_status_says_a_sync_refuses_a_checkpoint_holding_another_database(synced, tmp_path, capsys):
    """`status --checkpoint notes.db`, another program's SQLite database: "unreadable: ... the next
    sync replaces it", where the next sync refuses that path (exit 2) and replaces nothing. Said in
    the sync's words, as of a folder or a FIFO there."""
    _, db = synced
    other = tmp_path / "notes.db"
    _other_database(other)
    capsys.readouterr()
    assert main(["status", "--db", str(db), "--checkpoint", str(other)]) == 0
    out = capsys.readouterr().out
    assert (f"checkpoint    none: a sync refuses this path: --checkpoint {other}: is a SQLite database; refusing to "
            "replace it with text (give another path)\n") in out, out


def test_the_tighter_bound_names_the_actions_input(tmp_path):
    """In the Action (which has no command line) a checkout's `.ontosync.yml` with `retries: 20` was
    told "give --retries on the command line": the way there is the `retries` input, now named too."""
    said = _from_file(tmp_path, "retries: 20", checkout=True)
    assert "give --retries on the command line or the Action's 'retries' input, or in a --config file" in said
