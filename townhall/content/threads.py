"""Moderators reshape threads: lock and unlock, move to another space, merge two topics, mark one as a
duplicate of another. Each change says why in public and is an event (audited, cache invalidated, search
kept in step). Permission (moderators who see both ends) is checked here, like every content write."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from townhall.activity.services import record_event
from townhall.content import signals
from townhall.content.models import Post, Topic, TopicVote
from townhall.core import access
from townhall.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, Unprocessable
from townhall.reputation.services import credit
from townhall.spaces.models import Space

REASON_MAX = 500


def _may_moderate(user: Any, topic: Topic) -> None:
    if not access.can_view_topic(user, topic):
        raise NotFound("No such topic.", field="topic")
    if not (access.is_moderator(user) and user.is_active):
        raise NotAllowed("Only moderators do this.")


def _reason(reason: Any) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput("Give the reason: it is shown with the topic and recorded.", field="reason")
    if len(text) > REASON_MAX or "\x00" in text:
        raise InvalidInput(f"At most {REASON_MAX} characters of text.", field="reason")
    return text


def _locked(topic: Topic) -> Topic:
    """The topic's row, locked for this transaction and read afresh: two moderators acting at once wait
    for each other, and the second sees what the first did."""
    return Topic.objects.select_for_update().select_related("space").get(pk=topic.pk)


def may_reply(user: Any, topic: Topic, *, is_answer: bool) -> None:
    """Locked topics take replies from moderators only; a duplicate takes no new answers (they belong on
    the original) but still takes comments."""
    moderator = access.is_moderator(user)
    if topic.is_locked and not moderator:
        why = f": {topic.lock_reason}" if topic.lock_reason else ""
        raise Unprocessable(f"This topic is locked{why}.", field="topic")
    if topic.duplicate_of_id and is_answer and not moderator:
        raise Unprocessable("This question is a duplicate: answer the original instead.", field="topic")


@transaction.atomic
def lock_topic(moderator: Any, topic: Topic, *, reason: Any) -> Topic:
    _may_moderate(moderator, topic)
    reason = _reason(reason)
    topic = _locked(topic)
    if topic.is_locked:
        raise Conflict("This topic is locked already.", field="topic")
    Topic.objects.filter(pk=topic.pk).update(is_locked=True, lock_reason=reason)
    topic.is_locked, topic.lock_reason = True, reason
    record_event("topic.locked", moderator, topic=topic, reason=reason)
    return topic


@transaction.atomic
def unlock_topic(moderator: Any, topic: Topic, *, reason: Any) -> Topic:
    _may_moderate(moderator, topic)
    reason = _reason(reason)
    topic = _locked(topic)
    if not topic.is_locked:
        raise Conflict("This topic is not locked.", field="topic")
    Topic.objects.filter(pk=topic.pk).update(is_locked=False, lock_reason="")
    topic.is_locked, topic.lock_reason = False, ""
    record_event("topic.unlocked", moderator, topic=topic, reason=reason)
    return topic


def _space(moderator: Any, value: Any) -> Space:
    """A space named by slug or id, as this moderator may see it."""
    space = None
    if isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdigit()):
        space = Space.objects.filter(pk=int(value)).first()
    elif isinstance(value, str) and value.strip() and "\x00" not in value:
        space = Space.objects.filter(slug=value.strip()).first()
    if space is None or not access.can_view_space(moderator, space):
        raise NotFound("No such space.", field="into")
    return space


@transaction.atomic
def move_topic(moderator: Any, topic: Topic, into: Any, *, reason: Any) -> Topic:
    """Into another space that takes its kind; its replies, votes and followers go with it."""
    from townhall.content.services import KIND_FOR_SPACE

    _may_moderate(moderator, topic)
    reason = _reason(reason)
    target = _space(moderator, into)
    topic = _locked(topic)
    source = topic.space
    if target.pk == source.pk:
        raise Conflict(f"This topic is in {target.name} already.", field="into")
    if topic.kind not in KIND_FOR_SPACE.get(target.kind, set()):
        raise Unprocessable(f"A {target.get_kind_display().lower()} space does not take topics of kind "
                            f"“{topic.kind}”.", field="into")
    Topic.objects.filter(pk=topic.pk).update(space=target)
    if not topic.is_deleted:
        Space.objects.filter(pk=source.pk).update(topic_count=F("topic_count") - 1,
                                                  post_count=F("post_count") - topic.reply_count)
        Space.objects.filter(pk=target.pk).update(topic_count=F("topic_count") + 1,
                                                  post_count=F("post_count") + topic.reply_count)
    topic.space = target
    record_event("topic.moved", moderator, topic=topic, reason=reason, **{"from": source.pk, "to": target.pk,
                                                                          "from_name": source.name})
    return topic


def _topic(moderator: Any, value: Any, field: str) -> Topic:
    try:
        topic_id = int(value)
    except (TypeError, ValueError):
        raise InvalidInput("Name the other topic by its id.", field=field)
    topic = Topic.objects.select_related("space").filter(pk=topic_id).first()
    if topic is None or not access.can_view_topic(moderator, topic):
        raise NotFound("No such topic.", field=field)
    return topic


def _recount(topic_id: int) -> None:
    """A thread's reply and answer counts from its rows (after posts arrived from another topic)."""
    counts = Post.objects.filter(topic_id=topic_id, is_deleted=False).aggregate(
        replies=Count("id"), answers=Count("id", filter=Q(parent__isnull=True, is_topic_comment=False)))
    votes = TopicVote.objects.filter(topic_id=topic_id).count()
    Topic.objects.filter(pk=topic_id).update(reply_count=counts["replies"], answer_count=counts["answers"],
                                             vote_count=votes + F("imported_votes"))


@transaction.atomic
def merge_topics(moderator: Any, source: Topic, into: Any, *, reason: Any) -> Topic:
    """Merge `source` into another topic of the same kind: its replies, votes and followers move there; its
    own text becomes a comment on the target under its author's name; it redirects to the target."""
    from townhall.notifications.models import Subscription

    _may_moderate(moderator, source)
    reason = _reason(reason)
    target = _topic(moderator, into, "into")
    if target.pk == source.pk:
        raise Unprocessable("A topic cannot be merged into itself.", field="into")
    # Lock both rows in id order: two merges crossing each other cannot deadlock.
    rows = {t.pk: t for t in Topic.objects.select_for_update().select_related("space")
            .filter(pk__in=[source.pk, target.pk]).order_by("pk")}
    source, target = rows[source.pk], rows[target.pk]
    if source.merged_into_id or source.is_deleted:
        raise Conflict("This topic was merged or deleted already.", field="topic")
    if target.merged_into_id or target.is_deleted:
        raise Unprocessable("The topic to merge into is deleted or merged itself.", field="into")
    if source.kind != target.kind:
        raise Unprocessable(f"Only topics of the same kind merge (this is a {source.kind}, that a "
                            f"{target.kind}).", field="into")
    now = timezone.now()
    moved_replies = source.reply_count
    Post.objects.filter(topic=source).update(topic=target)
    # The source's own text, kept under its author's name where its replies went.
    Post.objects.create(topic=target, author_id=source.author_id, body=source.body, body_html=source.body_html,
                        created_at=source.created_at, is_topic_comment=True,
                        moderator_note=f"Moved here from “{source.title[:200]}” when the topics were merged.")
    # Votes and followers follow, once each (a member who already voted for or follows the target keeps one).
    voters = set(TopicVote.objects.filter(topic=target).values_list("user_id", flat=True)) | {target.author_id}
    moved_votes = TopicVote.objects.filter(topic=source).exclude(user_id__in=voters).update(topic=target)
    dropped_votes, _ = TopicVote.objects.filter(topic=source).delete()
    # The points follow the votes, as a recount from the rows would have it (reputation.recompute).
    credit(source.author_id, "vote_received", -(moved_votes + dropped_votes))
    credit(target.author_id, "vote_received", moved_votes)
    followers = set(Subscription.objects.filter(topic=target).values_list("user_id", flat=True))
    Subscription.objects.filter(topic=source).exclude(user_id__in=followers).update(topic=target)
    Subscription.objects.filter(topic=source).delete()
    Topic.objects.filter(pk=target.pk).update(imported_votes=F("imported_votes") + source.imported_votes,
                                              last_activity_at=max(target.last_activity_at, source.last_activity_at))
    _recount(target.pk)
    # The source leaves its space's counts, its replies arrive in the target's.
    Topic.objects.filter(pk=source.pk).update(is_deleted=True, deleted_at=now, deleted_by=moderator, merged_into=target,
                                              reply_count=0, answer_count=0, vote_count=0, imported_votes=0)
    Space.objects.filter(pk=source.space_id).update(topic_count=F("topic_count") - 1,
                                                    post_count=F("post_count") - moved_replies)
    Space.objects.filter(pk=target.space_id).update(post_count=F("post_count") + moved_replies + 1)
    if source.kind == "question":
        get_user_model().objects.filter(pk=source.author_id).update(question_count=F("question_count") - 1)
    source.refresh_from_db()
    target.refresh_from_db()
    signals.topics_merged.send(sender=Topic, source=source, target=target, actor=moderator)
    record_event("topic.merged", moderator, topic=source, reason=reason, into=target.pk, into_title=target.title)
    record_event("topic.merge_received", moderator, topic=target, reason=reason, source=source.pk)
    return target


@transaction.atomic
def mark_duplicate(moderator: Any, topic: Topic, of: Any, *, reason: Any) -> Topic:
    """Point a topic to the original it repeats: readers are sent there and it takes no new answers."""
    _may_moderate(moderator, topic)
    reason = _reason(reason)
    original = _topic(moderator, of, "into")
    if original.pk == topic.pk:
        raise Unprocessable("A topic cannot duplicate itself.", field="into")
    if original.duplicate_of_id == topic.pk:
        raise Unprocessable("That topic is marked as a duplicate of this one.", field="into")
    if original.is_deleted:
        raise Unprocessable("The original is deleted or waits for review: point to a topic readers can open.",
                            field="into")
    if original.kind != topic.kind:
        raise Unprocessable(f"A {topic.kind} duplicates another {topic.kind}, not a {original.kind}.", field="into")
    if original.space_id != topic.space_id and original.space.visibility != "public":
        raise Unprocessable("The original is in a space not everyone may read: readers could not follow the link.",
                            field="into")
    topic = _locked(topic)
    if topic.duplicate_of_id == original.pk:
        raise Conflict("This topic is marked as a duplicate of that one already.", field="into")
    Topic.objects.filter(pk=topic.pk).update(duplicate_of=original)
    topic.duplicate_of = original
    record_event("topic.duplicate_marked", moderator, topic=topic, reason=reason, of=original.pk,
                 of_title=original.title)
    return topic
