"""Which source owns a schema whose name ontosync derived from the source's name.

Without `?schema=`, the schema is the source's name made an identifier (db_url.sanitize), and that
is not one-to-one: `Acme-Robotics` and `acme_robotics`, `acme/robotics` and `acme.robotics` are
all `acme_robotics`. The second source's sync then went into the first's schema and deleted its
rows as files gone from the tree. So a derived schema records the name it was derived from
(`sync_meta` key `schema_owner`, written by its first sync under the source's lock) and a sync of
another name is refused before anything is written (exit 2, as a schema of another program is).
Names equal but for case are one source (GitHub's `Acme/Robotics` is `acme/robotics`). A local
folder is named with its checkout's origin and its path in it, else its real path
(sources/folder_owner.py): /a/onto and /b/onto, both `onto`, shared the schema `onto`, and in CI two
folders of the workflow's repository its schema, each sync deleting the other's rows. A schema an
older ontosync recorded with the source's name alone (db_url.SourceOwner.legacy) is taken outside CI
by the first folder of that name to sync; in CI the repository's name alone is also the workspace's
(the Action's), so a folder below its checkout's root takes it only when the stored files' paths are
that folder's and not the workspace's too (`x.md`, not the workspace sync's `onto/x.md`, which a
second checkout of the repository, `path: base`, holds as well), else it is refused, told how to keep
the rows. An explicit `?schema=` is the user's choice and is neither checked nor recorded, unless
making it an identifier drops letters (db_url.lossy: `?schema=日本` and `?schema=中国` are both
`s_`): that name is claimed as a source's.
"""

from __future__ import annotations

import os

from ontosync.db_url import SourceOwner
from ontosync.store.pg.foreign import ForeignSchema

OWNER_KEY = "schema_owner"
SAMPLE = 1000  # stored paths looked at to tell whose an older ontosync's rows are


class SchemaTaken(ForeignSchema):
    """The derived schema belongs to another source whose name makes the same identifier (exit 2)."""


def claim(conn, schema: str, owner: SourceOwner) -> None:
    """Record `owner.name` as the schema's owner if it has none (or an older ontosync's record that
    is this source's); refuse it if another source owns it. The caller holds the source's advisory
    lock, so no other sync of this schema runs."""
    name = owner.name
    conn.execute("BEGIN")
    try:
        conn.execute("INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                     (OWNER_KEY, name))
        recorded = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (OWNER_KEY,)).fetchone()[0]
        if not same(recorded, name, owner.folder) and _takes_over(conn, recorded, owner):
            conn.execute("UPDATE sync_meta SET value = ? WHERE key = ?", (name, OWNER_KEY))
            recorded = name
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    if not same(recorded, name, owner.folder):
        raise SchemaTaken(
            f"schema {schema} holds the rows of source {recorded}, and {name} makes the same schema name; "
            "nothing was written. Give this source a schema of its own with ?schema=NAME in the URL (a schema "
            f"name keeps the letters a-z, digits and _ only){_same_rows(schema, recorded, owner)}")


def same(recorded: str, name: str, folder: str | None = None) -> bool:
    """Whether two owners are one source: equal but for the case of a repository's name (GitHub's
    `Acme/Robotics` is `acme/robotics`); a folder's path (a real path, or `:PATH` in its checkout) as
    written, unless both name one folder (`folder`: the new owner's; one on a case-insensitive disk,
    two on Linux: `Onto` and `onto` of one checkout shared a schema, each sync deleting the other's rows)."""
    if recorded == name or recorded.casefold() != name.casefold():
        return recorded == name
    if os.path.isabs(recorded) and os.path.isabs(name):
        return _one_folder(recorded, name)
    tail, was = name.partition(":")[2], recorded.partition(":")[2]
    if tail == was:
        return True
    return folder is not None and folder.endswith(tail) and _one_folder(folder[:len(folder) - len(tail)] + was, folder)


def _one_folder(one: str, other: str) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _takes_over(conn, recorded: str, owner: SourceOwner) -> bool:
    """Whether `recorded`, an older ontosync's record of the source's name alone, or the real path of
    this very folder (recorded before it was a clone: `git init`, `git remote add origin`), is this
    source's."""
    if os.path.isabs(recorded) and owner.folder is not None:
        return same(recorded, owner.folder)
    if recorded.casefold() != owner.legacy.casefold():
        return False
    if not owner.name.casefold().startswith(f"{owner.legacy}:".casefold()) or owner.folder is None:
        return True  # outside CI: the first folder of that name
    # in CI, a folder below its checkout's root: the workspace's sync (the Action's) stored `onto/x.md`;
    # paths the root holds too are the workspace's (a second checkout of the repository, `path: base`,
    # holds `onto/x.md` as the workspace does: `acme/repo:base` took its schema over)
    paths = [row[0] for row in conn.execute("SELECT path FROM source_files ORDER BY path LIMIT ?", (SAMPLE,))]
    root = owner.folder[:len(owner.folder) - len(owner.name) + len(owner.legacy) + 1]
    here = sum(os.path.isfile(os.path.join(owner.folder, path)) for path in paths)
    there = sum(os.path.isfile(os.path.join(root, path)) for path in paths)
    return here * 2 > len(paths) >= there * 2


def _same_rows(schema: str, recorded: str, owner: SourceOwner) -> str:
    """How to keep syncing into the schema when its rows are this source's after all: in CI a folder
    an older ontosync recorded under the repository's name alone; a folder moved or re-cloned."""
    if owner.name.casefold().startswith(f"{recorded}:".casefold()):
        return f"; or, if its rows are this folder's (an older ontosync's sync), ?schema={schema}"
    if owner.folder is not None:
        return f"; or, if it is the same source (that folder moved, another clone of it), ?schema={schema}"
    return ""
