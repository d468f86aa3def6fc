-- 013: `node` as semantic-sql defines it: the statements' subjects. 005 added every IRI object too,
-- so OAK's `entities` (and `info .all`, `labels .all`), which read `node`, listed what the files only
-- point at: `owl:Class`, `owl:Restriction`, `xsd:string`, ORCID IRIs of xrefs, parents no file
-- describes (2,652 more ids than subjects on the corpus). semantic-sql's view adds the objects WHERE
-- datatype IS NOT NULL, which never holds for an object (a literal's datatype goes with its value):
-- that half only adds a NULL id, left out here. node_identifier, blank_node and iri_node read `node`
-- by name and follow.
DROP VIEW node;
CREATE VIEW node AS SELECT DISTINCT subject AS id FROM statements;
