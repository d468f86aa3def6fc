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
  the legacy rows converted by the legacy conversion (`migrations/legacy/`), the later numbered
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

The conversion SQL (`migrations/legacy/`, written once for all shapes: see legacy.py) is recorded
with its checksum in `schema_migrations` (negative versions, outside the numbered sequence), so a
modified legacy migration file is refused like a numbered one.
`ONTOSYNC_FAULT_MIGRATION=<step>` makes a statement fail at that step, for tests.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from ontosync.store import migrations, new_database, transaction
from ontosync.store.backup import BUSY_TIMEOUT_S, back_up, backup_name
from ontosync.store.db_errors import size_limit_note
from ontosync.store.legacy import (
    AS_STORED,
    COPIED,
    CURRENT,
    EMPTY,
    LEGACY,
    RENAMED,
    TEXT_FUNCTION,
    UNKNOWN,
    LegacyMigration,
    archived,
    text_column,
    text_of,
)
from ontosync.store.migrations import Migration, MigrationError, utc_now
from ontosync.store.read_only import LFS_DATABASE, lfs_pointer_at, read_only_uri
from ontosync.store.shapes import Detection, detect, is_locked, quote_name, tables_of
from ontosync.store.upgrade_errors import (
    DatabaseBusy,
    DatabaseNotFound,
    MigrationFailed,
    NewerDatabase,
    UnknownShapeError,
    UpgradeError,
)
from ontosync.store.upgrade_report import MigrateResult, PrepareResult

# Callers import these from here; they live in the modules named for their job.
__all__ = ["BUSY_TIMEOUT_S", "FAULT_ENV", "DatabaseBusy", "DatabaseNotFound", "MigrateResult", "MigrationFailed",
           "NewerDatabase", "PrepareResult", "UnknownShapeError", "UpgradeError", "backup_name", "detect_shape",
           "migrate", "newer_migrations", "prepare_database"]

FAULT_ENV = "ONTOSYNC_FAULT_MIGRATION"  # its steps: archive, schema, convert[:N], record, commit (`_fault`)


# -- public API ----------------------------------------------------------------------------------
def prepare_database(db_path: str | Path, backup_dir: str | Path | None = None, *,
                     default_ontology: str = "default", busy_timeout: float = BUSY_TIMEOUT_S) -> PrepareResult:
    """Make `db_path` ready for a sync: create, upgrade or migrate it (with a backup when it holds data).

    Read-only and a few milliseconds when the database is already current. Waits up to
    `busy_timeout` seconds (the sync's --busy-timeout) for another writer's lock.
    Raises UnknownShapeError (exit 2, untouched) or MigrationFailed (exit 3, rolled back).
    """
    path = Path(db_path)
    numbered = _numbered()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        born = _born_whole(path, numbered)
        if born is not None:
            return born
    return _upgrade_file(path, backup_dir, numbered, default_ontology, busy_timeout=busy_timeout)


def _born_whole(path: Path, numbered: list[Migration]) -> PrepareResult | None:
    """A missing database made from the snapshot beside it and linked in (store/new_database.py);
    None to build it in place: no current snapshot, a name taken meanwhile, a file system without
    hard links, or a fault asked for (`FAULT_ENV` exercises the build in place)."""
    snap = new_database.load(numbered) if FAULT_ENV not in os.environ else None
    applied = new_database.born_whole(path, snap, numbered) if snap is not None else None
    if applied is None:
        return None
    result = PrepareResult(str(path), EMPTY, applied=applied)
    result.rows = dict.fromkeys(_ROW_TABLES, 0) | {"referenced-only classes": 0}  # as _row_counts finds it
    return result


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

    conn = _connect(path, read_only=True)
    try:
        det = _detect_checked(conn, path, numbered)
        if det.shape == CURRENT:
            _check_recorded(conn, numbered)
            if not migrations.pending(conn, numbered):
                return MigrateResult(str(path), CURRENT, dry_run=True)
        result = _dry_run(conn, path, numbered, default_ontology)
    finally:
        conn.close()
    result.db_path, result.dry_run, result.backup_path = str(path), True, None
    return result


def _dry_run(conn: sqlite3.Connection, path: Path, numbered: list[Migration], default_ontology: str) -> MigrateResult:
    """Migrate a private copy in a temporary folder, then throw it away.

    A temporary folder without room for the copy (or for the copy's migration) is said to be
    that, naming the folder: SQLite's "database or disk is full" / "disk I/O error" alone read as
    if the database itself had the problem.
    """
    with tempfile.TemporaryDirectory(prefix="ontosync-dry-run-") as tmp:
        copy = Path(tmp) / path.name
        try:
            dst = sqlite3.connect(copy)
            try:
                conn.backup(dst)
            finally:
                dst.close()
            return _upgrade_file(copy, None, numbered, default_ontology, take_backup=False)
        except sqlite3.Error as exc:
            raise _scratch_full(Path(tmp), exc) from exc
        except MigrationFailed as exc:
            cause = exc.__cause__
            if isinstance(cause, sqlite3.OperationalError) and re.search(r"disk is full|disk I/O", str(cause)):
                raise _scratch_full(Path(tmp), cause) from exc
            raise MigrationFailed("dry run (nothing was written): the migration would fail: "
                                  + str(exc).replace(str(copy), str(path))) from exc


def _scratch_full(tmp: Path, exc: sqlite3.Error) -> MigrationFailed:
    return MigrationFailed(f"dry run (nothing was written): its private copy of the database in {tmp.parent} "
                           f"could not be written: {exc}; give TMPDIR a folder with room for a copy")


def detect_shape(db_path: str | Path) -> Detection:
    """Which shape `db_path` has (see module docstring); reads only."""
    path = Path(db_path)
    if not path.exists():
        return Detection(EMPTY, {}, "no file yet")
    conn = _connect(path)
    try:
        return detect(conn)
    finally:
        conn.close()


# -- connection and detection ---------------------------------------------------------------------
def _connect(path: Path, busy_timeout: float = BUSY_TIMEOUT_S, read_only: bool = False) -> sqlite3.Connection:
    """Autocommit (we issue BEGIN ourselves) with foreign keys on for the connection's whole life.
    `read_only` for the dry run, which never writes the database: opened read-write, it failed on
    a database the user may only read (read-only media, a file of another user's)."""
    create = not path.exists()
    uri = path.resolve().as_uri() + ("?mode=rwc" if create else "?mode=rw")
    try:
        uri = read_only_uri(path) if read_only else uri
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=busy_timeout)
        conn.execute("PRAGMA foreign_keys=ON")
        on = conn.execute("PRAGMA foreign_keys").fetchone()
    except sqlite3.Error as exc:
        raise MigrationFailed(f"{path}: cannot open the database: {exc}") from exc
    if not on or on[0] != 1:
        conn.close()
        raise MigrationFailed("this SQLite build cannot enforce foreign keys; refusing to migrate")
    return conn


def _detect_checked(conn: sqlite3.Connection, path: Path, numbered: list[Migration] | None = None) -> Detection:
    try:
        det = detect(conn, numbered)
    except sqlite3.OperationalError as exc:  # detect lets only a lock through (is_locked)
        raise _busy(path, exc) from exc
    if det.shape == UNKNOWN:
        what = LFS_DATABASE if lfs_pointer_at(path) else f"not a database ontosync can upgrade: {det.reason}"
        raise UnknownShapeError(f"{path}: {what}. Nothing was changed.")
    return det


def _busy(path: Path, exc: sqlite3.Error) -> DatabaseBusy:
    """Another writer held SQLite's lock past the busy timeout: exit 4, naming it."""
    from ontosync.store.lock import describe_writers

    return DatabaseBusy(f"{path} is busy: locked by {describe_writers(path)}: {exc}; nothing was changed, run again")


# -- migration files -----------------------------------------------------------------------------
def _numbered() -> list[Migration]:
    try:
        found = migrations.available_migrations()
    except MigrationError as exc:
        raise MigrationFailed(str(exc)) from exc
    if found[0].version != 1:
        raise MigrationFailed(f"{migrations.migrations_dir()}: the first migration is not 001")
    return found


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
        if recorded is None:
            continue
        try:
            accepted = spec.accepts(recorded)
        except OSError:
            continue  # a part is missing: nothing will run it; the numbered files decide
        if not accepted:
            raise MigrationFailed(
                f"migration {spec.label} changed after it was applied (checksum {spec.checksum()[:12]} != "
                f"recorded {recorded[:12]}; it is the text of {', '.join('legacy/' + f for f in spec.files)}); "
                "refusing to run")


def newer_migrations(db_path: str | Path) -> tuple[list[int], int]:
    """The migrations an ontosync database applied that this release lacks (a newer ontosync wrote
    it), and this release's newest; reads only. The Action's restore asks before using an artifact."""
    numbered = _numbered()
    conn = _connect(Path(db_path))
    try:
        return _unknown(migrations.applied_versions(conn), numbered), max(m.version for m in numbered)
    finally:
        conn.close()


def _unknown(applied: dict[int, str], numbered: list[Migration]) -> list[int]:
    known = {m.version for m in numbered} | {spec.version for spec in LEGACY.values()}
    return sorted(v for v in applied if v not in known)


def _refuse_newer(applied: dict[int, str], numbered: list[Migration]) -> None:
    """A database that applied migrations this release does not have was written by a newer
    ontosync: writing it with this one could break what the newer schema relies on."""
    unknown = _unknown(applied, numbered)
    if unknown:
        raise NewerDatabase(
            f"database written by a newer ontosync: it has migration(s) {', '.join(map(str, unknown))}, which "
            f"this release (migrations up to {max(m.version for m in numbered):03d}) does not know. Nothing was "
            "written; upgrade ontosync to sync it (verify and status still read it).")


# -- the run -------------------------------------------------------------------------------------
def _upgrade_file(path: Path, backup_dir: str | Path | None, numbered: list[Migration], default_ontology: str,
                  take_backup: bool = True, busy_timeout: float = BUSY_TIMEOUT_S) -> MigrateResult:
    conn = _connect(path, busy_timeout)
    try:
        return _Upgrade(conn, path, numbered, default_ontology).run(backup_dir, take_backup)
    finally:
        conn.close()


@contextmanager
def _plain_renames(conn: sqlite3.Connection, new_database: bool):
    """On a new (empty) database, the migrations run with `PRAGMA legacy_alter_table=ON`.

    Why: every first sync makes a new database, and 012's four `ALTER TABLE ... RENAME` made up two
    thirds of applying 001-012 (~25 of ~38 ms of CPU; the test suite makes well over a thousand).
    SQLite's default rename checks and rewrites every view and trigger of the schema that names the
    table; the legacy rename leaves views and triggers alone (foreign keys are still rewritten:
    they are on). No migration renames a table that a view or trigger names, so the schema comes out
    the same, statement for statement (tests/test_new_database_schema.py compares it with the
    migrations applied one by one). A database holding data keeps SQLite's default, checked rename."""
    if not new_database:
        yield
        return
    conn.execute("PRAGMA legacy_alter_table=ON")
    try:
        yield
    finally:
        conn.execute("PRAGMA legacy_alter_table=OFF")


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
        writing = False
        try:
            with transaction.immediate(conn, self._cannot_begin):
                result, work = self._under_lock(backup_dir, take_backup)
                if not work:
                    return result
                writing = True
                self._write(result)
                self.step = "committing"
        except Exception as exc:
            if not writing:
                raise
            where = f" while {self.step}" if self.step else ""
            backup = (f" A backup taken before the migration is at {result.backup_path}."
                      if result.backup_path else "")
            raise MigrationFailed(
                f"{self.path}: migration from {result.shape} failed{where}: {exc}{size_limit_note(exc)}. "
                "It was rolled back: the "
                f"database is exactly as it was.{backup}", result.backup_path) from exc
        with suppress(sqlite3.Error):  # the contract's journal mode; not a reason to fail a done migration
            conn.execute("PRAGMA journal_mode=WAL")
        return result

    def _cannot_begin(self, exc: sqlite3.Error) -> UpgradeError:
        """BEGIN IMMEDIATE failed: locked by another writer (exit 4), read-only file or directory."""
        if is_locked(exc):
            return _busy(self.path, exc)
        return MigrationFailed(f"{self.path}: cannot start the migration: {exc}; nothing was changed")

    def _under_lock(self, backup_dir: str | Path | None, take_backup: bool) -> tuple[MigrateResult, bool]:
        """Look again under the write lock (another process may have migrated it meanwhile), then
        take the backup; returns the result so far and whether there is anything to write."""
        det = _detect_checked(self.conn, self.path, self.numbered)
        if det.shape == CURRENT:
            _check_recorded(self.conn, self.numbered)
        result = MigrateResult(str(self.path), det.shape)
        if det.shape == CURRENT and not migrations.pending(self.conn, self.numbered):
            return result, False
        if take_backup and det.shape != EMPTY:
            self.step = "taking the backup"
            result.backup_path = str(back_up(self.path, backup_dir))
        return result, True

    def _write(self, result: MigrateResult) -> None:
        snap = new_database.load(self.numbered) if result.shape == EMPTY else None
        if snap is not None:  # the migrations' schema at once (store/new_database.py)
            self.step = "creating the schema"
            result.applied.extend(new_database.create(self.conn, snap, self.numbered))
            self._fault("schema")
        elif result.shape in (EMPTY, CURRENT):
            with _plain_renames(self.conn, result.shape == EMPTY):
                for mig in migrations.pending(self.conn, self.numbered):
                    self.step = f"applying {mig.path.name}"
                    migrations.apply_migration(self.conn, mig)
                    result.applied.append(mig.path.name)
                    self._fault("schema")
        else:
            self._migrate_legacy(LEGACY[result.shape], result)
        self.step = "checking foreign keys"
        self._fault("commit")
        problems = self.conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise MigrationError(_describe_fk_problems(problems))
        result.rows = _row_counts(self.conn)

    def _fault(self, step: str) -> None:
        """Test hook: `ONTOSYNC_FAULT_MIGRATION=<step>` runs a failing statement at that step."""
        if os.environ.get(FAULT_ENV) == step:
            self.conn.execute("INSERT INTO ontosync_injected_fault (step) VALUES (?)", (step,))

    def _migrate_legacy(self, spec: LegacyMigration, result: MigrateResult) -> None:
        conn = self.conn
        self.step = f"reading {', '.join('legacy/' + f for f in spec.files)}"
        try:
            data = spec.text()
        except OSError as exc:
            raise MigrationError(f"legacy migration file missing: {exc}") from exc
        sql, checksum = data.decode("utf-8"), spec.checksum()
        started = time.perf_counter()

        self.step = "moving the legacy tables aside"
        result.archived = self._archive()
        result.kept = sorted(name for name, _ in tables_of(conn).values()
                             if name.lower() not in {t.lower() for t in result.archived.values()})
        self._fault("archive")

        first = self.numbered[0]
        self.step = f"applying {first.path.name}"
        migrations.apply_migration(conn, first)
        result.applied.append(first.path.name)
        self._fault("schema")

        self.step = f"converting the legacy rows ({spec.label})"
        self._source_views(spec)
        params = {"now": utc_now(), "default_ontology": self.default_ontology, **spec.params}
        statements = migrations.split_sql(sql)
        for i, statement in enumerate(statements, 1):
            if i == len(statements) // 2:
                self._fault("convert")
            self._fault(f"convert:{i}")
            self.step = f"running statement {i} of {spec.label}"
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
        result.applied.append(spec.label)
        self._fault("record")

        for mig in migrations.pending(conn, self.numbered):
            self.step = f"applying {mig.path.name}"
            migrations.apply_migration(conn, mig)
            result.applied.append(mig.path.name)

    def _archive(self) -> dict[str, str]:
        """Move the legacy tables whose names the new schema takes out of the way (see module doc)."""
        conn, moved = self.conn, {}
        info = tables_of(conn)
        for low in COPIED:
            if low not in info:
                continue
            name, _ = info[low]
            decl = [(r[1], r[2]) for r in conn.execute(f"PRAGMA main.table_info({quote_name(name)})")]
            target = archived(low)
            columns = ", ".join(f"{quote_name(c)} {t}".rstrip() for c, t in decl)
            conn.execute(f"CREATE TABLE main.{quote_name(target)} ({columns})")
            names = ", ".join(quote_name(c) for c, _ in decl)
            conn.execute(f"INSERT INTO main.{quote_name(target)} ({names}) SELECT {names} FROM main.{quote_name(name)}")
            conn.execute(f"DROP TABLE main.{quote_name(name)}")
            moved[name] = target
        for low in RENAMED:
            if low in info:
                name, _ = info[low]
                conn.execute(f"ALTER TABLE main.{quote_name(name)} RENAME TO {quote_name(archived(low))}")
                moved[name] = archived(low)
        return moved

    def _source_views(self, spec: LegacyMigration) -> None:
        """The TEMP views the conversion reads (legacy.Source), every text column as valid text."""
        info = tables_of(self.conn)
        self.conn.create_function(TEXT_FUNCTION, 1, text_of, deterministic=True)
        utf8 = self.conn.execute("PRAGMA encoding").fetchone()[0] == "UTF-8"

        def read(column: str) -> str:
            return quote_name(column) if column in AS_STORED else text_column(quote_name(column), utf8)

        for src in spec.sources:
            found = info.get(src.table.lower())
            present = found[1] if found else ()
            select = ", ".join(f"{read(c) if c in present else 'NULL'} AS {quote_name(src.view_name(c))}"
                               for c in src.columns)
            select += f" FROM main.{quote_name(found[0])}" if found else " WHERE 0"
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


_ROW_TABLES = ("ontologies", "source_files", "owl_classes", "owl_class_hierarchy", "owl_properties", "owl_axioms")


def _row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    counts = {t: one(f"SELECT count(*) FROM {t}") for t in _ROW_TABLES}
    counts["referenced-only classes"] = one("SELECT count(*) FROM owl_classes WHERE source_file IS NULL")
    return counts


