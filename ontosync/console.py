"""The one way a command tells the user something went wrong: `ontosync: <message>` on stderr.

Below every layer (it imports nothing of ontosync but db_url, a bottom module too), so the CLI and
`fetch-db` print alike.
"""

from __future__ import annotations

import sys


def say(message: str) -> None:
    """One line on stderr; a PostgreSQL password in it (a URL, a driver's message) is masked."""
    from ontosync.db_url import mask

    print(f"ontosync: {mask(message)}", file=sys.stderr)


def verdict(problems: list[str], shown: str, ok_line: str) -> int:
    """What `verify` ends with on either database: each problem on its own line and exit 3, or the
    one line that says which checks passed (on stdout) and exit 0."""
    if problems:
        for p in problems:
            say(f"verify: {p}")
        say(f"verify failed: {shown} fails its checks (above)")
        return 3
    print(f"{shown}: {ok_line}")
    return 0
