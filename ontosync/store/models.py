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

    class Meta:
        table_name = "schema_migrations"


class SyncMeta(BaseModel):
    key = TextField(primary_key=True)
    value = TextField(null=True)

    class Meta:
        table_name = "sync_meta"


class Ontology(BaseModel):
    ontology_id = TextField(primary_key=True)
    created_at = TextField()

    class Meta:
        table_name = "ontologies"


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

    class Meta:
        table_name = "source_files"


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


class OwlClass(_ClassColumns):
    source_file = TextField(null=True)
    last_synced = TextField()

    class Meta:
        table_name = "owl_classes"
        primary_key = CompositeKey("ontology_id", "class_iri")


class OwlClassHierarchy(BaseModel):
    ontology_id = TextField()
    class_iri = TextField()
    parent_iri = TextField()

    class Meta:
        table_name = "owl_class_hierarchy"
        primary_key = CompositeKey("ontology_id", "class_iri", "parent_iri")


class OwlProperty(_PropertyColumns):
    source_file = TextField(null=True)
    last_synced = TextField()

    class Meta:
        table_name = "owl_properties"
        primary_key = CompositeKey("ontology_id", "property_iri")


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

    class Meta:
        table_name = "owl_axioms"


class FileClass(_ClassColumns):
    path = TextField()
    line = IntegerField(null=True)  # where the file declares the class (migration 007)

    class Meta:
        table_name = "file_classes"
        primary_key = CompositeKey("path", "ontology_id", "class_iri")


class FileEdge(BaseModel):
    path = TextField()
    ontology_id = TextField()
    class_iri = TextField()
    parent_iri = TextField()
    parent_fallback = TextField()
    parent_ref_key = TextField(null=True)
    parent_ref_text = TextField(null=True)  # the link as written (migration 004)

    class Meta:
        table_name = "file_edges"
        primary_key = False


class FileProperty(_PropertyColumns):
    path = TextField()

    class Meta:
        table_name = "file_properties"
        primary_key = CompositeKey("path", "ontology_id", "property_iri")


class PageName(BaseModel):
    path = TextField()
    ontology_id = TextField()
    name_key = TextField()
    rank = IntegerField()
    class_iri = TextField()

    class Meta:
        table_name = "page_names"
        primary_key = CompositeKey("path", "name_key", "rank")


class FileSynonym(BaseModel):  # migration 002
    path = TextField()
    ontology_id = TextField()
    class_iri = TextField()
    synonym = TextField()
    predicate = TextField()

    class Meta:
        table_name = "file_synonyms"
        primary_key = CompositeKey("path", "ontology_id", "class_iri", "predicate", "synonym")


MODELS = (SchemaMigration, SyncMeta, Ontology, SourceFileRow, OwlClass, OwlClassHierarchy, OwlProperty, OwlAxiom,
          FileClass, FileEdge, FileProperty, PageName, FileSynonym)
