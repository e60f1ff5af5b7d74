"""Model objects as the API shows them. Each function reads only what its caller loaded
(select_related / prefetch), so a list costs the same number of queries whatever its length.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

from townhall.content.models import Post, Topic
from townhall.reputation.services import badge_awards
from townhall.spaces.models import Membership, Space


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def _split(value: str) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def user_data(user: Any) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.name,
        "reputation": user.reputation,
        "rank": user.rank,
        "trust_level": user.trust_level,
        "badges": [
            {"name": award.badge.name, "level": award.badge.level, "awarded_at": award.awarded_at}
            for award in badge_awards(user)
        ],
        "avatar_url": absolute(user.avatar.url) if user.avatar else None,
        "bio": user.bio,
        "region": user.region,
        "languages": _split(user.languages),
        "products": _split(user.products),
        "question_count": user.question_count,
        "answer_count": user.answer_count,
        "solution_count": user.solution_count,
        "roles": user.roles,
        "joined_at": user.date_joined,
        "url": absolute(user.get_absolute_url()),
    }


def me_data(user: Any) -> dict[str, Any]:
    return {**user_data(user), "email": user.email, "email_notifications": user.email_notifications}


def space_data(space: Space) -> dict[str, Any]:
    """`space.parent` must be loaded with select_related("parent") in lists."""
    return {
        "id": space.pk,
        "slug": space.slug,
        "name": space.name,
        "description": space.description,
        "kind": space.kind,
        "visibility": space.visibility,
        "parent": space.parent.slug if space.parent_id and space.parent else None,
        "topic_count": space.topic_count,
        "post_count": space.post_count,
        "url": absolute(space.get_absolute_url()),
    }


def space_settings_data(space: Space) -> dict[str, Any]:
    return {
        **space_data(space),
        "support_email": space.support_email,
        "unanswered_hours": space.unanswered_hours,
        "unsolved_hours": space.unsolved_hours,
        "position": space.position,
        "hold_first_posts": space.hold_first_posts,
    }


def membership_data(membership: Membership) -> dict[str, Any]:
    return {
        "space": membership.space.slug,
        "username": membership.user.username,
        "role": membership.role,
        "created_at": membership.created_at,
    }


def accepted_post_id(topic: Topic) -> int | None:
    """The accepted answer of a question: from `topic.question` (select_related("question") in lists)."""
    if topic.kind != "question":
        return None
    try:
        question = topic.question  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None
    return question.accepted_post_id if question is not None else None


def topic_data(topic: Topic) -> dict[str, Any]:
    """Needs space, author and question selected and tags prefetched to cost no queries."""
    return {
        "id": topic.pk,
        "space": topic.space.slug,
        "kind": topic.kind,
        "title": topic.title,
        "body": topic.body,
        "body_html": topic.body_html,
        "author": topic.author.username,
        "created_at": topic.created_at,
        "last_activity_at": topic.last_activity_at,
        "edited_at": topic.edited_at,
        "reply_count": topic.reply_count,
        "answer_count": topic.answer_count,
        "vote_count": topic.vote_count,
        "view_count": topic.view_count,
        "score": topic.score,
        "status": topic.status,
        "accepted_post": accepted_post_id(topic),
        "tags": sorted(tag.name for tag in topic.tags.all()),
        "is_deleted": topic.is_deleted,
        "awaiting_review": topic.is_deleted and topic.deleted_by_id is None and topic.merged_into_id is None,
        "is_locked": topic.is_locked,
        "duplicate_of": topic.duplicate_of_id,
        "url": absolute(topic.get_absolute_url()),
    }


def post_data(post: Post, accepted_id: int | None = None) -> dict[str, Any]:
    return {
        "id": post.pk,
        "topic": post.topic_id,
        "parent": post.parent_id,
        "is_topic_comment": post.is_topic_comment,
        "author": post.author.username,
        "body": post.body,
        "body_html": post.body_html,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "kudos_count": post.kudos_count,
        "official": post.official,
        "accepted": accepted_id is not None and post.pk == accepted_id,
        "is_deleted": post.is_deleted,
        "awaiting_review": post.is_deleted and post.deleted_by_id is None,
        "url": absolute(post.get_absolute_url()),
    }


def notification_data(notification: Any) -> dict[str, Any]:
    topic = notification.topic
    url = None
    if topic is not None:
        url = absolute(topic.get_absolute_url())
        if notification.post_id:
            url += f"#post-{notification.post_id}"
    return {
        "id": notification.pk,
        "verb": notification.verb,
        "text": notification.get_verb_display(),
        "topic": notification.topic_id,
        "topic_title": topic.title if topic is not None else None,
        "post": notification.post_id,
        "actor": notification.actor.username if notification.actor_id and notification.actor else None,
        "created_at": notification.created_at,
        "read": notification.read_at is not None,
        "url": url,
    }


def queue_item_data(question: Any) -> dict[str, Any]:
    """A question in the agent queue; topic, its space and author, and claimed_by are selected."""
    topic = question.topic
    return {
        "topic": topic.pk,
        "title": topic.title,
        "space": topic.space.slug,
        "asker": topic.author.username,
        "url": absolute(topic.get_absolute_url()),
        "created_at": topic.created_at,
        "answer_count": topic.answer_count,
        "status": topic.status,
        "queue_state": question.queue_state,
        "escalation_reason": question.escalation_reason,
        "escalated_at": question.escalated_at,
        "claimed_by": question.claimed_by.username if question.claimed_by_id and question.claimed_by else None,
        "claimed_at": question.claimed_at,
        "resolved_at": question.resolved_at,
    }


def search_hit_data(hit: Any) -> dict[str, Any]:
    url = hit.url if hit.url.startswith(("http://", "https://")) else absolute(hit.url)
    return {
        "type": hit.type,
        "id": hit.id,
        "topic": hit.topic_id,
        "title": hit.title,
        "snippet": hit.snippet,
        "url": url,
        "space": hit.space_slug,
        "space_name": hit.space_name,
        "solved": bool(hit.solved),
        "created_at": hit.created_at,
    }
