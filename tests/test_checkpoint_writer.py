"""The periodic checkpoints are written by a thread (pipeline/checkpoint_writer.py): none is lost,
the newest always lands last, a failed write becomes a warning, and no thread outlives the run or
is alive when a parse worker is forked."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from ontosync.pipeline.checkpoint_writer import CheckpointWriter
from ontosync.pipeline.outputs import write_text
from tests.helpers import cli


def test_the_newest_text_is_the_one_on_disk(tmp_path):
    target = tmp_path / "c.json"
    written: list[str] = []

    def write(path: str, text: str) -> None:
        write_text(path, text)
        written.append(text)

    writer = CheckpointWriter(write)
    for i in range(200):
        writer.submit(str(target), json.dumps({"processed": i}))
    writer.wait()
    assert json.loads(target.read_text()) == {"processed": 199}
    numbers = [json.loads(t)["processed"] for t in written]
    assert numbers == sorted(numbers) and numbers[-1] == 199  # in order; a waiting text may be replaced
    writer.close()
    assert not any(t.name == "ontosync-checkpoint" for t in threading.enumerate())
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]  # no temp file left


def test_a_failed_write_is_reported_and_the_next_one_still_lands(tmp_path):
    writer = CheckpointWriter(write_text)
    writer.submit(str(tmp_path / "missing" / "c.json"), "{}")
    writer.wait()
    errors = writer.take_errors()
    assert len(errors) == 1 and errors[0][0].endswith("missing/c.json") and isinstance(errors[0][1], OSError)
    writer.submit(str(tmp_path / "c.json"), '{"ok": 1}')
    writer.close()
    assert json.loads((tmp_path / "c.json").read_text()) == {"ok": 1}
    assert writer.take_errors() == []


def test_a_sync_writes_every_checkpoint_and_leaves_no_thread(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(40):
        (src / f"P{i:02d}.md").write_text(f"- ### OntologyBlock\n  - term-id:: T{i}\n  - preferred-term:: P{i:02d}\n")
    db, ckpt = tmp_path / "o.db", tmp_path / "c.json"
    before = threading.active_count()
    r = cli("sync", str(src), "--db", str(db), "--quiet", "--workers", "2", "--checkpoint", str(ckpt),
            "--checkpoint-every", "1")
    assert r.returncode == 0, r.stderr
    data = json.loads(ckpt.read_text())
    assert data["finished"] is True and data["processed"] == data["total_files"] == 40
    assert threading.active_count() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".c.json")) == []  # no temp file


def test_the_last_checkpoint_is_not_overtaken_by_a_periodic_one(tmp_path, monkeypatch):
    """A periodic write still in flight when the run ends must not land after the final one."""
    import time

    from ontosync.pipeline import sync as sync_module

    slow_writes: list[str] = []

    def slow_write(path: str, text: str) -> None:
        time.sleep(0.05)
        write_text(path, text)
        slow_writes.append(text)

    real_init = CheckpointWriter.__init__
    monkeypatch.setattr(CheckpointWriter, "__init__", lambda self, _w: real_init(self, slow_write))
    assert sync_module.CheckpointWriter is CheckpointWriter
    src = tmp_path / "src"
    src.mkdir()
    for i in range(12):
        (src / f"P{i:02d}.md").write_text(f"- term-id:: T{i}\n")
    ckpt = tmp_path / "c.json"
    r = cli("sync", str(src), "--db", str(tmp_path / "o.db"), "--quiet", "--checkpoint", str(ckpt),
            "--checkpoint-every", "1")
    assert r.returncode == 0, r.stderr
    assert slow_writes  # some periodic checkpoints went through the thread
    data = json.loads(Path(ckpt).read_text())
    assert data["finished"] is True and data["processed"] == 12
