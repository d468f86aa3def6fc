"""Issue 15: the Action's image carries the PostgreSQL driver (Dockerfile: psycopg2-binary with its
bundled OpenSSL and Kerberos replaced by the base image's) and syncs into a real server.

The image runs as GitHub's runner runs it (tests/test_docker_action.py's `run_action`), on the host's
network, against the test server (.ci/postgres.sh; .ci/run keeps it up while .ci/docker.sh runs):
the rows arrive and equal a SQLite sync of the same tree made on the host, the outputs count them,
the password never shows. Over TLS when the server offers it (.ci/postgres.sh turns it on when
openssl is at hand): the session is encrypted and the process maps the base's libssl, not a copy.

Marked `docker` (skipped without an engine unless ONTOSYNC_REQUIRE_DOCKER=1) and needs the server
(skipped without one unless ONTOSYNC_REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

import json
import shutil

import pytest

from ontosync.db_url import password
from tests.helpers import EXAMPLE, cli
from tests.postgres_server import drop_schema, new_schema, pg_dump, schema_url, server_url, sqlite_dump
from tests.test_docker_action import client, image, run_action  # noqa: F401 (fixtures)

pytestmark = pytest.mark.docker
TABLES = ("ontologies", "source_files", "owl_classes", "owl_class_hierarchy", "owl_properties", "owl_axioms",
          "file_classes", "file_edges", "file_properties", "page_names")

PROBE = """
import json, psycopg2, sys
conn = psycopg2.connect(sys.argv[1])
cur = conn.cursor()
cur.execute("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
ssl, version = cur.fetchone()
maps = sorted({line.split()[-1] for line in open("/proc/self/maps") if "libssl" in line or "libcrypto" in line})
print(json.dumps({"ssl": ssl, "version": version, "libpq": psycopg2.__libpq_version__, "maps": maps}))
"""


def tls_url(url: str) -> str | None:
    """`url` with sslmode=require when the server speaks TLS, else None."""
    import psycopg2

    from ontosync.db_url import split_schema

    try:
        psycopg2.connect(split_schema(url)[0] + ("&" if "?" in url else "?") + "sslmode=require").close()
    except psycopg2.OperationalError:
        return None
    return url + ("&" if "?" in url else "?") + "sslmode=require"


def test_the_image_syncs_into_postgres(client, image, tmp_path):  # noqa: F811 (fixtures)
    server_url()
    schema = new_schema()
    url = tls_url(schema_url(schema)) or schema_url(schema)
    ws = tmp_path / "workspace"
    shutil.copytree(EXAMPLE, ws)
    try:
        run = run_action(client, image, ws, {"database": url, "workers": "1"}, network="host")
        assert run.code == 0, run.stdout[-3000:] + run.stderr[-3000:]
        secret = password(url)
        assert secret not in run.stderr and secret not in run.summary
        assert all(secret not in line for line in run.stdout.splitlines() if not line.startswith("::add-mask::"))

        got = pg_dump(schema, TABLES)
        ref = tmp_path / "ref.db"
        assert cli("sync", str(EXAMPLE), "--db", str(ref), "--quiet").returncode == 0
        assert got == sqlite_dump(ref, TABLES) and len(got["owl_classes"]) > 5
        assert int(run.outputs["classes"]) == sum(1 for r in got["owl_classes"] if r[4] is not None)
        assert int(run.outputs["files-ok"]) == sum(1 for r in got["source_files"] if r[4] == "ok")
    finally:
        drop_schema(schema)


def test_tls_through_the_base_image_s_openssl(client, image):  # noqa: F811 (fixtures)
    url = tls_url(server_url())
    if url is None:
        pytest.skip("the test server offers no TLS (.ci/postgres.sh turns it on when openssl is installed)")
    out = client.containers.run(image, ["-c", PROBE, url], entrypoint="python", network_mode="host", remove=True)
    probe = json.loads(out.decode().strip().splitlines()[-1])
    assert probe["ssl"] is True and probe["version"].startswith("TLSv1."), probe
    assert probe["maps"] and not any("/opt/venv/" in path for path in probe["maps"]), probe  # the base's own
