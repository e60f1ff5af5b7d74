"""The one access policy: who may see and do what. Pages, API, search, notifications, emails
and exports all ask here; none decides on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from townhall.content.models import Post, Topic
    from townhall.spaces.models import Space


def _authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_admin(user: Any) -> bool:
    return _authenticated(user) and (user.is_staff or user.is_superuser)


def is_moderator(user: Any) -> bool:
    """Moderators and admins: who moderate content (see what is deleted, lock, move, review flags)."""
    return _authenticated(user) and (user.is_moderator or is_admin(user))


def is_staff_role(user: Any) -> bool:
    """Agents, moderators and admins: the company's people."""
    return _authenticated(user) and (user.is_agent or user.is_moderator or is_admin(user))


def visible_space_ids(user: Any) -> list[int]:
    """Ids of the spaces this person may see. Cached on the user object for the request."""
    from townhall.spaces.models import Space

    cached = getattr(user, "_visible_space_ids", None) if user is not None else None
    if cached is not None:
        return cached
    if is_admin(user):
        ids = list(Space.objects.values_list("id", flat=True))
    elif _authenticated(user):
        ids = list(
            Space.objects.filter(Q(visibility__in=["public", "members"]) | Q(memberships__user=user))
            .values_list("id", flat=True)
            .distinct()
        )
    else:
        ids = list(Space.objects.filter(visibility="public").values_list("id", flat=True))
    if user is not None:
        try:
            user._visible_space_ids = ids
        except AttributeError:
            pass
    return ids


def forget_visibility(user: Any) -> None:
    """Call after a membership change so the next check sees it."""
    if user is not None and hasattr(user, "_visible_space_ids"):
        del user._visible_space_ids


def can_view_space(user: Any, space: Space) -> bool:
    if space.visibility == "public" or is_admin(user):
        return True
    if not _authenticated(user):
        return False
    if space.visibility == "members":
        return True
    return space.id in visible_space_ids(user)


def visible_subtree_ids(user: Any, space: Space) -> list[int]:
    """The space and every descendant this person may see (a product's page lists its categories')."""
    from townhall.spaces.models import Space

    visible = set(visible_space_ids(user))
    children: dict[int, list[int]] = {}
    for space_id, parent_id in Space.objects.filter(id__in=visible, parent__isnull=False).values_list(
        "id", "parent_id"
    ):
        children.setdefault(parent_id, []).append(space_id)
    ids, todo = [], [space.id]
    while todo:
        current = todo.pop()
        if current in visible and current not in ids:
            ids.append(current)
            todo.extend(children.get(current, []))
    return ids


def visible_spaces(user: Any) -> QuerySet:
    from townhall.spaces.models import Space

    return Space.objects.filter(id__in=visible_space_ids(user))


def can_see_deleted(user: Any, space: Space | None = None) -> bool:
    return is_moderator(user)


def visible_topics(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """The topics of `qs` this person may see: in visible spaces, not deleted (unless moderator)."""
    from townhall.content.models import Topic

    qs = Topic.objects.all() if qs is None else qs
    qs = qs.filter(space_id__in=visible_space_ids(user))
    if not can_see_deleted(user):
        qs = qs.filter(is_deleted=False)
    return qs


def is_held_for_its_author(user: Any, topic: Topic) -> bool:
    """Hidden by no one (held for review, or hidden by flags) and not merged away: its author still sees it,
    with a note that it waits for a moderator."""
    return (topic.is_deleted and topic.deleted_by_id is None and topic.merged_into_id is None
            and _authenticated(user) and topic.author_id == user.id)


def can_view_topic(user: Any, topic: Topic) -> bool:
    if topic.is_deleted and not can_see_deleted(user) and not is_held_for_its_author(user, topic):
        return False
    return can_view_space(user, topic.space)


def can_view_post(user: Any, post: Post) -> bool:
    if not can_see_deleted(user):
        if post.is_deleted and not (_authenticated(user) and post.author_id == user.id):
            return False
        # A comment goes with its answer: removing the answer removes the thread under it.
        if post.parent is not None and post.parent.is_deleted:
            return False
    return can_view_topic(user, post.topic)


def can_post(user: Any, space: Space) -> bool:
    return _authenticated(user) and can_view_space(user, space)


def can_manage_space(user: Any, space: Space | None = None) -> bool:
    if is_admin(user):
        return True
    if space is None or not _authenticated(user):
        return False
    return space.memberships.filter(user=user, role="manager").exists()


def can_accept(user: Any, topic: Topic) -> bool:
    """The asker, moderators and agents may accept a solution."""
    if not _authenticated(user) or not can_view_topic(user, topic):
        return False
    return topic.author_id == user.id or user.is_moderator or user.is_agent or is_admin(user)


def can_edit(user: Any, item: Topic | Post) -> bool:
    """Moderators edit anything; authors edit their own, unless it was deleted."""
    if not _authenticated(user):
        return False
    if user.is_moderator or is_admin(user):
        return True
    return item.author_id == user.id and not item.is_deleted


def can_view_history(user: Any, item: Topic | Post) -> bool:
    """Earlier versions may hold what was edited out on purpose (a pasted password, say):
    the author and moderators see them; everyone else sees only the "edited" mark."""
    if not _authenticated(user):
        return False
    return item.author_id == user.id or user.is_moderator or is_admin(user)


def can_delete(user: Any, item: Topic | Post) -> bool:
    return can_edit(user, item)


def can_restore(user: Any, item: Topic | Post) -> bool:
    """Restoring is for moderators, and for an author whose own deletion it was."""
    if not _authenticated(user):
        return False
    if user.is_moderator or is_admin(user):
        return True
    return item.author_id == user.id and item.deleted_by_id == user.id


def can_work_queue(user: Any) -> bool:
    return _authenticated(user) and (user.is_agent or is_admin(user))


def may_view_in_email(user: Any, topic: Topic) -> bool:
    """Before anything about a topic is sent to someone: can they (still) see it?"""
    return bool(user.is_active) and can_view_topic(user, topic)


def topic_filter_for(user: Any, prefix: str = "") -> Q:
    """A Q over Topic fields for the visible topics; `prefix` ("topic__") for joins from other models."""
    q = Q(**{f"{prefix}space_id__in": visible_space_ids(user)})
    if not can_see_deleted(user):
        q &= Q(**{f"{prefix}is_deleted": False})
    return q
