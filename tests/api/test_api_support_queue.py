"""The support queue through the API: agents see escalated questions, claim, release and resolve them."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_for, assert_error
from townhall.support.models import Question
from townhall.support.services import ask_question, escalate_question

pytestmark = pytest.mark.django_db

QUEUE_FIELDS = {"topic", "title", "space", "asker", "url", "created_at", "answer_count", "status", "queue_state",
                "escalation_reason", "escalated_at", "claimed_by", "claimed_at", "resolved_at"}


def test_an_agent_sees_escalated_questions_oldest_first(agent_api, member, public_space, question):
    later = ask_question(member, public_space, title="Second escalated question", body="Still waiting")
    escalate_question(question, reason="unanswered")
    escalate_question(later, reason="unsolved")

    response = agent_api.get("/support/queue")

    assert response.status_code == 200
    first, second = response.json()["results"]
    assert set(first) == QUEUE_FIELDS
    assert (first["topic"], first["queue_state"], first["escalation_reason"]) == (question.pk, "queued",
                                                                                  "unanswered")
    assert (second["topic"], second["escalation_reason"]) == (later.pk, "unsolved")
    assert first["asker"] == "member"


def test_an_agent_claims_releases_and_resolves_a_question(agent_api, question):
    escalate_question(question, reason="unanswered")

    claimed = agent_api.post(f"/topics/{question.pk}/claim")
    assert claimed.status_code == 200, claimed.content
    assert (claimed.json()["queue_state"], claimed.json()["claimed_by"]) == ("claimed", "agent")
    assert [q["topic"] for q in agent_api.get("/support/queue", state="claimed").json()["results"]] == [
        question.pk]

    released = agent_api.post(f"/topics/{question.pk}/release")
    assert (released.json()["queue_state"], released.json()["claimed_by"]) == ("queued", None)

    resolved = agent_api.post(f"/topics/{question.pk}/resolve")
    assert resolved.json()["queue_state"] == "resolved"
    assert resolved.json()["resolved_at"] is not None
    assert agent_api.get("/support/queue").json()["results"] == []
    assert len(agent_api.get("/support/queue", state="resolved").json()["results"]) == 1


def test_members_do_not_work_the_queue(member_api, anon_api, question):
    escalate_question(question, reason="unanswered")

    assert_error(member_api.get("/support/queue"), 403)
    assert_error(anon_api.get("/support/queue"), 401)
    assert_error(member_api.post(f"/topics/{question.pk}/claim"), 403)
    assert Question.objects.get(topic=question).queue_state == "queued"


def test_a_question_not_in_the_queue_cannot_be_claimed(agent_api, question):
    assert_error(agent_api.post(f"/topics/{question.pk}/claim"), 422)


def test_an_unknown_queue_state_is_refused(agent_api):
    assert_error(agent_api.get("/support/queue", state="lost"), 400, "state")


@pytest.mark.parametrize("count", [5, 40])
def test_the_queue_costs_the_same_queries_for_5_or_40_questions(count, agent, member, public_space,
                                                                 django_assert_max_num_queries):
    for n in range(count):
        escalate_question(ask_question(member, public_space, title=f"Queued question {n}", body="Help"),
                          reason="unanswered")
    api = api_for(agent)

    # token, token last_used, visible spaces, the page
    with django_assert_max_num_queries(4):
        response = api.get("/support/queue", limit=100)

    assert len(response.json()["results"]) == count
