"""Pages cost a fixed number of queries, however many topics, answers and comments they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_user
from townhall.content.services import create_post, give_kudos
from townhall.support.services import accept_solution, ask_question, escalate_question

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    """These pin the cost of rendering a page; anonymous cache hits (no queries) are tested apart."""
    settings.PAGE_CACHE_SECONDS = 0

# Signed in: session, user, visible spaces, the unread badge, then the page's own reads.
SPACE_PAGE_MAX = 12  # + space, its parent, children, its visible subtree, topics, their tags, following?, manager?
QUESTION_PAGE_MAX = 14  # + topic, answers, comments, comments on the question, question state, kudos given,
#   view, tags, me too?, following?
HOME_MAX = 9  # + spaces, recent questions and their tags, unanswered questions and their tags


def count_queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def fill_space(member, space, n: int) -> None:
    for i in range(n):
        ask_question(member, space, title=f"Question number {i}", body="Body.", tags=[f"tag{i % 4}", "common"])


@pytest.mark.parametrize("viewer", ["member_client", "anon_client", "owner_client"])
def test_space_page_costs_the_same_for_5_and_30_topics(request, viewer, member, public_space,
                                                       django_assert_max_num_queries):
    client = request.getfixturevalue(viewer)
    url = reverse("space", args=["widgets-setup"])
    fill_space(member, public_space, 5)
    small = count_queries(client, url)
    fill_space(member, public_space, 25)
    with django_assert_max_num_queries(SPACE_PAGE_MAX):
        response = client.get(url)
    assert len(response.context["page"].items) == 30
    assert count_queries(client, url) == small
    assert count_queries(client, url, tab="unanswered") == small
    assert count_queries(client, url, tag="common") == small


def test_home_costs_the_same_however_many_questions_and_spaces(member, member_client, public_space,
                                                               django_assert_max_num_queries):
    from townhall.spaces.models import Space

    fill_space(member, public_space, 3)
    small = count_queries(member_client, reverse("home"))
    for i in range(5):
        space = Space.objects.create(slug=f"more-{i}", name=f"More {i}", parent=public_space.parent)
        fill_space(member, space, 5)
    with django_assert_max_num_queries(HOME_MAX):
        large = count_queries(member_client, reverse("home"))
    assert small == large


def build_question(asker, space, answers: int, comments_each: int):
    repliers = [make_user(f"replier{i}-{answers}") for i in range(3)]
    agent = make_user(f"agent-{answers}", is_agent=True)
    topic = ask_question(asker, space, title=f"A question with {answers} answers", body="**Help**", tags=["a", "b"])
    posts = []
    for i in range(answers):
        author = agent if i == 0 else repliers[i % 3]
        post = create_post(author, topic, body=f"Answer {i} with `code`")
        for j in range(comments_each):
            create_post(repliers[(i + j + 1) % 3], topic, body=f"Comment {j} on {i}", parent=post)
        posts.append(post)
    for post in posts[:3]:
        give_kudos(asker, post)
    accept_solution(asker, topic, posts[-1])
    escalate_question(topic, reason="unsolved")
    return topic


def test_question_page_costs_the_same_for_5_and_50_answers_for_every_viewer(
        member, public_space, anon_client, member_client, other_client, moderator_client, agent_client,
        django_assert_max_num_queries):
    small_topic = build_question(member, public_space, answers=5, comments_each=2)
    large_topic = build_question(member, public_space, answers=50, comments_each=2)
    for client in (anon_client, member_client, other_client, moderator_client, agent_client):
        small = count_queries(client, reverse("topic", args=[small_topic.pk]))
        with django_assert_max_num_queries(QUESTION_PAGE_MAX):
            response = client.get(reverse("topic", args=[large_topic.pk]))
        assert response.content.decode().count('<article id="post-') == 50
        assert response.content.decode().count('class="comment"') == 100
        assert count_queries(client, reverse("topic", args=[large_topic.pk])) == small
