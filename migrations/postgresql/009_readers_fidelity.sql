-- postgresql/009: SQLite's 013 here (see migrations/013_readers_fidelity.sql): `node` is the statements'
-- subjects, as semantic-sql defines it; the views that read it keep their columns.

CREATE OR REPLACE VIEW node AS SELECT DISTINCT subject AS id FROM statements;
-- The language tags of a fence's label, definition and synonyms (see 013).
ALTER TABLE file_classes ADD COLUMN label_language TEXT;
ALTER TABLE file_classes ADD COLUMN comment_language TEXT;
ALTER TABLE file_synonyms ADD COLUMN language TEXT;
ALTER TABLE file_properties ADD COLUMN label_language TEXT;
