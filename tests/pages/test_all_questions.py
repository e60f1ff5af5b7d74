"""The all-questions page: every question the viewer may see, across spaces, with tabs."""

import pytest

from townhall.support.services import accept_solution, ask_question


def test_all_questions_lists_every_visible_space_with_the_space_named(anon_client, question, members_space, other):
    lounge = ask_question(other, members_space, title="Members only lounge question", body="Hi")
    html = anon_client.get("/questions/").content.decode()
    assert question.title in html
    assert question.space.name in html
    assert lounge.title not in html


def test_members_see_members_spaces_and_their_private_spaces(member_client, outsider_client, question,
                                                             private_question):
    assert private_question.title in member_client.get("/questions/").content.decode()
    assert private_question.title not in outsider_client.get("/questions/").content.decode()


def test_tabs_filter_solved_and_unanswered(anon_client, question, answer, member, other, public_space):
    waiting = ask_question(other, public_space, title="Nobody has answered this yet", body="Hello?")
    accept_solution(member, question, answer)
    solved = anon_client.get("/questions/?tab=solved").content.decode()
    unanswered = anon_client.get("/questions/?tab=unanswered").content.decode()
    assert question.title in solved and waiting.title not in solved
    assert waiting.title in unanswered and question.title not in unanswered


@pytest.mark.parametrize("query", ["tab=best", "cursor=garbage", "tag=%3Cscript%3E"])
def test_bad_parameters_are_a_clear_400(anon_client, db, query):
    response = anon_client.get(f"/questions/?{query}")
    assert response.status_code == 400


def test_an_empty_community_tells_the_newcomer_to_ask(anon_client, db):
    html = anon_client.get("/questions/").content.decode()
    assert "No questions yet" in html
    assert 'href="/ask/"' in html


def test_a_page_of_30_questions_costs_at_most_10_queries(member_client, member, public_space, settings,
                                                        django_assert_max_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    for i in range(30):
        ask_question(member, public_space, title=f"Question number {i} about widgets", body="Body", tags=["a", "b"])
    with django_assert_max_num_queries(10):
        member_client.get("/questions/")
