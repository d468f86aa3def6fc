-- 011: one index fewer for every save to keep (issue 18). `owl_classes_source_file` (source_file)
-- answered no query ontosync runs: the writer finds a file's classes through `file_classes`, the
-- readers, `diff` and the change log read owl_classes by its primary key (ontology_id, class_iri)
-- or scan it for `source_file IS NOT NULL` (every declared class, which a scan reads in order
-- anyway). Yet each save that declares or recomputes a class wrote one of its pages into the WAL
-- at commit, because its keys (paths) scatter: 2.3 of a corpus save's ~52 WAL pages. A user's
-- query for one file's classes reads `file_classes` by its primary key (path, ...) instead, or
-- scans owl_classes (one row per class).
DROP INDEX IF EXISTS owl_classes_source_file;
