"""Flagging and reviewing through the pages and the API, with the same rules as the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.conftest import api_for, assert_error
from townhall.content.models import Post
from townhall.moderation.models import Flag
from townhall.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def spam(other, question):
    from townhall.content.services import create_post

    return create_post(other, question, body="Cheap watches at http://spam.example.com buy now")


def test_a_member_flags_a_post_from_its_page(member_client, spam, question):
    html = member_client.get(question.get_absolute_url()).content.decode()
    url = reverse("flag_post", args=[spam.pk])
    assert f'href="{url}"' in html
    assert "What is wrong?" in member_client.get(url).content.decode()
    response = member_client.post(url, {"reason": "spam"})
    assert response.status_code == 302 and response["Location"].startswith(question.get_absolute_url())
    assert Flag.objects.get().reason == "spam"


def test_the_flag_form_says_what_is_wrong(member_client, other_client, spam):
    url = reverse("flag_post", args=[spam.pk])
    missing = member_client.post(url, {"reason": "other", "note": ""})
    assert missing.status_code == 400 and "a note is needed" in missing.content.decode()
    assert member_client.post(url, {"reason": "nonsense"}).status_code == 400
    own = other_client.post(url, {"reason": "spam"})
    assert own.status_code == 400 and "your own" in own.content.decode()
    assert not Flag.objects.exists()


def test_no_flag_link_on_ones_own_posts_or_for_visitors(other_client, anon_client, spam, question):
    url = reverse("flag_post", args=[spam.pk])
    assert url not in other_client.get(question.get_absolute_url()).content.decode()
    assert url not in anon_client.get(question.get_absolute_url()).content.decode()
    assert anon_client.get(url).status_code == 302  # to sign in


def test_flagging_a_profile(member_client, other):
    url = reverse("flag_member", args=[other.username])
    assert url in member_client.get(other.get_absolute_url()).content.decode()
    assert member_client.post(url, {"reason": "abusive", "note": "Insults"}).status_code == 302
    assert Flag.objects.get().target_key == f"member:{other.pk}"


def test_members_cannot_open_the_review_queue(member_client, db):
    assert member_client.get(reverse("review_queue")).status_code == 403


def test_a_moderator_deletes_a_flagged_post_from_the_queue(member, member_client, moderator_client, spam):
    member_client.post(reverse("flag_post", args=[spam.pk]), {"reason": "spam"})
    queue = moderator_client.get(reverse("review_queue")).content.decode()
    assert "spam.example.com" in queue and "Spam" in queue
    refused = moderator_client.post(reverse("review_item", args=["post", spam.pk]), {"action": "delete"})
    assert refused.status_code == 302 and not Post.objects.get(pk=spam.pk).is_deleted  # no reason given
    done = moderator_client.post(reverse("review_item", args=["post", spam.pk]),
                                 {"action": "delete", "reason": "Advertising"}, follow=True)
    assert "flaggers told" in done.content.decode()
    assert Post.objects.get(pk=spam.pk).is_deleted
    assert Notification.objects.filter(user=member, verb="flag_upheld").count() == 1
    assert "Nothing to review" in moderator_client.get(reverse("review_queue")).content.decode()


def test_the_api_flags_and_moderates_with_the_same_rules(member, other, moderator, spam):
    created = api_for(member).post("/flags", {"post": spam.pk, "reason": "spam"})
    assert created.status_code == 201 and created.json()["target"] == f"post:{spam.pk}"
    assert_error(api_for(member).post("/flags", {"post": spam.pk, "reason": "spam"}), 409)
    assert_error(api_for(other).post("/flags", {"post": spam.pk, "reason": "spam"}), 422)
    assert_error(api_for(member).post("/flags", {"post": spam.pk, "reason": "meh"}), 400, "reason")
    assert_error(api_for(member).post("/flags", {"reason": "spam"}), 400)
    assert_error(api_for().post("/flags", {"post": spam.pk, "reason": "spam"}), 401)

    assert_error(api_for(member).get("/moderation/queue"), 403)
    queue = api_for(moderator).get("/moderation/queue").json()["results"]
    assert [(i["target"], i["weight"], i["author"]) for i in queue] == [(f"post:{spam.pk}", 1, "other")]

    assert_error(api_for(member).post("/moderation/actions", {"action": "delete", "post": spam.pk,
                                                              "reason": "Spam"}), 403)
    assert_error(api_for(moderator).post("/moderation/actions", {"action": "lock", "post": spam.pk,
                                                                 "reason": "Spam"}), 422)
    done = api_for(moderator).post("/moderation/actions", {"action": "delete", "post": spam.pk, "reason": "Spam"})
    assert done.status_code == 200 and done.json()["flags_closed"] == 1
    assert_error(api_for(moderator).post("/moderation/actions", {"action": "approve", "post": spam.pk,
                                                                 "reason": "Fine"}), 409)


def test_the_api_hides_a_private_item_from_a_moderator_outside_its_space(moderator, agent, private_question):
    api_for(agent).post("/flags", {"topic": private_question.pk, "reason": "duplicate"})
    assert api_for(moderator).get("/moderation/queue").json()["results"] == []
    assert_error(api_for(moderator).post("/moderation/actions", {"action": "delete", "topic": private_question.pk,
                                                                 "reason": "Duplicate"}), 404)
