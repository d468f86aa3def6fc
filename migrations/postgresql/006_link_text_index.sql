-- postgresql/006: SQLite's 009 index on PostgreSQL (see migrations/009_writer_speed.sql). A
-- referenced-only class's label is the smallest text of the links that resolve to it; with the text
-- in the index that minimum is read from the index's first entry instead of from every link's row.
-- (The stat cache of 009 is not here: a sync into PostgreSQL hashes every local file.)
DROP INDEX IF EXISTS file_edges_parent;
CREATE INDEX file_edges_parent ON file_edges (ontology_id, parent_iri, parent_ref_text)
    WHERE parent_ref_text IS NOT NULL;
