"""Bring any `ontology.db` a user has to the current schema, without losing a row.

Users arrive with databases from the old batch tool in three shapes (L1, L2, L3, see
`../shared/spec/legacy-schemas.md`), with an empty file, or with ontosync's own schema. This
module recognises which, and:

- refuses anything else untouched (`UnknownShapeError`, exit 2);
- creates the schema on an empty or missing file, and applies pending numbered migrations on a
  current one (a no-op, read-only and cheap when nothing is pending: `sync` calls this on every
  run);
- migrates a legacy database in ONE transaction with foreign keys on throughout: an online backup
  first (SQLite's backup API, integrity-checked), then the legacy tables moved aside, 001 applied,
  the legacy rows converted by `migrations/legacy/<shape>_to_current.sql`, the later numbered
  migrations applied, `PRAGMA foreign_key_check`, and only then COMMIT. Any failure rolls back, so
  the database is exactly as it was, and the error names the backup (`MigrationFailed`, exit 3).

Why the legacy rows become facts of pseudo source files (`legacy:<shape>/<ontology id>`): the
contract tables are derived from per-file rows (see repository.py), so storing the legacy data as
one more "file" makes later syncs treat it like any other: a class stays while any file declares
it, a referenced class is a referenced-only row, and deleting the pseudo file removes exactly what
the legacy database contributed.

Why the legacy tables are moved aside rather than converted in place: the new schema reuses their
names (owl_classes, owl_properties, ...) with other keys, and their columns hold more than the new
schema has (L1's markdown_content and properties JSON, L2's ontology metadata, property flags).
So owl_class_hierarchy, owl_axioms, owl_properties and owl_classes are copied to `legacy_<name>`
(every row and column, without constraints: their foreign keys are broken in L2 and violated in
L1/L3) and dropped; `ontologies` is renamed to `legacy_ontologies` (so the kept tables that
reference it keep referencing the same rows). Every other legacy table (inference_results,
namespaces, file_metadata, ...) is kept as it is.

The conversion SQL lives in checksummed files recorded in `schema_migrations` (negative versions,
outside the numbered sequence), so a modified legacy migration file is refused like a numbered
one. `ONTOSYNC_FAULT_MIGRATION=<step>` makes a statement fail at that step, for tests.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import sqlite3
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ontosync.store import migrations
from ontosync.store.migrations import Migration, MigrationError, utc_now

FAULT_ENV = "ONTOSYNC_FAULT_MIGRATION"
FAULT_STEPS = ("archive", "schema", "convert", "record", "commit")
BUSY_TIMEOUT_S = 5.0

L1, L2, L3, EMPTY, CURRENT, UNKNOWN = "L1", "L2", "L3", "empty", "current", "unknown"
SHAPE_TITLES = {
    L1: "legacy shape L1 (the batch tool's own tables)",
    L2: "legacy shape L2 (the metadata schema)",
    L3: "legacy shape L3 (the stop-gap schema)",
    EMPTY: "an empty database",
    CURRENT: "the ontosync schema",
    UNKNOWN: "an unknown shape",
}

ARCHIVE_PREFIX = "legacy_"
# Legacy tables whose names the new schema takes. Copied aside then dropped, children first.
COPIED = ("owl_class_hierarchy", "owl_axioms", "owl_properties", "owl_classes")
# Renamed instead: kept legacy tables reference it, and a rename carries those references along.
RENAMED = ("ontologies",)


class UpgradeError(Exception):
    """Base of what `prepare_database` and `migrate` raise; `exit_code` is the CLI's exit status."""

    exit_code = 3


class UnknownShapeError(UpgradeError):
    """Not a database ontosync knows how to upgrade; nothing was written."""

    exit_code = 2


class NewerDatabase(UpgradeError):
    """The database applied migrations this release does not know; nothing was written."""

    exit_code = 3


class DatabaseBusy(UpgradeError):
    """Another writer holds the database: exit 4, nothing was written."""

    exit_code = 4


class DatabaseNotFound(UpgradeError):
    """`migrate` was pointed at a file that does not exist (a typo should not create one)."""

    exit_code = 2


class MigrationFailed(UpgradeError):
    """The migration was refused or failed and was rolled back; `backup_path` names the backup."""

    exit_code = 3

    def __init__(self, message: str, backup_path: str | None = None) -> None:
        super().__init__(message)
        self.backup_path = backup_path


# -- the legacy migrations -----------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """A TEMP view `view` over `table` (after the archive step) with exactly `columns`.

    The conversion SQL reads only these views, so a legacy database that lacks an optional table
    or column (the L1 tables on top of L2, bookkeeping columns that varied between versions) reads
    as no rows or NULLs instead of failing. `origin` is the table's name in the legacy database,
    and `keys` the columns it must have if it exists at all (else the shape is unknown).
    """

    view: str
    origin: str
    table: str
    columns: tuple[str, ...]
    keys: tuple[str, ...]


@dataclass(frozen=True)
class LegacyMigration:
    shape: str
    version: int  # negative: outside the numbered sequence, never collides with NNN_name.sql
    filename: str  # under <migrations dir>/legacy/
    sources: tuple[Source, ...]

    @property
    def name(self) -> str:
        return "legacy_" + Path(self.filename).stem

    def path(self) -> Path:
        return migrations.migrations_dir() / "legacy" / self.filename


def _archived(origin: str) -> str:
    return ARCHIVE_PREFIX + origin


_L1_SOURCES = (
    Source("src_classes", "owl_classes", _archived("owl_classes"), ("iri", "label", "description"), ("iri",)),
    Source("src_hierarchy", "owl_class_hierarchy", _archived("owl_class_hierarchy"),
           ("class_iri", "parent_iri"), ("class_iri", "parent_iri")),
    Source("src_properties", "owl_properties", _archived("owl_properties"),
           ("iri", "label", "property_type", "domain", "range"), ("iri",)),
    Source("src_axioms", "owl_axioms", _archived("owl_axioms"),
           ("id", "axiom_type", "subject", "object", "annotations", "is_inferred"), ("axiom_type", "subject")),
)
_L23_SOURCES = (
    Source("src_classes", "owl_classes", _archived("owl_classes"),
           ("ontology_id", "class_iri", "label", "comment", "parent_class_iri", "is_deprecated"),
           ("ontology_id", "class_iri")),
    Source("src_hierarchy", "owl_class_hierarchy", _archived("owl_class_hierarchy"),
           ("class_iri", "parent_iri"), ("class_iri", "parent_iri")),
    Source("src_properties", "owl_properties", _archived("owl_properties"),
           ("ontology_id", "property_iri", "property_type", "label", "comment", "domain_class_iri",
            "range_class_iri", "is_functional", "is_inverse_functional", "is_symmetric", "is_transitive",
            "inverse_property_iri"),
           ("ontology_id", "property_iri")),
    Source("src_axioms", "owl_axioms", _archived("owl_axioms"),
           ("id", "ontology_id", "axiom_type", "subject", "object", "annotations", "is_inferred"),
           ("axiom_type", "subject")),
    Source("src_disjoint", "owl_disjoint_classes", "owl_disjoint_classes",
           ("ontology_id", "class_iri_1", "class_iri_2"), ("class_iri_1", "class_iri_2")),
)
LEGACY = {
    L1: LegacyMigration(L1, -1, "l1_to_current.sql", _L1_SOURCES),
    L2: LegacyMigration(L2, -2, "l2_to_current.sql", _L23_SOURCES),
    L3: LegacyMigration(L3, -3, "l3_to_current.sql", _L23_SOURCES),
}


# -- results -------------------------------------------------------------------------------------
@dataclass
class MigrateResult:
    """What was found and done (or, for a dry run, what would be done)."""

    db_path: str
    shape: str
    dry_run: bool = False
    backup_path: str | None = None
    applied: list[str] = field(default_factory=list)  # migration files, in the order applied
    archived: dict[str, str] = field(default_factory=dict)  # legacy table -> where its rows are now
    kept: list[str] = field(default_factory=list)  # legacy tables left as they were
    carried: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (legacy rows, rows written)
    generated_axioms: int = 0  # axioms made from legacy columns the new schema lacks
    rows: dict[str, int] = field(default_factory=dict)  # ontosync tables after the migration
    added_classes: list[tuple[str, str]] = field(default_factory=list)  # (ontology_id, class_iri)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the database was (or, for a dry run, would be) written."""
        return bool(self.applied)

    def summary(self, max_listed: int = 20) -> str:
        """Human text for `ontosync migrate`: detected, applied, rows carried, classes added, backup."""
        lines = [f"{self.db_path}: {SHAPE_TITLES.get(self.shape, self.shape)}"]
        if not self.changed:
            lines.append("up to date: nothing to do" + (" (dry run)" if self.dry_run else ""))
            return "\n".join(lines)
        verb = "would apply" if self.dry_run else "applied"
        lines.append(f"{verb}: {', '.join(self.applied)}")
        if self.dry_run:
            lines.append("dry run: nothing was written and no backup was taken")
        elif self.backup_path:
            lines.append(f"backup (integrity_check ok): {self.backup_path}")
        if self.archived:
            moved = ", ".join(f"{a} -> {b}" for a, b in self.archived.items())
            lines.append(f"legacy tables moved aside with all their rows: {moved}")
        if self.kept:
            lines.append(f"legacy tables kept as they were: {', '.join(self.kept)}")
        if self.carried:
            lines.append("carried over (legacy rows -> rows under the new schema):")
            for kind, (before, after) in self.carried.items():
                extra = ""
                if kind == "hierarchy edges" and after < before:
                    extra = " (the same edge given twice is stored once)"
                lines.append(f"  {kind:<16}{before:>8} -> {after}{extra}")
            if self.generated_axioms:
                lines.append(f"  {'':<16}{'':>8}  + {self.generated_axioms} axioms made from legacy columns "
                             "(property characteristics and inverses, property comments, deprecation, "
                             "disjointness)")
        if self.rows:
            lines.append("rows " + ("it would write: " if self.dry_run else "now: ")
                         + ", ".join(f"{t} {n}" for t, n in self.rows.items()))
        if self.added_classes:
            lines.append(f"classes {'it would add' if self.dry_run else 'added'} because hierarchy rows name "
                         f"them but nothing declares them ({len(self.added_classes)}; referenced-only rows):")
            lines += [f"  {o}  {iri}" for o, iri in self.added_classes[:max_listed]]
            if len(self.added_classes) > max_listed:
                lines.append(f"  ... and {len(self.added_classes) - max_listed} more")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


PrepareResult = MigrateResult  # what `prepare_database` returns; the same fields


@dataclass
class Detection:
    shape: str
    tables: dict[str, list[str]]  # lower-case table name -> lower-case column names
    reason: str = ""


# -- public API ----------------------------------------------------------------------------------
def prepare_database(db_path: str | Path, backup_dir: str | Path | None = None, *,
                     default_ontology: str = "default") -> PrepareResult:
    """Make `db_path` ready for a sync: create, upgrade or migrate it (with a backup when it holds data).

    Read-only and a few milliseconds when the database is already current.
    Raises UnknownShapeError (exit 2, untouched) or MigrationFailed (exit 3, rolled back).
    """
    path = Path(db_path)
    numbered = _numbered()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    return _upgrade_file(path, backup_dir, numbered, default_ontology)


def migrate(db_path: str | Path, backup_dir: str | Path | None = None, dry_run: bool = False, *,
            default_ontology: str = "default") -> MigrateResult:
    """`ontosync migrate`: upgrade an existing database; with `dry_run`, report what would change.

    A dry run migrates a private copy (taken with the backup API) and throws it away, so the report
    is exactly what a real run would do, and the database itself is never written.
    `default_ontology` is the ontology id given to legacy rows that carry none (all of L1).
    """
    path = Path(db_path)
    if not path.is_file():
        raise DatabaseNotFound(f"{path}: no such database file")
    numbered = _numbered()
    if not dry_run:
        return _upgrade_file(path, backup_dir, numbered, default_ontology)

    conn = _connect(path)
    try:
        det = _detect_checked(conn, path, numbered)
        if det.shape == CURRENT:
            _check_recorded(conn, numbered)
            if not migrations.pending(conn, numbered):
                return MigrateResult(str(path), CURRENT, dry_run=True)
        with tempfile.TemporaryDirectory(prefix="ontosync-dry-run-") as tmp:
            copy = Path(tmp) / path.name
            dst = sqlite3.connect(copy)
            try:
                conn.backup(dst)
            finally:
                dst.close()
            try:
                result = _upgrade_file(copy, None, numbered, default_ontology, take_backup=False)
            except MigrationFailed as exc:
                raise MigrationFailed("dry run (nothing was written): the migration would fail: "
                                      + str(exc).replace(str(copy), str(path))) from exc
    finally:
        conn.close()
    result.db_path, result.dry_run, result.backup_path = str(path), True, None
    return result


def detect_shape(db_path: str | Path) -> Detection:
    """Which shape `db_path` has (see module docstring); reads only."""
    path = Path(db_path)
    if not path.exists():
        return Detection(EMPTY, {}, "no file yet")
    conn = _connect(path)
    try:
        return _detect(conn)
    finally:
        conn.close()


# -- connection and detection ---------------------------------------------------------------------
def _connect(path: Path) -> sqlite3.Connection:
    """Autocommit (we issue BEGIN ourselves) with foreign keys on for the connection's whole life."""
    create = not path.exists()
    uri = path.resolve().as_uri() + ("?mode=rwc" if create else "?mode=rw")
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_S)
        conn.execute("PRAGMA foreign_keys=ON")
        on = conn.execute("PRAGMA foreign_keys").fetchone()
    except sqlite3.Error as exc:
        raise MigrationFailed(f"{path}: cannot open the database: {exc}") from exc
    if not on or on[0] != 1:
        conn.close()
        raise MigrationFailed("this SQLite build cannot enforce foreign keys; refusing to migrate")
    return conn


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(conn: sqlite3.Connection) -> dict[str, tuple[str, list[str]]]:
    """lower-case name -> (name as stored, lower-case columns) of every user table in main."""
    out = {}
    for (name,) in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"):
        cols = [r[1].lower() for r in conn.execute(f"PRAGMA main.table_info({_q(name)})")]
        out[name.lower()] = (name, cols)
    return out


def _ontosync_tables(numbered: list[Migration]) -> set[str]:
    """Every table the numbered migrations create: a legacy table by such a name would collide."""
    names: set[str] = set()
    for mig in numbered:
        names |= {n.lower() for n in re.findall(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)", mig.sql,
                                                 re.IGNORECASE)}
    return names


def _detect(conn: sqlite3.Connection, numbered: list[Migration] | None = None) -> Detection:
    """Recognise the shape from the schema alone (tables and columns, one unique index)."""
    try:
        info = _tables(conn)
        others = conn.execute("SELECT count(*) FROM main.sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                              ).fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "encrypted" in str(exc):
            return Detection(UNKNOWN, {}, f"not an SQLite database ({exc})")
        raise MigrationFailed(f"cannot read the database schema: {exc}") from exc
    tables = {name: cols for name, (_, cols) in info.items()}
    if not tables:
        if others:
            return Detection(UNKNOWN, tables, "it holds views or triggers but no tables")
        return Detection(EMPTY, tables)
    listing = ", ".join(sorted(tables))

    def cols(t: str) -> set[str]:
        return set(tables.get(t, ()))

    if "schema_migrations" in tables:
        if {"source_files", "file_classes"} <= tables.keys() and \
                {"ontology_id", "class_iri", "source_file"} <= cols("owl_classes"):
            return Detection(CURRENT, tables)
        return Detection(UNKNOWN, tables, f"it has a schema_migrations table but not ontosync's tables ({listing})")

    classes = cols("owl_classes")
    if "iri" in classes and "class_iri" not in classes:
        shape = L1
    elif {"ontology_id", "class_iri"} <= classes:
        shape = L3 if "file_sha1" in classes or _unique_on_class_iri(conn, info["owl_classes"][0]) else L2
    else:
        return Detection(UNKNOWN, tables, "expected owl_classes keyed by iri (L1) or by (ontology_id, class_iri) "
                                          f"(L2, L3), or ontosync's schema; found tables: {listing}")
    for src in LEGACY[shape].sources:
        if src.origin in tables and not set(src.keys) <= cols(src.origin):
            return Detection(UNKNOWN, tables, f"looks like {shape}, but its {src.origin} lacks "
                                              f"{', '.join(sorted(set(src.keys) - cols(src.origin)))}")
    for name in COPIED + RENAMED:
        if _archived(name) in tables:
            return Detection(UNKNOWN, tables, f"looks like {shape}, but it already has a table {_archived(name)} "
                                              "(half migrated by hand?)")
    if numbered is not None:
        clash = sorted((_ontosync_tables(numbered) - set(COPIED) - set(RENAMED)) & tables.keys())
        if clash:
            return Detection(UNKNOWN, tables, f"looks like {shape}, but it has tables the ontosync schema "
                                              f"creates: {', '.join(clash)}")
    # A kept table referencing a table that gets dropped would lose rows (ON DELETE) or block it.
    for low, (name, _) in info.items():
        if low in COPIED:
            continue
        for fk in conn.execute(f"PRAGMA main.foreign_key_list({_q(name)})"):
            if fk[2].lower() in COPIED:
                return Detection(UNKNOWN, tables, f"looks like {shape}, but its table {name} has a foreign key "
                                                  f"to {fk[2]}, which the migration replaces")
    return Detection(shape, tables)


def _unique_on_class_iri(conn: sqlite3.Connection, table: str) -> bool:
    for idx in conn.execute(f"PRAGMA main.index_list({_q(table)})"):
        if idx[2]:  # unique
            cols = [r[2].lower() for r in conn.execute(f"PRAGMA main.index_info({_q(idx[1])})") if r[2]]
            if cols == ["class_iri"]:
                return True
    return False


def _detect_checked(conn: sqlite3.Connection, path: Path, numbered: list[Migration] | None = None) -> Detection:
    det = _detect(conn, numbered)
    if det.shape == UNKNOWN:
        raise UnknownShapeError(f"{path}: not a database ontosync can upgrade: {det.reason}. Nothing was changed.")
    return det


# -- migration files -----------------------------------------------------------------------------
def _numbered() -> list[Migration]:
    try:
        found = migrations.available_migrations()
    except MigrationError as exc:
        raise MigrationFailed(str(exc)) from exc
    if found[0].version != 1:
        raise MigrationFailed(f"{migrations.migrations_dir()}: the first migration is not 001")
    return found


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_recorded(conn: sqlite3.Connection, numbered: list[Migration]) -> None:
    """Refuse when a migration file (numbered or legacy) differs from what this database applied."""
    try:
        migrations.check_checksums(conn, numbered)
    except MigrationError as exc:
        raise MigrationFailed(str(exc)) from exc
    applied = migrations.applied_versions(conn)
    _refuse_newer(applied, numbered)
    for spec in LEGACY.values():
        recorded = applied.get(spec.version)
        path = spec.path()
        if recorded is not None and path.exists():
            actual = _sha256(path.read_bytes())
            if actual != recorded:
                raise MigrationFailed(
                    f"migration legacy/{path.name} changed after it was applied (checksum {actual[:12]} != "
                    f"recorded {recorded[:12]}); refusing to run")


def _refuse_newer(applied: dict[int, str], numbered: list[Migration]) -> None:
    """A database that applied migrations this release does not have was written by a newer
    ontosync: writing it with this one could break what the newer schema relies on."""
    known = {m.version for m in numbered} | {spec.version for spec in LEGACY.values()}
    unknown = sorted(v for v in applied if v not in known)
    if unknown:
        raise NewerDatabase(
            f"database written by a newer ontosync: it has migration(s) {', '.join(map(str, unknown))}, which "
            f"this release (migrations up to {max(m.version for m in numbered):03d}) does not know. Nothing was "
            "written; upgrade ontosync to sync it (verify and status still read it).")


# -- the run -------------------------------------------------------------------------------------
def _upgrade_file(path: Path, backup_dir: str | Path | None, numbered: list[Migration], default_ontology: str,
                  take_backup: bool = True) -> MigrateResult:
    conn = _connect(path)
    try:
        return _Upgrade(conn, path, numbered, default_ontology).run(backup_dir, take_backup)
    finally:
        conn.close()


class _Upgrade:
    """One run on one connection; `step` names what it is doing, for the failure message."""

    def __init__(self, conn: sqlite3.Connection, path: Path, numbered: list[Migration], default_ontology: str):
        self.conn = conn
        self.path = path
        self.numbered = numbered
        self.default_ontology = default_ontology
        self.step = "starting"

    def run(self, backup_dir: str | Path | None, take_backup: bool) -> MigrateResult:
        conn = self.conn
        det = _detect_checked(conn, self.path, self.numbered)
        if det.shape == CURRENT:  # the every-sync path: read-only unless something is pending
            _check_recorded(conn, self.numbered)
            if not migrations.pending(conn, self.numbered):
                return MigrateResult(str(self.path), CURRENT)

        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:  # locked by another writer, read-only file or directory
            if "locked" in str(exc) or "busy" in str(exc):
                from ontosync.store.lock import describe_writers

                raise DatabaseBusy(f"{self.path} is busy: locked by {describe_writers(self.path)}: {exc}; "
                                   "nothing was changed, run again") from exc
            raise MigrationFailed(f"{self.path}: cannot start the migration: {exc}; nothing was changed") from exc
        try:  # look again under the write lock: another process may have migrated it meanwhile
            det = _detect_checked(conn, self.path, self.numbered)
            if det.shape == CURRENT:
                _check_recorded(conn, self.numbered)
            result = MigrateResult(str(self.path), det.shape)
            if det.shape == CURRENT and not migrations.pending(conn, self.numbered):
                conn.execute("ROLLBACK")
                return result
            if take_backup and det.shape != EMPTY:
                self.step = "taking the backup"
                result.backup_path = str(_backup(self.path, backup_dir))
        except BaseException:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

        try:
            if det.shape in (EMPTY, CURRENT):
                for mig in migrations.pending(conn, self.numbered):
                    self.step = f"applying {mig.path.name}"
                    migrations.apply_migration(conn, mig)
                    result.applied.append(mig.path.name)
                    self._fault("schema")
            else:
                self._migrate_legacy(det, result)
            self.step = "checking foreign keys"
            self._fault("commit")
            problems = conn.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise MigrationError(_describe_fk_problems(problems))
            result.rows = _row_counts(conn)
            self.step = "committing"
            conn.execute("COMMIT")
        except BaseException as exc:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            if not isinstance(exc, Exception):
                raise
            where = f" while {self.step}" if self.step else ""
            backup = (f" A backup taken before the migration is at {result.backup_path}."
                      if result.backup_path else "")
            raise MigrationFailed(
                f"{self.path}: migration from {det.shape} failed{where}: {exc}. It was rolled back: the "
                f"database is exactly as it was.{backup}", result.backup_path) from exc
        with suppress(sqlite3.Error):  # the contract's journal mode; not a reason to fail a done migration
            conn.execute("PRAGMA journal_mode=WAL")
        return result

    def _fault(self, step: str) -> None:
        """Test hook: `ONTOSYNC_FAULT_MIGRATION=<step>` runs a failing statement at that step."""
        if os.environ.get(FAULT_ENV) == step:
            self.conn.execute("INSERT INTO ontosync_injected_fault (step) VALUES (?)", (step,))

    def _migrate_legacy(self, det: Detection, result: MigrateResult) -> None:
        conn, spec = self.conn, LEGACY[det.shape]
        self.step = f"reading {spec.path()}"
        try:
            data = spec.path().read_bytes()
        except OSError as exc:
            raise MigrationError(f"legacy migration file missing: {exc}") from exc
        sql, checksum = data.decode("utf-8"), _sha256(data)
        started = time.perf_counter()

        self.step = "moving the legacy tables aside"
        result.archived = self._archive()
        result.kept = sorted(name for name, _ in _tables(conn).values()
                             if name.lower() not in {t.lower() for t in result.archived.values()})
        self._fault("archive")

        first = self.numbered[0]
        self.step = f"applying {first.path.name}"
        migrations.apply_migration(conn, first)
        result.applied.append(first.path.name)
        self._fault("schema")

        self.step = f"converting the legacy rows (legacy/{spec.filename})"
        self._source_views(spec)
        params = {"now": utc_now(), "default_ontology": self.default_ontology}
        statements = migrations.split_sql(sql)
        for i, statement in enumerate(statements, 1):
            if i == len(statements) // 2:
                self._fault("convert")
            self._fault(f"convert:{i}")
            self.step = f"running statement {i} of legacy/{spec.filename}"
            conn.execute(statement, params)
        self._report(spec, result)
        for src in spec.sources:
            conn.execute(f"DROP VIEW temp.{src.view}")
        conn.execute("DROP TABLE temp.legacy_notes")

        self.step = "recording the migration"
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at, checksum, execution_time_ms) "
            "VALUES (?, ?, ?, ?, ?)",
            (spec.version, spec.name, utc_now(), checksum, (time.perf_counter() - started) * 1000))
        result.applied.append(f"legacy/{spec.filename}")
        self._fault("record")

        for mig in migrations.pending(conn, self.numbered):
            self.step = f"applying {mig.path.name}"
            migrations.apply_migration(conn, mig)
            result.applied.append(mig.path.name)

    def _archive(self) -> dict[str, str]:
        """Move the legacy tables whose names the new schema takes out of the way (see module doc)."""
        conn, moved = self.conn, {}
        info = _tables(conn)
        for low in COPIED:
            if low not in info:
                continue
            name, _ = info[low]
            decl = [(r[1], r[2]) for r in conn.execute(f"PRAGMA main.table_info({_q(name)})")]
            target = _archived(low)
            columns = ", ".join(f"{_q(c)} {t}".rstrip() for c, t in decl)
            conn.execute(f"CREATE TABLE main.{_q(target)} ({columns})")
            names = ", ".join(_q(c) for c, _ in decl)
            conn.execute(f"INSERT INTO main.{_q(target)} ({names}) SELECT {names} FROM main.{_q(name)}")
            conn.execute(f"DROP TABLE main.{_q(name)}")
            moved[name] = target
        for low in RENAMED:
            if low in info:
                name, _ = info[low]
                conn.execute(f"ALTER TABLE main.{_q(name)} RENAME TO {_q(_archived(low))}")
                moved[name] = _archived(low)
        return moved

    def _source_views(self, spec: LegacyMigration) -> None:
        info = _tables(self.conn)
        for src in spec.sources:
            found = info.get(src.table.lower())
            if found is None:
                select = ", ".join(f"NULL AS {_q(c)}" for c in src.columns) + " WHERE 0"
            else:
                name, present = found
                select = ", ".join(_q(c) if c in present else f"NULL AS {_q(c)}" for c in src.columns)
                select += f" FROM main.{_q(name)}"
            self.conn.execute(f"CREATE TEMP VIEW {src.view} AS SELECT {select}")

    def _report(self, spec: LegacyMigration, result: MigrateResult) -> None:
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        edges = one("SELECT count(*) FROM src_hierarchy")
        if any(s.view == "src_classes" and "parent_class_iri" in s.columns for s in spec.sources):
            edges += one("SELECT count(*) FROM src_classes WHERE parent_class_iri IS NOT NULL")
        legacy_axioms = one("SELECT count(*) FROM owl_axioms WHERE id IN (SELECT id FROM src_axioms)")
        result.carried = {
            "classes": (one("SELECT count(*) FROM src_classes"), one("SELECT count(*) FROM file_classes")),
            "hierarchy edges": (edges, one("SELECT count(*) FROM file_edges")),
            "properties": (one("SELECT count(*) FROM src_properties"), one("SELECT count(*) FROM file_properties")),
            "axioms": (one("SELECT count(*) FROM src_axioms"), legacy_axioms),
        }
        result.generated_axioms = one("SELECT count(*) FROM owl_axioms") - legacy_axioms
        result.added_classes = list(self.conn.execute(
            "SELECT ontology_id, class_iri FROM owl_classes WHERE source_file IS NULL ORDER BY 1, 2"))
        for kind, onto, iri, detail in self.conn.execute(
                "SELECT kind, ontology_id, iri, detail FROM temp.legacy_notes ORDER BY rowid"):
            if kind == "property-type":
                result.notes.append(f"property {iri} ({onto}) has type {detail!r}, which names none of "
                                    "ObjectProperty, DataProperty, AnnotationProperty: stored as AnnotationProperty")
            elif kind == "no-iri":
                result.notes.append(f"rows without an IRI, kept only in the legacy copy: {detail}")
            else:
                result.notes.append(f"{kind}: {onto} {iri} {detail}")


def _describe_fk_problems(problems: list[tuple]) -> str:
    by_table: dict[str, int] = {}
    for table, _rowid, _parent, _fkid in problems:
        by_table[table] = by_table.get(table, 0) + 1
    listed = ", ".join(f"{t} ({n} rows)" for t, n in sorted(by_table.items()))
    return (f"PRAGMA foreign_key_check reports rows whose referenced row does not exist in: {listed}. "
            "In a table kept from the legacy database these were there before the migration; fix or delete "
            "them (in a copy), then migrate again")


def _row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    counts = {t: one(f"SELECT count(*) FROM {t}") for t in
              ("ontologies", "source_files", "owl_classes", "owl_class_hierarchy", "owl_properties", "owl_axioms")}
    counts["referenced-only classes"] = one("SELECT count(*) FROM owl_classes WHERE source_file IS NULL")
    return counts


# -- backup --------------------------------------------------------------------------------------
def backup_name(db_path: Path, backup_dir: str | Path | None, now: datetime | None = None) -> Path:
    """`<dir>/<stem>.backup-<UTC time><suffix>`, e.g. `ontology.backup-20250101T120000Z.db`."""
    directory = Path(backup_dir) if backup_dir else db_path.resolve().parent
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    return directory / f"{db_path.stem}.backup-{stamp}{db_path.suffix or '.db'}"


def _backup(db_path: Path, backup_dir: str | Path | None) -> Path:
    """An online copy through SQLite's backup API, integrity-checked; never overwrites a file.

    Taken through a second connection while the migrating one holds the write lock (BEGIN
    IMMEDIATE, nothing written yet), so the copy is exactly the state the migration starts from.
    """
    first = backup_name(db_path, backup_dir)
    first.parent.mkdir(parents=True, exist_ok=True)
    target = first
    for n in itertools.count(1):
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            break
        except FileExistsError:
            target = first.with_name(f"{first.stem}-{n}{first.suffix}")
    src = sqlite3.connect(db_path.resolve().as_uri() + "?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        problems = [r[0] for r in dst.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        raise MigrationFailed(f"could not back up {db_path} to {target}: {exc}; nothing was changed",
                              str(target)) from exc
    finally:
        dst.close()
        src.close()
    if problems != ["ok"]:
        raise MigrationFailed(
            f"the backup {target} fails PRAGMA integrity_check ({'; '.join(problems[:5])}): the database itself "
            "is probably damaged; nothing was changed", str(target))
    return target

