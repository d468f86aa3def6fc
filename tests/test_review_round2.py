"""What a reviewer reads of a push (the job summary's "What changed", the pull-request comment)
against what the push really did (task h23: the change log and review, round 2).

A file that fails to sync keeps its last good version (CONTRACT section 2), so the change log
rightly shows nothing for it; the review must then say that this push's edit of that file is not
in the figures, or "No change to the ontology" is read as "this pull request is safe".
"""

from __future__ import annotations

import json
from pathlib import Path

try:
    from tests.fake_github import FakeGitHub
    from tests.test_pr_comment import BASE, TOKEN, bot_comments, run_pr, write_tree
except ImportError:  # tests/ is not a package: pytest put this folder on sys.path
    from fake_github import FakeGitHub
    from test_pr_comment import BASE, TOKEN, bot_comments, run_pr, write_tree

TTL = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
       '<http://ex.org/X> a owl:Class ; rdfs:label "{label}" .\n')
BROKEN_TTL = TTL.format(label="Renamed") + "<http://ex.org/Y> a owl:Class ;;; broken\n"
TURTLE_BASE = {**BASE, "onto/extra.ttl": TTL.format(label="Extra"), "onto/more.ttl": TTL.format(label="Extra")
               .replace("/X>", "/Z>")}


def serving(tmp_path: Path, base: dict[str, str]) -> FakeGitHub:
    """A fake GitHub whose base commit holds `base` (use it in a `with`)."""
    write_tree(tmp_path / "base", base)
    return FakeGitHub(tmp_path / "base", owner="acme", repo="onto", token=TOKEN)


def _shown(markdown: str) -> str:
    return markdown.replace("\\", "")  # markdown's escapes aside: what the reader sees


def test_a_file_that_fails_in_the_pull_request_is_named_in_the_comment_and_summary(tmp_path):
    """A pull request that breaks a Turtle file: the log holds no change for it (its last good
    version is kept), and the Action posted no comment at all and a summary saying "No change to
    the ontology", so the reviewer saw a harmless pull request. Both now name the failed files."""
    head = {**TURTLE_BASE, "onto/extra.ttl": BROKEN_TTL, "onto/more.ttl": BROKEN_TTL.replace("/X>", "/Z>")}
    with serving(tmp_path, TURTLE_BASE) as fake:
        code, outputs, summary, log = run_pr(tmp_path, fake, head, inputs={"max-error-rate": "1"})
        comments = bot_comments(fake)
    assert code == 0, log[-3000:]
    report = json.loads((tmp_path / "ws" / "ontosync-report.json").read_text(encoding="utf-8"))
    failed = sorted(e["path"] for e in report["errors"])
    assert failed == ["onto/extra.ttl", "onto/more.ttl"]
    # the contract's part held: the failed files' classes are neither removed nor relabelled
    assert (outputs["classes-added"], outputs["classes-removed"], outputs["classes-changed"]) == ("0", "0", "0")

    [comment] = comments  # posted although the diff is empty
    for text in (_shown(comment["body"]), _shown(summary.split("## ontosync:")[0])):
        assert "2 files failed to sync" in text
        assert all(path in text for path in failed)
        assert "last good version" in text
    assert "No change to the ontology" not in comment["body"]
