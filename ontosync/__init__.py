"""ontosync: keep a queryable SQLite database of an ontology in step with its repository."""

__version__ = "0.1.0"
