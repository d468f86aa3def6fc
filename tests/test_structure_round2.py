"""Round 2 of the structural mends: where a mend made two copies of a decision one, the behaviour
the one copy now gives everywhere.

The unhinted wait: whether a rate limit's answer says how long to wait was decided twice, by the
wait itself (github_http.rate_limit_wait) and by the GitHub source's count of waits to grow
(sources/github.py); the two disagreed on `X-RateLimit-Remaining: 0` without a reset time.
"""

from __future__ import annotations

import json
import sys

import pytest

from tests.fake_github import FakeGitHub


def _limited(handler, seg, query) -> int:
    """A 403 that says no requests are left but not when they reset (a proxy dropped the header)."""
    body = json.dumps({"message": "API rate limit exceeded"}).encode()
    handler.send_response(403)
    for k, v in {"Content-Type": "application/json", "X-RateLimit-Remaining": "0",
                 "Content-Length": str(len(body))}.items():
        handler.send_header(k, v)
    handler.end_headers()
    handler.wfile.write(body)
    return 403


def test_a_used_up_limit_without_its_reset_time_waits_longer_each_time(monkeypatch):
    """Was: the wait was the unhinted one (60 s: no reset time to wait for), but the source did
    not count it as unhinted, so it waited a flat 60 s again and again, where GitHub asks for
    growing waits. Now it doubles as any unhinted wait does, then stops past
    --max-rate-limit-wait. (The first wait is scaled down from 60 s to 0.05 s.)"""
    from ontosync.sources import PathFilter
    from ontosync.sources import github as github_source

    monkeypatch.setattr(github_source, "SECONDARY_LIMIT_WAIT", 0.05)
    said: list[str] = []
    with FakeGitHub(None) as fake:
        fake.commit({"a.ttl": b"<http://x/A> a <http://www.w3.org/2002/07/owl#Class> .\n"})
        fake.answer_hook = _limited
        src = github_source.GitHubSource("github:o/r@main", PathFilter(), api_url=fake.url, token=fake.token,
                                         max_rate_limit_wait=0.3)
        src.notice = said.append
        with pytest.raises(github_source.RateLimitStop):
            list(src.list_files())
        assert src.api_requests == 4, said  # waits of 0.05, 0.1, 0.2 s; the next one (0.4 s) is past 0.3
    assert len(said) == 3 and all("rate limit" in s for s in said), said


def test_a_sync_into_postgresql_without_its_driver_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    """PgUnavailable is a console.Stopped: pg_commands.sync no longer maps it to its own word and
    code (a second table of what the class says), it reaches cli.py's main, which says it. Held:
    the same one line and exit 2, no traceback, the password masked."""
    from ontosync.cli import main

    monkeypatch.setitem(sys.modules, "psycopg2", None)  # `import psycopg2` fails
    (tmp_path / "a.ttl").write_text("<http://x/A> a <http://www.w3.org/2002/07/owl#Class> .\n")
    code = main(["sync", str(tmp_path), "--db", "postgresql://u:s3cret@127.0.0.1:1/db", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.splitlines() == ["ontosync: error: a postgresql:// database needs the psycopg2 driver, not "
                                "installed here: pip install 'ontosync[postgres]' (README: PostgreSQL)"], err
