"""Reported defects, round 5: the token echoed back in a GitHub API message, and an `.ofn` file's
version IRI.

1. A server (a proxy, a GitHub Enterprise Server plugin, a misconfigured gateway) that echoes the
   request's token in an error body had it printed: the Action's artifact listing and its
   pull-request comment used the answer's `message` as it came (the runner's mask hid it there,
   but `ontosync fetch-db` runs outside Actions), and the GitHub source cut the message to 200
   characters before scrubbing it, so a token crossing that cut was shown in part.
2. An `.ofn` file's `Ontology(<iri> <versionIRI> ...)` version IRI reached no table, while the same
   ontology in Turtle has its `owl:versionIRI` row in `statements` (docs/decisions.md, "One
   ontology, one set of rows").
"""

from __future__ import annotations

import io

import pytest

from ontosync.action.commands import Commands
from ontosync.action.fetch_db import fetch_db
from ontosync.action.pull_request import PullRequest, post_comment
from ontosync.sources.github_http import Secret, server_message
from ontosync.store.semsql import ReadersLayer
from tests.fake_github import FakeGitHub
from tests.test_rdf_round5 import layer_rows, synced_twins

TOKEN = "ghp_Echo3dT0kenValue0123456789abcdef"
PR = PullRequest(7, "acme/onto", "a" * 40, "main", "b" * 40)


@pytest.fixture
def github():
    with FakeGitHub(owner="acme", repo="onto", token=TOKEN) as server:
        server.commit({"pages/A.md": b"- a\n"})
        yield server


def echo_token(status: int):
    """An answer hook: the artifact listing answers `status` with the request's token in its message."""
    def hook(handler, seg, query):
        if seg[-2:] != ["actions", "artifacts"]:
            return None
        sent = handler.headers.get("Authorization", "").partition(" ")[2]
        handler._send(status, {"message": f"token {sent} is not allowed here"})
        return status
    return hook


@pytest.mark.parametrize("status", [403, 422])
def test_fetch_db_never_prints_a_token_the_api_echoes(github, tmp_path, capsys, status):
    github.answer_hook = echo_token(status)
    code = fetch_db("acme/onto", out=tmp_path / "o.db", api_url=github.url, token=TOKEN)
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "o.db").exists()
    assert TOKEN not in err and "token *** is not allowed here" in err and "acme/onto" in err


@pytest.mark.parametrize("message", ["token {t} cannot write", "issue is locked for {t}"])
def test_a_refused_comment_never_shows_a_token_the_api_echoes(github, message):
    github.comments_forbidden = True
    github.forbidden_message = message.format(t=TOKEN)
    log = io.StringIO()
    assert post_comment(Commands(log), PR, "body", "ontology.db", TOKEN, github.url) is False
    warning = log.getvalue()
    assert "::warning" in warning and TOKEN not in warning and message.format(t="***") in warning


def test_a_token_across_the_messages_cut_is_scrubbed_whole():
    shown = server_message({"message": "x" * 190 + TOKEN}, Secret(TOKEN))
    assert TOKEN[:10] not in shown and shown.startswith("x" * 190)


VERSIONED_OFN = """\
Prefix(:=<http://example.org/t#>)
Ontology(<http://example.org/t> <http://example.org/t/1.0>
Declaration(Class(:A))
)
"""
VERSIONED_TTL = """\
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<http://example.org/t> a owl:Ontology ; owl:versionIRI <http://example.org/t/1.0> .
<http://example.org/t#A> a owl:Class .
"""


@pytest.mark.parametrize("deferred", [True, False], ids=["first-run", "per-file"])
def test_a_functional_syntax_version_iri_is_the_row_turtles_is(tmp_path, monkeypatch, deferred):
    monkeypatch.setattr(ReadersLayer, "defer_first_run", deferred)
    db, want = synced_twins(tmp_path, VERSIONED_OFN, VERSIONED_TTL)
    version = ("http://example.org/t", "owl:versionIRI", "http://example.org/t/1.0", None, None, None)
    assert version in want and layer_rows(db, "t.ofn") == want
