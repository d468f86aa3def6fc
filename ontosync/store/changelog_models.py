"""Peewee models of the change log's tables (migrations 006 / postgresql/004), for its reads.

Kept apart from store/models.py (the contract tables) so the change log's reads (store/run_reads.py:
`diff`, the Action's change outputs) go through Peewee on both databases without touching that
module's declarations. tests/test_run_reads.py checks them against both migrated schemas.
"""

from __future__ import annotations

from peewee import BigIntegerField, CompositeKey, IntegerField, TextField

from ontosync.store.models import BaseModel


class Run(BaseModel):
    id = BigIntegerField(primary_key=True)
    revision = TextField(null=True)
    source = TextField(null=True)
    started_at = TextField()
    finished_at = TextField(null=True)
    changes = IntegerField()

    class Meta:
        table_name = "runs"


class RunChange(BaseModel):
    run_id = BigIntegerField()
    kind = TextField()
    ontology_id = TextField()
    iri = TextField()
    item = TextField()
    old = TextField(null=True)
    new = TextField(null=True)

    class Meta:
        table_name = "run_changes"
        primary_key = CompositeKey("run_id", "kind", "ontology_id", "iri", "item")


CHANGELOG_MODELS = (Run, RunChange)
