"""Private things do not exist for those who may not see them: every endpoint answers 404 (the same
404 as for something that was never there), lists and search leave them out, notifications never
mention them."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_for, assert_error
from tests.conftest import make_user
from townhall.content.models import Post, Topic
from townhall.content.services import create_post, create_topic
from townhall.notifications.models import Notification
from townhall.support.services import escalate_question

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/topics/{topic}", None),
    ("patch", "/topics/{topic}", {"title": "Leaked title change"}),
    ("delete", "/topics/{topic}", None),
    ("post", "/topics/{topic}/restore", None),
    ("get", "/topics/{topic}/posts", None),
    ("post", "/topics/{topic}/posts", {"body": "Let me in"}),
    ("post", "/topics/{topic}/accept", {"post": "{post}"}),
    ("post", "/topics/{topic}/accept", {"post": None}),
    ("post", "/topics/{topic}/vote", {"value": 1}),
    ("post", "/topics/{topic}/claim", None),
    ("post", "/topics/{topic}/release", None),
    ("post", "/topics/{topic}/resolve", None),
    ("get", "/posts/{post}", None),
    ("patch", "/posts/{post}", {"body": "Edited by a stranger"}),
    ("delete", "/posts/{post}", None),
    ("post", "/posts/{post}/restore", None),
    ("post", "/posts/{post}/kudos", None),
    ("delete", "/posts/{post}/kudos", None),
]


@pytest.fixture
def private_answer(agent, private_question):
    return create_post(agent, private_question, body="Insiders-only answer about the zebracorn.")


def _fill(body, ids):
    if body is None:
        return None
    return {k: (int(v.format(**ids)) if isinstance(v, str) and v.startswith("{") else v) for k, v in body.items()}


def _call(api, method, path, body, ids):
    url = path.format(**ids)
    if method == "get":
        return api.get(url)
    return getattr(api, method)(url, _fill(body, ids))


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_an_outsider_gets_the_same_404_as_for_a_topic_that_never_existed(outsider_api, private_question,
                                                                          private_answer, method, path, body):
    private = _call(outsider_api, method, path, body, {"topic": private_question.pk, "post": private_answer.pk})
    missing = _call(outsider_api, method, path, body, {"topic": 987654, "post": 987654})

    assert_error(private, 404)
    assert_error(missing, 404)
    assert private.json() == missing.json()
    private_question.refresh_from_db()
    assert private_question.title == "Secret roadmap widget question"
    assert not private_question.is_deleted
    assert private_question.vote_count == 0
    assert Post.objects.filter(topic=private_question).count() == 1


@pytest.mark.parametrize(("method", "path", "body"), [e for e in ENDPOINTS if e[0] == "get"])
def test_anonymous_visitors_get_404_for_members_only_topics(anon_api, outsider_api, member, members_space,
                                                            method, path, body):
    topic = create_topic(member, members_space, kind="question", title="Members only question", body="Hi")
    post = create_post(member, topic, body="A members-only answer")
    ids = {"topic": topic.pk, "post": post.pk}

    assert_error(_call(anon_api, method, path, body, ids), 404)
    assert _call(outsider_api, method, path, body, ids).status_code == 200


def test_a_member_of_the_private_space_sees_it(member_api, private_question, private_answer):
    assert member_api.get(f"/topics/{private_question.pk}").status_code == 200
    assert [p["id"] for p in member_api.get(f"/topics/{private_question.pk}/posts").json()["results"]] == [
        private_answer.pk]


def test_lists_leave_out_what_the_caller_may_not_see(anon_api, outsider_api, member_api, member, question,
                                                     private_question, members_space):
    members_only = create_topic(member, members_space, kind="question", title="Members only question", body="Hi")

    def ids(api, **params):
        return {t["id"] for t in api.get("/topics", **params).json()["results"]}

    assert ids(anon_api) == {question.pk}
    assert ids(outsider_api) == {question.pk, members_only.pk}
    assert ids(member_api) == {question.pk, members_only.pk, private_question.pk}
    assert ids(outsider_api, sort="active") == {question.pk, members_only.pk}
    assert ids(outsider_api, sort="unanswered") == {question.pk, members_only.pk}


def test_an_outsider_cannot_list_or_post_in_a_private_space(outsider_api, private_space):
    assert_error(outsider_api.get("/topics", space="insiders"), 404, "space")
    assert_error(outsider_api.get("/topics", space=str(private_space.pk)), 404, "space")
    response = outsider_api.post("/topics", {"space": "insiders", "kind": "question",
                                             "title": "Can I get in here?", "body": "Knock knock"})
    assert_error(response, 404, "space")
    assert not Topic.objects.filter(title="Can I get in here?").exists()


def test_search_never_finds_private_content_for_an_outsider(outsider_api, private_question, private_answer):
    assert outsider_api.get("/search", q="zebracorn").json()["results"] == []
    assert outsider_api.get("/search", q="insiders").json()["results"] == []


def test_an_outsider_mentioned_in_a_private_topic_is_not_notified(member, outsider, outsider_api,
                                                                  private_question):
    create_post(member, private_question, body="Maybe @outsider knows about the zebracorn?")

    assert not Notification.objects.filter(user=outsider).exists()
    assert outsider_api.get("/notifications").json()["results"] == []


def test_an_agent_outside_a_private_space_does_not_see_its_questions_in_the_queue(private_question, question):
    escalate_question(private_question, reason="unanswered")
    escalate_question(question, reason="unanswered")
    outside_agent = make_user("agent2", is_agent=True)

    queue = api_for(outside_agent).get("/support/queue").json()["results"]

    assert [item["topic"] for item in queue] == [question.pk]


def test_a_deleted_topic_is_gone_for_members_but_not_for_moderators(member, other_api, moderator_api,
                                                                    question):
    from townhall.content.services import delete_topic

    delete_topic(member, question)

    assert_error(other_api.get(f"/topics/{question.pk}"), 404)
    assert other_api.get("/topics").json()["results"] == []
    assert moderator_api.get(f"/topics/{question.pk}").json()["is_deleted"] is True
