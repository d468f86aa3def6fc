-- 009: a referenced-only class's label is the smallest link text among the links that resolve to
-- it (store/repository.py, step 5): `SELECT MIN(parent_ref_text) ... WHERE ontology_id = ? AND
-- parent_iri = ?`. The index it used, (ontology_id, parent_iri), made SQLite read every such link's
-- row to find the minimum: a class that hundreds of pages name without a page of its own (common in
-- a large graph) cost a read per page linking to it, at every save that touched it, so a save grew
-- slower as the graph grew (issue 18). With the text in the index the minimum is one seek.
DROP INDEX IF EXISTS file_edges_parent;
CREATE INDEX file_edges_parent ON file_edges (ontology_id, parent_iri, parent_ref_text)
    WHERE parent_ref_text IS NOT NULL;

-- The stat cache (pipeline/stat_cache.py): a local file's git blob hash, keyed by what `stat` says of
-- it, so a re-sync reads only the files whose size, mtime, ctime or inode changed instead of hashing
-- every file of the tree (as git's index does). It is a cache of the files, not of the database's
-- content: a row is only written for a file that had not changed for 2 s before it was hashed.
CREATE TABLE file_stats (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    blob_sha TEXT NOT NULL
) WITHOUT ROWID;
