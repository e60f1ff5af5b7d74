"""Rendered fragments shared by everyone who would see the same thing, signed in or not.

Django forums spend most of a page's time rendering templates. The anonymous page cache
(core.pagecache) serves whole pages to visitors without a session; signed-in pages are personal,
but most of their HTML is not: a list of topics is the same for every member who can see the
same spaces, and an answer is the same for every member who has the same rights over it.

Fragments are cached under the page cache's generation number (any change makes a new one, so a
change is visible at once) and for at most PAGE_CACHE_SECONDS (so "3 minutes ago" does not go
stale for long); PAGE_CACHE_SECONDS = 0 turns them off with the page cache. A fragment never holds
a CSRF token: forms in it carry a placeholder that `with_csrf` swaps for the viewer's own field. Nor
does it hold core.formguard's stamp (the time a form is shown): `with_csrf` puts fresh ones in too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.template.backends.utils import csrf_input
from django.utils.safestring import SafeString, mark_safe

from townhall.core import access, formguard, pagecache

T = TypeVar("T")

# What a fragment's forms hold instead of the hidden CSRF field: an HTML comment, harmless if it stayed.
# Members' text cannot contain it: Markdown is sanitised by nh3, which removes every HTML comment.
CSRF_PLACEHOLDER = mark_safe("<!--townhall:csrf-input-->")


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def generation_of(request: HttpRequest) -> int:
    # Read once per request: every fragment of one page belongs to the same generation.
    value = getattr(request, "_townhall_generation", None)
    if value is None:
        value = pagecache.generation()
        request._townhall_generation = value  # type: ignore[attr-defined]
    return value


def audience(user: Any) -> str:
    """Who sees the same shared content as this person: the spaces they may see, and whether
    they see deleted items. Every member of no private space shares one audience."""
    ids = ",".join(str(i) for i in sorted(access.visible_space_ids(user)))
    digest = hashlib.blake2b(ids.encode(), digest_size=8).hexdigest()
    return f"{digest}{'+deleted' if access.can_see_deleted(user) else ''}"


def _key(request: HttpRequest, name: str, parts: Hashable) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    return f"townhall:fragment:{generation_of(request)}:{name}:{digest}"


def shared(request: HttpRequest, name: str, parts: Hashable, render: Callable[[], str]) -> SafeString:
    """The fragment `name` for everyone with the same `parts` (include the audience when it lists
    content): from the cache, or rendered and kept. Nothing `render` reads runs on a hit."""
    if not enabled():
        return mark_safe(render())
    key = _key(request, name, parts)
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, settings.PAGE_CACHE_SECONDS)
    return mark_safe(html)


def each(request: HttpRequest, name: str, items: Sequence[T], parts_of: Callable[[T], Hashable | None],
         render: Callable[[list[T]], list[str]]) -> list[SafeString]:
    """One fragment per item, all fetched from the cache at once; `render` gets the items missing from
    it, all at once too (to read what they need in one go), and returns their HTML in order. An item
    whose parts are None is personal (a form with this viewer's errors, say): rendered every time,
    never kept."""
    keys = [None if (parts := parts_of(item)) is None or not enabled() else _key(request, name, parts)
            for item in items]
    found = cache.get_many([key for key in keys if key is not None]) if enabled() else {}
    missing = [i for i, key in enumerate(keys) if key is None or key not in found]
    html: list[str | None] = [found.get(key) if key is not None else None for key in keys]
    fresh: dict[str, str] = {}
    for i, rendered in zip(missing, render([items[i] for i in missing]) if missing else [], strict=True):
        html[i] = rendered
        if keys[i] is not None:
            fresh[keys[i]] = rendered  # type: ignore[index]
    if fresh:
        cache.set_many(fresh, settings.PAGE_CACHE_SECONDS)
    return [mark_safe(fragment or "") for fragment in html]


def with_csrf(request: HttpRequest, html: str) -> SafeString:
    """The fragment with this viewer's CSRF field in each of its forms, and fresh form-guard fields
    (core.formguard) in those that take writing."""
    html = formguard.fill(html, request.POST.get(formguard.STAMP) if request.method == "POST" else None)
    if CSRF_PLACEHOLDER not in html:
        return mark_safe(html)
    return mark_safe(html.replace(CSRF_PLACEHOLDER, str(csrf_input(request))))
