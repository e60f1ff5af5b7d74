"""Posts: read, edit, delete and restore one; kudos."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from townhall.api.auth import ANYONE, MEMBER
from townhall.api.present import accepted_post_id, post_data
from townhall.api.routers.topics import READ_ERRORS, WRITE_ERRORS
from townhall.api.schemas import KudosOut, PostOut, PostPatch
from townhall.content import services as content
from townhall.content.models import Post
from townhall.core import access
from townhall.core.errors import NotFound

router = Router(tags=["posts"])


def load_post(user: Any, post_id: int) -> Post:
    """The post, if the caller may see it (its author sees it while deleted, to restore it)."""
    post = (
        Post.objects.select_related("topic", "topic__space", "topic__question", "author")
        .filter(pk=post_id).first()
    )
    if post is None or not access.can_view_post(user, post):
        raise NotFound("No such post.")
    return post


def fresh_post(post: Post) -> dict[str, Any]:
    post = Post.objects.select_related("topic", "topic__question", "author").get(pk=post.pk)
    return post_data(post, accepted_post_id(post.topic))


@router.get("/posts/{int:post_id}", auth=ANYONE, response={200: PostOut, **READ_ERRORS}, summary="One post")
def get_post(request: HttpRequest, post_id: int) -> dict[str, Any]:
    post = load_post(request.user, post_id)
    return post_data(post, accepted_post_id(post.topic))


@router.patch("/posts/{int:post_id}", auth=MEMBER, response={200: PostOut, **WRITE_ERRORS},
              summary="Edit a post (its author, moderators)")
def edit_post(request: HttpRequest, post_id: int, payload: PostPatch) -> dict[str, Any]:
    post = load_post(request.user, post_id)
    content.edit_post(request.user, post, body=payload.body)
    return fresh_post(post)


@router.delete("/posts/{int:post_id}", auth=MEMBER, response={200: PostOut, **WRITE_ERRORS},
               summary="Delete a post (its author, moderators)")
def delete_post(request: HttpRequest, post_id: int) -> dict[str, Any]:
    """A soft delete; deleting the accepted answer makes the question unsolved again."""
    post = load_post(request.user, post_id)
    content.delete_post(request.user, post)
    return fresh_post(post)


@router.post("/posts/{int:post_id}/restore", auth=MEMBER, response={200: PostOut, **WRITE_ERRORS},
             summary="Restore a deleted post")
def restore_post(request: HttpRequest, post_id: int) -> dict[str, Any]:
    post = load_post(request.user, post_id)
    content.restore_post(request.user, post)
    return fresh_post(post)


@router.post("/posts/{int:post_id}/kudos", auth=MEMBER, response={200: KudosOut, **WRITE_ERRORS},
             summary="Give kudos to a post")
def give_kudos(request: HttpRequest, post_id: int) -> dict[str, int]:
    """Not on your own post (422); once per post (409 the second time)."""
    post = load_post(request.user, post_id)
    return {"kudos_count": content.give_kudos(request.user, post)}


@router.delete("/posts/{int:post_id}/kudos", auth=MEMBER, response={200: KudosOut, **WRITE_ERRORS},
               summary="Withdraw your kudos")
def withdraw_kudos(request: HttpRequest, post_id: int) -> dict[str, int]:
    post = load_post(request.user, post_id)
    return {"kudos_count": content.withdraw_kudos(request.user, post)}
