"""The support team's queue: escalated questions, claimed, released and resolved by agents."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from townhall.api.auth import MEMBER
from townhall.api.present import queue_item_data
from townhall.api.routers.topics import WRITE_ERRORS, load_topic
from townhall.api.schemas import ErrorOut, QueueItemOut, QueuePage, QueueQuery
from townhall.core.pagination import keyset_page
from townhall.support import services
from townhall.support.models import Question

router = Router(tags=["support"])


def queue_item(question: Question) -> dict[str, Any]:
    question = (
        Question.objects.select_related("topic", "topic__space", "topic__author", "claimed_by")
        .get(pk=question.pk)
    )
    return queue_item_data(question)


@router.get("/support/queue", auth=MEMBER, response={200: QueuePage, 400: ErrorOut, 401: ErrorOut,
                                                     403: ErrorOut},
            summary="The support queue (agents)")
def queue(request: HttpRequest, query: Query[QueueQuery]) -> dict[str, Any]:
    """Escalated questions, oldest escalation first. `state`: open (queued or claimed), queued,
    claimed or resolved."""
    qs = services.agent_queue(request.user, query.state)
    page = keyset_page(qs, ["escalated_at", "topic_id"], query.cursor, query.limit)
    return {"results": [queue_item_data(q) for q in page.items], "next": page.next_cursor}


@router.post("/topics/{int:topic_id}/claim", auth=MEMBER, response={200: QueueItemOut, **WRITE_ERRORS},
             summary="Claim a queued question (agents)")
def claim(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    topic = load_topic(request.user, topic_id)
    return queue_item(services.claim_question(request.user, topic))


@router.post("/topics/{int:topic_id}/release", auth=MEMBER, response={200: QueueItemOut, **WRITE_ERRORS},
             summary="Put a claimed question back in the queue (agents)")
def release(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    topic = load_topic(request.user, topic_id)
    return queue_item(services.release_question(request.user, topic))


@router.post("/topics/{int:topic_id}/resolve", auth=MEMBER, response={200: QueueItemOut, **WRITE_ERRORS},
             summary="Mark a queued question resolved (agents)")
def resolve(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    topic = load_topic(request.user, topic_id)
    return queue_item(services.resolve_question(request.user, topic))
