"""Support Q&A: asking, accepted solutions, "me too", and escalation to the support team."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from townhall.activity.services import record_event
from townhall.content import services as content
from townhall.content.models import Post, Topic
from townhall.core import access
from townhall.core.errors import InvalidInput, NotAllowed, NotFound, Unprocessable
from townhall.reputation.services import credit
from townhall.spaces.models import Space
from townhall.support.models import Question


def ask_question(author: Any, space: Space, *, title: str, body: str,
                 tags: Iterable[str] | str | None = None, created_at: datetime | None = None,
                 check_rate: bool = True) -> Topic:
    """A new question; the asker follows it (the Question row is made by the topic_created hook).

    `created_at` and `check_rate=False` are for importers and demo data that replay the past.
    """
    return content.create_topic(author, space, kind="question", title=title, body=body, tags=tags,
                                created_at=created_at, check_rate=check_rate)


def question_of(topic: Topic) -> Question:
    if topic.kind != "question":
        raise Unprocessable("Only questions have solutions.", field="topic")
    question, _ = Question.objects.get_or_create(topic=topic)
    return question


@transaction.atomic
def accept_solution(user: Any, topic: Topic, post: Post) -> Question:
    """Mark `post` as the solution of `topic`: one at a time; accepting another replaces it."""
    if not access.can_view_topic(user, topic):
        raise NotFound("No such topic.")
    if not access.can_accept(user, topic):
        raise NotAllowed("Only the asker, a moderator or an agent may accept a solution.")
    question = Question.objects.select_for_update().filter(topic=topic).first() or question_of(topic)
    if post.topic_id != topic.id or post.is_deleted:
        raise Unprocessable("That post is not an answer in this question.", field="post")
    if post.parent_id is not None or post.is_topic_comment:
        raise Unprocessable("A comment cannot be the solution; accept an answer.", field="post")
    if question.accepted_post_id == post.id:
        return question
    _count_solution(question.accepted_post, -1)
    _count_solution(post, +1)
    question.accepted_post = post
    question.accepted_by = user
    question.accepted_at = timezone.now()
    if question.queue_state == "queued":
        question.queue_state = "community"  # solved before an agent took it
    question.save()
    Topic.objects.filter(pk=topic.pk).update(status="solved")
    topic.status = "solved"
    record_event("question.accepted", user, topic=topic, post=post)
    return question


@transaction.atomic
def unaccept_solution(user: Any, topic: Topic) -> Question:
    if not access.can_accept(user, topic):
        raise NotAllowed("Only the asker, a moderator or an agent may change the solution.")
    question = question_of(topic)
    if question.accepted_post_id:
        _count_solution(question.accepted_post, -1)
        question.accepted_post = None
        question.accepted_by = None
        question.accepted_at = None
        question.save()
        Topic.objects.filter(pk=topic.pk).update(status="open")
        topic.status = "open"
        record_event("question.unaccepted", user, topic=topic)
    return question


def _count_solution(post: Post | None, sign: int) -> None:
    """The answer's author's solution count and reputation follow which answer is accepted."""
    if post is not None:
        get_user_model().objects.filter(pk=post.author_id).update(solution_count=F("solution_count") + sign)
        credit(post.author_id, "solution_accepted", sign)


def on_topics_merged(sender: Any, source: Topic, target: Topic, actor: Any, **kwargs: Any) -> None:
    """A merged question's solution goes with its answers when the target has none; it leaves the queue."""
    if source.kind != "question":
        return
    old = Question.objects.select_for_update().filter(topic=source).first()
    if old is None:
        return
    new = Question.objects.select_for_update().filter(topic=target).first() or question_of(target)
    if old.accepted_post_id and not new.accepted_post_id:
        new.accepted_post_id, new.accepted_by_id, new.accepted_at = old.accepted_post_id, old.accepted_by_id, \
            old.accepted_at
        new.save(update_fields=["accepted_post", "accepted_by", "accepted_at"])
        Topic.objects.filter(pk=target.pk).update(status="solved")
        target.status = "solved"
    elif old.accepted_post_id:
        _count_solution(old.accepted_post, -1)  # the target keeps its own solution
    Question.objects.filter(pk=old.pk).update(accepted_post=None, queue_state="" if old.in_queue else old.queue_state)


def me_too(user: Any, topic: Topic, value: int = 1) -> tuple[int, int]:
    """"I have this question too": counts the member and makes them follow the question."""
    from townhall.notifications import services as notifications

    with transaction.atomic():
        result = content.set_topic_vote(user, topic, value)
        if value == 1:
            notifications.subscribe(user, topic=topic)
    return result


# Escalation ---------------------------------------------------------------------------------


def overdue_questions(space: Space, now: datetime) -> tuple[Any, Any]:
    """Questions of `space` overdue for an answer and for a solution, not yet escalated for it."""
    # A duplicate is answered where it points: it is not escalated.
    base = Topic.objects.filter(space=space, kind="question", is_deleted=False, duplicate_of__isnull=True)
    unanswered = base.filter(
        answer_count=0,
        created_at__lte=now - timedelta(hours=space.unanswered_hours),
    ).exclude(question__escalated_unanswered=True)
    unsolved = base.filter(
        status="open",
        created_at__lte=now - timedelta(hours=space.unsolved_hours),
    ).exclude(question__escalated_unsolved=True).exclude(question__queue_state__in=["queued", "claimed"])
    return unanswered, unsolved


def escalate_unanswered(now: datetime | None = None) -> int:
    """The scheduled job: escalate every overdue question of every space. Returns how many."""
    now = now or timezone.now()
    count = 0
    for space in Space.objects.all():
        unanswered, unsolved = overdue_questions(space, now)
        for topic in unanswered.select_related("space")[:500]:
            count += escalate_question(topic, reason="unanswered", now=now)
        for topic in unsolved.select_related("space")[:500]:
            count += escalate_question(topic, reason="unsolved", now=now)
    return count


@transaction.atomic
def escalate_question(topic: Topic, *, reason: str, now: datetime | None = None, actor: Any = None) -> bool:
    """Put a question in the agent queue; tell the asker; email and POST to the helpdesk (via the event)."""
    if reason not in {"unanswered", "unsolved"}:
        raise InvalidInput("Unknown escalation reason.", field="reason")
    now = now or timezone.now()
    if Topic.objects.filter(pk=topic.pk, is_deleted=True).exists():
        return False  # deleted since the job listed it
    question, _ = Question.objects.select_for_update().get_or_create(topic=topic)
    flag = f"escalated_{reason}"
    if getattr(question, flag):
        return False
    setattr(question, flag, True)
    if question.queue_state not in {"queued", "claimed"}:
        question.queue_state = "queued"
        question.escalation_reason = reason
        question.escalated_at = now
        question.claimed_by = None
        question.claimed_at = None
        question.resolved_at = None
    question.save()
    record_event("question.escalated", actor, topic=topic, reason=reason)
    return True


def _queue_question(user: Any, topic: Topic) -> Question:
    if not access.can_work_queue(user):
        raise NotAllowed("Only support agents work the queue.")
    if not access.can_view_topic(user, topic):
        raise NotFound("No such topic.")
    question = Question.objects.select_for_update().filter(topic=topic).first()
    if question is None:
        raise Unprocessable("This question is not in the support queue.")
    return question


@transaction.atomic
def claim_question(agent: Any, topic: Topic) -> Question:
    question = _queue_question(agent, topic)
    if question.queue_state == "claimed" and question.claimed_by_id not in (None, agent.id):
        raise Unprocessable(f"Already claimed by {question.claimed_by}.")
    if question.queue_state not in {"queued", "claimed"}:
        raise Unprocessable("This question is not waiting in the support queue.")
    question.queue_state = "claimed"
    question.claimed_by = agent
    question.claimed_at = timezone.now()
    question.save()
    record_event("question.claimed", agent, topic=topic)
    return question


def _check_claim(agent: Any, question: Question) -> None:
    """A claimed question is the claiming agent's (or an admin's) to release or resolve."""
    if question.queue_state == "claimed" and question.claimed_by_id not in (None, agent.id) and not access.is_admin(
        agent
    ):
        raise NotAllowed(f"{question.claimed_by} has claimed this question; only they or an admin may change that.")


@transaction.atomic
def release_question(agent: Any, topic: Topic) -> Question:
    question = _queue_question(agent, topic)
    _check_claim(agent, question)
    if question.queue_state == "claimed":
        question.queue_state = "queued"
        question.claimed_by = None
        question.claimed_at = None
        question.save()
        record_event("question.released", agent, topic=topic)
    return question


@transaction.atomic
def resolve_question(agent: Any, topic: Topic) -> Question:
    question = _queue_question(agent, topic)
    if question.queue_state not in {"queued", "claimed"}:
        raise Unprocessable("This question is not waiting in the support queue.")
    _check_claim(agent, question)
    question.queue_state = "resolved"
    question.resolved_at = timezone.now()
    if question.claimed_by_id is None:
        question.claimed_by = agent
    question.save()
    record_event("question.resolved", agent, topic=topic)
    return question


def agent_queue(user: Any, state: str = "open") -> Any:
    """Questions waiting for the support team that this agent may see, oldest escalation first."""
    if not access.can_work_queue(user):
        raise NotAllowed("Only support agents see the queue.")
    states = {"open": ["queued", "claimed"], "queued": ["queued"], "claimed": ["claimed"],
              "resolved": ["resolved"]}.get(state, ["queued", "claimed"])
    return (
        Question.objects.filter(queue_state__in=states)
        .filter(Q(topic__space_id__in=access.visible_space_ids(user)), topic__is_deleted=False)
        .select_related("topic", "topic__space", "topic__author", "claimed_by")
        .order_by("escalated_at", "topic_id")
    )


# Hooks on the content core ----------------------------------------------------------------------


def on_topic_created(sender: Any, topic: Topic, actor: Any, **kwargs: Any) -> None:
    from townhall.notifications import services as notifications

    if topic.kind == "question":
        Question.objects.get_or_create(topic=topic)
        notifications.subscribe(actor, topic=topic)


def on_post_created(sender: Any, post: Post, actor: Any, **kwargs: Any) -> None:
    """A community answer takes an unanswered question out of the queue if no agent claimed it."""
    topic = post.topic
    if topic.kind != "question" or post.parent_id is not None or post.is_topic_comment:
        return
    question = Question.objects.filter(topic=topic).first()
    if question is None:
        return
    if question.queue_state == "queued" and question.escalation_reason == "unanswered" and not post.official:
        question.queue_state = "community"
        question.save(update_fields=["queue_state"])
        record_event("question.deescalated", actor, topic=topic, post=post)


def on_post_removed(sender: Any, post: Post, actor: Any, **kwargs: Any) -> None:
    """Deleting the accepted answer un-solves the question."""
    if post.topic.kind != "question":
        return
    question = Question.objects.filter(topic=post.topic, accepted_post=post).first()
    if question is not None:
        _count_solution(post, -1)
        question.accepted_post = None
        question.accepted_at = None
        question.accepted_by = None
        question.save()
        Topic.objects.filter(pk=post.topic_id).update(status="open")
