"""Spam defence without outside services: limits on what new accounts may post (links, mentions),
a blocklist of link domains, and the same text with a link posted by several accounts. Registered as a content
check (core.gates), so every topic and post passes it, from pages and the API alike."""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache

from townhall.core.errors import Unprocessable
from townhall.core.markdown import find_mentions
from townhall.core.ratelimit import is_new_account

LINK_RE = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+", re.I)
DUPLICATE_MIN_CHARS = 60  # with a link: spam is copied to sell something; a short "me too" is not spam
DUPLICATE_SECONDS = 24 * 3600


def link_domains(text: str) -> list[str]:
    domains = []
    for match in LINK_RE.finditer(text):
        url = match.group(0)
        host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
        domains.append(host.lower().removeprefix("www."))
    return domains


def _blocked(domain: str) -> bool:
    return any(domain == blocked or domain.endswith(f".{blocked}") for blocked in settings.BLOCKED_LINK_DOMAINS)


def _fingerprint(text: str) -> str:
    words = " ".join(text.lower().split())
    return hashlib.blake2b(words.encode(), digest_size=16).hexdigest()


def check_content(user: Any, text: str) -> None:
    """Refuse, with the reason, what looks like spam; remember the text to spot it from other accounts."""
    domains = link_domains(text)
    blocked = sorted({d for d in domains if _blocked(d)})
    if blocked:
        raise Unprocessable(f"Links to {', '.join(blocked)} are not allowed here.", field="body")
    if is_new_account(user):
        if len(domains) > settings.NEW_ACCOUNT_LINKS:
            raise Unprocessable(f"New accounts may include at most {settings.NEW_ACCOUNT_LINKS} links in a post "
                                "for their first day.", field="body")
        if len(find_mentions(text)) > settings.NEW_ACCOUNT_MENTIONS:
            raise Unprocessable(f"New accounts may mention at most {settings.NEW_ACCOUNT_MENTIONS} members in a "
                                "post for their first day.", field="body")
    if domains and len(" ".join(text.split())) >= DUPLICATE_MIN_CHARS:
        key = f"townhall:spam:text:{_fingerprint(text)}"
        first_author = cache.get(key)
        if first_author is not None and first_author != user.pk:
            raise Unprocessable("This exact text was just posted by another account.", field="body")
        cache.set(key, user.pk, DUPLICATE_SECONDS)
