"""Which source owns a schema whose name ontosync derived from the source's name.

Without `?schema=`, the schema is the source's name made an identifier (db_url.sanitize), and that
is not one-to-one: `Acme-Robotics` and `acme_robotics`, `acme/robotics` and `acme.robotics` are
all `acme_robotics`. The second source's sync then went into the first's schema and deleted its
rows as files gone from the tree. So a derived schema records the name it was derived from
(`sync_meta` key `schema_owner`, written by its first sync under the source's lock) and a sync of
another name is refused before anything is written (exit 2, as a schema of another program is).
Names equal but for case are one source (GitHub's `Acme/Robotics` is `acme/robotics`). A local
folder is named with its path (db_url.source_owner): /a/onto and /b/onto, both `onto`, shared the
schema `onto`, and in CI two folders of the workflow's repository its schema, each sync deleting the
other's rows. A schema an older ontosync recorded with the folder's name alone is taken by the first
folder of that name to sync (db_url.owner_before); in CI the repository's name alone is the
workspace's (the Action's), so a folder of it is refused, told how to keep the rows. An explicit
`?schema=` is the user's choice and is neither checked nor recorded, unless making it an identifier
drops letters (db_url.lossy: `?schema=日本` and `?schema=中国` are both `s_`): that name is claimed
as a source's.
"""

from __future__ import annotations

import os

from ontosync.db_url import owner_before
from ontosync.store.pg.foreign import ForeignSchema

OWNER_KEY = "schema_owner"


class SchemaTaken(ForeignSchema):
    """The derived schema belongs to another source whose name makes the same identifier (exit 2)."""


def claim(conn, schema: str, name: str) -> None:
    """Record `name` as the schema's owner if it has none; refuse it if another source owns it.
    The caller holds the source's advisory lock, so no other sync of this schema runs."""
    conn.execute("BEGIN")
    try:
        conn.execute("INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                     (OWNER_KEY, name))
        owner = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (OWNER_KEY,)).fetchone()[0]
        if owner != name and owner.casefold() == owner_before(name).casefold():  # an older ontosync's record
            conn.execute("UPDATE sync_meta SET value = ? WHERE key = ?", (name, OWNER_KEY))
            owner = name
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    if owner != name if os.path.isabs(name) else owner.casefold() != name.casefold():
        raise SchemaTaken(
            f"schema {schema} holds the rows of source {owner}, and {name} makes the same schema name; "
            "nothing was written. Give this source a schema of its own with ?schema=NAME in the URL (a schema "
            f"name keeps the letters a-z, digits and _ only){_same_rows(schema, owner, name)}")


def _same_rows(schema: str, owner: str, name: str) -> str:
    """How to keep syncing into the schema when its rows are this source's after all: a folder
    moved, or in CI a folder an older ontosync recorded under the repository's name alone."""
    if os.path.isabs(owner):
        return f"; or, if it is the same source (that folder moved, another clone of it), ?schema={schema}"
    if owner.casefold() == name.partition(":")[0].casefold():
        return f"; or, if its rows are this folder's (an older ontosync's sync), ?schema={schema}"
    return ""
