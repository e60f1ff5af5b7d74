"""Markdown rendered once, when it is written, and sanitised: pages only ever show stored HTML."""

from __future__ import annotations

import html as html_lib
import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "sup", "sub", "kbd", "span", "div", "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_.+-]{1,150}[A-Za-z0-9_])")

_md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False}).enable(
    ["table", "strikethrough", "linkify"]
)
# Addresses written without http(s):// become links only under the common generic domains: by default
# every two-letter country domain counts, which made file names (setup.py, README.md, install.sh) links
# to strangers' sites, and counted them as links for the spam checks.
LINKIFY_TLDS = ["com", "net", "org", "info", "biz", "edu", "gov", "io", "dev", "app", "ai", "co", "me", "tv",
                "xyz", "shop", "store", "online", "site", "top", "club", "live", "news", "blog", "tech"]
assert _md.linkify is not None  # linkify-it-py is a dependency of ours
_md.linkify.tlds(LINKIFY_TLDS, False)


def sanitize_html(html: str) -> str:
    """Clean HTML from any source (Markdown output, imported posts): no scripts, no handlers."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )


def find_mentions(text: str) -> list[str]:
    """Usernames @mentioned in the text, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)


def _link_mentions(html: str, usernames: set[str]) -> str:
    if not usernames:
        return html

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in usernames:
            return match.group(0)
        return f'<a class="mention" href="/u/{name}/">@{name}</a>'

    # Only outside tags and code: split on tags and <code>…</code> blocks.
    parts = re.split(r"(<code>.*?</code>|<pre>.*?</pre>|<[^>]+>)", html, flags=re.S)
    return "".join(part if part.startswith("<") else MENTION_RE.sub(replace, part) for part in parts)


def render_markdown(text: str, mentioned: set[str] | None = None) -> str:
    """Markdown → safe HTML. `mentioned` are the usernames that exist, to turn into profile links."""
    html = _md.render(text or "")
    html = _link_mentions(html, mentioned or set())
    return sanitize_html(html)


def html_to_text(html: str) -> str:
    """Plain text of stored HTML, for search and email."""
    text = html_lib.unescape(nh3.clean(html, tags=set()))
    return re.sub(r"\s+", " ", text).strip()
