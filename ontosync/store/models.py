"""Peewee models of the contract tables (CONTRACT section 2), the store's database-neutral reads.

The schema itself is created by the numbered SQL files under `migrations/`, not by
`create_table()`: the SQL is what is checksummed and what legacy upgrades build on. The models
serve the reads that need no SQLite-specific SQL (`status`, store/status.py), so those reads work
unchanged on any database Peewee speaks (the PostgreSQL store builds on them).

Each model is one line of column specs (`_model`), in the table's column order, rather than a
class body of `name = TextField(null=True)` lines: the tables are mostly text columns that differ
only in whether they may be NULL, and a spec line reads like the migration's column list.
tests/test_store_reads.py checks every model against the schema the migrations create, so a
migration that adds a column without its model fails there.
`database_proxy` is bound when a store opens a database; `MODELS` lists them for `bind_ctx`.
"""

from __future__ import annotations

from peewee import (
    AutoField,
    CompositeKey,
    DatabaseProxy,
    Field,
    FloatField,
    IntegerField,
    Model,
    TextField,
)

database_proxy = DatabaseProxy()

# A spec word's type suffix -> its field ("text" when there is none); `auto` is the AUTOINCREMENT key.
FIELD_TYPES: dict[str, type[Field]] = {"text": TextField, "int": IntegerField, "real": FloatField,
                                       "auto": AutoField}


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


def _field(spec: str) -> tuple[str, Field]:
    """One spec word: `name[:type][?|*]`, where `?` allows NULL and `*` makes the primary key."""
    flag = spec[-1] if spec[-1] in "?*" else ""
    name, _, kind = spec.rstrip("?*").partition(":")
    field_type = FIELD_TYPES[kind or "text"]
    if field_type is AutoField:
        return name, AutoField()
    return name, field_type(null=flag == "?", primary_key=flag == "*")


def _model(class_name: str, table: str, columns: str, key: tuple[str, ...] = ()) -> type[BaseModel]:
    """A model of `table` from its column specs (see `_field`); `key` names a composite primary
    key. A table with neither a `*` column nor `key` has no primary key (Peewee would otherwise
    invent an `id` column the table does not have)."""
    fields = dict(_field(spec) for spec in columns.split())
    meta: dict = {"table_name": table}
    if key:
        meta["primary_key"] = CompositeKey(*key)
    elif not any(f.primary_key or isinstance(f, AutoField) for f in fields.values()):
        meta["primary_key"] = False
    return type(class_name, (BaseModel,), {**fields, "Meta": type("Meta", (), meta), "__module__": __name__})


# The facts a file declares and the contract rows derived from them share their columns: the
# per-file table adds `path`, the derived one `source_file` and `last_synced`.
CLASS = "ontology_id class_iri label? comment?"
PROPERTY = "ontology_id property_iri property_type label? domain? range?"
DERIVED = "source_file? last_synced"

SchemaMigration = _model("SchemaMigration", "schema_migrations",
                         "version:int* name applied_at checksum execution_time_ms:real")
SyncMeta = _model("SyncMeta", "sync_meta", "key* value?")
Ontology = _model("Ontology", "ontologies", "ontology_id* created_at")
SourceFileRow = _model("SourceFileRow", "source_files",  # fingerprint: migration 003
                       "path* blob_sha? good_blob_sha? size:int status error? error_line:int? error_kind? format? "
                       "ontology_id? public:int synced_at fingerprint?")
OwlClass = _model("OwlClass", "owl_classes", f"{CLASS} {DERIVED}", key=("ontology_id", "class_iri"))
OwlClassHierarchy = _model("OwlClassHierarchy", "owl_class_hierarchy", "ontology_id class_iri parent_iri",
                           key=("ontology_id", "class_iri", "parent_iri"))
OwlProperty = _model("OwlProperty", "owl_properties", f"{PROPERTY} {DERIVED}", key=("ontology_id", "property_iri"))
OwlAxiom = _model("OwlAxiom", "owl_axioms", "id:auto ontology_id axiom_type subject? object? annotations? "
                  "source_file? object_fallback? object_ref_key?")
# Each file's own facts. file_classes.line: where the file declares the class (migration 007);
# file_edges.parent_ref_text: the link as written (migration 004); file_synonyms: migration 002;
# the language tags of a fence's label, comment and synonyms: migration 013.
FileClass = _model("FileClass", "file_classes", f"path {CLASS} line:int? label_language? comment_language?",
                   key=("path", "ontology_id", "class_iri"))
FileEdge = _model("FileEdge", "file_edges",
                  "path ontology_id class_iri parent_iri parent_fallback parent_ref_key? parent_ref_text?")
FileProperty = _model("FileProperty", "file_properties", f"path {PROPERTY} label_language?",
                      key=("path", "ontology_id", "property_iri"))
PageName = _model("PageName", "page_names", "path ontology_id name_key rank:int class_iri",
                  key=("path", "name_key", "rank"))
FileSynonym = _model("FileSynonym", "file_synonyms", "path ontology_id class_iri synonym predicate language?",
                     key=("path", "ontology_id", "class_iri", "predicate", "synonym"))

MODELS = (SchemaMigration, SyncMeta, Ontology, SourceFileRow, OwlClass, OwlClassHierarchy, OwlProperty, OwlAxiom,
          FileClass, FileEdge, FileProperty, PageName, FileSynonym)
