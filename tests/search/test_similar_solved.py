"""Search before you post: solved questions like the title being typed, on the ask page."""

from __future__ import annotations

from townhall.content.services import delete_topic
from townhall.search.services import similar_solved
from townhall.support.services import ask_question


def test_a_solved_question_with_a_word_of_the_title_is_suggested(member, solved_question):
    assert similar_solved(member, "My router is slow") == [solved_question]


def test_any_significant_word_is_enough(member, solved_question):
    assert similar_solved(member, "connection problems upstairs") == [solved_question]


def test_unsolved_questions_are_not_suggested(member, question, solved_question):
    assert similar_solved(member, "How do I reset my widget") == []


def test_stop_words_alone_suggest_nothing(member, solved_question):
    assert similar_solved(member, "how do I do this") == []


def test_the_closest_question_comes_first_and_the_list_is_short(member, other, public_space, solved_question):
    from townhall.content.services import create_post
    from townhall.support.services import accept_solution

    for i in range(7):
        topic = ask_question(member, public_space, title=f"Connection question {i}", body="Connection lost.")
        accept_solution(member, topic, create_post(other, topic, body="Fixed."))
    suggestions = similar_solved(member, "router dropping connection")
    assert len(suggestions) == 5
    assert suggestions[0] == solved_question


def test_deleted_questions_are_not_suggested(member, solved_question):
    delete_topic(member, solved_question)
    assert similar_solved(member, "router") == []


def test_the_fragment_lists_suggestions_with_links_for_anonymous_visitors(anon_client, solved_question):
    response = anon_client.get("/search/similar/", {"title": "router drops"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Router keeps dropping the connection" in html
    assert f'href="/t/{solved_question.id}/"' in html
    assert "<html" not in html  # a fragment, not a page


def test_the_fragment_is_empty_for_short_titles_and_no_matches(anon_client, solved_question):
    assert anon_client.get("/search/similar/", {"title": "rou"}).content.strip() == b""
    assert anon_client.get("/search/similar/", {"title": "spaceship"}).content.strip() == b""
    assert anon_client.get("/search/similar/").content.strip() == b""


def test_the_fragment_survives_odd_titles(anon_client, solved_question):
    for title in ['"router', "router*", "NEAR(router)", "🙂🙂🙂🙂", "x" * 5000]:
        assert anon_client.get("/search/similar/", {"title": title}).status_code == 200
