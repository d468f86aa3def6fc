"""PostgreSQL and secrets, round 11 (h137): a password holding an unencoded `/` is refused up front
(libpq ended the host at it and quoted the password's head as the port); a password given
percent-encoded, or as `?password=`, is masked in every form libpq may print it; a stopped first
sync removes its new checkpoint with the schema it made; two folders of one name, or in CI two
folders of the workflow's repository, never share a derived schema, while clones of one repository
anywhere (a folder is its checkout's origin and its path there, h147) and a schema an older ontosync
recorded (a linked folder, another repository's checkout in CI, a folder of the workflow's repository
whose stored paths are its own) keep theirs; a `+` in the query reaches libpq as itself.

Each test of a defect failed before its fix. The tests needing a server skip without one
(tests/postgres_server.py)."""

from __future__ import annotations

import io
import os
import secrets

import pytest

from ontosync.action import run as action_run
from ontosync.cli import main
from ontosync.db_url import passwords, shown_db
from tests.test_action import FakeCli, make_env, sample_report

TTL = ('@prefix owl: <http://www.w3.org/2002/07/owl#> .\n'
       '<http://e.org/A> a owl:Class ; <http://www.w3.org/2000/01/rdf-schema#label> "Alpha" .\n')
# (URL, the pieces of its password no output may hold)
SLASHED = [
    ("postgresql://u:99999/Ret9x@127.0.0.1:9/db", ("99999", "Ret9x")),
    ("postgresql://u:Sec/Ret9x@127.0.0.1:9/db?schema=s", ("Sec", "Ret9x")),
    ("postgresql://u:Sec/Re?t9x@127.0.0.1:9/db", ("Sec", "Re?t9x", "t9x")),
    ("postgres://u:Sec?Re/t9x@127.0.0.1:9/db", ("Sec", "Re/t9x", "t9x")),
]


def _slash_refused(err: str, pieces) -> None:
    """One line, naming the host and %2F, and no piece of the password in it."""
    assert err.endswith("\n") and err.count("\n") == 1 and "as %2F" in err and "@127.0.0.1:9/db" in err, err
    assert not any(piece in err for piece in pieces), err


@pytest.mark.parametrize("url, pieces", SLASHED)
@pytest.mark.parametrize("command", [["status"], ["search", "x"], ["verify"], ["migrate"], ["diff"]])
def test_an_unencoded_slash_in_the_password_is_refused_before_any_connection(url, pieces, command, capsys):
    """`postgresql://u:99999/Ret9x@host/db`: libpq ended the host at the `/`, took `99999` for the
    port and said `invalid port number: "99999"`, the password's head in the clear. Now exit 2, one
    line telling to percent-encode the `/` as %2F, no piece of the password."""
    assert main([*command, "--db", url]) == 2
    _slash_refused(capsys.readouterr().err, pieces)


def test_the_sync_and_diff_base_refuse_it_alike(tmp_path, capsys):
    url, pieces = SLASHED[0]
    (tmp_path / "a.ttl").write_text("", encoding="utf-8")
    assert main(["sync", str(tmp_path), "--db", url, "--checkpoint", str(tmp_path / "c.json")]) == 2
    _slash_refused(capsys.readouterr().err, pieces)
    assert not (tmp_path / "c.json").exists()
    db = tmp_path / "o.db"
    assert main(["sync", str(tmp_path), "--db", str(db), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["diff", "--db", str(db), "--base", url]) == 2
    _slash_refused(capsys.readouterr().err, pieces)


@pytest.mark.parametrize("url", [
    "postgresql://u:Sec%2FRet9x@127.0.0.1:9/db",  # the slash percent-encoded
    "postgresql://u:pw@127.0.0.1:9/d@b",  # an `@` in the database name after the user info
    "postgresql://127.0.0.1:9/d%40b",  # and percent-encoded without user info
    "postgresql://127.0.0.1:9/db?application_name=me@work",  # in a value of libpq's parameter
    "postgresql:///db?host=/run/postgresql",
])
def test_a_slash_libpq_reads_as_the_url_does_is_still_taken(url, capsys):
    assert main(["status", "--db", url]) != 0
    err = capsys.readouterr().err
    assert "unencoded" not in err and "Ret9x" not in err, err


def test_the_action_refuses_the_input_and_masks_the_whole_password(tmp_path):
    """The Action's `::add-mask::` read the password with urlsplit: `99999` of `99999/Ret9x`."""
    url, pieces = SLASHED[0]
    assert "99999/Ret9x" in passwords(url) and shown_db(url) == "postgresql://***@127.0.0.1:9/db"
    out, cli = io.StringIO(), FakeCli(None)
    assert action_run.main(make_env(tmp_path, database=url), cli_main=cli, out=out) == 2
    assert cli.argv is None  # no sync ran
    log = out.getvalue()
    assert "::add-mask::99999/Ret9x\n" in log, log
    shown = [line for line in log.splitlines() if not line.startswith("::add-mask::")]
    assert shown and not any(piece in line for line in shown for piece in pieces), log
    assert any("as %252F" in line for line in shown), log  # the runner shows %2F


@pytest.mark.parametrize("url, shown", [
    ("postgresql://u:Se%20cret9x@127.0.0.1:9/db", "Se cret9x"),  # as libpq decodes it
    ("postgresql://u@127.0.0.1:9/db?sslmode=require&password=Qw%2Fer9x", "Qw/er9x"),
    ("postgresql://u@127.0.0.1:9/db?password=Qw'er9x", "Qw'er9x"),
])
def test_the_action_masks_the_password_as_libpq_reads_it_and_the_querys(url, shown, tmp_path):
    """`::add-mask::` knew the password as written in the user info only: `Se%20cret9x`, not the
    `Se cret9x` libpq uses, and no `?password=` at all, whose `'er9x` (mask stopped at the quote)
    was in the settings lines and the `database` output."""
    out = io.StringIO()
    env = make_env(tmp_path, database=url)
    assert action_run.main(env, cli_main=FakeCli(sample_report()), out=out) == 0
    log = out.getvalue()
    assert f"::add-mask::{shown}\n" in log, log
    written = [line for line in log.splitlines() if not line.startswith("::add-mask::")]
    written += (tmp_path / "output.txt").read_text(encoding="utf-8").splitlines()
    written += (tmp_path / "summary.md").read_text(encoding="utf-8").splitlines()
    assert any("127.0.0.1:9/db" in line for line in written), written
    assert not any(piece in line for line in written for piece in ("cret9x", "er9x")), written


def test_an_error_line_masks_a_query_password_holding_a_quote(capsys):
    """`--db ' postgresql://u@h/db?password=Qw'er9x'` was refused with `password=***'er9x`."""
    assert main(["status", "--db", " postgresql://u@127.0.0.1:9/db?password=Qw'er9x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "password=***" in err and "er9x" not in err, err


@pytest.mark.parametrize("before", [False, True])
def test_a_stopped_first_sync_removes_its_new_checkpoint_with_the_schema(tmp_path, monkeypatch, capsys, before):
    """A first sync into PostgreSQL stopped by its source before storing any file (GitHub answers
    404 for the file's blob: exit 2) dropped the schema it made but left the checkpoint it had
    written, which the SQLite path removes with the database. A schema made before the run stays,
    and so does its checkpoint."""
    from tests.fake_github import FakeGitHub
    from tests.postgres_server import drop_schema, new_schema, pg_row, run_sql, schema_url

    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.ttl").write_text(TTL, encoding="utf-8")
    schema, ckpt = new_schema(), tmp_path / "c.json"
    if before:
        run_sql(f'CREATE SCHEMA "{schema}"')
    with FakeGitHub(tmp_path / "t") as fake:
        fake.answer_hook = lambda handler, seg, _query: (
            handler._send(404, {"message": "Not Found"}) or 404) if "blobs" in seg or "tarball" in seg else None
        monkeypatch.setenv("GITHUB_TOKEN", fake.token)
        monkeypatch.setenv("ONTOSYNC_RETRY_BACKOFF", "0.01")
        try:
            code = main(["sync", "github:o/r@main", "--api-url", fake.url, "--db", schema_url(schema), "--quiet",
                         "--workers", "1", "--checkpoint", str(ckpt)])
            left = pg_row(schema_url(schema), "SELECT count(*) FROM pg_namespace WHERE nspname = ?", schema)[0]
        finally:
            drop_schema(schema)
    err = capsys.readouterr().err
    assert code == 2 and "HTTP 404" in err and err.count("\n") == 1, err
    assert (left, ckpt.is_file()) == ((1, True) if before else (0, False))



def test_two_folders_of_one_name_never_share_a_derived_schema(tmp_path, monkeypatch, capsys):
    """DATA LOSS. /a/onto and /b/onto synced into one server without `?schema=` (outside CI) both
    got schema `onto`, and the derived schema's owner was the folder's name, the same for both: the
    second sync deleted the first's rows as files gone from its tree ("1 deleted"). Now the
    schema's owner is the folder (its real path): the second is refused, exit 2, one line naming
    both and ?schema=, the first's rows untouched; the first syncs again as before, also by
    another path to it (a link)."""
    from tests.postgres_server import drop_schema, new_schema, pg_row, server_url

    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    name = new_schema()
    a, b = tmp_path / "a" / name, tmp_path / "b" / name
    for tree, cls in ((a, "A"), (b, "B")):
        tree.mkdir(parents=True)
        (tree / f"{cls}.ttl").write_text(TTL.replace("e.org/A", f"e.org/{cls}"), encoding="utf-8")
    url, sync = server_url(), ["--quiet", "--workers", "1", "--checkpoint", str(tmp_path / "c.json")]
    try:
        assert main(["sync", str(a), "--db", url, *sync]) == 0
        capsys.readouterr()
        assert main(["sync", str(b), "--db", url, *sync]) == 2
        err = capsys.readouterr().err
        (tmp_path / "c").mkdir()
        (tmp_path / "c" / name).symlink_to(a)  # the same folder by another path
        assert main(["sync", str(tmp_path / "c" / name), "--db", url, *sync]) == 0
        left = pg_row(f"{url}?schema={name}", "SELECT string_agg(class_iri, ' ') FROM owl_classes")[0]
    finally:
        drop_schema(name)
    assert left == "http://e.org/A"
    assert err.count("\n") == 1 and f"schema {name} holds the rows of source {a}, and {b} " in err, err
    assert "?schema=NAME" in err, err


def test_a_schema_an_older_ontosync_named_after_the_folder_is_taken_by_its_folder(tmp_path, monkeypatch, capsys):
    """A derived schema whose owner an older ontosync recorded as the folder's name: the first folder
    of that name to sync takes it (its path recorded), another is refused from then on."""
    from tests.postgres_server import drop_schema, new_schema, run_sql, server_url

    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    name = new_schema()
    a, b = tmp_path / "a" / name, tmp_path / "b" / name
    for tree in (a, b):
        tree.mkdir(parents=True)
        (tree / "A.ttl").write_text(TTL, encoding="utf-8")
    url, sync = server_url(), ["--quiet", "--workers", "1", "--checkpoint", str(tmp_path / "c.json")]
    try:
        assert main(["sync", str(a), "--db", url, *sync]) == 0
        run_sql(f"UPDATE \"{name}\".sync_meta SET value = '{name}' WHERE key = 'schema_owner'")
        assert main(["sync", str(a), "--db", url, *sync]) == 0
        capsys.readouterr()
        assert main(["sync", str(b), "--db", url, *sync]) == 2
        assert main(["sync", str(b), "--db", f"{url}?schema={name}", *sync]) == 0  # that folder moved
    finally:
        drop_schema(name)
    err = capsys.readouterr().err.splitlines()[0]
    assert f"holds the rows of source {a}, and {b} " in err, err
    assert err.endswith(f"(that folder moved, another clone of it), ?schema={name}"), err


def test_the_action_masks_a_password_holding_a_hash_sign(tmp_path):
    """`postgresql://u:ab#c9x@host/db` connects (libpq reads the password to the `@`), but urlsplit
    took `#c9x@host/db` for a fragment and found no password: `::add-mask::` had none to hide."""
    url = "postgresql://u:ab#c9x@127.0.0.1:9/db"
    out = io.StringIO()
    assert action_run.main(make_env(tmp_path, database=url), cli_main=FakeCli(sample_report()), out=out) == 0
    assert "::add-mask::ab#c9x\n" in out.getvalue(), out.getvalue()


@pytest.mark.parametrize("url, pieces", [
    ("postgresql://u@127.0.0.1:9/db?password=ZqH%20ZR%40%28l9CZ9X", ("l9CZ9X", "%28")),
    ("postgresql://u@127.0.0.1:9/db?sslmode=disable&password=Zq@YEi9X", ("YEi9X",)),
    ("postgresql://u@127.0.0.1:9?password=Zq@YEi9X", ("YEi9X",)),
])
def test_a_query_password_holding_an_at_sign_is_masked_whole(url, pieces, capsys):
    """`?password=Zq%40x`: the mask took the text from the port's `:` to the password's `@` (or
    `%40`) for a user info's password and printed the rest: `cannot use postgresql://u@127.0.0.1:***@YEi9X`."""
    assert main(["status", "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "127.0.0.1:9" in err and "password=***:" in err, err
    assert not any(piece in err for piece in pieces), err


def test_in_ci_two_folders_of_the_workflows_repository_never_share_its_schema(tmp_path, monkeypatch, capsys):
    """DATA LOSS in CI: every local folder is named after GITHUB_REPOSITORY, so `ontosync sync onto1`
    and `ontosync sync onto2` in one workflow both synced into its schema, each deleting the other's
    rows. Now the second folder is refused (exit 2); the workspace itself (the Action's sync, with
    --path) and the first folder sync again as before."""
    from tests.postgres_server import drop_schema, new_schema, pg_row, server_url

    name = new_schema()
    workspace = tmp_path / "ws"
    for folder, cls in (("onto1", "A"), ("onto2", "B")):
        (workspace / folder).mkdir(parents=True)
        (workspace / folder / f"{cls}.ttl").write_text(TTL.replace("e.org/A", f"e.org/{cls}"), encoding="utf-8")
    monkeypatch.setenv("GITHUB_REPOSITORY", f"acme/{name}")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(workspace))
    url, schema = server_url(), f"acme_{name}"
    sync = ["--quiet", "--workers", "1", "--checkpoint", str(tmp_path / "c.json")]
    try:
        assert main(["sync", str(workspace / "onto1"), "--db", url, *sync]) == 0
        capsys.readouterr()
        assert main(["sync", str(workspace / "onto2"), "--db", url, *sync]) == 2
        err = capsys.readouterr().err
        assert main(["sync", str(workspace / "onto1"), "--db", url, *sync]) == 0
        left = pg_row(f"{url}?schema={schema}", "SELECT string_agg(class_iri, ' ') FROM owl_classes")[0]
    finally:
        drop_schema(schema)
    assert left == "http://e.org/A"
    assert err.count("\n") == 1 and f"source acme/{name}:onto1, and acme/{name}:onto2 " in err, err


def _in_ci(monkeypatch, repository: str, workspace) -> tuple[str, list[str]]:
    """CI's variables set for `repository` checked out at `workspace`: the server's URL, a sync's flags."""
    from tests.postgres_server import server_url

    monkeypatch.setenv("GITHUB_REPOSITORY", repository)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(workspace))
    return server_url(), ["--quiet", "--workers", "1", "--checkpoint", str(workspace.parent / "c.json")]


def _first_kept(capsys, url: str, sync: list[str], schema: str, first: list[str], second) -> tuple[str, str]:
    """Sync `first` (a source and its flags), then the folder `second`, refused (exit 2), into `schema`:
    (the refusal's line, the paths the schema holds); the schema dropped."""
    from tests.postgres_server import drop_schema, pg_row

    try:
        assert main(["sync", *first, "--db", url, *sync]) == 0
        capsys.readouterr()
        assert main(["sync", str(second), "--db", url, *sync]) == 2
        err = capsys.readouterr().err
        return err, pg_row(f"{url}?schema={schema}", "SELECT string_agg(path, ' ') FROM source_files")[0]
    finally:
        drop_schema(schema)


@pytest.mark.parametrize("outside", [False, True])
def test_in_ci_a_folder_never_takes_over_the_workspaces_schema(tmp_path, monkeypatch, capsys, outside):
    """The workspace (the Action's sync, with --path) owns the repository's schema under its name alone,
    as an older ontosync recorded every folder: a folder of it is refused, told how to keep the rows
    if they are its own, not let take the schema over (deleting the workspace sync's rows). So is a
    folder outside the workspace (`ontosync sync /tmp/export`, also named after the repository), which
    took it over ("1 deleted")."""
    from tests.postgres_server import new_schema

    name = new_schema()
    workspace = tmp_path / "ws"
    for folder in (workspace / "onto1", tmp_path / "export"):
        folder.mkdir(parents=True)
        (folder / "A.ttl").write_text(TTL, encoding="utf-8")
    url, sync = _in_ci(monkeypatch, f"acme/{name}", workspace)
    schema, folder = f"acme_{name}", tmp_path / "export" if outside else workspace / "onto1"
    err, left = _first_kept(capsys, url, sync, schema, [str(workspace), "--path", "onto1"], folder)
    assert left == "onto1/A.ttl"
    assert err.count("\n") == 1 and f"source acme/{name}, and acme/{name}:{folder if outside else 'onto1'} " in err
    assert outside or err.endswith(f"(an older ontosync's sync), ?schema={schema}\n"), err


def test_a_plus_in_a_query_password_reaches_libpq_as_a_plus(capsys):
    """`?password=Se+cret9x`: libpq takes `+` as itself (it decodes %XX only), but the query was read
    as a form's (`+` is a space) and handed on as `Se%20cret9x`: the password was wrong, "password
    authentication failed", the sync never connected."""
    from urllib.parse import urlsplit

    from tests.postgres_server import _drop_role, connect, connect_dsn

    name, secret = f"t_plus_{secrets.token_hex(4)}", f"Se+cret{secrets.token_hex(6)}"
    conn = connect()
    try:
        conn.cursor().execute(f"CREATE ROLE {name} LOGIN PASSWORD '{secret}'")
        conn.cursor().execute(f"GRANT {name} TO CURRENT_USER")  # to drop what it owns (_drop_role)
        parts = urlsplit(connect_dsn())
        url = f"postgresql://{name}@{parts.hostname}:{parts.port}{parts.path}?password={secret}&schema=nothing_here"
        assert main(["search", "x", "--db", url]) == 2
    finally:
        _drop_role(conn, name)
        conn.close()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "schema nothing_here on " in err and "holds no ontosync store" in err, err
    assert secret not in err and secret[3:] not in err, err


def _folder(folder):
    """A folder holding A.ttl, of no checkout."""
    folder.mkdir(parents=True)
    (folder / "A.ttl").write_text(TTL, encoding="utf-8")
    return folder


def _clone(root, origin: str | None, folder: str = "") -> object:
    """A checkout at `root` whose `origin` is `origin` (None: a checkout without one), holding A.ttl in
    `folder`; the synced folder."""
    (root / ".git").mkdir(parents=True)
    remote = f'[remote "origin"]\n\turl = {origin}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n' if origin else ""
    (root / ".git" / "config").write_text(f"[core]\n\tbare = false\n{remote}", encoding="utf-8")
    synced = root / folder if folder else root
    synced.mkdir(parents=True, exist_ok=True)
    (synced / "A.ttl").write_text(TTL, encoding="utf-8")
    return synced


@pytest.mark.parametrize("one, other", [
    ("https://github.com/acme/onto", "git@github.com:acme/onto.git"),
    ("https://x-access-token:ghs_Tok3n@GitHub.com/acme/onto.git/", "ssh://git@github.com:22/acme/onto"),
    ("http://gitlab.example.org:8443/team/sub/onto", "git@gitlab.example.org:/team/sub/onto.git"),
    ("/srv/git/onto.git", "file:///srv/git//onto"),
])
def test_one_repository_is_one_origin_however_its_url_is_written(one, other, tmp_path):
    from ontosync.sources.folder_owner import origin_key

    assert origin_key(one, tmp_path) == origin_key(other, tmp_path) is not None
    assert "Tok3n" not in origin_key(one, tmp_path) and not origin_key(one, tmp_path).endswith((".git", "/"))


@pytest.mark.parametrize("url", [
    "https://u:Pa@ss9x@github.com/acme/onto",
    "https://Pa@ss9x:x@github.com/acme/onto.git",
    "git:Pa@ss9x@github.com:acme/onto.git",
])
def test_an_origins_credentials_never_reach_the_owner(url, tmp_path):
    """A user info holding an `@` (`https://u:Pa@ss9x@github.com/...`) was cut at its first `@`, and
    its tail taken for the host: `ss9x@github.com/acme/onto`, recorded in the database and printed."""
    from ontosync.sources.folder_owner import origin_key

    assert origin_key(url, tmp_path) == "github.com/acme/onto"


@pytest.mark.parametrize("written, secret", [
    ('"https://bot:s3cr;et@host.com/org/r3"', "s3cr"),  # git quotes a value holding `;` or `#`
    ('"https://u:p#w@host.com/org/c1"', "u:p"),
    ("https://u:p?w@host.com/org/r1", "p?w"),
    ("https://u:p#w@host.com/org/r1", "u:p"),
])
def test_an_origin_written_quoted_or_holding_a_query_sign_never_puts_its_password_in_the_owner(
        written, secret, tmp_path):
    """git's config quotes a URL holding `;` or `#`: the quotes were kept and the user info not taken
    off (`https/bot:s3cr;et@host.com/org/r3` recorded in sync_meta and printed in a refusal); a `?` or
    `#` in a password cut the URL there first (`u/`: two repositories, one owner)."""
    from ontosync.sources.folder_owner import folder_owner

    synced = _clone(tmp_path / "x", written)
    owner = folder_owner(str(synced)).name
    assert secret not in owner and "@" not in owner and '"' not in owner, owner
    assert owner.startswith("host.com/org/") or owner == os.path.realpath(synced), owner


@pytest.mark.parametrize("one, other", [
    ("https://github.com/acme/onto", "https://github.com/acme/onto2"),
    ("https://github.com/acme/onto", "https://gitlab.com/acme/onto"),
    ("git@github.com:acme/onto.git", "git@github.com:other/onto.git"),
])
def test_two_repositories_are_two_origins(one, other, tmp_path):
    from ontosync.sources.folder_owner import origin_key

    assert origin_key(one, tmp_path) != origin_key(other, tmp_path)


def test_clones_of_one_repository_anywhere_are_one_source_outside_ci(tmp_path, monkeypatch, capsys):
    """Outside CI the owner was the folder's real path: a re-clone elsewhere, a runner's per-build
    folder (`workspace@2`), a mktemp clone, a teammate's clone syncing into one team database were
    all refused from then on. Now a folder of a checkout is its origin (however written, no
    credentials) and its path in the checkout: clones of one repository share the schema; a folder
    of another repository, or of no checkout, is still refused untouched."""
    from tests.postgres_server import drop_schema, new_schema, pg_row, server_url

    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    name = new_schema()
    first = _clone(tmp_path / "a" / "onto-repo", "https://ci:s3cretTok@github.com/Acme/Onto.git", name)
    again = _clone(tmp_path / "jenkins" / "workspace@2", "git@github.com:acme/onto", name)
    other = _clone(tmp_path / "b" / "onto-repo", "https://github.com/other/onto.git", name)
    bare = _folder(tmp_path / "c" / name)
    url, sync = server_url(), ["--quiet", "--workers", "1", "--checkpoint", str(tmp_path / "c.json")]
    try:
        assert main(["sync", str(first), "--db", url, *sync]) == 0
        assert main(["sync", str(again), "--db", url, *sync]) == 0
        capsys.readouterr()
        assert main(["sync", str(other), "--db", url, *sync]) == 2
        refused = capsys.readouterr().err
        assert main(["sync", str(bare), "--db", url, *sync]) == 2
        recorded = pg_row(f"{url}?schema={name}", "SELECT value FROM sync_meta WHERE key = 'schema_owner'")[0]
    finally:
        drop_schema(name)
    assert recorded == f"github.com/Acme/Onto:{name}", recorded
    assert refused.count("\n") == 1, refused
    assert f"source github.com/Acme/Onto:{name}, and github.com/other/onto:{name} " in refused, refused
    assert "s3cretTok" not in refused


def test_a_real_path_differing_only_in_case_is_one_folder_only_when_it_is_the_same():
    """The owner's real path was compared case-sensitively: a case-insensitive disk's `/Users/me/Onto`
    and `/Users/me/onto` (one folder) were two sources. Equal but for case, two paths are one owner
    when they are one folder (here a link stands for the case-insensitive disk), never two folders."""
    import tempfile
    from pathlib import Path

    from ontosync.store.pg.owner import same

    with tempfile.TemporaryDirectory() as top:
        (Path(top) / "onto").mkdir()
        (Path(top) / "Onto").symlink_to(Path(top) / "onto")
        (Path(top) / "x" / "onto").mkdir(parents=True)
        (Path(top) / "x" / "Onto").mkdir()
        assert same(f"{top}/Onto", f"{top}/onto")
        assert not same(f"{top}/x/Onto", f"{top}/x/onto")
        assert not same(f"{top}/gone/Onto", f"{top}/gone/onto")
        assert same("github.com/a/r:Onto", "github.com/a/r:onto", f"{top}/onto")  # a path in a checkout
        assert not same("github.com/a/r:x/Onto", "github.com/a/r:x/onto", f"{top}/x/onto")
    assert same("github.com/Acme/Onto", "github.com/acme/onto")


def test_a_linked_folder_keeps_the_schema_an_older_ontosync_named_after_the_link(tmp_path, monkeypatch, capsys):
    """`~/onto -> /data/ontology-repo`: an older ontosync recorded the name as typed (`onto`), but the
    record was compared with the link target's name (`ontology-repo`): refused after the upgrade,
    naming a path the user never typed. The name as typed is what the older record is compared with."""
    from tests.postgres_server import drop_schema, new_schema, pg_row, run_sql, server_url

    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    name = new_schema()
    data = tmp_path / "data" / "ontology-repo"
    data.mkdir(parents=True)
    (data / "A.ttl").write_text(TTL, encoding="utf-8")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / name).symlink_to(data)
    url, sync = server_url(), ["--quiet", "--workers", "1", "--checkpoint", str(tmp_path / "c.json")]
    try:
        assert main(["sync", str(tmp_path / "home" / name), "--db", url, *sync]) == 0
        run_sql(f"UPDATE \"{name}\".sync_meta SET value = '{name}' WHERE key = 'schema_owner'")  # an older record
        assert main(["sync", str(tmp_path / "home" / name), "--db", url, *sync]) == 0, capsys.readouterr().err
        recorded = pg_row(f"{url}?schema={name}", "SELECT value FROM sync_meta WHERE key = 'schema_owner'")[0]
    finally:
        drop_schema(name)
    assert recorded == str(data)


def test_in_ci_another_repositorys_checkout_keeps_its_older_record(tmp_path, monkeypatch, capsys):
    """`actions/checkout` of another repository into `path: onto`, then `ontosync sync onto`: an older
    ontosync recorded `other/onto`, the new owner was `other/onto:onto` (its path in the workspace):
    refused after the upgrade. A folder's path is taken inside ITS checkout; at the root it is the
    repository's name alone, and a folder below it is still a source of its own."""
    from tests.postgres_server import drop_schema, new_schema, pg_row, run_sql

    name = new_schema()
    workspace = tmp_path / "ws"
    _clone(workspace, "https://github.com/acme/workflow", "docs")
    onto = _clone(workspace / "onto", f"https://github.com/other/{name}")
    (onto / "sub").mkdir()
    (onto / "sub" / "B.ttl").write_text(TTL.replace("e.org/A", "e.org/B"), encoding="utf-8")
    url, sync = _in_ci(monkeypatch, "acme/workflow", workspace)
    schema = f"other_{name}"
    try:
        assert main(["sync", str(onto), "--db", url, *sync]) == 0
        run_sql(f"UPDATE \"{schema}\".sync_meta SET value = 'other/{name}' WHERE key = 'schema_owner'")
        assert main(["sync", str(onto), "--db", url, *sync]) == 0, capsys.readouterr().err
        recorded = pg_row(f"{url}?schema={schema}", "SELECT value FROM sync_meta WHERE key = 'schema_owner'")[0]
        capsys.readouterr()
        assert main(["sync", str(onto / "sub"), "--db", url, *sync]) == 2
        err = capsys.readouterr().err
    finally:
        drop_schema(schema)
    assert recorded == f"other/{name}"
    assert err.count("\n") == 1 and f"source other/{name}, and other/{name}:sub " in err, err


def test_in_ci_a_folder_keeps_the_schema_an_older_ontosync_synced_it_into(tmp_path, monkeypatch, capsys):
    """`ontosync sync ontology --db $PG` in CI (a folder of the workflow's repository, not the Action):
    an older ontosync recorded `acme/robotics`, which no longer matched `acme/robotics:ontology`. The
    stored paths tell whose the rows are: this folder's (`A.ttl`, a file of it) are taken over; the
    workspace sync's (`ontology/A.ttl`) stay refused (test_in_ci_a_folder_never_takes_over_...)."""
    from tests.postgres_server import drop_schema, new_schema, pg_row, run_sql

    name = new_schema()
    workspace = tmp_path / "ws"
    folder = _clone(workspace, f"https://github.com/acme/{name}", "ontology")
    url, sync = _in_ci(monkeypatch, f"acme/{name}", workspace)
    schema = f"acme_{name}"
    try:
        assert main(["sync", str(folder), "--db", url, *sync]) == 0
        run_sql(f"UPDATE \"{schema}\".sync_meta SET value = 'acme/{name}' WHERE key = 'schema_owner'")
        assert main(["sync", str(folder), "--db", url, *sync]) == 0, capsys.readouterr().err
        row = pg_row(f"{url}?schema={schema}", "SELECT (SELECT value FROM sync_meta WHERE key = 'schema_owner'), "
                     "(SELECT string_agg(path, ' ') FROM source_files)")
    finally:
        drop_schema(schema)
    assert tuple(row) == (f"acme/{name}:ontology", "A.ttl")


@pytest.mark.parametrize("url", [
    "postgresql://127.0.0.1:9/my@db",  # libpq reads the database `my@db`: no user info, no password
    "postgresql://127.0.0.1:9/my@db?sslmode=disable",
    "postgres://127.0.0.1:9/team@2026",
])
def test_an_at_sign_of_the_database_name_without_user_info_is_not_a_slashed_password(url, capsys):
    """`postgresql://h/my@db` (libpq reads the database `my@db`) was refused saying the user name or
    password holds an unencoded slash: the URL has neither. It reaches libpq now (here: no server)."""
    assert main(["status", "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unencoded" not in err and "user name or password" not in err, err


def test_an_at_sign_after_the_hosts_slash_is_refused_in_words_true_of_both_readings(capsys):
    """Where the URL may be either (a password's slash, a database name's at sign), the refusal says
    how to write each, not that the password holds a slash."""
    assert main(["status", "--db", "postgresql://127.0.0.1:9/team@db/x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "as %2F" in err and "as %40" in err and "holds an unencoded" not in err, err



def _one_then_another(tmp_path, capsys, name: str, same: tuple, other) -> str:
    """Sync each folder of `same` (one source), then `other` (refused, exit 2) into the derived schema
    `name`; its recorded owner."""
    from tests.postgres_server import drop_schema, pg_row, server_url

    url, sync = server_url(), ["--quiet", "--workers", "1", "--checkpoint", str(tmp_path / "c.json")]
    try:
        for folder in same:
            assert main(["sync", str(folder), "--db", url, *sync]) == 0, capsys.readouterr().err
        capsys.readouterr()
        assert main(["sync", str(other), "--db", url, *sync]) == 2
        return pg_row(f"{url}?schema={name}", "SELECT value FROM sync_meta WHERE key = 'schema_owner'")[0]
    finally:
        drop_schema(name)


def test_a_submodule_in_two_clones_of_its_parent_is_one_source_outside_ci(tmp_path, monkeypatch, capsys):
    """A submodule's `.git` is a file (`gitdir: ../.git/modules/NAME`) leading into its parent's git
    folder, which the checkout's own bound did not reach: its origin was not read and the folder
    was its real path, so the same submodule in two clones of the parent was refused. Its origin is
    read within the enclosing checkout: one source; a submodule of another repository is refused."""
    from tests.postgres_server import new_schema

    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    name = new_schema()

    def submodule(parent, origin: str):
        _clone(parent, "https://github.com/acme/parent", "docs")
        modules = parent / ".git" / "modules" / name
        _clone(modules.parent / "tmp", origin)  # the submodule's git folder: a .git's config
        (modules.parent / "tmp" / ".git").rename(modules)
        (parent / name).mkdir()
        (parent / name / ".git").write_text(f"gitdir: ../.git/modules/{name}\n", encoding="utf-8")
        (parent / name / "A.ttl").write_text(TTL, encoding="utf-8")
        return parent / name

    first = submodule(tmp_path / "p1", "https://github.com/acme/onto.git")
    again = submodule(tmp_path / "p2", "git@github.com:acme/onto")
    other = submodule(tmp_path / "p3", "https://github.com/other/onto.git")
    assert _one_then_another(tmp_path, capsys, name, (first, again), other) == "github.com/acme/onto"


def test_a_folder_that_became_a_clone_keeps_its_schema_outside_ci(tmp_path, monkeypatch, capsys):
    """A folder synced before it was a git checkout was recorded by its real path; after `git init` and
    `git remote add origin ...` it is its origin, and the same folder was refused as another source.
    The record of that very folder is taken over (the origin recorded); another folder's stays refused."""
    from tests.postgres_server import drop_schema, new_schema, pg_row, server_url

    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    name = new_schema()
    folder = _folder(tmp_path / "a" / name)
    url, sync = server_url(), ["--quiet", "--workers", "1", "--checkpoint", str(tmp_path / "c.json")]
    try:
        assert main(["sync", str(folder), "--db", url, *sync]) == 0
        _clone(folder, "https://github.com/acme/onto")
        assert main(["sync", str(folder), "--db", url, *sync]) == 0, capsys.readouterr().err
        recorded = pg_row(f"{url}?schema={name}", "SELECT value FROM sync_meta WHERE key = 'schema_owner'")[0]
    finally:
        drop_schema(name)
    assert recorded == "github.com/acme/onto"


def test_a_worktree_of_a_clone_is_that_repository_outside_ci(tmp_path, monkeypatch, capsys):
    """`git worktree add ../feature`: the worktree's `.git` is `gitdir: /path/main/.git/worktrees/feature`,
    outside it, so its origin was not read and it was its real path, refused as another source than
    its own clone. Its git folder is followed when that folder names the worktree back (git writes
    its `gitdir` file), as git itself links them; a `.git` file pointing elsewhere is not."""
    from tests.postgres_server import new_schema

    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    name = new_schema()
    main_clone = _clone(tmp_path / "main", "git@github.com:acme/onto.git", name)
    admin = tmp_path / "main" / ".git" / "worktrees" / "feature"
    admin.mkdir(parents=True)
    (admin / "commondir").write_text("../..\n", encoding="utf-8")
    worktree = _folder(tmp_path / "feature" / name)
    (worktree.parent / ".git").write_text(f"gitdir: {admin}\n", encoding="utf-8")
    stranger = _folder(tmp_path / "stranger" / name)  # names the same git folder, which does not name it
    (stranger.parent / ".git").write_text(f"gitdir: {admin}\n", encoding="utf-8")
    (admin / "gitdir").write_text(f"{worktree.parent / '.git'}\n", encoding="utf-8")
    assert _one_then_another(tmp_path, capsys, name, (main_clone, worktree), stranger) == f"github.com/acme/onto:{name}"


@pytest.mark.parametrize("ci", [False, True])
def test_two_folders_of_one_checkout_differing_in_case_never_share_a_schema(tmp_path, monkeypatch, capsys, ci):
    """DATA LOSS. `Onto` and `onto` of one checkout make one schema, and their owners
    (`github.com/acme/onto:Onto`, in CI `acme/robotics:Onto`) were compared ignoring case, as a
    repository's name is: the second sync deleted the first's rows. The folder's path is compared
    as it is written, unless both name one folder (a case-insensitive disk)."""
    from tests.postgres_server import new_schema

    name = new_schema()
    checkout = tmp_path / "ws"
    upper = _clone(checkout, f"https://github.com/acme/{name}", name.upper())
    lower = _folder(checkout / name)
    url, sync = _in_ci(monkeypatch, f"acme/{name}", checkout)
    if not ci:
        monkeypatch.delenv("GITHUB_REPOSITORY")
    schema = f"acme_{name}" if ci else name
    err, left = _first_kept(capsys, url, sync, schema, [str(upper)], lower)
    assert left == "A.ttl" and err.count("\n") == 1 and f":{name.upper()}, and " in err, err


@pytest.mark.parametrize("url, shown", [
    ("postgresql://127.0.0.1:9/my%40db", "postgresql://127.0.0.1:9/my%40db"),
    ("postgresql://u:pw@127.0.0.1:9/my%40db", "postgresql://u:***@127.0.0.1:9/my%40db"),
])
def test_a_database_names_encoded_at_sign_is_no_password_in_an_error_line(url, shown, capsys):
    """`postgresql://127.0.0.1:9/my%40db` (the database `my@db`, as the README says to write it) was
    shown `postgresql://127.0.0.1:***@db`: its host's `:` to the `%40` taken for a password, hiding
    the port and the database and naming a host `db` in the error line."""
    assert main(["status", "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"cannot use {shown}" in err, err


@pytest.mark.parametrize("origin", ["https://github.com/acme/{name}", "git@github.com:ACME/{name}.git", None])
def test_in_ci_a_second_checkout_of_the_workflows_repository_never_shares_its_schema(tmp_path, monkeypatch, capsys,
                                                                                     origin):
    """DATA LOSS. `actions/checkout` with `path: base` (a PR's base) checks the workflow's repository out
    again inside the workspace: `ws/onto` and `ws/base/onto` both were `acme/robotics:onto` (a path
    inside ITS checkout), two trees in one schema, each sync replacing the other's rows. A checkout of
    the workflow's own repository (or of no readable origin) takes its path inside the workspace."""
    from tests.postgres_server import new_schema

    name = new_schema()
    workspace = tmp_path / "ws"
    first = _clone(workspace, f"https://github.com/acme/{name}", "onto")
    second = _clone(workspace / "base", origin and origin.format(name=name), "onto")
    url, sync = _in_ci(monkeypatch, f"acme/{name}", workspace)
    err, left = _first_kept(capsys, url, sync, f"acme_{name}", [str(first)], second)
    assert left == "A.ttl" and err.count("\n") == 1, err
    assert f"source acme/{name}:onto, and acme/{name}:base/onto " in err, err


def test_in_ci_a_second_checkout_at_its_root_never_takes_over_the_workspaces_schema(tmp_path, monkeypatch, capsys):
    """DATA LOSS. `ws` and `ws/base` (the workflow's repository checked out again, `path: base`) were both
    `acme/robotics`; as `acme/robotics:base` it took the workspace's schema over as an older ontosync's
    record of its own: its tree holds the Action's stored paths (`--path onto`: `onto/A.ttl`) as the
    workspace does, and the Action's next sync deleted its rows."""
    from tests.postgres_server import new_schema

    name = new_schema()
    workspace = tmp_path / "ws"
    _clone(workspace, f"https://github.com/acme/{name}", "onto")
    second = _clone(workspace / "base", f"https://github.com/acme/{name}", "onto").parent
    url, sync = _in_ci(monkeypatch, f"acme/{name}", workspace)
    err, left = _first_kept(capsys, url, sync, f"acme_{name}", [str(workspace), "--path", "onto"], second)
    assert left == "onto/A.ttl" and err.count("\n") == 1 and f"source acme/{name}, and acme/{name}:base " in err, err
    assert err.endswith(f"(an older ontosync's sync), ?schema=acme_{name}\n"), err


def test_in_ci_two_checkouts_of_the_workflows_repository_in_a_workspace_of_none_are_two_sources(
        tmp_path, monkeypatch, capsys):
    """The workflow's repository checked out at `path: main` and again at `path: base`, the workspace
    itself no checkout: both were `acme/robotics`, each sync replacing the other's rows."""
    from tests.postgres_server import new_schema

    name = new_schema()
    workspace = tmp_path / "ws"
    first = _clone(workspace / "main", f"https://github.com/acme/{name}")
    second = _clone(workspace / "base", f"https://github.com/acme/{name}")
    url, sync = _in_ci(monkeypatch, f"acme/{name}", workspace)
    err, left = _first_kept(capsys, url, sync, f"acme_{name}", [str(first)], second)
    assert left == "A.ttl" and err.count("\n") == 1 and f"source acme/{name}:main, and acme/{name}:base " in err, err
