"""The job summary, the pull-request comment and `diff`'s text, round 11 (task h112).

"What changed" cut by the run's own section (its note then false), escapes cut in half, "after 1
attempts", and variation selectors shown as escapes where they belong to the character before.
"""

from __future__ import annotations

import io
import re

import pytest

from ontosync.action import changes as change_report
from ontosync.action.commands import Commands
from ontosync.action.summary import SUMMARY_LIMIT, annotate_failures, cell, fit_summary, summary_markdown
from ontosync.diff_format import iri_visible, md, md_iri, shown_rows, to_markdown, to_text, utf8_size
from tests.fake_github import FakeGitHub


def _data(n: int) -> dict:
    """A change of `n` added classes, each with a 4-byte-script label (a row of ~250 bytes)."""
    added = [{"iri": f"http://ex.org/C{i}", "label": "\U00020000" * 40 + str(i)} for i in range(n)]
    return {"base": {"run": 1, "revision": None}, "head": {"run": 2, "revision": None},
            "classes": {"added": added, "removed": [], "changed": []},
            "properties": {"added": [], "removed": [], "changed": []},
            "axioms": {"added": 0, "removed": 0, "by_subject": []}}


def _huge_report() -> dict:
    """A run whose own section is near GitHub's limit: 100 failed files and 100 warnings, each cell
    of 300 characters that escaping makes 5 bytes each (`&` is `&amp;`)."""
    text = "&" * 400
    errors = [{"path": f"{i}{text}", "kind": f"{i}{text}", "message": text, "line": 1} for i in range(150)]
    warnings = [{"path": f"{i}{text}", "kind": text, "message": text} for i in range(150)]
    return {"files": {"total": 300, "ok": 0, "failed": 300}, "errors": errors, "warnings": warnings}


def test_what_changed_keeps_its_room_when_the_run_section_is_huge():
    """The run's section took its room first: a run of 100 failed files and 100 warnings, their
    cells full of `&`, left "What changed" ~150 KB of its 200 KB, which was cut with a note "the
    run report has everything" (the run report holds no change), and the pull request's comment
    said "the run's summary has the first N rows" of rows the summary no longer had. "What changed"
    keeps its room now; the run's section is cut, its note true, all under 1 MiB."""
    data = _data(1200)
    opening = change_report.summary_section(data, "changes.json")
    body = summary_markdown(_huge_report(), 1, {"report": "report.json"})
    assert utf8_size(opening) > 150_000 and utf8_size(body) > SUMMARY_LIMIT - utf8_size(opening)  # they clash
    text = fit_summary(opening, body + "\n")
    assert utf8_size(text) <= SUMMARY_LIMIT
    assert text.startswith(opening)  # whole: every row the comment says the summary has
    rows = sum(1 for line in text.split("## ontosync")[0].splitlines() if line.startswith("| ") and "C" in line
               and "`http://ex.org/C" in line)
    assert rows == shown_rows(data, change_report.SUMMARY_BUDGET, title=change_report.SUMMARY_TITLE,
                              measure=utf8_size)
    assert text.count("…cut here") == 1 and text.index("…cut here") > text.index("## ontosync")
    assert text.endswith("the run report has everything.\n\n")


@pytest.mark.parametrize("control", ["\x1b", "\u202e", "\udcff"])
def test_a_cut_falls_between_escapes_never_inside_one(control):
    """`md` and `cell` cut after escaping: a value of controls cut at the limit ended in half an
    escape (`\\u20…`, `\\x1…`, a lone backslash), read as another character or none. The cut now
    falls between the escapes of two characters, within the limit; the row keeps its cells."""
    for n in range(40, 52):
        value = "a" * n + control * 30
        for shown in (md(value, 60).replace("\\\\", "\\"), cell(value, 60)):  # md's `\\` is one backslash
            assert len(shown) <= 60 and shown.endswith("…"), shown
            assert re.fullmatch(r"a*((\\x[0-9a-f]{2})|(\\u[0-9a-f]{4}))*…", shown), (n, shown)


def test_an_iri_cut_keeps_its_escapes_whole():
    """`md_iri` cut a long IRI after showing its zero-width spaces as escapes: `\\u200…`."""
    shown = md_iri("http://ex.org/" + "\u200b" * 100)
    assert re.fullmatch(r"`http://ex\.org/(\\u200b)*…`", shown), shown


def test_a_variation_selector_in_an_iri_is_an_escape_even_after_the_character_it_belongs_to():
    """`<http://ex.org/❤>` and `<http://ex.org/❤️>` are two classes that read the same
    in many terminals: a selector after the emoji (or an ideograph) was shown as itself in an IRI,
    so a class replaced by its twin read as removed and added again. Shown as an escape now, as in
    a quoted value; after an ASCII letter, as before, an escape."""
    heart, ideograph = "http://ex.org/\u2764\ufe0f", "http://ex.org/\u845b\U000e0100"
    assert iri_visible(heart) == "http://ex.org/\u2764\\ufe0f"
    assert iri_visible(ideograph) == "http://ex.org/\u845b\\U000e0100"
    assert md_iri("http://ex.org/B\ufe00\uffa0\U000e0100") == "`http://ex.org/B\\ufe00\\uffa0\\U000e0100`"
    assert iri_visible("http://ex.org/A\u180b") == "http://ex.org/A\\u180b"
    data = {"base": {"run": 1, "revision": None}, "head": {"run": 2, "revision": None},
            "classes": {"added": [{"iri": heart, "label": None}],
                        "removed": [{"iri": "http://ex.org/\u2764", "label": None}], "changed": []},
            "properties": {"added": [], "removed": [], "changed": []},
            "axioms": {"added": 0, "removed": 0, "by_subject": []}}
    text = to_text(data)
    assert "<http://ex.org/\u2764\\ufe0f>" in text and "<http://ex.org/\u2764>" in text, text
    assert "`http://ex.org/\u2764\\ufe0f`" in to_markdown(data)
    data["classes"] = {"added": [], "removed": [], "changed": [  # in a quoted value, as before
        {"iri": "http://ex.org/H", "label": "H", "changes": {"label": ["\u2764", "\u2764\ufe0f"]}}]}
    assert '      label: "\u2764" -> "\u2764\\ufe0f"' in to_text(data).splitlines(), to_text(data)


def test_one_attempt_is_said_in_the_singular(corpus_free_fake):
    """`--retries 1` and GitHub down: "after 1 attempts"."""
    from ontosync.sources import PathFilter, SourceError
    from ontosync.sources.github import GitHubSource

    fake = corpus_free_fake
    fake.fault_rate, fake.fault_kinds, fake.max_consecutive_faults = 1.0, ("500",), 1000
    source = GitHubSource("github:o/r@main", PathFilter(), fake.url, fake.token, retries=1, timeout=5,
                          backoff_factor=0.01)
    with pytest.raises(SourceError) as info:
        list(source.list_files())
    assert "after 1 attempt:" in str(info.value), str(info.value)


@pytest.fixture
def corpus_free_fake():
    with FakeGitHub() as server:
        server.commit({"a.ttl": b"<http://ex.org/A> a <http://ex.org/B> .\n"})
        yield server


def test_one_file_or_row_left_out_is_said_in_the_singular():
    """11 failed files: the tenth annotation's warning read "1 more files failed ... and are not
    annotated"; a change with one row over the budget: "…and 1 more rows not shown"."""
    out = io.StringIO()
    errors = [{"path": f"f{i}.ttl", "kind": "parse", "message": "bad", "line": 1} for i in range(11)]
    assert annotate_failures(Commands(out), {"errors": errors}) == 10
    [warning] = [line for line in out.getvalue().splitlines() if line.startswith("::warning")]
    assert "::1 more file failed to sync and is not annotated (" in warning, warning
    assert "::group::1 more failed file\n" in out.getvalue()
    text = to_markdown(_data(2), budget=utf8_size(to_markdown(_data(1))) + 400 + 100, measure=utf8_size)
    assert "…and 1 more row not shown." in text.splitlines(), text


def test_the_summary_escapes_the_pull_requests_base_note():
    """The base note names the `restore-artifact` input (`[x](y)`, `$x$`, `_x_` are names
    upload-artifact takes): the comment escaped it, the job summary's note under the figures did
    not, and the name read as a link or a formula there."""
    from ontosync.action.run import figures_note

    base = "the newest '[db](evil) $x$' artifact of the base branch, brought to the base commit"
    note = figures_note(Commands(io.StringIO()), (base, None, None, None), _data(1), {}, 0)
    assert note == f"Compared with {md(base, 1000)}.", note
    assert "[db](evil)" not in note and "\\[db\\]\\(evil\\) \\$x\\$" in note
