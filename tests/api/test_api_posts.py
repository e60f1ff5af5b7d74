"""Posts through the API: the thread, replying, editing, deleting and restoring, kudos."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_for, assert_error
from townhall.content.models import Post
from townhall.content.services import create_post
from townhall.support.services import accept_solution, ask_question

pytestmark = pytest.mark.django_db

POST_FIELDS = {
    "id", "topic", "parent", "is_topic_comment", "author", "body", "body_html", "created_at", "edited_at",
    "kudos_count", "official", "accepted", "is_deleted", "awaiting_review", "url",
}


def test_the_thread_lists_answers_and_comments_in_order_with_the_contract_fields(anon_api, member, question,
                                                                                   answer):
    comment = create_post(member, question, body="Thanks, that **worked**.", parent=answer)
    accept_solution(member, question, answer)

    response = anon_api.get(f"/topics/{question.pk}/posts")

    assert response.status_code == 200
    first, second = response.json()["results"]
    assert set(first) == POST_FIELDS
    assert (first["id"], first["parent"], first["author"], first["accepted"]) == (answer.pk, None, "other", True)
    assert (second["id"], second["parent"], second["accepted"]) == (comment.pk, answer.pk, False)
    assert second["body_html"] == "<p>Thanks, that <strong>worked</strong>.</p>\n"
    assert second["topic"] == question.pk
    assert second["url"].endswith(f"/t/{question.pk}/#post-{comment.pk}")


def test_the_thread_pages_with_a_cursor(anon_api, other, question):
    for n in range(5):
        create_post(other, question, body=f"Answer {n}")

    first = anon_api.get(f"/topics/{question.pk}/posts", limit=3).json()
    second = anon_api.get(f"/topics/{question.pk}/posts", limit=3, cursor=first["next"]).json()

    assert [p["body"] for p in first["results"] + second["results"]] == [f"Answer {n}" for n in range(5)]
    assert second["next"] is None
    assert_error(anon_api.get(f"/topics/{question.pk}/posts", limit=500), 400, "limit")


@pytest.mark.parametrize("count", [5, 40])
def test_the_thread_costs_the_same_queries_for_5_or_40_posts(count, member, other, question,
                                                              django_assert_max_num_queries):
    for n in range(count):
        create_post(other if n % 2 else member, question, body=f"Answer {n}")
    api = api_for(member)

    # token, token last_used, the topic (with space, author, question), its tags, visible spaces, the page
    with django_assert_max_num_queries(6):
        response = api.get(f"/topics/{question.pk}/posts", limit=100)

    assert len(response.json()["results"]) == count


def test_a_member_answers_and_comments(other_api, member_api, question):
    answered = other_api.post(f"/topics/{question.pk}/posts", {"body": "Hold the *reset* button."})

    assert answered.status_code == 201, answered.content
    answer = answered.json()
    assert set(answer) == POST_FIELDS
    assert answer["parent"] is None
    assert answer["body_html"] == "<p>Hold the <em>reset</em> button.</p>\n"

    commented = member_api.post(f"/topics/{question.pk}/posts", {"body": "Which one?", "parent": answer["id"]})

    assert commented.status_code == 201
    assert commented.json()["parent"] == answer["id"]
    topic = member_api.get(f"/topics/{question.pk}").json()
    assert (topic["reply_count"], topic["answer_count"]) == (2, 1)


def test_an_agents_answer_to_a_question_is_official(agent_api, question):
    response = agent_api.post(f"/topics/{question.pk}/posts", {"body": "Support here: update the firmware."})

    assert response.json()["official"] is True


def test_replying_under_a_post_of_another_topic_is_refused(member, other_api, question, public_space):
    elsewhere = ask_question(member, public_space, title="Another widget question", body="Hmm")
    foreign = create_post(member, elsewhere, body="An answer elsewhere")

    response = other_api.post(f"/topics/{question.pk}/posts", {"body": "Reply", "parent": foreign.pk})

    assert_error(response, 400, "parent")


def test_an_empty_reply_is_refused_naming_the_body(other_api, question):
    assert_error(other_api.post(f"/topics/{question.pk}/posts", {"body": "   "}), 400, "body")
    assert_error(other_api.post(f"/topics/{question.pk}/posts", {}), 400, "body")


def test_one_post_can_be_read_on_its_own(anon_api, answer):
    response = anon_api.get(f"/posts/{answer.pk}")

    assert response.status_code == 200
    assert response.json()["body"] == "Hold the button for ten seconds."


def test_the_author_edits_a_post_and_another_member_may_not(other_api, member_api, answer):
    edited = other_api.patch(f"/posts/{answer.pk}", {"body": "Hold the button for **twenty** seconds."})

    assert edited.status_code == 200
    assert edited.json()["edited_at"] is not None
    assert "<strong>twenty</strong>" in edited.json()["body_html"]
    assert_error(member_api.patch(f"/posts/{answer.pk}", {"body": "Vandalised"}), 403)


def test_deleting_a_post_hides_it_and_its_author_restores_it(other_api, anon_api, question, answer):
    deleted = other_api.delete(f"/posts/{answer.pk}")

    assert deleted.status_code == 200
    assert deleted.json()["is_deleted"] is True
    assert anon_api.get(f"/topics/{question.pk}/posts").json()["results"] == []
    assert_error(anon_api.get(f"/posts/{answer.pk}"), 404)

    restored = other_api.post(f"/posts/{answer.pk}/restore")

    assert restored.status_code == 200
    assert restored.json()["is_deleted"] is False
    assert len(anon_api.get(f"/topics/{question.pk}/posts").json()["results"]) == 1


def test_deleting_the_accepted_answer_unsolves_the_question(member, other_api, anon_api, question, answer):
    accept_solution(member, question, answer)

    other_api.delete(f"/posts/{answer.pk}")

    topic = anon_api.get(f"/topics/{question.pk}").json()
    assert (topic["status"], topic["accepted_post"]) == ("open", None)


def test_another_member_may_not_delete_a_post(member_api, answer):
    assert_error(member_api.delete(f"/posts/{answer.pk}"), 403)
    assert not Post.objects.get(pk=answer.pk).is_deleted


def test_kudos_once_per_post_and_never_your_own(member_api, other_api, answer):
    given = member_api.post(f"/posts/{answer.pk}/kudos")

    assert given.status_code == 200
    assert given.json() == {"kudos_count": 1}
    assert_error(member_api.post(f"/posts/{answer.pk}/kudos"), 409)
    assert_error(other_api.post(f"/posts/{answer.pk}/kudos"), 422)

    withdrawn = member_api.delete(f"/posts/{answer.pk}/kudos")

    assert withdrawn.json() == {"kudos_count": 0}
    assert member_api.get(f"/posts/{answer.pk}").json()["kudos_count"] == 0


def test_kudos_need_a_member(anon_api, answer):
    assert_error(anon_api.post(f"/posts/{answer.pk}/kudos"), 401)


def test_a_missing_post_is_not_found(member_api):
    assert_error(member_api.get("/posts/987654"), 404)
    assert_error(member_api.post("/posts/987654/kudos"), 404)
    assert_error(member_api.patch("/posts/987654", {"body": "x"}), 404)
