"""The Action's main: inputs -> (restore) -> `ontosync sync` -> outputs, job summary, annotations.

The sync runs in this process through `ontosync.cli.main(argv)`; its log is fenced with
`stop-commands` because it quotes file names and parser messages from the repository, which must
not be able to issue workflow commands. The token is masked before anything is printed, handed to
the sync only as `GITHUB_TOKEN`, and never printed. The exit code is the sync's.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import stat
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from ontosync.action import changes as change_report
from ontosync.action import pull_request
from ontosync.action.checked_out import links_files, shown_source
from ontosync.action.commands import Commands
from ontosync.action.container_step import upload_name, uploads
from ontosync.action.empty_workspace import empty_workspace
from ontosync.action.failed_note import failed_note
from ontosync.action.ignored_config import note_ignored_config
from ontosync.action.inputs import (
    ActionInputs,
    InputError,
    get_input,
    input_env_name,
    parse_bool,
    read_inputs,
    read_places,
)
from ontosync.action.own_files import foreign_output
from ontosync.action.planted_links import remove_planted_links
from ontosync.action.restore import pushed_branch, restore
from ontosync.action.summary import (
    annotate_failures,
    annotate_revision,
    fit_summary,
    outputs_from_report,
    stopped_early,
    summary_markdown,
    write_outputs,
)
from ontosync.action.target_checkout import checked_out_pr, synced_revision
from ontosync.db_url import is_postgres_url, mask, passwords
from ontosync.diff_format import MAX_NOTE, is_empty, md
from ontosync.options import BY_INPUT
from ontosync.pipeline.interrupts import as_interrupt, ignore_stopping
from ontosync.sources.git_head import head_handed, origin_handed
from ontosync.sources.unmatched import INCLUDE_FROM_ENV

CliMain = Callable[[Sequence[str]], Any]
# (said before the report is read: whether the checkpoint is saved is the sync's own last line to say)
EXIT_MEANING = {0: "done", 1: "error rate over the threshold, or stopped early by GitHub (a rate limit, GitHub "
                             "down): the sync's last line says whether the checkpoint is saved",
                2: "usage or configuration error", 3: "fatal: database integrity or migration failure",
                4: "database busy: another sync or writer holds it; nothing was lost, run again",
                130: "interrupted (job cancelled): the sync's last line says whether the checkpoint is saved"}
CUT_SHORT = "ontosync: the sync was interrupted (job cancelled) before it said how it ended; no run report"
CANCELLED = "the run was cancelled (exit 130)"
STOPPED_NOTE = ("This run stopped before its end: these are the changes it made; what it did not reach is in the next "
                "run's figures.")


class TeeStream(io.TextIOBase):
    """Writes through to `inner` and keeps the last lines, to quote the reason of a failed run."""

    def __init__(self, inner: TextIO, keep: int = 20) -> None:
        self.inner = inner
        self.lines: deque[str] = deque(maxlen=keep)
        self._partial = ""

    def write(self, text: str) -> int:
        self.inner.write(text)
        self._partial += text
        *done, self._partial = self._partial.split("\n")
        self.lines.extend(line for line in done if line.strip())
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", "utf-8")

    def last_line(self) -> str:
        tail = [*self.lines, self._partial] if self._partial.strip() else list(self.lines)
        return tail[-1].strip() if tail else ""


@contextlib.contextmanager
def env_var(name: str, value: str | None) -> Iterator[None]:
    """Set (or leave alone, when value is falsy) one variable of os.environ for the block."""
    if not value:
        yield
        return
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def load_report(path) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def run_sync(cmd: Commands, cli_main: CliMain, argv: list[str], token: str) -> tuple[int, str]:
    """Run `ontosync <argv>` in this process; (exit code, last line it printed on stderr)."""
    tee = TeeStream(sys.stderr)
    old_stderr = sys.stderr
    with cmd.stop_commands():
        sys.stderr = tee
        try:
            with env_var("GITHUB_TOKEN", token), env_var(INCLUDE_FROM_ENV, "the Action's `include` input"):
                result = cli_main(argv)
            code = 0 if result is None else int(result)
        except SystemExit as exc:  # argparse and friends
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        except KeyboardInterrupt:  # a cancelled job's second signal, as the sync said its first: the sync's
            tee.lines.append(CUT_SHORT)  # (said "outside the sync: nothing more was done", no outputs nor summary)
            code = 130
        except Exception as exc:
            traceback.print_exc()
            tee.lines.append(f"ontosync crashed: {type(exc).__name__}: {exc}")
            code = 3
        finally:
            sys.stdout.flush()
            sys.stderr = old_stderr
    return code, tee.last_line()


def main(env: MutableMapping[str, str] | None = None, *, cli_main: CliMain, out: TextIO | None = None) -> int:
    """The Action. `cli_main` is `ontosync.cli.main`, passed in by entrypoint.py: the CLI sits above
    the Action's glue, which never imports it (docs/ARCHITECTURE.md)."""
    process = env is None  # the container's own run (entrypoint.py), which ends after it
    if env is None:
        env = os.environ
        # Python as PID 1 of a container ignores SIGTERM; a cancelled job (docker stop) should stop
        # the sync like Ctrl-C does, so the checkpoint is written and the next run resumes.
        signal.signal(signal.SIGTERM, as_interrupt)
    try:
        code = _run(env, cli_main, Commands(out))
        if process:  # its work done and said: a cancel now asks for nothing (it was a traceback as it ended)
            ignore_stopping()
        return code
    except KeyboardInterrupt:  # outside the sync (a restore, the pull request's base, the comment): a
        # cancelled job's log ended in a traceback; the sync itself answers its interrupt with 130
        Commands(out).error("the run was stopped (job cancelled) outside the sync: nothing more was done",
                            title="ontosync: interrupted")
        return 130


def _run(env: MutableMapping[str, str], cli_main: CliMain, cmd: Commands) -> int:
    """The Action's steps (`main`)."""
    token = get_input(env, "github-token")
    if token:
        cmd.mask(token)
        # The sync gets the token as GITHUB_TOKEN only; drop the input's copy from the environment.
        env.pop(input_env_name("github-token"), None)

    mask_database_password(cmd, get_input(env, "database"))
    try:
        inputs = read_inputs(env)
    except InputError as exc:
        return stop_on_input(cmd, env, token, str(exc))
    inputs.token = token

    show_settings(cmd, inputs, token)
    note_ignored_config(cmd, inputs)
    checked_out = synced_revision(env, inputs.workspace)  # (one read: the comparison's and the sync's commit)
    pr = compared_pr(cmd, env, inputs, checked_out)
    empty = empty_workspace(inputs)
    if empty:
        return stop_before_sync(cmd, env, (inputs, pr), empty, "ontosync: empty workspace")
    linked = remove_planted_links(cmd, inputs)
    if linked:
        return stop_before_sync(cmd, env, (inputs, pr), linked, "ontosync: link in the way")
    if foreign := foreign_output(inputs, pr is not None):  # a file of the checkout the run would remove
        return stop_before_sync(cmd, env, (inputs, pr), foreign, "ontosync: input")
    folders = make_parent_dirs(inputs)
    restored, branch = None, pushed_branch(env)
    if inputs.restore_artifact and pr is None:
        with cmd.group(f"ontosync: restore artifact {inputs.restore_artifact}"):
            restored = restore(cmd, inputs, branch=branch)

    # a report (or change JSON) left from before must not pass for this run's; a folder there, or a file
    # in place of its folder: the sync names it (exit 2). The change JSON is only written after a sync
    # that ran (step_changes).
    changes_path = inputs.changes
    for earlier in (inputs.report, changes_path):
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
            earlier.unlink()
    base_note = prepare_pr_base(cmd, inputs, pr, cli_main, token) if pr is not None else None
    previous, before, figures = push_start(cmd, env, inputs, pr, (restored, branch))

    started = time.monotonic()
    with cmd.group("ontosync: sync"), env_var("GITHUB_SHA", checked_out), head_handed(inputs.workspace, checked_out), \
            origin_handed(inputs.source, inputs.path, inputs.origin):  # the schema the Action then reads
        code, last_stderr = run_sync(cmd, cli_main, inputs.sync_argv(), token)
        cmd.line(f"sync finished in {time.monotonic() - started:.1f} s: exit {code} "
                 f"({EXIT_MEANING.get(code, 'unexpected')})")

    hand_over_files(inputs, folders)
    report = load_report(inputs.report)
    # (the container's path named no file on the runner: the files of the checkout, as the repository does)
    reason = failure_reason(cmd, code, report, in_checkout(last_stderr, inputs))
    # a pull request whose base could not be synced: the head's sync started from an empty database, so
    # its figures were the whole ontology, shown as the pull request's change
    changes = step_changes(cmd, inputs, before, code, changes_path, said=not figures) \
        if pr is None or base_note else None
    hand_over_files(inputs, [changes_path])
    note = figures_note(cmd, (base_note, previous, restored, branch), changes, report, code)
    finish(cmd, env, inputs, report, code, reason,
           changes=(changes, changes_file(cmd, inputs, changes, changes_path), note))
    if pr is not None and want_comment(cmd, env):
        if base_note is not None and changes is not None:
            comment_on_pr(cmd, env, inputs, pr, (changes, failed_note(report, code)), base_note, token)
        else:  # no figures for this push: an existing comment must not go on showing an earlier push's
            note_failure_on_pr(cmd, env, inputs, pr, base_note is not None, (code, reason), token)
    return code


def compared_pr(cmd: Commands, env: Mapping[str, str], inputs: ActionInputs, checked_out: str | None):
    """The pull request this run compares with its base and comments on, None when it is no such run
    (another event, the GitHub API as source, a PostgreSQL database, the base branch checked out:
    `checked_out`, target_checkout.synced_revision's answer)."""
    if not inputs.local_source or inputs.database_url:
        return None
    return checked_out_pr(cmd, env, checked_out, pull_request.read_event(env, cmd))


def stop_on_input(cmd: Commands, env: Mapping[str, str], token: str, reason: str) -> int:
    """A bad input: exit 2, with the error, empty outputs and the summary, and our comment on the
    pull request saying so, as after any later failure (it went on showing the earlier push's
    figures as this push's). The comment is found by the database's name: when that input is the
    bad one, there is no comparison to comment on (the GitHub API's source, a PostgreSQL URL)."""
    cmd.error(reason, title="ontosync: bad input")
    finish(cmd, env, None, None, 2, reason)
    try:
        places = read_places(env)
    except InputError:
        return 2
    places.token = token
    note_stop_on_pr(cmd, env, places, compared_pr(cmd, env, places, synced_revision(env, places.workspace)), reason)
    return 2


def stop_before_sync(cmd: Commands, env: Mapping[str, str], run: tuple[ActionInputs, Any], reason: str,
                     title: str) -> int:
    """Exit 2 before the sync (`run`: the inputs and the pull request, or None): the error, the outputs
    and summary, and our comment on the pull request says so, as after a failed sync: returning
    first left it showing an earlier push's figures as this push's."""
    inputs, pr = run
    cmd.error(reason, title=title)
    finish(cmd, env, inputs, None, 2, reason)
    note_stop_on_pr(cmd, env, inputs, pr, reason)
    return 2


def note_stop_on_pr(cmd: Commands, env: Mapping[str, str], inputs: ActionInputs, pr, reason: str) -> None:
    """A run stopped before its sync (exit 2, `reason`): said in our comment on `pr`, if any."""
    if pr is not None and want_comment(cmd, env):
        note_failure_on_pr(cmd, env, inputs, pr, True, (2, reason), inputs.token)


def step_changes(cmd: Commands, inputs: ActionInputs, before: int | None, code: int, out: Path, *,
                 said: bool = False) -> dict | None:
    """The change JSON of the runs after `before` (written to `out`), None when the sync failed or
    `before` is unknown (the log could not be read before the sync: every run would pass for this
    step's, the whole ontology for this push's change; `said`: older_commit said why)."""
    if code not in (0, 1) or said:
        return None
    if before is None:
        cmd.warning("the change log could not be read before the sync, so this push's changes cannot be told "
                    "from earlier runs': no change figures", title="ontosync: changes")
        return None
    return change_report.collect(inputs.database_url or inputs.database, before, out, inputs.source, inputs.origin)


def push_start(cmd: Commands, env: MutableMapping[str, str], inputs: ActionInputs, pr,
               restored_from: tuple[Any, str | None]) -> tuple[str | None, int | None, bool]:
    """(a push's previous commit, the change log's run the figures start from, whether there are
    figures), from one reading of the log before the sync; a re-run of an older push is named and
    its upload renamed on the way (older_commit)."""
    restored, branch = restored_from
    previous = change_report.push_previous(env) if pr is None else None
    own = branch if restored is not None and restored.head_branch == branch else None
    past, before = change_report.before_sync(inputs.database_url or inputs.database, inputs.source,
                                             env.get("GITHUB_SHA") if own else None, previous, inputs.origin)
    figures = older_commit(cmd, env, inputs, past, previous, own, restored.workflow_run_id if own else None)
    return previous, before if figures else None, figures


def older_commit(cmd: Commands, env: MutableMapping[str, str], inputs: ActionInputs,
                 past: tuple[str, bool] | None, previous: str | None, own: str | None, run: int | None) -> bool:
    """A run whose commit the restored database went past (`past`: action/changes.py before_sync, a
    re-run of an older push after newer ones): its database is uploaded under NAME-at-COMMIT, not
    as the branch's newest, which the next run and `fetch-db` would take, a warning says so, and
    False when its figures cannot be measured from `previous` (the log no longer holds it): from the
    newest commit they were the later pushes' changes, reversed, shown as this one's. Only a
    database restored from `own`, the run's branch (`run`: the run id that uploaded the database,
    for at_branch_head), tells that (before_sync is asked of it alone):
    another branch's (restored for a new branch or a tag) may be past an older commit this run is
    at, re-running nothing; nor does a branch still at this commit (changes.at_branch_head: a
    force-push went back to it)."""
    if past is None or change_report.at_branch_head(env, inputs.repository, own, inputs.token, inputs.api_url, run):
        return True
    commit = env.get("GITHUB_SHA") or ""
    newest, held = past
    name = uploaded_artifact(env)
    renamed = f"{name}-at-{commit[:12]}" if name else ""
    upload = f"its database is uploaded as {renamed!r}, so that {name!r} stays the newest for the next run" \
        if renamed else "nothing is uploaded"
    figures = "" if held else f"; the database no longer holds {previous[:12]}, so no change figures" \
        if previous else "; no change figures"
    cmd.warning(f"this run's commit {commit[:12]} is older than {newest[:12]}, which the restored database was "
                f"synced at (a re-run of an earlier run?): {upload}{figures}", title="ontosync: restore")
    output_file = env.get("GITHUB_OUTPUT")
    if renamed and output_file:
        with contextlib.suppress(OSError):  # (finish() names a GITHUB_OUTPUT it cannot write)
            write_outputs(output_file, {"artifact-name": renamed})  # the upload step's name (action.yml)
    return held


def figures_note(cmd: Commands, start: tuple[str | None, str | None, Any, str | None], changes: dict | None,
                 report: dict | None, code: int) -> str:
    """The summary's note under the change figures: what they are compared with (`start`: a pull
    request's base note, a push's previous commit, the restored artifact and the run's branch), and
    that they are partial when GitHub stopped the run (they read as the whole push's)."""
    base_note, previous, restored, branch = start
    note = f"Compared with {md(base_note, MAX_NOTE)}." if base_note else \
        start_note(cmd, changes, previous) or change_report.branch_note(restored, branch)
    if report is not None and stopped_early(report, code):
        note = "\n\n".join(filter(None, [note, STOPPED_NOTE]))
    return note


def start_note(cmd: Commands, changes: dict | None, previous: str | None) -> str:
    """The summary's note (and a warning) when a push's figures start from another commit than its
    previous one (action/changes.py start_note); "" when they are the push's own."""
    said = change_report.start_note(changes, previous)
    if not said or said == change_report.EMPTY_START:  # (a first run, or a restore that said why it failed)
        return said
    cmd.warning(said, title="ontosync: changes")
    return md(said[0].upper() + said[1:], MAX_NOTE) + "."


def changes_file(cmd: Commands, inputs: ActionInputs, changes: dict | None, path: Path) -> str:
    """The change JSON's path for the `changes` output and the summary; "" when it could not be
    written (a folder of the checkout in the way, a full disk): named, a later step read a folder."""
    if changes is None or path.is_file():  # (an earlier run's file was removed before the sync)
        return inputs.relative(path)
    cmd.warning(f"cannot write the change JSON {inputs.relative(path)}: the `changes` output is empty "
                "(the figures are in the job summary)", title="ontosync: changes")
    return ""


def show_settings(cmd: Commands, inputs: ActionInputs, token: str | None) -> None:
    """The settings the sync runs with, then a warning per input note."""
    with cmd.group("ontosync: settings"):
        cmd.line(f"source:     {inputs.source}")
        cmd.line(f"database:   {mask(inputs.database_url) or inputs.database}")
        cmd.line(f"checkpoint: {inputs.checkpoint}")
        cmd.line(f"report:     {inputs.report}")
        cmd.line("token:      " + ("given (masked)" if token else "none"))
        cmd.line("command:    ontosync " + mask(" ".join(inputs.sync_argv())))
    for note in inputs.notes:
        cmd.warning(note, title="ontosync: input")


def mask_database_password(cmd: Commands, database: str) -> None:
    """A PostgreSQL `database` input: its password (and the whole URL) masked in the job's log."""
    if is_postgres_url(database):
        cmd.mask(database)
        for secret in passwords(database):
            cmd.mask(secret)


def failure_reason(cmd: Commands, code: int, report: dict | None, last_stderr: str) -> str:
    """Why the run is not a plain success ("" when it is); an error annotation for exits 2-4."""
    if code in (2, 3, 4) or (code != 0 and report is None):
        reason = last_stderr or f"ontosync sync exited with {code} ({EXIT_MEANING.get(code, 'unexpected')})"
        cmd.error(reason, title=f"ontosync: exit {code}")
        return reason
    if code == 130:  # a cancel the sync answered, its report written: the step's red cross, explained
        reason = f"{CANCELLED}: {last_stderr}" if last_stderr else f"{CANCELLED}; the next run resumes"
        cmd.error(reason, title="ontosync: cancelled")
        return reason
    if code > 128 and (said := signal_said(code)):  # its report written, then ended by a signal (141: SIGPIPE)
        cmd.error(said, title=f"ontosync: exit {code}")
        return said
    # exit 1 is also a stop GitHub caused (a rate limit past the allowed wait, GitHub down): the
    # sync's own last line says which, and when to run again
    return (last_stderr or "the error rate is over max-error-rate") if code == 1 else ""


def signal_said(code: int) -> str:
    """An exit code past 128 as the signal it stands for ("" for none). Why: a sync that wrote its report
    and then exited 141 (its output's reader gone) or another signal's code got no ::error at all."""
    try:
        sig = signal.Signals(code - 128)
    except ValueError:
        return ""
    gone = ": the reader of its output went away" if sig.name == "SIGPIPE" else ""
    return f"the sync ended with exit {code} ({sig.name}: {signal.strsignal(sig)}){gone}"


def prepare_pr_base(cmd: Commands, inputs: ActionInputs, pr, cli_main: CliMain, token: str | None) -> str | None:
    """The base branch's database for a pull request (see action/pull_request.py); its description."""
    with cmd.group(f"ontosync: the base of pull request #{pr.number}"):
        def sync_base(argv: list[str], revision: str, workspace: str | None) -> int:
            with env_var("GITHUB_SHA", revision), env_var("GITHUB_WORKSPACE", workspace):
                return run_sync(cmd, cli_main, argv, token)[0]
        return pull_request.prepare_base(cmd, inputs, pr, sync_base)


def comment_on_pr(cmd: Commands, env: Mapping[str, str], inputs: ActionInputs, pr, changes: tuple[dict, str],
                  base_note: str, token: str | None) -> None:
    """`changes`: the change JSON and the note naming the files that failed (action/failed_note.py):
    a comment is posted for either, since failed files are news to a reviewer even with no change."""
    data, failed = changes
    with cmd.group(f"ontosync: comment on pull request #{pr.number}"):
        body = pull_request.comment_body(data, pr, base_note, pull_request.summary_url(env),
                                         inputs.relative(inputs.database), failed, artifact=uploaded_artifact(env))
        pull_request.post_comment(cmd, pr, body, inputs.relative(inputs.database), token, inputs.api_url,
                                  create=not is_empty(data) or bool(failed))


def uploaded_artifact(env: Mapping[str, str]) -> str:
    """The name the upload step gives the database's artifact, "" when it uploads none (action.yml:
    `upload-artifact` and the name, read as container_step.py reads them)."""
    if not uploads(get_input(env, "upload-artifact")):
        return ""
    return upload_name({"artifact-name": get_input(env, "artifact-name")}, env)


def note_failure_on_pr(cmd: Commands, env: Mapping[str, str], inputs: ActionInputs, pr, base_ok: bool,
                       exit_and_reason: tuple[int, str], token: str | None) -> None:
    """Say in our existing comment (none is posted) that this push's change could not be computed:
    the sync failed (its exit code and reason), else the base could not be synced (`base_ok` False),
    else the change log could not be read."""
    code, reason = exit_and_reason
    if code == 130 and reason.startswith(CANCELLED):  # (not "the sync failed": it was stopped)
        why = in_checkout(reason, inputs)
    elif code not in (0, 1):
        why = in_checkout(f"the sync failed (exit {code}): {reason}", inputs)
    else:
        why = "the base branch could not be synced" if not base_ok else "the change log could not be read"
        why += " (see the run's log)"
    with cmd.group(f"ontosync: comment on pull request #{pr.number}"):
        body = pull_request.failure_body(pr, why, pull_request.summary_url(env), inputs.relative(inputs.database))
        pull_request.post_comment(cmd, pr, body, inputs.relative(inputs.database), token, inputs.api_url,
                                  create=False)


def want_comment(cmd: Commands, env: Mapping[str, str]) -> bool:
    try:
        return parse_bool("pr-comment", get_input(env, "pr-comment"), BY_INPUT["pr-comment"].input_default)
    except InputError as exc:
        cmd.warning(f"{exc}; not commenting", title="ontosync: input")
        return False


def make_parent_dirs(inputs: ActionInputs) -> list[Path]:
    """Create the folders the database, checkpoint and report go in (inside the workspace only)."""
    created: list[Path] = []
    for path in (inputs.database, inputs.checkpoint, inputs.report):
        parent = path.parent
        try:
            parent.relative_to(inputs.workspace)
        except ValueError:
            continue
        missing = []
        while parent != inputs.workspace and not parent.exists():
            missing.append(parent)
            parent = parent.parent
        for folder in reversed(missing):
            try:
                folder.mkdir(exist_ok=True)
                created.append(folder)
            except OSError:
                break
    return created


def hand_over_files(inputs: ActionInputs, folders: Sequence[Path] = ()) -> None:
    """Make the files the run wrote usable by the job's later steps.

    The container runs as root, the runner's later steps as the workspace's owner: give that owner
    the database, its -wal/-shm and .lock, the checkpoint and the report, and make them readable (the
    checkpoint and report are written through private temp files, mode 0600).
    """
    try:
        ws = os.stat(inputs.workspace)
    except OSError:
        return
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    db = inputs.database
    for path in (*folders, db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"),
                 db.with_name(db.name + ".lock"), inputs.checkpoint, inputs.report):
        try:
            st = os.stat(path)
            if as_root and (st.st_uid, st.st_gid) != (ws.st_uid, ws.st_gid):
                os.chown(path, ws.st_uid, ws.st_gid)
            wanted = 0o755 if stat.S_ISDIR(st.st_mode) else 0o644
            if st.st_mode & wanted != wanted:
                os.chmod(path, (st.st_mode | wanted) & 0o7777)
        except OSError:
            continue


def finish(cmd: Commands, env: Mapping[str, str], inputs: ActionInputs | None,
           report: Mapping[str, Any] | None, code: int, reason: str,
           changes: tuple[dict | None, str, str] | None = None) -> None:
    """Outputs, job summary and per-file annotations, whatever the outcome.

    `changes`: (the change JSON or None, its path, a note on the base), from action/changes.py."""
    paths = {}
    if inputs is not None:
        paths = {"database": mask(inputs.database_url) or inputs.relative(inputs.database),
                 "checkpoint": inputs.relative(inputs.checkpoint),
                 "report": inputs.relative(inputs.report) if report is not None else ""}
    shown = shown_source(env, inputs)
    outputs = outputs_from_report(report, paths)
    opening = ""
    if changes is not None and changes[0] is not None:
        outputs.update(change_report.outputs(changes[0], changes[1]))
        opening = change_report.summary_section(changes[0], changes[1], changes[2], failed_note(report, code))
    output_file = env.get("GITHUB_OUTPUT")
    with cmd.group("ontosync: outputs"):
        for name, value in outputs.items():
            cmd.line(f"{name}={value}")
        if output_file:
            try:
                write_outputs(output_file, outputs)
            except OSError as exc:
                cmd.warning(f"cannot write the step outputs to GITHUB_OUTPUT: {exc}")
    summary_file = env.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as fh:
                fh.write(fit_summary(opening, summary_markdown(report, code, {**paths, **shown}, reason) + "\n"))
        except OSError as exc:
            cmd.warning(f"cannot write the job summary: {exc}")
    if report is not None:
        annotate_failures(cmd, report, link_files=links_files(env, shown))
        annotate_revision(cmd, report)


def in_checkout(text: str, inputs: ActionInputs) -> str:
    """`text` with the container's paths as the checkout's: relative, and the workspace itself `.`
    (the container's /github/workspace is no path on the runner nor in the repository)."""
    if len(inputs.workspace.parts) < 2:  # (`/`: every path would be mangled)
        return text
    return text.replace(f"{inputs.workspace}{os.sep}", "").replace(str(inputs.workspace), ".")
