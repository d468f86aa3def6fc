-- legacy/l2_l3_facts.sql: the metadata schema (L2) and the stop-gap that shipped (L3) -> the
-- staged facts. Runs between stage.sql and load.sql.
-- L2: owl_classes keyed by (ontology_id, class_iri), the hierarchy in parent_class_iri, possibly
-- with the batch tool's L1 tables created on top of it (owl_class_hierarchy with foreign keys to
-- the missing owl_classes(iri), owl_axioms).
-- L3: L2 plus file_sha1 on owl_classes, a UNIQUE index on owl_classes(class_iri) alone,
-- owl_class_hierarchy(class_iri, parent_iri) with single-column foreign keys to
-- owl_classes(class_iri), and owl_axioms as in L1 (no ontology_id); written with foreign keys
-- off, so hierarchy rows may name parents that are no class.

-- The ontology an IRI belongs to, for the rows that carry no ontology id (owl_class_hierarchy,
-- owl_axioms; the L1 tables on top of L2):
-- the smallest ontology id declaring it as a class, else as a property.
CREATE TEMP TABLE home (iri TEXT PRIMARY KEY, o TEXT NOT NULL);
INSERT INTO home (iri, o)
SELECT class_iri, MIN(COALESCE(ontology_id, :default_ontology)) FROM src_classes
WHERE class_iri IS NOT NULL GROUP BY class_iri;
INSERT OR IGNORE INTO home (iri, o)
SELECT property_iri, MIN(COALESCE(ontology_id, :default_ontology)) FROM src_properties
WHERE property_iri IS NOT NULL GROUP BY property_iri;

-- Disjointness rows that have no IRI, reported after the other tables' (stage.sql).
INSERT INTO legacy_notes (kind, detail)
SELECT 'no-iri', 'owl_disjoint_classes: ' || n FROM (
    SELECT count(*) AS n FROM src_disjoint WHERE class_iri_1 IS NULL OR class_iri_2 IS NULL) WHERE n > 0;

-- Classes, in their own ontology (the same IRI may be a class of several).
INSERT OR IGNORE INTO stage_classes (o, iri, label, comment)
SELECT COALESCE(ontology_id, :default_ontology), class_iri, label, comment FROM src_classes
WHERE class_iri IS NOT NULL ORDER BY 1, 2;

-- Hierarchy: each non-NULL parent_class_iri is an edge in the class's ontology; each row of the
-- owl_class_hierarchy is an edge in the ontology of its child (else of its parent, else the
-- default one). A parent that is no class is kept: the derived step adds it as a referenced
-- class, and the runner reports it.
INSERT OR IGNORE INTO stage_edges (o, child, parent)
SELECT COALESCE(ontology_id, :default_ontology), class_iri, parent_class_iri FROM src_classes
WHERE class_iri IS NOT NULL AND parent_class_iri IS NOT NULL ORDER BY 1, 2, 3;
INSERT OR IGNORE INTO stage_edges (o, child, parent)
SELECT COALESCE(hc.o, hp.o, :default_ontology), h.class_iri, h.parent_iri FROM src_hierarchy AS h
LEFT JOIN home AS hc ON hc.iri = h.class_iri
LEFT JOIN home AS hp ON hp.iri = h.parent_iri
WHERE h.class_iri IS NOT NULL AND h.parent_iri IS NOT NULL ORDER BY 1, 2, 3;

-- Properties: Object, Data and AnnotationProperty become the contract's three types; a type that
-- names none of them is kept as AnnotationProperty and reported (original in the copy).
INSERT INTO legacy_notes (kind, ontology_id, iri, detail)
SELECT 'property-type', COALESCE(ontology_id, :default_ontology), property_iri, property_type
FROM src_properties AS s
WHERE property_iri IS NOT NULL AND (SELECT kind FROM property_kind WHERE raw IS s.property_type) IS NULL
ORDER BY 2, 3;
INSERT OR IGNORE INTO stage_properties (o, iri, property_type, label, domain, range)
SELECT COALESCE(ontology_id, :default_ontology), property_iri,
       COALESCE((SELECT kind FROM property_kind WHERE raw IS s.property_type), 'AnnotationProperty'),
       label, domain_class_iri, range_class_iri
FROM src_properties AS s WHERE property_iri IS NOT NULL ORDER BY 1, 2;

-- Axioms of owl_axioms keep their id, in the ontology of their subject. annotations must
-- be JSON or NULL: JSON text is kept as it is, other text becomes a JSON string. An inferred
-- axiom says so in its annotations ("inferred": true), since the new schema has no column for it.
INSERT INTO stage_axioms (id, o, axiom_type, subject, object, annotations)
SELECT a.id, COALESCE(a.ontology_id, h.o, :default_ontology), COALESCE(a.axiom_type, 'Unknown'),
       a.subject, a.object,
       CASE
           WHEN (CASE typeof(a.is_inferred)
                     WHEN 'integer' THEN a.is_inferred <> 0
                     WHEN 'real' THEN a.is_inferred <> 0
                     WHEN 'text' THEN lower(trim(a.is_inferred)) IN ('1', 'true', 't', 'yes', 'y')
                     ELSE 0 END)
           THEN json_set(
               CASE
                   WHEN a.annotations IS NULL THEN '{}'
                   WHEN json_valid(a.annotations) AND json_type(a.annotations) = 'object' THEN a.annotations
                   WHEN json_valid(a.annotations) THEN json_object('value', json(a.annotations))
                   ELSE json_object('value', a.annotations)
               END, '$.inferred', json('true'))
           WHEN a.annotations IS NULL OR json_valid(a.annotations) THEN a.annotations
           ELSE json_quote(a.annotations)
       END
FROM src_axioms AS a LEFT JOIN home AS h ON h.iri = a.subject
ORDER BY a.id;

-- What this shape says in columns the new schema lacks, as the axioms OWL has for it: property
-- characteristics and inverses, property comments, deprecated classes, disjoint classes (the
-- owl_disjoint_classes table is kept as well). Each names the legacy column it came from.
INSERT INTO stage_axioms (id, o, axiom_type, subject, object, annotations)
SELECT NULL, o, axiom_type, subject, object, annotations FROM (
    -- the four characteristics, one row per true flag (k 1-4, in this order)
    SELECT p.o, CASE WHEN f.k = 1 AND p.property_type = 'DataProperty' THEN 'FunctionalDataProperty'
                     ELSE f.axiom_type END AS axiom_type,
           p.iri AS subject, NULL AS object, json_object('legacy', 'owl_properties.' || f.col) AS annotations, f.k
    FROM src_properties AS s JOIN stage_properties AS p
        ON p.o = COALESCE(s.ontology_id, :default_ontology) AND p.iri = s.property_iri
    JOIN (SELECT 1 AS k, 'is_functional' AS col, 'FunctionalObjectProperty' AS axiom_type
          UNION ALL SELECT 2, 'is_inverse_functional', 'InverseFunctionalObjectProperty'
          UNION ALL SELECT 3, 'is_symmetric', 'SymmetricObjectProperty'
          UNION ALL SELECT 4, 'is_transitive', 'TransitiveObjectProperty') AS f
    WHERE (SELECT CASE typeof(v) WHEN 'integer' THEN v <> 0 WHEN 'real' THEN v <> 0
                      WHEN 'text' THEN lower(trim(v)) IN ('1', 'true', 't', 'yes', 'y') ELSE 0 END
           FROM (SELECT CASE f.k WHEN 1 THEN s.is_functional WHEN 2 THEN s.is_inverse_functional
                                 WHEN 3 THEN s.is_symmetric ELSE s.is_transitive END AS v))
    UNION ALL
    SELECT p.o, 'InverseObjectProperties', p.iri, s.inverse_property_iri,
           json_object('legacy', 'owl_properties.inverse_property_iri'), 5
    FROM src_properties AS s JOIN stage_properties AS p
        ON p.o = COALESCE(s.ontology_id, :default_ontology) AND p.iri = s.property_iri
    WHERE s.inverse_property_iri IS NOT NULL
    UNION ALL
    SELECT p.o, 'AnnotationAssertion', p.iri, s.comment,
           json_object('property', 'http://www.w3.org/2000/01/rdf-schema#comment',
                       'legacy', 'owl_properties.comment'), 6
    FROM src_properties AS s JOIN stage_properties AS p
        ON p.o = COALESCE(s.ontology_id, :default_ontology) AND p.iri = s.property_iri
    WHERE s.comment IS NOT NULL
    UNION ALL
    SELECT COALESCE(c.ontology_id, :default_ontology), 'AnnotationAssertion', c.class_iri, 'true',
           json_object('property', 'http://www.w3.org/2002/07/owl#deprecated',
                       'legacy', 'owl_classes.is_deprecated'), 7
    FROM src_classes AS c
    WHERE c.class_iri IS NOT NULL
      AND (CASE typeof(c.is_deprecated) WHEN 'integer' THEN c.is_deprecated <> 0
               WHEN 'real' THEN c.is_deprecated <> 0
               WHEN 'text' THEN lower(trim(c.is_deprecated)) IN ('1', 'true', 't', 'yes', 'y') ELSE 0 END)
    UNION ALL
    SELECT COALESCE(d.ontology_id, :default_ontology), 'DisjointClasses', d.class_iri_1, d.class_iri_2,
           json_object('legacy', 'owl_disjoint_classes'), 8
    FROM src_disjoint AS d
    WHERE d.class_iri_1 IS NOT NULL AND d.class_iri_2 IS NOT NULL
)
ORDER BY k, o, subject, object;

DROP TABLE temp.home;

