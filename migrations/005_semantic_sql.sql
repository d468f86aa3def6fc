-- 005: the readers' layer (CONTRACT.md section 6): semantic-sql's core tables and the views OAK,
-- Datasette and SQL users read, beside the contract tables (which stay as they are).
--
-- `statements` is semantic-sql's triple table plus one column, `source_file`: the path of the file
-- that contributed the row, so an edit, delete or rename replaces exactly that file's rows in the
-- file's own transaction. `prefix` and `entailed_edge` are brought up to date at the end of each run
-- that changed something, in one transaction. Column names, view names and the CURIEs in predicates
-- follow semantic-sql, so OAK (`runoak -i sqlite:ontology.db ...`) reads the file as it is.

CREATE TABLE prefix (
    prefix TEXT PRIMARY KEY,
    base TEXT NOT NULL
);

CREATE TABLE statements (
    stanza TEXT,
    subject TEXT,
    predicate TEXT,
    object TEXT,
    value TEXT,
    datatype TEXT,
    language TEXT,
    graph TEXT,
    source_file TEXT NOT NULL
);
-- Indexes.
-- semantic-sql's, and source_file's: a file's rows are replaced by its path.
CREATE INDEX statements_spo ON statements (subject, predicate, object);
CREATE INDEX statements_spv ON statements (subject, predicate, value);
CREATE INDEX statements_p ON statements (predicate);
CREATE INDEX statements_o ON statements (object);
CREATE INDEX statements_source_file ON statements (source_file);

-- Closure.
-- The entailed edges OAK reads ancestors from. The key is semantic-sql's entailed_edge_spo index,
-- and serves its entailed_edge_sp lookups too (a prefix of it), so that one is not repeated.
CREATE TABLE entailed_edge (
    subject TEXT NOT NULL,
    predicate TEXT NOT NULL,
    object TEXT NOT NULL,
    PRIMARY KEY (subject, predicate, object)
) WITHOUT ROWID;
-- Descendants.
CREATE INDEX entailed_edge_op ON entailed_edge (object, predicate);

-- Associations.
-- semantic-sql's association table; ontosync has no associations, OAK expects the table.
CREATE TABLE term_association (
    id TEXT PRIMARY KEY,
    subject TEXT,
    predicate TEXT,
    object TEXT,
    evidence_type TEXT,
    publication TEXT,
    source TEXT
);

-- Full-text search.
-- One row per class for full-text search (label, synonyms, definition), kept at the end of a run
-- for the classes whose statements changed. `class_search_fts` indexes it (external content), so
-- Datasette's `?_search=` works on /db/class_search and `ontosync search` uses the same index.
CREATE TABLE class_search (
    id INTEGER PRIMARY KEY,
    curie TEXT NOT NULL UNIQUE,
    label TEXT,
    synonyms TEXT,
    definition TEXT,
    source_file TEXT
);
CREATE VIRTUAL TABLE class_search_fts USING fts5 (
    label, synonyms, definition, content="class_search", content_rowid="id", tokenize="unicode61 remove_diacritics 2"
);

-- Triple views.
-- One per predicate, as semantic-sql names them, grouped by vocabulary.
-- RDF and RDFS.
CREATE VIEW rdf_type_statement AS SELECT * FROM statements WHERE predicate = 'rdf:type';
CREATE VIEW rdf_first_statement AS SELECT * FROM statements WHERE predicate = 'rdf:first';
CREATE VIEW rdf_rest_statement AS SELECT * FROM statements WHERE predicate = 'rdf:rest';
CREATE VIEW rdfs_subclass_of_statement AS SELECT * FROM statements WHERE predicate = 'rdfs:subClassOf';
CREATE VIEW rdfs_subclass_of_named_statement AS
    SELECT * FROM rdfs_subclass_of_statement WHERE object NOT LIKE '\_:%' ESCAPE '\';
CREATE VIEW rdfs_subproperty_of_statement AS SELECT * FROM statements WHERE predicate = 'rdfs:subPropertyOf';
CREATE VIEW rdfs_domain_statement AS SELECT * FROM statements WHERE predicate = 'rdfs:domain';
CREATE VIEW rdfs_range_statement AS SELECT * FROM statements WHERE predicate = 'rdfs:range';
-- OWL.
CREATE VIEW owl_imports_statement AS SELECT * FROM statements WHERE predicate = 'owl:imports';
CREATE VIEW owl_inverse_of_statement AS SELECT * FROM statements WHERE predicate = 'owl:inverseOf';
CREATE VIEW owl_complement_of_statement AS SELECT * FROM statements WHERE predicate = 'owl:complementOf';
CREATE VIEW owl_equivalent_class_statement AS SELECT * FROM statements WHERE predicate = 'owl:equivalentClass';
CREATE VIEW owl_same_as_statement AS SELECT * FROM statements WHERE predicate = 'owl:sameAs';
CREATE VIEW owl_disjoint_class_statement AS SELECT * FROM statements WHERE predicate = 'owl:disjointWith';
-- By what the object is: another node, or a literal value.
CREATE VIEW node_to_node_statement AS SELECT * FROM statements WHERE object IS NOT NULL;
CREATE VIEW node_to_value_statement AS SELECT * FROM statements WHERE value IS NOT NULL;
-- Synonyms. skos:altLabel counts as a synonym too (semantic-sql lists only the four oio ones;
-- ontosync's Logseq and SKOS sources use altLabel, and `runoak aliases` should show them).
CREATE VIEW has_oio_synonym_statement AS
    SELECT * FROM statements WHERE predicate IN ('oio:hasExactSynonym', 'oio:hasBroadSynonym',
                                                 'oio:hasNarrowSynonym', 'oio:hasRelatedSynonym');
CREATE VIEW has_synonym_statement AS
    SELECT * FROM statements WHERE predicate IN ('oio:hasExactSynonym', 'oio:hasBroadSynonym',
                                                 'oio:hasNarrowSynonym', 'oio:hasRelatedSynonym',
                                                 'skos:altLabel');
CREATE VIEW has_exact_synonym_statement AS SELECT * FROM statements WHERE predicate = 'oio:hasExactSynonym';
CREATE VIEW has_broad_synonym_statement AS SELECT * FROM statements WHERE predicate = 'oio:hasBroadSynonym';
CREATE VIEW has_narrow_synonym_statement AS SELECT * FROM statements WHERE predicate = 'oio:hasNarrowSynonym';
CREATE VIEW has_related_synonym_statement AS SELECT * FROM statements WHERE predicate = 'oio:hasRelatedSynonym';
-- Mappings: SKOS matches and database cross-references.
CREATE VIEW has_match_statement AS
    SELECT * FROM statements WHERE predicate IN ('skos:exactMatch', 'skos:broadMatch', 'skos:narrowMatch',
                                                 'skos:relatedMatch');
CREATE VIEW has_exact_match_statement AS SELECT * FROM statements WHERE predicate = 'skos:exactMatch';
CREATE VIEW has_broad_match_statement AS SELECT * FROM statements WHERE predicate = 'skos:broadMatch';
CREATE VIEW has_narrow_match_statement AS SELECT * FROM statements WHERE predicate = 'skos:narrowMatch';
CREATE VIEW has_related_match_statement AS SELECT * FROM statements WHERE predicate = 'skos:relatedMatch';
CREATE VIEW has_dbxref_statement AS SELECT * FROM statements WHERE predicate = 'oio:hasDbXref';
CREATE VIEW has_mapping_statement AS
    SELECT * FROM has_match_statement UNION ALL SELECT * FROM has_dbxref_statement;
-- Annotations: label, definition, authors.
CREATE VIEW rdfs_label_statement AS SELECT * FROM statements WHERE predicate = 'rdfs:label';
CREATE VIEW has_text_definition_statement AS SELECT * FROM statements WHERE predicate = 'IAO:0000115';
CREATE VIEW contributor AS SELECT * FROM statements WHERE predicate = 'dcterms:contributor';
CREATE VIEW creator AS SELECT * FROM statements WHERE predicate = 'dcterms:creator';

-- Nodes.
CREATE VIEW node AS
    SELECT DISTINCT subject AS id FROM statements
    UNION SELECT DISTINCT object AS id FROM statements WHERE object IS NOT NULL;
CREATE VIEW node_identifier AS
    SELECT id, substr(id, 1, instr(id, ':') - 1) AS prefix, substr(id, instr(id, ':') + 1) AS local_identifier
    FROM node;
CREATE VIEW blank_node AS SELECT * FROM node WHERE id LIKE '\_:%' ESCAPE '\';
CREATE VIEW iri_node AS SELECT * FROM node WHERE id NOT LIKE '\_:%' ESCAPE '\';
-- By rdf:type, one to a line.
CREATE VIEW class_node AS SELECT DISTINCT subject AS id FROM rdf_type_statement WHERE object = 'owl:Class';
CREATE VIEW named_individual_node AS SELECT DISTINCT subject AS id FROM rdf_type_statement WHERE object = 'owl:NamedIndividual';
CREATE VIEW ontology_node AS SELECT DISTINCT subject AS id FROM rdf_type_statement WHERE object = 'owl:Ontology';
CREATE VIEW property_node AS SELECT DISTINCT subject AS id FROM rdf_type_statement WHERE object = 'owl:Property';
CREATE VIEW object_property_node AS SELECT DISTINCT subject AS id FROM rdf_type_statement WHERE object = 'owl:ObjectProperty';
CREATE VIEW annotation_property_node AS SELECT DISTINCT subject AS id FROM rdf_type_statement WHERE object = 'owl:AnnotationProperty';
CREATE VIEW transitive_property_node AS SELECT DISTINCT subject AS id FROM rdf_type_statement WHERE object = 'owl:TransitiveProperty';
CREATE VIEW symmetric_property_node AS SELECT DISTINCT subject AS id FROM rdf_type_statement WHERE object = 'owl:SymmetricProperty';
CREATE VIEW asymmetric_property_node AS SELECT DISTINCT subject AS id FROM rdf_type_statement WHERE object = 'owl:AsymmetricProperty';
CREATE VIEW reflexive_property_node AS SELECT DISTINCT subject AS id FROM rdf_type_statement WHERE object = 'owl:ReflexiveProperty';
CREATE VIEW irreflexive_property_node AS SELECT DISTINCT subject AS id FROM rdf_type_statement WHERE object = 'owl:IrreflexiveProperty';
CREATE VIEW deprecated_node AS
    SELECT DISTINCT subject AS id FROM statements WHERE predicate = 'owl:deprecated' AND value = 'true';
-- Counts.
CREATE VIEW count_of_predicates AS
    SELECT predicate AS element, count(*) AS count_value FROM statements GROUP BY predicate ORDER BY count_value DESC;
CREATE VIEW count_of_instantiated_classes AS
    SELECT object AS element, count(*) AS count_value FROM rdf_type_statement GROUP BY object
    ORDER BY count_value DESC;
CREATE VIEW count_of_subclasses AS
    SELECT object AS element, count(DISTINCT subject) AS count_value FROM rdfs_subclass_of_statement
    GROUP BY object ORDER BY count_value DESC;

-- OWL: reified axioms (annotations on axioms) and restrictions.
CREATE VIEW owl_reified_axiom AS
    SELECT s.subject AS id, s.stanza AS stanza, s.object AS subject, p.object AS predicate, o.object AS object,
           o.value AS value, o.datatype AS datatype, o.language AS language
    FROM statements AS s
    JOIN statements AS p ON p.subject = s.subject AND p.predicate = 'owl:annotatedProperty'
    JOIN statements AS o ON o.subject = s.subject AND o.predicate = 'owl:annotatedTarget'
    WHERE s.predicate = 'owl:annotatedSource';
CREATE VIEW owl_axiom_annotation AS
    SELECT a.stanza AS stanza, r.subject AS subject, r.predicate AS predicate, r.object AS object,
           r.value AS value, r.datatype AS datatype, r.language AS language, r.id AS id,
           a.subject AS annotation_subject, a.predicate AS annotation_predicate, a.object AS annotation_object,
           a.value AS annotation_value, a.language AS annotation_language, a.datatype AS annotation_datatype
    FROM owl_reified_axiom AS r JOIN statements AS a ON a.subject = r.id
    WHERE a.predicate NOT IN ('owl:annotatedSource', 'owl:annotatedProperty', 'owl:annotatedTarget', 'rdf:type');
CREATE VIEW owl_some_values_from AS
    SELECT p.subject AS id, p.object AS on_property, f.object AS filler
    FROM statements AS p JOIN statements AS f ON f.subject = p.subject AND f.predicate = 'owl:someValuesFrom'
    WHERE p.predicate = 'owl:onProperty';
CREATE VIEW owl_all_values_from AS
    SELECT p.subject AS id, p.object AS on_property, f.object AS filler
    FROM statements AS p JOIN statements AS f ON f.subject = p.subject AND f.predicate = 'owl:allValuesFrom'
    WHERE p.predicate = 'owl:onProperty';
CREATE VIEW owl_has_value AS
    SELECT p.subject AS id, p.object AS on_property, f.object AS filler
    FROM statements AS p JOIN statements AS f ON f.subject = p.subject AND f.predicate = 'owl:hasValue'
    WHERE p.predicate = 'owl:onProperty';
CREATE VIEW owl_subclass_of_some_values_from AS
    SELECT s.stanza AS stanza, s.subject AS subject, v.on_property AS predicate, v.filler AS object
    FROM statements AS s JOIN owl_some_values_from AS v ON v.id = s.object
    WHERE s.predicate = 'rdfs:subClassOf';

-- The asserted graph OAK walks (`relationships`, `tree`), and views over the closure.
CREATE VIEW edge AS
    SELECT subject, predicate, object FROM owl_subclass_of_some_values_from
    UNION SELECT subject, predicate, object FROM rdfs_subclass_of_named_statement
    UNION SELECT subject, predicate, object FROM rdfs_subproperty_of_statement
    UNION SELECT subject, predicate, object FROM rdf_type_statement WHERE object IN (SELECT id FROM class_node);
CREATE VIEW entailed_subclass_of_edge AS SELECT * FROM entailed_edge WHERE predicate = 'rdfs:subClassOf';
CREATE VIEW entailed_type_edge AS SELECT * FROM entailed_edge WHERE predicate = 'rdf:type';
CREATE VIEW subgraph_edge_by_ancestor AS
    SELECT edge.*, ee.predicate AS anchor_predicate, ee.object AS anchor_object
    FROM edge JOIN entailed_edge AS ee ON edge.subject = ee.subject;
CREATE VIEW subgraph_edge_by_descendant AS
    SELECT edge.*, ee.predicate AS anchor_predicate, ee.subject AS anchor_object
    FROM edge JOIN entailed_edge AS ee ON edge.subject = ee.object;
CREATE VIEW subgraph_edge_by_self AS
    SELECT edge.*, edge.predicate AS anchor_predicate, edge.subject AS anchor_object FROM edge;
