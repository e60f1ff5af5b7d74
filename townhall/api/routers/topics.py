"""Topics of every kind and their posts: list, read, write, accept a solution, vote."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.renderers import JSONRenderer

from townhall.api.auth import ANYONE, MEMBER
from townhall.api.present import accepted_post_id, post_data, topic_data
from townhall.api.routers.spaces import space_for
from townhall.api.schemas import (
    AcceptIn,
    ErrorOut,
    PostIn,
    PostOut,
    PostPage,
    PostsQuery,
    TopicIn,
    TopicOut,
    TopicPage,
    TopicPatch,
    TopicsQuery,
    VoteIn,
    VoteOut,
)
from townhall.content import selectors
from townhall.content import services as content
from townhall.content.models import Post, Topic
from townhall.core import access, fragments
from townhall.core.errors import InvalidInput, NotAllowed, NotFound, Unprocessable
from townhall.support import services as support

router = Router(tags=["topics"])

READ_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                413: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def load_topic(user: Any, topic_id: int) -> Topic:
    """The topic with what its representation needs, if the caller may see it (404 otherwise)."""
    topic = (
        Topic.objects.select_related("space", "author", "question").prefetch_related("tags")
        .filter(pk=topic_id).first()
    )
    if topic is None or not access.can_view_topic(user, topic):
        raise NotFound("No such topic.")
    return topic


def fresh_topic(user: Any, topic: Topic) -> dict[str, Any]:
    """The topic as it is now, after a change (read again: services update counters in SQL)."""
    topic = (
        Topic.objects.select_related("space", "author", "question").prefetch_related("tags").get(pk=topic.pk)
    )
    return topic_data(topic)


@router.get("/topics", auth=ANYONE, response={200: TopicPage, **READ_ERRORS}, summary="Topics you may see")
def list_topics(request: HttpRequest, query: Query[TopicsQuery]) -> HttpResponse:
    """Newest first by default; `sort` also takes active, unanswered, unsolved, solved and top."""
    space = space_for(request.user, query.space) if query.space else None
    if query.status is not None and not (1 <= len(query.status) <= 20 and query.status.replace("_", "").isalnum()):
        raise InvalidInput("Unknown status.", field="status")

    def render() -> str:
        page = selectors.topic_list(
            request.user, space=space, tab=query.sort, kind=query.kind, tag=query.tag, status=query.status,
            cursor=query.cursor, limit=query.limit,
        )
        data = TopicPage.model_validate({"results": [topic_data(t) for t in page.items], "next": page.next_cursor})
        return str(JSONRenderer().render(request, data.model_dump(by_alias=True), response_status=200))

    # The list is the same for every caller who sees the same spaces: encoded once for all of them
    # (core.fragments), as the pages' lists are. Callers without a token get it from the page cache.
    body = fragments.shared(request, "api_topics", (fragments.audience(request.user), request.get_full_path()),
                            render)
    return HttpResponse(body, content_type=JSONRenderer.media_type)


@router.post("/topics", auth=MEMBER, response={201: TopicOut, **WRITE_ERRORS}, summary="Start a topic")
def create_topic(request: HttpRequest, payload: TopicIn) -> Status[dict[str, Any]]:
    """Ask a question (kind `question`) or start an idea, discussion, blog post, media item or review.

    New accounts may post a limited number of times an hour (429 with Retry-After beyond it).
    """
    space = space_for(request.user, payload.space)
    if payload.kind == "question":
        topic = support.ask_question(request.user, space, title=payload.title, body=payload.body,
                                     tags=payload.tags)
    else:
        topic = content.create_topic(request.user, space, kind=payload.kind, title=payload.title,
                                     body=payload.body, tags=payload.tags)
    return Status(201, fresh_topic(request.user, topic))


@router.get("/topics/{int:topic_id}", auth=ANYONE, response={200: TopicOut, **READ_ERRORS}, summary="One topic")
def get_topic(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    return topic_data(load_topic(request.user, topic_id))


@router.patch("/topics/{int:topic_id}", auth=MEMBER, response={200: TopicOut, **WRITE_ERRORS},
              summary="Edit a topic (its author, moderators)")
def edit_topic(request: HttpRequest, topic_id: int, payload: TopicPatch) -> dict[str, Any]:
    """Change the title, body or tags; the previous text is kept as a revision."""
    topic = load_topic(request.user, topic_id)
    content.edit_topic(request.user, topic, title=payload.title, body=payload.body, tags=payload.tags)
    return fresh_topic(request.user, topic)


@router.delete("/topics/{int:topic_id}", auth=MEMBER, response={200: TopicOut, **WRITE_ERRORS},
               summary="Delete a topic (its author, moderators)")
def delete_topic(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    """A soft delete: the topic disappears for members and can be restored."""
    topic = load_topic(request.user, topic_id)
    content.delete_topic(request.user, topic)
    return fresh_topic(request.user, topic)


@router.post("/topics/{int:topic_id}/restore", auth=MEMBER, response={200: TopicOut, **WRITE_ERRORS},
             summary="Restore a deleted topic")
def restore_topic(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    """Moderators, and an author who deleted their own topic, may bring it back."""
    topic = Topic.objects.select_related("space", "author").filter(pk=topic_id).first()
    # A deleted topic is invisible to its author, yet theirs to restore: ask the policy for both.
    if topic is None or not access.can_view_space(request.user, topic.space) or not (
        access.can_view_topic(request.user, topic) or access.can_restore(request.user, topic)
    ):
        raise NotFound("No such topic.")
    content.restore_topic(request.user, topic)
    return fresh_topic(request.user, topic)


@router.get("/topics/{int:topic_id}/posts", auth=ANYONE, response={200: PostPage, **READ_ERRORS},
            summary="A topic's posts")
def list_posts(request: HttpRequest, topic_id: int, query: Query[PostsQuery]) -> dict[str, Any]:
    """Answers and comments in the order they were written; `parent` tells comments from answers."""
    topic = load_topic(request.user, topic_id)
    page = selectors.posts_page(request.user, topic, cursor=query.cursor, limit=query.limit)
    accepted = accepted_post_id(topic)
    return {"results": [post_data(p, accepted) for p in page.items], "next": page.next_cursor}


@router.post("/topics/{int:topic_id}/posts", auth=MEMBER, response={201: PostOut, **WRITE_ERRORS},
             summary="Reply in a topic")
def create_post(request: HttpRequest, topic_id: int, payload: PostIn) -> Status[dict[str, Any]]:
    """An answer, or with `parent` a comment under an answer."""
    topic = load_topic(request.user, topic_id)
    parent = None
    if payload.parent is not None:
        parent = Post.objects.filter(pk=payload.parent, topic=topic, is_deleted=False).first()
        if parent is None:
            raise InvalidInput("The post you reply to is not in this topic.", field="parent")
    post = content.create_post(request.user, topic, body=payload.body, parent=parent)
    return Status(201, post_data(post, accepted_post_id(topic)))


@router.post("/topics/{int:topic_id}/accept", auth=MEMBER, response={200: TopicOut, **WRITE_ERRORS},
             summary="Accept a solution (asker, moderators, agents)")
def accept(request: HttpRequest, topic_id: int, payload: AcceptIn) -> dict[str, Any]:
    """Mark an answer as the question's solution; another replaces it; `{"post": null}` withdraws it."""
    topic = load_topic(request.user, topic_id)
    if payload.post is None:
        support.unaccept_solution(request.user, topic)
    else:
        if not access.can_accept(request.user, topic):
            raise NotAllowed("Only the asker, a moderator or an agent may accept a solution.")
        post = Post.objects.filter(pk=payload.post, topic=topic).first()
        if post is None:
            raise Unprocessable("That post is not an answer in this question.", field="post")
        support.accept_solution(request.user, topic, post)
    return fresh_topic(request.user, topic)


@router.post("/topics/{int:topic_id}/vote", auth=MEMBER, response={200: VoteOut, **WRITE_ERRORS},
             summary="Vote for a topic, or withdraw")
def vote(request: HttpRequest, topic_id: int, payload: VoteIn) -> dict[str, int]:
    """Idempotent. On a question the vote means “I have this question too” and follows it."""
    topic = load_topic(request.user, topic_id)
    if topic.kind == "question":
        count, value = support.me_too(request.user, topic, payload.value)
    else:
        count, value = content.set_topic_vote(request.user, topic, payload.value)
    return {"vote_count": count, "your_vote": value}
