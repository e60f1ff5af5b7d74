"""The agent queue: who may see it, what each row says, claim / release / resolve."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for, make_user
from townhall.support.models import Question
from townhall.support.services import claim_question, escalate_question

pytestmark = pytest.mark.django_db
QUEUE = "/support/queue/"


def rows(response) -> list[int]:
    """The questions of the queue's table, in order (each row links to its question)."""
    table = response.content.decode().partition('<tbody>')[2].partition('</tbody>')[0]
    return [int(pk) for pk in re.findall(r'<tr>\s*<td><a href="/t/(\d+)/', table)]


@pytest.fixture
def escalated(question):
    escalate_question(question, reason="unanswered")
    return question


def test_the_queue_address_is_stable():
    assert reverse("agent_queue") == QUEUE


def test_visitors_are_sent_to_sign_in(anon_client, db):
    response = anon_client.get(QUEUE)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_members_and_moderators_are_refused(member_client, moderator_client, escalated):
    assert member_client.get(QUEUE).status_code == 403
    assert moderator_client.get(QUEUE).status_code == 403
    assert member_client.post(reverse("queue_action", args=[escalated.pk, "claim"])).status_code == 403


def test_agent_sees_the_escalated_question_with_its_reason_and_wait(agent_client, escalated):
    html = agent_client.get(QUEUE).content.decode()
    assert escalated.title in html
    assert "Widget setup" in html
    assert "No answer" in html
    assert "nobody" in html
    assert f'{escalated.get_absolute_url()}#answer' in html


def test_admins_see_the_queue_too(owner_client, escalated):
    assert escalated.title in owner_client.get(QUEUE).content.decode()


def test_agent_claims_releases_and_resolves(agent_client, agent, escalated):
    response = agent_client.post(reverse("queue_action", args=[escalated.pk, "claim"]), follow=True)
    assert response.redirect_chain == [(QUEUE, 302)]
    assert "You claimed" in response.content.decode()
    question = Question.objects.get(topic=escalated)
    assert question.queue_state == "claimed" and question.claimed_by == agent
    claimed = agent_client.get(QUEUE, {"state": "claimed"})
    assert rows(claimed) == [escalated.pk] and "<td>You</td>" in claimed.content.decode()
    agent_client.post(reverse("queue_action", args=[escalated.pk, "release"]), follow=True)
    assert Question.objects.get(topic=escalated).queue_state == "queued"
    agent_client.post(reverse("queue_action", args=[escalated.pk, "resolve"]), follow=True)
    assert Question.objects.get(topic=escalated).queue_state == "resolved"
    assert rows(agent_client.get(QUEUE)) == []
    assert rows(agent_client.get(QUEUE, {"state": "resolved"})) == [escalated.pk]


def test_claiming_what_another_agent_claimed_says_who_has_it(agent_client, escalated):
    colleague = make_user("colleague", is_agent=True, display_name="Cole League")
    claim_question(colleague, escalated)
    response = agent_client.post(reverse("queue_action", args=[escalated.pk, "claim"]), follow=True)
    assert "Already claimed by colleague" in response.content.decode()
    assert Question.objects.get(topic=escalated).claimed_by == colleague


def test_an_unknown_action_or_tab_is_a_clear_400(agent_client, escalated):
    assert agent_client.post(reverse("queue_action", args=[escalated.pk, "explode"])).status_code == 400
    assert agent_client.get(QUEUE, {"state": "everything"}).status_code == 400


def test_a_private_question_is_hidden_from_agents_outside_its_space(private_question):
    escalate_question(private_question, reason="unanswered")
    outside_agent = make_user("outside-agent", is_agent=True)
    client = client_for(outside_agent)
    response = client.get(QUEUE)
    assert rows(response) == [] and private_question.title not in response.content.decode()
    assert client.post(reverse("queue_action", args=[private_question.pk, "claim"])).status_code == 404
    assert Question.objects.get(topic=private_question).queue_state == "queued"


def test_an_agent_answer_from_the_queue_is_official_and_shown_as_such(agent_client, escalated):
    agent_client.post(reverse("topic_answer", args=[escalated.pk]), {"body": "Update to firmware 2.1."})
    html = agent_client.get(escalated.get_absolute_url()).content.decode()
    assert "Official answer" in html


def test_each_agent_sees_their_own_claims_as_theirs_when_rows_are_shared(settings, agent, agent_client, escalated):
    settings.PAGE_CACHE_SECONDS = 300  # rows are rendered once for the agents who see them alike
    second = make_user("second-agent", is_agent=True)
    second_client = client_for(second)
    claim_question(agent, escalated)
    mine = agent_client.get(QUEUE).content.decode()
    theirs = second_client.get(QUEUE).content.decode()
    assert ">You<" in mine and ">Release<" in mine
    assert ">You<" not in theirs and agent.name in theirs and ">Release<" not in theirs
    assert rows(agent_client.get(QUEUE)) == rows(second_client.get(QUEUE)) == [escalated.pk]
