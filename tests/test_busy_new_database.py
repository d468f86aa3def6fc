"""`--busy-timeout` also bounds the wait for a brand-new database's lock: the schema is created
before the sync's writer opens it, and that step waited a fixed 5 s whatever the option said."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import EXAMPLE, cli

HOLD_S = 7  # past the old fixed 5 s, well inside the 60 s the sync is given


def test_a_new_database_held_for_a_while_is_waited_for_as_busy_timeout_says(tmp_path):
    if not EXAMPLE.is_dir():
        pytest.skip(f"{EXAMPLE} is missing")
    db = tmp_path / "new.db"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, time\n"
        f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
        f"c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep({HOLD_S}); c.execute('COMMIT')\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        proc = cli("sync", str(EXAMPLE), "--db", str(db), "--quiet", "--busy-timeout", "60")
    finally:
        holder.communicate(timeout=60)
    assert holder.returncode == 0
    assert proc.returncode == 0, proc.stderr
