-- legacy/load.sql, the same for every legacy shape (see stage.sql): staged facts -> the pseudo
-- files' rows -> the derived contract tables (as Repository._replace_facts computes them).
INSERT INTO ontologies (ontology_id, created_at)
SELECT o, :now FROM (
    SELECT o FROM stage_classes UNION SELECT o FROM stage_edges
    UNION SELECT o FROM stage_properties UNION SELECT o FROM stage_axioms
) ORDER BY o;

INSERT INTO source_files (path, blob_sha, good_blob_sha, size, status, error, error_line, error_kind,
                          format, ontology_id, public, synced_at)
SELECT :file_prefix || ontology_id, NULL, NULL, 0, 'ok', NULL, NULL, NULL, 'legacy', ontology_id, 0, :now
FROM ontologies ORDER BY ontology_id;

INSERT INTO file_classes (path, ontology_id, class_iri, label, comment)
SELECT :file_prefix || o, o, iri, label, comment FROM stage_classes ORDER BY o, iri;

INSERT INTO file_edges (path, ontology_id, class_iri, parent_iri, parent_fallback, parent_ref_key)
SELECT :file_prefix || o, o, child, parent, parent, NULL FROM stage_edges ORDER BY o, child, parent;

INSERT INTO file_properties (path, ontology_id, property_iri, property_type, label, domain, range)
SELECT :file_prefix || o, o, iri, property_type, label, domain, range FROM stage_properties ORDER BY o, iri;

INSERT INTO owl_axioms (id, ontology_id, axiom_type, subject, object, annotations, source_file,
                        object_fallback, object_ref_key)
SELECT id, o, axiom_type, subject, object, annotations, :file_prefix || o, NULL, NULL
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
DROP VIEW temp.property_kind;
