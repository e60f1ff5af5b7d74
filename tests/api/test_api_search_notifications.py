"""Search and notifications through the API: results and inbox hold only what the caller may see."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_for, assert_error
from townhall.content.services import create_post
from townhall.notifications.models import Notification
from townhall.spaces.models import Membership
from townhall.support.services import accept_solution, ask_question

pytestmark = pytest.mark.django_db

HIT_FIELDS = {"type", "id", "topic", "title", "snippet", "url", "space", "space_name", "solved", "created_at"}


def test_search_finds_public_topics_and_posts_with_snippets(anon_api, question, answer):
    response = anon_api.get("/search", q="button")

    assert response.status_code == 200
    body = response.json()
    (hit,) = body["results"]
    assert set(hit) == HIT_FIELDS
    assert (hit["type"], hit["id"], hit["topic"]) == ("post", answer.pk, question.pk)
    assert hit["title"] == question.title
    assert "<mark>button</mark>" in hit["snippet"]
    assert hit["url"] == f"http://127.0.0.1:8000/t/{question.pk}/#post-{answer.pk}"
    assert hit["space"] == "widgets-setup"
    assert body["next"] is None


def test_search_filters_by_kind_space_solved_and_tag(anon_api, member, question, answer, public_space):
    other_question = ask_question(member, public_space, title="Widget colour options", body="Blue widget?",
                                  tags=["colour"])
    accept_solution(member, question, answer)

    def topic_ids(**params):
        response = anon_api.get("/search", **params)
        assert response.status_code == 200, response.content
        return {hit["topic"] for hit in response.json()["results"]}

    assert topic_ids(q="widget") == {question.pk, other_question.pk}
    assert topic_ids(q="widget", solved="true") == {question.pk}
    assert topic_ids(q="widget", solved="false") == {other_question.pk}
    assert topic_ids(q="widget", tag="colour") == {other_question.pk}
    assert topic_ids(q="widget", kind="idea") == set()
    assert topic_ids(q="widget", space="widgets") == {question.pk, other_question.pk}


def test_search_pages_with_a_cursor(anon_api, member, public_space):
    for n in range(5):
        ask_question(member, public_space, title=f"Gizmo question number {n}", body="About the gizmo")

    first = anon_api.get("/search", q="gizmo", limit=3).json()
    second = anon_api.get("/search", q="gizmo", limit=3, cursor=first["next"]).json()

    ids = [hit["id"] for hit in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 5
    assert second["next"] is None


def test_search_reports_bad_parameters_by_name(anon_api, question):
    assert_error(anon_api.get("/search", q=""), 400, "q")
    assert_error(anon_api.get("/search", q="x" * 300), 400, "q")
    assert_error(anon_api.get("/search", q="widget", cursor="garbage!"), 400, "cursor")
    assert_error(anon_api.get("/search", q="widget", limit=51), 400, "limit")
    assert_error(anon_api.get("/search", q="widget", kind="poll"), 400, "kind")
    assert_error(anon_api.get("/search", q="widget", tag="not a tag!"), 400, "tag")
    assert_error(anon_api.get("/search", q="widget", space="nowhere"), 404, "space")


def test_private_content_is_found_only_by_those_who_may_see_it(anon_api, outsider_api, member_api,
                                                               private_question):
    assert anon_api.get("/search", q="zebracorn").json()["results"] == []
    assert outsider_api.get("/search", q="zebracorn").json()["results"] == []
    assert_error(outsider_api.get("/search", q="zebracorn", space="insiders"), 404, "space")
    assert [h["topic"] for h in member_api.get("/search", q="zebracorn").json()["results"]] == [
        private_question.pk]


def test_the_asker_is_notified_of_an_answer(member_api, question, answer):
    response = member_api.get("/notifications")

    assert response.status_code == 200
    (notification,) = response.json()["results"]
    assert notification["verb"] == "answer"
    assert notification["topic"] == question.pk
    assert notification["post"] == answer.pk
    assert notification["actor"] == "other"
    assert notification["read"] is False
    assert notification["url"].endswith(f"/t/{question.pk}/#post-{answer.pk}")
    assert response.json()["next"] is None


def test_notifications_are_marked_read_by_id_or_all_at_once(member, member_api, other, question, answer):
    second = create_post(other, question, body="Or unplug it for a minute.")
    first_id, second_id = sorted(Notification.objects.filter(user=member).values_list("id", flat=True))

    marked = member_api.post("/notifications/read", {"ids": [first_id]})

    assert marked.json() == {"marked": 1}
    unread = member_api.get("/notifications", unread=1).json()["results"]
    assert [n["id"] for n in unread] == [second_id]
    assert second.pk == unread[0]["post"]

    assert member_api.post("/notifications/read").json() == {"marked": 1}
    assert member_api.get("/notifications", unread=1).json()["results"] == []
    assert len(member_api.get("/notifications").json()["results"]) == 2


def test_one_cannot_mark_someone_elses_notifications(member, other_api, question, answer):
    notification = Notification.objects.get(user=member)

    assert other_api.post("/notifications/read", {"ids": [notification.pk]}).json() == {"marked": 0}
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_notifications_about_a_topic_one_can_no_longer_see_disappear(member, member_api, agent,
                                                                      private_question):
    create_post(agent, private_question, body="We are looking into the zebracorn.")
    assert len(member_api.get("/notifications").json()["results"]) == 1

    Membership.objects.filter(space=private_question.space, user=member).delete()

    assert member_api.get("/notifications").json()["results"] == []


@pytest.mark.parametrize("count", [5, 40])
def test_the_inbox_costs_the_same_queries_for_5_or_40_notifications(count, member, other, public_space,
                                                                     django_assert_max_num_queries):
    question = ask_question(member, public_space, title="A question with many answers", body="Help")
    for n in range(count):
        create_post(other, question, body=f"Answer {n}")
    api = api_for(member)

    # token, token last_used, visible spaces, the page (with actor, topic and space)
    with django_assert_max_num_queries(4):
        response = api.get("/notifications", limit=100)

    assert len(response.json()["results"]) == count


def test_notifications_need_a_member_and_valid_parameters(anon_api, member_api):
    assert_error(anon_api.get("/notifications"), 401)
    assert_error(member_api.get("/notifications", cursor="???"), 400, "cursor")
    assert_error(member_api.post("/notifications/read", {"ids": ["one"]}), 400, "ids")
