"""Markdown is rendered once and sanitised: no scripts, no handlers, no javascript: links."""

from __future__ import annotations

from townhall.content.services import render_with_mentions
from townhall.core.markdown import find_mentions, html_to_text, render_markdown, sanitize_html


def test_script_tags_are_never_rendered():
    html = render_markdown("Hello <script>alert('x')</script> world")
    assert "<script" not in html
    assert "Hello" in html


def test_script_tags_in_imported_html_are_removed():
    assert "<script" not in sanitize_html("<p>ok</p><script>alert(1)</script>")


def test_event_handler_attributes_are_stripped():
    html = sanitize_html('<img src="https://example.com/a.png" onerror="alert(1)"><a href="/x" onclick="evil()">x</a>')
    assert "onerror" not in html and "onclick" not in html
    assert 'src="https://example.com/a.png"' in html
    # Raw HTML in Markdown is shown as text, never as a tag.
    assert "<img" not in render_markdown('<img src=x onerror="alert(1)">')


def test_javascript_links_are_not_links():
    html = render_markdown("[click me](javascript:alert(1)) and <javascript:alert(2)>")
    assert "<a" not in html and "href" not in html
    assert 'href="javascript' not in sanitize_html('<a href="javascript:alert(1)">click</a>')
    assert "href" not in sanitize_html('<a href="JaVaScRiPt:alert(1)">click</a>')


def test_links_are_marked_nofollow_ugc():
    html = render_markdown("See [the manual](https://example.com/manual) and https://example.org")
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://example.org"' in html


def test_code_blocks_are_kept_and_escaped():
    html = render_markdown("```python\nprint('<b>hi</b>')\n```")
    assert '<pre><code class="language-python">' in html
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_lists_tables_and_emphasis_render():
    html = render_markdown("1. one\n2. **two**\n\n| a | b |\n| - | - |\n| 1 | 2 |")
    assert "<ol>" in html and "<strong>two</strong>" in html and "<table>" in html


def test_mentions_are_linked_only_for_members_who_exist(member):
    html, mentioned = render_with_mentions("Thanks @member, and @nobody-here too")
    assert '<a class="mention" href="/u/member/"' in html
    assert "/u/nobody-here/" not in html and "@nobody-here" in html
    assert mentioned == [member.pk]


def test_mentions_in_code_are_left_alone(member):
    html, _ = render_with_mentions("Run `ping @member` then ask @member")
    assert "<code>ping @member</code>" in html
    assert html.count('href="/u/member/"') == 1


def test_emails_are_not_mentions():
    assert find_mentions("write to someone@member.example or @alice") == ["alice"]


def test_html_to_text_strips_tags_for_search_and_email():
    assert html_to_text("<p>Hello <strong>there</strong></p>\n<ul><li>a</li></ul>") == "Hello there a"


def test_file_names_are_not_turned_into_links_but_addresses_are():
    from townhall.core.markdown import render_markdown

    html = render_markdown("Edit setup.py and README.md, then run install.sh; docs at example.com/setup "
                           "and www.example.org.")
    assert "setup.py" in html and 'href="http://setup.py"' not in html and 'href="http://README.md"' not in html
    assert 'href="http://example.com/setup"' in html and 'href="http://www.example.org"' in html
