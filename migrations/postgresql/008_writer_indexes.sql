-- postgresql/008: SQLite's 011 here (see migrations/011_writer_indexes.sql): owl_classes_source_file
-- answered no query ontosync runs and cost every save that touched a class an index update.
DROP INDEX IF EXISTS owl_classes_source_file;
