"""The GitHub source and the Action, fourth round (h42): a ref that is both a branch and a tag,
symbolic links read through the API as a checkout reads them, and the Action run as a workflow
runs it (GITHUB_* variables, the event payload). Against the fake GitHub API on 127.0.0.1
(tests/fake_github.py); each test is a user-visible outcome."""

from __future__ import annotations

import io
import os
import sqlite3
import time
from pathlib import Path

from ontosync.sources import PathFilter
from ontosync.sources.github import GitHubSource
from tests.fake_github import FakeGitHub, read_folder, read_links
from tests.helpers import cli


def ttl(name: str) -> bytes:
    """A Turtle file declaring one class, so its rows can be counted."""
    return f"<http://example.org/{name}> a <http://www.w3.org/2002/07/owl#Class> .\n".encode()


def sync(db: Path, source: str, *extra: str, fake: FakeGitHub | None = None):
    env = {"ONTOSYNC_GITHUB_TIMEOUT": "30", "ONTOSYNC_RETRY_BACKOFF": "0.001"}
    if fake is not None:
        env["GITHUB_TOKEN"] = fake.token
        extra = ("--api-url", fake.url, *extra)
    return cli("sync", source, "--db", str(db), "--quiet", *extra, env=env)


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return sorted(con.execute(sql).fetchall())


def files_and_classes(db: Path) -> tuple[list[tuple], list[tuple]]:
    return (rows(db, "SELECT path, blob_sha, size, status, error FROM source_files"),
            rows(db, "SELECT class_iri FROM owl_classes"))


# -- 1. a name that is a branch and a tag ----------------------------------------------------------

def source(fake: FakeGitHub, spec: str, **kw) -> GitHubSource:
    kw.setdefault("path_filter", PathFilter())
    return GitHubSource(spec, kw.pop("path_filter"), fake.url, fake.token, timeout=30, backoff_factor=0.001, **kw)


def read_all(src: GitHubSource) -> dict[str, bytes]:
    return {sf.path: data for sf, data in src.contents(list(src.list_files()))}


def test_a_name_both_branch_and_tag_reads_the_branch_and_tags_prefix_reads_the_tag(tmp_path):
    """GitHub's API resolves a bare name that is both a branch and a tag to the branch (git's
    rev-parse would take the tag); `tags/NAME` and `refs/tags/NAME` (what `${{ github.ref }}` holds
    on a tag push) name the tag. The revision, the tree and the contents are that one commit's,
    from the tarball and from blobs alike, and the revision is what the database records."""
    with FakeGitHub() as fake:
        tagged = fake.commit({"t.ttl": ttl("Tagged")}, branch="v1")
        fake.repo.tags["v1"] = tagged
        branch = fake.commit({"b.ttl": ttl("Branch"), "c.ttl": ttl("Also")}, branch="v1")
        for ref, want, paths, threshold in (("v1", branch, ["b.ttl", "c.ttl"], 0), ("tags/v1", tagged, ["t.ttl"], 0),
                                            ("refs/heads/v1", branch, ["b.ttl", "c.ttl"], 20),
                                            ("refs/tags/v1", tagged, ["t.ttl"], 20)):  # the tarball, blobs
            src = source(fake, f"github:o/r@{ref}", blob_threshold=threshold)
            assert src.revision == want, ref
            assert sorted(read_all(src)) == paths, ref
        db = tmp_path / "tag.db"
        r = sync(db, "github:o/r@refs/tags/v1", fake=fake)
        assert r.returncode == 0, r.stderr
        assert rows(db, "SELECT revision, source FROM runs") == [(tagged, "github:o/r@refs/tags/v1")]
        assert rows(db, "SELECT class_iri FROM owl_classes") == [("http://example.org/Tagged",)]


# -- 2. symbolic links: the API reads them as a checkout does -----------------------------------------

def linked_tree(root: Path) -> None:
    """Links of every kind a checkout's walk meets: followed (to a file, along a chain, out of the
    selected folder and back into the repository, through a linked folder) and refused (outside,
    absolute, broken, a loop, a folder, into .git)."""
    (root / "pages").mkdir(parents=True)
    (root / "other").mkdir()
    (root / "pages" / "a.ttl").write_bytes(ttl("A"))
    (root / "other" / "b.ttl").write_bytes(ttl("B"))
    for name, target in {"pages/link.ttl": "a.ttl", "pages/chain.ttl": "link.ttl", "pages/up.ttl": "../other/b.ttl",
                         "linked": "other", "pages/via.ttl": "../linked/b.ttl", "pages/out.ttl": "../../x.ttl",
                         "pages/abs.ttl": "/etc/hostname", "pages/broken.ttl": "nope.ttl",
                         "pages/loop.ttl": "loop2.ttl", "pages/loop2.ttl": "loop.ttl", "pages/dir.ttl": "../other",
                         "pages/git.ttl": "../.git/config"}.items():
        os.symlink(target, root / name)


def test_links_through_the_api_give_the_database_a_checkout_gives(tmp_path):
    root = tmp_path / "repo"
    linked_tree(root)
    local_db, remote_db = tmp_path / "local.db", tmp_path / "remote.db"
    assert sync(local_db, str(root)).returncode in (0, 1)
    with FakeGitHub() as fake:
        fake.commit(read_folder(root), links=read_links(root))
        r = sync(remote_db, "github:o/r@main", fake=fake)
        remote_r = sync(tmp_path / "p2.db", "github:o/r@main", "--path", "linked", fake=fake)
    assert r.returncode in (0, 1), r.stderr
    local = files_and_classes(local_db)
    assert files_and_classes(remote_db) == local
    followed = {p for p, sha, _, status, _ in local[0] if status == "ok"}
    assert followed == {"other/b.ttl", "pages/a.ttl", "pages/chain.ttl", "pages/link.ttl", "pages/up.ttl",
                        "pages/via.ttl"}
    assert len(local[0]) == 13
    # a --path through a linked folder: exit 2 in the same words
    local_r = sync(tmp_path / "p1.db", str(root), "--path", "linked")
    assert local_r.returncode == remote_r.returncode == 2
    assert "--path must not pass through a symbolic link: linked" in local_r.stderr
    assert "--path must not pass through a symbolic link: linked" in remote_r.stderr


def test_links_from_the_tarball_and_a_truncated_tree_and_the_graph_config(tmp_path):
    """Many changed files come through the tarball, which holds a link as a link entry: the link
    gets its target's bytes. A tree too large for one answer is walked folder by folder, and a
    target is looked up the same way. A graph's `logseq/config.edn` kept as a link is read too."""
    files = {f"pages/p{i}.ttl": ttl(f"P{i}") for i in range(4)}
    links = {"pages/l0.ttl": "p0.ttl", "pages/sub/deep.ttl": "../../shared/s.ttl", "pages/out.ttl": "../../x",
             "pages/long.ttl": "a/" * 3000 + "p0.ttl"}  # past PATH_MAX: no link a checkout could hold
    files["shared/s.ttl"] = ttl("S")
    with FakeGitHub() as fake:
        fake.commit(files, links=links)
        for truncate in (None, 3):
            fake.truncate_over = truncate
            src = source(fake, "github:o/r@main", blob_threshold=0)
            fake.reset_log()
            listed = {sf.path: sf for sf in src.list_files()}
            got = read_all(src)
            assert fake.count("download") == 2 and not [p for *_, p, _s in fake.log if "/git/blobs/" in p]
            assert got["pages/l0.ttl"] == files["pages/p0.ttl"] and got["pages/sub/deep.ttl"] == files["shared/s.ttl"]
            assert listed["pages/out.ttl"].refused == "symbolic link leads outside the source root"
            assert listed["pages/long.ttl"].refused == "broken symbolic link: its target does not exist"
            assert src.refused_entries == 0  # the tree's own links are no hostile entries
        fake.commit({"graph/logseq/real.edn": b"{:file/name-format :triple-lowbar}",
                     "graph/pages/a.md": b"- a\n"}, links={"graph/logseq/config.edn": "real.edn"})
        src = source(fake, "github:o/r@main", path_filter=PathFilter(subdir="graph"))
        assert src.read_file("graph/logseq/config.edn", 1000) == b"{:file/name-format :triple-lowbar}"


# -- the Action as a workflow runs it -------------------------------------------------------------------

def test_a_tag_push_starts_from_the_default_branchs_artifact_not_a_pull_requests(tmp_path):
    """A push of a tag (or a manual run on one) has no branch: restore-artifact took the newest
    artifact of any branch, a same-repository pull request's run's too, and the run's "what changed"
    was then relative to an unmerged pull request."""
    from ontosync.action import run as action_run
    from tests.fake_artifacts import FakeArtifactServer
    from tests.test_action import REPO, TOKEN, FakeCli, make_db, make_env, sample_report

    with FakeArtifactServer(token=TOKEN) as fake:
        fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "main.db", "main")}, age_hours=5)
        fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "pr.db", "pr")}, age_hours=1,
                 head_branch="feature")
        for ref in ("refs/tags/v1.0", "refs/pull/7/merge"):
            env = make_env(tmp_path, restore_artifact="ontology-db")
            env.update({"GITHUB_API_URL": fake.api_url, "GITHUB_REF": ref, "GITHUB_EVENT_NAME": "push"})
            cli = FakeCli(sample_report(failed=0))
            assert action_run.main(env, cli_main=cli, out=io.StringIO()) == 0
            assert cli.db_marker == "main", ref
        log = io.StringIO()
        env = make_env(tmp_path / "none", restore_artifact="other-name")
        env.update({"GITHUB_API_URL": fake.api_url, "GITHUB_REF": "refs/tags/v1.0"})
        assert action_run.main(env, cli_main=FakeCli(sample_report(failed=0)), out=log) == 0
        assert "no artifact named 'other-name' from the default branch in acme/ontology yet" in log.getvalue()


def patches(fake: FakeGitHub, expected: int) -> list[str]:
    """The comments edited, once `expected` edits are logged (the fake logs a request after its
    answer) and a moment more for any further one to land."""
    def edited() -> list[str]:
        return [path for _kind, method, path, _status in fake.log if method == "PATCH"]
    for _ in range(300):
        if len(edited()) >= expected:
            break
        time.sleep(0.01)
    time.sleep(0.1)
    return edited()


def test_two_of_our_comments_one_is_updated_and_the_other_shows_no_stale_figures(tmp_path):
    """Two runs of one pull request racing each posted a comment: the next push updated the first
    and left the second showing an earlier push's figures."""
    from ontosync.action.pull_request import MARKER
    from tests.test_pr_comment import BASE, TOKEN, pr_tree, run_pr, write_tree

    write_tree(tmp_path / "base", BASE)
    with FakeGitHub(tmp_path / "base", owner="acme", repo="onto", token=TOKEN) as fake:
        mark = MARKER.format(key="ontology.db")
        for n in (3, 9):
            fake.add_comment(7, f"{mark}\n**{n}** classes added", login="github-actions[bot]", user_type="Bot")
        fake.add_comment(7, f"{mark}\nquoted by a person")
        code, _outputs, _summary, log = run_pr(tmp_path, fake, pr_tree(Boat=None))
        assert code == 0, log[-2000:]
        first, second, person = fake.pr_comments(7)
        assert "**1** removed" in first["body"]
        link = fake.comment_json(first)["html_url"]
        assert "classes added" not in second["body"] and f"[this comment]({link})" in second["body"]
        assert person["body"] == f"{mark}\nquoted by a person"
        patches(fake, 2)
        fake.reset_log()
        code, *_ = run_pr(tmp_path, fake, pr_tree(Boat=None))
        assert code == 0 and [c["body"] for c in fake.pr_comments(7)][1:] == [second["body"], person["body"]]
        assert patches(fake, 1) == [f"/repos/acme/onto/issues/comments/{first['id']}"]  # the note is not written again


def test_another_bot_quoting_our_comment_is_never_overwritten(tmp_path):
    """With GITHUB_TOKEN (which cannot name its own account) any Bot's comment holding the marker
    was taken for ours: another app's digest quoting our comment was overwritten with ours."""
    from ontosync.action.pull_request import MARKER
    from tests.test_pr_comment import BASE, TOKEN, pr_tree, run_pr, write_tree

    write_tree(tmp_path / "base", BASE)
    with FakeGitHub(tmp_path / "base", owner="acme", repo="onto", token=TOKEN) as fake:
        mark = MARKER.format(key="ontology.db")
        digest = f"Digest of bot comments:\n> {mark}\n> **3** classes added"
        fake.add_comment(7, digest, login="digest-app[bot]", user_type="Bot")
        code, _outputs, _summary, log = run_pr(tmp_path, fake, pr_tree(Boat=None))
        assert code == 0, log[-2000:]
        theirs, ours = fake.pr_comments(7)
        assert theirs["body"] == digest and "**1** removed" in ours["body"]
        # held: our comment, which a maintainer edited (a line above the marker), is still ours
        with fake.lock:
            fake.comments[ours["id"]]["body"] = "**Edited:** see the latest push\n" + ours["body"]
        code, *_ = run_pr(tmp_path, fake, pr_tree(Boat=None, Car=None))
        assert code == 0 and len(fake.pr_comments(7)) == 2
        assert "**2** removed" in fake.pr_comments(7)[1]["body"]


def test_the_container_reads_the_event_payload_the_runner_wrote(tmp_path, monkeypatch):
    """The runner writes the event payload in its temp folder, outside the workspace, and names it
    by its host path; the container step passed that path on unmounted, so in the container it named
    no file and every pull_request run synced as a push: no comparison, no comment."""
    from ontosync.action import container_step
    from ontosync.action.pull_request import read_event

    temp = tmp_path / "_temp"
    event = temp / "_github_workflow" / "event.json"
    event.parent.mkdir(parents=True)
    event.write_text('{"pull_request": {"number": 7, "base": {"sha": "' + "a" * 40 + '", "ref": "main", "repo": '
                     '{"full_name": "acme/onto"}}, "head": {"sha": "' + "b" * 40 + '"}}}', encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_OUTPUT", str(temp / "_runner_file_commands" / "set_output_1"))
    env, mounts = container_step.container_env({})
    volumes = [mounts[i + 1].split(":") for i in range(0, len(mounts), 2)]
    [(host, inside, mode)] = [v for v in volumes if len(v) == 3]
    assert mode == "ro" and env["GITHUB_EVENT_PATH"].startswith(inside + "/")
    seen = env["GITHUB_EVENT_PATH"].replace(inside, host, 1)  # the path as docker's mount resolves it
    pr = read_event({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": seen})
    assert pr is not None and (pr.number, pr.repo) == (7, "acme/onto")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "nowhere" / "event.json"))
    _env, mounts = container_step.container_env({})
    assert "nowhere" not in " ".join(mounts)  # docker would create the folder on the host


def test_the_revision_recorded_is_the_checkouts_not_the_events(tmp_path, monkeypatch):
    """A workflow that checks out another ref than the event's (a scheduled run syncing `release`,
    `ref: ${{ github.event.pull_request.head.sha }}` on a pull request) has GITHUB_SHA naming a
    commit the workspace is not at: that commit was recorded as the revision of the tree synced."""
    from ontosync.action.run import main as action_main
    from ontosync.cli import main as cli_main

    ws, at, event_sha = tmp_path / "ws", "c0ffee" * 6 + "0123", "e" * 40
    (ws / ".git" / "refs" / "heads").mkdir(parents=True)
    (ws / ".git" / "HEAD").write_text("ref: refs/heads/release\n")
    (ws / ".git" / "refs" / "heads" / "release").write_text(at + "\n")
    (ws / "a.ttl").write_bytes(ttl("A"))
    env = {"GITHUB_WORKSPACE": str(ws), "GITHUB_EVENT_NAME": "schedule", "GITHUB_REF": "refs/heads/main",
           "GITHUB_SHA": event_sha, "INPUT_UPLOAD-ARTIFACT": "false", "INPUT_WORKERS": "1"}
    monkeypatch.setenv("GITHUB_SHA", event_sha)  # the container's environment, where the sync reads it
    assert action_main(env=env, out=io.StringIO(), cli_main=cli_main) == 0
    assert rows(ws / "ontology.db", "SELECT revision FROM runs") == [(at,)]
    # held: a tree that is no checkout (no .git to tell) records GITHUB_SHA
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.ttl").write_bytes(ttl("A"))
    assert sync(tmp_path / "plain.db", str(plain)).returncode == 0
    assert rows(tmp_path / "plain.db", "SELECT revision FROM runs") == [(event_sha,)]


def test_an_unwritable_github_output_is_a_warning_in_the_container_step_too(tmp_path, monkeypatch, capsys):
    """The sync step's host part wrote its outputs (the upload's paths) first: a GITHUB_OUTPUT it
    cannot write was a traceback, and the step ended before the sync ran."""
    from ontosync.action import container_step

    (tmp_path / "out").mkdir()
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))  # a folder: not writable as a file
    monkeypatch.setenv("ONTOSYNC_INPUTS", "{}")
    started = []
    monkeypatch.setattr(container_step, "prepare_image", lambda *a: started.append(a) and None)
    assert container_step.main() == 2  # no image here: the step reached the sync's start
    out = capsys.readouterr().out
    assert started and "Traceback" not in out
    assert out.count("::warning::ontosync: cannot write the step output") == 1  # one write, all its outputs


def test_a_link_through_a_file_is_broken_in_a_checkout_as_through_the_api(tmp_path):
    """`a.md -> file.md/x`: the GitHub source says the link's target does not exist; a checkout's
    walk said "cannot read: Not a directory", so one commit gave two databases (review finding)."""
    from ontosync.sources import LINK_BROKEN
    from ontosync.sources.local import LocalSource

    (tmp_path / "file.md").write_text("- x\n", encoding="utf-8")
    os.symlink("file.md/x", tmp_path / "a.md")
    listed = {f.path: f.refused for f in LocalSource(tmp_path, PathFilter(), 1 << 20).list_files()}
    assert listed["a.md"] == LINK_BROKEN
