"""`ontosync fetch-db` against the fake REST artifact endpoints on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ontosync.action import artifacts
from ontosync.action.fetch_db import fetch_db

try:
    from tests.fake_artifacts import FakeArtifactServer, make_zip
except ImportError:  # tests/ is not a package: pytest put this folder on sys.path
    from fake_artifacts import FakeArtifactServer, make_zip

REPO = "acme/ontology"
TOKEN = "test-token"


def make_db(path: Path, marker: str = "good", *, break_fk: bool = False) -> bytes:
    """A small database with a foreign key; `break_fk` leaves a dangling reference."""
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE ontologies (ontology_id TEXT PRIMARY KEY);"
        "CREATE TABLE owl_classes (ontology_id TEXT NOT NULL REFERENCES ontologies (ontology_id),"
        " class_iri TEXT NOT NULL, PRIMARY KEY (ontology_id, class_iri));"
        "CREATE TABLE marker (value TEXT);"
    )
    conn.execute("INSERT INTO marker VALUES (?)", (marker,))
    conn.execute("INSERT INTO ontologies VALUES ('default')")
    conn.execute("INSERT INTO owl_classes VALUES ('default', 'http://example.org/A')")
    if break_fk:
        conn.execute("INSERT INTO owl_classes VALUES ('missing', 'http://example.org/B')")
    conn.commit()
    conn.close()
    return path.read_bytes()


def marker_of(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT value FROM marker").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def fake():
    with FakeArtifactServer(token=TOKEN) as server:
        yield server


@pytest.fixture
def db_bytes(tmp_path):
    def build(marker: str, **kw) -> bytes:
        return make_db(tmp_path / f"src-{marker}.db", marker, **kw)
    return build


def test_newest_live_artifact_is_fetched_and_verified(fake, db_bytes, tmp_path, capsys):
    fake.add(REPO, "ontology-db", {"ontology.db": db_bytes("old")}, age_hours=48)
    fake.add(REPO, "ontology-db", {"ontology.db": db_bytes("new"), "ontosync-report.json": b"{}"}, age_hours=2)
    fake.add(REPO, "ontology-db", {"ontology.db": db_bytes("expired")}, age_hours=1, expired=True)
    fake.add(REPO, "other-name", {"ontology.db": db_bytes("other")}, age_hours=0.5)
    out = tmp_path / "app" / "data" / "ontology.db"

    code = fetch_db(REPO, "ontology-db", out, api_url=fake.api_url, token=TOKEN)

    assert code == 0, capsys.readouterr().err
    assert marker_of(out) == "new"
    assert fake.requests["zip"] == 1 and fake.requests["storage"] == 1
    assert "verify: ok" in capsys.readouterr().out
    assert not list(out.parent.glob(".ontology.db.*")), "no temp file left behind"


def test_token_is_sent_to_the_api_but_not_to_storage(fake, db_bytes, tmp_path):
    fake.add(REPO, "ontology-db", {"ontology.db": db_bytes("x")})
    assert fetch_db(REPO, out=tmp_path / "o.db", api_url=fake.api_url, token=TOKEN) == 0
    # the fake answers 400 to a storage request carrying Authorization; a 200 came back
    assert f"Bearer {TOKEN}" in fake.auth_seen or f"token {TOKEN}" in fake.auth_seen


def test_token_comes_from_the_environment(fake, db_bytes, tmp_path, monkeypatch):
    fake.add(REPO, "ontology-db", {"ontology.db": db_bytes("env")})
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", fake.api_url)
    assert fetch_db(REPO, out=tmp_path / "o.db") == 0
    assert marker_of(tmp_path / "o.db") == "env"


def test_no_artifact_yet_exits_2_and_writes_nothing(fake, tmp_path, capsys):
    fake.add_repo(REPO)
    out = tmp_path / "o.db"
    assert fetch_db(REPO, out=out, api_url=fake.api_url, token=TOKEN) == 2
    err = capsys.readouterr().err
    assert "no artifact named 'ontology-db'" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()
    assert fake.requests["zip"] == 0


def test_only_expired_artifacts_exit_2(fake, db_bytes, tmp_path, capsys):
    fake.add(REPO, "ontology-db", {"ontology.db": db_bytes("a")}, expired=True)
    fake.add(REPO, "ontology-db", {"ontology.db": db_bytes("b")}, expired=True, age_hours=5)
    assert fetch_db(REPO, out=tmp_path / "o.db", api_url=fake.api_url, token=TOKEN) == 2
    assert "2 expired" in capsys.readouterr().err
    assert fake.requests["zip"] == 0


def test_pages_are_followed_past_expired_ones(db_bytes, tmp_path):
    with FakeArtifactServer(token=TOKEN, per_page_max=5) as fake:
        for i in range(12):
            fake.add(REPO, "ontology-db", {"ontology.db": b"x"}, age_hours=1 + i / 10, expired=True)
        fake.add(REPO, "ontology-db", {"ontology.db": db_bytes("deep")}, age_hours=30)
        assert fetch_db(REPO, out=tmp_path / "o.db", api_url=fake.api_url, token=TOKEN) == 0
        assert marker_of(tmp_path / "o.db") == "deep"
        assert fake.requests["list"] == 3


def test_corrupt_database_exits_3_and_keeps_the_old_file(fake, db_bytes, tmp_path, capsys):
    good = db_bytes("keep")
    broken = bytearray(db_bytes("broken"))
    broken[100:4096] = b"\xff" * (4096 - 100)  # the schema page destroyed, header intact
    fake.add(REPO, "ontology-db", {"ontology.db": bytes(broken)})
    out = tmp_path / "o.db"
    out.write_bytes(good)
    assert fetch_db(REPO, out=out, api_url=fake.api_url, token=TOKEN) == 3
    assert "fails verification" in capsys.readouterr().err
    assert marker_of(out) == "keep"


def test_not_a_database_exits_3(fake, tmp_path):
    fake.add(REPO, "ontology-db", {"ontology.db": b"<html>not a database</html>"})
    assert fetch_db(REPO, out=tmp_path / "o.db", api_url=fake.api_url, token=TOKEN) == 3
    assert not (tmp_path / "o.db").exists()


def test_foreign_key_violation_exits_3(fake, db_bytes, tmp_path, capsys):
    fake.add(REPO, "ontology-db", {"ontology.db": db_bytes("fk", break_fk=True)})
    assert fetch_db(REPO, out=tmp_path / "o.db", api_url=fake.api_url, token=TOKEN) == 3
    assert "foreign_key_check" in capsys.readouterr().err


def test_path_escape_members_are_never_written(fake, db_bytes, tmp_path):
    evil = db_bytes("evil")
    fake.add(REPO, "ontology-db", {"../ontology.db": evil, "/abs/ontology.db": evil,
                                   "sub/../../ontology.db": evil, "build/ontology.db": db_bytes("safe")})
    out_dir = tmp_path / "deep" / "out"
    assert fetch_db(REPO, out=out_dir / "ontology.db", api_url=fake.api_url, token=TOKEN) == 0
    assert marker_of(out_dir / "ontology.db") == "safe"
    assert not (tmp_path / "deep" / "ontology.db").exists()
    assert not Path("/abs/ontology.db").exists()


def test_a_differently_named_single_database_is_found(fake, db_bytes, tmp_path):
    fake.add(REPO, "ontology-db", {"data/pato.db": db_bytes("pato"), "report.json": b"{}"})
    assert fetch_db(REPO, out=tmp_path / "local.db", api_url=fake.api_url, token=TOKEN) == 0
    assert marker_of(tmp_path / "local.db") == "pato"


def test_archive_without_database_exits_2(fake, tmp_path, capsys):
    fake.add(REPO, "ontology-db", {"ontosync-report.json": b"{}"})
    assert fetch_db(REPO, out=tmp_path / "o.db", api_url=fake.api_url, token=TOKEN) == 2
    assert "holds no database" in capsys.readouterr().err


def test_missing_token_is_a_clear_error(fake, db_bytes, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    fake.add(REPO, "ontology-db", {"ontology.db": db_bytes("x")})
    assert fetch_db(REPO, out=tmp_path / "o.db", api_url=fake.api_url) == 2
    assert "needs a token" in capsys.readouterr().err


def test_bad_token_and_unknown_repo_exit_2(fake, db_bytes, tmp_path, capsys):
    fake.add(REPO, "ontology-db", {"ontology.db": db_bytes("x")})
    assert fetch_db(REPO, out=tmp_path / "o.db", api_url=fake.api_url, token="wrong") == 2
    assert "refused the token" in capsys.readouterr().err
    assert fetch_db("acme/missing", out=tmp_path / "o.db", api_url=fake.api_url, token=TOKEN) == 2
    assert "not found" in capsys.readouterr().err
    assert fetch_db("not a repo", out=tmp_path / "o.db", api_url=fake.api_url, token=TOKEN) == 2


def test_unreachable_api_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ONTOSYNC_RETRY_BACKOFF", "0.001")  # its three refused connections: no 1-3 s backoff
    with FakeArtifactServer() as fake:
        url = fake.api_url
    assert fetch_db(REPO, out=tmp_path / "o.db", api_url=url, token=TOKEN) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_zip_bomb_member_is_refused(tmp_path):
    data = make_zip({"ontology.db": b"\0" * 1_000_000})
    (tmp_path / "a.zip").write_bytes(data)
    with artifacts.open_zip(tmp_path / "a.zip") as zf:
        member = zf.getinfo("ontology.db")
        with pytest.raises(artifacts.ArtifactError):
            artifacts.extract_member(zf, member, tmp_path / "x.db", max_bytes=1000)
    assert not (tmp_path / "x.db").exists()


def test_cli_subcommand(fake, db_bytes, tmp_path, monkeypatch):
    cli = pytest.importorskip("ontosync.cli")
    fake.add(REPO, "nightly", {"ontology.db": db_bytes("cli")})
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    out = tmp_path / "cli.db"
    code = cli.main(["fetch-db", REPO, "--artifact", "nightly", "--out", str(out), "--api-url", fake.api_url])
    assert code == 0
    assert marker_of(out) == "cli"
    assert cli.main(["verify", "--db", str(out)]) == 0
