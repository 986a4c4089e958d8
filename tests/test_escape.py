"""Escaping and cleaning of untrusted mention text (alerts/escape.py) and the shared view (render.py)."""

from __future__ import annotations

import re

from alerts.escape import (
    ELLIPSIS,
    clean,
    one_line,
    safe_url,
    slack_escape,
    slack_link,
    slack_plain,
    slack_text,
    strip_controls,
    truncate,
)
from alerts.render import alert_view, breakdown, example_view, format_count, render_html, render_text
from tests.fakes.alert_messages import HOSTILE, sample_message

# Slack control sequences: <!...>, <@...>, <#...>, <http...>. None may survive escaping of hostile text.
SLACK_CONTROL = re.compile(r"<[!@#]|<https?:")


def test_slack_escape_defuses_mentions_and_links() -> None:
    escaped = slack_text(HOSTILE)
    assert not SLACK_CONTROL.search(escaped)
    assert escaped == "&lt;!channel&gt; click &lt;http://evil.example|here&gt; &lt;@U123&gt;"


def test_ampersand_escaped_first_so_entities_are_not_double_decoded() -> None:
    assert slack_escape("a & <b>") == "a &amp; &lt;b&gt;"
    assert slack_escape("&lt;!here&gt;") == "&amp;lt;!here&amp;gt;"


def test_bare_broadcast_words_are_defused() -> None:
    out = slack_text("hey @channel and @HERE and @everyone, mail me@channelx.com")
    assert "@channel " not in out and "@HERE" not in out and "@everyone" not in out
    assert "\u2060" in out
    assert "me@channelx.com" in out.replace("\u2060", "") and "@\u2060channelx" not in out


def test_control_and_bidi_characters_are_stripped() -> None:
    assert strip_controls("a\x00b\x07c\u202ed\u2066e\x9bf\r\ng\th") == "abcdef\ng\th"
    assert one_line("  multi\n line\t text  ") == "multi line text"


def test_truncate_prefers_word_boundary_and_marks_the_cut() -> None:
    text = "word " * 50
    out = truncate(text, 40)
    assert len(out) <= 40 and out.endswith(ELLIPSIS) and not out[:-1].endswith(" ")
    assert truncate("short", 40) == "short"
    assert truncate("abcdefghij" * 5, 10) == "abcdefghi" + ELLIPSIS
    assert truncate("anything", 0) == ""


def test_escaped_text_respects_the_limit_and_never_splits_an_entity() -> None:
    out = slack_text("&" * 100, 12)
    assert out == "&amp;&amp;" + ELLIPSIS
    assert len(slack_text("<" * 5000, 2900)) <= 2900
    assert slack_text("a & b", 12) == "a &amp; b"


def test_clean_single_line_and_limit() -> None:
    assert clean("line one\nline two", 100, single_line=True) == "line one line two"
    assert len(clean("x" * 1000, 50)) == 50


def test_safe_url_accepts_only_http_and_https() -> None:
    assert safe_url("https://x.com/a/status/1") == "https://x.com/a/status/1"
    for bad in ("javascript:alert(1)", "data:text/html,hi", "//evil.example", "http://", "https://a b.com",
                "https://a.com/\x00", "", None, "ftp://files.example/x"):
        assert safe_url(bad) == "", bad


def test_slack_link_escapes_both_halves_and_drops_unsafe_targets() -> None:
    assert slack_link("https://x.com/a?b=1&c=2", "@mallory <!here>") == \
        "<https://x.com/a?b=1&amp;c=2|@mallory &lt;!here&gt;>"
    assert slack_link("https://x.com/a|b", "l") == "<https://x.com/a%7Cb|l>"
    assert slack_link("javascript:alert(1)", "<@U1>") == "&lt;@U1&gt;"
    assert slack_link("https://x.com/" + "a" * 600, "long") == "long"


def test_slack_plain_is_one_line_and_capped() -> None:
    out = slack_plain("Brand\n" + "x" * 300)
    assert "\n" not in out and len(out) <= 150


def test_format_count_and_breakdown_shapes() -> None:
    assert [format_count(v) for v in (999, 1000, 12_345, 2_500_000, 0.25, "n/a")] == \
        ["999", "1k", "12.3k", "2.5M", "0.25", "n/a"]
    assert breakdown({"a": 1, "b": 5}) == [("b", 5), ("a", 1)]
    assert breakdown([["x", 2], ["y", 3]]) == [("y", 3), ("x", 2)]
    assert breakdown(["x", "y"]) == [("x", 0), ("y", 0)]
    assert breakdown(None) == []


def test_view_cleans_examples_and_caps_their_number() -> None:
    view = alert_view(sample_message(), max_examples=5)
    assert len(view.examples) == 3  # two or three examples, however many a channel allows
    assert view.examples[1].url == ""  # javascript: link dropped
    assert "\x07" not in view.examples[2].text and "\u202e" not in view.examples[2].text
    assert len(example_view(sample_message().examples[3]).text) <= 280
    assert view.examples[0].reach == "120.5k followers" and view.examples[2].reach == ""
    assert ("Mentions", "41") in view.facts and ("Usually", "4") in view.facts
    assert view.categories[0] == ("outage", 30)


def test_html_template_autoescapes_and_text_template_does_not_need_to() -> None:
    view = alert_view(sample_message())
    html = render_html(view)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>evil</b>" not in html and "&lt;b&gt;evil&lt;/b&gt;" in html
    assert 'href="javascript:' not in html
    assert 'href="https://x.com/mallory/status/1"' in html
    text = render_text(view)
    assert "<script>alert('x')</script>" in text  # plain text stays literal (it is never rendered as HTML)
    assert "Brightwave & Co" in text and "https://reddit.com/r/a/1" in text
