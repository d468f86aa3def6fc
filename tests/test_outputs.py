"""Issue 13.6: outputs are checked before the work and never clobber what is not a regular file.

--report and --checkpoint aimed at a folder, a missing folder or an unwritable place are exit 2
with one line before the sync starts (no database is created). A FIFO, a character device or a
link to one is written into, never replaced by a regular file.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from tests.helpers import cli, copy_example, dump_file
from tests.privileges import run_cli_unprivileged


@pytest.fixture
def tree(tmp_path) -> Path:
    return copy_example(tmp_path)


def refused_up_front(proc, db: Path, *words: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert all(w in lines[0] for w in words), lines[0]
    assert not db.exists(), "the sync ran before the output was checked"


@pytest.mark.parametrize("flag", ["--report", "--checkpoint"])
def test_output_is_a_folder(tree, tmp_path, flag):
    (tmp_path / "out").mkdir()
    db = tmp_path / "o.db"
    refused_up_front(cli("sync", str(tree), "--db", str(db), "--quiet", flag, str(tmp_path / "out")), db,
                     flag, "folder")


@pytest.mark.parametrize("flag", ["--report", "--checkpoint"])
def test_output_in_a_missing_folder(tree, tmp_path, flag):
    db = tmp_path / "o.db"
    refused_up_front(cli("sync", str(tree), "--db", str(db), "--quiet", flag, str(tmp_path / "nope" / "r.json")),
                     db, flag, "does not exist")


def test_output_in_an_unwritable_folder(tree, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o555)
    db = tmp_path / "o.db"
    try:
        proc = run_cli_unprivileged("sync", str(tree), "--db", str(db), "--quiet", "--report",
                                    str(locked / "r.json"))
    finally:
        os.chmod(locked, 0o755)
    refused_up_front(proc, db, "--report", "permission denied")


def test_report_into_a_fifo_is_written_not_replaced(tree, tmp_path):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    db = tmp_path / "o.db"
    proc = cli("sync", str(tree), "--db", str(db), "--quiet", "--report", str(fifo))
    reader.join(60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    report = json.loads(received[0])
    assert report["files"]["ok"] == sum(1 for r in dump_file(db)["source_files"] if r[4] == "ok")


@pytest.mark.parametrize("flag", ["--report", "--checkpoint"])
def test_link_to_a_device_stays_a_link(tree, tmp_path, flag):
    link = tmp_path / "out.json"
    link.symlink_to("/dev/null")
    db = tmp_path / "o.db"
    proc = cli("sync", str(tree), "--db", str(db), "--quiet", flag, str(link))
    assert proc.returncode == 0, proc.stderr
    assert os.path.islink(link) and os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_link_to_a_regular_file_updates_the_target(tree, tmp_path):
    target = tmp_path / "real-report.json"
    target.write_text("{}")
    link = tmp_path / "report.json"
    link.symlink_to(target.name)
    proc = cli("sync", str(tree), "--db", str(tmp_path / "o.db"), "--quiet", "--report", str(link))
    assert proc.returncode == 0, proc.stderr
    assert os.path.islink(link) and json.loads(target.read_text())["files"]["total"] > 0
