"""Posts held for review: a new member's first post where the space asks for it (off by default), and the
posts of accounts the heuristics find suspicious. Held items are hidden from everyone but their author
and the moderators, wait in the review queue with the reasons, and approving publishes them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import api_for
from tests.conftest import make_user
from townhall.content.models import Post, Topic
from townhall.content.services import create_post
from townhall.moderation.models import AuditEntry, Flag
from townhall.moderation.services import review, review_queue
from townhall.spaces.models import Space
from townhall.support.services import ask_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    return make_user("newcomer", date_joined=timezone.now() - timezone.timedelta(hours=2))


@pytest.fixture
def holding_space(public_space):
    Space.objects.filter(pk=public_space.pk).update(hold_first_posts=True)
    public_space.refresh_from_db()
    return public_space


def test_first_posts_are_published_at_once_by_default(newcomer, public_space):
    topic = ask_question(newcomer, public_space, title="Where is the manual?", body="I cannot find it anywhere.")
    assert not Topic.objects.get(pk=topic.pk).is_deleted and not Flag.objects.exists()


def test_a_space_that_asks_holds_a_new_members_first_question(newcomer, holding_space, anon_client, moderator):
    topic = ask_question(newcomer, holding_space, title="Where is the manual?", body="I cannot find it anywhere.")
    assert Topic.objects.get(pk=topic.pk).is_deleted
    held = Flag.objects.get()
    assert (held.flagger_id, held.reason, held.status) == (None, "held", "open")
    assert "by a member with nothing published yet, in Widget setup" in held.note
    assert anon_client.get(topic.get_absolute_url()).status_code == 404
    items = review_queue(moderator)
    assert [(i["key"], i["held"]) for i in items] == [(f"topic:{topic.pk}", True)]


def test_the_author_sees_their_held_question_with_a_note(newcomer, holding_space):
    from tests.conftest import client_for

    topic = ask_question(newcomer, holding_space, title="Where is the manual?", body="I cannot find it anywhere.")
    page = client_for(newcomer).get(topic.get_absolute_url())
    assert page.status_code == 200 and "Waiting for a moderator" in page.content.decode()


def test_approving_a_held_post_publishes_it_and_later_posts_are_not_held(newcomer, holding_space, moderator,
                                                                         anon_client):
    topic = ask_question(newcomer, holding_space, title="Where is the manual?", body="I cannot find it anywhere.")
    review(moderator, "approve", topic=Topic.objects.get(pk=topic.pk), reason="Welcome")
    assert not Topic.objects.get(pk=topic.pk).is_deleted
    assert anon_client.get(topic.get_absolute_url()).status_code == 200
    later = create_post(newcomer, Topic.objects.get(pk=topic.pk), body="Found it, thanks.")
    assert not Post.objects.get(pk=later.pk).is_deleted
    assert AuditEntry.objects.filter(action="review_approve").exists()


def test_members_with_a_published_post_and_staff_are_never_held(member, agent, question, holding_space):
    question.refresh_from_db()  # asked before the space began to hold first posts
    answer = create_post(agent, question, body="The manual is at the back of the box.")  # staff: first post
    follow_up = create_post(member, question, body="Thanks, found it.")  # the asker posted before
    assert not Post.objects.get(pk=answer.pk).is_deleted and not Post.objects.get(pk=follow_up.pk).is_deleted
    assert not Flag.objects.filter(reason="held").exists()


def test_a_suspicious_new_account_is_held_anywhere(question, public_space):
    fresh = make_user("cheapdeals", date_joined=timezone.now(), display_name="Best deals www.cheap.shop")
    post = create_post(fresh, question, body="See [this](https://deals.example.org/widget) for a fix.")
    assert Post.objects.get(pk=post.pk).is_deleted
    note = Flag.objects.get(post=post).note
    assert "suspicious account" in note and "carries a link" in note and "web address" in note


def test_one_signal_alone_does_not_hold(question):
    fresh = make_user("fresh", date_joined=timezone.now() - timezone.timedelta(hours=3))
    post = create_post(fresh, question, body="See https://docs.example.org/widget for the manual.")
    assert not Post.objects.get(pk=post.pk).is_deleted


def test_the_hold_setting_is_changed_by_the_spaces_managers_through_page_and_api(owner, owner_client, public_space,
                                                                                 member):
    response = api_for(owner).patch(f"/spaces/{public_space.slug}", {"hold_first_posts": True})
    assert response.status_code == 200 and response.json()["hold_first_posts"] is True
    assert api_for(member).patch(f"/spaces/{public_space.slug}", {"hold_first_posts": False}).status_code == 403
    page = owner_client.get(reverse("space_edit", args=[public_space.slug])).content.decode()
    assert "Hold new members&#x27; first posts for review" in page or "Hold new members' first posts" in page


def test_the_api_queue_lists_held_items_without_a_flagger(newcomer, holding_space, moderator):
    topic = ask_question(newcomer, holding_space, title="Where is the manual?", body="I cannot find it anywhere.")
    results = api_for(moderator).get("/moderation/queue").json()["results"]
    assert results[0]["target"] == f"topic:{topic.pk}" and results[0]["held"] is True
    assert results[0]["flags"][0]["flagger"] is None and results[0]["space"] == holding_space.slug


def test_the_asker_hears_of_a_held_answer_once_it_is_approved(member, question, holding_space, newcomer, moderator):
    from townhall.notifications.models import Notification

    held = create_post(newcomer, question, body="Hold the reset button for ten seconds.")
    assert not Notification.objects.filter(user=member, verb="answer").exists()  # hidden: no one is told
    review(moderator, "approve", post=Post.objects.get(pk=held.pk), reason="Fine")
    told = Notification.objects.get(user=member, verb="answer")
    assert told.post_id == held.pk and told.actor_id == newcomer.pk


def test_the_pages_and_api_tell_the_author_their_post_waits_for_review(newcomer, holding_space, question):
    from tests.conftest import client_for

    client = client_for(newcomer)
    asked = client.post(reverse("ask"), {"title": "Where is the manual?", "body": "I cannot find it anywhere.",
                                         "space": holding_space.slug}, follow=True)
    assert "waits for a moderator before others see it" in asked.content.decode()
    topic = Topic.objects.get(title="Where is the manual?")
    data = api_for(newcomer).get(f"/topics/{topic.pk}").json()
    assert data["awaiting_review"] is True
    assert api_for(make_user("stranger")).get(f"/topics/{topic.pk}").status_code == 404


@pytest.mark.parametrize("username", ["dot.com.fan", "maria@gmail.com"])
def test_an_ordinary_name_with_a_link_to_this_community_is_not_held(question, username):
    fresh = make_user(username, date_joined=timezone.now())
    post = create_post(fresh, question, body=f"Same as [this topic]({question.get_absolute_url()}), I think.")
    assert not Post.objects.get(pk=post.pk).is_deleted
