-- 004: the link text of each page link, so that a class only referred to (no page declares it)
-- carries the name Logseq shows for it as its label. Existing rows get it at the next sync: the
-- parse-settings fingerprint changed with this version, so every file is reparsed.

ALTER TABLE file_edges ADD COLUMN parent_ref_text TEXT;

-- Referenced-only labels are looked up by the class a link resolved to.
CREATE INDEX file_edges_parent ON file_edges (ontology_id, parent_iri) WHERE parent_ref_text IS NOT NULL;
