-- 008: three indexes fewer for the writer to keep (issue 18). Every b-tree a save touches costs at
-- least one page written into the WAL at each file's commit, and one more seek per row inserted;
-- on the corpus the three cost about 5% of a full sync's writer time, and more on a large RDF file
-- (35,080 statements for pato-base.owl). Each answered only what another index answers as well:
--
-- * owl_axioms_ontology (ontology_id) is a prefix of owl_axioms_subject
--   (ontology_id, subject, axiom_type, object);
-- * statements_spv (subject, predicate, value) and statements_spo (subject, predicate, object)
--   share the prefix (subject, predicate) that every lookup by subject uses: a subject has a
--   handful of rows per predicate, and the value is checked on those rows. statements_spo stays, so
--   a lookup of one (subject, predicate, object) triple is still a single seek;
-- * statements_p (predicate) lists a few dozen predicates over every row: a query by predicate
--   alone reads a large share of the table either way (rdfs:subClassOf, rdfs:label) and a scan
--   does that in order; a predicate with a subject or an object uses statements_spo or statements_o.
DROP INDEX IF EXISTS owl_axioms_ontology;
DROP INDEX IF EXISTS statements_spv;
DROP INDEX IF EXISTS statements_p;
