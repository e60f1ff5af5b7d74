"""Posting limits for new accounts, checked once in the write path (services), not per view."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from townhall.core.errors import RateLimited

WINDOW_SECONDS = 3600


def is_new_account(user: Any) -> bool:
    if user.is_agent or user.is_moderator or user.is_staff or user.trust_level >= 1:
        return False
    return user.date_joined > timezone.now() - timedelta(hours=settings.NEW_ACCOUNT_HOURS)


def check_posting_rate(user: Any) -> None:
    """Count one post by `user`; refuse it when a new account goes over its hourly allowance."""
    if not is_new_account(user):
        return
    limit = settings.NEW_ACCOUNT_POSTS_PER_HOUR
    window = int(time.time() // WINDOW_SECONDS)
    key = f"townhall:posts:{user.pk}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        count = 1
    if count > limit:
        retry_after = WINDOW_SECONDS - int(time.time() % WINDOW_SECONDS)
        raise RateLimited(
            f"New accounts may post {limit} times an hour; please wait {retry_after // 60 + 1} minutes.",
            retry_after=retry_after,
        )
