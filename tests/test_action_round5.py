"""The GitHub source and the Action, fifth round (h52): what a re-sync costs when the tree holds
symbolic links, a truncated tree's folders listed once, and the Action's edges (comment and
summary sizes in characters and bytes, events, artifacts, GitHub's odd answers). Against the fake
GitHub API on 127.0.0.1 (tests/fake_github.py); each test is a user-visible outcome."""

from __future__ import annotations

import sqlite3
from collections import Counter

from ontosync.sources import PathFilter
from tests.fake_github import FakeGitHub
from tests.test_action_round4 import files_and_classes, rows, source, sync, ttl


def api_paths(fake: FakeGitHub) -> list[str]:
    return [path for kind, _method, path, _status in fake.log if kind == "api"]


# -- 1. an unchanged tree with links costs no request for them ---------------------------------------

def test_a_resync_of_an_unchanged_tree_with_links_asks_for_no_link_text(tmp_path):
    """Each run fetched every link's text again (one blob request per link, a whole tarball past
    the blob threshold) though no link had changed. The texts the last run read are kept with the
    database, so an unchanged tree costs its two requests (the commit, the tree) and nothing else,
    with few links (blobs) and with many (the tarball); a link that is re-pointed is followed anew."""
    files = {f"p{i}.ttl": ttl(f"P{i}") for i in range(3)}
    for count in (2, 25):  # under and over the blob threshold
        db = tmp_path / f"{count}.db"
        links = {f"l{i}.ttl": f"p{i % 3}.ttl" for i in range(count)}
        with FakeGitHub() as fake:
            fake.commit(files, links=links)
            assert sync(db, "github:o/r@main", "--workers", "1", fake=fake).returncode == 0
            first = files_and_classes(db)
            fake.reset_log()
            r = sync(db, "github:o/r@main", "--workers", "1", fake=fake)
            assert r.returncode == 0, r.stderr
            assert len(api_paths(fake)) == 2 and fake.count("download") == 0, (count, fake.log)
            assert files_and_classes(db) == first
            with sqlite3.connect(db) as con:  # a kept text that is not its link's: never used
                con.execute("UPDATE sync_meta SET value = replace(value, 'p0.ttl', 'p1.ttl') WHERE key = 'kept_blobs'")
            assert sync(db, "github:o/r@main", "--workers", "1", fake=fake).returncode == 0
            assert files_and_classes(db) == first
            links["l0.ttl"] = "p2.ttl"  # re-pointed: its rows follow the new target
            fake.commit(files, links=links)
            assert sync(db, "github:o/r@main", "--workers", "1", fake=fake).returncode == 0
            shas = dict((p, sha) for p, sha, *_ in files_and_classes(db)[0])
            assert shas["l0.ttl"] == shas["p2.ttl"] != shas["p0.ttl"]


def test_a_resync_of_an_unchanged_graph_asks_for_no_config_blob(tmp_path):
    """A Logseq graph's `logseq/config.edn` (read for its settings, never selected) was fetched as a
    blob on every run, changed or not. Kept with the database as the links' texts are, it costs
    nothing while unchanged; an edited one is read again, and its settings apply."""
    db = tmp_path / "graph.db"
    pages = {"pages/A___B.md": b"- ### OntologyBlock\n\t- term-id:: EX-1\n",  # A/B with :triple-lowbar
             "pages/C.md": b"- ### OntologyBlock\n\t- term-id:: EX-2\n\t- is-subclass-of:: [[A/B]]\n"}
    with FakeGitHub() as fake:
        fake.commit({"logseq/config.edn": b"{:file/name-format :legacy}", **pages})
        assert sync(db, "github:o/r@main", "--workers", "1", fake=fake).returncode == 0
        fake.reset_log()
        assert sync(db, "github:o/r@main", "--workers", "1", fake=fake).returncode == 0
        assert len(api_paths(fake)) == 2, fake.log
        before = rows(db, "SELECT class_iri, source_file FROM owl_classes")
        fake.commit({"logseq/config.edn": b"{:file/name-format :triple-lowbar}", **pages})
        fake.reset_log()
        assert sync(db, "github:o/r@main", "--workers", "1", fake=fake).returncode == 0
        assert len([p for p in api_paths(fake) if "/git/blobs/" in p]) >= 1
        assert before != rows(db, "SELECT class_iri, source_file FROM owl_classes"), before


# -- 2. a truncated tree's folders are listed once ------------------------------------------------------

def test_a_truncated_tree_lists_each_folder_once_when_links_are_followed(tmp_path):
    """A tree too large for one answer is walked folder by folder; following a link then listed the
    folders on its target's path again (the root, each folder), one request each."""
    files = {"pages/a.ttl": ttl("A"), "pages/b.ttl": ttl("B"), "other/deep/c.ttl": ttl("C"), "top.ttl": ttl("T")}
    links = {"pages/l.ttl": "../other/deep/c.ttl", "pages/m.ttl": "a.ttl", "lt.ttl": "top.ttl"}
    with FakeGitHub() as fake:
        fake.commit(files, links=links)
        fake.truncate_over = 3
        src = source(fake, "github:o/r@main", path_filter=PathFilter())
        fake.reset_log()
        listed = {sf.path: sf for sf in src.list_files()}
        trees = Counter(p for p in api_paths(fake) if "/git/trees/" in p)
        assert listed["pages/l.ttl"].blob_sha == listed["other/deep/c.ttl"].blob_sha
        assert listed["lt.ttl"].blob_sha == listed["top.ttl"].blob_sha
        # the root: once recursive (truncated), once alone; every folder under it once
        assert max(trees.values()) <= 2 and sum(trees.values()) == 5, trees


# -- 3. the Action: inputs, events ----------------------------------------------------------------------

def workflow_commands(log: str) -> list[str]:
    """The lines of the log the runner would run as workflow commands (outside stop-commands)."""
    out, stop = [], None
    for line in log.splitlines():
        if stop is not None:
            stop = None if line == f"::{stop}::" else stop
        elif line.startswith("::stop-commands::"):
            stop = line.removeprefix("::stop-commands::")
        elif line.startswith("::"):
            out.append(line)
    return out


def test_an_input_with_a_newline_issues_no_workflow_command(tmp_path):
    """The settings the Action prints (and its outputs) named an input's value as it came: a
    newline in it (a block scalar, an expression's value) started a line of its own, which the
    runner ran as a command (here an error annotation and a warning of the input's choosing)."""
    import io

    from ontosync.action import run as action_run
    from tests.test_action import FakeCli, make_env, sample_report

    env = make_env(tmp_path, database="out/a b.db\n::error title=x::injected", path="pages\n::warning::p")
    log = io.StringIO()
    cli = FakeCli(sample_report(failed=0))
    assert action_run.main(env, cli_main=cli, out=log) == 0
    assert cli.argv[cli.argv.index("--db") + 1].endswith("out/a b.db\n::error title=x::injected")  # as given
    commands = workflow_commands(log.getvalue())
    assert not [c for c in commands if "injected" in c or c.startswith("::warning::p")], commands
    assert "database:   " + str(tmp_path / "workspace" / "out" / "a b.db") + "\\x0a::error" in log.getvalue()


def test_a_merge_queue_run_starts_from_its_base_branchs_artifact(tmp_path):
    """A merge queue's run (`merge_group`) is on a branch of its own, `gh-readonly-queue/BASE/pr-N-SHA`,
    new for each group: restore-artifact found no artifact of it, so every such run was a full sync
    and its "What changed" listed the whole ontology as added. It starts from the base branch's."""
    import io

    from ontosync.action import run as action_run
    from tests.fake_artifacts import FakeArtifactServer
    from tests.test_action import REPO, TOKEN, FakeCli, make_db, make_env, sample_report

    queue = "gh-readonly-queue/release/v2/pr-17-" + "ab" * 20
    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "main.db", "main")}, age_hours=5)
        fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "rel.db", "release")}, age_hours=3,
                 head_branch="release/v2")
        fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "pr.db", "pr")}, age_hours=1,
                 head_branch="feature")
        env = make_env(tmp_path, restore_artifact="ontology-db")
        env.update({"GITHUB_API_URL": fake.api_url, "GITHUB_REF": "refs/heads/" + queue, "GITHUB_REF_NAME": queue,
                    "GITHUB_EVENT_NAME": "merge_group"})
        cli = FakeCli(sample_report(failed=0))
        assert action_run.main(env, cli_main=cli, out=io.StringIO()) == 0
        assert cli.db_marker == "release"


# -- 4. GitHub's odd answers ------------------------------------------------------------------------------

def test_a_comment_listing_whose_next_link_loops_ends(tmp_path):
    """A server (a proxy, a GitHub Enterprise Server in front of a cache) whose `Link: rel="next"`
    names the page just read: the listing of the pull request's comments followed it for ever and
    the step hung until the job's timeout (6 hours). Pages are asked for by number, as GitHub
    documents, so the listing ends; our comment on a later page is still found and updated."""
    import io

    from ontosync.action.commands import Commands
    from ontosync.action.pull_request import MARKER, PullRequest, post_comment
    from tests.test_action import TOKEN

    pr = PullRequest(7, "acme/onto", "a" * 40, "main", "b" * 40)
    mark = MARKER.format(key="ontology.db")
    with FakeGitHub(owner="acme", repo="onto", token=TOKEN) as fake:
        fake.commit({"a.ttl": ttl("A")})
        for i in range(101):
            fake.add_comment(7, f"comment {i}")
        ours = fake.add_comment(7, f"{mark}\nold figures", login="github-actions[bot]", user_type="Bot")
        served: Counter[str] = Counter()

        def looping(handler, seg, query):  # the fake's own page, with a next link back to page 1
            if seg[-1:] != ["comments"] or handler.command != "GET":
                return None
            served[query.get("page", ["1"])[0]] += 1
            real = handler.send_header

            def send_header(name, value):
                if name == "Link":
                    value = f'<{fake.url}/repos/acme/onto/issues/7/comments?per_page=100&page=1>; rel="next"'
                real(name, value)
            handler.send_header = send_header
            return handler._issues(seg[3:], query, "GET", None)

        fake.answer_hook = looping
        log = io.StringIO()
        assert post_comment(Commands(log), pr, f"{mark}\nnew figures", "ontology.db", TOKEN, fake.url), log.getvalue()
        assert fake.comments[ours["id"]]["body"] == f"{mark}\nnew figures"
        assert len(fake.pr_comments(7)) == 102 and max(served.values()) == 1, served


def test_a_short_secondary_rate_limit_on_the_artifact_listing_is_waited_out(tmp_path):
    """A secondary rate limit (403 with `Retry-After`) on the listing was no retry at all: the run
    went on without its artifact, a full sync whose "What changed" listed the whole ontology as
    added. A short one is waited out, as the comment calls wait; a long one still says when to run
    again."""
    assert "secondary rate limit (HTTP 403); run again after" in restores_under_a_limit(tmp_path, "list")


def restores_under_a_limit(tmp_path, route: str) -> str:
    """Restore twice with the fake's `route` rate-limited once (403, Retry-After): a short limit
    (0 s) still restores, a long one (2 h) does not and does not wait; the second run's log."""
    import io
    import time

    from ontosync.action import run as action_run
    from tests.fake_artifacts import FakeArtifactServer
    from tests.test_action import REPO, TOKEN, FakeCli, make_db, make_env, sample_report

    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "main.db", "main")})
        for retry_after, marker in (("0", "main"), ("7200", None)):
            fake.limit_next[route], fake.retry_after = 1, retry_after
            env = make_env(tmp_path / retry_after, restore_artifact="ontology-db")
            env.update({"GITHUB_API_URL": fake.api_url, "GITHUB_REF": "refs/heads/main"})
            cli, log, started = FakeCli(sample_report(failed=0)), io.StringIO(), time.monotonic()
            assert action_run.main(env, cli_main=cli, out=log) == 0
            assert cli.db_marker == marker and time.monotonic() - started < 5, log.getvalue()
    return log.getvalue()


def test_fetch_db_prints_no_control_character_from_the_artifact(tmp_path, capsys):
    """`fetch-db` printed the zip member's name as it came: a name holding an escape sequence (or a
    newline) reached the terminal, or a CI log, raw."""
    from ontosync.action.fetch_db import fetch_db
    from tests.fake_artifacts import FakeArtifactServer
    from tests.test_action import REPO, TOKEN, make_db

    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {"x\x1b[2J\n::error::y/ontology.db": make_db(tmp_path / "m.db", "main")})
        assert fetch_db(REPO, out=tmp_path / "ontology.db", api_url=fake.api_url, token=TOKEN) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\n::error" not in out and "x\\x1b[2J\\x0a::error::y/ontology.db" in out, out
