-- 003: each file's fingerprint: a hash of the parser version and of the settings that change
-- facts (ontology id, namespaces, page namespace, every parse option, include/exclude globs) the
-- file was last processed under. A run whose fingerprint differs reprocesses the file, in fresh,
-- incremental and resumed runs alike. NULL (rows from before 003): reprocessed once.

ALTER TABLE source_files ADD COLUMN fingerprint TEXT;
