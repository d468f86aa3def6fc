"""What a PostgreSQL store made by this release's migrations holds besides its tables, which
`verify` checks is still there: each table's keys, foreign keys and checks, the change log's
triggers, and the unique indexes a save's upserts name as their conflict target.

Why: `verify` validated only the constraints it found. A schema moved with pg_dump and pg_restore
whose restore stopped short (a role without the right to a trigger's function, `--section=data`),
or an `ALTER TABLE ... DROP CONSTRAINT`, had lost foreign keys or the change log's triggers, and
`verify` said "constraints validated, migrations match, foreign keys hold": the next sync logged no
change, or left orphans no key refused. Only what is missing counts (a DBA's own triggers may be
added). The names are PostgreSQL's for what the migrations create; tests/test_postgres_round12.py
checks this list against a schema migrated afresh, so a new migration updates it.
"""

from __future__ import annotations

from typing import Any

# table -> what it holds: `constraint NAME` (a key, foreign key or check), `trigger NAME`,
# `unique index NAME` (one no constraint owns)
EXPECTED: dict[str, tuple[str, ...]] = {
    "class_search": ("constraint class_search_curie_key", "constraint class_search_pkey"),
    "class_search_words": ("constraint class_search_words_id_fkey", "constraint class_search_words_pkey"),
    "entailed_edge": ("constraint entailed_edge_pkey",),
    "file_classes": ("constraint file_classes_path_fkey", "constraint file_classes_pkey"),
    "file_edges": ("constraint file_edges_path_fkey",),
    "file_properties": ("constraint file_properties_path_fkey", "constraint file_properties_pkey"),
    "file_synonyms": ("constraint file_synonyms_path_fkey", "trigger chg_syn_d", "trigger chg_syn_i",
                      "unique index file_synonyms_pkey"),
    "ontologies": ("constraint ontologies_pkey",),
    "owl_axioms": ("constraint owl_axioms_ontology_id_fkey", "constraint owl_axioms_pkey", "trigger chg_ax_d",
                   "trigger chg_ax_i", "trigger chg_ax_u"),
    "owl_class_hierarchy": ("constraint owl_class_hierarchy_ontology_id_class_iri_fkey",
                            "constraint owl_class_hierarchy_ontology_id_parent_iri_fkey",
                            "constraint owl_class_hierarchy_pkey", "trigger chg_hier_d", "trigger chg_hier_i"),
    "owl_classes": ("constraint owl_classes_ontology_id_fkey", "constraint owl_classes_pkey", "trigger chg_cls_d",
                    "trigger chg_cls_i", "trigger chg_cls_u"),
    "owl_properties": ("constraint owl_properties_ontology_id_fkey", "constraint owl_properties_pkey",
                       "constraint owl_properties_property_type_check", "trigger chg_prop_d", "trigger chg_prop_i",
                       "trigger chg_prop_u"),
    "page_names": ("constraint page_names_path_fkey", "unique index page_names_pkey"),
    "prefix": ("constraint prefix_pkey",),
    "run_changes": ("constraint run_changes_kind_check", "constraint run_changes_run_id_fkey",
                    "unique index run_changes_pkey"),
    "runs": ("constraint runs_pkey",),
    "schema_migrations": ("constraint schema_migrations_pkey",),
    "source_files": ("constraint source_files_pkey", "constraint source_files_status_check"),
    "sync_meta": ("constraint sync_meta_pkey",),
    "term_association": ("constraint term_association_pkey",),
}

# (contype `n`: the NOT NULLs PostgreSQL 18 lists as constraints, no name the migrations give)
_FOUND = """SELECT r.relname, 'constraint ' || c.conname FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
             WHERE c.connamespace = to_regnamespace(?) AND c.contype <> 'n'
            UNION ALL
            SELECT r.relname, 'trigger ' || t.tgname FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid
             WHERE r.relnamespace = to_regnamespace(?) AND NOT t.tgisinternal
            UNION ALL
            SELECT r.relname, 'unique index ' || i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
              JOIN pg_class r ON r.oid = x.indrelid
             WHERE r.relnamespace = to_regnamespace(?) AND x.indisunique
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"""


def found(conn: Any, schema: str) -> set[tuple[str, str]]:
    """(table, `constraint NAME` / `trigger NAME` / `unique index NAME`) the schema holds."""
    return {(table, item) for table, item in conn.execute(_FOUND, (schema, schema, schema))}


def missing(conn: Any, schema: str) -> list[str]:
    """`verify`'s line for each thing of EXPECTED the schema no longer holds (caller: a schema at this
    release's last migration; an older one holds less, and a sync migrates it)."""
    there = found(conn, schema)
    return [f"{item} on {table} is missing (dropped, or not restored): a sync neither recreates nor needs "
            "it to run, so restore the schema again or sync into a new one"
            for table, items in EXPECTED.items() for item in items if (table, item) not in there]
