"""Whole-page cache for anonymous visitors, who are most of a support community's traffic.

Every recorded event bumps one generation number, so any change is visible at once: pages are
cached under the current generation and older entries simply stop being asked for. Only truly
anonymous requests are served from it (no session or messages cookie, no API token), and only
responses that set no cookie (a page that issued a CSRF token is personal and is never stored).
The public API's answers to callers without a token are cached the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from townhall.core import viewcounts

GENERATION_KEY = "townhall:pagecache:generation"
# Pages, and the public API's answers to callers without a token (embedded lists, widgets).
CACHED_TYPES = ("text/html", "application/json")
PAGE_KEY_PREFIX = "townhall:page:v2"  # v2: entries carry the view they count
SKIP_PREFIXES = ("/accounts/", "/admin/", "/django-admin/", "/static/", "/media/", "/notifications/",
                 "/settings/", "/unsubscribe/", "/support/")


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return int(value)


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, 2, timeout=None)


# Events that change nothing a visitor who is not signed in can see.
PRIVATE_VERBS = frozenset({
    "member.token_created", "member.token_revoked", "question.claimed", "question.released",
    "space.member_added", "space.member_removed", "member.sanctioned", "sanction.appealed",
    "sanction.appeal_decided", "flag.resolved", "member.messaged",
})


def invalidate_for_event(verb: str) -> None:
    if verb not in PRIVATE_VERBS:
        invalidate()


def invalidate_on_save(sender: Any, instance: Any = None, update_fields: Any = None, **kwargs: Any) -> None:
    """Writes outside the services (Django admin, shell) also invalidate; a sign-in does not."""
    if update_fields is not None and set(update_fields) <= {"last_login", "last_used_at", "view_count"}:
        return
    invalidate()


def invalidate() -> None:
    """Everything anonymous visitors see may have changed: drop the cached pages once committed."""
    if settings.HUEY_IMMEDIATE or not transaction.get_connection().in_atomic_block:
        _bump()
    # Also after commit, so a page rendered between the write and the commit is not kept.
    transaction.on_commit(partial(_bump), robust=True)


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def _cacheable_request(self, request: HttpRequest) -> bool:
        return (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
            and "Authorization" not in request.headers  # an API token: a member, not a visitor
            and not request.path.startswith(SKIP_PREFIXES)
        )

    def _key(self, request: HttpRequest) -> str:
        variant = "htmx" if request.headers.get("HX-Request") else "page"
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        return f"{PAGE_KEY_PREFIX}:{generation()}:{variant}:{digest}"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)
        cached = cache.get(key)
        if cached is not None:
            content, content_type, counts_view_of = cached
            if counts_view_of is not None and request.method == "GET":  # a HEAD is not a visit
                viewcounts.count_view(*counts_view_of)
            response = HttpResponse(content, content_type=content_type)
            response["X-Townhall-Cache"] = "hit"
            patch_vary_headers(response, ("Cookie",))
            return response
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            response.status_code == 200
            and request.method == "GET"  # a HEAD's page is the same, but it counted no view: GETs fill the cache
            and not response.streaming
            and not response.cookies
            and not (user is not None and user.is_authenticated)
            and response.get("Content-Type", "").startswith(CACHED_TYPES)
            and "no-store" not in response.get("Cache-Control", "")
        ):
            cache.set(key, (response.content, response["Content-Type"], getattr(response, "counts_view_of", None)),
                      settings.PAGE_CACHE_SECONDS)
            response["X-Townhall-Cache"] = "miss"
        return response
