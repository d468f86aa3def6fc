"""Pull requests: sync the PR's tree into a copy of the base branch's database, then keep ONE comment
on the pull request saying what changed, updated in place on later pushes.

The base database: the newest `restore-artifact` artifact of the base branch when there is one,
brought to the base commit (or an empty database without one) by syncing the base commit into it,
from the checkout's git history when git and that commit are there, else through the GitHub API
(`github:OWNER/REPO@BASE_SHA`). The comment is found again by a hidden marker, and only among
comments the token's own account wrote (ontosync/action/comment_owner.py), so a person's comment
quoting the marker is never overwritten. A token that may not comment (pull requests from forks get
a read-only one) gives a warning: the step does not fail, the job summary still has the changes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ontosync.action import changes as change_report
from ontosync.action.artifacts import with_retries
from ontosync.action.base_config import CONFIG_FILE, Unread, api_settings, fetcher, tree_settings
from ontosync.action.commands import Commands
from ontosync.action.comment_calls import refusal
from ontosync.action.comment_owner import find_ours, listed
from ontosync.action.inputs import ActionInputs
from ontosync.action.restore import STALE_SIDE_FILES, restore
from ontosync.console import counted
from ontosync.diff_format import MAX_NOTE, md, md_iri, md_whole, row_count, shown_rows, to_markdown, utf8_size
from ontosync.pipeline.checkpoint import Checkpoint
from ontosync.sources.github_http import NETWORK_ERRORS, limit_of, scrubbed

COMMENT_LIMIT = 65_536  # GitHub refuses a longer comment body
COMMENT_BUDGET = 60_000  # what we aim for, leaving room for the header and footer
MARKER = "<!-- ontosync:changes {key} -->"
SHA_RE = re.compile(r"^[0-9a-f]{7,64}$")
REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
Sync = Callable[[list[str], str, str | None], int]  # (argv, revision to report, its GITHUB_WORKSPACE) -> exit code


@dataclass(frozen=True)
class PullRequest:
    number: int
    repo: str
    base_sha: str
    base_ref: str
    head_sha: str


def read_event(env: Mapping[str, str], cmd: Commands | None = None) -> PullRequest | None:
    """The pull request of a `pull_request` / `pull_request_target` event, else None. A pull-request
    event whose payload cannot be used runs as a push would: `cmd` gets a warning saying so, since
    the comment the user expects will not come."""
    event = env.get("GITHUB_EVENT_NAME")
    if event not in ("pull_request", "pull_request_target"):
        return None
    try:
        with open(env.get("GITHUB_EVENT_PATH") or "", encoding="utf-8") as fh:
            payload = json.load(fh)
        pr = payload["pull_request"]
        base, head = pr["base"], pr["head"]
        repo = (base.get("repo") or {}).get("full_name") or env.get("GITHUB_REPOSITORY", "")
        found = PullRequest(int(pr["number"]), str(repo), str(base["sha"]), str(base.get("ref") or ""),
                            str(head["sha"]))
        why = "" if SHA_RE.match(found.base_sha) and SHA_RE.match(found.head_sha) and REPO_RE.match(found.repo) \
            else "its base or head commit or repository is malformed"
    except OSError as exc:
        why = f"it cannot be read ({exc.strerror or type(exc).__name__})"
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        why = f"it is not a pull request's payload ({type(exc).__name__})"
    if not why:
        return found
    if cmd is not None:
        cmd.warning(f"a {event} event, but its payload (GITHUB_EVENT_PATH) is of no use: {why}; syncing as on a "
                    "push: no comparison with the base branch and no comment", title="ontosync: pull request")
    return None


# -- the base database ----------------------------------------------------------------------------

def prepare_base(cmd: Commands, inputs: ActionInputs, pr: PullRequest, sync: Sync) -> str | None:
    """Put the base branch's database at `inputs.database`; says where it came from, None on failure.

    A restored artifact may be older than the base commit (the base branch moved on since that run):
    the base commit is synced into it too, which parses only the files that differ.
    """
    db = inputs.database
    for path in (db, *(db.with_name(db.name + suffix) for suffix in STALE_SIDE_FILES), inputs.checkpoint):
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
            path.unlink()  # whatever was there is not the base branch's database
    restored = restore(cmd, inputs, branch=pr.base_ref or None) if inputs.restore_artifact else None
    # (the default branch's when the base branch has none yet: action/restore.py)
    artifact = f"the newest {inputs.restore_artifact!r} artifact of the " + \
        ("base branch" if restored is None or restored.head_branch == pr.base_ref else "default branch")
    code, where, whole = _sync_base_commit(cmd, inputs, pr, sync)
    if code in (0, 1) and whole:
        return f"{artifact}, brought to the base commit" if restored else where
    if restored and code not in (0, 1):  # which commit the figures start from: the artifact's, not the base's
        at = f"commit {restored.head_sha[:12]}" if restored.head_sha else "an unknown commit"
        cmd.warning(f"the base commit {pr.base_sha[:12]} could not be synced into the restored database "
                    f"(exit {code}): comparing with the artifact as it is, synced at {at}",
                    title="ontosync: pull request")
        return f"{artifact}, synced at {at} (the base commit {pr.base_sha[:12]} could not be synced into it)"
    # exit 1 of a sync GitHub stopped (a rate limit, GitHub down): the base's unfetched files passed
    # for the pull request's, under "compared with the base commit"
    how = f"could not be synced (exit {code})" if code not in (0, 1) else \
        "was synced only in part (GitHub stopped its sync, see the log)"
    cmd.warning(f"the base commit {pr.base_sha[:12]} {how}: no comparison with the base branch, so no change "
                "figures (outputs, summary) and no new pull-request comment", title="ontosync: pull request")
    for path in (db, inputs.checkpoint):
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
            path.unlink()
    return None


def _sync_base_commit(cmd: Commands, inputs: ActionInputs, pr: PullRequest,
                      sync: Sync) -> tuple[int, str, bool]:
    """Sync the base commit into the database: from the checkout's history, else through the API.
    (exit code, where from, whether the sync went to its end: its checkpoint says `finished`)."""
    with tempfile.TemporaryDirectory(prefix="ontosync-base-") as tmp:
        checkpoint = Path(tmp) / "base.checkpoint.json"
        tree = git_tree(inputs.workspace, pr.base_sha, Path(tmp) / "tree", inputs.path)  # (its submodules)
        flags = [f for f in inputs.flags if f != "--full"]
        common = ["--db", str(inputs.database), "--checkpoint", str(checkpoint), "--quiet"]
        if tree is not None:
            cmd.line(f"syncing the base commit {pr.base_sha[:12]} from the checkout's git history")
            settings = tree_settings(flags, inputs, tree, Path(tmp))
            code = sync(["sync", str(tree), *common, *settings.flags], pr.base_sha, None)
            where = "the base commit, from the checkout's git history"
        else:
            cmd.line(f"syncing the base commit {pr.base_sha[:12]} through the GitHub API")
            api = [] if "--api-url" in flags else ["--api-url", inputs.api_url]
            try:
                settings = api_settings(flags, inputs, (pr.base_sha, pr.head_sha), Path(tmp),
                                        fetcher(pr.repo, inputs.token, inputs.api_url))
            except Unread as exc:
                shown = inputs.relative(inputs.config) if inputs.config else CONFIG_FILE
                cmd.warning(f"the base commit's configuration file {shown} could not be read through the GitHub "
                            f"API ({exc}): the base is not synced with other settings than its own",
                            title="ontosync: pull request")
                return 2, "", False
            code = sync(["sync", f"github:{pr.repo}@{pr.base_sha}", *common, *settings.flags, *api], pr.base_sha,
                        settings.workspace)
            where = "the base commit, through the GitHub API"
        ended = Checkpoint.load(checkpoint)
        return code, where, ended is not None and ended.finished


def git_tree(workspace: Path, sha: str, dest: Path, folder: str = "") -> Path | None:
    """The files of commit `sha` from the checkout's history (git archive), or None without git
    or without that commit (a shallow checkout). `folder` (the synced `path`) in a submodule: git
    archive leaves the submodule an empty folder (a gitlink), and the base synced from it was
    empty, the whole ontology shown as the pull request's change; its files are the commit the
    gitlink names, from the submodule's own history (None when it does not hold it)."""
    git = shutil.which("git")
    if git is None or not (workspace / ".git").exists():
        return None
    try:
        if not _archive(_git(git, workspace), sha, dest) or not _submodule_files(git, workspace, sha, dest, folder):
            return None
    except (OSError, subprocess.SubprocessError, tarfile.TarError):
        return None
    return dest


def _git(git: str, repository: Path) -> list[str]:
    return [git, "-c", "safe.directory=*", "-C", str(repository)]


def _archive(base: list[str], sha: str, dest: Path) -> bool:
    """Extract commit `sha` of the repository `base` runs git in into `dest`; False without it."""
    probe = subprocess.run([*base, "cat-file", "-e", f"{sha}^{{commit}}"], capture_output=True, timeout=60)
    if probe.returncode != 0:
        return False
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as archive:
        if subprocess.run([*base, "archive", "--format=tar", sha], stdout=archive, timeout=600).returncode != 0:
            return False
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(dest, filter="data")
    return True


def _submodule_files(git: str, workspace: Path, sha: str, dest: Path, folder: str) -> bool:
    """Fill the submodules on the way to `folder` in the extracted tree `dest` (git_tree); False
    when one's commit cannot be had. Only a submodule checked out inside the workspace, reached
    through no link, is read."""
    parts, base, at, done = Path(folder).parts, _git(git, workspace), sha, 0
    top = Path(os.path.realpath(workspace))
    for depth in range(1, len(parts) + 1):
        target = dest.joinpath(*parts[:depth])
        if not target.is_dir() or any(target.iterdir()):
            continue  # files, or no folder at the base (the sync says so)
        listed = subprocess.run([*base, "ls-tree", at, "--", "/".join(parts[done:depth])], capture_output=True,
                                text=True, timeout=60).stdout.split()
        if listed[:2] != ["160000", "commit"]:  # an empty folder, not a gitlink
            continue
        checkout = workspace.joinpath(*parts[:depth])
        if Path(os.path.realpath(checkout)) != top.joinpath(*parts[:depth]):
            return False
        base, at, done = _git(git, checkout), listed[2], depth
        if not _archive(base, at, target):
            return False
    return True


# -- the comment ----------------------------------------------------------------------------------

def summary_url(env: Mapping[str, str]) -> str:
    server = (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
    repo, run = env.get("GITHUB_REPOSITORY", ""), env.get("GITHUB_RUN_ID", "")
    if not (REPO_RE.match(repo) and run.isdigit() and re.match(r"^https?://[\w.:-]+$", server)):
        return ""
    return f"{server}/{repo}/actions/runs/{run}"


def _head(key: str) -> list[str]:
    """The marker and title every body of our comment starts with."""
    return [MARKER.format(key=key.replace("--", "")), "## ontosync: ontology changes in this pull request", ""]


def _foot(link: str) -> list[str]:
    return ["", "<sub>One comment per pull request, updated on every push by the ontosync Action"
            + (f" · [run summary]({link})" if link else "") + ".</sub>"]


def comment_body(data: dict, pr: PullRequest, base_note: str, link: str, key: str, failed: str = "",
                 artifact: str = "") -> str:
    """`key`: the database's path as the workflow names it; `artifact`: the name it is uploaded
    under ("" when it is not), for the command that gives what the comment and summary leave out."""
    head = [*_head(key),
            f"Compared with {md(pr.base_ref or 'the base branch')} at {md_iri(pr.base_sha[:12])} "
            f"({md(base_note, MAX_NOTE)}); head {md_iri(pr.head_sha[:12])}.", ""]
    foot = _foot(link)
    room = COMMENT_BUDGET - sum(len(x) + 1 for x in head + foot)
    where = _elsewhere(data, link, failed, _all_of_it(data, key, artifact))
    changes = to_markdown(data, budget=room, more=where, note=failed)
    text = "\n".join(head) + "\n" + changes + "\n".join(foot) + "\n"
    if len(text) >= COMMENT_LIMIT:  # cannot happen with the budget; a last guard all the same
        text = text[: COMMENT_BUDGET].rsplit("\n", 1)[0] + "\n\n…cut" + (f": see [the run summary]({link})" if link
                                                                        else "") + "\n"
    return text


def _all_of_it(data: dict, db: str, artifact: str) -> str:
    """Where every row of the change is, outside the job: the diff command on the uploaded database
    (the runs after the base's revision), else the step's output, which the workflow may keep."""
    if not artifact:
        return "the step's `changes` output (a JSON file) holds them all"
    base, head = data.get("base") or {}, data.get("head") or {}
    selection = f"--since {base['revision'][:12]}" if base.get("revision") else f"--run {head.get('run')}"
    command = md_whole(f"ontosync diff --db {shlex.quote(db)} {selection}")
    if command is None:  # a path too long or too odd to show whole: the command without it
        return (f"{md_iri(f'ontosync diff {selection}', in_table=False)} with `--db` naming the database of the "
                f"run's {md(artifact, 100)} artifact gives them all")
    return f"{command} on the database of the run's {md(artifact, 100)} artifact gives them all"


def _elsewhere(data: dict, link: str, failed: str, everything: str) -> Callable[[int], str]:
    """The comment's line for the rows it leaves out, saying literally what the run's summary holds
    of them (its part of the 1 MiB holds some hundreds of rows: not always "the full list")."""
    summary = f"[the run's summary]({link})" if link else "the run's summary"

    def line(left_out: int) -> str:  # called only when the comment leaves rows out: fitted then
        total = row_count(data)
        in_summary = shown_rows(data, change_report.SUMMARY_BUDGET, title=change_report.SUMMARY_TITLE, note=failed,
                                measure=utf8_size)
        more = f"…and {counted(left_out, 'more row')} not shown here"
        if in_summary >= total:
            return f"{more}; {summary} has all {total}."
        return f"{more}; {summary} has the first {in_summary} of the {total} rows, and {everything}."
    return line


def failure_body(pr: PullRequest, why: str, link: str, key: str) -> str:
    """The comment when this push's changes could not be computed (the head's sync failed, or the
    base could not be prepared). Why: the comment would otherwise go on showing an earlier push's
    figures as this pull request's; `why` is the sync's own words, escaped (it names user files)."""
    return "\n".join([
        *_head(key), f"The changes of head {md_iri(pr.head_sha[:12])} could not be computed: {md(why, 2000)}", "",
        "The figures of an earlier push no longer apply; the next push that syncs brings them back.", *_foot(link), ""])


def _edited(comment, body: str) -> bool:
    """Edit our comment; False when it is gone (deleted since it was listed: 404, or 410), so that a
    new one is posted instead of a warning that blames the token."""
    from github import GithubException

    try:
        comment.edit(body)
    except GithubException as exc:
        if exc.status in (404, 410):
            return False
        raise
    return True


def _supersede(others: list, kept: str, key: str) -> None:
    """Our other comments (two runs racing each posted one) point at the one kept up to date instead
    of showing an earlier push's figures. They keep the marker: if the kept one is deleted, the
    next run updates one of them in its place."""
    note = "\n".join([*_head(key), f"Superseded: this pull request's changes are in [this comment]({kept}).", ""])
    for other in others:
        if other.body != note:
            _edited(other, note)


def _head_now(repo, pr: PullRequest) -> str | None:
    """The pull request's head commit when a later push moved it past this run's: that push's run
    writes the comment, with the newer figures (a slower run of an older push wrote its figures over
    them); None when it is this run's, or cannot be told: refused (a token that may not read it) or
    an answer without it, and the comment is written as before."""
    from github import GithubException

    try:
        raw = repo.get_pull(pr.number).raw_data
    except GithubException as exc:
        if exc.status in (403, 404, 410) and limit_of(exc) is None:  # a rate limit: waited out (with_retries)
            return None
        raise
    head = raw.get("head") if isinstance(raw, dict) else None  # (an answer without it: not told)
    now = head.get("sha") if isinstance(head, dict) else None
    return now if isinstance(now, str) and SHA_RE.match(now) and now != pr.head_sha else None


def _update_ours(ours: list, posted: set[int], text: tuple[str, str, str]) -> str | None:
    """Edit our comment (`ours`, from a fresh listing, oldest first; `text`: the body, the key, the
    token); its URL, None when there is none (or none left: deleted since). The others point at it,
    but one this run posted (`posted`: a try that failed after posting) is withdrawn."""
    body, key, token = text
    for i, mine in enumerate(ours):
        if _edited(mine, body):
            url = scrubbed(mine.html_url, token)  # it goes in our other comments too: posted
            # (one holding this very text is this run's too: a post GitHub stored, though it answered a 5xx)
            _keep_one(ours[i + 1:], posted | {c.id for c in ours[i + 1:] if c.body == body}, url, key)
            return url
    return None


def _keep_one(others: list, posted: set[int], kept: str, key: str) -> None:
    _supersede([c for c in others if c.id not in posted], kept, key)
    for mine in (c for c in others if c.id in posted):
        _withdraw(mine, kept, key)


def _older_kept(older: list, new, text: tuple[str, str, str], moved: bool) -> str | None:
    """After posting `new`, the comments listed again: an older one of ours (`older`) is a concurrent
    job's (another push's run) posted between our listing and our post, a window no listing before the
    post closes (two comments, one showing stale figures). The oldest is kept, updated in place (its
    URL is returned; left as it is when the head `moved` on: its run's figures are newer), and `new`
    withdrawn; None when `new` is the oldest, kept as posted (a newer one is its own job's to
    withdraw). Oldest by id, which GitHub gives in order of posting: every racing job keeps the same
    one, whatever its listing shows, so they end with one comment."""
    body, key, token = text
    for mine in older:
        if moved or _edited(mine, body):
            url = scrubbed(mine.html_url, token)
            _withdraw(new, url, key)
            return url
    return None


def _withdraw(comment, kept: str, key: str) -> None:
    """Delete our `comment` in favour of the one at `kept`; one that may not be deleted points at it."""
    from github import GithubException

    try:
        comment.delete()
    except GithubException as exc:
        if exc.status >= 500 or limit_of(exc) is not None:  # tried again (with_retries), not taken for a refusal
            raise
        if exc.status not in (404, 410):
            _supersede([comment], kept, key)


def post_comment(cmd: Commands, pr: PullRequest, body: str, key: str, token: str, api_url: str,
                 create: bool = True) -> bool:
    """Create (unless `create` is False: nothing to say yet) or update the one comment; a refusal is
    a warning. True when the comment is up to date. Without a token nothing is asked: no comment can
    be written, and the refusal's warning sent the user to check the permissions of a token never given."""
    import requests
    from github import GithubException

    from ontosync.action.artifacts import github_client

    if not token:
        cmd.warning(f"not commenting on pull request #{pr.number}: no token (the github-token input is empty); "
                    "see the job summary", title="ontosync: pull-request comment")
        return False
    marker = MARKER.format(key=key.replace("--", ""))
    gh = github_client(token or None, api_url)

    posted: set[int] = set()  # the comment this run posted, across tries: withdrawn, never kept as a note

    def exchange() -> str:
        """One try, from the listing: what to say when it worked."""
        repo = gh.get_repo(pr.repo)
        issue = repo.get_issue(pr.number)
        ours = find_ours(gh, listed(issue.get_comments()), marker)
        now = _head_now(repo, pr) if ours or create else None
        if now is not None and not ours:  # (that run had nothing to say, or has yet to say it)
            return f"no comment on pull request #{pr.number}: its head is now {now[:12]}, a later push's"
        if now is not None:  # a later push's run writes the comment
            _keep_one(ours[1:], posted, scrubbed(ours[0].html_url, token), key)
            return (f"left the comment on pull request #{pr.number} as it is: its head is now {now[:12]}, a later "
                    "push, whose run updates it")
        url = _update_ours(ours, posted, (body, key, token))
        if url is None and not create:
            return f"nothing new to say and no comment on pull request #{pr.number} yet: none posted"
        if url is None:  # posted, then listed again: a concurrent job's may have come first (_older_kept)
            new = issue.create_comment(body)
            posted.add(new.id)
            author = new.user.id if new.user is not None else None  # the token's account: no `GET /user`
            older = [c for c in find_ours(gh, listed(issue.get_comments()), marker, author) if c.id < new.id]
            now = _head_now(repo, pr) if older else None
            url = _older_kept(older, new, (body, key, token), now is not None)
            if url is None:
                return f"commented on pull request #{pr.number}: {scrubbed(new.html_url, token)}"
            if now is not None:
                return f"left the comment on pull request #{pr.number} as it is ({url}): its head is now {now[:12]}"
        return f"updated the comment on pull request #{pr.number}: {url}"

    try:
        cmd.line(with_retries(exchange))
        return True
    except GithubException as exc:
        cmd.warning(refusal(exc, pr.number, token), title="ontosync: pull-request comment")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # a 200 whose body is not what was asked
        cmd.warning(f"commenting on pull request #{pr.number} failed: GitHub's answer was not the JSON expected "
                    f"({type(exc).__name__}); the changes are in the job summary",
                    title="ontosync: pull-request comment")
    except (requests.RequestException, *NETWORK_ERRORS) as exc:
        cmd.warning(f"commenting on pull request #{pr.number} failed: {type(exc).__name__}; the changes are in "
                    "the job summary", title="ontosync: pull-request comment")
    finally:
        gh.close()
    return False
