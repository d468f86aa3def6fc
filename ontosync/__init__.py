"""ontosync: keep a queryable SQLite (or PostgreSQL) database of an ontology in step with its repository.

Where to start reading: docs/ARCHITECTURE.md (the path of one sync, the layers, a map of every module).
"""

__version__ = "0.1.0"
