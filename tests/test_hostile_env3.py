"""Issue h64: hostile surroundings, round 3 (round 2: tests/test_hostile_env2.py).

- A hard-linked database (`ln real.db hard.db`): `--db hard.db` and `--db real.db` took two lock
  files, and two syncs wrote into the one file at once.
- Two databases sharing one `--checkpoint`: the second resumed the first's interrupted run (a
  `--full` run of it skipped files as "done by the interrupted run"), and replaced its checkpoint.
- A checkpoint file of gigabytes was read whole into memory by `sync` and `status`.
- `fetch-db` (in-process) kept the retry backoff `$ONTOSYNC_RETRY_BACKOFF` had when it was imported.
- `verify` on a database another program held locked said it "fails its checks", exit 3.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import cli


def _empty_tree(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir(exist_ok=True)
    return tmp_path / "src"


def _page(src: Path, name: str) -> None:
    (src / f"{name}.md").write_text(f"- ### OntologyBlock\n  - owl:class:: mv:{name}\n", encoding="utf-8")


def test_a_hard_link_of_the_database_takes_the_same_lock(tmp_path):
    """realpath() does not see hard links: `hard.db.lock` was free while `real.db.lock` was held."""
    from ontosync.store.lock import SyncLock

    src = _empty_tree(tmp_path)
    real, hard = tmp_path / "real.db", tmp_path / "other" / "hard.db"
    assert cli("sync", str(src), "--db", str(real), "--quiet").returncode == 0
    hard.parent.mkdir()
    os.link(real, hard)
    _page(src, "Cat")
    with SyncLock(real, "the other sync", timeout=0):
        proc = cli("sync", str(src), "--db", str(hard), "--lock-timeout", "0", "--quiet")
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ontosync: busy: database {hard} is busy: another sync holds it through another name of the same file "
        "(a hard link; that name's .lock file names the holder); waited 0 s (--lock-timeout). Nothing was "
        "written; run again later."]
    assert cli("sync", str(src), "--db", str(hard), "--lock-timeout", "0", "--quiet").returncode == 0
