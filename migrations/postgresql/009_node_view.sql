-- postgresql/009: SQLite's 013 here (see migrations/013_node_view.sql): `node` is the statements'
-- subjects, as semantic-sql defines it; the views that read it keep their columns.
CREATE OR REPLACE VIEW node AS SELECT DISTINCT subject AS id FROM statements;
