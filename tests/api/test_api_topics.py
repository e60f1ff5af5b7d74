"""Topics through the API: the list and its filters and pages, asking, editing, deleting,
accepting a solution and voting."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.api.conftest import api_for, assert_error
from tests.conftest import make_user
from townhall.content.services import create_post, create_topic
from townhall.notifications.models import Subscription
from townhall.spaces.models import Space
from townhall.support.models import Question
from townhall.support.services import accept_solution, ask_question

pytestmark = pytest.mark.django_db

TOPIC_FIELDS = {
    "id", "space", "kind", "title", "body", "body_html", "author", "created_at", "last_activity_at", "edited_at",
    "reply_count", "answer_count", "vote_count", "view_count", "score", "status", "accepted_post", "tags",
    "is_deleted", "awaiting_review", "is_locked", "duplicate_of", "url",
}


def ask(author, space, n: int, **extra):
    return ask_question(author, space, title=f"Widget question number {n}", body=f"Body {n}", **extra)


def test_the_topic_list_shows_public_topics_with_the_contract_fields(anon_api, question, answer):
    response = anon_api.get("/topics")

    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    (topic,) = body["results"]
    assert set(topic) == TOPIC_FIELDS
    assert topic["id"] == question.pk
    assert topic["space"] == "widgets-setup"
    assert topic["author"] == "member"
    assert topic["kind"] == "question"
    assert topic["tags"] == ["reset", "widget-pro"]
    assert topic["reply_count"] == 1
    assert topic["status"] == "open"
    assert topic["accepted_post"] is None
    assert "<strong>nothing</strong>" in topic["body_html"]
    assert topic["url"] == f"http://127.0.0.1:8000/t/{question.pk}/"
    assert topic["created_at"].endswith("Z") or "+" in topic["created_at"]


def test_a_solved_question_names_its_accepted_answer(anon_api, member, question, answer):
    accept_solution(member, question, answer)

    topic = anon_api.get(f"/topics/{question.pk}").json()

    assert topic["status"] == "solved"
    assert topic["accepted_post"] == answer.pk


def test_the_list_pages_with_an_opaque_cursor_and_a_limit(anon_api, member, public_space):
    for n in range(5):
        ask(member, public_space, n)

    first = anon_api.get("/topics", limit=2).json()
    second = anon_api.get("/topics", limit=2, cursor=first["next"]).json()
    third = anon_api.get("/topics", limit=2, cursor=second["next"]).json()

    titles = [t["title"] for page in (first, second, third) for t in page["results"]]
    assert titles == [f"Widget question number {n}" for n in (4, 3, 2, 1, 0)]
    assert third["next"] is None


def test_the_list_filters_by_space_kind_tag_status_and_sorts(anon_api, member, other, public_space, question,
                                                              answer):
    ideas = Space.objects.create(slug="ideas", name="Ideas", kind="ideas")
    create_topic(member, ideas, kind="idea", title="Make widgets purple", body="Please.")
    accept_solution(member, question, answer)
    ask(other, public_space, 1, tags=["setup"])

    def ids(**params):
        response = anon_api.get("/topics", **params)
        assert response.status_code == 200, response.content
        return [t["title"] for t in response.json()["results"]]

    assert ids(space="ideas") == ["Make widgets purple"]
    assert ids(space=str(ideas.pk)) == ["Make widgets purple"]
    assert ids(kind="idea") == ["Make widgets purple"]
    assert ids(tag="setup") == ["Widget question number 1"]
    assert ids(status="solved") == [question.title]
    assert ids(sort="solved") == [question.title]
    assert ids(sort="unanswered") == ["Widget question number 1"]
    assert ids(sort="unsolved") == ["Widget question number 1"]


def test_unknown_filters_name_the_parameter(anon_api, question):
    assert_error(anon_api.get("/topics", sort="hottest"), 400, "sort")
    assert_error(anon_api.get("/topics", kind="poll"), 400, "kind")
    assert_error(anon_api.get("/topics", limit=101), 400, "limit")
    assert_error(anon_api.get("/topics", limit=0), 400, "limit")
    assert_error(anon_api.get("/topics", limit="ten"), 400, "limit")
    assert_error(anon_api.get("/topics", cursor="not-a-cursor"), 400, "cursor")
    assert_error(anon_api.get("/topics", status="no such!"), 400, "status")
    assert_error(anon_api.get("/topics", space="no-such-space"), 404, "space")


def test_a_cursor_from_another_sort_is_refused(anon_api, member, public_space):
    for n in range(3):
        ask(member, public_space, n)
    top_cursor = anon_api.get("/topics", sort="top", limit=1).json()["next"]

    assert_error(anon_api.get("/topics", sort="newest", cursor=top_cursor), 400, "cursor")


@pytest.mark.parametrize("count", [5, 40])
def test_the_topic_list_costs_the_same_queries_for_5_or_40_topics(count, member, other, public_space,
                                                                   django_assert_max_num_queries):
    for n in range(count):
        topic = ask(member if n % 2 else other, public_space, n, tags=["widget", f"t{n % 3}"])
        if n % 3 == 0:
            post = create_post(other if n % 2 else member, topic, body="Try this.")
            accept_solution(topic.author, topic, post)
    create_topic(member, Space.objects.create(slug="talk", name="Talk"), kind="discussion",
                 title="A discussion topic", body="Let us talk.")
    api = api_for(member)

    # token lookup, token last_used update, visible spaces, their share of all topics, the page, its tags
    with django_assert_max_num_queries(6):
        response = api.get("/topics", limit=100)

    assert response.status_code == 200
    assert len(response.json()["results"]) == count + 1


def test_a_member_asks_a_question_and_follows_it(member_api, member, public_space):
    response = member_api.post("/topics", {"space": "widgets-setup", "kind": "question",
                                           "title": "My widget will not pair", "body": "Tried **twice**.",
                                           "tags": ["pairing", "Bluetooth"]})

    assert response.status_code == 201, response.content
    topic = response.json()
    assert set(topic) == TOPIC_FIELDS
    assert topic["author"] == "member"
    assert topic["tags"] == ["bluetooth", "pairing"]
    assert topic["body_html"] == "<p>Tried <strong>twice</strong>.</p>\n"
    assert Question.objects.filter(topic_id=topic["id"]).exists()
    assert Subscription.objects.filter(user=member, topic_id=topic["id"]).exists()


def test_a_discussion_is_started_in_a_space_that_takes_them(member_api, public_space):
    response = member_api.post("/topics", {"space": public_space.pk, "kind": "discussion",
                                           "title": "Show your widget setups", "body": "Mine is blue."})

    assert response.status_code == 201
    assert response.json()["kind"] == "discussion"
    assert response.json()["accepted_post"] is None


def test_a_kind_the_space_does_not_take_is_unprocessable(member_api, public_space):
    response = member_api.post("/topics", {"space": "widgets-setup", "kind": "review",
                                           "title": "Five stars for widgets", "body": "Great."})

    assert_error(response, 422, "kind")


def test_a_bad_title_is_refused_naming_the_field(member_api, public_space):
    response = member_api.post("/topics", {"space": "widgets-setup", "kind": "question", "title": "Hi",
                                           "body": "Short title"})

    assert_error(response, 400, "title")


def test_new_accounts_are_rate_limited_with_retry_after(settings, public_space):
    settings.NEW_ACCOUNT_POSTS_PER_HOUR = 2
    newcomer = make_user("newcomer", date_joined=timezone.now())
    api = api_for(newcomer)

    def ask_one(n):
        return api.post("/topics", {"space": "widgets-setup", "kind": "question",
                                    "title": f"Newcomer question {n}", "body": "Hello"})

    assert ask_one(1).status_code == 201
    assert ask_one(2).status_code == 201
    limited = ask_one(3)

    assert_error(limited, 429)
    assert int(limited["Retry-After"]) >= 1
    assert newcomer.topics.count() == 2


def test_the_author_edits_a_topic_and_others_may_not(member_api, other_api, question):
    edited = member_api.patch(f"/topics/{question.pk}", {"title": "How do I factory reset my widget?",
                                                         "tags": ["reset"]})
    refused = other_api.patch(f"/topics/{question.pk}", {"title": "Vandalised title here"})

    assert edited.status_code == 200
    assert edited.json()["title"] == "How do I factory reset my widget?"
    assert edited.json()["tags"] == ["reset"]
    assert edited.json()["edited_at"] is not None
    assert_error(refused, 403)


def test_the_author_deletes_a_topic_it_disappears_and_can_be_restored(member_api, anon_api, question):
    deleted = member_api.delete(f"/topics/{question.pk}")

    assert deleted.status_code == 200
    assert deleted.json()["is_deleted"] is True
    assert_error(anon_api.get(f"/topics/{question.pk}"), 404)
    assert anon_api.get("/topics").json()["results"] == []

    restored = member_api.post(f"/topics/{question.pk}/restore")

    assert restored.status_code == 200
    assert restored.json()["is_deleted"] is False
    assert anon_api.get(f"/topics/{question.pk}").status_code == 200


def test_only_the_author_or_a_moderator_deletes_and_a_moderator_restores(other_api, moderator_api, question):
    assert_error(other_api.delete(f"/topics/{question.pk}"), 403)
    assert moderator_api.delete(f"/topics/{question.pk}").status_code == 200
    assert moderator_api.get(f"/topics/{question.pk}").json()["is_deleted"] is True
    assert_error(other_api.post(f"/topics/{question.pk}/restore"), 404)
    assert moderator_api.post(f"/topics/{question.pk}/restore").status_code == 200


def test_the_asker_accepts_an_answer_and_can_withdraw_it(member_api, question, answer):
    accepted = member_api.post(f"/topics/{question.pk}/accept", {"post": answer.pk})

    assert accepted.status_code == 200
    assert accepted.json()["accepted_post"] == answer.pk
    assert accepted.json()["status"] == "solved"
    posts = member_api.get(f"/topics/{question.pk}/posts").json()["results"]
    assert posts[0]["accepted"] is True

    withdrawn = member_api.post(f"/topics/{question.pk}/accept", {"post": None})

    assert withdrawn.status_code == 200
    assert withdrawn.json()["accepted_post"] is None
    assert withdrawn.json()["status"] == "open"


def test_an_agent_may_accept_but_another_member_may_not(agent_api, other_api, question, answer):
    assert_error(other_api.post(f"/topics/{question.pk}/accept", {"post": answer.pk}), 403)
    assert agent_api.post(f"/topics/{question.pk}/accept", {"post": answer.pk}).status_code == 200


def test_accepting_a_comment_or_a_post_elsewhere_is_unprocessable(member, other, member_api, question, answer,
                                                                  public_space):
    comment = create_post(member, question, body="Thanks, trying it.", parent=answer)
    elsewhere = create_post(other, ask(other, public_space, 9), body="Unrelated answer")

    assert_error(member_api.post(f"/topics/{question.pk}/accept", {"post": comment.pk}), 422, "post")
    assert_error(member_api.post(f"/topics/{question.pk}/accept", {"post": elsewhere.pk}), 422, "post")
    assert_error(member_api.post(f"/topics/{question.pk}/accept", {"post": 999999}), 422, "post")
    assert_error(member_api.post(f"/topics/{question.pk}/accept", {}), 400, "post")


def test_only_questions_have_solutions(member, member_api, public_space):
    talk = create_topic(member, public_space, kind="discussion", title="Show your setups", body="Mine.")

    assert_error(member_api.post(f"/topics/{talk.pk}/accept", {"post": None}), 422)


def test_me_too_on_a_question_counts_follows_and_is_idempotent(other, other_api, question):
    first = other_api.post(f"/topics/{question.pk}/vote", {"value": 1})
    again = other_api.post(f"/topics/{question.pk}/vote", {"value": 1})

    assert first.json() == {"vote_count": 1, "your_vote": 1}
    assert again.json() == {"vote_count": 1, "your_vote": 1}
    assert Subscription.objects.filter(user=other, topic=question).exists()

    withdrawn = other_api.post(f"/topics/{question.pk}/vote", {"value": 0})

    assert withdrawn.json() == {"vote_count": 0, "your_vote": 0}


def test_votes_on_an_idea_and_never_on_your_own_topic(member, member_api, other_api):
    ideas = Space.objects.create(slug="ideas", name="Ideas", kind="ideas")
    idea = create_topic(member, ideas, kind="idea", title="Make widgets purple", body="Please.")

    assert other_api.post(f"/topics/{idea.pk}/vote", {"value": 1}).json() == {"vote_count": 1, "your_vote": 1}
    assert_error(member_api.post(f"/topics/{idea.pk}/vote", {"value": 1}), 422)


def test_a_vote_must_be_one_or_zero(other_api, question):
    assert_error(other_api.post(f"/topics/{question.pk}/vote", {"value": 2}), 400, "value")
    assert_error(other_api.post(f"/topics/{question.pk}/vote", {"value": "1"}), 400, "value")
    assert_error(other_api.post(f"/topics/{question.pk}/vote", {"value": True}), 400, "value")


def test_token_callers_share_lists_only_with_callers_who_see_the_same_spaces(settings, member, other, question,
                                                                             private_question):
    settings.PAGE_CACHE_SECONDS = 300  # lists are encoded once per audience
    insider, outsider = api_for(member), api_for(other)
    assert private_question.title in [t["title"] for t in insider.get("/topics").json()["results"]]
    titles = [t["title"] for t in outsider.get("/topics").json()["results"]]
    assert question.title in titles and private_question.title not in titles
    ask(other, question.space, 99)
    assert len(outsider.get("/topics").json()["results"]) == len(titles) + 1  # a change shows at once
