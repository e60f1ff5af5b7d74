"""Record events and hand them to their consumers (notifications, search, …) as background jobs."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction

from townhall.activity.models import Event
from townhall.core import pagecache

# Consumers register themselves in their AppConfig.ready(); each must be idempotent.
_consumers: list[Callable[[Event], None]] = []


def register_consumer(func: Callable[[Event], None]) -> None:
    if func not in _consumers:
        _consumers.append(func)


# Run inside the transaction that records the event, before it commits: for records that must exist
# exactly when the change does (the audit log), never later from a queue.
_recorders: list[Callable[[Event], None]] = []


def register_recorder(func: Callable[[Event], None]) -> None:
    if func not in _recorders:
        _recorders.append(func)


def record_event(verb: str, actor: Any = None, *, space: Any = None, topic: Any = None, post: Any = None,
                 **data: Any) -> Event:
    """Write one event (inside the caller's transaction) and schedule its consumers."""
    if topic is not None and space is None:
        space = topic.space
    event = Event.objects.create(verb=verb, actor=actor, space=space, topic=topic, post=post, data=data)
    for recorder in _recorders:
        recorder(event)
    pagecache.invalidate_for_event(verb)
    if settings.HUEY_IMMEDIATE:
        # No queue (tests, or TOWNHALL_JOBS_IMMEDIATE): consume at once, in this transaction.
        run_consumers(event)
    else:
        from townhall.activity.tasks import process_event

        transaction.on_commit(partial(process_event, event.id), robust=True)
    return event


def run_consumers(event: Event) -> None:
    for consumer in _consumers:
        consumer(event)


def process_event_by_id(event_id: int) -> None:
    event = Event.objects.select_related("topic", "post", "space", "actor").filter(id=event_id).first()
    if event is not None:
        run_consumers(event)
