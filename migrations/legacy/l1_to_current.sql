-- legacy L1 -> 001: the batch tool's own tables (owl_classes keyed by `iri`, no ontology ids).
--
-- Run by ontosync/store/upgrade.py inside the one migration transaction, with foreign keys on,
-- after it has
--   1. moved the legacy tables aside: owl_class_hierarchy, owl_axioms, owl_properties and
--      owl_classes are copied to legacy_<name> (all rows and columns, no constraints) and dropped;
--   2. applied 001_initial.sql;
--   3. defined TEMP views src_* over those copies with exactly the columns read below (a column
--      the database lacks reads as NULL, a table it lacks as no rows).
-- Parameters: :now (ISO timestamp), :default_ontology (the ontology id L1 rows are filed under).
--
-- Every legacy fact becomes a fact of the pseudo source file 'legacy:L1/<ontology id>', so the
-- derived contract tables are what the repository would compute for such a file, and later
-- syncs keep them consistent (a class stays while any file, this one included, declares it).

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

-- Rows that have no IRI cannot be facts; they stay in the legacy_* copies and are reported.
INSERT INTO legacy_notes (kind, detail)
SELECT 'no-iri', t || ': ' || n FROM (
    SELECT 'owl_classes' AS t, count(*) AS n FROM src_classes WHERE iri IS NULL
    UNION ALL SELECT 'owl_class_hierarchy', count(*) FROM src_hierarchy
        WHERE class_iri IS NULL OR parent_iri IS NULL
    UNION ALL SELECT 'owl_properties', count(*) FROM src_properties WHERE iri IS NULL
) WHERE n > 0;

-- Classes: description is the comment.
INSERT OR IGNORE INTO stage_classes (o, iri, label, comment)
SELECT :default_ontology, iri, label, description FROM src_classes WHERE iri IS NOT NULL ORDER BY iri;

-- Hierarchy: every row is an edge, whether or not its parent is a class (the derived step adds
-- the parent as a referenced class; the runner reports those).
INSERT OR IGNORE INTO stage_edges (o, child, parent)
SELECT :default_ontology, class_iri, parent_iri FROM src_hierarchy
WHERE class_iri IS NOT NULL AND parent_iri IS NOT NULL ORDER BY class_iri, parent_iri;

-- Properties: the free-text property_type becomes one of the three the contract allows; a type
-- that names none of them is kept as AnnotationProperty and reported (original in the copy).
INSERT INTO legacy_notes (kind, ontology_id, iri, detail)
SELECT 'property-type', :default_ontology, iri, property_type FROM src_properties
WHERE iri IS NOT NULL
  AND lower(COALESCE(property_type, '')) NOT LIKE '%annotation%'
  AND lower(COALESCE(property_type, '')) NOT LIKE '%object%'
  AND lower(COALESCE(property_type, '')) NOT LIKE '%data%'
ORDER BY iri;
INSERT OR IGNORE INTO stage_properties (o, iri, property_type, label, domain, range)
SELECT :default_ontology, iri,
       CASE
           WHEN lower(COALESCE(property_type, '')) LIKE '%annotation%' THEN 'AnnotationProperty'
           WHEN lower(COALESCE(property_type, '')) LIKE '%object%' THEN 'ObjectProperty'
           WHEN lower(COALESCE(property_type, '')) LIKE '%data%' THEN 'DataProperty'
           ELSE 'AnnotationProperty'
       END,
       label, domain, range
FROM src_properties WHERE iri IS NOT NULL ORDER BY iri;

-- Axioms keep their id. annotations must be JSON or NULL: JSON text is kept as it is, other text
-- becomes a JSON string. An inferred axiom says so in its annotations ("inferred": true), since
-- the new schema has no column for it.
INSERT INTO stage_axioms (id, o, axiom_type, subject, object, annotations)
SELECT id, :default_ontology, COALESCE(axiom_type, 'Unknown'), subject, object,
       CASE
           WHEN (CASE typeof(is_inferred)
                     WHEN 'integer' THEN is_inferred <> 0
                     WHEN 'real' THEN is_inferred <> 0
                     WHEN 'text' THEN lower(trim(is_inferred)) IN ('1', 'true', 't', 'yes', 'y')
                     ELSE 0 END)
           THEN json_set(
               CASE
                   WHEN annotations IS NULL THEN '{}'
                   WHEN json_valid(annotations) AND json_type(annotations) = 'object' THEN annotations
                   WHEN json_valid(annotations) THEN json_object('value', json(annotations))
                   ELSE json_object('value', annotations)
               END, '$.inferred', json('true'))
           WHEN annotations IS NULL OR json_valid(annotations) THEN annotations
           ELSE json_quote(annotations)
       END
FROM src_axioms ORDER BY id;

-- From here on the same in every legacy migration: staged facts -> the pseudo files' rows ->
-- the derived contract tables (as Repository._replace_facts computes them).
INSERT INTO ontologies (ontology_id, created_at)
SELECT o, :now FROM (
    SELECT o FROM stage_classes UNION SELECT o FROM stage_edges
    UNION SELECT o FROM stage_properties UNION SELECT o FROM stage_axioms
) ORDER BY o;

INSERT INTO source_files (path, blob_sha, good_blob_sha, size, status, error, error_line, error_kind,
                          format, ontology_id, public, synced_at)
SELECT 'legacy:L1/' || ontology_id, NULL, NULL, 0, 'ok', NULL, NULL, NULL, 'legacy', ontology_id, 0, :now
FROM ontologies ORDER BY ontology_id;

INSERT INTO file_classes (path, ontology_id, class_iri, label, comment)
SELECT 'legacy:L1/' || o, o, iri, label, comment FROM stage_classes ORDER BY o, iri;

INSERT INTO file_edges (path, ontology_id, class_iri, parent_iri, parent_fallback, parent_ref_key)
SELECT 'legacy:L1/' || o, o, child, parent, parent, NULL FROM stage_edges ORDER BY o, child, parent;

INSERT INTO file_properties (path, ontology_id, property_iri, property_type, label, domain, range)
SELECT 'legacy:L1/' || o, o, iri, property_type, label, domain, range FROM stage_properties ORDER BY o, iri;

INSERT INTO owl_axioms (id, ontology_id, axiom_type, subject, object, annotations, source_file,
                        object_fallback, object_ref_key)
SELECT id, o, axiom_type, subject, object, annotations, 'legacy:L1/' || o, NULL, NULL
FROM stage_axioms ORDER BY id IS NULL, id, seq;

-- Every class a file declares or an edge names; one only named is a referenced-only row
-- (source_file NULL). The declaration with a label wins, then the smallest path.
INSERT INTO owl_classes (ontology_id, class_iri, label, comment, source_file, last_synced)
SELECT k.o, k.iri, w.label, w.comment, w.path, :now
FROM (
    SELECT ontology_id AS o, class_iri AS iri FROM file_classes
    UNION SELECT ontology_id, class_iri FROM file_edges
    UNION SELECT ontology_id, parent_iri FROM file_edges
) AS k
LEFT JOIN file_classes AS w ON w.ontology_id = k.o AND w.class_iri = k.iri AND w.path = (
    SELECT f.path FROM file_classes AS f WHERE f.ontology_id = k.o AND f.class_iri = k.iri
    ORDER BY f.label IS NULL, f.path LIMIT 1)
ORDER BY k.o, k.iri;

INSERT INTO owl_class_hierarchy (ontology_id, class_iri, parent_iri)
SELECT DISTINCT ontology_id, class_iri, parent_iri FROM file_edges ORDER BY 1, 2, 3;

INSERT INTO owl_properties (ontology_id, property_iri, property_type, label, domain, range, source_file,
                            last_synced)
SELECT w.ontology_id, w.property_iri, w.property_type, w.label, w.domain, w.range, w.path, :now
FROM file_properties AS w
WHERE w.path = (
    SELECT f.path FROM file_properties AS f WHERE f.ontology_id = w.ontology_id
    AND f.property_iri = w.property_iri ORDER BY f.label IS NULL, f.path LIMIT 1)
ORDER BY w.ontology_id, w.property_iri;

DROP TABLE temp.stage_classes;
DROP TABLE temp.stage_edges;
DROP TABLE temp.stage_properties;
DROP TABLE temp.stage_axioms;
