"""The store: the only owner of SQL and transactions (the writer, the schema and its migrations,
the named reads, locks and health checks); PostgreSQL's in store/pg/. See docs/ARCHITECTURE.md."""
