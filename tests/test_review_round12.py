"""The change log, `diff`, the job summary and the pull-request comment, round 12 (task h140)."""

from __future__ import annotations

import re

import pytest

from ontosync.action.summary import cell
from ontosync.diff_format import md, to_markdown

# GitHub's emoji filter: a `:name:` in the text of the rendered HTML (escapes gone) becomes the emoji
_SHORTCODE = re.compile(r":[0-9A-Za-z_+\-]+:")


def _rendered_text(markdown: str) -> str:
    """The text GitHub's filters see: markdown's backslash escapes and HTML's entities undone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("&lt;", "<").replace("&amp;", "&")


@pytest.mark.parametrize("label", [":tada:", "Fix :+1: it", ":white_check_mark: Done", "a :-1: b", "x :rocket:y"])
def test_an_emoji_shortcode_in_user_text_shows_as_its_text(label):
    """A label `:x:` changed to `:white_check_mark:` read "❌ → ✅" in the comment and the summary:
    GitHub turns `:name:` into an emoji in the rendered text, after the markdown's escapes (a
    backslash before the colon does nothing to it). A joiner after the colon keeps the text."""
    for shown in (md(label), cell(label)):
        assert not _SHORTCODE.search(_rendered_text(shown)), shown
        assert _rendered_text(shown).replace("\u200d", "") == label
    data = {"base": {"run": 1, "revision": None}, "head": {"run": 2, "revision": None},
            "classes": {"added": [], "removed": [], "changed": [
                {"iri": "http://ex.org/A", "label": label, "changes": {"label": [":x:", label]}}]},
            "properties": {"added": [], "removed": [], "changed": []},
            "axioms": {"added": 0, "removed": 0, "by_subject": []}}
    assert not _SHORTCODE.search(_rendered_text(to_markdown(data)))


def test_a_colon_that_starts_no_shortcode_is_left_alone():
    """Only a colon that opens a `:name:` gets the joiner: `ex:Thing`, `a: b` and a time read as before."""
    for text in ("ex:Thing", "a: b", "12:30", "ratio 1:2"):
        assert "\u200d" not in md(text) and "\u200d" not in cell(text), text
