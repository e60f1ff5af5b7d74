"""Imported HTML becomes readable, editable text: paragraphs, lists, links, code and quotes survive."""

from __future__ import annotations

from townhall.imports.text import html_to_markdown


def test_paragraphs_emphasis_and_links_become_markdown():
    html = '<p>Try <strong>Saaz</strong> or <em>Hallertau</em>, see <a href="https://hops.example/">the list</a>.</p>'
    assert html_to_markdown(html) == "Try **Saaz** or *Hallertau*, see [the list](https://hops.example/)."


def test_lists_code_and_quotes_keep_their_shape():
    html = ("<p>Steps:</p><ol><li>Boil</li><li>Cool <code>fast</code></li></ol>"
            "<pre><code>og = 1.050\n  fg = 1.010\n</code></pre>"
            "<blockquote><p>Relax, don't worry.</p><p>Have a homebrew.</p></blockquote><ul><li>one</li></ul>")
    assert html_to_markdown(html) == (
        "Steps:\n\n1. Boil\n2. Cool `fast`\n\n```\nog = 1.050\n  fg = 1.010\n```\n\n"
        "> Relax, don't worry.\n>\n> Have a homebrew.\n\n- one"
    )


def test_broken_or_empty_html_still_gives_text():
    assert html_to_markdown("") == ""
    assert html_to_markdown("<p>unclosed <a href='x'>link") == "unclosed link"
    assert html_to_markdown("plain &amp; simple") == "plain & simple"
