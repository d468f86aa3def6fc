"""Reported items, round 6: `--workers` without an upper bound, and the canned Datasette search's
cost on a query of thousands of repeated words.

1. `--workers 100000` was taken as asked: the parse pool grows one worker per starved half second up
   to that number, so a long parse-bound run started hundreds of processes (memory, pids). The
   options table now bounds it (MAX_WORKERS), refused alike by the flag, `.ontosync.yml` and the
   Action's `workers:` input, with one line naming the bound, before anything is read or written.
"""

from __future__ import annotations

import pytest

from ontosync.action.inputs import InputError, read_inputs
from ontosync.cli import main as cli_main
from ontosync.config import ConfigError, build_settings
from ontosync.options import MAX_WORKERS


def test_workers_has_a_ceiling_everywhere(tmp_path):
    over = MAX_WORKERS + 1
    bound = f"--workers must be between 1 and {MAX_WORKERS}"
    with pytest.raises(ConfigError, match=f"^{bound}"):
        build_settings({"workers": over}, None)
    config = tmp_path / "c.yml"
    config.write_text(f"workers: {over}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{bound}"):
        build_settings({}, str(config))
    with pytest.raises(InputError, match="out of range"):
        read_inputs({"GITHUB_WORKSPACE": str(tmp_path), "INPUT_WORKERS": str(over)})
    assert build_settings({"workers": MAX_WORKERS}, None).workers == MAX_WORKERS


def test_sync_refuses_100000_workers_in_one_line_and_writes_nothing(tmp_path, capsys):
    tree = tmp_path / "src"
    (tree / "pages").mkdir(parents=True)
    (tree / "pages" / "A.md").write_text("- a\n", encoding="utf-8")
    db = tmp_path / "o.db"
    assert cli_main(["sync", str(tree), "--db", str(db), "--quiet", "--workers", "100000"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"ontosync: error: --workers must be between 1 and {MAX_WORKERS}"]
    assert not db.exists()
