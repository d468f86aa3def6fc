-- legacy/l1_facts.sql: the batch tool's own tables (L1: owl_classes keyed by `iri`, no ontology
-- ids) -> the staged facts, all in :default_ontology. Runs between stage.sql and load.sql. The
-- views read `iri` as `class_iri` / `property_iri` (store/legacy.py), the names L2 and L3 use.

-- Classes: description is the comment.
INSERT OR IGNORE INTO stage_classes (o, iri, label, comment)
SELECT :default_ontology, class_iri, label, description FROM src_classes WHERE class_iri IS NOT NULL
ORDER BY class_iri;

-- Hierarchy: every row is an edge, whether or not its parent is a class (the derived step adds
-- the parent as a referenced class; the runner reports those).
INSERT OR IGNORE INTO stage_edges (o, child, parent)
SELECT :default_ontology, class_iri, parent_iri FROM src_hierarchy
WHERE class_iri IS NOT NULL AND parent_iri IS NOT NULL ORDER BY class_iri, parent_iri;

-- Properties: the free-text property_type becomes one of the three the contract allows; a type
-- that names none of them is kept as AnnotationProperty and reported (original in the copy).
INSERT INTO legacy_notes (kind, ontology_id, iri, detail)
SELECT 'property-type', :default_ontology, property_iri, property_type FROM src_properties AS s
WHERE property_iri IS NOT NULL AND (SELECT kind FROM property_kind WHERE raw IS s.property_type) IS NULL
ORDER BY property_iri;
INSERT OR IGNORE INTO stage_properties (o, iri, property_type, label, domain, range)
SELECT :default_ontology, property_iri, COALESCE((SELECT kind FROM property_kind WHERE raw IS s.property_type),
       'AnnotationProperty'), label, domain, range FROM src_properties AS s WHERE property_iri IS NOT NULL
ORDER BY property_iri;

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

