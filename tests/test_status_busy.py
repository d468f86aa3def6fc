"""`status` on a PostgreSQL server that takes no more connections is busy (exit 4), as `sync`,
`verify` and `search` are (CONTRACT.md section 9), not a configuration error (exit 2, "check the
URL"): running it again later succeeds. Skips without a server (tests/postgres_server.py)."""

from __future__ import annotations

import pytest

from tests.helpers import cli
from tests.postgres_server import full_database_url


@pytest.mark.parametrize("schema", ["?schema=s", ""])  # named, or looked up on the server
def test_status_on_a_full_server_is_busy(schema):
    with full_database_url() as url:
        if schema:
            url = f"{url}{'&' if '?' in url else '?'}{schema[1:]}"
        r = cli("status", "--db", url)
    assert r.returncode == 4, r.stderr
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and line.startswith("ontosync: busy:"), line
    assert "too many connections" in line
    assert "Traceback" not in r.stderr
