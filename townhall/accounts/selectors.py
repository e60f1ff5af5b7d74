"""Reads for members' pages: what a visitor may see of a member's contributions."""

from __future__ import annotations

from typing import Any

from townhall.core import access

RECENT_LIMIT = 10


def recent_questions(viewer: Any, member: Any, limit: int = RECENT_LIMIT) -> list[Any]:
    """The member's latest questions in spaces the viewer may see (one query)."""
    topics = access.visible_topics(viewer).filter(author=member, kind="question", is_deleted=False)
    return list(topics.select_related("space").order_by("-created_at", "-id")[:limit])


def recent_answers(viewer: Any, member: Any, limit: int = RECENT_LIMIT) -> list[Any]:
    """The member's latest answers to questions the viewer may see, with their questions (one query)."""
    from townhall.content.models import Post

    # The topics are filtered by the access policy itself, never re-decided here; as a join, not as
    # `topic__in` (a subquery that SQLite turned into a list of every visible question).
    posts = Post.objects.filter(access.topic_filter_for(viewer, prefix="topic__"), author=member,
                                parent__isnull=True, is_topic_comment=False, is_deleted=False,
                                topic__kind="question", topic__is_deleted=False)
    return list(posts.select_related("topic", "topic__space").order_by("-created_at", "-id")[:limit])
