-- The legacy conversions, written once: every legacy shape runs
--   legacy/stage.sql  (this file: the staging tables),
--   legacy/<shape>_facts.sql  (the shape's rows -> staged facts: l1_facts.sql, l2_l3_facts.sql),
--   legacy/load.sql  (staged facts -> the pseudo files' rows -> the derived contract tables),
-- concatenated in that order into one text (the conversion `legacy/<shape>_to_current.sql` that
-- schema_migrations records under version -1, -2 or -3 with the checksum of that text).
--
-- Run by ontosync/store/upgrade.py inside the one migration transaction, with foreign keys on,
-- after it has
--   1. moved the legacy tables aside: owl_class_hierarchy, owl_axioms, owl_properties and
--      owl_classes are copied to legacy_<name> (all rows and columns, no constraints) and dropped;
--      ontologies is renamed legacy_ontologies (kept tables that reference it follow it);
--   2. applied 001_initial.sql;
--   3. defined TEMP views src_* over those tables with exactly the columns the shape reads (a
--      column the database lacks reads as NULL, a table it lacks as no rows).
-- Parameters: :now (ISO timestamp), :default_ontology (for rows with no ontology id; all of L1),
-- :file_prefix ('legacy:L1/', 'legacy:L2/' or 'legacy:L3/').
--
-- Every legacy fact becomes a fact of the pseudo source file '<file_prefix><ontology id>', so the
-- derived contract tables are what the repository would compute for such files, and later syncs
-- keep them consistent (a class stays while any file, these included, declares it).

CREATE TEMP TABLE stage_classes (
    o TEXT NOT NULL, iri TEXT NOT NULL, label TEXT, comment TEXT,
    PRIMARY KEY (o, iri)
);
CREATE TEMP TABLE stage_edges (
    o TEXT NOT NULL, child TEXT NOT NULL, parent TEXT NOT NULL,
    PRIMARY KEY (o, child, parent)
);
CREATE TEMP TABLE stage_properties (
    o TEXT NOT NULL, iri TEXT NOT NULL, property_type TEXT NOT NULL, label TEXT, domain TEXT, range TEXT,
    PRIMARY KEY (o, iri)
);
CREATE TEMP TABLE stage_axioms (
    seq INTEGER PRIMARY KEY,      -- insertion order, for rows that get a new id
    id INTEGER,                   -- the legacy id, kept; NULL for rows made here
    o TEXT NOT NULL, axiom_type TEXT NOT NULL, subject TEXT, object TEXT, annotations TEXT
);
CREATE TEMP TABLE legacy_notes (kind TEXT NOT NULL, ontology_id TEXT, iri TEXT, detail TEXT);

-- The contract's type for each legacy property_type text: the first of annotation, object, data
-- it names; NULL when it names none (such a property is stored as AnnotationProperty and reported).
CREATE TEMP VIEW property_kind AS
SELECT DISTINCT property_type AS raw,
       CASE
           WHEN lower(COALESCE(property_type, '')) LIKE '%annotation%' THEN 'AnnotationProperty'
           WHEN lower(COALESCE(property_type, '')) LIKE '%object%' THEN 'ObjectProperty'
           WHEN lower(COALESCE(property_type, '')) LIKE '%data%' THEN 'DataProperty'
       END AS kind
FROM src_properties;

-- Rows that have no IRI cannot be facts; they stay in the legacy_* copies and are reported.
INSERT INTO legacy_notes (kind, detail)
SELECT 'no-iri', t || ': ' || n FROM (
    SELECT 'owl_classes' AS t, count(*) AS n FROM src_classes WHERE class_iri IS NULL
    UNION ALL SELECT 'owl_class_hierarchy', count(*) FROM src_hierarchy
        WHERE class_iri IS NULL OR parent_iri IS NULL
    UNION ALL SELECT 'owl_properties', count(*) FROM src_properties WHERE property_iri IS NULL
) WHERE n > 0;
