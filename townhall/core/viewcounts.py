"""Page views, counted in memory and written to the database in one go every few seconds.

A view is counted on every visit to a question, including visits served from the anonymous page
cache; writing each one at once made every page view a database write (on SQLite, a wait for the
one write lock). Each process adds up its views and writes them, one UPDATE per item, when
VIEW_COUNT_FLUSH_SECONDS have passed since its last write (0: at once), and when it exits.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter
from contextlib import nullcontext

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_pending: Counter[tuple[str, int]] = Counter()
_last_flush = time.monotonic()


def count_view(model_label: str, pk: int) -> None:
    """One view of the object `pk` of `model_label` (a model with a `view_count` field)."""
    global _last_flush
    with _lock:
        _pending[(model_label, int(pk))] += 1
        due = time.monotonic() - _last_flush >= settings.VIEW_COUNT_FLUSH_SECONDS
    if due:
        flush()


def flush() -> int:
    """Write every pending view; returns how many objects were updated."""
    global _last_flush
    with _lock:
        pending = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
    if not pending:
        return 0
    try:
        # One transaction for many (one lock on SQLite); a single update needs none.
        with transaction.atomic() if len(pending) > 1 else nullcontext():
            for (label, pk), views in sorted(pending.items()):
                apps.get_model(label).objects.filter(pk=pk).update(view_count=F("view_count") + views)
    except DatabaseError:
        # The database is busy (SQLite's write lock) or away: keep the views for the next write, and never
        # turn a page view into an error.
        with _lock:
            _pending.update(pending)
        logger.warning("Page views not written yet (%d items kept for the next try)", len(pending), exc_info=True)
        return 0
    return len(pending)


def pending() -> int:
    with _lock:
        return sum(_pending.values())


@atexit.register
def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # noqa: BLE001 - a process on its way out has no one left to tell
        pass
