"""Reputation follows the rules as things happen, and recomputing it from the content gives the same totals."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import make_user
from townhall.content.services import create_post, delete_post, give_kudos, set_topic_vote, withdraw_kudos
from townhall.reputation.services import RULES, recompute_reputation, reputation_from_content
from townhall.support.services import accept_solution, ask_question, me_too, unaccept_solution

pytestmark = pytest.mark.django_db


def reputations() -> dict[str, int]:
    return dict(get_user_model().objects.values_list("username", "reputation"))


def test_the_rules_are_ten_for_kudos_fifteen_for_a_solution_two_for_a_vote():
    assert RULES == {"kudos_received": 10, "solution_accepted": 15, "vote_received": 2}


def test_each_action_gives_or_takes_back_its_points(member, other, question, answer):
    give_kudos(member, answer)
    assert reputations()["other"] == 10
    accept_solution(member, question, answer)
    assert reputations()["other"] == 25
    me_too(other, question)
    assert reputations()["member"] == 2
    set_topic_vote(other, question, 0)
    withdraw_kudos(member, answer)
    unaccept_solution(member, question)
    assert reputations()["member"] == 0 and reputations()["other"] == 0


def test_recomputing_after_a_busy_day_gives_the_same_totals_as_the_live_updates(
        member, other, outsider, moderator, public_space):
    third = make_user("third")
    q1 = ask_question(member, public_space, title="Which widget cable do I need?", body="Long story.")
    q2 = ask_question(other, public_space, title="The widget app crashes at start", body="Since Monday.")
    a1 = create_post(other, q1, body="The blue one.")
    a2 = create_post(third, q1, body="The red one, really.")
    a3 = create_post(member, q2, body="Reinstall it.")
    comment = create_post(outsider, q1, body="Thanks!", parent=a1)
    for voter in (member, outsider, third):
        give_kudos(voter, a1)
    give_kudos(member, a2)
    give_kudos(other, comment)
    give_kudos(other, a3)
    withdraw_kudos(outsider, a1)
    me_too(outsider, q1)
    me_too(third, q1)
    me_too(member, q2)
    me_too(third, q2)
    set_topic_vote(third, q2, 0)
    accept_solution(member, q1, a1)
    accept_solution(member, q1, a2)  # replaces the first solution
    accept_solution(other, q2, a3)
    unaccept_solution(other, q2)
    accept_solution(moderator, q2, a3)
    delete_post(moderator, a2)  # the accepted answer goes: the question is unsolved again
    live = reputations()
    assert live["other"] == 2 * 10 + 2  # kudos from member and third on a1; third's "me too" withdrawn
    assert live["third"] == 10  # a2's kudos stay; its solution went with it
    assert recompute_reputation() == 0
    assert reputations() == live
    assert {pk: points for pk, points in reputation_from_content().items() if points} == {
        user.pk: user.reputation for user in get_user_model().objects.exclude(reputation=0)}


def test_recomputing_repairs_a_reputation_that_drifted(member, other, question, answer):
    give_kudos(member, answer)
    get_user_model().objects.filter(username="other").update(reputation=999)
    assert recompute_reputation([other]) == 1
    assert reputations()["other"] == 10


def test_imported_votes_count_like_votes_given_here(member, other, question, answer):
    answer.imported_kudos = 3
    answer.save()
    question.imported_votes = 4
    question.save()
    recompute_reputation()
    assert reputations()["other"] == 3 * 10
    assert reputations()["member"] == 4 * 2
