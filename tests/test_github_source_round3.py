"""`ontosync sync github:OWNER/REPO` and `fetch-db`, third bug hunt (h28): what a user met when
GitHub (or a proxy in front of it) answered in ways the first two hunts did not try, against the
fake GitHub API on 127.0.0.1 (tests/fake_github.py). Each test is the user-visible failure one fix
closed."""

from __future__ import annotations

import email.utils
import json
import sqlite3
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.fake_github import FakeGitHub, blob_sha
from tests.helpers import cli


def ttl(name: str, label: str = "") -> bytes:
    """A Turtle file declaring one class (and its label), so its rows can be counted."""
    extra = f' ; rdfs:label "{label}"' if label else ""
    return ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            f"<http://example.org/{name}> a owl:Class{extra} .\n").encode()


def sync(fake: FakeGitHub, db: Path, spec: str = "github:o/r@main", *extra: str, env: dict | None = None):
    """One in-process sync (a handful of requests)."""
    full = {"GITHUB_TOKEN": fake.token, "ONTOSYNC_GITHUB_TIMEOUT": "30", "ONTOSYNC_RETRY_BACKOFF": "0.001",
            **(env or {})}
    return cli("sync", spec, "--api-url", fake.url, "--db", str(db), "--quiet", *extra, env=full)


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return sorted(con.execute(sql).fetchall())


def answer(handler, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> int:
    """A raw answer from a test hook (the fake's own `_send` adds JSON and rate-limit headers)."""
    handler.send_response(status)
    for k, v in {**(headers or {}), "Content-Length": str(len(body))}.items():
        handler.send_header(k, v)
    handler.end_headers()
    handler.wfile.write(body)
    return status


def blob_requests(hook, blobs: list[str]):
    """`hook`, noting each blob asked for in `blobs` before it answers (the fake's own log is
    written after the answer: a test reading it right after the sync could miss the last one)."""
    def noting(handler, seg, query):
        if seg[3:5] == ["git", "blobs"]:
            blobs.append(seg[5])
        return hook(handler, seg, query)
    return noting


def failing_blob(sha: str, status: int = 502):
    """Every request for the blob `sha` answers `status` (a proxy that lost its upstream)."""
    def hook(handler, seg, query):
        if seg[3:5] == ["git", "blobs"] and seg[5:] == [sha]:
            return answer(handler, status, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"})
        return None
    return hook


# -- 1. a 5xx that persists on one blob --------------------------------------------------------------
def test_a_blob_that_keeps_failing_is_a_failed_file_and_the_rest_is_committed(tmp_path):
    """Was: a 502 that persisted on one blob (through --retries) stopped the whole run with exit 2,
    and the file fetched just before it was not committed either. Now that file is `failed` (its
    last good version kept, the error naming its path and the status), every other file is
    committed, and the error-rate rule decides the exit code."""
    db = tmp_path / "x.db"
    with FakeGitHub(None) as fake:
        fake.commit({"a.ttl": ttl("A"), "b.ttl": ttl("B"), "c.ttl": ttl("C")})
        assert sync(fake, db).returncode == 0
        new = {"a.ttl": ttl("A", "a2"), "b.ttl": ttl("B", "b2"), "c.ttl": ttl("C", "c2")}
        fake.commit(new)
        asked: list[str] = []
        fake.answer_hook = blob_requests(failing_blob(blob_sha(new["b.ttl"])), asked)
        r = sync(fake, db, "github:o/r@main", "--max-error-rate", "0.5")
        assert r.returncode == 0, r.stderr
        assert "Traceback" not in r.stderr
        # three tries of b's blob (--retries 3), one of each other blob
        assert sorted(asked) == sorted([blob_sha(new["b.ttl"])] * 3 + [blob_sha(new["a.ttl"]), blob_sha(new["c.ttl"])])
    status = dict(rows(db, "SELECT path, status FROM source_files"))
    assert status == {"a.ttl": "ok", "b.ttl": "failed", "c.ttl": "ok"}
    (error,) = rows(db, "SELECT error FROM source_files WHERE path = 'b.ttl'")[0]
    assert "b.ttl" in error and "HTTP 502" in error, error
    labels = rows(db, "SELECT class_iri, label FROM owl_classes")
    # a and c changed; b's last good version (no label) is kept
    assert labels == [("http://example.org/A", "a2"), ("http://example.org/B", None), ("http://example.org/C", "c2")]
    # the next run, GitHub well again, fetches b again (its failure was worth a retry)
    with FakeGitHub(None) as fake:
        fake.commit(new)
        assert sync(fake, db).returncode == 0
    assert dict(rows(db, "SELECT path, status FROM source_files"))["b.ttl"] == "ok"


def test_one_failing_blob_among_few_files_fails_the_run_by_the_error_rate(tmp_path):
    """The error-rate rule, not the source, sets the exit code: 1 of 2 files failed is over the
    default --max-error-rate, so exit 1 with the rule's line; the good file is still committed."""
    db = tmp_path / "x.db"
    with FakeGitHub(None) as fake:
        files = {"a.ttl": ttl("A"), "b.ttl": ttl("B")}
        fake.commit(files)
        fake.answer_hook = failing_blob(blob_sha(files["b.ttl"]), 500)
        r = sync(fake, db)
    assert r.returncode == 1, r.stderr
    assert "error rate 0.500 is over --max-error-rate" in r.stderr
    assert dict(rows(db, "SELECT path, status FROM source_files")) == {"a.ttl": "ok", "b.ttl": "failed"}


def test_when_every_blob_fails_the_run_stops_cleanly_and_the_next_run_resumes(tmp_path):
    """GitHub down for every blob: the run stops after a few files (not one failed file per
    file of the repository, each after its own retries), with exit 1, the checkpoint kept and a
    line saying so; the next run resumes: files committed before the stop are not fetched again,
    and the ones GitHub failed to serve are."""
    db = tmp_path / "x.db"
    names = [f"f{i:02d}.ttl" for i in range(12)]
    files = {name: ttl(name[:-4]) for name in names}
    good = {blob_sha(files[n]) for n in names[:2]}

    def hook(handler, seg, query):
        if seg[3:5] == ["git", "blobs"] and seg[5] not in good:
            return answer(handler, 503)
        return None

    with FakeGitHub(None) as fake:
        fake.commit(files)
        asked: list[str] = []
        fake.answer_hook = blob_requests(hook, asked)
        r = sync(fake, db, "github:o/r@main", "--retries", "2")
        assert r.returncode == 1, r.stderr
        assert "Traceback" not in r.stderr
        assert "3 files in a row" in r.stderr and "HTTP 503" in r.stderr and "run again" in r.stderr, r.stderr
        assert len(asked) == 2 + 3 * 2  # two served, then three files of two tries each: the stop
    status = dict(rows(db, "SELECT path, status FROM source_files"))
    assert status == {"f00.ttl": "ok", "f01.ttl": "ok", "f02.ttl": "failed", "f03.ttl": "failed"}, status
    assert json.loads(Path(f"{db}.checkpoint.json").read_text())["finished"] is False
    with FakeGitHub(None) as fake:
        fake.commit(files)
        asked = []
        fake.answer_hook = blob_requests(lambda *_: None, asked)
        r = sync(fake, db)
        assert r.returncode == 0, r.stderr
    assert sorted(asked) == sorted(blob_sha(files[n]) for n in names[2:])
    assert len(rows(db, "SELECT path FROM source_files WHERE status = 'ok'")) == 12


def test_a_tarball_that_keeps_failing_mid_run_stops_with_the_checkpoint(tmp_path):
    """Many changed files come in one tarball: when GitHub keeps failing it, the run stops as for
    GitHub down (exit 1, checkpoint saved, a line saying to run again), not exit 2 as for a
    misconfigured source; the next run fetches everything."""
    files = {f"f{i:02d}.ttl": ttl(f"F{i}") for i in range(21)}  # over the 20 a run fetches as blobs
    db = tmp_path / "x.db"

    def hook(handler, seg, query):
        return answer(handler, 502) if seg[3:4] == ["tarball"] else None

    with FakeGitHub(None) as fake:
        fake.commit(files)
        fake.answer_hook = hook
        r = sync(fake, db, "github:o/r@main", "--retries", "2")
    assert r.returncode == 1, r.stderr
    assert "GET tarball" in r.stderr and "HTTP 502" in r.stderr and "run again later" in r.stderr, r.stderr
    assert json.loads(Path(f"{db}.checkpoint.json").read_text())["finished"] is False
    with FakeGitHub(None) as fake:
        fake.commit(files)
        assert sync(fake, db).returncode == 0
    assert len(rows(db, "SELECT path FROM source_files WHERE status = 'ok'")) == 21


def test_blob_answers_that_are_not_the_file_fail_that_file_only(tmp_path):
    """A blob answered in another encoding, as a list, or with content of another size than the
    tree's (so another hash): that file fails with a line saying which (was: exit 2 for the
    whole run, and "unexpected AttributeError from the GitHub client" for the list); the files
    between them are committed."""
    files = {f"{name}.ttl": ttl(name.upper()) for name in "abcdef"}
    bodies = {"b.ttl": {"encoding": "utf-8", "content": "x"}, "d.ttl": ["x"],
              "f.ttl": {"encoding": "base64", "content": "YQ=="}}
    bad = {blob_sha(files[path]): body for path, body in bodies.items()}

    def hook(handler, seg, query):
        if seg[3:5] == ["git", "blobs"] and seg[5] in bad:
            return answer(handler, 200, json.dumps(bad[seg[5]]).encode(), {"Content-Type": "application/json"})
        return None

    db = tmp_path / "x.db"
    with FakeGitHub(None) as fake:
        fake.commit(files)
        fake.answer_hook = hook
        r = sync(fake, db, "github:o/r@main", "--max-error-rate", "1")
    assert r.returncode == 0, r.stderr
    errors = dict(rows(db, "SELECT path, coalesce(error, status) FROM source_files"))
    assert errors == {"a.ttl": "ok", "c.ttl": "ok", "e.ttl": "ok",
                      "b.ttl": "cannot read from GitHub (3 attempts): blob of b.ttl came without base64 content",
                      "d.ttl": "cannot read from GitHub (3 attempts): blob of d.ttl came without base64 content",
                      "f.ttl": f"cannot read from GitHub (3 attempts): blob of f.ttl does not hash to "
                               f"{blob_sha(files['f.ttl'])}"}, errors


def test_a_rate_limit_stop_mid_run_commits_the_files_already_fetched(tmp_path):
    """Was: a rate limit past --max-rate-limit-wait met while fetching blobs stopped the run (exit
    1, checkpoint) with the files fetched before it uncommitted: the next run fetched them again,
    spending the very rate limit that had run out."""
    files = {f"f{i}.ttl": ttl(f"F{i}") for i in range(5)}
    db = tmp_path / "x.db"
    with FakeGitHub(None) as fake:
        fake.commit(files)
        fake.queue_primary_rate_limit(reset_in=3600, after=4)  # the commit, the tree, two blobs
        r = sync(fake, db, "github:o/r@main", "--max-rate-limit-wait", "5")
    assert r.returncode == 1, r.stderr
    assert "run again after" in r.stderr, r.stderr
    assert rows(db, "SELECT path, status FROM source_files") == [("f0.ttl", "ok"), ("f1.ttl", "ok")]


# -- 2. a redirect without a body --------------------------------------------------------------------
def redirecting(status: int, where: str):
    """The first request for `where` ("commits", "trees" or "blobs") answered with `status` and
    a Location on the same server (a proxy in front of the API): the same path, its query kept
    and a marker added, which the fake then answers as usual."""
    def hook(handler, seg, query):
        parts = urllib.parse.urlsplit(handler.path)
        if not (seg[3:4] == [where] or seg[3:5] == ["git", where]) or "hop" in query:
            return None
        location = f"http://{handler.headers['Host']}{parts.path}?{parts.query + '&' if parts.query else ''}hop=1"
        return answer(handler, status, b"", {"Location": location})
    return hook


def test_a_redirect_without_a_body_is_followed(tmp_path):
    """Was: a 307 (or 302) answer without a body stopped the run with "unexpected TypeError from
    the GitHub client" (or "unexpected tree listing"). GitHub's clients follow such redirects."""
    files = {"a.ttl": ttl("A"), "d/b.ttl": ttl("B")}
    for status, where in ((307, "commits"), (302, "trees"), (308, "blobs")):
        db = tmp_path / f"{status}.db"
        with FakeGitHub(None) as fake:
            fake.commit(files)
            fake.answer_hook = redirecting(status, where)
            r = sync(fake, db)
            assert r.returncode == 0, (status, where, r.stderr)
            assert any("hop" not in p and st == status for _k, _m, p, st in fake.log)
        assert dict(rows(db, "SELECT path, status FROM source_files")) == {"a.ttl": "ok", "d/b.ttl": "ok"}


def test_a_redirect_to_another_host_is_one_clear_line(tmp_path):
    """A redirect to another host is not followed with the token: one line naming the host."""
    def hook(handler, seg, query):
        return answer(handler, 307, b"", {"Location": "http://127.0.0.1:9/elsewhere?sig=SECRET"})

    with FakeGitHub(None) as fake:
        fake.commit({"a.ttl": ttl("A")})
        fake.answer_hook = hook
        r = sync(fake, tmp_path / "x.db")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "SECRET" not in r.stderr
    assert "redirected" in r.stderr and "127.0.0.1:9" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_permanent_redirect_to_https_is_one_clear_line(tmp_path):
    """Was: `--api-url http://...` answered with a 301 to https (as GitHub does) stopped `sync`
    with "unexpected RuntimeError from the GitHub client" and `fetch-db` with a traceback; now
    one line that says to check --api-url."""
    def hook(handler, seg, query):
        return answer(handler, 301, b"", {"Location": f"https://{handler.headers['Host']}{handler.path}"})

    with FakeGitHub(None) as fake:
        fake.commit({"a.ttl": ttl("A")})
        fake.answer_hook = hook
        r = sync(fake, tmp_path / "x.db")
        fetched = cli("fetch-db", "o/r", "--out", str(tmp_path / "o.db"), "--api-url", fake.url,
                      env={"GITHUB_TOKEN": fake.token, "ONTOSYNC_RETRY_BACKOFF": "0.001"})
    assert r.returncode == 2, r.stderr
    assert "redirected to another scheme or host (http to https?): not followed; check --api-url" in r.stderr, r.stderr
    assert fetched.returncode == 2, fetched.stderr
    assert "Traceback" not in fetched.stderr
    assert "redirected to another scheme or host (http to https?); check --api-url" in fetched.stderr, fetched.stderr


# -- 3. rate limits ------------------------------------------------------------------------------
def limited_once(headers: dict[str, str], status: int = 403):
    """The first commit request answers GitHub's secondary rate limit with `headers`."""
    state = {"sent": False}

    def hook(handler, seg, query):
        if seg[3:4] != ["commits"] or state["sent"]:
            return None
        state["sent"] = True
        body = json.dumps({"message": "You have exceeded a secondary rate limit. Please wait a few minutes "
                                      "before you try again."}).encode()
        return answer(handler, status, body, {"Content-Type": "application/json", **headers})
    return hook


def test_retry_after_as_an_http_date_is_honoured(tmp_path):
    """Was: `Retry-After` given as an HTTP date (RFC 9110 allows it; proxies send it) was read as
    unreadable and waited a flat 60 s, or stopped a run that may wait less."""
    with FakeGitHub(None) as fake:
        fake.commit({"a.ttl": ttl("A")})
        fake.answer_hook = limited_once({"Retry-After": email.utils.formatdate(time.time() + 1, usegmt=True)})
        started = time.monotonic()
        r = sync(fake, tmp_path / "x.db", "github:o/r@main", "--max-rate-limit-wait", "30")
        took = time.monotonic() - started
    assert r.returncode == 0, r.stderr
    assert took < 10, took
    assert "secondary rate limit" in r.stderr and "waiting" in r.stderr, r.stderr


# -- 4. credentials in --api-url -------------------------------------------------------------------
def test_an_invalid_api_url_is_refused_without_its_credentials(tmp_path):
    """Was: `--api-url` was echoed as given when refused; a URL may carry `user:token@` or a token
    in its query. Sync and fetch-db alike: one line, exit 2, no secret."""
    for url in ("ftp://user:s3cret@host/x", "https://x-access-token:s3cret@", "not a url s3cret",
                "https://x-access-token:s3cret@api.example.com/api/v3", "https://h.example/?access_token=s3cret"):
        for command in (("sync", "github:o/r", "--db", str(tmp_path / "x.db"), "--quiet"),
                        ("fetch-db", "o/r", "--out", str(tmp_path / "y.db"))):
            r = cli(*command, "--api-url", url, env={"GITHUB_TOKEN": "t", "ONTOSYNC_RETRY_BACKOFF": "0.001"})
            assert r.returncode == 2, (command[0], url, r.stderr)
            assert "s3cret" not in r.stderr + r.stdout, (command[0], url, r.stderr)
            assert "Traceback" not in r.stderr, r.stderr
            assert "--api-url" in r.stderr, (command[0], url, r.stderr)


def test_secondary_limits_without_a_hint_wait_longer_each_time_then_stop(monkeypatch):
    """Was: a secondary limit without `Retry-After` was waited out with a flat 60 s each time
    (GitHub asks for growing waits while it is met again). Now the wait doubles, each is said
    with the time it ends, and one past --max-rate-limit-wait stops with when to run again.
    (The first wait is scaled down from 60 s to 0.05 s for the test.)"""
    from ontosync.sources import PathFilter
    from ontosync.sources import github as github_source

    monkeypatch.setattr(github_source, "SECONDARY_LIMIT_WAIT", 0.05, raising=False)

    def hook(handler, seg, query):
        body = json.dumps({"message": "You have exceeded a secondary rate limit."}).encode()
        return answer(handler, 403, body, {"Content-Type": "application/json"})

    with FakeGitHub(None) as fake:
        fake.commit({"a.ttl": ttl("A")})
        fake.answer_hook = hook
        src = github_source.GitHubSource("github:o/r@main", PathFilter(), api_url=fake.url, token=fake.token,
                                         max_rate_limit_wait=0.3)
        said: list[str] = []
        src.notice = said.append
        try:
            list(src.list_files())
        except github_source.RateLimitStop as exc:
            stop = str(exc)
        else:
            raise AssertionError("no stop")
        assert src.api_requests == 4  # waits of 0.05, 0.1, 0.2 s; the next one (0.4 s) is past 0.3
    assert len(said) == 3 and all("secondary rate limit" in s and ", until " in s for s in said), said
    assert "longer than the 0 s this run may wait" in stop and "run again after" in stop, stop


# -- fetch-db ------------------------------------------------------------------------------------
def test_fetch_db_never_sends_the_token_to_a_download_url_on_another_host(tmp_path):
    """Was: `archive_download_url` was asked with the token wherever the listing pointed it; a
    listing that named another host (here `localhost` for the API on 127.0.0.1) got the token
    there. GitHub names its own API server; anything else is refused in one line."""
    from tests.fake_artifacts import FakeArtifactServer, make_zip

    with FakeArtifactServer(token="t0k") as fake:
        fake.add("o/r", "ontology-db", make_zip({"ontology.db": b"x"}))
        fake.download_base = fake.api_url.replace("127.0.0.1", "localhost")
        r = cli("fetch-db", "o/r", "--out", str(tmp_path / "o.db"), "--api-url", fake.api_url,
                env={"GITHUB_TOKEN": "t0k", "ONTOSYNC_RETRY_BACKOFF": "0.001"})
        assert r.returncode == 2, r.stderr
        assert fake.requests["zip"] == 0
    assert "not sent the token" in r.stderr and "localhost" in r.stderr, r.stderr
    assert not (tmp_path / "o.db").exists()


def test_fetch_db_says_a_rate_limit_is_one_not_a_refused_token(tmp_path):
    """Was: a listing answered with GitHub's rate limit (403, `X-RateLimit-Remaining: 0`) said
    "GitHub API refused the token", sending the user to check a token that was fine."""
    reset = int(time.time()) + 3600

    def hook(handler, seg, query):
        body = json.dumps({"message": "API rate limit exceeded for user ID 1."}).encode()
        return answer(handler, 403, body, {"Content-Type": "application/json", "X-RateLimit-Remaining": "0",
                                           "X-RateLimit-Reset": str(reset)})

    with FakeGitHub(None) as fake:
        fake.answer_hook = hook
        r = cli("fetch-db", "o/r", "--out", str(tmp_path / "o.db"), "--api-url", fake.url,
                env={"GITHUB_TOKEN": fake.token, "ONTOSYNC_RETRY_BACKOFF": "0.001"})
    assert r.returncode == 2, r.stderr
    assert "hit GitHub's API primary rate limit (HTTP 403); run again after 20" in r.stderr, r.stderr
    assert "refused the token" not in r.stderr

def test_fetch_db_takes_a_token_pasted_with_its_newline_as_sync_does(tmp_path):
    """Was: GITHUB_TOKEN set from a secret pasted with its trailing newline failed fetch-db with
    "listing artifacts ... failed: InvalidHeader (3 attempts)", while `sync github:` accepts it."""
    from tests.fake_artifacts import FakeArtifactServer, make_zip
    from tests.test_fetch_db import make_db, marker_of

    with FakeArtifactServer(token="t0k") as fake:
        fake.add("o/r", "ontology-db", make_zip({"ontology.db": make_db(tmp_path / "src.db", "fetched")}))
        r = cli("fetch-db", "o/r", "--out", str(tmp_path / "o.db"), "--api-url", fake.api_url,
                env={"GITHUB_TOKEN": "t0k\n", "ONTOSYNC_RETRY_BACKOFF": "0.001"})
    assert r.returncode == 0, r.stderr
    assert marker_of(tmp_path / "o.db") == "fetched"


# -- --path and --ref --------------------------------------------------------------------------------
def test_a_path_not_in_the_repository_is_an_error_as_for_a_local_folder(tmp_path):
    """Was: `--path` naming no folder of the repository (misspelt, wrong case, a file) synced
    nothing and exited 0 ("0 files"), where a local source says `--path folder not found`, exit 2.
    Also when GitHub truncates the tree and it is walked folder by folder."""
    files = {"pages/a.ttl": ttl("A"), "pages/sub/b.ttl": ttl("B")}
    for truncate_over in (None, 1):
        db = tmp_path / f"{truncate_over}.db"
        with FakeGitHub(None) as fake:
            fake.commit(files)
            fake.truncate_over = truncate_over
            for path in ("Pages", "pages/a.ttl", "pages/su"):
                r = sync(fake, db, "github:o/r@main", "--path", path)
                assert r.returncode == 2, (path, r.stderr)
                said = "--path pages/a.ttl: not a folder" if path == "pages/a.ttl" else \
                    f"--path folder not found in github:o/r@main: {path}"  # a file: as a checkout says (round 14)
                assert said in r.stderr, r.stderr
            r = sync(fake, db, "github:o/r@main", "--path", "pages/sub")
            assert r.returncode == 0, r.stderr
        assert rows(db, "SELECT path FROM source_files") == [("pages/sub/b.ttl",)]


# -- the Action --------------------------------------------------------------------------------------
def test_the_action_says_why_a_sync_stopped_early_not_the_error_rate(tmp_path, capsys):
    """Was: every exit 1 was summarised as "the error rate is over max-error-rate", also a sync
    that GitHub's rate limit (or GitHub down) stopped with no file failed: the job summary sent
    the user looking for failed files instead of saying when to run again."""
    from tests.test_action import FakeCli, run_action, sample_report

    stop = ("GitHub API secondary rate limit reached for github:o/r: it resets in 3600 s, longer than the 900 s "
            "this run may wait (--max-rate-limit-wait); run again after 2030-01-01T00:00:00Z")
    code, env = run_action(tmp_path, FakeCli(sample_report(failed=0), code=1, stderr=stop))
    assert code == 1
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "stopped early: the checkpoint is saved, run again to resume" in summary, summary
    assert "run again after 2030-01-01" in summary, summary
    assert "error rate over the threshold" not in summary and "error rate is over" not in summary, summary


def test_a_default_port_written_out_is_the_same_server():
    """Was: with `--api-url https://ghe.example:443/api/v3`, GitHub Enterprise's own download URLs
    (`https://ghe.example/...`) counted as another server: the tarball download went without the
    token (and fetch-db's check of the download host would refuse every artifact)."""
    from ontosync.sources.github_http import same_origin

    assert same_origin("https://ghe.example/api/v3/repos/o/r/actions/artifacts/1/zip", "https://GHE.example:443/api/v3")
    assert same_origin("http://h:80/x", "http://h")
    assert not same_origin("http://h/x", "https://h")
    assert not same_origin("https://h:8443/x", "https://h")
    assert not same_origin("https://h:port/x", "https://h")


def test_plain_http_is_refused_for_any_host_but_this_machine():
    """Was: `--api-url http://ghe.example/api/v3` sent GITHUB_TOKEN, and received the files, in
    clear text across the network (anyone on the path could read the token or alter the ontology).
    https anywhere, and plain http to this machine (a proxy, the tests' fakes) only."""
    from ontosync.sources import SourceError
    from ontosync.sources.github_http import checked_api_url

    for url in ("http://ghe.example/api/v3", "http://10.0.0.5:8080", "http://127.0.0.1.example.com"):
        with pytest.raises(SourceError, match="https") as refused:
            checked_api_url(url, "https://api.github.com")
        assert "plain http" in str(refused.value), url
    for url in ("https://ghe.example/api/v3", "http://127.0.0.1:8080", "http://localhost:1/api", "http://[::1]:9"):
        assert checked_api_url(url, "https://api.github.com") == url
