"""Reads of the content core for pages and the API: lists and threads, with fixed query counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.urls import reverse

from townhall.content.models import Kudos, Post, Topic, TopicVote
from townhall.core import access
from townhall.core.errors import InvalidInput
from townhall.core.pagination import Page, keyset_page
from townhall.spaces.models import Space

# tab → (filter, keyset ordering). Every ordering has a matching index on Topic.
TABS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "newest": ({}, ["-created_at", "-id"]),
    "active": ({}, ["-last_activity_at", "-id"]),
    "unanswered": ({"answer_count": 0}, ["-created_at", "-id"]),
    "unsolved": ({"status": "open"}, ["-created_at", "-id"]),
    "solved": ({"status": "solved"}, ["-created_at", "-id"]),
    "top": ({}, ["-vote_count", "-id"]),
}
POST_SORTS = {"kudos": ["-kudos_count", "id"], "date": ["created_at", "id"]}
MAX_LIMIT = 100


_PK_MARK = 987654321987


class Links:
    """URLs reversed once per page and then built by joining strings: the question page links each of its
    50 answers and their comments to six or seven pages, and `{% url %}` per link was a tenth of its time."""

    def __init__(self) -> None:
        self._by_pk: dict[tuple[str, ...], tuple[str, str]] = {}
        self._profiles: dict[str, str] = {}
        self._spaces: dict[str, str] = {}

    def by_pk(self, name: str, pk: int, *rest: str) -> str:
        """The URL `name` of `pk` (and the fixed arguments `rest` after it)."""
        parts = self._by_pk.get((name, *rest))
        if parts is None:
            # An integer needs no quoting, so the URL of any pk is the URL of one with the pk swapped in.
            before, _, after = reverse(name, args=[_PK_MARK, *rest]).rpartition(str(_PK_MARK))
            parts = self._by_pk[(name, *rest)] = (before, after)
        return f"{parts[0]}{int(pk)}{parts[1]}"

    def named(self, name: str) -> str:
        parts = self._by_pk.get((name,))
        if parts is None:
            parts = self._by_pk[(name,)] = (reverse(name), "")
        return parts[0]

    def space(self, space: Any) -> str:
        url = self._spaces.get(space.slug)
        if url is None:
            url = self._spaces[space.slug] = space.get_absolute_url()
        return url

    def profile(self, user: Any) -> str:
        # Usernames may need quoting: reversed, once per author.
        url = self._profiles.get(user.username)
        if url is None:
            url = self._profiles[user.username] = user.get_absolute_url()
        return url


@dataclass(frozen=True)
class PostView:
    """A post as one person sees it: what they may do with it is worked out once, so templates stay lean."""

    post: Post
    given: bool = False  # this person gave it kudos
    may_kudos: bool = False
    is_accepted: bool = False
    may_edit: bool = False
    may_delete: bool = False
    may_restore: bool = False
    may_view_history: bool = False  # the author and moderators follow "edited" to the earlier versions
    signed_in: bool = False
    comments: list[PostView] = field(default_factory=list)
    links: Links = field(default_factory=Links, repr=False, compare=False)  # one per page, shared by its posts

    def sharing_key(self) -> tuple[Any, ...]:
        """Everything that makes this post's HTML differ between viewers: viewers with the same key
        see the same fragment (core.fragments), whoever they are."""
        return (self.post.id, self.given, self.may_kudos, self.is_accepted, self.may_edit, self.may_delete,
                self.may_restore, self.may_view_history, self.signed_in,
                tuple(comment.sharing_key() for comment in self.comments))

    @property
    def url(self) -> str:
        return f"{self.links.by_pk('topic', self.post.topic_id)}#post-{self.post.id}"

    @property
    def sign_in_url(self) -> str:
        return self.links.named("account_login")

    @property
    def author_url(self) -> str:
        return self.links.profile(self.post.author)

    @property
    def kudos_url(self) -> str:
        return self.links.by_pk("post_kudos", self.post.id)

    @property
    def comment_url(self) -> str:
        return self.links.by_pk("post_comment", self.post.id)

    @property
    def accept_url(self) -> str:
        return self.links.by_pk("post_accept", self.post.id)

    @property
    def edit_url(self) -> str:
        return self.links.by_pk("post_edit", self.post.id)

    @property
    def delete_url(self) -> str:
        return self.links.by_pk("post_delete", self.post.id)

    @property
    def flag_url(self) -> str:
        return self.links.by_pk("flag_post", self.post.id)

    @property
    def restore_url(self) -> str:
        return self.links.by_pk("post_restore", self.post.id)

    @property
    def history_url(self) -> str:
        return self.links.by_pk("post_history", self.post.id)


def _not_deleted_for(user: Any, qs: QuerySet) -> QuerySet:
    return qs if access.can_see_deleted(user) else qs.filter(is_deleted=False)


# A list over spaces that hold at least this share of all topics walks its date index.
BROAD_LIST_SHARE = 0.25


def _in_spaces(user: Any, qs: QuerySet, space_ids: list[int]) -> QuerySet:
    """Topics of `qs` in these spaces (the caller's visible ones), filtered so the list reads as few rows
    as it can: a list over most of the community walks the date index and skips the few rows of other
    spaces; a list over a few small spaces reads their rows by space and sorts them. (Left to itself,
    SQLite reads every topic of the spaces and sorts them all: most of the community, for each page.)"""
    if len(space_ids) == 1:
        return qs.filter(space_id=space_ids[0])
    if not space_ids:
        return qs.none()
    if _broad(user, space_ids):
        # `space_id + 0` is not an indexed column: neither database reads the list by space.
        return qs.alias(space_key=F("space_id") + 0).filter(space_key__in=space_ids)
    return qs.filter(space_id__in=space_ids)


def _broad(user: Any, space_ids: list[int]) -> bool:
    """Whether these spaces hold at least BROAD_LIST_SHARE of all topics: one query, asked once per
    request for the same spaces (kept on the user object, as access keeps the visible spaces)."""
    key = tuple(sorted(space_ids))
    memo = getattr(user, "_broad_lists", None)
    if memo is None:
        memo = {}
        try:
            user._broad_lists = memo
        except AttributeError:
            pass
    if key not in memo:
        counts = Space.objects.aggregate(part=Sum("topic_count", filter=Q(id__in=space_ids)), total=Sum("topic_count"))
        memo[key] = bool(counts["total"]) and (counts["part"] or 0) >= BROAD_LIST_SHARE * counts["total"]
    return memo[key]


def topic_list(user: Any, *, space: Any = None, tab: str = "newest", kind: str | None = None,
               tag: str | None = None, cursor: str | None = None, limit: int = 30,
               status: str | None = None) -> Page:
    """A page of the topics this person may see, newest/active/unanswered/unsolved/solved/top.

    A space's list includes the topics of its visible sub-spaces (a product shows its categories').
    """
    if tab not in TABS:
        raise InvalidInput(f"Unknown sort “{tab}”: use {', '.join(TABS)}.", field="sort")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"The limit must be between 1 and {MAX_LIMIT}.", field="limit")
    filters, ordering = TABS[tab]
    space_ids = access.visible_subtree_ids(user, space) if space is not None else access.visible_space_ids(user)
    qs = _in_spaces(user, _not_deleted_for(user, Topic.objects.filter(**filters)), space_ids)
    if kind:
        qs = qs.filter(kind=kind)
    if tab in {"unsolved", "solved", "unanswered"} and not kind:
        qs = qs.filter(kind="question")
    if tag:
        qs = qs.filter(tags__name=tag)
    if status:
        qs = qs.filter(status=status)
    # "question" (one-to-one, may be absent) gives questions' accepted post without a query per row.
    qs = qs.select_related("space", "author", "question").prefetch_related("tags")
    return keyset_page(qs, ordering, cursor, limit)


# What decides who sees a post how (PostView's flags) and where it sits in the thread, without its text.
POST_KEY_FIELDS = ("id", "topic_id", "parent_id", "author_id", "kudos_count", "created_at", "edited_at",
                   "is_deleted", "deleted_by_id", "is_topic_comment")


def _answers_and_comments(user: Any, topic: Topic | None = None) -> tuple[QuerySet, QuerySet]:
    qs = Post.objects.filter(parent__isnull=True, is_topic_comment=False)
    if topic is not None:
        qs = qs.filter(topic=topic)
    comments = Post.objects.order_by("created_at", "id")
    if not access.can_see_deleted(user):
        qs = qs.filter(is_deleted=False)
        comments = comments.filter(is_deleted=False)
    return qs, comments


def answers_page(user: Any, topic: Topic, *, sort: str = "kudos", cursor: str | None = None,
                 limit: int = 50, keys_only: bool = False) -> Page:
    """Top-level posts of a topic with their comments prefetched (two queries, whatever the size).
    With `keys_only`, without their text or authors (POST_KEY_FIELDS): enough to know who sees what."""
    if sort not in POST_SORTS:
        raise InvalidInput("Sort answers by kudos or date.", field="sort")
    qs, comments = _answers_and_comments(user, topic)
    if keys_only:
        qs, comments = qs.only(*POST_KEY_FIELDS), comments.only(*POST_KEY_FIELDS)
    else:
        qs, comments = qs.select_related("author"), comments.select_related("author")
    qs = qs.prefetch_related(Prefetch("comments", queryset=comments))
    return keyset_page(qs, POST_SORTS[sort], cursor, limit)


def answers_by_id(user: Any, ids: list[int]) -> dict[int, Post]:
    """These answers in full, with their authors and comments (two queries)."""
    qs, comments = _answers_and_comments(user)
    qs = qs.filter(id__in=ids).select_related("author").prefetch_related(
        Prefetch("comments", queryset=comments.select_related("author")))
    return {post.id: post for post in qs}


def topic_comments(user: Any, topic: Topic) -> list[Post]:
    """Comments on the topic itself (imported Stack Exchange comments on a question), oldest first:
    one query."""
    qs = Post.objects.filter(topic=topic, parent__isnull=True, is_topic_comment=True).select_related("author")
    if not access.can_see_deleted(user):
        qs = qs.filter(is_deleted=False)
    return list(qs.order_by("created_at", "id"))


def posts_page(user: Any, topic: Topic, *, cursor: str | None = None, limit: int = 50) -> Page:
    """Every visible post of a topic in date order (the API's flat list)."""
    qs = Post.objects.filter(topic=topic).select_related("author")
    if not access.can_see_deleted(user):
        # Comments go with their answer: a deleted answer takes its thread with it.
        qs = qs.filter(is_deleted=False).exclude(parent__is_deleted=True)
    return keyset_page(qs, ["created_at", "id"], cursor, limit)


def kudos_given(user: Any, posts: list[Post]) -> set[int]:
    """Ids among `posts` (and their comments) this member gave kudos to: one query."""
    if not user.is_authenticated or not posts:
        return set()
    ids = [p.id for p in posts]
    for p in posts:
        ids.extend(c.id for c in getattr(p, "_prefetched_objects_cache", {}).get("comments", []))
    return set(Kudos.objects.filter(user=user, post_id__in=ids).values_list("post_id", flat=True))


def has_voted(user: Any, topic: Topic) -> bool:
    return bool(user.is_authenticated and TopicVote.objects.filter(user=user, topic=topic).exists())


def recent_topics(user: Any, limit: int = 10, **filters: Any) -> QuerySet:
    return (
        _in_spaces(user, _not_deleted_for(user, Topic.objects.filter(**filters)), access.visible_space_ids(user))
        .select_related("space", "author")
        .order_by("-created_at", "-id")[:limit]
    )
