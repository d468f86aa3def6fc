"""First contact, third round (issue h106): blank paths in every command, odd values in
`.ontosync.yml`, an output file the user made read-only, and `verify` of a file it cannot read.

Each test is a defect a first try met, run in this process on a one-file tree (the permission test
in one unprivileged process for all its commands: tests/privileges.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from pathlib import Path

import pytest

from ontosync.cli import main
from ontosync.config import ConfigError, build_settings
from ontosync.options import config_keys
from tests.helpers import EXAMPLE, ROOT


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    """The README's first command, its `ontosync` part, in a fresh folder: (the example's copy, the
    database, the files the command left in the folder)."""
    root = tmp_path_factory.mktemp("h106")
    shutil.copytree(EXAMPLE, root / "examples" / "ontology")
    before = os.getcwd()
    os.chdir(root)
    try:
        assert main(["sync", "examples/ontology", "--db", "example.db", "--report", "example-report.json",
                     "--quiet", "--workers", "1"]) == 0
        assert main(["status", "--db", "example.db"]) == 0
    finally:
        os.chdir(before)
    left = sorted(p.name for p in root.iterdir() if p.is_file())
    return root / "examples" / "ontology", root / "example.db", left


def test_the_readme_names_every_file_its_first_command_leaves(synced):
    """"What the first command left in the folder" named the database, its checkpoint, the report
    and the lock; the command's `status` leaves `example.db-wal` and `example.db-shm` too (SQLite's,
    of a WAL database a reader opened: a read-only connection cannot remove them), which a newcomer
    met unexplained. Every file it leaves is named, and every file named is left."""
    said = (ROOT / "README.md").read_text("utf-8").split("What the first command left in the folder", 1)[1]
    named = set(re.findall(r"`(example[^`\s]*)`", said.split("\n\n", 1)[0]))
    assert sorted(named) == synced[2]


# --- 1. a blank path is a usage error in every command ----------------------------------------------

@pytest.mark.parametrize("command, flag", [("status", "--checkpoint"), ("migrate", "--backup-dir"),
                                           ("diff", "--base")])
@pytest.mark.parametrize("blank", ["", " "])
def test_a_blank_path_is_a_usage_error_in_every_command(synced, tmp_path, monkeypatch, capsys, command, flag, blank):
    """`status --checkpoint "$CKPT"`, the variable unset, showed the default checkpoint (`""`) or read a
    file named ` ` (exit 0); `migrate --backup-dir ""` put the backup beside the database, `" "` in a
    folder ` `; `diff --base " "` said "  is not an ontosync database". As `sync`'s blank flags
    (h94): exit 2, one line naming the flag, before anything is read."""
    _, db, _ = synced
    monkeypatch.chdir(tmp_path)
    (tmp_path / " ").write_text("{}", encoding="utf-8")  # a file the blank would have named
    assert main([command, "--db", str(db), flag, blank]) == 2
    assert capsys.readouterr() == ("", f"ontosync: error: {flag} must not be empty\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [" "]


# --- 2. `.ontosync.yml`: every odd value names the file and the line ---------------------------------

ODD = [".nan", ".inf", "~", "{a: 1}", "true", "1" + "0" * 400, "2024-01-01", "0", "' '", "[' ']", "../up"]


def _outcome(config: Path, key: str, value: str) -> str:
    """What build_settings makes of `key: value` on line 2 of `config` (the user's own file, outside
    the source: the checkout's rules on paths do not apply): the value taken, or the error."""
    config.write_text(f"# settings\n{key}: {value}\n", encoding="utf-8")
    try:
        settings = build_settings({"source": str(config.parent / "src")}, str(config))
    except ConfigError as exc:
        return str(exc)
    return f"taken {getattr(settings, config_keys()[key].field)!r}"


def test_every_odd_yaml_value_is_taken_or_named_by_file_and_line(tmp_path):
    """`file-timeout: .nan` said "--file-timeout must be positive", a flag the user never typed,
    without the file or the line (every other bad value there names both); `workers: 0`, `include:
    [' ']` and `path: ../up` the same; `file-timeout:` with a 401-digit number was an OverflowError
    traceback; a key YAML reads as no string (`~:`) named no line; `page-namespace: " "` was taken,
    and the pages' classes were ` robot` (`""`: `robot`), no IRIs. Each key of the table, each odd
    YAML value: taken, or one line naming the file and line 2."""
    config = tmp_path / "c.yml"
    keys = [key for key, option in config_keys().items() if key == option.name]  # an alias is its key's twin
    said = {(key, value): _outcome(config, key, value) for key in keys for value in ODD}
    wrong = {k: v for k, v in said.items() if not v.startswith(("taken ", f"{config} line 2: "))}
    assert wrong == {}
    assert said["file-timeout", ".nan"] == said["file-timeout", ".inf"] == (
        f"{config} line 2: 'file-timeout' must be positive and at most 86400 seconds")
    assert said["workers", "0"] == f"{config} line 2: 'workers' must be between 1 and 64"
    assert said["path", "../up"] == f"{config} line 2: 'path' must be a folder inside the source, not '../up'"
    assert said["include", "[' ']"] == f"{config} line 2: 'include' must not hold an empty glob (item 1)"
    assert said["max-error-rate", "1" + "0" * 400] == (f"{config} line 2: 'max-error-rate' must be a number "
                                                        "a float can hold, not one of 401 digits")
    # a key YAML reads as no string (`~` is null, `yes` true) named the file alone
    assert [_outcome(config, key, "1") for key in ("~", "yes")] == [
        f"{config} line 2: unknown setting 'null'", f"{config} line 2: unknown setting 'true'"]
    assert said["page-namespace", "' '"] == (
        f"{config} line 2: 'page-namespace' must be an absolute IRI (like urn:ontosync:page: or "
        "https://example.org/page/)")
    # `namespaces: {ex: ""}` made `owl:class:: ex:Robot` the class `Robot`; `ex: " "` dropped it unsaid
    assert [_outcome(config, "namespaces", value) for value in ("{ex: ''}", "{ex: ' '}", "{ex: 'not an iri'}")] == [
        f"{config} line 2: 'namespaces' must be a mapping of prefixes to absolute IRIs, and 'ex': {shown} is not"
        for shown in ("''", "' '", "'not an iri'")]
    # an alert's threshold: `-.inf` wrote `"threshold": -Infinity` into the report, no JSON; a 401-digit
    # one was an OverflowError traceback after the whole sync; `.nan` never alerted
    assert {_outcome(config, "alerts", f"{{max-rss-mb: {value}}}") for value in ("-.inf", "1" + "0" * 400, ".nan",
                                                                                   "-1")} == {
        f"{config} line 2: 'alerts.max-rss-mb' must be a finite number, 0 or more"}
    assert _outcome(config, "alerts", "{max-rss-mb: 0, min-files-per-s: 2.5}").startswith("taken {")
    assert said["page-namespace", "../up"].startswith(f"{config} line 2: 'page-namespace' must be an absolute IRI")


# --- 3. an output file the user made read-only -------------------------------------------------------

def test_a_replaced_output_keeps_its_mode(synced, tmp_path, monkeypatch):
    """`--report r.json` over a report the user had made private (0600) left a new file of the umask's
    mode (0644): the atomic rename replaces the file, and its mode with it. The replacement keeps the
    mode of the file it replaces; a new file (`diff --output`, written the same way) still gets the
    umask's."""
    src, db, _ = synced
    monkeypatch.chdir(tmp_path)
    old = os.umask(0o022)
    try:
        report = tmp_path / "r.json"
        report.write_text("{}", encoding="utf-8")
        report.chmod(0o600)
        assert main(["sync", str(src), "--db", str(db), "--report", "r.json", "--quiet", "--workers", "1"]) == 0
        assert stat.S_IMODE(report.stat().st_mode) == 0o600
        assert json.loads(report.read_text("utf-8"))["files"]["unchanged"] == 8
        assert main(["diff", "--db", str(db), "--output", "new.txt"]) == 0
        assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644
    finally:
        os.umask(old)


def test_a_read_only_output_is_refused_before_the_work_and_verify_says_why_it_cannot_read(synced, tmp_path):
    """As a user bound by permissions: a read-only `--report` (0444) was replaced by the rename with
    a writable file of the umask's mode, as if the user had not protected it; `diff --output` the
    same. Now exit 2 before the sync (nothing written), as a shell's `>` refuses the file. And
    `verify` of a file it may not read says the system's reason, one line, exit 3 (the line stays
    what it was: readable_problems no longer makes up an SQLite error to reach it)."""
    from tests.privileges import restore_permissions
    from tests.test_hostile_env5 import run_readers_unprivileged

    src, db, _ = synced
    for name in ("ro.json", "ro.txt"):
        (tmp_path / name).write_text("kept", encoding="utf-8")
        (tmp_path / name).chmod(0o444)
    hidden = tmp_path / "hidden.db"
    hidden.write_bytes(db.read_bytes())
    hidden.chmod(0)
    try:
        results = run_readers_unprivileged(
            ("sync", str(src), "--db", str(tmp_path / "n.db"), "--report", str(tmp_path / "ro.json"), "--quiet"),
            ("diff", "--db", str(db), "--output", str(tmp_path / "ro.txt")), ("verify", "--db", str(hidden)))
    finally:
        restore_permissions(tmp_path)
        hidden.chmod(0o644)
    assert results == [
        (2, f"ontosync: error: --report {tmp_path}/ro.json: cannot write the file: permission denied\n", ""),
        (2, f"ontosync: error: --output {tmp_path}/ro.txt: cannot write the file: permission denied\n", ""),
        (3, f"ontosync: fatal: {hidden}: cannot be read: permission denied\n", "")]
    assert [(tmp_path / n).read_text("utf-8") for n in ("ro.json", "ro.txt")] == ["kept", "kept"]
    assert not (tmp_path / "n.db").exists()


# --- 4. verify of a file it cannot open ---------------------------------------------------------------

def test_readable_problems_says_why_it_cannot_read_in_its_own_words(tmp_path):
    """readable_problems raised `sqlite3.OperationalError("unable to open database file")`, an error
    SQLite never raised, so that `classify` would find the reason again and say it. It says the line
    itself now: a console.Stopped (fatal, exit 3), the same words."""
    from ontosync.console import Stopped
    from ontosync.store.integrity import readable_problems

    loop = tmp_path / "loop.db"
    loop.symlink_to(loop)  # unreadable to root too: no permission to drop
    with pytest.raises(Stopped) as caught:
        readable_problems(loop)
    assert type(caught.value) is Stopped and (caught.value.word, caught.value.code) == ("fatal", 3)
    assert str(caught.value) == f"{loop}: cannot be read: too many levels of symbolic links"


# --- the first thing typed ----------------------------------------------------------------------------

COMMANDS = "sync, migrate, verify, status, diff, search or fetch-db"


@pytest.mark.parametrize("argv, said", [
    ([], f"give a command: {COMMANDS} (`ontosync --help` says what each does)"),
    (["synk", "."], f"unknown command 'synk' (did you mean sync?): give {COMMANDS} (`ontosync --help` says what "
                    "each does)"),
    (["help"], f"unknown command 'help': give {COMMANDS} (`ontosync --help` says what each does)"),
    (["--db", "o.db"], f"give a command first, then its flags: {COMMANDS} (`ontosync --help` says what each does)"),
])
def test_no_command_or_an_unknown_one_says_which_there_are(capsys, argv, said):
    """`ontosync` (or `python -m ontosync`) alone said "the following arguments are required:
    command", argparse's words for the word a newcomer had not typed yet, and no way on; `ontosync
    synk` "argument command: invalid choice: 'synk' (choose from 'sync', ...)"; `ontosync --db o.db`
    "unrecognized arguments" or the same "required: command". One line: the commands, the likely
    one, `--help`."""
    assert main(argv) == 2
    assert capsys.readouterr() == ("", f"ontosync: error: {said}\n")


def test_each_commands_usage_names_its_operand_as_the_readme_does():
    """The README's reference says `ontosync sync [SOURCE]`, and errors say "SOURCE must not be
    empty"; `sync --help` said `[source]`. Each command's operand, as its usage line shows it."""
    from ontosync.cli import build_parser

    block = (ROOT / "README.md").read_text("utf-8").split("## CLI reference", 1)[1].split("```", 2)[1]
    sub = next(a for a in build_parser()._actions if a.choices)
    for line in filter(None, block.splitlines()):
        _, command, rest = line.split(None, 2)
        rest = re.sub(r"--[a-z-]+( [A-Z][^\s\]|]*)?", "", rest)  # each flag and its value
        operands = [w for w in rest.split() if re.fullmatch(r"\[?[A-Z][A-Z/]*\]?", w)]
        usage = " ".join(sub.choices[command].format_usage().split())
        assert all(f" {w}" in usage for w in operands), (command, operands, usage)


def test_migrate_names_its_backup_folder_plainly(tmp_path, capsys):
    """`migrate --backup-dir notes.txt` (a file) said "cannot write the backup notes.txt/...partial:
    File exists", the system's words for mkdir over a file, which sent the user looking for a
    backup already there: it names the file as no folder, nothing changed (exit 3, as before). And
    the summary printed the backup's path raw on standard output: a folder named with a newline
    split its line in two, an escape sequence reached the terminal (every stderr line is escaped
    already: console.printable); each line of the summary is escaped alike."""
    from tests.helpers import database_at

    db = tmp_path / "old\x1b[2J.db"
    database_at(db, 5)
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    before = db.read_bytes()
    assert main(["migrate", "--db", str(db), "--backup-dir", str(tmp_path / "notes.txt")]) == 3
    err = capsys.readouterr().err
    assert err.startswith(f"ontosync: fatal: cannot write the backup {tmp_path}/notes.txt/old\\x1b[2J.backup-")
    assert err.endswith(f".db.partial: {tmp_path}/notes.txt is not a folder; nothing was changed (--backup-dir puts "
                        "it elsewhere)\n") and err.count("\n") == 1
    assert db.read_bytes() == before and (tmp_path / "notes.txt").read_text("utf-8") == "mine"
    backups = tmp_path / "saved\nhere"
    assert main(["migrate", "--db", str(db), "--backup-dir", str(backups)]) == 0
    out = capsys.readouterr().out
    backup = next(backups.iterdir()).name.replace("\x1b", "\\x1b")
    assert "\x1b" not in out and f"backup (integrity_check ok): {tmp_path}/saved\\x0ahere/{backup}\n" in out
    assert out.startswith(f"{tmp_path}/old\\x1b[2J.db: the ontosync schema\n")


@pytest.mark.parametrize("argv, said", [
    (["sync", ".", "--worker", "2"], "unrecognized arguments: --worker 2 (did you mean --workers?)"),
    (["status", "--db", "x.db", "--jsn"], "unrecognized arguments: --jsn (did you mean --json?)"),
    (["search", "x", "--db", "x.db", "--limt=3"], "unrecognized arguments: --limt=3 (did you mean --limit?)"),
    (["verify", "--db", "x.db", "--zzz"], "unrecognized arguments: --zzz"),
    (["status", "--db", "x.db", ""], "unrecognized arguments: "),
])
def test_a_misspelt_flag_is_answered_with_the_likely_one(argv, said, capsys):
    """Flags are spelled in full (no abbreviations, cli_parser.py), so `--worker 2` is refused, but
    the line said only "unrecognized arguments": the user had to read `--help` for a letter."""
    assert main(argv) == 2
    assert capsys.readouterr() == ("", f"ontosync: error: {said}\n")


@pytest.mark.parametrize("argv", [["--version"], ["sync", "--help"]])
def test_help_that_standard_output_cannot_take_is_not_exit_0(argv, monkeypatch, capsys):
    """Unbuffered (PYTHONUNBUFFERED=1, as the image sets it), `ontosync --help > help.txt` on a full
    disk exited 0 with nothing written: argparse drops an OSError of its own print. It is `standard
    output: not written`, exit 2, as for every other command's output (cli.main)."""
    import io

    from ontosync.console import _WholeWrites

    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    fd = os.open("/dev/full", os.O_WRONLY)
    try:  # sys.stdout as open_standard_streams makes it under PYTHONUNBUFFERED=1
        monkeypatch.setattr("sys.stdout", io.TextIOWrapper(_WholeWrites(fd), encoding="utf-8", write_through=True))
        code = main(argv)
    finally:
        monkeypatch.undo()
        os.close(fd)
    assert (code, capsys.readouterr().err) == (2, "ontosync: error: standard output: not written: No space left on "
                                                  "device\n")
