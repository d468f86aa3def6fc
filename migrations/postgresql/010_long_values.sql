-- postgresql/010: a long value no longer fails its file. SQLite stores text of any length in any
-- index; a PostgreSQL btree entry holds at most ~2,700 bytes (8 kB uncompressed), so a long
-- literal (an `.ofn` file's rdfs:comment or definition: owl_axioms.object), a long synonym, a long
-- preferred-term or alias (page_names.name_key), a long link (its key and text) or a long axiom
-- (run_changes.item) failed the whole file ("index row requires ... bytes"), and nothing of it
-- was synced. Each index over such a value now holds its md5 (a unique key, and the tail of
-- owl_axioms_subject, whose leading columns serve the queries) or is a hash index (the lookups
-- of a link's target by its key: `name_key = ?`, `parent_ref_key = ?`, `object_ref_key = ?`,
-- which the planner serves from a hash index as they are written). IRIs stay keys: a class's IRI
-- is referenced by foreign keys, which need the column itself. SQLite's schema is unchanged.

DROP INDEX IF EXISTS owl_axioms_subject;
CREATE INDEX owl_axioms_subject ON owl_axioms (ontology_id, subject, axiom_type, md5(object));
DROP INDEX IF EXISTS owl_axioms_ref;
CREATE INDEX owl_axioms_ref ON owl_axioms USING hash (object_ref_key) WHERE object_ref_key IS NOT NULL;
DROP INDEX IF EXISTS file_edges_ref;
CREATE INDEX file_edges_ref ON file_edges USING hash (parent_ref_key) WHERE parent_ref_key IS NOT NULL;
DROP INDEX IF EXISTS file_edges_parent;
CREATE INDEX file_edges_parent ON file_edges (ontology_id, parent_iri) WHERE parent_ref_text IS NOT NULL;

ALTER TABLE page_names DROP CONSTRAINT page_names_pkey;
CREATE UNIQUE INDEX page_names_pkey ON page_names (path, md5(name_key), rank);
DROP INDEX IF EXISTS page_names_key;
CREATE INDEX page_names_key ON page_names USING hash (name_key);

ALTER TABLE file_synonyms DROP CONSTRAINT file_synonyms_pkey;
CREATE UNIQUE INDEX file_synonyms_pkey ON file_synonyms (path, ontology_id, class_iri, predicate, md5(synonym));

-- The change log's key: an axiom's item is its JSON (type, object, annotations). chg_record is
-- postgresql/004's with the conflict target on the new key.
ALTER TABLE run_changes DROP CONSTRAINT run_changes_pkey;
CREATE UNIQUE INDEX run_changes_pkey ON run_changes (run_id, kind, ontology_id, iri, md5(item));
CREATE OR REPLACE FUNCTION chg_record(run BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
-- include: 004_change_log.sql from     INSERT INTO run_changes (run_id, kind, ontology_id, iri, item, old, new) to         ON CONFLICT (run_id, kind, ontology_id, iri, item) DO UPDATE SET new = excluded.new;
        ON CONFLICT (run_id, kind, ontology_id, iri, md5(item)) DO UPDATE SET new = excluded.new;
-- include: 004_change_log.sql from     DELETE FROM run_changes r USING pg_temp.chg_cls b to             ON CONFLICT (run_id, kind, ontology_id, iri, item) DO UPDATE SET new = excluded.new;
            ON CONFLICT (run_id, kind, ontology_id, iri, md5(item)) DO UPDATE SET new = excluded.new;
-- include: 004_change_log.sql from         DELETE FROM run_changes r WHERE r.run_id = run AND r.kind = 'axiom' AND r.old IS NOT DISTINCT FROM r.new
