"""Moderation: the audit log of every moderator and admin action (flags, the review queue and
sanctions build on it)."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from townhall.activity.models import Event
from townhall.core import access
from townhall.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, Unprocessable
from townhall.moderation.models import (
    AuditEntry,
    Flag,
    GuidelinesFollow,
    GuidelinesVersion,
    ModeratorMessage,
    Sanction,
    SpamSweep,
)

# What an event says a moderator or an admin did. Content changes count when they act on what is not
# their own (an author editing or deleting their own post is not moderation); space and member
# administration always counts.
CONTENT_ACTIONS = {
    "topic.edited": ("edit", "topic"), "post.edited": ("edit", "post"),
    "topic.deleted": ("delete", "topic"), "post.deleted": ("delete", "post"),
    "topic.restored": ("restore", "topic"), "post.restored": ("restore", "post"),
    "question.accepted": ("accept", "topic"), "question.unaccepted": ("unaccept", "topic"),
    "topic.hidden": ("hide", "topic"), "post.hidden": ("hide", "post"),
    "topic.locked": ("lock", "topic"), "topic.unlocked": ("unlock", "topic"), "topic.moved": ("move", "topic"),
    "topic.merged": ("merge", "topic"), "topic.duplicate_marked": ("mark_duplicate", "topic"),
}
THREAD_ACTIONS = {"lock", "unlock", "move", "merge", "mark_duplicate"}
ADMIN_ACTIONS = {
    "space.created": ("create_space", "space"), "space.updated": ("update_space", "space"),
    "space.member_added": ("add_member", "space"), "space.member_removed": ("remove_member", "space"),
    "member.created": ("create_member", "member"),
}
REVIEW_ACTIONS = ("approve", "hide", "delete", "restore")
ACTIONS = sorted({action for action, _ in [*CONTENT_ACTIONS.values(), *ADMIN_ACTIONS.values()]}
                 | {f"review_{action}" for action in REVIEW_ACTIONS} | {"message_author"}
                 | {f"sanction_{kind}" for kind in ("warning", "silence", "suspension", "ban")}
                 | {"appeal_upheld", "appeal_lifted", "publish_guidelines", "spam_removed", "spam_undone"})
TARGET_TYPES = ["topic", "post", "space", "member", "site"]


def _text(value: Any, field: str, limit: int) -> str:
    """Free text from a moderator or a member, stripped; refused with the field named when it is too long
    or holds a NUL (which PostgreSQL cannot store)."""
    text = value.strip() if isinstance(value, str) else ""
    if "\x00" in text:
        raise InvalidInput("The text contains a character that is not allowed.", field=field)
    if len(text) > limit:
        raise InvalidInput(f"At most {limit:,} characters.", field=field)
    return text


def _is_moderator(user: Any) -> bool:
    return bool(user is not None and user.is_active and access.is_moderator(user))


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
    if item is None:
        return
    if action == "hide":  # members' flags weighed enough: the system took it down
        record(None, "hide", target_type=target_type, target_id=item.pk, target_label=topic.title if topic else "",
               space=topic.space if topic is not None else None,
               reason=str((event.data or {}).get("reason") or "flagged by members"),
               before={"deleted": False}, after={"deleted": True})
        return
    if not _is_moderator(actor):
        return
    owner_id = topic.author_id if action in {"accept", "unaccept"} else item.author_id  # type: ignore[union-attr]
    if owner_id == actor.pk and action not in THREAD_ACTIONS:  # type: ignore[union-attr]
        return  # their own: not moderation (locking or moving even one's own topic is)
    data = event.data or {}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if action in THREAD_ACTIONS:
        changes: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
            "lock": ({"locked": False}, {"locked": True}),
            "unlock": ({"locked": True}, {"locked": False}),
            "move": ({"space": data.get("from"), "space_name": data.get("from_name")},
                     {"space": data.get("to"), "space_name": topic.space.name if topic else None}),
            "merge": ({}, {"merged_into": data.get("into"), "into_title": data.get("into_title")}),
            "mark_duplicate": ({}, {"duplicate_of": data.get("of"), "of_title": data.get("of_title")}),
        }
        before, after = changes[action]
    elif action == "edit":
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
           space=topic.space if topic is not None else None, reason=str((event.data or {}).get("reason", "")),
           before=before, after=after)


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
        qs = qs.filter(actor_name=_text(actor, "actor", 150))
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
        words = _text(q[:100], "q", 100)
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


# Flags ---------------------------------------------------------------------------------------------

NOTE_MAX = 1000
REASONS = dict(Flag.REASONS)


ACCURATE, INACCURATE = 0.8, 0.2  # shares of a member's decided flags that were upheld


def flag_weight(user: Any) -> int:
    """How much one flag counts: by role (settings.FLAG_WEIGHTS); a member's also by trust level (one more
    from FLAG_TRUSTED_LEVEL) and by past accuracy (once FLAG_ACCURACY_MIN_FLAGS of their flags were decided:
    one more when most were upheld, one less, down to 0, when most were dismissed: such a flag still
    reaches the queue but no longer helps hide anything)."""
    weights = settings.FLAG_WEIGHTS
    if access.is_moderator(user):
        return int(weights["moderator"])
    if user.is_agent:
        return int(weights["agent"])
    weight = int(weights["member"])
    if user.trust_level >= settings.FLAG_TRUSTED_LEVEL:
        weight += 1
    decided = Flag.objects.filter(flagger=user, status__in=["upheld", "dismissed"]).aggregate(
        total=Count("id"), upheld=Count("id", filter=Q(status="upheld")))
    if decided["total"] >= settings.FLAG_ACCURACY_MIN_FLAGS:
        share = decided["upheld"] / decided["total"]
        if share >= ACCURATE:
            weight += 1
        elif share <= INACCURATE:
            weight = max(0, weight - 1)
    return weight


def _target(topic: Any = None, post: Any = None, member: Any = None) -> tuple[str, Any]:
    given = [(kind, item) for kind, item in (("topic", topic), ("post", post), ("member", member)) if item is not None]
    if len(given) != 1:
        raise InvalidInput("Flag one thing: a topic, a post or a member.", field="target")
    return given[0]


def _author_of(kind: str, item: Any) -> int:
    return item.pk if kind == "member" else item.author_id


@transaction.atomic
def flag(user: Any, *, topic: Any = None, post: Any = None, member: Any = None, reason: Any = None,
         note: Any = "") -> Flag:
    """Report a topic, a post or a profile. Refused for what the member cannot see (404), their own
    content (422) and a second open flag on the same thing (409)."""
    kind, item = _target(topic, post, member)
    if not (user.is_authenticated and user.is_active):
        raise NotAllowed("Sign in to flag.")
    measure = active_sanction(user)
    if measure is not None:
        raise NotAllowed(f"{describe(measure)}. Flagging waits until the measure ends.")
    visible = {"topic": lambda: access.can_view_topic(user, item), "post": lambda: access.can_view_post(user, item),
               "member": lambda: bool(item.is_active)}[kind]()
    if not visible:
        raise NotFound(f"No such {kind}.")
    if reason not in REASONS:
        raise InvalidInput(f"Choose a reason: {', '.join(REASONS)}.", field="reason")
    note = note.strip() if isinstance(note, str) else ""
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"The note is too long: at most {NOTE_MAX} characters.", field="note")
    if "\x00" in note:
        raise InvalidInput("The note contains a character that is not allowed.", field="note")
    if reason == "other" and not note:
        raise InvalidInput("Say what is wrong: a note is needed with “something else”.", field="note")
    if _author_of(kind, item) == user.pk:
        raise Unprocessable("You cannot flag your own contributions.", field="target")
    target_key = f"{kind}:{item.pk}"
    # Lock the flagged row: flags arriving at once are counted one after the other, so the one that
    # reaches the threshold sees the others' weight (PostgreSQL; SQLite writes one at a time anyway).
    type(item).objects.select_for_update().filter(pk=item.pk).first()
    try:
        with transaction.atomic():
            created = Flag.objects.create(flagger=user, reason=reason, note=note, weight=flag_weight(user),
                                          target_key=target_key, **{kind: item})
    except IntegrityError:
        raise Conflict("You already flagged this; moderators will review it.", field="target")
    if kind in {"topic", "post"}:
        weight = Flag.objects.filter(target_key=target_key, status="open").aggregate(total=Sum("weight"))["total"]
        if weight >= settings.FLAG_HIDE_WEIGHT:
            from townhall.content import services as content

            content.hide_for_review(item)
    return created


def flags_by(user: Any) -> QuerySet:
    """The flags this member raised (a flag is seen by its author and moderators only)."""
    return Flag.objects.filter(flagger=user).order_by("-created_at", "-id")


def flag_present(flag: Flag) -> dict[str, Any]:
    return {"id": flag.pk, "target": flag.target_key, "reason": flag.reason, "note": flag.note,
            "status": flag.status, "outcome": flag.outcome, "created_at": flag.created_at,
            "resolved_at": flag.resolved_at}


# The review queue -------------------------------------------------------------------------------

QUEUE_FLAGS = 500  # open flags read per queue page: the queue shows targets, oldest flag first


def review_queue(moderator: Any) -> list[dict[str, Any]]:
    """Flagged and held items this moderator may see, the oldest flag first, each with its flags, their
    total weight, whether it is hidden, and its author's record: earlier flags upheld against them, their
    measures so far, how long they have been a member and what they posted."""
    if not _is_moderator(moderator):
        raise NotAllowed("Only moderators review flags.")
    qs = Flag.objects.filter(status="open")
    if not access.is_admin(moderator):
        seen = access.visible_space_ids(moderator)  # filtered in SQL: the page is never eaten by the unseen
        qs = qs.filter(Q(member__isnull=False) | Q(topic__space_id__in=seen) | Q(post__topic__space_id__in=seen))
    flags = list(qs.select_related("flagger", "topic__space", "topic__author", "post__author", "post__topic__space",
                                   "member").order_by("created_at", "id")[:QUEUE_FLAGS])
    items: dict[str, dict[str, Any]] = {}
    for f in flags:
        item = items.setdefault(f.target_key, {
            "key": f.target_key, "kind": f.target_key.split(":")[0], "topic": f.topic,
            "post": f.post, "member": f.member, "flags": [], "weight": 0, "held": False,
        })
        item["flags"].append(f)
        item["weight"] += f.weight
        item["held"] = item["held"] or f.flagger_id is None
    authors = {_author_of(i["kind"], i[i["kind"]]) for i in items.values()}
    rows = Flag.objects.filter(status="upheld").filter(
        Q(topic__author_id__in=authors) | Q(post__author_id__in=authors) | Q(member_id__in=authors)
    ).values_list("topic__author_id", "post__author_id", "member_id") if authors else []
    upheld = Counter(next(a for a in row if a is not None) for row in rows)
    measures: dict[int, list[Sanction]] = {}
    for measure in Sanction.objects.filter(member_id__in=authors).order_by("-created_at") if authors else []:
        measures.setdefault(measure.member_id, []).append(measure)
    people = get_user_model().objects.in_bulk(authors) if authors else {}
    for item in items.values():
        target = item[item["kind"]]
        item["hidden"] = bool(getattr(target, "is_deleted", False))
        item["id"] = target.pk
        item["author_id"] = _author_of(item["kind"], target)
        item["author"] = people.get(item["author_id"])
        item["upheld_before"] = upheld.get(item["author_id"], 0)
        item["sanctions"] = measures.get(item["author_id"], [])
        topic = item["topic"] or (item["post"].topic if item["post"] else None)
        item["space"] = topic.space if topic is not None else None
    return list(items.values())


ITEM_ACTIONS = ("approve", "hide", "delete", "restore", "edit", "reply")  # a topic or a post
DECIDING = {"approve", "restore", "hide", "delete", "merge"}  # what settles whether others see it
TOPIC_ACTIONS = ("lock", "unlock", "move", "merge", "duplicate")  # a topic
OUTCOMES = {"approve": "left up", "restore": "left up", "hide": "hidden", "delete": "removed", "edit": "edited",
            "reply": "the author was told", "lock": "locked", "unlock": "unlocked", "move": "moved",
            "merge": "merged into another topic", "duplicate": "marked as a duplicate"}


@transaction.atomic
def review(moderator: Any, action: Any, *, topic: Any = None, post: Any = None, member: Any = None,
           reason: Any = "", into: Any = None, title: Any = None, body: Any = None,
           message: Any = None) -> dict[str, Any]:
    """A moderator's decision on a flagged, held (or any) item, with a reason:
    approve (publish it if flags or a hold hid it), hide, delete (soft) or restore; edit it (with a public
    "edited by a moderator" note giving the reason); reply to its author (a private message); and for a
    topic: lock, unlock, move `into` a space, merge `into` another topic, mark as a duplicate of `into`.
    Closes the open flags on it, tells the flaggers the outcome, and is recorded in the audit log. Two
    moderators acting at once: the second waits for the first, then finds the flags closed or the change
    made (409) and changes nothing."""
    from townhall.content import services as content
    from townhall.content import threads

    if not _is_moderator(moderator):
        raise NotAllowed("Only moderators act on flags.")
    kind, item = _target(topic, post, member)
    if action not in ITEM_ACTIONS + TOPIC_ACTIONS:
        raise Unprocessable(f"“{str(action)[:30]}” is not an action: use {', '.join(ITEM_ACTIONS + TOPIC_ACTIONS)}.",
                            field="action")
    reason = _text(reason, "reason", 500)
    if not reason:
        raise InvalidInput("Give the reason: it is recorded, and the flaggers are told.", field="reason")
    if kind == "member" and action not in {"reply", "approve"}:
        raise Unprocessable("A flagged profile is approved (flags dismissed) or its member written to; measures "
                            "(warn, silence, suspend, ban) are sanctions.", field="action")
    if action in TOPIC_ACTIONS and kind != "topic":
        raise Unprocessable(f"Only a topic is {OUTCOMES[action]}: name the topic.", field="action")
    visible_topic = None if kind == "member" else (item if kind == "topic" else item.topic)
    if visible_topic is not None and not access.can_view_topic(moderator, visible_topic):
        raise NotFound(f"No such {kind}.")
    key = f"{kind}:{item.pk}"
    # Lock the open flags: of two moderators acting at once, the second waits, then finds none.
    flags = Flag.objects.select_for_update().filter(target_key=key, status="open")
    if action not in DECIDING:
        # A hold is decided by publishing or removing; an edit, a lock or a word to the author leaves it waiting.
        flags = flags.exclude(flagger__isnull=True)
    open_flags = list(flags)
    if action in {"approve", "delete"} and not open_flags:
        raise Conflict("No open flag on this: another moderator has already reviewed it.", field="target")
    outcome = OUTCOMES[action]
    status = "dismissed" if action in {"approve", "restore"} else "upheld"
    if kind == "member" and action == "approve":
        pass  # a profile left as it is: the flags are dismissed (below)
    elif action in {"approve", "restore"}:
        # Approving puts back what flags or a hold hid (deleted by no one), never what its author deleted.
        if item.is_deleted and (action == "restore" or item.deleted_by_id is None):
            (content.restore_topic if kind == "topic" else content.restore_post)(moderator, item, reason=reason)
            if any(f.flagger_id is None for f in open_flags):
                _published_after_hold(kind, item)
    elif action in {"hide", "delete"}:
        if not item.is_deleted:
            (content.delete_topic if kind == "topic" else content.delete_post)(moderator, item, reason=reason)
        elif item.deleted_by_id is None:  # hidden by flags or a hold: now removed by this moderator
            content.confirm_removal(moderator, item)
    elif action == "edit":
        note = reason if item.author_id != moderator.pk else None  # one's own words need no moderator's note
        if kind == "topic":
            content.edit_topic(moderator, item, title=title, body=body, moderator_note=note)
        else:
            content.edit_post(moderator, item, body=body if body is not None else "", moderator_note=note)
    elif action == "reply":
        message_author(moderator, item if kind == "member" else item.author, message, reason=reason,
                       topic=visible_topic, post=item if kind == "post" else None)
    elif action == "lock":
        threads.lock_topic(moderator, item, reason=reason)
    elif action == "unlock":
        threads.unlock_topic(moderator, item, reason=reason)
    elif action == "move":
        moved = threads.move_topic(moderator, item, into, reason=reason)
        outcome = f"moved to {moved.space.name}"
    elif action == "merge":
        target = threads.merge_topics(moderator, item, into, reason=reason)
        outcome = f"merged into “{target.title[:100]}”"
    elif action == "duplicate":
        marked = threads.mark_duplicate(moderator, item, into, reason=reason)
        outcome = f"marked as a duplicate of “{marked.duplicate_of.title[:100]}”"  # type: ignore[union-attr]
    if action in {"approve", "hide", "delete", "restore"}:
        label = item.username if kind == "member" else visible_topic.title  # type: ignore[union-attr]
        record(moderator, f"review_{action}", target_type=kind, target_id=item.pk, target_label=label,
               space=getattr(visible_topic, "space", None), reason=reason,
               before={"flags": len(open_flags), "deleted": action in {"approve", "restore"}},
               after={"outcome": outcome})
    shown = visible_topic if visible_topic is not None and not visible_topic.is_deleted else None
    _close_flags(moderator, open_flags, status=status, outcome=outcome, topic=shown,
                 title=getattr(visible_topic, "title", ""))
    return {"action": action, "target": key, "outcome": outcome, "flags_closed": len(open_flags)}


def _close_flags(moderator: Any, flags: list[Flag], *, status: str, outcome: str, topic: Any = None,
                 title: str = "") -> None:
    """Close these (locked) open flags with the decision, and tell their flaggers (a hold has none)."""
    if not flags:
        return
    Flag.objects.filter(pk__in=[f.pk for f in flags]).update(status=status, resolved_by=moderator,
                                                             resolved_at=timezone.now(), outcome=outcome[:200])
    flaggers = sorted({f.flagger_id for f in flags if f.flagger_id is not None})
    if flaggers:
        from townhall.activity.services import record_event

        record_event("flag.resolved", moderator, topic=topic, outcome=status, title=title, flaggers=flaggers)


def _published_after_hold(kind: str, item: Any) -> None:
    """A held post, approved: the people it concerns hear of it now, as they would have when it was posted
    (the notifications then skipped it because it was hidden)."""
    from townhall.activity.services import record_event
    from townhall.content.services import render_with_mentions

    _, mentioned = render_with_mentions(item.body)
    if kind == "topic":
        record_event("topic.published", item.author, topic=item, mentioned=mentioned)
    else:
        record_event("post.published", item.author, topic=item.topic, post=item, mentioned=mentioned,
                     parent=item.parent_id)


MESSAGE_MAX = 5000
DOUBLE_SUBMIT_SECONDS = 60  # the same measure or message again this soon: a double submit


@transaction.atomic
def message_author(moderator: Any, member: Any, text: Any, *, reason: str = "", topic: Any = None,
                   post: Any = None) -> ModeratorMessage:
    """A moderator's private word to a member (about something they posted); they are told, and it is on
    their standing page."""
    from townhall.activity.services import record_event

    if not _is_moderator(moderator):
        raise NotAllowed("Only moderators write to members from the queue.")
    text = _text(text, "message", MESSAGE_MAX)
    if not text:
        raise InvalidInput("Write the message to the author.", field="message")
    if member.pk == moderator.pk:
        raise Unprocessable("That is your own contribution.", field="message")
    # A double submit waits for the first (the member's row is locked), then finds it.
    get_user_model().objects.select_for_update().filter(pk=member.pk).first()
    if ModeratorMessage.objects.filter(member=member, body=text, created_at__gte=timezone.now() - timedelta(
            seconds=DOUBLE_SUBMIT_SECONDS)).exists():
        raise Conflict("This very message was sent a moment ago.", field="message")
    created = ModeratorMessage.objects.create(member=member, moderator=moderator, topic=topic, post=post, body=text)
    record(moderator, "message_author", target_type="member", target_id=member.pk, target_label=member.username,
           space=topic.space if topic is not None else None, reason=reason,
           after={"message": text[:500], "topic": getattr(topic, "pk", None), "post": getattr(post, "pk", None)})
    record_event("member.messaged", moderator, member=member.pk, message=created.pk)
    return created



# Sanctions and appeals ----------------------------------------------------------------------------

SANCTION_KINDS = dict(Sanction.KINDS)
MAX_DAYS = 3650


def active_sanction(user: Any) -> Sanction | None:
    """The measure that stops this member posting now, if any (the longest-lasting one)."""
    now = timezone.now()
    current = Sanction.objects.filter(member=user, kind__in=["silence", "suspension", "ban"], lifted_at__isnull=True)
    current = current.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    # A measure without end outweighs any other; otherwise the one that ends last.
    return current.order_by(F("ends_at").desc(nulls_first=True), "-id").first()


def describe(sanction: Sanction) -> str:
    until = f" until {sanction.ends_at:%-d %B %Y, %H:%M} UTC" if sanction.ends_at else ""
    verb = {"silence": "silenced", "suspension": "suspended", "ban": "banned"}.get(sanction.kind, "warned")
    return f"You are {verb}{until}: {sanction.reason}"


def check_may_post(user: Any) -> None:
    """The posting check (core.gates): a silenced, suspended or banned member may read, not post."""
    if not getattr(user, "is_authenticated", False):
        return
    sanction = active_sanction(user)
    if sanction is not None:
        appeal = " You may appeal it from “Your standing” (/settings/standing/)." if not sanction.appealed_at else ""
        raise NotAllowed(f"{describe(sanction)}.{appeal}")


@transaction.atomic
def sanction(moderator: Any, member: Any, kind: Any, *, reason: Any, days: Any = None) -> Sanction:
    """Warn, silence, suspend or ban a member, with the rule concerned. Silences and suspensions last
    `days`; a ban lasts until lifted (or `days`). Recorded, and the member is told."""
    if not _is_moderator(moderator):
        raise NotAllowed("Only moderators sanction members.")
    if kind not in SANCTION_KINDS:
        raise InvalidInput(f"Choose a measure: {', '.join(SANCTION_KINDS)}.", field="kind")
    if member.pk == moderator.pk:
        raise Unprocessable("You cannot sanction yourself.", field="member")
    if _is_moderator(member) and not access.is_admin(moderator):
        raise NotAllowed("Only admins sanction moderators.")
    reason = _text(reason, "reason", 2000)
    if not reason:
        raise InvalidInput("Cite the rule and say why: the member reads it.", field="reason")
    ends_at = None
    if kind in {"silence", "suspension"} or (kind == "ban" and days not in (None, "")):
        try:
            days = int(days)
        except (TypeError, ValueError):
            raise InvalidInput("Say for how many days (a whole number).", field="days")
        if not 1 <= days <= MAX_DAYS:
            raise InvalidInput(f"Between 1 and {MAX_DAYS} days.", field="days")
        ends_at = timezone.now() + timedelta(days=days)
    # One measure at a time per member: a double submit waits for the first, then finds it.
    get_user_model().objects.select_for_update().filter(pk=member.pk).first()
    if Sanction.objects.filter(member=member, kind=kind, reason=reason,
                               created_at__gte=timezone.now() - timedelta(seconds=DOUBLE_SUBMIT_SECONDS)).exists():
        raise Conflict("This very measure was issued a moment ago: it is in place already.", field="kind")
    current = active_sanction(member)
    outlasts = current is not None and current.ends_at is not None and (ends_at is None or ends_at > current.ends_at)
    if current is not None and current.kind == kind and not outlasts:
        raise Conflict(f"{member.username} is under a {current.get_kind_display().lower()} already"
                       f"{f' until {current.ends_at:%-d %B %Y}' if current.ends_at else ''}: its appeal or its end "
                       "comes first; a stronger measure may be issued.", field="kind")
    created = Sanction.objects.create(member=member, kind=kind, reason=reason[:2000], issued_by=moderator,
                                      ends_at=ends_at)
    record(moderator, f"sanction_{kind}", target_type="member", target_id=member.pk, target_label=member.username,
           reason=reason, after={"kind": kind, "until": ends_at.isoformat() if ends_at else None})
    from townhall.activity.services import record_event

    record_event("member.sanctioned", moderator, member=member.pk, sanction=created.pk, kind=kind)
    return created


@transaction.atomic
def appeal(member: Any, sanction_id: Any, text: Any) -> Sanction:
    """The member's one appeal against a measure; a different moderator decides it."""
    try:
        sanction_id = int(sanction_id)
    except (TypeError, ValueError):
        raise NotFound("No such measure on your account.")
    item = Sanction.objects.select_for_update().filter(pk=sanction_id, member=member).first()
    if item is None:
        raise NotFound("No such measure on your account.")
    text = _text(text, "appeal", 2000)
    if not text:
        raise InvalidInput("Say why the measure should be lifted.", field="appeal")
    if item.appealed_at is not None:
        raise Conflict("You have appealed this measure already: one appeal per measure.", field="appeal")
    if item.lifted_at is not None:
        raise Unprocessable("This measure was lifted already.", field="appeal")
    item.appeal, item.appealed_at = text, timezone.now()
    item.save(update_fields=["appeal", "appealed_at"])
    from townhall.activity.services import record_event

    record_event("sanction.appealed", member, member=member.pk, sanction=item.pk)
    return item


def open_appeals(moderator: Any) -> QuerySet:
    """Appeals waiting for a decision that this moderator may take (not against their own measures)."""
    if not _is_moderator(moderator):
        raise NotAllowed("Only moderators decide appeals.")
    return (Sanction.objects.filter(appealed_at__isnull=False, appeal_decided_at__isnull=True)
            .exclude(issued_by=moderator).exclude(member=moderator)
            .select_related("member", "issued_by").order_by("appealed_at", "id"))


@transaction.atomic
def decide_appeal(moderator: Any, sanction_id: Any, decision: Any, note: Any = "") -> Sanction:
    """Uphold or lift a measure on appeal. The moderator who issued it may not decide: an appeal goes to
    someone else. Decided once; recorded, and the member is told."""
    if not _is_moderator(moderator):
        raise NotAllowed("Only moderators decide appeals.")
    item = Sanction.objects.select_for_update().filter(pk=sanction_id, appealed_at__isnull=False).first()
    if item is None:
        raise NotFound("No such appeal.")
    if item.issued_by_id == moderator.pk or item.member_id == moderator.pk:
        raise NotAllowed("An appeal goes to a different moderator than the one who issued the measure, "
                         "and never to the member it is about.")
    if _is_moderator(item.member) and not access.is_admin(moderator):
        raise NotAllowed("Only admins decide a moderator's appeal.")
    if decision not in {"upheld", "lifted"}:
        raise InvalidInput("Decide: upheld or lifted.", field="decision")
    if item.appeal_decided_at is not None:
        raise Conflict("This appeal has been decided already.")
    note = _text(note, "note", 2000)
    now = timezone.now()
    item.appeal_decision, item.appeal_note, item.appeal_decided_by, item.appeal_decided_at = (
        decision, note[:2000], moderator, now)
    fields = ["appeal_decision", "appeal_note", "appeal_decided_by", "appeal_decided_at"]
    if decision == "lifted":
        item.lifted_at = now
        fields.append("lifted_at")
    item.save(update_fields=fields)
    record(moderator, f"appeal_{decision}", target_type="member", target_id=item.member_id,
           target_label=item.member.username, reason=note,
           before={"kind": item.kind}, after={"decision": decision})
    from townhall.activity.services import record_event

    record_event("sanction.appeal_decided", moderator, member=item.member_id, sanction=item.pk, decision=decision)
    return item


# Guidelines -----------------------------------------------------------------------------------------

GUIDELINES_MAX = 50_000


def current_guidelines(space: Any = None) -> GuidelinesVersion | None:
    """The guidelines that apply: the space's own if it has them, else the site's."""
    if space is None:
        return GuidelinesVersion.objects.filter(space__isnull=True).order_by("-version").first()
    # One query: the space's newest version if it has any, else the site's newest.
    return (GuidelinesVersion.objects.filter(Q(space=space) | Q(space__isnull=True))
            .order_by(F("space_id").desc(nulls_last=True), "-version").first())


def guidelines_history(space: Any = None) -> QuerySet:
    return GuidelinesVersion.objects.filter(space=space).select_related("author").order_by("-version")


@transaction.atomic
def publish_guidelines(moderator: Any, *, body: Any, reason: Any, space: Any = None) -> GuidelinesVersion:
    """A new version, with a public reason. Followers are told; it is in the audit log."""
    from townhall.activity.services import record_event
    from townhall.core.markdown import render_markdown

    if not _is_moderator(moderator):
        raise NotAllowed("Only moderators change the guidelines.")
    if space is not None and not access.can_view_space(moderator, space):
        raise NotFound("No such space.", field="space")
    body = body.strip() if isinstance(body, str) else ""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not body:
        raise InvalidInput("The guidelines cannot be empty.", field="body")
    if len(body) > GUIDELINES_MAX or "\x00" in body:
        raise InvalidInput(f"At most {GUIDELINES_MAX:,} characters of text.", field="body")
    if not reason:
        raise InvalidInput("Say why they change: the reason is public.", field="reason")
    if len(reason) > 500:
        raise InvalidInput("At most 500 characters.", field="reason")
    latest = GuidelinesVersion.objects.select_for_update().filter(space=space).order_by("-version").first()
    if latest is not None and latest.body == body:
        raise Unprocessable("Nothing changed: these are the current guidelines.", field="body")
    created = GuidelinesVersion.objects.create(
        space=space, version=(latest.version + 1) if latest else 1, body=body, body_html=render_markdown(body),
        reason=reason, author=moderator)
    record(moderator, "publish_guidelines", target_type="space" if space else "site",
           target_id=space.pk if space else None, target_label=space.name if space else "Community guidelines",
           space=space, reason=reason, before={"version": latest.version if latest else None},
           after={"version": created.version})
    record_event("guidelines.published", moderator, space=space, version=created.version,
                 followers=list(GuidelinesFollow.objects.filter(space=space).values_list("user_id", flat=True)))
    return created


def follow_guidelines(user: Any, *, space: Any = None, follow: bool = True) -> bool:
    if follow:
        GuidelinesFollow.objects.get_or_create(user=user, space=space)
    else:
        GuidelinesFollow.objects.filter(user=user, space=space).delete()
    return follow


def follows_guidelines(user: Any, space: Any = None) -> bool:
    return bool(user.is_authenticated and GuidelinesFollow.objects.filter(user=user, space=space).exists())


def guidelines_diff(older: GuidelinesVersion | None, newer: GuidelinesVersion) -> list[tuple[str, str]]:
    """Line by line, what a version changed: (kind, line) with kind "add", "remove" or "same"."""
    import difflib

    before = older.body.splitlines() if older else []
    out = []
    for line in difflib.ndiff(before, newer.body.splitlines()):
        tag, text = line[:2], line[2:]
        if tag == "? ":
            continue
        out.append(({"+ ": "add", "- ": "remove"}.get(tag, "same"), text))
    return out


def is_first_post(user: Any) -> bool:
    """Someone who has not asked or answered yet: they see the guidelines before they post."""
    return bool(user.is_authenticated and not user.question_count and not user.answer_count)


# The "spam" action ------------------------------------------------------------------------------------

SWEEP_MAX = 5000  # items removed by one sweep; a larger account is swept again


@transaction.atomic
def remove_as_spam(moderator: Any, member: Any, *, reason: Any) -> SpamSweep:
    """Remove everything a member posted at once and ban the account; one undo puts it all back."""
    from townhall.content import services as content
    from townhall.content.models import Post, Topic

    if not _is_moderator(moderator):
        raise NotAllowed("Only moderators remove spam.")
    if _is_moderator(member):
        raise NotAllowed("A moderator's or admin's account is not swept as spam.")
    reason = _text(reason, "reason", 500)
    if not reason:
        raise InvalidInput("Give the reason: it is recorded.", field="reason")
    seen = access.visible_space_ids(moderator)  # what this moderator may act on
    # Up, or hidden by flags or a hold and waiting for review: all of it goes.
    up_or_waiting = Q(is_deleted=False) | Q(deleted_by__isnull=True, merged_into__isnull=True)
    topics = list(Topic.objects.filter(up_or_waiting, author=member, space_id__in=seen)
                  .select_related("space")[:SWEEP_MAX])
    posts = list(Post.objects.filter(Q(is_deleted=False) | Q(deleted_by__isnull=True), author=member,
                                     topic__space_id__in=seen).select_related("topic__space")[:SWEEP_MAX])
    for post in posts:
        if post.is_deleted:
            content.confirm_removal(moderator, post)
        else:
            content.delete_post(moderator, post, reason=reason)
    for topic in topics:
        if topic.is_deleted:
            content.confirm_removal(moderator, topic)
        else:
            content.delete_topic(moderator, topic, reason=reason)
    keys = [f"topic:{t.pk}" for t in topics] + [f"post:{p.pk}" for p in posts] + [f"member:{member.pk}"]
    swept_flags = list(Flag.objects.select_for_update().filter(status="open", target_key__in=keys))
    _close_flags(moderator, swept_flags, status="upheld", outcome="removed as spam", title=member.username)
    current = active_sanction(member)
    banned = current is not None and current.kind == "ban" and current.ends_at is None
    ban = None if banned else sanction(moderator, member, "ban", reason=reason)
    sweep = SpamSweep.objects.create(member=member, moderator=moderator, reason=reason, ban=ban,
                                     topic_ids=[t.pk for t in topics], post_ids=[p.pk for p in posts])
    record(moderator, "spam_removed", target_type="member", target_id=member.pk, target_label=member.username,
           reason=reason, after={"topics": len(topics), "posts": len(posts), "sweep": sweep.pk})
    return sweep


@transaction.atomic
def undo_spam(moderator: Any, sweep_id: Any) -> SpamSweep:
    """Put back what a sweep removed (what was not restored or deleted again since) and lift its ban."""
    from townhall.content import services as content
    from townhall.content.models import Post, Topic

    if not _is_moderator(moderator):
        raise NotAllowed("Only moderators undo a spam removal.")
    sweep = SpamSweep.objects.select_for_update().filter(pk=sweep_id).first()
    if sweep is None:
        raise NotFound("No such spam removal.")
    if sweep.undone_at is not None:
        raise Conflict("This spam removal was undone already.")
    seen = access.visible_space_ids(moderator)
    hidden_from_them = Topic.objects.filter(pk__in=sweep.topic_ids).exclude(space_id__in=seen).exists() or \
        Post.objects.filter(pk__in=sweep.post_ids).exclude(topic__space_id__in=seen).exists()
    if hidden_from_them:
        raise NotAllowed("This removal includes content in spaces you cannot see: a moderator who sees them "
                         "(or an admin) undoes it.")
    for topic in Topic.objects.filter(pk__in=sweep.topic_ids, is_deleted=True, deleted_by=sweep.moderator_id):
        content.restore_topic(moderator, topic, reason="spam removal undone")
    for post in Post.objects.filter(pk__in=sweep.post_ids, is_deleted=True, deleted_by=sweep.moderator_id):
        content.restore_post(moderator, post, reason="spam removal undone")
    now = timezone.now()
    if sweep.ban_id:
        Sanction.objects.filter(pk=sweep.ban_id, lifted_at__isnull=True).update(lifted_at=now)
    sweep.undone_at, sweep.undone_by = now, moderator
    sweep.save(update_fields=["undone_at", "undone_by"])
    record(moderator, "spam_undone", target_type="member", target_id=sweep.member_id,
           target_label=sweep.member.username, after={"sweep": sweep.pk})
    return sweep
