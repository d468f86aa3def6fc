"""The PostgreSQL store: the dialect layer, a source's schema (connect, lock, migrate), the writer."""
