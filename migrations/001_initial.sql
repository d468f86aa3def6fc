-- 001: the ontosync schema.
--
-- Two layers. The contract tables (ontologies, source_files, owl_classes, owl_class_hierarchy,
-- owl_properties, owl_axioms) are what users query. The file_* tables keep each file's own facts,
-- tagged with its path: they make deleting a file exact, let a class declared by two files stay
-- while either remains, and let page links be re-pointed when the page they name appears or goes,
-- without reparsing the pages that hold the links. Plain SQLite types only: valid on 3.37+.

CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    checksum TEXT NOT NULL,
    execution_time_ms REAL NOT NULL
);

-- Small facts about the database itself, e.g. the fingerprint of the parse settings the stored
-- facts were made with (a change forces a full reparse).
CREATE TABLE sync_meta (
    key TEXT PRIMARY KEY,
    value TEXT
);

CREATE TABLE ontologies (
    ontology_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE source_files (
    path TEXT PRIMARY KEY,
    blob_sha TEXT,                -- git blob hash of the content last seen
    good_blob_sha TEXT,           -- blob hash of the version whose facts are stored (NULL: none)
    size INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'skipped')),
    error TEXT,
    error_line INTEGER,
    error_kind TEXT,
    format TEXT,
    ontology_id TEXT,
    public INTEGER NOT NULL DEFAULT 0,
    synced_at TEXT NOT NULL
);

CREATE TABLE owl_classes (
    ontology_id TEXT NOT NULL REFERENCES ontologies (ontology_id),
    class_iri TEXT NOT NULL,
    label TEXT, comment TEXT,
    source_file TEXT,             -- the winning declaring file; NULL: only referred to
    last_synced TEXT NOT NULL,
    PRIMARY KEY (ontology_id, class_iri)
);
CREATE INDEX owl_classes_source_file ON owl_classes (source_file);

CREATE TABLE owl_class_hierarchy (
    ontology_id TEXT NOT NULL,
    class_iri TEXT NOT NULL,
    parent_iri TEXT NOT NULL,
    PRIMARY KEY (ontology_id, class_iri, parent_iri),
    FOREIGN KEY (ontology_id, class_iri) REFERENCES owl_classes (ontology_id, class_iri) ON DELETE CASCADE,
    FOREIGN KEY (ontology_id, parent_iri) REFERENCES owl_classes (ontology_id, class_iri) ON DELETE CASCADE
);
CREATE INDEX owl_class_hierarchy_parent ON owl_class_hierarchy (ontology_id, parent_iri);

CREATE TABLE owl_properties (
    ontology_id TEXT NOT NULL REFERENCES ontologies (ontology_id),
    property_iri TEXT NOT NULL,
    property_type TEXT NOT NULL CHECK (property_type IN ('ObjectProperty', 'DataProperty', 'AnnotationProperty')),
    label TEXT, domain TEXT, range TEXT,
    source_file TEXT,
    last_synced TEXT NOT NULL,
    PRIMARY KEY (ontology_id, property_iri)
);

CREATE TABLE owl_axioms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ontology_id TEXT NOT NULL REFERENCES ontologies (ontology_id),
    axiom_type TEXT NOT NULL,
    subject TEXT,
    object TEXT,
    annotations TEXT,             -- JSON or NULL
    source_file TEXT,
    object_fallback TEXT,         -- with object_ref_key: the IRI used while no page has that name
    object_ref_key TEXT           -- normalised page name the object links to, or NULL
);
CREATE INDEX owl_axioms_source_file ON owl_axioms (source_file);
CREATE INDEX owl_axioms_ontology ON owl_axioms (ontology_id);
CREATE INDEX owl_axioms_ref ON owl_axioms (ontology_id, object_ref_key) WHERE object_ref_key IS NOT NULL;

-- Each file's own facts. Rows go with their source_files row.
CREATE TABLE file_classes (
    path TEXT NOT NULL REFERENCES source_files (path) ON DELETE CASCADE,
    ontology_id TEXT NOT NULL, class_iri TEXT NOT NULL,
    label TEXT, comment TEXT,
    PRIMARY KEY (path, ontology_id, class_iri)
);
CREATE INDEX file_classes_iri ON file_classes (ontology_id, class_iri, path);

CREATE TABLE file_edges (
    path TEXT NOT NULL REFERENCES source_files (path) ON DELETE CASCADE,
    ontology_id TEXT NOT NULL, class_iri TEXT NOT NULL,
    parent_iri TEXT NOT NULL,     -- resolved: the named page's class, else parent_fallback
    parent_fallback TEXT NOT NULL,
    parent_ref_key TEXT           -- normalised page name, or NULL for a plain IRI
);
CREATE INDEX file_edges_path ON file_edges (path);
CREATE INDEX file_edges_child ON file_edges (ontology_id, class_iri);
CREATE INDEX file_edges_ref ON file_edges (ontology_id, parent_ref_key) WHERE parent_ref_key IS NOT NULL;

CREATE TABLE file_properties (
    path TEXT NOT NULL REFERENCES source_files (path) ON DELETE CASCADE,
    ontology_id TEXT NOT NULL, property_iri TEXT NOT NULL,
    property_type TEXT NOT NULL,
    label TEXT, domain TEXT, range TEXT,
    PRIMARY KEY (path, ontology_id, property_iri)
);
CREATE INDEX file_properties_iri ON file_properties (ontology_id, property_iri, path);

-- The names a page answers to in [[links]]: rank 0 its title, rank 1 its preferred-term.
CREATE TABLE page_names (
    path TEXT NOT NULL REFERENCES source_files (path) ON DELETE CASCADE,
    ontology_id TEXT NOT NULL,
    name_key TEXT NOT NULL,
    rank INTEGER NOT NULL,
    class_iri TEXT NOT NULL,
    PRIMARY KEY (path, name_key, rank)
);
CREATE INDEX page_names_key ON page_names (ontology_id, name_key, rank, path);
