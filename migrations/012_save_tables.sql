-- 012: fewer b-trees for each file's save to write (issue 18). Every b-tree a save touches costs at
-- least one page written into the WAL at the file's commit. A table keyed by a PRIMARY KEY that is
-- not its rowid is two b-trees (the rowid table and the key's index, which holds the key again);
-- WITHOUT ROWID makes it one, ordered by the key. These three are read only by their key or by a
-- secondary index that already holds the whole key, so no index grows: `page_names`,
-- `owl_class_hierarchy` and `file_properties`. On the corpus a first sync's save wrote 27.3 WAL
-- pages before this pass; these three took 1.6 of them off (bench/README.md, "Issue 18, save pass").
-- `owl_axioms` keeps its rowid (`id`) but loses AUTOINCREMENT: that wrote `sqlite_sequence` at each
-- save with an axiom (half a page a save) only to promise that an id is never reused, which nothing
-- relies on (the contract compares content "ignoring row ids"; the change log and `diff` key an
-- axiom by its content).
-- `source_files`, `file_classes` and `owl_classes` keep their rowid: `source_files` is the parent of
-- five tables whose rows a rebuild with foreign keys on would cascade away, and users' queries and
-- tests address `owl_classes` and `file_classes` rows by rowid. `file_synonyms` keeps it too: its key
-- lists `predicate` before `synonym`, the reverse of the columns, and SQLite 3.40's `PRAGMA
-- quick_check` (run before each sync, store/health.py) then reports "NULL value in
-- file_synonyms.synonym" on a sound WITHOUT ROWID table; reordering the columns would change what
-- `SELECT *` and the dumps read.
--
-- Each table is rebuilt in this transaction with foreign keys on: the old one is renamed aside, the
-- new one created under the name (so its stored SQL reads as written here), the rows copied, the old
-- table dropped (its indexes with it) and the indexes created again under their names. The columns
-- are 001's, in its order (what `SELECT *` and the dumps read), a table to a few lines. None of
-- them is the parent of a foreign key, and no view or trigger names them.

ALTER TABLE page_names RENAME TO page_names_012;
CREATE TABLE page_names (path TEXT NOT NULL REFERENCES source_files (path) ON DELETE CASCADE,
    ontology_id TEXT NOT NULL, name_key TEXT NOT NULL, rank INTEGER NOT NULL, class_iri TEXT NOT NULL,
    PRIMARY KEY (path, name_key, rank)) WITHOUT ROWID;
INSERT INTO page_names (path, ontology_id, name_key, rank, class_iri)
    SELECT path, ontology_id, name_key, rank, class_iri FROM page_names_012;
DROP TABLE page_names_012;
CREATE INDEX page_names_key ON page_names (ontology_id, name_key, rank, path);

ALTER TABLE owl_class_hierarchy RENAME TO owl_class_hierarchy_012;
CREATE TABLE owl_class_hierarchy (ontology_id TEXT NOT NULL, class_iri TEXT NOT NULL, parent_iri TEXT NOT NULL,
    PRIMARY KEY (ontology_id, class_iri, parent_iri),
    FOREIGN KEY (ontology_id, class_iri) REFERENCES owl_classes (ontology_id, class_iri) ON DELETE CASCADE,
    FOREIGN KEY (ontology_id, parent_iri) REFERENCES owl_classes (ontology_id, class_iri) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO owl_class_hierarchy (ontology_id, class_iri, parent_iri)
    SELECT ontology_id, class_iri, parent_iri FROM owl_class_hierarchy_012;
DROP TABLE owl_class_hierarchy_012;
CREATE INDEX owl_class_hierarchy_parent ON owl_class_hierarchy (ontology_id, parent_iri);

ALTER TABLE file_properties RENAME TO file_properties_012;
CREATE TABLE file_properties (path TEXT NOT NULL REFERENCES source_files (path) ON DELETE CASCADE,
    ontology_id TEXT NOT NULL, property_iri TEXT NOT NULL, property_type TEXT NOT NULL,
    label TEXT, domain TEXT, range TEXT, PRIMARY KEY (path, ontology_id, property_iri)) WITHOUT ROWID;
INSERT INTO file_properties (path, ontology_id, property_iri, property_type, label, domain, range)
    SELECT path, ontology_id, property_iri, property_type, label, domain, range FROM file_properties_012;
DROP TABLE file_properties_012;
CREATE INDEX file_properties_iri ON file_properties (ontology_id, property_iri, path);

-- The ids are copied as they are. The indexes are the definitions of 001 and 006 (and of
-- store/deferred_indexes.py, which builds three of them at the end of a first run): a database
-- whose first run was killed holds a mark for indexes this builds here, and the next run finds
-- them present and clears the mark.
ALTER TABLE owl_axioms RENAME TO owl_axioms_012;
CREATE TABLE owl_axioms (id INTEGER PRIMARY KEY, ontology_id TEXT NOT NULL REFERENCES ontologies (ontology_id),
    axiom_type TEXT NOT NULL, subject TEXT, object TEXT, annotations TEXT, source_file TEXT,
    object_fallback TEXT, object_ref_key TEXT);  -- annotations: JSON or NULL; object_fallback, object_ref_key: 001
INSERT INTO owl_axioms (id, ontology_id, axiom_type, subject, object, annotations, source_file, object_fallback,
                        object_ref_key)
    SELECT id, ontology_id, axiom_type, subject, object, annotations, source_file, object_fallback, object_ref_key
    FROM owl_axioms_012;
DROP TABLE owl_axioms_012;
CREATE INDEX owl_axioms_source_file ON owl_axioms (source_file);
CREATE INDEX owl_axioms_ref ON owl_axioms (ontology_id, object_ref_key) WHERE object_ref_key IS NOT NULL;
CREATE INDEX owl_axioms_subject ON owl_axioms (ontology_id, subject, axiom_type, object);
