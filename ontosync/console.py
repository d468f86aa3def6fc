"""The one way a command tells the user something went wrong: `ontosync: <message>` on stderr.

Below every layer (it imports nothing of ontosync), so the CLI and `fetch-db` print alike.
"""

from __future__ import annotations

import sys


def say(message: str) -> None:
    print(f"ontosync: {message}", file=sys.stderr)
