"""The tests' temporary files on a RAM disk (/dev/shm) when the machine has a roomy one.

The suite writes a lot of small files: copies of the 1,684-page corpus (a `shutil.copytree` of it
cost 1.5 CPU-seconds of kernel time and 3 s of wall time on this machine's ext4, 0.1 and 0.3 on
tmpfs), SQLite databases with their journals and write-ahead logs, checkpoints and reports after
every few files. On a disk each costs a journalled metadata write; on tmpfs only memory. Nothing the
tests assert depends on the file system (the disk-full test mounts its own small tmpfs), so where
/dev/shm is a tmpfs with room to spare the run puts pytest's base temporary folder (tmp_path,
tmp_path_factory, the workers' shared syncs, conftest's `shared_once`) and `tempfile`'s folder
(`TMPDIR`, which the CLI processes the tests start inherit) there.

Left alone: a run given `--basetemp`, `PYTEST_DEBUG_TEMPROOT` or `TMPDIR` (the caller chose), a
machine without a roomy tmpfs at /dev/shm (a container's is 64 MB by default), and
`ONTOSYNC_TEST_RAM_DISK=0`. Decided once, in the process that is not an xdist worker: the workers
inherit the environment and get their base folders from it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

RAM_DISK = Path("/dev/shm")
MIN_FREE = 4 << 30  # a whole run leaves ~1.4 GB (pyproject's tmp_path_retention_count keeps one run)


def use_ram_disk(config: pytest.Config) -> None:
    chosen = config.option.basetemp or any(os.environ.get(v) for v in ("PYTEST_DEBUG_TEMPROOT", "TMPDIR"))
    off = os.environ.get("ONTOSYNC_TEST_RAM_DISK") == "0"
    if os.environ.get("PYTEST_XDIST_WORKER") or chosen or off or not roomy_tmpfs(RAM_DISK):
        return
    os.environ["PYTEST_DEBUG_TEMPROOT"] = os.environ["TMPDIR"] = str(RAM_DISK)
    tempfile.tempdir = None  # read TMPDIR again at the next gettempdir()


def roomy_tmpfs(folder: Path) -> bool:
    """`folder` is a tmpfs mount we may write to, with MIN_FREE bytes free."""
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
        st = os.statvfs(folder)
    except OSError:
        return False
    tmpfs = any(fields[1] == str(folder) and fields[2] == "tmpfs" for fields in (m.split() for m in mounts)
                if len(fields) > 2)
    return tmpfs and os.access(folder, os.W_OK | os.X_OK) and st.f_bavail * st.f_frsize >= MIN_FREE
