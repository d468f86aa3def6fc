"""`None` bound as SQL NULL without the sqlite3 module's adaptation attempt, for bulk inserts.

Why: Python's sqlite3 binds str, int, float and bytearray directly, but sends every other value,
`None` included, through its adaptation protocol first (CPython 3.11-3.13, `need_adapt`). With no
adapter registered for `NoneType`, that asks the `PrepareProtocol` type for `__adapt__`, which
raises and formats an AttributeError and clears it: ~0.4 us for each `None` bound. A `statements`
row of an RDF file has three or four `None`s (no value or no object, no datatype, no language):
PATO's 35,080 rows bind 104,195 of them, ~35 ms of its ~80 ms insert.

Registered for the block only, an adapter for `NoneType` is found in the module's adapter table
at once and returns its argument (`{}.get(None)` is `None`, a C call), so what is bound is
exactly what it was: NULL. Process-wide while the block runs (the table is the module's), which
changes no value any connection binds; whatever was registered for `NoneType` before is put back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

_KEY = (type(None), sqlite3.PrepareProtocol)
_MISSING = object()


@contextmanager
def fast_nulls() -> Iterator[None]:
    """`None` parameters bound without the failed adaptation lookup for the block (see above)."""
    adapters = getattr(sqlite3, "adapters", None)
    if not isinstance(adapters, dict):  # another implementation of the module: nothing to save
        yield
        return
    before = adapters.get(_KEY, _MISSING)
    if before is _MISSING:
        adapters[_KEY] = {}.get
    try:
        yield
    finally:
        if before is _MISSING:
            adapters.pop(_KEY, None)
