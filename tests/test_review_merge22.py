"""Review of round 22's merged work (branch integ): regressions and edge cases of the merged branches.

- A `--path` that is a file or no folder at all, given with `--include` globs: the new refusal of
  globs that cannot select under `--path` (h166) was said first, of the wrong problem and with a
  hint that cannot work (`--path pages/p.md --include pages/p.md`: "write pages/p.md/pages/p.md"),
  where main said "--path pages/p.md: not a folder". The `--path` problem is said first again, by
  the local source and the GitHub source alike; the globs' refusal follows once `--path` is a folder.
"""

from __future__ import annotations

import pytest

from tests.test_sources_round16 import TREE, sync_both


@pytest.mark.parametrize(("path", "include", "said"), [
    ("pages/p.md", "pages/p.md", "--path pages/p.md: not a folder"),
    ("nosuch", "pages/*.md", "--path folder not found in {where}: nosuch"),
    ("pages", "*.md", "--include '*.md': no glob can select a file under --path pages (globs are relative to the "
                      "source root, not to --path: write pages/*.md)"),
])
def test_a_path_that_is_no_folder_is_said_before_the_globs_under_it(tmp_path, path, include, said):
    """Failed on main (integ) for the file: the globs' refusal, "write pages/p.md/pages/p.md"."""
    local, remote = sync_both(tmp_path, TREE, "--path", path, "--include", include)
    for proc, where in ((local, "the source"), (remote, "github:o/r@main")):
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.strip() == "ontosync: error: " + said.format(where=where), proc.stderr
