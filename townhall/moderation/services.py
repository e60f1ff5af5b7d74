"""Moderation: the audit log of every moderator and admin action (flags, the review queue and
sanctions build on it)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from townhall.activity.models import Event
from townhall.core import access
from townhall.core.errors import InvalidInput, NotAllowed
from townhall.moderation.models import AuditEntry

# What an event says a moderator or an admin did. Content changes count when they act on what is not
# their own (an author editing or deleting their own post is not moderation); space and member
# administration always counts.
CONTENT_ACTIONS = {
    "topic.edited": ("edit", "topic"), "post.edited": ("edit", "post"),
    "topic.deleted": ("delete", "topic"), "post.deleted": ("delete", "post"),
    "topic.restored": ("restore", "topic"), "post.restored": ("restore", "post"),
    "question.accepted": ("accept", "topic"), "question.unaccepted": ("unaccept", "topic"),
}
ADMIN_ACTIONS = {
    "space.created": ("create_space", "space"), "space.updated": ("update_space", "space"),
    "space.member_added": ("add_member", "space"), "space.member_removed": ("remove_member", "space"),
    "member.created": ("create_member", "member"),
}
ACTIONS = sorted({action for action, _ in [*CONTENT_ACTIONS.values(), *ADMIN_ACTIONS.values()]})
TARGET_TYPES = ["topic", "post", "space", "member"]


def _is_moderator(user: Any) -> bool:
    return bool(user is not None and user.is_active and (user.is_moderator or access.is_admin(user)))


def record(actor: Any, action: str, *, target_type: str, target_id: int | None, target_label: str = "",
           space: Any = None, reason: str = "", before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry (inside the caller's transaction, so it exists exactly when the change does)."""
    return AuditEntry.objects.create(
        actor=actor, actor_name=getattr(actor, "username", "") or "", action=action, target_type=target_type,
        target_id=target_id, target_label=target_label[:300], space=space, reason=reason,
        before=before or {}, after=after or {},
    )


def _text_of(item: Any) -> dict[str, Any]:
    fields = {"body": item.body}
    if hasattr(item, "title"):
        fields["title"] = item.title
    return fields


def _content_entry(event: Event, action: str, target_type: str) -> None:
    actor, topic, post = event.actor, event.topic, event.post
    item = post if target_type == "post" else topic
    if item is None or not _is_moderator(actor):
        return
    owner_id = topic.author_id if action in {"accept", "unaccept"} else item.author_id  # type: ignore[union-attr]
    if owner_id == actor.pk:  # type: ignore[union-attr]
        return  # their own: not moderation
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if action == "edit":
        # The version just kept by the edit is the text before it.
        revision = item.revisions.order_by("-created_at", "-id").first()
        if revision is not None:
            before = {"body": revision.body, **({"title": revision.title} if target_type == "topic" else {})}
        after = _text_of(item)
    elif action in {"delete", "restore"}:
        before, after = {"deleted": action == "restore"}, {"deleted": action == "delete"}
    elif action in {"accept", "unaccept"}:
        after = {"accepted_post": event.post_id} if action == "accept" else {}
    label = topic.title if topic is not None else ""
    record(actor, action, target_type=target_type, target_id=item.pk, target_label=label,
           space=topic.space if topic is not None else None, before=before, after=after)


def _admin_entry(event: Event, action: str, target_type: str) -> None:
    data = event.data or {}
    if target_type == "member":
        if event.actor is None or data.get("username") == getattr(event.actor, "username", None):
            return  # someone signing themselves up
        member = get_user_model().objects.filter(username=data.get("username")).first()
        record(event.actor, action, target_type="member", target_id=member.pk if member else None,
               target_label=str(data.get("username", "")), after={"roles": data.get("roles", [])})
        return
    space = event.space
    if space is None:
        return
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if action == "update_space":
        before, after = data.get("before", {}), data.get("changed", {})
    elif action in {"add_member", "remove_member"}:
        after = {"member": data.get("username"), **({"role": data["role"]} if "role" in data else {})}
    elif action == "create_space":
        after = {"slug": space.slug, "visibility": space.visibility}
    record(event.actor, action, target_type="space", target_id=space.pk, target_label=space.name, space=space,
           before=before, after=after)


def audit_event(event: Event) -> None:
    """The activity recorder: an entry for each event that is a moderator's or an admin's action."""
    if event.verb in CONTENT_ACTIONS:
        _content_entry(event, *CONTENT_ACTIONS[event.verb])
    elif event.verb in ADMIN_ACTIONS:
        _admin_entry(event, *ADMIN_ACTIONS[event.verb])


# Reading the log ---------------------------------------------------------------------------------


def can_read_audit(user: Any) -> bool:
    return _is_moderator(user)


def _day(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("Give a date as YYYY-MM-DD.", field=field)


def audit_log(user: Any, *, actor: str | None = None, action: str | None = None, target_type: str | None = None,
              target_id: Any = None, since: Any = None, until: Any = None, q: str | None = None) -> QuerySet:
    """The entries this moderator may read, filtered, newest first. Entries about a space they cannot
    see are left out: a moderator's view of the log follows the access policy like everything else."""
    if not can_read_audit(user):
        raise NotAllowed("Only moderators and admins read the audit log.")
    qs = AuditEntry.objects.all()
    if not access.is_admin(user):
        qs = qs.filter(Q(space__isnull=True) | Q(space_id__in=access.visible_space_ids(user)))
    if actor:
        qs = qs.filter(actor_name=actor.strip())
    if action:
        if action not in ACTIONS:
            raise InvalidInput(f"Unknown action “{action[:40]}”: use {', '.join(ACTIONS)}.", field="action")
        qs = qs.filter(action=action)
    if target_type:
        if target_type not in TARGET_TYPES:
            raise InvalidInput(f"Unknown target “{target_type[:40]}”: use {', '.join(TARGET_TYPES)}.",
                               field="target")
        qs = qs.filter(target_type=target_type)
    if target_id not in (None, ""):
        try:
            qs = qs.filter(target_id=int(target_id))
        except (TypeError, ValueError):
            raise InvalidInput("A target id is a whole number.", field="target_id")
    first, last = _day(since, "since"), _day(until, "until")
    if first and last and first > last:
        raise InvalidInput("“Since” is after “until”.", field="since")
    zone = timezone.get_current_timezone()
    if first:
        qs = qs.filter(created_at__gte=datetime.combine(first, time.min, tzinfo=zone))
    if last:
        qs = qs.filter(created_at__lte=datetime.combine(last, time.max, tzinfo=zone))
    if q:
        words = q.strip()[:100]
        qs = qs.filter(Q(target_label__icontains=words) | Q(reason__icontains=words) | Q(actor_name__iexact=words))
    return qs


CSV_COLUMNS = ["id", "at", "actor", "action", "target_type", "target_id", "target", "space_id", "reason",
               "before", "after"]


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell a spreadsheet would run as a formula is written as text.
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def csv_rows(entries: Iterable[AuditEntry]) -> Iterator[list[str]]:
    import json

    yield CSV_COLUMNS
    for entry in entries:
        yield [_cell(v) for v in (
            entry.pk, entry.created_at.isoformat(), entry.actor_name, entry.action, entry.target_type,
            entry.target_id, entry.target_label, entry.space_id, entry.reason,
            json.dumps(entry.before, ensure_ascii=False, sort_keys=True),
            json.dumps(entry.after, ensure_ascii=False, sort_keys=True),
        )]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in csv_rows(entries):
        yield writer.writerow(row)
