"""The composite Action's sync step: start ontosync's image as the runner starts a Docker action.

Why a composite action runs a container itself: one `uses:` line should also upload the database,
checkpoint and report as an artifact (with `if: always()`, so a failed run keeps its checkpoint),
and only a composite action can hold a second step (actions/upload-artifact). A composite step
cannot `uses:` a Dockerfile from the action's own folder, though, so this step does what the
runner does for `runs.using: docker`: build the Dockerfile (`main`, `uses: ./`) or pull the
published image by digest (a release; .ci/pin_image.py writes the reference), then `docker run`
with the workspace at /github/workspace, every input as INPUT_<NAME>, the GITHUB_*/RUNNER_*/
ACTIONS_* variables, the file-command files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) mounted, and the
event payload (GITHUB_EVENT_PATH) mounted read-only.

Run by the runner's own python3 on the host, so standard library only. Values travel in the
environment (`docker run -e NAME` without a value), so the token never appears on a command line.
Environment: ONTOSYNC_INPUTS (`toJSON(inputs)`), ONTOSYNC_ACTION_IMAGE (`Dockerfile` or
`docker://REF`), GITHUB_ACTION_PATH, GITHUB_WORKSPACE, GITHUB_OUTPUT; for machines without the
default bridge network or registry (tests here): ONTOSYNC_DOCKER_NETWORK, ONTOSYNC_DOCKER_BUILD_ARGS.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath

WORKSPACE = "/github/workspace"
FILE_COMMANDS = ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE")
# Files the runner gives to read: the event payload (a pull request's number, base and head) lives
# in the runner's temp folder, outside the workspace. Passed as the host's path, it named no file in
# the container: every pull_request run synced as a push, with no comparison and no comment.
READ_ONLY_FILES = ("GITHUB_EVENT_PATH",)
PASSED_PREFIXES = ("GITHUB_", "RUNNER_", "ACTIONS_")
PASSED_NAMES = ("CI",)
# the Action's booleans (inputs.py too); an empty one means its action.yml default, as `pr-comment: ""`
# always did: `upload-artifact: ${{ inputs.upload }}` on a push (no such input: "") uploaded nothing
TRUE, FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}
# what actions/upload-artifact refuses in a name (@actions/artifact's validateArtifactName)
NAME_REFUSES = '":<>|*?\r\n\\/'
KILLED = 128 + 9  # `docker run`'s exit for a container ended by SIGKILL (the OOM killer's signal)
NOT_STARTED = (125, 126, 127)  # `docker run`'s own failures: the daemon's, a command it cannot run or find
CANCELLED: list[int] = []  # the signals of a cancelled job this step got (cancels_passed_on)
RUNNING: list[subprocess.Popen] = []  # the docker command running, to which a cancel is passed on


def artifact_paths(inputs: dict[str, str]) -> list[str]:
    """Database, checkpoint and report, relative to the workspace, as the Action names them (its
    inputs stripped, as the sync step strips them: a final newline from a YAML `|` block must not
    split one path into two lines of the upload's list). An empty `report` is the default the sync
    writes: left out, a PostgreSQL database's list was empty, and the upload step fell back to the
    `database` input, the server's URL."""
    def given(name: str) -> str:
        return (inputs.get(name) or "").strip()

    database = given("database") or "ontology.db"
    report = given("report") or "ontosync-report.json"  # what an empty one means to the sync (action.yml)
    if database.lower().startswith(("postgresql://", "postgres://")):  # a server: only the report to upload
        return [p for p in (given("checkpoint"), report) if p]
    checkpoint = given("checkpoint") or f"{database}.checkpoint.json"
    return [database, checkpoint, report]


def upload_name(inputs: Mapping[str, str], environ: Mapping[str, str]) -> str:
    """The name the upload step gives the artifact: `artifact-name` stripped (a YAML block's final
    newline made upload-artifact refuse the name: nothing uploaded), empty meaning its default.

    A `pull_request_target` run, a `workflow_run` run that a pull request's run triggered, and an
    `issue_comment` run on a pull request are, for GitHub, runs of the base (default) branch:
    uploaded under `artifact-name`, the database of a workflow that checked out the pull request's
    head became that branch's newest artifact, and the next push started from an unmerged pull
    request's content. Such a run uploads under `NAME-pr-N` (`NAME-pr` when N is not told), which
    no restore of NAME takes."""
    name = (inputs.get("artifact-name") or "").strip() or "ontology-db"
    of_pr, number = pull_request_of(environ.get("GITHUB_EVENT_NAME"), environ)
    if not of_pr:
        return name
    return f"{name}-pr-{number}" if number is not None else f"{name}-pr"


def event_payload(environ: Mapping[str, str]) -> object:
    """The event's payload (the JSON file GITHUB_EVENT_PATH names), None when it cannot be read."""
    try:
        with open(environ.get("GITHUB_EVENT_PATH") or "", encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def pull_request_of(event: str | None, environ: Mapping[str, str]) -> tuple[bool, int | None]:
    """(whether a run of the base branch is a pull request's, its number when the payload tells it).
    An unreadable `pull_request_target` payload is still a pull request's; a `workflow_run` one is
    not known to be."""
    if event not in ("pull_request_target", "workflow_run", "issue_comment"):
        return False, None
    payload = event_payload(environ)
    if event == "pull_request_target":
        return True, _number(payload, "pull_request", "number")
    if event == "issue_comment":  # a command in a pull request's conversation (ChatOps), not an issue's
        issue = payload.get("issue") if isinstance(payload, dict) else None
        return (True, _number(issue, "number")) if isinstance(issue, dict) and issue.get("pull_request") \
            else (False, None)
    run = payload.get("workflow_run") if isinstance(payload, dict) else None
    if not isinstance(run, dict) or run.get("event") not in ("pull_request", "pull_request_target"):
        return False, None
    prs = run.get("pull_requests")  # empty for a fork's pull request
    return True, _number(prs[0] if isinstance(prs, list) and prs else None, "number")


def _number(data: object, *keys: str) -> int | None:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    try:
        return int(data) if isinstance(data, (int, str)) else None
    except ValueError:
        return None


def name_refused(name: str) -> str:
    """The first character of `name` that upload-artifact refuses in an artifact's name, as Python
    writes it (`'/'`), "" when none: the sync step refuses such an input before syncing
    (action/inputs.py), rather than the upload step failing after it with the database unsaved."""
    return next((repr(ch) for ch in name if ch in NAME_REFUSES), "")


def bool_word(value: str | None, default: str = "true") -> str:
    """An Action boolean's word, lower-cased; empty: its action.yml default (see TRUE above)."""
    return (value or "").strip().lower() or default


def uploads(value: str | None) -> bool:
    """`upload-artifact` read as the sync step reads its booleans (`yes`, `on`, `TRUE` too); empty:
    its default (true). The one reading of it: the upload step's `if:`, the artifact's name in the
    comment and the names' check all agree."""
    return bool_word(value) in TRUE


def upload_wanted(value: str | None) -> bool:
    """`uploads` for the upload step's `if:`, which could only compare the raw input with 'true'.
    Anything but a boolean: a warning, and no upload."""
    if bool_word(value) not in TRUE | FALSE:
        print(f"::warning::ontosync: input 'upload-artifact' must be true or false, not {value.strip()!r}; "
              "nothing is uploaded", flush=True)
    return uploads(value)


def retention_days(value: str | None) -> str:
    """`artifact-retention-days` for the upload step: a whole number from 1 to 90, else "" (the
    repository's setting) and a warning. Passed as written, `abc` failed the upload step after the
    sync ("Invalid retention-days"): nothing uploaded, and the next run started from scratch."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        days = int(text)  # as the other whole-number inputs read (`1_0`, `١٠`), as `--workers` does
    except ValueError:
        days = 0
    if 1 <= days <= 90:
        return str(days)  # ASCII digits, which upload-artifact reads
    print(f"::warning::ontosync: input 'artifact-retention-days' must be a whole number from 1 to 90, not "
          f"{text!r}; the artifact is kept for the repository's setting", flush=True)
    return ""


def write_output(outputs: dict[str, list[str]]) -> None:
    """(Multi-line) step outputs, so the upload step has its paths and name even when the sync fails."""
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        return
    text = ""
    for name, lines in outputs.items():
        delimiter = f"ontosync_{uuid.uuid4().hex}"
        text += f"{name}<<{delimiter}\n" + "".join(f"{line}\n" for line in lines) + f"{delimiter}\n"
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:  # the sync still runs; only the upload step's inputs are missing
        print(f"::warning::ontosync: cannot write the step outputs {', '.join(outputs)} to GITHUB_OUTPUT: "
              f"{exc.strerror or type(exc).__name__}", flush=True)


def not_run(why: str) -> None:
    """The job summary when the sync never started (no image: the container, which writes the summary
    and updates a pull request's comment, never ran). Unsaid, the summary was empty and the pull
    request's comment went on showing an earlier push's figures as this push's: both said here."""
    write_summary(f"## ontosync: not run\n\n{why}: nothing was synced, restored or compared.\n")


def write_summary(text: str) -> None:
    """`text` in the job summary, for a step whose container wrote none (not_run, out_of_memory); on
    a pull request, that its comment was not updated (it shows an earlier push's figures)."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    if os.environ.get("GITHUB_EVENT_NAME") in ("pull_request", "pull_request_target"):
        text += "\nThe pull request's ontosync comment, if any, was not updated: its figures are an earlier push's.\n"
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        print(f"::warning::ontosync: cannot write the job summary: {exc.strerror or type(exc).__name__}", flush=True)


def docker(*args: str, env: dict[str, str] | None = None) -> int:
    seen = len(CANCELLED)
    try:
        proc = subprocess.Popen(["docker", *args], env=env)
    except FileNotFoundError:
        print("::error::ontosync: the docker command is not installed on this runner (the Action needs "
              "a Linux runner with Docker)", flush=True)
        return 127
    RUNNING.append(proc)
    try:
        if len(CANCELLED) > seen:  # (a cancel as it started: passed on all the same)
            _pass(proc, CANCELLED[-1])
        return proc.wait()
    finally:
        RUNNING.remove(proc)


@contextlib.contextmanager
def cancels_passed_on() -> Iterator[None]:
    """For the whole step: a cancelled job's SIGINT (then SIGTERM) is sent to this step's entry
    process alone; it is passed on to the docker command running (`docker run` proxies it to the
    container, whose sync stops with its checkpoint saved) and waited for, and counted (CANCELLED):
    no container starts after it. Why: the step died of a KeyboardInterrupt traceback and killed
    `docker run`, which left the container running, writing the database while the `if: always()`
    step uploaded it; and, passed on only while a docker command ran, a cancel during an image build
    that ended well all the same started the container, the cancelled job's whole sync run."""
    def pass_on(signum: int, _frame: object) -> None:
        CANCELLED.append(signum)
        for proc in RUNNING:
            _pass(proc, signum)

    old = {signum: signal.signal(signum, pass_on) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)


def _pass(proc: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(OSError):
        proc.send_signal(signum)


def prepare_image(reference: str, action_path: str, network: str | None) -> str | None:
    """The image to run: built from the action's Dockerfile, or pulled (a digest already present is
    not pulled again: it cannot have changed). None when that failed (docker said why)."""
    print("::group::ontosync image", flush=True)
    try:
        if reference.strip() in ("", "Dockerfile"):
            tag = f"ontosync-action:{uuid.uuid4().hex[:12]}"
            args = ["build", "-t", tag, *shlex.split(os.environ.get("ONTOSYNC_DOCKER_BUILD_ARGS", ""))]
            if network:
                args += ["--network", network]
            return tag if docker(*args, action_path) == 0 else None
        image = reference.removeprefix("docker://")
        if "@sha256:" in image and docker("image", "inspect", "--format", "{{.Id}}", image) == 0:
            return image
        return image if docker("pull", image) == 0 else None
    finally:
        print("::endgroup::", flush=True)


def container_env(inputs: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The environment for `docker run` and the -v mounts for the file-command files."""
    env = {k: v for k, v in os.environ.items() if k.startswith(PASSED_PREFIXES) or k in PASSED_NAMES}
    mounts: list[str] = []
    folders: dict[str, str] = {}
    for name in (*FILE_COMMANDS, *READ_ONLY_FILES):
        path = os.environ.get(name)
        if not path or (name in READ_ONLY_FILES and not os.path.isfile(path)):
            continue  # (a missing file's folder would be created on the host by `docker run -v`)
        host_dir, file_name = os.path.split(os.path.abspath(path))
        if host_dir not in folders:
            folders[host_dir] = f"/github/file_commands/{len(folders)}"
            mode = ":ro" if name in READ_ONLY_FILES else ""
            mounts += ["-v", f"{host_dir}:{folders[host_dir]}{mode}"]
        env[name] = str(PurePosixPath(folders[host_dir]) / file_name)
    # an input naming the runner's path of the checkout (`${{ github.workspace }}/x.db`) is taken as
    # /github/workspace's (action/inputs.py): written elsewhere, the file was lost with the container
    env["ONTOSYNC_RUNNER_WORKSPACE"] = os.path.abspath(os.environ.get("GITHUB_WORKSPACE") or ".")
    env["GITHUB_WORKSPACE"] = WORKSPACE
    env.pop("GITHUB_ACTION_PATH", None)
    for name, value in inputs.items():
        env[f"INPUT_{name.upper()}"] = "" if value is None else str(value)
    return env, mounts


def main() -> int:
    with cancels_passed_on():
        return _main()


def _main() -> int:
    try:
        inputs = json.loads(os.environ.get("ONTOSYNC_INPUTS") or "{}")
    except ValueError:
        print("::error::ontosync: ONTOSYNC_INPUTS is not JSON", flush=True)
        not_run("The Action's inputs (ONTOSYNC_INPUTS) are not JSON")
        return 2
    inputs = {str(k): ("" if v is None else str(v)) for k, v in inputs.items()}
    name = upload_name(inputs, os.environ)
    # a name upload-artifact refuses: the sync step refuses the input (no second error from the upload)
    upload = upload_wanted(inputs.get("upload-artifact")) and not name_refused(name)
    write_output({"artifact-paths": artifact_paths(inputs), "artifact-name": [name],
                  "upload-artifact": ["true" if upload else "false"],  # no upload: no word on its retention
                  "artifact-retention-days": [retention_days(inputs.get("artifact-retention-days")) if upload else ""]})
    network = os.environ.get("ONTOSYNC_DOCKER_NETWORK") or None
    image = prepare_image(os.environ.get("ONTOSYNC_ACTION_IMAGE", "Dockerfile"),
                          os.environ.get("GITHUB_ACTION_PATH") or ".", network)
    if image is None or CANCELLED:  # (a build cancelled may end well all the same: no container after it)
        if image is not None and reference_is_local_build(image):
            docker("image", "rm", "-f", image)
        return no_image()
    env, mounts = container_env(inputs)
    workspace = os.path.abspath(os.environ.get("GITHUB_WORKSPACE") or ".")
    args = ["run", "--rm", "--workdir", WORKSPACE, "-v", f"{workspace}:{WORKSPACE}", *mounts]
    if network:
        args += ["--network", network]
    for name in sorted(env):
        args += ["-e", name]  # the value comes from the environment below, never the command line
    code = docker(*args, image, env={**os.environ, **env})
    say_unsaid(code, inputs)
    if reference_is_local_build(image):
        docker("image", "rm", "-f", image)
    return code


def no_image() -> int:
    """The step's end when no image could be had: a cancel's (130), else docker's failure (2)."""
    if CANCELLED:
        print("::error::ontosync: the job was cancelled while the Action's image was being prepared", flush=True)
        not_run("The job was cancelled while the Action's image was being prepared")
        return 130
    print("::error::ontosync: the Action's image could not be built or pulled (see the log above)", flush=True)
    not_run("The Action's image could not be built or pulled (see the step's log)")
    return 2


def say_unsaid(code: int, inputs: Mapping[str, str]) -> None:
    """The annotation and summary of a `docker run` whose container could say nothing itself: killed
    (out_of_memory), or never started (docker said why on stderr). Not after a cancel, whose last
    resort is SIGKILL too, not for want of memory."""
    if CANCELLED:
        return
    if code == KILLED:
        out_of_memory(inputs)
    elif code in NOT_STARTED:
        print(f"::error::ontosync: docker could not start the Action's container (exit {code}; docker's message "
              "is above)", flush=True)
        not_run(f"Docker could not start the Action's container (exit {code}; its message is in the step's log)")


def out_of_memory(inputs: Mapping[str, str]) -> None:
    """The container ended by SIGKILL (`docker run`'s 137), what the kernel's out-of-memory killer
    does: it wrote no summary nor annotation, and the step's failure was unexplained. Said once,
    naming memory and the inputs that lower it (the workers parse files at once, each file whole)."""
    workers = (inputs.get("workers") or "").strip()
    shown = f" ({workers} here)" if workers.isdigit() else ""
    why = (f"the sync's container was killed (exit {KILLED}: SIGKILL), as the out-of-memory killer does when the "
           f"runner's memory runs out: lower the input 'workers'{shown} (files parsed at once) or 'max-file-size' "
           "(larger files are failed unread), or use a runner with more memory")
    print(f"::error title=ontosync%3A out of memory::{why}", flush=True)
    write_summary(f"## ontosync: out of memory\n\n{why[0].upper()}{why[1:]}.\n")


def reference_is_local_build(image: str) -> bool:
    return image.startswith("ontosync-action:")


if __name__ == "__main__":
    sys.exit(main())
