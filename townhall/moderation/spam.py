"""Spam defence without outside services: limits on what new accounts may post (links, mentions),
a blocklist of link domains, and the same text with a link posted by several accounts. Registered as a content
check (core.gates), so every topic and post passes it, from pages and the API alike.

Links are read from what the text renders to (Markdown links, autolinks, bare `example.com/x` that linkify
turns into links, images), and from the raw text as well (a URL in a code block is not a link, but it is
still an address put in front of readers). Links to the site itself and relative links (@mentions) are ours
and never count."""

from __future__ import annotations

import functools
import hashlib
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from townhall.core.access import is_staff_role
from townhall.core.errors import Unprocessable
from townhall.core.markdown import find_mentions, render_markdown
from townhall.core.ratelimit import is_new_account

# Addresses in the raw text: with a scheme, protocol-relative (`//host.tld`) or starting with `www.`.
LINK_RE = re.compile(r"(?:https?:)?//[^\s<>()\[\]\"']+|www\.[^\s<>()\[\]\"']+", re.I)
# Anything shaped like a host name (`evil.com`, `EVIL.COM.`, `bob@evil.com`, `?u=evil.com`), but not a path
# segment of another address (`good.org/evil.com`): checked against the blocklist only, so a blocked domain
# cannot be named in any form, linked or not. Unicode dots are dots to IDNA.
HOST_RE = re.compile(r"(?<![\w.%-])(?<![\w.%-]/)[\w-]+(?:[.\u3002\uff0e\uff61][\w-]+)+[.\u3002\uff0e\uff61]?")
TRAILING_PUNCTUATION = ".,;:!?*_~`'\""
DUPLICATE_MIN_CHARS = 60  # with a link: spam is copied to sell something; a short "me too" is not spam
DUPLICATE_SECONDS = 24 * 3600


def normalize_host(host: str) -> str:
    """`WWW.Evil.COM.`, `evil.com` and `ｅｖｉｌ。com` are one host: `evil.com` (IDNA, punycode when not ASCII)."""
    host = host.strip()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:  # an empty or overlong label: compare it as it is written
        host = re.sub("[\u3002\uff0e\uff61]", ".", host)
    return host.lower().rstrip(".").removeprefix("www.")


def _split(url: str) -> tuple[str, str] | None:
    """(host, path?query) of an address that leaves the site; None for relative links, mailto and the like."""
    url = re.sub(r"[\t\r\n]", "", url).strip()
    lowered = url.lower()
    if lowered.startswith("//"):
        url = f"http:{url}"
    elif lowered.startswith("www."):
        url = f"http://{url}"
    elif not lowered.startswith(("http://", "https://")):
        return None
    try:
        parts = urlsplit(url)
        host = normalize_host(unquote(parts.hostname or ""))  # browsers read `evil%2Ecom` as `evil.com`
    except ValueError:  # a malformed port or IPv6 address
        return None
    if not host or host == _site_host():
        return None
    path = unquote(parts.path).rstrip("/")
    return host, f"{path}?{unquote(parts.query)}" if parts.query else path


@functools.lru_cache(maxsize=4)
def _normalized_site_host(site_url: str) -> str:
    try:
        return normalize_host(urlsplit(site_url).hostname or "")
    except ValueError:
        return ""


def _site_host() -> str:
    return _normalized_site_host(getattr(settings, "SITE_URL", "") or "")


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


def rendered_urls(text: str) -> list[str]:
    """Every href and img src of the HTML the text renders to (what readers can click or load)."""
    collector = _LinkCollector()
    collector.feed(render_markdown(text, set(find_mentions(text))))
    collector.close()
    return collector.urls


def _raw_urls(text: str) -> list[str]:
    urls = []
    for match in LINK_RE.finditer(text):
        url = match.group(0).rstrip(TRAILING_PUNCTUATION)
        if url.startswith("//") and "." not in url[2:].split("/", 1)[0]:
            continue  # `//` in prose or a code comment, not an address
        urls.append(url)
    return urls


def _mail_domain(url: str) -> str | None:
    if not url.lower().startswith("mailto:"):
        return None
    return normalize_host(unquote(url[len("mailto:"):]).split("?", 1)[0].rpartition("@")[2]) or None


def external_links(text: str, urls: list[str] | None = None) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Distinct outside links as (host, path): those the rendered HTML holds (`urls`, when already
    collected), and those the raw text names."""
    rendered = {split for url in (rendered_urls(text) if urls is None else urls) if (split := _split(url))}
    raw = {split for url in _raw_urls(text) if (split := _split(url))}
    return rendered, raw


def link_domains(text: str) -> list[str]:
    """The hosts of the outside links in the text, rendered or written out, normalised, without repeats."""
    rendered, raw = external_links(text)
    return sorted({host for host, _ in rendered | raw})


def _blocked_domains() -> list[str]:
    return [d for d in (normalize_host(d) for d in settings.BLOCKED_LINK_DOMAINS) if d]


def _blocked(domain: str, blocked_domains: list[str] | None = None) -> bool:
    blocked_domains = _blocked_domains() if blocked_domains is None else blocked_domains
    return any(domain == blocked or domain.endswith(f".{blocked}") for blocked in blocked_domains)


def blocked_domains_in(text: str, domains: list[str], urls: list[str] | None = None) -> list[str]:
    """The hosts of the text on the blocklist: linked, written out, in an email address or just named."""
    blocklist = _blocked_domains()
    if not blocklist:
        return []
    hosts = set(domains)
    hosts.update(domain for url in (rendered_urls(text) if urls is None else urls) if (domain := _mail_domain(url)))
    hosts.update(normalize_host(match.group(0)) for match in HOST_RE.finditer(text))
    return sorted(host for host in hosts if host and _blocked(host, blocklist))


def _fingerprint(text: str) -> str:
    words = " ".join(text.lower().split())
    return hashlib.blake2b(words.encode(), digest_size=16).hexdigest()


def _remember(key: str, author_id: Any) -> None:
    """After the commit: the first account to store the text owns it; `add` never hands it to a second one."""
    if not cache.add(key, author_id, DUPLICATE_SECONDS) and cache.get(key) == author_id:
        cache.touch(key, DUPLICATE_SECONDS)


def check_content(user: Any, text: str) -> None:
    """Refuse, with the reason, what looks like spam; remember the text to spot it from other accounts."""
    urls = rendered_urls(text)
    rendered, raw = external_links(text, urls)
    domains = sorted({host for host, _ in rendered | raw})
    blocked = blocked_domains_in(text, domains, urls)
    if blocked:
        raise Unprocessable(f"Links to {', '.join(blocked)} are not allowed here.", field="body")
    if is_new_account(user):
        # What renders as links, each once; the raw text only when it names more (addresses in code blocks).
        if max(len(rendered), len(raw)) > settings.NEW_ACCOUNT_LINKS:
            raise Unprocessable(f"New accounts may include at most {settings.NEW_ACCOUNT_LINKS} links in a post "
                                "for their first day.", field="body")
        if len(find_mentions(text)) > settings.NEW_ACCOUNT_MENTIONS:
            raise Unprocessable(f"New accounts may mention at most {settings.NEW_ACCOUNT_MENTIONS} members in a "
                                "post for their first day.", field="body")
    if domains and not is_staff_role(user) and len(" ".join(text.split())) >= DUPLICATE_MIN_CHARS:
        key = f"townhall:spam:text:{_fingerprint(text)}"
        first_author = cache.get(key)
        if first_author is not None and first_author != user.pk:
            raise Unprocessable("This exact text was just posted by another account.", field="body")
        # Only once the post is stored: a refused or rolled-back post must not claim the text.
        transaction.on_commit(functools.partial(_remember, key, user.pk), robust=True)
