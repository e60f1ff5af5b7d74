"""Accepted solutions and "I have this question too"."""

import pytest

from townhall.content.services import create_post, delete_post
from townhall.core.errors import NotAllowed, NotFound, Unprocessable
from townhall.notifications.models import Subscription
from townhall.support import services
from townhall.support.models import Question


def test_the_asker_accepts_an_answer_and_the_question_is_solved(question, answer, member):
    services.accept_solution(member, question, answer)
    question.refresh_from_db()
    assert question.status == "solved"
    assert Question.objects.get(topic=question).accepted_post == answer


def test_accepting_another_answer_replaces_the_first(question, answer, member, agent, other):
    second = create_post(agent, question, body="Official fix: update the firmware.")
    services.accept_solution(member, question, answer)
    other.refresh_from_db()
    assert other.solution_count == 1
    services.accept_solution(member, question, second)
    assert Question.objects.get(topic=question).accepted_post == second
    other.refresh_from_db()
    agent.refresh_from_db()
    assert (other.solution_count, agent.solution_count) == (0, 1)


@pytest.mark.parametrize("persona", ["agent", "moderator"])
def test_agents_and_moderators_may_accept(question, answer, persona, request):
    services.accept_solution(request.getfixturevalue(persona), question, answer)
    question.refresh_from_db()
    assert question.is_solved


def test_another_member_may_not_accept(question, answer, other):
    with pytest.raises(NotAllowed):
        services.accept_solution(other, question, answer)


def test_an_outsider_cannot_accept_in_a_private_space(private_question, outsider, agent):
    post = create_post(agent, private_question, body="Insider answer")
    with pytest.raises(NotFound):
        services.accept_solution(outsider, private_question, post)


def test_a_comment_or_another_topics_post_cannot_be_the_solution(question, answer, member, other, public_space):
    comment = create_post(member, question, body="Thanks, trying", parent=answer)
    with pytest.raises(Unprocessable):
        services.accept_solution(member, question, comment)
    elsewhere = services.ask_question(other, public_space, title="Another question here", body="Body")
    foreign = create_post(member, elsewhere, body="Answer elsewhere")
    with pytest.raises(Unprocessable):
        services.accept_solution(member, question, foreign)


def test_deleting_the_accepted_answer_reopens_the_question(question, answer, member, other):
    services.accept_solution(member, question, answer)
    delete_post(other, answer)
    question.refresh_from_db()
    assert question.status == "open"
    assert Question.objects.get(topic=question).accepted_post is None


def test_unaccepting_reopens(question, answer, member):
    services.accept_solution(member, question, answer)
    services.unaccept_solution(member, question)
    question.refresh_from_db()
    assert question.status == "open"


def test_me_too_counts_and_subscribes(question, other):
    assert services.me_too(other, question) == (1, 1)
    assert Subscription.objects.filter(user=other, topic=question).exists()
    assert services.me_too(other, question, 0) == (0, 0)


def test_the_asker_follows_their_own_question(question, member):
    assert Subscription.objects.filter(user=member, topic=question).exists()
