"""The legacy conversions are written once (migrations/legacy/stage.sql + <shape>_facts.sql +
load.sql); databases migrated before that split recorded the checksum of the old one-file
conversion, and must still be accepted, while any other checksum is refused untouched."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from ontosync.store.legacy import HISTORICAL_CHECKSUMS, LEGACY
from ontosync.store.upgrade import MigrationFailed, migrate, prepare_database
from tests.helpers import ROOT
from tests.test_migrate import build_l1, build_l3


def _record(path, version: int, checksum: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE schema_migrations SET checksum = ? WHERE version = ?", (checksum, version))
    conn.close()


@pytest.mark.parametrize("shape, build, earlier", [
    (shape, build, n) for shape, build in (("L1", build_l1), ("L3", build_l3)) for n in range(2)])
def test_a_database_migrated_before_the_split_is_still_accepted(tmp_path, shape, build, earlier):
    """Each checksum an earlier release recorded: the one-file conversion, then the split text."""
    path = tmp_path / "ontology.db"
    build(path)
    migrate(path)
    version = LEGACY[shape].version
    old = sorted(HISTORICAL_CHECKSUMS[version])[earlier]
    assert old != LEGACY[shape].checksum()
    _record(path, version, old)
    raw = path.read_bytes()
    assert not migrate(path).changed
    assert not prepare_database(path).changed
    assert path.read_bytes() == raw


def test_an_unknown_recorded_checksum_is_refused(tmp_path):
    path = tmp_path / "ontology.db"
    build_l3(path)
    migrate(path)
    _record(path, -3, "0" * 64)
    raw = path.read_bytes()
    with pytest.raises(MigrationFailed, match=r"legacy/l3_to_current\.sql changed after it was applied.*"
                                              r"legacy/stage\.sql, legacy/l2_l3_facts\.sql, legacy/load\.sql"):
        prepare_database(path)
    assert path.read_bytes() == raw


def test_l2_and_l3_run_one_text_and_differ_only_in_the_file_prefix():
    folder = ROOT / "migrations" / "legacy"
    text = b"".join((folder / n).read_bytes() for n in ("stage.sql", "l2_l3_facts.sql", "load.sql"))
    assert LEGACY["L2"].text() == LEGACY["L3"].text() == text
    assert LEGACY["L2"].checksum() == hashlib.sha256(text).hexdigest()
    assert (LEGACY["L2"].params, LEGACY["L3"].params) == ({"file_prefix": "legacy:L2/"}, {"file_prefix": "legacy:L3/"})
    statements = [line.split("--", 1)[0] for line in text.decode().splitlines()]
    assert [line for line in statements if "legacy:L" in line] == []  # no shape named in the SQL itself
    assert sum(":file_prefix ||" in line for line in statements) == 5
