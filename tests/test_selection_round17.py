"""Round 17's file selection and Action follow-ups: blanks inside brace choices, an `--exclude` that
leaves out the whole `--path` folder, include globs that select no file, a `config` input whose
name holds glob characters, a sync ended by a signal, and `jsonld-contexts` read under GitHub's
rate limit. Through the real CLI, the fake GitHub on 127.0.0.1 and real git repositories."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.fake_github import FakeGitHub
from tests.helpers import cli
from tests.test_action_round16 import needs_git, pr_repo
from tests.test_pr_comment import TOKEN, run_pr
from tests.test_sources_round16 import TREE, sync_both, synced

# -- blanks inside brace choices ----------------------------------------------------------------------


@pytest.mark.parametrize(("flag", "glob", "expected"), [
    ("--include", "**/*.{ttl, md}", sorted(TREE)),
    ("--include", "{ drafts/ , old/ }", ["drafts/d.md", "drafts/deep/e.ttl", "old/o.ttl", "old/x.md"]),
    ("--exclude", "{drafts/, old/, .hidden/}", ["core.ttl", "pages/old/q.md", "pages/p.md", "top.md"]),
])
def test_blanks_around_brace_choices_are_dropped_locally_and_from_github(tmp_path, flag, glob, expected):
    """`**/*.{ttl, md}` selected no `.md` file (the blank was part of the name ` md`): the blanks
    around each choice are dropped, as around a glob, for --include and --exclude, both sources."""
    local, remote = sync_both(tmp_path, TREE, flag, glob)
    assert (local.returncode, remote.returncode) == (0, 0), local.stderr + remote.stderr
    assert synced(tmp_path / "l.db") == synced(tmp_path / "g.db") == expected


def test_an_escaped_blank_in_a_brace_choice_is_kept(tmp_path):
    """`{a\\ ,b}`: the escaped blank stays part of the choice's name (`a `), as around a glob."""
    tree = {"a .ttl": TREE["core.ttl"], "a.ttl": TREE["core.ttl"], "b.ttl": TREE["core.ttl"]}
    local, remote = sync_both(tmp_path, tree, "--include", "{a\\ ,b}.ttl")
    assert (local.returncode, remote.returncode) == (0, 0), local.stderr + remote.stderr
    assert synced(tmp_path / "l.db") == synced(tmp_path / "g.db") == ["a .ttl", "b.ttl"]


# -- a `config` input whose name holds glob characters ------------------------------------------------

@needs_git
@pytest.mark.parametrize("name", ["own*.yml", "o[w]n.yml", "own?yml"])
def test_an_untracked_config_named_like_a_glob_applies_to_the_base_too(tmp_path, name):
    """`own.yml` is committed; the `config` input names an untracked file (an earlier step wrote
    it) whose name, read as a pattern by `git ls-files`, matches `own.yml`: it was taken for a
    committed file, the base synced with the defaults (its version missing), every class moved
    namespace. Its name is now a literal path: the file applies to both sides, Truck the one class
    added."""
    ws = tmp_path / "ws"
    truck = "- ### OntologyBlock\n  - ontology:: true\n  - preferred-term:: Truck\n"
    base, head = pr_repo(ws, {"own.yml": "workers: 1\n"}, {"pages/Truck.md": truck})
    (ws / name).write_text("page-namespace: 'urn:own:'\n", encoding="utf-8")
    with FakeGitHub(None, owner="acme", repo="onto", token=TOKEN) as fake:
        code, outputs, summary, log = run_pr(tmp_path, fake, None, head=head, base_sha=base, inputs={"config": name})
    assert code == 0, log[-3000:]
    assert (outputs["classes-added"], outputs["classes-removed"]) == ("1", "0"), summary


# -- a sync ended by a signal, its report written -----------------------------------------------------

@pytest.mark.parametrize(("code", "said"), [
    (141, "the sync ended with exit 141 (SIGPIPE: Broken pipe): the reader of its output went away"),
    (143, "the sync ended with exit 143 (SIGTERM: Terminated)"),
])
def test_a_sync_ended_by_a_signal_with_its_report_written_is_one_error(tmp_path, code, said):
    """The sync ran to its end (report written), then its exit was a signal's code (141: its output's
    reader went away, as cli.main answers a BrokenPipeError): the Action gave no ::error, the step's
    red cross unexplained. Now one ::error names the signal."""
    from ontosync.action import run as action_run
    from ontosync.cli import main as cli_main
    from tests.test_action import make_env
    from tests.test_action_round8 import write_classes

    env = make_env(tmp_path, workers="1")
    write_classes(Path(env["GITHUB_WORKSPACE"]), "A", "B")

    def ended_by_signal(argv):
        assert cli_main(argv) == 0  # the real sync, its report written
        return code

    log = io.StringIO()
    assert action_run.main(env, cli_main=ended_by_signal, out=log) == code, log.getvalue()[-3000:]
    assert (Path(env["GITHUB_WORKSPACE"]) / "ontosync-report.json").exists()
    errors = [line for line in log.getvalue().splitlines() if line.startswith("::error")]
    assert errors == [f"::error title=ontosync%3A exit {code}::{said}"], log.getvalue()[-3000:]


# -- an --exclude that leaves out the whole --path folder ---------------------------------------------

@pytest.mark.parametrize(("path", "exclude", "shown"), [
    ("pages", "pages/", "pages/"),
    ("pages/old", "/pages/", "/pages/"),
    ("pages", "p*/", "p*/"),
    ("pages", "**", "**"),
])
def test_an_exclude_that_leaves_out_the_whole_path_folder_is_exit_2(tmp_path, path, exclude, shown):
    """`--path pages --exclude pages/` synced nothing, exit 0, without a word: an exclude that covers
    every file --path can hold is refused, one line, for both sources (as an include that cannot
    select under --path is)."""
    local, remote = sync_both(tmp_path, TREE, "--path", path, "--exclude", "drafts/", "--exclude", exclude)
    for proc in (local, remote):
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.strip() == (f"ontosync: error: --exclude {shown!r} leaves out every file under --path "
                                       f"{path} (nothing would be synced)"), proc.stderr


@pytest.mark.parametrize("exclude", ["pages/*.md", "pages/*", "pages/old/", "*.md"])
def test_an_exclude_that_leaves_some_of_the_path_folder_is_not_refused(tmp_path, exclude):
    """An exclude that covers only part of --path's folder (or every file there today, but not every
    file it can hold: `pages/*` leaves `pages/a/b.ttl`) syncs what is left, exit 0."""
    local, remote = sync_both(tmp_path, TREE, "--path", "pages", "--exclude", exclude)
    assert (local.returncode, remote.returncode) == (0, 0), local.stderr + remote.stderr
    assert synced(tmp_path / "l.db") == synced(tmp_path / "g.db")


# -- a github: source's jsonld-contexts file read under GitHub's rate limit ---------------------------

def limited_blobs(reset_in: float, times: int):
    """An answer hook: the first `times` blob requests are answered GitHub's primary rate limit."""
    met = []

    def hook(handler, seg, query):
        if seg[3:5] != ["git", "blobs"] or len(met) >= times:
            return None
        met.append(1)
        handler._special("primary", reset_in)
        return 403

    return hook


def test_a_context_file_read_under_the_rate_limit_stops_as_other_reads_do(tmp_path):
    """The rate limit, resetting in an hour, met reading the `jsonld-contexts` file: exit 2, "cannot
    read it from github:o/r@main", a configuration error (no checkpoint, as if the config were
    wrong). It is now the rate-limit stop every other read gets: exit 1, the stop's own line, the
    checkpoint saved; the next run syncs."""
    from tests.test_sources_round16 import CONTEXT_URL, DOC, ENV, classes, context

    (tmp_path / "mine.yml").write_text(f'jsonld-contexts:\n  "{CONTEXT_URL}": ctx.json\n', encoding="utf-8")
    db = tmp_path / "g.db"
    with FakeGitHub(None) as fake:
        fake.commit({"onto.jsonld": DOC, "ctx.json": context("http://right.example/")})

        def sync(*flags: str):
            return cli("sync", "github:o/r@main", "--api-url", fake.url, "--db", str(db), "--workers", "1",
                       "--config", str(tmp_path / "mine.yml"), *flags, env={"GITHUB_TOKEN": fake.token, **ENV})

        fake.answer_hook = limited_blobs(3600, 10**6)
        stopped = sync("--max-rate-limit-wait", "0")
        fake.answer_hook = limited_blobs(1, 1)  # a reset within the wait allowed: waited out
        waited = sync()
    assert stopped.returncode == 1 and "Traceback" not in stopped.stderr, stopped.stderr
    last = stopped.stderr.strip().splitlines()[-1]
    assert "GitHub API primary rate limit" in last and "run again after" in last, stopped.stderr
    assert "jsonld-contexts" not in stopped.stderr, stopped.stderr
    assert (tmp_path / "g.db.checkpoint.json").exists()
    assert waited.returncode == 0, waited.stderr
    assert classes(db) == ["http://right.example/Thing"]


# -- include globs that select no file ------------------------------------------------------------------

def report_warnings(report: Path) -> list[dict]:
    return [w for w in json.loads(report.read_text(encoding="utf-8"))["warnings"] if w["kind"] == "unmatched-glob"]


def test_an_include_glob_that_selects_no_file_is_a_warning_naming_the_flag(tmp_path):
    """`--include 'ontology/' --include 'pages/'` on a tree without `ontology/`: pages synced, exit 0,
    and not a word of the glob that selected nothing (a misspelt folder looks like an empty one).
    Now a warning, on stderr and in the report, naming the glob and the flag; not an error (a
    config shared by several repositories may name folders one of them lacks)."""
    said = "--include 'ontology/' selects no file of the source"
    for proc in sync_both(tmp_path, TREE, "--include", "ontology/", "--include", "pages/"):
        assert proc.returncode == 0, proc.stderr
        assert f"ontosync: warning: {said}" in proc.stderr.splitlines(), proc.stderr
    for db in ("l.db", "g.db"):
        assert synced(tmp_path / db) == ["pages/old/q.md", "pages/p.md"]
    proc = cli("sync", str(tmp_path / "src"), "--db", str(tmp_path / "x.db"), "--quiet", "--include", "ontology/",
               "--include", "pages/", "--report", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    assert report_warnings(tmp_path / "r.json") == [{"path": None, "kind": "unmatched-glob", "message": said,
                                                     "line": None}]


def test_an_unmatched_glob_of_a_config_file_names_the_file(tmp_path):
    """A glob from the configuration file is named with the file's path and its `include:` key."""
    from tests.test_sources_round16 import write_tree

    src = write_tree(tmp_path / "src", TREE)
    (tmp_path / "o.yml").write_text("include: ['pages/', 'ontology/**/*.ttl']\n", encoding="utf-8")
    proc = cli("sync", str(src), "--db", str(tmp_path / "x.db"), "--quiet", "--config", str(tmp_path / "o.yml"))
    assert proc.returncode == 0, proc.stderr
    assert (f"ontosync: warning: {tmp_path / 'o.yml'}: include 'ontology/**/*.ttl' selects no file of the source"
            in proc.stderr.splitlines()), proc.stderr


def test_the_default_extensions_and_globs_that_select_are_no_warning(tmp_path):
    """No --include (the supported extensions, of which the tree has no `.org`), and globs that each
    select a file: no unmatched-glob warning."""
    from tests.test_sources_round16 import write_tree

    src = write_tree(tmp_path / "src", TREE)
    for flags in ([], ["--include", "**/*.{ttl,md}", "--include", "pages/"]):
        proc = cli("sync", str(src), "--db", str(tmp_path / "x.db"), "--quiet", "--report", str(tmp_path / "r.json"),
                   *flags)
        assert proc.returncode == 0 and "selects no file" not in proc.stderr, proc.stderr
        assert report_warnings(tmp_path / "r.json") == []


def test_an_unmatched_glob_of_the_action_s_input_names_the_input(tmp_path):
    """The Action's `include` input: the warning names the input, not a flag the user never wrote."""
    from ontosync.action import run as action_run
    from ontosync.cli import main as cli_main
    from tests.test_action import make_env
    from tests.test_action_round8 import write_classes

    env = make_env(tmp_path, workers="1", include="*.ttl\nontology/")
    write_classes(Path(env["GITHUB_WORKSPACE"]), "A", "B")
    log = io.StringIO()
    assert action_run.main(env, cli_main=cli_main, out=log) == 0, log.getvalue()[-3000:]
    [warning] = report_warnings(Path(env["GITHUB_WORKSPACE"]) / "ontosync-report.json")
    assert warning["message"] == "the Action's `include` input 'ontology/' selects no file of the source", warning
