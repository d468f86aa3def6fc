"""`ontosync fetch-db OWNER/REPO`: download the newest database a workflow built, verified.

What a downstream application runs to get the database the ontology repository's CI uploaded with
`actions/upload-artifact`:

    GITHUB_TOKEN=… ontosync fetch-db OWNER/REPO [--artifact ontology-db] [--out ontology.db]
                                    [--api-url https://api.github.com] [--branch main]

It picks the newest non-expired artifact of that name a run on the branch (by default the
repository's default branch: pull-request runs may upload under the same name) uploaded, unzips
its `.db` member (the one named like `--out`, else `ontology.db`, else the only `.db`), runs
`PRAGMA integrity_check` and `PRAGMA foreign_key_check` on it, checks that ontosync wrote it (another
program's SQLite file is refused), and only then replaces `--out`
(atomically: temp file, rename), so a bad download never overwrites a good database. Downloading
an artifact needs a token with `actions:read` on the repository, even for a public one.

Exit codes: 0 written; 2 usage, no such artifact, API, auth or download failure (one line on
stderr, nothing written); 3 the downloaded database fails its checks (nothing written).

Its one entry is the CLI: `ontosync.cli.build_parser` calls `add_fetch_db_parser(subparsers)`,
which adds the subcommand and sets `handler=fetch_db_main`; `fetch_db_main(args) -> int` runs it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ontosync.console import printable, unusable_db_path
from ontosync.console import say as _say
from ontosync.db_url import is_postgres_url, shown_db
from ontosync.options import default_api_url
from ontosync.sources.names import hide_credentials, is_repository

if TYPE_CHECKING:
    from ontosync.action.restore import Downloaded

DEFAULT_ARTIFACT = "ontology-db"
DEFAULT_OUT = "ontology.db"


def add_fetch_db_parser(subparsers) -> argparse.ArgumentParser:
    """Add `fetch-db` to an argparse subparsers object; the parsed args carry `handler`."""
    p = subparsers.add_parser(
        "fetch-db",
        help="download the newest database artifact of a repository and verify it",
        description="Download the newest non-expired database artifact a workflow of OWNER/REPO "
                    "uploaded, check it with PRAGMA integrity_check and foreign_key_check, then write "
                    "it. Token from GITHUB_TOKEN.",
    )
    p.add_argument("repo", metavar="OWNER/REPO", help="the ontology repository whose CI uploads the database")
    p.add_argument("--artifact", default=DEFAULT_ARTIFACT, metavar="NAME",
                   help=f"artifact name (default {DEFAULT_ARTIFACT})")
    p.add_argument("--out", default=DEFAULT_OUT, metavar="PATH",
                   help=f"where to write the database (default {DEFAULT_OUT})")
    p.add_argument("--api-url", default=None, metavar="URL",
                   help="GitHub API base URL (default $GITHUB_API_URL, else https://api.github.com)")
    p.add_argument("--branch", default=None, metavar="NAME",
                   help="take the artifact a run on this branch uploaded (default: the repository's default "
                        "branch; a pull request's run may upload under the same name)")
    p.set_defaults(handler=fetch_db_main)
    return p


def pick_database(zf, out_name: str):
    """The database member: named like --out, else ontology.db, else the only *.db in the archive."""
    from ontosync.action import artifacts

    member = artifacts.pick_member(zf, [out_name, DEFAULT_OUT])
    if member is not None:
        return member
    dbs = [m for m in zf.infolist() if not m.is_dir() and not artifacts.is_link(m)
           and artifacts.safe_member_name(m.filename) is not None
           and PurePosixPath(m.filename).suffix in (".db", ".sqlite", ".sqlite3")]
    return dbs[0] if len(dbs) == 1 else None


def newest_artifact(repo: str, artifact: str, token: str | None, api_url: str, branch: str | None):
    """The artifact to fetch (from `branch`, else the default branch), or None once said why."""
    from ontosync.action import artifacts

    try:
        info, expired = artifacts.find_newest_artifact(repo, artifact, token, api_url,
                                                       branch=branch or artifacts.DEFAULT_BRANCH)
    except artifacts.ArtifactError as exc:
        _say(f"error: {exc}")
        return None
    if info is None:
        extra = f" (only {expired} expired)" if expired else ""
        on = f"branch {branch}" if branch else "the default branch"
        _say(f"error: no artifact named {artifact!r} from {on} of {repo}{extra}; has a workflow uploaded one yet?")
    return info


def fetch_db(repo: str, artifact: str = DEFAULT_ARTIFACT, out: str | os.PathLike = DEFAULT_OUT,
             api_url: str | None = None, token: str | None = None, branch: str | None = None) -> int:
    """Download, verify and write; returns the exit code (messages go to stderr, progress to stdout)."""
    from ontosync.action import artifacts  # requests and PyGithub: only when fetch-db runs
    from ontosync.sources import SourceError
    from ontosync.sources.github_http import Secret, checked_api_url

    if refused := _refused(repo, artifact, out, branch):
        _say(f"error: {refused}")
        return 2
    try:
        api_url = checked_api_url(api_url, default_api_url())  # echoed in errors: no credentials in it
    except SourceError as exc:
        _say(f"error: {exc}")
        return 2
    # a CI secret pasted with its newline is the token, as for `sync` (Secret trims it)
    secret = Secret(token if token is not None else os.environ.get("GITHUB_TOKEN"))
    if flaw := secret.flaw():
        _say(f"error: {flaw}")
        return 2
    token = secret.get()
    out_path = Path(out)
    info = newest_artifact(repo, artifact, token, api_url, branch)
    if info is None:
        return 2
    print(printable(f"downloading {info.describe()}"))  # names from the API and the zip: control characters escaped
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _say(f"error: cannot create {out_path.parent}: {exc}")
        return 2
    with tempfile.TemporaryDirectory(prefix="ontosync-fetch-") as tmp_dir:
        got = _fetched(info, token, out_path.name, Path(tmp_dir))
        if isinstance(got, int):
            return got
        if got.problems:
            _say(f"fatal: the database in {info.describe()} fails verification: {got.problems[0]}"
                 + (f" (+{len(got.problems) - 1} more)" if len(got.problems) > 1 else "")
                 + f"; {out_path} left as it was")
            return 3
        try:
            from ontosync.action.restore import STALE_SIDE_FILES

            for suffix in STALE_SIDE_FILES:  # the old database's, -shm first (restore.py says why)
                stale = out_path.with_name(out_path.name + suffix)
                if stale.exists():
                    stale.unlink()
            artifacts.copy_to(got.db, out_path)
        except OSError as exc:
            _say(f"error: cannot write {out_path}: {exc}")
            return 2
    print(printable(f"wrote {out_path} ({out_path.stat().st_size} bytes) from {got.member}; verify: ok"))
    return 0


def _refused(repo: str, artifact: str, out: str | os.PathLike, branch: str | None) -> str | None:
    """Why the arguments are refused before any request (None: they are not)."""
    from ontosync.pipeline.outputs import side_file

    if blank := next((f for f, v in (("artifact", artifact), ("out", out), ("branch", branch))
                      if v is not None and not str(v).strip()), None):  # an unset shell variable
        return f"--{blank} must not be empty"  # a blank --branch fetched the default branch's database
    if not is_repository(repo):
        return f"repository must look like OWNER/REPO, not {hide_credentials(repo)!r}"
    shown = shown_db(str(out))  # an --out may hold a password: `postgresql://u:PW@h/o.db-wal` printed it
    if is_postgres_url(str(out).strip()):  # made a folder `postgresql:/u:PW@h/` and wrote the database in it
        return f"--out {shown}: a PostgreSQL URL; fetch-db writes a SQLite file: give its path"
    if reason := unusable_db_path(str(out)):  # `-` (a file named `-` was written), too long, `dir/`
        return f"--out {shown}: {reason}"
    if Path(out).is_dir():
        return f"--out {shown} is a folder"
    if reason := _unwritable_folder(Path(out)):
        return f"--out {shown}: {reason}"
    return f"--out {shown}: {reason}" if (reason := side_file(out)) else None


def _unwritable_folder(out: Path) -> str | None:
    """Why `--out`'s folder, when it is there, cannot take the database (None: it can): a read-only
    folder was found only after the whole artifact was downloaded and verified."""
    from ontosync.pipeline.outputs import not_writable

    parent = out.parent
    if not parent.is_dir():
        return None  # made, or refused, by the mkdir after the lookup
    return f"cannot write in folder {parent}: {reason}" if (reason := not_writable(parent, os.W_OK | os.X_OK)) else None


def _fetched(info, token: str | None, out_name: str, tmp: Path) -> Downloaded | int:
    """The artifact's database extracted into `tmp` and checked (restore.download_database); or the
    exit code, its one line said (no database in it, a refused download, a temporary folder
    without room)."""
    from ontosync.action.artifacts import ArtifactError
    from ontosync.action.restore import NoMember, NoRoom, download_database

    try:
        return download_database(info, token, tmp, lambda zf: pick_database(zf, out_name), fetched=True)
    except NoMember as exc:
        _say(f"error: {info.describe()} holds no database file (members: {exc.names or 'none'})")
    except NoRoom as exc:  # $TMPDIR full, or past `ulimit -f`: a traceback, the cause unsaid
        _say(f"error: cannot download artifact {printable(repr(info.name))} into the temporary folder "
             f"{tmp.parent}: {exc}; give TMPDIR a folder with room for it")
    except ArtifactError as exc:  # it may name a member
        _say(f"error: {exc}")
    return 2


def fetch_db_main(args: argparse.Namespace) -> int:
    """Handler for the parsed `fetch-db` arguments (see add_fetch_db_parser)."""
    return fetch_db(args.repo, args.artifact, args.out, args.api_url, branch=args.branch)
