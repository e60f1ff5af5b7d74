"""Search shows only what the searcher may see: private spaces and deleted content never leak."""

from __future__ import annotations

import pytest

from townhall.content.services import create_post, delete_post, delete_topic
from townhall.search.services import search, similar_solved
from townhall.spaces.models import Membership, Space
from townhall.support.services import accept_solution


@pytest.fixture
def other_private_space(db, other):
    """A private space the `other` member belongs to (not the one with the private question)."""
    space = Space.objects.create(slug="partners", name="Partners", kind="forum", visibility="private")
    Membership.objects.create(space=space, user=other)
    return space


@pytest.fixture
def private_answer(agent, private_question):
    return create_post(agent, private_question, body="Insiders only: the zebracorn ships in spring.")


def types_found(user, q, **kwargs):
    return sorted(hit.type for hit in search(user, q, **kwargs).results)


def test_the_private_question_and_its_answers_are_invisible_to_anonymous_visitors(private_answer):
    from django.contrib.auth.models import AnonymousUser

    assert types_found(AnonymousUser(), "zebracorn") == []
    assert types_found(None, "zebracorn") == []


def test_the_private_question_is_invisible_to_outsiders(outsider, private_answer):
    assert types_found(outsider, "zebracorn") == []
    assert types_found(outsider, "roadmap") == []


def test_the_private_question_is_invisible_to_members_of_other_private_spaces(other, other_private_space,
                                                                              private_answer):
    assert types_found(other, "zebracorn") == []


def test_filtering_by_a_private_space_one_cannot_see_finds_nothing(outsider, private_space, private_answer):
    assert types_found(outsider, "zebracorn", space=private_space) == []


def test_members_of_the_private_space_and_the_owner_find_it(member, agent, owner, private_answer):
    for user in (member, agent, owner):
        assert types_found(user, "zebracorn") == ["post", "topic"]


def test_members_only_content_is_for_signed_in_people(member, outsider, members_space):
    from django.contrib.auth.models import AnonymousUser

    from townhall.support.services import ask_question

    ask_question(member, members_space, title="Lounge question about kettles", body="Kettle whistles.")
    assert types_found(outsider, "kettle") == ["topic"]
    assert types_found(AnonymousUser(), "kettle") == []


def test_deleted_content_is_found_by_nobody_not_even_moderators(member, other, moderator, owner, question,
                                                                 answer):
    delete_post(other, answer)
    delete_topic(member, question)
    for user in (member, other, moderator, owner):
        assert types_found(user, "blinks") == []
        assert types_found(user, "seconds") == []


def test_similar_solved_never_suggests_a_private_question_to_outsiders(member, outsider, private_question,
                                                                       private_answer):
    accept_solution(member, private_question, private_answer)
    assert [t.id for t in similar_solved(member, "roadmap widget")] == [private_question.id]
    assert similar_solved(outsider, "roadmap widget") == []
    assert similar_solved(None, "roadmap widget") == []


def test_the_search_page_never_shows_private_content(anon_client, outsider_client, member_client,
                                                     private_answer):
    for client in (anon_client, outsider_client):
        response = client.get("/search/", {"q": "zebracorn"})
        assert response.status_code == 200
        assert b"Secret roadmap" not in response.content
        assert b"ships in spring" not in response.content
        assert b"No results" in response.content
    response = member_client.get("/search/", {"q": "zebracorn"})
    assert b"Secret roadmap widget question" in response.content


def test_the_search_page_does_not_offer_or_accept_a_private_space_to_outsiders(outsider_client, private_space,
                                                                              private_answer):
    response = outsider_client.get("/search/")
    assert b"insiders" not in response.content
    response = outsider_client.get("/search/", {"q": "zebracorn", "space": "insiders"})
    assert response.status_code == 400
    assert b"No such space." in response.content
    assert b"Secret roadmap" not in response.content


def test_the_similar_fragment_never_shows_private_questions(member, anon_client, outsider_client,
                                                            private_question, private_answer):
    accept_solution(member, private_question, private_answer)
    for client in (anon_client, outsider_client):
        response = client.get("/search/similar/", {"title": "Secret roadmap"})
        assert response.status_code == 200
        assert response.content.strip() == b""
