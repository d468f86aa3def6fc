"""Who a local folder is, as the owner of the PostgreSQL schema derived from its name (store/pg/owner.py
claims it; db_url.SourceOwner carries it).

Why not the folder's real path alone: /a/onto and /b/onto, both named `onto`, must be two sources
(each sync deleted the other's rows), but a re-clone elsewhere, a CI runner's per-build folder
(`workspace@2`), a mktemp clone, a container's mount at another path and two teammates' clones of one
repository are one source, and were refused from then on. So a folder inside a git checkout with an
`origin` remote is that origin (normalised: `git@github.com:acme/onto.git` is
`https://tok@github.com/acme/onto/`, `github.com/acme/onto`) with its path inside the checkout;
only a folder of no such checkout is its real path. In CI (GITHUB_REPOSITORY set) the source's name
is the repository already (db_url.default_source_name), with the folder's path inside ITS checkout
(`actions/checkout` of another repository into `path: onto`, then `ontosync sync onto`: `other/onto`,
what an older ontosync recorded), else inside the workspace (a second checkout of the workflow's own
repository, `path: base`, is `acme/repo:base`, never the workspace's `acme/repo`); a folder outside the workspace is
the name with its real path (it took over the schema the workspace's sync owns under the name alone,
deleting its rows).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ontosync.db_url import SourceOwner, default_source_name
from ontosync.sources.git_head import links_back, nearest_checkout, origin_url

# scheme://[user[:password]@]host[:port][/path], host an IPv6 literal too; the user info runs to the
# last `@` before the path (`u:p@ss@host`: `ss` was taken into the host, the password's tail recorded)
_URL = re.compile(r"(?i)(?P<scheme>[a-z][a-z0-9+.-]*)://(?:[^/]*@)?(?P<host>\[[^\]/]*\]|[^/:@]*)(?::[^/]*)?(?P<path>/.*)?")
# a scheme's user info, to the last `@` before the path: taken off before `?` and `#` cut the URL (a `?`
# or `#` in a password cut it there first: `https://u:p?w@host/org/r1` and `.../r2` were one owner, `u/`)
_USER_INFO = re.compile(r"(?i)^([a-z][a-z0-9+.-]*://)[^/]*@")
# git's scp-like form, [user@]host:path, no slash before the first colon
_SCP = re.compile(r"(?:[^/]*@)?(?P<host>[^:/@]+):(?P<path>.*)")


def origin_key(url: str, root: Path) -> str | None:
    """The repository an origin URL names, as `host/path` (lower-case host; no scheme, credentials,
    port, query, trailing `.git` or slash), so that ssh and https spellings of one repository are
    equal; a local repository (a path, `file://`) as `file://` and its absolute path (a relative
    one is the checkout's, `root`'s); None for no URL."""
    url = _USER_INFO.sub(r"\1", _unquoted(url.strip()), count=1).partition("?")[0].partition("#")[0]
    plain, scp = _URL.fullmatch(url), _SCP.fullmatch(url)
    if plain and plain.group("scheme").lower() != "file":
        host, path = plain.group("host").lower(), plain.group("path") or ""
    elif scp and not plain:
        host, path = scp.group("host").lower(), scp.group("path")
    else:
        host, path = "", os.path.normpath(os.path.join(root, plain.group("path") or "/" if plain else url))
    path = re.sub(r"/+", "/", path).strip("/")
    path = (path[:-len(".git")] if path.lower().endswith(".git") else path).rstrip("/")
    key = f"{host}/{path}" if host else f"file:///{path}"
    # nothing left of a user info, nor a quote or a blank: else the folder is its real path
    return None if (not path and not host) or any(c in key for c in '@"\\ \t') else key


def _unquoted(value: str) -> str:
    """A git config value as git reads it: a `"..."` (git writes a URL holding `;` or `#` so) without
    its quotes and escapes; the quotes were kept, and the user info behind them never taken off."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r'\\(.)', r"\1", value[1:-1])
    return value


def folder_owner(source: str, checkout: str | None = None) -> SourceOwner:
    """The owner of the schema derived from `source`'s name (`checkout`: db_url.default_source_name):
    a github: source its `OWNER/REPO`; a folder as the module says, `:PATH` added for a folder
    below its checkout's root. `legacy`: what an older ontosync recorded (the name alone)."""
    name = default_source_name(source, checkout)
    if source.startswith("github:"):
        return SourceOwner(name, name, None)
    real = os.path.realpath(source)
    if os.environ.get("GITHUB_REPOSITORY"):
        workspace = os.environ.get("GITHUB_WORKSPACE")
        top = Path(os.path.realpath(workspace)) if workspace else None
        root = _ci_root(Path(real), top, name) if top else None
        if root is None:  # outside the workspace: never the name alone, the workspace's (the Action's)
            return SourceOwner(f"{name}:{real}", name, real)
        key = name
    else:
        root = nearest_checkout(Path(real), Path("/"))
        url = _origin(root) if root else None
        key = origin_key(url, root) if url else None
        root, key = (root, key) if key else (None, real)
    inside = os.path.relpath(real, root) if root else "."
    return SourceOwner(key if inside == "." else f"{key}:{inside}", name, real)


def _ci_root(real: Path, top: Path, name: str) -> Path | None:
    """What a folder's path is taken inside in CI (`top`: the workspace's real path): the nearest
    checkout of another repository (`name` its own), else the workspace (None: `real` is outside it).
    A checkout of the workflow's own repository (`path: base`, a PR's base) or of no readable origin is
    not its root: `ws/onto` and `ws/base/onto` were both `acme/repo:onto`, `ws` and `ws/base` both
    `acme/repo`, two trees in one schema, each sync replacing the other's rows."""
    if not real.is_relative_to(top):
        return None
    root = nearest_checkout(real, top)
    return root if root is not None and name != os.environ.get("GITHUB_REPOSITORY") else top


def _origin(root: Path) -> str | None:
    """The origin URL of the checkout at `root`, its git folder followed within the checkout, else
    within an enclosing one: a submodule's `.git` is `gitdir: ../.git/modules/NAME`, its parent's
    (read within itself only, the submodule was its real path, refused in another clone of the parent);
    a worktree's anywhere, when it names the worktree back (git_head.links_back)."""
    for bound in (root, *root.parents):
        if bound == root or os.path.lexists(bound / ".git"):
            url = origin_url(root, bound)
            if url is not None:
                return url
    # a worktree (`git worktree add ../feature`): its git folder is in its clone's `.git/worktrees/`
    return origin_url(root, Path("/")) if links_back(root) else None
