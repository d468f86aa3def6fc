-- 006: the change log. One `runs` row per sync; `run_changes` holds, per run, the ontology-level
-- changes of that run, written in the same transaction as each file's facts and folded per key
-- (the first old value and the last new one of the run; a key whose old equals its new is
-- dropped), so a run's log does not depend on the order its files were applied in.
--   kind 'class':    iri = the class, item = '', old/new = its card (JSON: label, definition,
--                    parents, synonyms) or NULL when it was / is not declared;
--   kind 'property': iri = the property, item = '', old/new = its card (type, label, domain, range);
--   kind 'axiom':    iri = the subject, item = the axiom (JSON [type, object, annotations]),
--                    old/new = 1 when present, NULL when absent.

CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    revision TEXT,
    source TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    changes INTEGER NOT NULL DEFAULT 0   -- run_changes rows, counted when the run finishes
);

CREATE TABLE run_changes (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('class', 'property', 'axiom')),
    ontology_id TEXT NOT NULL,
    iri TEXT NOT NULL,
    item TEXT NOT NULL DEFAULT '',
    old TEXT,
    new TEXT,
    PRIMARY KEY (run_id, kind, ontology_id, iri, item)
) WITHOUT ROWID;

-- Counting the copies of one axiom (does it survive another file's removal?) without a scan.
CREATE INDEX IF NOT EXISTS owl_axioms_subject ON owl_axioms (ontology_id, subject, axiom_type, object);
