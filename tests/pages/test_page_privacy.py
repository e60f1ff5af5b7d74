"""Private stays private on every page: outsiders and visitors get 404, never a hint it exists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from townhall.content.models import Kudos, Post, TopicVote
from townhall.content.services import create_post
from townhall.support.models import Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_answer(agent, private_question):
    return create_post(agent, private_question, body="Insider answer about the zebracorn.")


def topic_urls(topic):
    return [reverse(name, args=[topic.pk]) for name in
            ("topic", "topic_edit", "topic_history", "topic_delete", "topic_restore")]


def topic_actions(topic):
    return [reverse(name, args=[topic.pk]) for name in
            ("topic_answer", "topic_unaccept", "topic_me_too", "topic_follow", "topic_delete", "topic_restore",
             "topic_edit")]


def post_urls(post):
    return [reverse(name, args=[post.pk]) for name in ("post_edit", "post_history", "post_delete", "post_restore")]


def post_actions(post):
    return [reverse(name, args=[post.pk]) for name in
            ("post_comment", "post_accept", "post_kudos", "post_edit", "post_delete", "post_restore")]


def test_outsider_gets_404_on_the_private_question_and_everything_about_it(outsider_client, private_question,
                                                                          private_answer):
    for url in topic_urls(private_question) + post_urls(private_answer):
        assert outsider_client.get(url).status_code == 404, url
    assert outsider_client.get(reverse("topic_slug", args=[private_question.pk, "secret"])).status_code == 404


def test_outsider_gets_404_on_every_action_and_nothing_changes(outsider_client, private_question, private_answer):
    for url in topic_actions(private_question) + post_actions(private_answer):
        response = outsider_client.post(url, {"body": "Let me in", "value": "1", "title": "Let me in please"})
        assert response.status_code == 404, url
    assert Post.objects.filter(topic=private_question).count() == 1
    assert not Kudos.objects.exists() and not TopicVote.objects.exists()
    assert Question.objects.get(topic=private_question).accepted_post_id is None
    private_question.refresh_from_db()
    assert not private_question.is_deleted and private_question.title == "Secret roadmap widget question"


def test_htmx_requests_from_outsiders_are_refused_the_same_way(outsider_client, private_question, private_answer):
    assert outsider_client.post(reverse("post_kudos", args=[private_answer.pk]), {"value": "1"},
                                HTTP_HX_REQUEST="true").status_code == 404
    assert outsider_client.post(reverse("topic_me_too", args=[private_question.pk]), {"value": "1"},
                                HTTP_HX_REQUEST="true").status_code == 404


def test_visitor_gets_404_on_the_private_question(anon_client, private_question, private_answer):
    for url in [reverse("topic", args=[private_question.pk]), reverse("topic_history", args=[private_question.pk]),
                reverse("post_history", args=[private_answer.pk])]:
        assert anon_client.get(url).status_code == 404, url


def test_visitor_actions_on_a_private_question_go_to_sign_in_not_to_it(anon_client, private_question):
    response = anon_client.post(reverse("topic_answer", args=[private_question.pk]), {"body": "hi"})
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not Post.objects.filter(topic=private_question).exists()


def test_members_of_the_private_space_read_and_answer(member_client, private_question, private_answer):
    html = member_client.get(private_question.get_absolute_url()).content.decode()
    assert "zebracorn" in html
    response = member_client.post(reverse("post_comment", args=[private_answer.pk]), {"body": "Thanks, insider."})
    assert response.status_code == 302


def test_private_questions_are_in_no_list_for_outsiders(outsider_client, anon_client, private_question, question):
    for client in (outsider_client, anon_client):
        home = client.get(reverse("home")).content.decode()
        assert private_question.title not in home and question.title in home
        assert "zebracorn" not in home


def test_the_404_page_does_not_show_the_private_title(outsider_client, private_question):
    response = outsider_client.get(private_question.get_absolute_url())
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert private_question.title not in response.content.decode()
