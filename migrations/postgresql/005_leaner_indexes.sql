-- postgresql/005: SQLite's 008 here, the three indexes it dropped (each a prefix of, or answered as well by,
-- another). owl_axioms_ontology was also what 004's chg_record() plan picked over
-- owl_axioms_subject while the table was small.
DROP INDEX IF EXISTS owl_axioms_ontology;
DROP INDEX IF EXISTS statements_spv;
DROP INDEX IF EXISTS statements_p;
