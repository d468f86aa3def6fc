"""`restore-artifact`: start this run from the database and checkpoint an earlier run uploaded.

Any problem (no such artifact yet, only expired ones, API or download failure, a database that
fails its checks or is not ontosync's) is reported and the run goes on as a full sync: a missing
cache is not an error.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ontosync import __version__
from ontosync.action import artifacts
from ontosync.action.commands import Commands
from ontosync.action.inputs import ActionInputs
from ontosync.sources.github_http import scrubbed  # member names come from the server
from ontosync.store.integrity import database_problems
from ontosync.store.legacy import CURRENT, EMPTY, UNKNOWN
from ontosync.store.upgrade import UpgradeError, detect_shape, newer_migrations, prepare_database

# A merge queue's branch (GitHub's `merge_group` event): gh-readonly-queue/BASE/pr-NUMBER-HEAD_SHA
MERGE_QUEUE = re.compile(r"^refs/heads/gh-readonly-queue/(.+)/pr-\d+-[0-9a-f]{40,64}$")


def pushed_branch(env: Mapping[str, str]) -> str | None:
    """The branch this run is on (a push, a manual or scheduled run), whose own artifacts a restore
    takes: a pull request's run may upload its database under the same name, and starting from that
    one would make this run's change report relative to an unmerged pull request. A run on a tag
    (or another ref that is no branch) starts from the default branch's: with no branch to match,
    it took the newest of any branch, a pull request's run's too. A merge queue's run starts from
    its base branch's: its own branch is new for each group, so it never had an artifact, and each
    run was a full sync that reported the whole ontology as added. None outside a workflow."""
    ref = env.get("GITHUB_REF") or ""
    queued = MERGE_QUEUE.match(ref)
    if queued:
        return queued.group(1)
    if ref.startswith("refs/heads/"):
        return env.get("GITHUB_REF_NAME") or ref.removeprefix("refs/heads/")
    return artifacts.DEFAULT_BRANCH if ref else None


def schema_problems(db: Path, *, fetched: bool = False) -> list[str]:
    """Why the sync could not use `db` at all (another tool's SQLite database, or one a newer
    ontosync wrote: the Action pinned back to an older version), else []. Such a database passes
    the integrity checks; restored, the sync refuses it, and the failed run uploads it again for the
    next run to fail the same way. The artifact is only a cache of what the repository holds.
    `fetch-db` (`fetched`: its database is for an application, not a sync) refuses one with no
    tables too, and takes a newer ontosync's: the application reads it."""
    try:
        found = detect_shape(db)
        if found.shape == UNKNOWN or (found.shape == EMPTY and fetched):
            return [f"not a database ontosync can use: {found.reason}"]
        newer, newest = newer_migrations(db) if found.shape == CURRENT and not fetched else ([], 0)
    except (UpgradeError, sqlite3.Error) as exc:
        return [str(exc)]
    if not newer:
        return []
    return [f"written by a newer ontosync: it has migration(s) {', '.join(f'{v:03d}' for v in newer)}; this "
            f"ontosync {__version__} knows migrations up to {newest:03d} (is the Action pinned to an older version?)"]


def member_problems(db: Path, member: str, *, fetched: bool = False) -> list[str]:
    """database_problems and schema_problems of an artifact's database extracted to `db`, naming it
    `member` as the artifact holds it: "restored.db: file is not a database" named our temporary
    file, which the user never saw. `fetched`: fetch-db's rules (schema_problems)."""
    problems = database_problems(db) or schema_problems(db, fetched=fetched)
    return [problem.replace(db.name, member) for problem in problems]


Pick = Callable[[zipfile.ZipFile], "zipfile.ZipInfo | None"]  # the member wanted, None when none is


class NoMember(artifacts.ArtifactError):
    """The artifact holds no database (`names`: its first members, for the message)."""

    def __init__(self, names: str) -> None:
        super().__init__(names)
        self.names = names


class NoRoom(artifacts.ArtifactError):
    """The temporary folder could not take the download ($TMPDIR full, past `ulimit -f`): unsaid, a
    traceback ended the run (the message: the system's reason)."""


@dataclass(frozen=True)
class Downloaded:
    db: Path  # the database, extracted into the temporary folder
    member: str  # its name in the artifact (scrubbed of the token: it comes from the server)
    problems: list[str]  # member_problems: [] when it may be used
    checkpoint: tuple[Path, str] | None = None  # (extracted, member name): asked for, found, database passed


def download_database(info: artifacts.ArtifactInfo, token: str | None, tmp: Path, pick: Pick, *,
                      fetched: bool = False, checkpoint: Pick | None = None) -> Downloaded:
    """Download `info` into `tmp`, extract the database member `pick` chooses and check it
    (member_problems; `fetched`: fetch-db's rules), then the checkpoint member, if any. One path for
    the Action's restore and `fetch-db`, which had a near-copy each. Raises NoMember, NoRoom, or
    ArtifactError (its text scrubbed of the token: it may name a member)."""
    try:
        zip_path = artifacts.download_artifact(info, token, tmp / "artifact.zip")
        with artifacts.open_zip(zip_path) as zf:
            member = pick(zf)
            if member is None:
                raise NoMember(scrubbed(", ".join(m.filename for m in zf.infolist()[:10]), token))
            db = artifacts.extract_member(zf, member, tmp / "downloaded.db")
            name = scrubbed(member.filename, token)
            problems = member_problems(db, name, fetched=fetched)
            ck = checkpoint(zf) if checkpoint is not None and not problems else None
            extracted = (artifacts.extract_member(zf, ck, tmp / "downloaded.checkpoint.json"),
                         scrubbed(ck.filename, token)) if ck is not None else None
    except NoMember:
        raise
    except artifacts.ArtifactError as exc:
        raise artifacts.ArtifactError(scrubbed(str(exc), token)) from None
    except OSError as exc:
        raise NoRoom(exc.strerror or str(exc)) from None
    return Downloaded(db, name, problems, extracted)


def restore(cmd: Commands, inputs: ActionInputs, branch: str | None = None) -> artifacts.ArtifactInfo | None:
    """Download and unpack the artifact (the newest of `branch`, when given, else of the default
    branch when `branch` has none yet); the artifact when the database (and checkpoint) were restored.
    Why the default branch's: a new branch's first run started from nothing, and its figures showed
    the whole ontology as that push's change."""
    name = inputs.restore_artifact
    if inputs.database_url:  # (downloaded, it held no such file: "running a full sync", which it was not)
        cmd.notice(f"restore-artifact {name!r} not restored: a PostgreSQL database keeps its rows on the server, "
                   "and this sync starts from them")
        return None
    if not inputs.repository:
        cmd.warning(f"restore-artifact {name!r}: GITHUB_REPOSITORY is not set; running a full sync")
        return None
    try:
        info, expired = artifacts.find_newest_artifact(
            inputs.repository, name, inputs.token or None, inputs.api_url, branch=branch,
            fallback=artifacts.DEFAULT_BRANCH if branch is not None else None)
        if info is not None and branch not in (None, artifacts.DEFAULT_BRANCH, info.head_branch):
            cmd.line(f"no artifact named {name!r} from branch {branch} yet: taking the default branch's")
    except artifacts.ArtifactError as exc:
        cmd.warning(f"restore-artifact {name!r}: {exc}; running a full sync")
        return None
    if info is None:
        extra = f" ({expired} expired)" if expired else ""
        on = " from the default branch" if branch == artifacts.DEFAULT_BRANCH else f" from branch {branch}" \
            if branch else ""
        cmd.notice(f"no artifact named {name!r}{on} in {inputs.repository} yet{extra}: running a full sync")
        return None
    cmd.line(f"newest: {info.describe()}")
    if not _unpack(cmd, inputs, info):
        return None
    cmd.notice(f"started from {info.describe()}")
    return info


def _unpack(cmd: Commands, inputs: ActionInputs, info: artifacts.ArtifactInfo) -> bool:
    """Download `info`, check its database and put it (and its checkpoint) in place; False, said
    as a warning, when anything fails: the sync then starts from scratch."""
    name = inputs.restore_artifact
    with tempfile.TemporaryDirectory(prefix="ontosync-restore-") as tmp_dir:
        tmp = Path(tmp_dir)
        try:
            got = download_database(
                info, inputs.token or None, tmp,
                lambda zf: artifacts.pick_member(zf, [inputs.relative(inputs.database), inputs.database.name]),
                checkpoint=lambda zf: artifacts.pick_member(zf, [inputs.relative(inputs.checkpoint),
                                                                 inputs.checkpoint.name]))
        except NoMember:
            cmd.warning(f"{info.describe()} holds no {inputs.database.name}; running a full sync")
            return False
        except NoRoom as exc:  # a traceback ended the Action before its sync
            cmd.warning(f"restore-artifact {name!r}: cannot download it into the temporary folder {tmp.parent}: "
                        f"{exc}; running a full sync")
            return False
        except artifacts.ArtifactError as exc:
            cmd.warning(f"restore-artifact {name!r}: {exc}; running a full sync")
            return False
        if got.problems:
            cmd.warning(f"the database in {info.describe()} fails its checks ({got.problems[0]}); running a full sync")
            return False
        if not migrated(cmd, got, info.describe()):
            return False
        try:
            put_in_place(cmd, inputs, (got.db, got.member), got.checkpoint)
        except OSError as exc:  # a folder in the way, a full disk: the sync will say its own word
            where = Path(exc.filename2 or exc.filename or inputs.database).name  # a rename names its target second
            cmd.warning(f"restore-artifact {name!r}: cannot write {where}: {exc.strerror or exc}; running a full sync")
            return False
    return True


def migrated(cmd: Commands, got: Downloaded, described: str) -> bool:
    """Bring an older ontosync's (or the old batch sync's) database to this schema where it was
    extracted, in the temporary folder: left to the sync, the migration's backup was written beside
    the database, into the workspace, where a later step's upload or `git add -A` took it (the
    artifact is that backup already). False, said as a warning, when it cannot be migrated: a full sync."""
    try:
        result = prepare_database(got.db, got.db.parent)  # (the backup: dropped with the folder)
    except (UpgradeError, sqlite3.Error, OSError) as exc:
        reason = " ".join(str(exc).replace(str(got.db), got.member).replace(got.db.name, got.member).split())
        cmd.warning(f"the database in {described} cannot be migrated to this ontosync's schema ({reason}); running a "
                    "full sync")
        return False
    if result.changed:
        cmd.line(f"migrated {got.member} to this ontosync's schema (the artifact keeps the database as it was)")
    return True


# A -wal, -shm or -journal beside a database being replaced belongs to the old one (or to none: a
# journal committed to the checkout), not to the new; the -shm (an index SQLite rebuilds) first: one
# that cannot go (another user's, in a sticky folder) left the old database, which the sync then went
# on from, without the commits its -wal held. A -journal left there was taken for the new database's
# hot journal, and SQLite wrote its pages, another database's, into the one restored.
STALE_SIDE_FILES = ("-shm", "-wal", "-journal")


def put_in_place(cmd: Commands, inputs: ActionInputs, db: tuple[Path, str], ck: tuple[Path, str] | None) -> None:
    """Copy the extracted (file, member name) database and checkpoint where the sync reads them. With
    no checkpoint in the artifact, the one there goes first, with the old database's side files: it
    is the old database's (a self-hosted runner's kept workspace, a cancelled run's), and resumed
    with the restored one, an unfinished run's start took every file the artifact's run had synced
    for one it had done (`full-sync` reparsed none, the summary said "resumed")."""
    stale = [inputs.database.with_name(inputs.database.name + suffix) for suffix in STALE_SIDE_FILES]
    for path in stale + ([inputs.checkpoint] if ck is None else []):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    artifacts.copy_to(db[0], inputs.database)
    cmd.line(f"restored {db[1]} -> {inputs.relative(inputs.database)}")
    if ck is not None:
        artifacts.copy_to(ck[0], inputs.checkpoint)
        cmd.line(f"restored {ck[1]} -> {inputs.relative(inputs.checkpoint)}")
    else:
        cmd.line("the artifact holds no checkpoint; unchanged files are still skipped by their blob hash")
