"""Imported HTML as editable text: a Markdown-ish rendering of (sanitised) HTML.

Imported posts keep their sanitised HTML for display (`body_html`); `body` is this text, so that
editing an imported post starts from something readable, with its paragraphs, lists, links and code.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "table", "tr", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6"}


class _MarkdownWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[list[str]] = [[]]  # a stack of buffers: blockquotes and links collect apart
        self.lists: list[list[int]] = []  # per open list: [next number] for <ol>, [] for <ul>
        self.pre = 0
        self.links: list[str] = []

    @property
    def buf(self) -> list[str]:
        return self.out[-1]

    def _block(self) -> None:
        self.buf.append("\n\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag in _BLOCKS:
            self._block()
            if tag[0] == "h" and tag[1:].isdigit():
                self.buf.append("#" * int(tag[1:]) + " ")
        elif tag == "br":
            self.buf.append("\n")
        elif tag == "hr":
            self.buf.append("\n\n---\n\n")
        elif tag in {"strong", "b"}:
            self.buf.append("**")
        elif tag in {"em", "i"}:
            self.buf.append("*")
        elif tag == "code" and not self.pre:
            self.buf.append("`")
        elif tag == "pre":
            self.pre += 1
            self.buf.append("\n\n```\n")
        elif tag in {"ul", "ol"}:
            self.lists.append([int(attr.get("start") or 1) if (attr.get("start") or "").isdigit() else 1]
                              if tag == "ol" else [])
            self.buf.append("\n")
        elif tag == "li":
            indent = "   " * max(len(self.lists) - 1, 0)
            current = self.lists[-1] if self.lists else []
            if current:
                marker = f"{current[0]}. "
                current[0] += 1
            else:
                marker = "- "
            self.buf.append(f"\n{indent}{marker}")
        elif tag == "blockquote":
            self.out.append([])
        elif tag == "a":
            self.links.append(attr.get("href") or "")
            self.out.append([])
        elif tag == "img":
            self.buf.append(f"![{attr.get('alt') or ''}]({attr.get('src') or ''})")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._block()
        elif tag in {"strong", "b"}:
            self.buf.append("**")
        elif tag in {"em", "i"}:
            self.buf.append("*")
        elif tag == "code" and not self.pre:
            self.buf.append("`")
        elif tag == "pre" and self.pre:
            self.pre -= 1
            if self.buf:
                self.buf[-1] = self.buf[-1].rstrip("\n")
            self.buf.append("\n```\n\n")
        elif tag in {"ul", "ol"} and self.lists:
            self.lists.pop()
            self.buf.append("\n\n")
        elif tag == "blockquote" and len(self.out) > 1:
            quoted = _tidy("".join(self.out.pop()))
            self._block()
            self.buf.append("\n".join(f"> {line}".rstrip() for line in quoted.split("\n")))
            self._block()
        elif tag == "a" and self.links and len(self.out) > 1:
            text = "".join(self.out.pop()).strip()
            href = self.links.pop()
            self.buf.append(f"[{text or href}]({href})" if href and href != text else text)

    def handle_data(self, data: str) -> None:
        if self.pre:
            self.buf.append(data)
        else:
            self.buf.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        while len(self.out) > 1:  # unclosed links or quotes: keep their text
            inner = "".join(self.out.pop())
            self.buf.append(inner)
        return _tidy("".join(self.buf))


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return re.sub(r"(?m)^ (?=\S)", "", text).strip()


def html_to_markdown(html: str) -> str:
    """Readable Markdown-ish text of an HTML fragment (paragraphs, lists, links, code, quotes)."""
    writer = _MarkdownWriter()
    writer.feed(html or "")
    writer.close()
    return writer.text()
