"""Peewee models of the contract tables (CONTRACT section 2), the store's database-neutral reads.

The schema itself is created by the numbered SQL files under `migrations/`, not by
`create_table()`: the SQL is what is checksummed and what legacy upgrades build on. The models
serve the reads that need no SQLite-specific SQL (`status`, store/status.py), so those reads work
unchanged on any database Peewee speaks (the PostgreSQL store builds on them).
tests/test_store_reads.py checks every model against the schema the migrations create, so a
migration that adds a column without its model fails there.
`database_proxy` is bound when a store opens a database; `MODELS` lists them for `bind_ctx`.
"""

from __future__ import annotations

from peewee import (
    AutoField,
    CompositeKey,
    DatabaseProxy,
    FloatField,
    IntegerField,
    Model,
    TextField,
)

database_proxy = DatabaseProxy()


def _table(name: str, *key: str, keyless: bool = False) -> type:
    """A model's Meta: its table, and its composite primary key when `key` names the columns
    (`keyless`: a table without a primary key)."""
    attrs: dict = {"table_name": name}
    if key or keyless:
        attrs["primary_key"] = CompositeKey(*key) if key else False
    return type("Meta", (), attrs)


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class SchemaMigration(BaseModel):
    version = IntegerField(primary_key=True)
    name = TextField()
    applied_at = TextField()
    checksum = TextField()
    execution_time_ms = FloatField()
    Meta = _table("schema_migrations")


class SyncMeta(BaseModel):
    key = TextField(primary_key=True)
    value = TextField(null=True)
    Meta = _table("sync_meta")


class Ontology(BaseModel):
    ontology_id = TextField(primary_key=True)
    created_at = TextField()
    Meta = _table("ontologies")


class SourceFileRow(BaseModel):
    path = TextField(primary_key=True)
    blob_sha = TextField(null=True)
    good_blob_sha = TextField(null=True)
    size = IntegerField()
    status = TextField()
    error = TextField(null=True)
    error_line = IntegerField(null=True)
    error_kind = TextField(null=True)
    format = TextField(null=True)
    ontology_id = TextField(null=True)
    public = IntegerField(default=0)
    synced_at = TextField()
    fingerprint = TextField(null=True)  # migration 003
    Meta = _table("source_files")


# The facts a file declares and the contract rows derived from them share their columns: the
# per-file table adds `path`, the derived one `source_file` and `last_synced`.
class _ClassColumns(BaseModel):
    ontology_id = TextField()
    class_iri = TextField()
    label = TextField(null=True)
    comment = TextField(null=True)


class _PropertyColumns(BaseModel):
    ontology_id = TextField()
    property_iri = TextField()
    property_type = TextField()
    label = TextField(null=True)
    domain = TextField(null=True)
    range = TextField(null=True)


class _Derived(BaseModel):
    source_file = TextField(null=True)
    last_synced = TextField()


class OwlClass(_ClassColumns, _Derived):
    Meta = _table("owl_classes", "ontology_id", "class_iri")


class OwlProperty(_PropertyColumns, _Derived):
    Meta = _table("owl_properties", "ontology_id", "property_iri")


class OwlClassHierarchy(BaseModel):
    ontology_id = TextField()
    class_iri = TextField()
    parent_iri = TextField()
    Meta = _table("owl_class_hierarchy", "ontology_id", "class_iri", "parent_iri")


class OwlAxiom(BaseModel):
    id = AutoField()
    ontology_id = TextField()
    axiom_type = TextField()
    subject = TextField(null=True)
    object = TextField(null=True)
    annotations = TextField(null=True)
    source_file = TextField(null=True)
    object_fallback = TextField(null=True)
    object_ref_key = TextField(null=True)
    Meta = _table("owl_axioms")


class FileClass(_ClassColumns):
    path = TextField()
    line = IntegerField(null=True)  # where the file declares the class (migration 007)
    Meta = _table("file_classes", "path", "ontology_id", "class_iri")


class _FileRow(BaseModel):
    """The columns every per-file table starts with: the file and its ontology id."""
    path = TextField()
    ontology_id = TextField()


class FileEdge(_FileRow):
    class_iri = TextField()
    parent_iri = TextField()
    parent_fallback = TextField()
    parent_ref_key = TextField(null=True)
    parent_ref_text = TextField(null=True)  # the link as written (migration 004)
    Meta = _table("file_edges", keyless=True)


class FileProperty(_PropertyColumns):
    path = TextField()
    Meta = _table("file_properties", "path", "ontology_id", "property_iri")


class PageName(_FileRow):
    name_key = TextField()
    rank = IntegerField()
    class_iri = TextField()
    Meta = _table("page_names", "path", "name_key", "rank")


class FileSynonym(_FileRow):  # migration 002
    class_iri = TextField()
    synonym = TextField()
    predicate = TextField()
    Meta = _table("file_synonyms", "path", "ontology_id", "class_iri", "predicate", "synonym")


MODELS = (SchemaMigration, SyncMeta, Ontology, SourceFileRow, OwlClass, OwlClassHierarchy, OwlProperty, OwlAxiom,
          FileClass, FileEdge, FileProperty, PageName, FileSynonym)
