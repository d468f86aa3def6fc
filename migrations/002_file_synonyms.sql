-- 002: each file's synonyms of the classes it declares (Logseq alternate-terms:: and alias::,
-- oboInOwl has*Synonym, skos:altLabel). Kept per file like the other file_* facts, so deleting or
-- editing a file replaces exactly its synonyms; readers take the union over the declaring files.

CREATE TABLE file_synonyms (
    path TEXT NOT NULL REFERENCES source_files (path) ON DELETE CASCADE,
    ontology_id TEXT NOT NULL,
    class_iri TEXT NOT NULL,
    synonym TEXT NOT NULL,
    predicate TEXT NOT NULL,
    PRIMARY KEY (path, ontology_id, class_iri, predicate, synonym)
);
CREATE INDEX file_synonyms_iri ON file_synonyms (ontology_id, class_iri);
