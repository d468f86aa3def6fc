-- 007: where each file declares each class. `file_classes.line` is the 1-based line of the
-- declaration (a Logseq page: its first `### OntologyBlock` heading; a functional-syntax file or
-- fence: the class's `Declaration`), NULL where the parser cannot tell (RDF parsed as a graph) and
-- in rows from before 007 until the file is next processed (the parser version moved with it,
-- so the next sync reprocesses every file once).
-- `class_source` gives a searchable class (class_search) the line in its source file: the CURIE
-- is expanded through `prefix` (or is a full IRI) to find the file's row. The ontology ids are
-- listed so the lookup is a seek on file_classes' primary key (path, ontology_id, class_iri), not
-- a scan of every class of the file (2,877 for pato-base.owl).

ALTER TABLE file_classes ADD COLUMN line INTEGER;

CREATE VIEW class_source AS
SELECT c.curie, c.source_file,
       (SELECT min(f.line) FROM file_classes f WHERE f.path = c.source_file
            AND f.ontology_id IN (SELECT ontology_id FROM ontologies) AND f.class_iri IN (
            c.curie,
            (SELECT p.base || substr(c.curie, length(p.prefix) + 2) FROM prefix p
              WHERE p.prefix = substr(c.curie, 1, instr(c.curie, ':') - 1)))) AS source_line
FROM class_search c;
