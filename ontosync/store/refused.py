"""A value the database cannot hold: the file that carries it fails, and the run goes on.

Why: SQLite stores any text of any length, PostgreSQL does not. Its text cannot hold NUL (psycopg2
refuses the statement before sending it, with a ValueError), and a btree index entry has a size
limit (about 2.7 kB, 8 kB for the page: program_limit_exceeded, 54000), so a 9,000-character IRI
cannot be a key. Such a value is in one file's facts, not in the database's health: raised as a
database error it stopped the run (exit 3, or a traceback for the NUL) at that file on every
later sync, and nothing after it was ever synced. Raised as `ValueRefused` it rolls back that
file's transaction only; the pipeline records the file `failed` (kind `database`), its last good
facts kept, as for a file that cannot be parsed. A path too long to be a key cannot even be
recorded as failed: that file is named in the report's errors and the checkpoint only.
"""

from __future__ import annotations

PROGRAM_LIMIT_EXCEEDED = "54000"
# A database created in LATIN1 (or another single-byte encoding) cannot hold, say, a Cyrillic label:
# one file's text, like a NUL, not the database's health (it stopped every sync at that file)
UNTRANSLATABLE_CHARACTER = "22P05"


class ValueRefused(Exception):
    """The file's facts hold a value the database cannot store; the message says which limit.
    `too_long`: the limit is an index entry's size (then `named_refusal` can say which value)."""

    kind = "database"

    def __init__(self, message: str, too_long: bool = False) -> None:
        super().__init__(message)
        self.too_long = too_long


def refusal(exc: BaseException) -> ValueRefused | None:
    """The ValueRefused a PostgreSQL driver error stands for, or None when it is not one."""
    if isinstance(exc, ValueError) and "NUL (0x00)" in str(exc):
        return ValueRefused("PostgreSQL text cannot hold a NUL character (\\x00), and a value of this file has one")
    code = getattr(exc, "pgcode", None)
    if code not in (PROGRAM_LIMIT_EXCEEDED, UNTRANSLATABLE_CHARACTER):
        return None
    diag = getattr(exc, "diag", None)
    detail = " ".join(str(getattr(diag, "message_primary", None) or exc).split())[:200]
    if code == UNTRANSLATABLE_CHARACTER:
        return ValueRefused(f"the database's encoding cannot hold a character of this file ({detail}); "
                            "a UTF8 database holds any text")
    return ValueRefused(f"a value of this file is too long for a PostgreSQL index ({detail})", too_long=True)


INDEX_ENTRY_BYTES = 2704  # a btree entry's most (version 4), once compressed


def named_refusal(refused: ValueRefused, facts) -> tuple[str, int | None]:
    """The refusal's message and line for the file whose `facts` it refused. The server names only
    the index ("index row size 6056 exceeds ... for index file_classes_pkey"): when an IRI of the
    file is longer than an entry holds (an IRI keys a class, so no index can hash it: postgresql/010),
    the message names that IRI, cut short, its length and the line declaring it, when known."""
    iri = _longest_iri(facts) if refused.too_long else None
    if iri is None or len(iri.encode("utf-8")) <= INDEX_ENTRY_BYTES:
        return str(refused), None
    line = next((c.line for c in facts.classes if c.iri == iri and c.line), None)
    return (f"the IRI <{iri[:60]}…> ({len(iri):,} characters) is too long for a PostgreSQL index (an entry "
            f"holds about {INDEX_ENTRY_BYTES:,} bytes once compressed), so it cannot be a key there; "
            "SQLite stores it"), line


def _longest_iri(facts) -> str | None:
    """The longest IRI the file's rows key a table by (its ontology's, a class's, a parent's, a
    property's, an axiom's subject, an RDF file's statement's subject, predicate or object)."""
    rows = facts.statements if isinstance(facts.statements, list) else []
    iris = [facts.ontology_id or "", *(c.iri for c in facts.classes), *(e.child for e in facts.edges),
            *(e.parent for e in facts.edges), *(p.iri for p in facts.properties),
            *(a.subject for a in facts.axioms), *(s.iri for s in facts.synonyms),
            *(term or "" for row in rows for term in row[1:4])]
    return max(iris, key=len, default=None)
