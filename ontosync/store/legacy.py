"""The legacy shapes (L1, L2, L3) and their conversions, written once and parametrised.

Every conversion is three SQL files under `migrations/legacy/` run as one text:
`stage.sql` (the staging tables), the shape's own `<part>_facts.sql` (its rows -> staged facts;
L2 and L3 share `l2_l3_facts.sql`: they differ only in the pseudo source file's name, which is
the `:file_prefix` parameter) and `load.sql` (staged facts -> the contract tables). That text is
the conversion `legacy/<shape>_to_current.sql` that `schema_migrations` records under version -1,
-2 or -3 with the SHA-256 of the text.

Databases migrated before the conversions were split recorded the checksum of the single file
`l1_to_current.sql` / `l2_to_current.sql` / `l3_to_current.sql` of that time; databases migrated
before the report of rows without an IRI moved into `stage.sql` recorded the split text of that
time. Those checksums are listed in `HISTORICAL_CHECKSUMS` and stay valid: a database carrying one
of them was built by the same statements (the split files run exactly those statements, with the
shape's name now a parameter and L1's `iri` columns read under the names L2 and L3 use).
Any other recorded checksum means the legacy SQL changed after it was applied, and is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ontosync.store import migrations

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

# version -> SHA-256 of the conversion text earlier releases recorded: first the one-file
# conversion from before the split, then the split text from before the "no IRI" report moved into
# stage.sql (L1's views now name its `iri` columns `class_iri` / `property_iri`, as L2 and L3 do).
_SPLIT_L2_L3 = "ddf0894c1eb2d2a77c2922c20b7bf17f808a823f0d2fa694581ccd7ca169ed43"
HISTORICAL_CHECKSUMS = {
    -1: frozenset({"b47e46ea35d35d1f42b28d972dea2a855316575f91187660ff9f407484f65bc6",
                   "294975ac37e75e45e2df21894689696f892d1468358caa3a919cbe4d34826369"}),
    -2: frozenset({"ff6f29c0e4033b8e7252f439898fb57d7e1dbc929ffcc7d79fb525c23aad8746", _SPLIT_L2_L3}),
    -3: frozenset({"2864bfb01bd6ac5ca4624953167ce5f533421f642c7390859192b7974acabf88", _SPLIT_L2_L3}),
}


# Columns the conversion reads as they are: ids, and flags (it tests their type itself). Every
# other column is text, read through `text_of` (see there).
AS_STORED = frozenset({"id", "is_inferred", "is_deprecated", "is_functional", "is_inverse_functional",
                       "is_symmetric", "is_transitive"})
TEXT_FUNCTION = "ontosync_legacy_text"


def text_of(raw: bytes | None) -> str | None:
    """A legacy value as the text the new schema holds, given its bytes (the SQL function
    TEXT_FUNCTION, which `text_column` applies to every text column the conversion reads).

    Why: the old tools stored whatever Python handed them: bytes became BLOBs, bytes cast to TEXT
    kept bytes that are not UTF-8. SQLite keeps such values, but its JSON functions refuse BLOBs
    and Python cannot decode them, so one such value failed the migration, or every sync after it.
    The bytes are decoded as UTF-8, each byte that is not UTF-8 written `\\xNN` (as file names
    are); the legacy_* copy keeps the original value.
    """
    return None if raw is None else raw.decode("utf-8", "backslashreplace")


def text_column(column: str, utf8: bool) -> str:
    """The SQL that reads `column` (quoted) as text: a number as its digits, a BLOB or a TEXT holding
    bytes that are not UTF-8 through `text_of`. A UTF-16 database holds only valid text (SQLite
    converted it on the way in; its BLOB cast would give UTF-16 bytes)."""
    as_text = f"{TEXT_FUNCTION}(CAST({column} AS BLOB))" if utf8 else column
    return (f"CASE typeof({column}) WHEN 'text' THEN {as_text} WHEN 'blob' THEN {TEXT_FUNCTION}({column}) "
            f"WHEN 'null' THEN NULL ELSE CAST({column} AS TEXT) END")


def archived(origin: str) -> str:
    return ARCHIVE_PREFIX + origin


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
    renamed: tuple[tuple[str, str], ...] = ()  # (legacy column, the view's name for it)

    def view_name(self, column: str) -> str:
        return dict(self.renamed).get(column, column)


@dataclass(frozen=True)
class LegacyMigration:
    shape: str
    version: int  # negative: outside the numbered sequence, never collides with NNN_name.sql
    facts_file: str  # the shape's part, between stage.sql and load.sql
    sources: tuple[Source, ...]

    @property
    def label(self) -> str:
        """What the conversion is called in reports and errors: `legacy/l2_to_current.sql`."""
        return f"legacy/{self.shape.lower()}_to_current.sql"

    @property
    def name(self) -> str:
        """The `schema_migrations.name` (the same as before the split)."""
        return f"legacy_{self.shape.lower()}_to_current"

    @property
    def files(self) -> tuple[str, ...]:
        return "stage.sql", self.facts_file, "load.sql"

    @property
    def params(self) -> dict[str, str]:
        return {"file_prefix": f"legacy:{self.shape}/"}

    def text(self) -> bytes:
        """The conversion as one text; raises OSError when a part is missing."""
        folder = migrations.migrations_dir() / "legacy"
        return b"".join((folder / name).read_bytes() for name in self.files)

    def checksum(self) -> str:
        return hashlib.sha256(self.text()).hexdigest()

    def accepts(self, recorded: str) -> bool:
        """Was a database that recorded `recorded` built by this conversion (see module doc)?"""
        return recorded == self.checksum() or recorded in HISTORICAL_CHECKSUMS.get(self.version, ())


_L1_SOURCES = (
    Source("src_classes", "owl_classes", archived("owl_classes"), ("iri", "label", "description"), ("iri",),
           (("iri", "class_iri"),)),
    Source("src_hierarchy", "owl_class_hierarchy", archived("owl_class_hierarchy"),
           ("class_iri", "parent_iri"), ("class_iri", "parent_iri")),
    Source("src_properties", "owl_properties", archived("owl_properties"),
           ("iri", "label", "property_type", "domain", "range"), ("iri",), (("iri", "property_iri"),)),
    Source("src_axioms", "owl_axioms", archived("owl_axioms"),
           ("id", "axiom_type", "subject", "object", "annotations", "is_inferred"), ("axiom_type", "subject")),
)
_L23_SOURCES = (
    Source("src_classes", "owl_classes", archived("owl_classes"),
           ("ontology_id", "class_iri", "label", "comment", "parent_class_iri", "is_deprecated"),
           ("ontology_id", "class_iri")),
    Source("src_hierarchy", "owl_class_hierarchy", archived("owl_class_hierarchy"),
           ("class_iri", "parent_iri"), ("class_iri", "parent_iri")),
    Source("src_properties", "owl_properties", archived("owl_properties"),
           ("ontology_id", "property_iri", "property_type", "label", "comment", "domain_class_iri",
            "range_class_iri", "is_functional", "is_inverse_functional", "is_symmetric", "is_transitive",
            "inverse_property_iri"),
           ("ontology_id", "property_iri")),
    Source("src_axioms", "owl_axioms", archived("owl_axioms"),
           ("id", "ontology_id", "axiom_type", "subject", "object", "annotations", "is_inferred"),
           ("axiom_type", "subject")),
    Source("src_disjoint", "owl_disjoint_classes", "owl_disjoint_classes",
           ("ontology_id", "class_iri_1", "class_iri_2"), ("class_iri_1", "class_iri_2")),
)
LEGACY = {
    L1: LegacyMigration(L1, -1, "l1_facts.sql", _L1_SOURCES),
    L2: LegacyMigration(L2, -2, "l2_l3_facts.sql", _L23_SOURCES),
    L3: LegacyMigration(L3, -3, "l2_l3_facts.sql", _L23_SOURCES),
}
