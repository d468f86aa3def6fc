-- 003: where each file declares each class, as SQLite's migration 007. `file_classes.line` is the
-- 1-based line of the declaration (a Logseq page: its first `### OntologyBlock` heading; a
-- functional-syntax file or fence: the class's `Declaration`), NULL where the parser cannot tell.
-- `class_source` gives each searchable class the line in its source file, the CURIE expanded
-- through `prefix` (or taken as a full IRI) to find the file's row.

ALTER TABLE file_classes ADD COLUMN line INTEGER;

CREATE VIEW class_source AS
SELECT c.curie, c.source_file,
       (SELECT min(f.line) FROM file_classes f WHERE f.path = c.source_file AND f.class_iri IN (
            c.curie,
            (SELECT p.base || substr(c.curie, length(p.prefix) + 2) FROM prefix p
              WHERE p.prefix = split_part(c.curie, ':', 1)))) AS source_line
FROM class_search c;
