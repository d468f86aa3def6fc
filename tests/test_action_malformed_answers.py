"""The Action's pull-request comment and `fetch-db` against answers GitHub (or a proxy
in front of a GitHub Enterprise server) really gives: a 200 whose body is not the JSON asked for.
A local HTTP server on 127.0.0.1 answers; each test failed before its fix."""

from __future__ import annotations

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ontosync.action.commands import Commands
from ontosync.action.pull_request import PullRequest, post_comment
from tests.helpers import cli

PR = PullRequest(5, "o/r", "a" * 40, "main", "b" * 40)


class _Answers(BaseHTTPRequestHandler):
    listing: tuple[str, bytes] = ("application/json", b"[]")

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, ctype: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # every listing asked for (comments, artifacts) gets the same answer
        self._send(200, *self.listing)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self._send(201, "application/json", json.dumps(
            {"id": 9, "body": "x", "html_url": "https://github.com/o/r/pull/5#issuecomment-9",
             "user": {"login": "github-actions[bot]", "type": "Bot"}}).encode())


@pytest.fixture
def answering(monkeypatch):
    """`answering(content_type, body)`: the URL of a server that answers every GET 200 so. The
    retries a truncated answer draws back off a few milliseconds, not up to 1 s and 2 s (the count of
    warnings is what is asserted)."""
    monkeypatch.setenv("ONTOSYNC_RETRY_BACKOFF", "0.001")
    servers = []

    def start(ctype: str, body: bytes) -> str:
        handler = type("H", (_Answers,), {"listing": (ctype, body)})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("ctype, body", [
    ("application/json", b'[{"id": 1, "body": "cut'),  # a truncated answer
    ("text/html", b"<html><body>502 from the proxy</body></html>"),
    ("application/json", b'{"message": "not a list"}'),
])
def test_a_malformed_comment_listing_is_a_warning_not_a_crash(answering, ctype, body):
    """The comment listing answered 200 with a body that is not a JSON list: post_comment raised
    JSONDecodeError or TypeError, so the Action died with a traceback after a good sync (the step
    failed), where README promises a warning and the changes in the job summary."""
    out = io.StringIO()
    assert post_comment(Commands(out), PR, "the body", "ontology.db", "tok", answering(ctype, body)) is False
    warnings = [line for line in out.getvalue().splitlines() if line.startswith("::warning")]
    assert len(warnings) == 1 and "pull request #5" in warnings[0] and "job summary" in warnings[0]
    assert "tok" not in out.getvalue().replace("token", "")


def test_a_well_formed_listing_still_gets_its_comment(answering):
    """The control: the same server with a JSON list creates the comment."""
    url = answering("application/json", b"[]")
    out = io.StringIO()
    assert post_comment(Commands(out), PR, "the body", "ontology.db", "tok", url) is True
    assert "commented on pull request #5" in out.getvalue()


@pytest.mark.parametrize("body", [
    b"<html><body>502 from the proxy</body></html>",
    b'{"total_count": 1}',
    b'{"total_count": 1, "artifacts": "none"}',
    b'{"total_count": 1, "artifacts": [{"id": "x", "name": "ontology-db"}]}',
])
def test_fetch_db_on_a_malformed_artifact_listing_is_one_line_exit_2(answering, tmp_path, body):
    """`fetch-db` printed a TypeError / AttributeError / ValueError traceback (exit 1) when the
    artifact listing answered 200 with JSON of another shape; fetch-db's contract: one line, exit 2,
    nothing written."""
    url = answering("application/json", body)
    out = tmp_path / "ontology.db"
    proc = cli("fetch-db", "o/r", "--api-url", url, "--out", str(out), env={"GITHUB_TOKEN": "ghs_hunt_token_0123"})
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ontosync: error: listing artifacts of o/r failed"), proc.stderr
    assert "ghs_hunt_token_0123" not in proc.stderr + proc.stdout
    assert not out.exists()


HOSTILE_PATH = "pages/[claim your prize](https://evil.example/x).md"
HOSTILE_MESSAGE = "ping @octocat: **urgent** ~~old~~ ![img](https://evil.example/i.png) _now_"


def test_the_job_summary_makes_file_names_and_messages_inert_markdown():
    """A failed file's name and message went into the job summary with only HTML, `|` and backticks
    escaped: a file named `[claim your prize](https://evil.example/x).md` (a pull request from a
    fork can add one) rendered as a link, `![img](...)` as a remote image, `@octocat` as a mention,
    `**urgent**` bold (README: user text in the summary has no markup effect, `@name` pings nobody)."""
    from ontosync.action.summary import summary_markdown
    from ontosync.diff_format import ZWJ

    report = {"files": {"total": 2, "ok": 1, "failed": 1, "skipped": 0, "unchanged": 0, "deleted": 0},
              "errors": [{"path": HOSTILE_PATH, "line": 2, "kind": "parse", "message": HOSTILE_MESSAGE}],
              "warnings": [{"path": HOSTILE_PATH, "kind": "duplicate-declaration", "message": HOSTILE_MESSAGE}],
              "slowest_files": [{"path": HOSTILE_PATH, "ms": 5.0}]}
    text = summary_markdown(report, 0, {"database": "ontology.db", "report": "[r](https://evil.example).json"},
                            reason=HOSTILE_MESSAGE)
    for raw in ("[claim", "![img]", "[r]", "**urgent**", "~~old~~", "_now_", "@octocat", "https://"):
        assert raw not in text.replace("\\[", ""), raw  # no `[` opens a link, no markup is left
    assert f"@{ZWJ}octocat" in text
    assert text.count("\\[claim your prize](https\\://evil.example/x).md") == 3  # failed, warned, slow


def test_the_job_summary_stays_under_githubs_1_mib_in_bytes(tmp_path):
    """The summary's parts were capped in characters (200,000 for "What changed", 100 rows of
    300-character cells per table), but GitHub's cap is 1 MiB of bytes: with labels, paths and
    messages in a 4-byte script it came to ~1.3 MB and GitHub drops such a summary whole."""
    from ontosync.action.run import finish

    wide = "\U0001d518" * 400  # 4 bytes each in UTF-8
    report = {"files": {"total": 300, "ok": 100, "failed": 200, "skipped": 0, "unchanged": 0, "deleted": 0},
              "errors": [{"path": f"{i}{wide}.md", "line": 1, "kind": "parse", "message": wide} for i in range(200)],
              "warnings": [{"path": f"{i}{wide}.md", "kind": "duplicate-declaration", "message": wide}
                           for i in range(200)]}
    changes = {"base": {"run": 1, "revision": "a"}, "head": {"run": 2, "revision": "b"},
               "classes": {"added": [{"iri": f"http://x/{i}", "label": wide} for i in range(3000)],
                           "removed": [], "changed": []},
               "properties": {"added": [], "removed": [], "changed": []},
               "axioms": {"added": 0, "removed": 0, "by_subject": []}}
    summary = tmp_path / "summary.md"
    finish(Commands(io.StringIO()), {"GITHUB_STEP_SUMMARY": str(summary)}, None, report, 0, "",
           changes=(changes, "ontosync-changes.json", ""))
    data = summary.read_bytes()
    assert len(data) <= 1024 * 1024
    text = data.decode("utf-8")  # cut at a line, never inside a character
    assert text.startswith("## What changed") and "## ontosync:" in text  # both parts are there
    # "What changed" is budgeted in bytes (h23): it ends at a row saying how many it left out, and
    # the run's part below it is whole, with no blind cut anywhere
    assert "more rows not shown" in text.split("## ontosync:")[0] and "### Failed files (200)" in text


def test_at_most_ten_error_annotations_in_a_step_that_also_failed(tmp_path):
    """Exit 3 with a report of twelve failed files (disk full near the end, say): the exit's own
    `::error` plus ten per-file ones made eleven; GitHub shows ten per step, so one failed file
    vanished without being counted in "N more files failed"."""
    from ontosync.action.run import failure_reason, finish

    report = {"files": {"total": 12, "ok": 0, "failed": 12, "skipped": 0, "unchanged": 0, "deleted": 0},
              "errors": [{"path": f"pages/p{i}.md", "line": 1, "kind": "parse", "message": "bad"} for i in range(12)]}
    out = io.StringIO()
    cmd = Commands(out)
    reason = failure_reason(cmd, 3, report, "ontosync: fatal: disk full")
    finish(cmd, {}, None, report, 3, reason)
    lines = out.getvalue().splitlines()
    errors = [line for line in lines if line.startswith("::error")]
    assert len(errors) == 10 and "disk full" in errors[0]
    counted = [line for line in lines if line.startswith("::warning") and "more files failed" in line]
    assert len(counted) == 1 and "3 more files failed" in counted[0]  # 9 annotated + 3 counted = 12
