"""`status` while a sync writes: its figures come from one snapshot of the database, never from
several states (files counted before a commit, classes after it)."""

from __future__ import annotations

from ontosync.store import status
from tests.helpers import cli, make_chain_tree


def test_status_counts_are_one_snapshot_while_a_sync_commits(tmp_path, monkeypatch):
    tree, db = tmp_path / "tree", tmp_path / "o.db"
    make_chain_tree(tree, 4)
    assert cli("sync", str(tree), "--db", str(db), "--quiet").returncode == 0
    reader = status.open_read_only(db)
    before = status.status_counts(reader)
    (tree / "f04.ttl").write_text((tree / "f03.ttl").read_text().replace("C3", "C4").replace("C4>", "C5>"))
    counts = status.entity_counts

    def then_a_sync_commits(execute):  # the first of status's queries, then a sync writes a file
        figures = counts(execute)
        proc = cli("sync", str(tree), "--db", str(db), "--quiet")
        assert proc.returncode == 0, proc.stderr
        return figures

    monkeypatch.setattr(status, "entity_counts", then_a_sync_commits)
    during = status.status_counts(reader)
    monkeypatch.setattr(status, "entity_counts", counts)
    after = status.status_counts(status.open_read_only(db))
    assert after["files"]["ok"] == before["files"]["ok"] + 1  # the sync did commit a file
    assert during == before
