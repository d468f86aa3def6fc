-- 013: the readers' layer closer to semantic-sql's.
--
-- `node` as semantic-sql defines it: the statements' subjects. 005 added every IRI object too, so
-- OAK's `entities` (and `info .all`, `labels .all`), which read `node`, listed what the files only
-- point at: `owl:Class`, `owl:Restriction`, `xsd:string`, ORCID IRIs of xrefs, parents no file
-- describes (2,652 more ids than subjects on the corpus). semantic-sql's view adds the objects WHERE
-- datatype IS NOT NULL, which never holds for an object (a literal's datatype goes with its value):
-- that half only adds a NULL id, left out here. node_identifier, blank_node and iri_node read `node`
-- by name and follow.
DROP VIEW node;
CREATE VIEW node AS SELECT DISTINCT subject AS id FROM statements;

-- The language tag of a Logseq fence's (or .ofn file's) labels, definition and synonyms: the layer's
-- rows for them are derived from these tables, and carried no `language` where the same literal in
-- a .ttl file's rows does (`rdfs:label "Horse"@en`). NULL: no tag (a page's own text has none).
ALTER TABLE file_classes ADD COLUMN label_language TEXT;
ALTER TABLE file_classes ADD COLUMN comment_language TEXT;
ALTER TABLE file_synonyms ADD COLUMN language TEXT;
ALTER TABLE file_properties ADD COLUMN label_language TEXT;
