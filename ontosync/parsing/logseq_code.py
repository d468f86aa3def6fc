"""Where Logseq's parser (mldoc) sees a code block on a markdown page: the one rule both readers of a
page (`logseq_scan.PageScan`, `logseq_page_props`) apply, so what one hides the other hides too.

mldoc `block0.ml` `fenced_code_block`: a line whose text (after indentation, and after a bullet's
`- `: `heading0.ml` reads the bullet's title as the block it opens) starts with three backticks or
three tildes opens a fence, the rest of the line its language (```` ```python x``` ```` too: mldoc
knows no one-line fence); `between_lines` ends it at the first line below whose trimmed text starts
with three backticks or three tildes, tagged or not (```` ```clojure ```` inside a fence closes it:
fences do not nest), while `- ```` is a bullet's text there. A fence no line closes is none: its
lines are read as any others. ontosync adds one rule of Logseq's outline: a column-0 bullet
(`logseq_scan.top_bullet`) starts a new top-level block, so a fence ends on the line above it.
"""

from __future__ import annotations

import re

# The opener: indentation, a bullet's `- ` (optional), then the marker; group 4 the info string.
FENCE = re.compile(r"([ \t]*)(-[ \t]+)?(```|~~~)[`~]*[ \t]*(.*)", re.DOTALL)
MARKERS = ("```", "~~~")
_TRIM = " \t\n\r\f"  # OCaml's String.trim


def opens_fence(line: str) -> bool:
    """Whether `line` opens a fence (when a line below closes it: `closes_fence`)."""
    return FENCE.match(line) is not None


def closes_fence(line: str) -> bool:
    """Whether `line` closes an open fence: its trimmed text starts with a marker (mldoc's
    `between_lines` test), so `  ```clojure` does and `- ```` does not."""
    return line.strip(_TRIM).startswith(MARKERS)
