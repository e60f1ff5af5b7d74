"""Regressions from the adversarial review: leaks, double submits, counters, redactions."""

import pytest
from django.core import mail

from tests.conftest import client_for
from townhall.content.models import Post, Topic
from townhall.content.services import (
    create_post,
    delete_post,
    delete_topic,
    edit_post,
    edit_topic,
    reconcile_counters,
    restore_topic,
)
from townhall.core.errors import InvalidInput, NotAllowed, Unprocessable
from townhall.spaces.services import update_space


def test_deleting_twice_from_stale_objects_counts_once(question, other, member):
    first = create_post(other, question, body="First answer")
    create_post(member, question, body="Second answer")
    stale_a = Post.objects.get(pk=first.pk)
    stale_b = Post.objects.get(pk=first.pk)
    delete_post(other, stale_a)
    delete_post(other, stale_b)  # a double click with the page's old copy
    question.refresh_from_db()
    assert (question.reply_count, question.answer_count) == (1, 1)
    assert sum(reconcile_counters().values()) == 0


def test_deleting_a_topic_twice_counts_once_and_restore_brings_everything_back(question, answer, member, other):
    stale = Topic.objects.get(pk=question.pk)
    delete_topic(member, question)
    delete_topic(member, stale)
    space = question.space
    space.refresh_from_db()
    member.refresh_from_db()
    assert (space.topic_count, space.post_count, member.question_count) == (0, 0, 0)
    restore_topic(member, Topic.objects.get(pk=question.pk))
    space.refresh_from_db()
    member.refresh_from_db()
    assert (space.topic_count, space.post_count, member.question_count) == (1, 1, 1)
    assert sum(reconcile_counters().values()) == 0


def test_an_answers_author_count_follows_deletion(answer, other):
    delete_post(other, answer)
    other.refresh_from_db()
    assert other.answer_count == 0


def test_an_author_cannot_edit_what_a_moderator_removed(answer, other, moderator):
    delete_post(moderator, answer)
    answer.refresh_from_db()
    with pytest.raises(Unprocessable):
        edit_post(other, answer, body="Edited after removal")
    response = client_for(other).patch(f"/api/v1/posts/{answer.pk}", data={"body": "Edited after removal"},
                                       content_type="application/json")
    assert response.status_code in (403, 422)


def test_comments_under_a_deleted_answer_are_gone_from_the_api(answer, member, other, anon_client):
    comment = create_post(member, answer.topic, body="A comment with a secret", parent=answer)
    delete_post(other, answer)
    assert anon_client.get(f"/api/v1/posts/{comment.pk}").status_code == 404
    listed = anon_client.get(f"/api/v1/topics/{answer.topic_id}/posts").json()["results"]
    assert comment.pk not in [p["id"] for p in listed]


def test_history_is_for_the_author_and_moderators_only(question, member, anon_client, other_client, moderator):
    edit_topic(member, question, body="Redacted: the key was removed.")
    url = f"/t/{question.pk}/history/"
    assert anon_client.get(url).status_code in (302, 403)
    assert other_client.get(url).status_code == 403
    assert client_for(member).get(url).status_code == 200
    assert client_for(moderator).get(url).status_code == 200
    page = anon_client.get(f"/t/{question.pk}/").content.decode()
    assert "edited" in page and url not in page


def test_no_email_carries_a_post_deleted_before_the_job_ran(question, other, member, settings):
    from townhall.activity.models import Event
    from townhall.notifications.services import handle_event

    settings.HUEY_IMMEDIATE = False  # the job runs later, as in production
    post = create_post(other, question, body="oops my password is hunter2")
    delete_post(other, post)
    mail.outbox.clear()
    handle_event(Event.objects.get(verb="post.created", post=post))
    assert not any("hunter2" in m.body for m in mail.outbox)


def test_closing_a_space_with_open_sub_spaces_is_refused(owner, public_space):
    with pytest.raises(InvalidInput) as exc:
        update_space(owner, public_space.parent, visibility="private")
    assert "visibility" in exc.value.errors
    assert public_space.name in exc.value.message


def test_a_manager_cannot_move_their_space_under_one_they_do_not_manage(member, private_space, members_space):
    from townhall.spaces.models import Membership

    Membership.objects.filter(space=private_space, user=member).update(role="manager")
    with pytest.raises(NotAllowed):
        update_space(member, private_space, parent=members_space)


HUGE_CURSOR = "WyIyMDIwLTAxLTAxVDAwOjAwOjAwIiwgMTAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDBd"


@pytest.mark.parametrize("url", ["/u/%00/", f"/support/queue/?cursor={HUGE_CURSOR}"])
def test_hostile_urls_are_not_server_errors(agent_client, url):
    assert agent_client.get(url).status_code in (400, 404)


def test_a_queue_action_with_a_bare_next_word_redirects_safely(agent_client, question):
    from townhall.support.services import escalate_question

    escalate_question(question, reason="unanswered")
    response = agent_client.post(f"/support/queue/{question.pk}/claim/", {"next": "x"})
    assert response.status_code == 302


def test_a_tag_created_by_a_concurrent_request_is_reused_not_a_server_error(member, public_space, monkeypatch):
    from django.db import IntegrityError

    from townhall.content.models import Tag
    from townhall.support.services import ask_question

    Tag.objects.create(name="racing")
    real = Tag.objects.get_or_create

    def lost_the_race(**kwargs):
        if kwargs.get("name") == "racing":
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(**kwargs)

    monkeypatch.setattr(Tag.objects, "get_or_create", lost_the_race)
    topic = ask_question(member, public_space, title="Two askers, one new tag", body="Hi", tags=["racing"])
    assert list(topic.tags.values_list("name", flat=True)) == ["racing"]
