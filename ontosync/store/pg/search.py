"""`ontosync search` on PostgreSQL: the same question as store/search.py asks SQLite's FTS5 index,
asked of the GIN index over class_search's words (migrations/postgresql/002), with the
declaring line from `class_source` (migrations/postgresql/003).

Words are matched whole, the last one also as a prefix (as the SQLite search does); ranked by
ts_rank with the label weighted over synonyms over the definition, then by CURIE.
"""

from __future__ import annotations

import re
from typing import Any

# the indexed expression, written exactly as the index is, so the planner uses it
DOCUMENT = ("to_tsvector('simple', coalesce(label, '') || ' ' || coalesce(synonyms, '') || ' ' "
            "|| coalesce(definition, ''))")
WEIGHTED = ("setweight(to_tsvector('simple', coalesce(label, '')), 'A') || "
            "setweight(to_tsvector('simple', coalesce(synonyms, '')), 'B') || "
            "setweight(to_tsvector('simple', coalesce(definition, '')), 'C')")


def ts_query(text: str) -> str:
    """User text -> a to_tsquery string that cannot be a syntax error: words ANDed, the last a prefix."""
    words = re.findall(r"\w+", text)
    return " & ".join([*map(_cases, words[:-1]), _cases(words[-1], ":*")]) if words else ""


def _cases(word: str, suffix: str = "") -> str:
    """A word as typed, in lower and upper case and capitalised, ORed. Why: the 'simple' dictionary
    lower-cases by the server's LC_CTYPE, and under C (a `--no-locale` cluster) only ASCII letters:
    the index holds `Über` and `Кошка` with their capitals, and a query lower-cased here matched
    neither. One of the forms meets the word as a label writes it; on other servers they coincide."""
    forms = sorted({word, word.lower(), word.upper(), word[:1].upper() + word[1:].lower()})
    return "(" + " | ".join(f + suffix for f in forms) + ")"


def search(conn: Any, text: str, limit: int = 50) -> list[dict]:
    query = ts_query(text)
    if not query:
        return []
    rows = conn.execute(
        f"""SELECT label, curie, source_file, (SELECT s.source_line FROM class_source s WHERE s.curie = c.curie)
            FROM class_search c, to_tsquery('simple', ?) q
            WHERE {DOCUMENT} @@ q ORDER BY ts_rank({WEIGHTED}, q) DESC, curie LIMIT ?""", (query, limit)).fetchall()
    return [{"label": label, "curie": curie, "source_file": source, "source_line": line}
            for label, curie, source, line in rows]
