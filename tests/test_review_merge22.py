"""Review of round 22's merged work (branch integ): regressions and edge cases of the merged branches.

- A `--path` that is a file or no folder at all, given with `--include` globs: the new refusal of
  globs that cannot select under `--path` (h166) was said first, of the wrong problem and with a
  hint that cannot work (`--path pages/p.md --include pages/p.md`: "write pages/p.md/pages/p.md"),
  where main said "--path pages/p.md: not a folder". The `--path` problem is said first again, by
  the local source and the GitHub source alike; the globs' refusal follows once `--path` is a folder.
- `--db loop` (a symbolic link to itself) became one line, exit 2 (h165), but `--report loop`,
  `--checkpoint loop` and `diff --output loop` replaced the user's link with a regular file, exit 0
  (the path's mode could not be read, so nothing was checked). Each is now refused as `--db` is.
- The hint of that refusal could not work: `--path journals --include './pages/*.md'` said "write
  journals/./pages/*.md", and `--path pages --include pages` (the folder meant) "write pages/pages".
  It now gives the glob from the root without `./`, and the folder's own glob for a glob naming it.
- The Action's container step (h167) passed a cancel's signal on only while a `docker` command ran,
  and went on after it: a cancel that came while the image was built or pulled, the build ending
  well all the same (or between two docker commands: a KeyboardInterrupt traceback), started the
  container and synced the whole repository with the job cancelled. A cancel now counts whenever
  it comes: no container is started after it (exit 130, "cancelled while the Action's image was
  being prepared"), and the cancel during a build that fails says the same (it had no test).
- A Logseq page's first block is read whatever its length since h168, so a long page of text with no
  bullet (one first block) was walked line by line for properties it cannot hold: 5 MB of plain
  text took 0.27 s to parse, 0.018 s on main (15 times). A page with no `::`, no `:PROPERTIES:`
  drawer and no front matter holds no page property: it is not walked.
"""

from __future__ import annotations

import os
import time

import pytest

from ontosync.parsing import ParseOptions
from ontosync.parsing.logseq import parse_page
from tests.helpers import cli
from tests.test_action_round16 import step_with_docker
from tests.test_sources_round16 import TREE, sync_both, write_tree


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


@pytest.mark.parametrize("flag", ["--report", "--checkpoint", "--output"])
def test_an_output_path_that_is_a_link_loop_is_refused_as_the_database_is(tmp_path, flag):
    """Failed on main (integ): exit 0, and `loop` a regular file holding the report (or checkpoint)."""
    src = write_tree(tmp_path / "src", TREE)
    db = tmp_path / "o.db"
    if flag == "--output":
        assert cli("sync", str(src), "--db", str(db), "--quiet").returncode == 0
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    command = ["diff", "--db", str(db)] if flag == "--output" else ["sync", str(src), "--db", str(db), "--quiet"]
    proc = cli(*command, flag, str(loop))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    [line] = proc.stderr.splitlines()
    assert line.startswith(f"ontosync: error: cannot use {flag} {loop}: a symbolic link loop on the way ("), line
    assert os.readlink(loop) == "loop"
    assert db.exists() == (flag == "--output")  # nothing created by the refused sync


@pytest.mark.parametrize(("path", "include", "hint"), [
    ("journals", "./pages/*.md", "journals/pages/*.md"),
    ("journals", " /pages/*.md ", "journals/pages/*.md"),
    ("pages", "pages", "pages/"),
    ("pages/old", "./pages", "pages/"),
])
def test_the_hint_for_globs_that_cannot_select_under_path_is_a_glob_that_can(tmp_path, path, include, hint):
    """Failed on main (integ): "write journals/./pages/*.md", "write pages/pages"."""
    src = write_tree(tmp_path / "src", {**TREE, "journals/j.md": b"type:: [[Class]]\n"})
    proc = cli("sync", str(src), "--db", str(tmp_path / "o.db"), "--quiet", "--path", path, "--include", include)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().endswith(f"(globs are relative to the source root, not to --path: write {hint})"), \
        proc.stderr
    ok = cli("sync", str(src), "--db", str(tmp_path / "o.db"), "--quiet", "--path", path, "--include", hint)
    assert ok.returncode == 0, ok.stderr


CANCEL_DURING_BUILD = """#!/bin/sh
# the runner's cancel (SIGINT to the step's entry process, this script's parent) comes while the image
# is built; the build, passed the signal, ends as $BUILD says (a build in its last step finishes). A
# `docker run` leaves its mark.
case "$1" in
  build) trap 'exit $BUILD' INT; kill -INT $PPID; i=0; while [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
         exit $BUILD ;;
  run) echo ran > "$MARK"; exit 0 ;;
  *) exit 0 ;;
esac
"""


@pytest.mark.parametrize("build", ["0", "1"])
def test_a_cancel_while_the_image_is_prepared_starts_no_container(tmp_path, build):
    """Failed on main (integ) for a build that ended well: exit 0, the container run (its mark
    written), the cancelled job's whole sync done."""
    mark, summary = tmp_path / "ran", tmp_path / "summary.md"
    proc = step_with_docker(tmp_path, CANCEL_DURING_BUILD, MARK=str(mark), BUILD=build,
                            GITHUB_STEP_SUMMARY=str(summary))
    assert (proc.returncode, "Traceback" in proc.stderr, mark.exists()) == (130, False, False), \
        proc.stdout + proc.stderr
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error")]
    assert errors == ["::error::ontosync: the job was cancelled while the Action's image was being prepared"], \
        proc.stdout
    assert summary.read_text(encoding="utf-8").startswith("## ontosync: not run\n\nThe job was cancelled")


def _parse_time(text: str) -> float:
    """The best of three parses of `text` as a Logseq page, in seconds."""
    data = text.encode("utf-8")
    times = []
    for _ in range(3):
        started = time.perf_counter()
        parse_page("pages/Long.md", data, ParseOptions())
        times.append(time.perf_counter() - started)
    return min(times)


def test_a_long_page_of_text_without_properties_costs_what_a_page_of_bullets_costs():
    """Failed on main (integ): 0.38 s for the text, 0.038 s for the bullets (ten times)."""
    text = _parse_time("plain words here, no property\n" * 200_000)  # no bullet: one first block
    bullets = _parse_time("- plain words here, no property\n" * 200_000)  # its first block ends at once
    assert text < 3 * bullets + 0.02, (text, bullets)
