"""Editing with history, deleting with confirmation, and restoring."""

from __future__ import annotations

import pytest
from django.urls import reverse

from townhall.content.models import Revision, Topic
from townhall.content.services import delete_topic, edit_topic

pytestmark = pytest.mark.django_db


def test_author_edits_the_question_and_the_old_text_is_in_the_history(member_client, question):
    url = reverse("topic_edit", args=[question.pk])
    form = member_client.get(url).content.decode()
    assert "It blinks red and **nothing** helps." in form
    assert 'value="reset widget-pro"' in form
    response = member_client.post(url, {"title": "How do I factory-reset my widget?", "body": "It blinks **red**.",
                                        "tags": "reset"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.title == "How do I factory-reset my widget?"
    assert list(question.tags.values_list("name", flat=True)) == ["reset"]
    page = member_client.get(question.get_absolute_url()).content.decode()
    assert reverse("topic_history", args=[question.pk]) in page and "edited" in page
    history = member_client.get(reverse("topic_history", args=[question.pk])).content.decode()
    assert "How do I reset my widget?" in history
    assert "It blinks red and **nothing** helps." in history
    assert history.index("Current version") < history.index("Before the edit by Mia Member")


def test_history_lists_revisions_newest_first(member_client, member, question):
    edit_topic(member, question, body="Second text.")
    edit_topic(member, question, body="Third text.")
    html = member_client.get(reverse("topic_history", args=[question.pk])).content.decode()
    assert html.index("Second text.") < html.index("It blinks red")
    assert Revision.objects.filter(topic=question).count() == 2


def test_an_edit_with_an_empty_title_is_refused_naming_the_title(member_client, question):
    response = member_client.post(reverse("topic_edit", args=[question.pk]),
                                  {"title": "", "body": "Still here.", "tags": ""})
    assert response.status_code == 400
    assert 'id="id_title_error"' in response.content.decode()
    assert "Still here." in response.content.decode()
    question.refresh_from_db()
    assert question.title == "How do I reset my widget?"


def test_edit_preview_renders_without_saving(member_client, question):
    response = member_client.post(reverse("topic_edit", args=[question.pk]),
                                  {"title": question.title, "body": "New _text_", "preview": "1"})
    assert "<em>text</em>" in response.content.decode()
    question.refresh_from_db()
    assert question.body.startswith("It blinks red")


def test_someone_else_may_not_edit(other_client, question, answer):
    assert other_client.get(reverse("topic_edit", args=[question.pk])).status_code == 403
    assert other_client.post(reverse("topic_edit", args=[question.pk]),
                             {"title": "Hijacked title here", "body": "x"}).status_code == 403
    question.refresh_from_db()
    assert question.title == "How do I reset my widget?"


def test_moderator_may_edit_anyones_post(moderator_client, answer):
    response = moderator_client.post(reverse("post_edit", args=[answer.pk]), {"body": "Hold it for 10 s."})
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.body == "Hold it for 10 s."


def test_author_edits_an_answer_and_its_history_keeps_the_old_text(other_client, answer):
    response = other_client.post(reverse("post_edit", args=[answer.pk]), {"body": "Hold the button for 10 s."})
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{answer.pk}")
    history = other_client.get(reverse("post_history", args=[answer.pk])).content.decode()
    assert "Hold the button for ten seconds." in history and "Hold the button for 10 s." in history


def test_an_empty_answer_edit_is_refused(other_client, answer):
    response = other_client.post(reverse("post_edit", args=[answer.pk]), {"body": ""})
    assert response.status_code == 400
    assert 'id="id_body_error"' in response.content.decode()


def test_deleting_asks_for_confirmation_first(member_client, question):
    response = member_client.get(reverse("topic_delete", args=[question.pk]))
    assert response.status_code == 200
    assert "Yes, delete" in response.content.decode()
    question.refresh_from_db()
    assert not question.is_deleted


def test_author_deletes_the_question_and_it_is_gone_for_others(member_client, other_client, anon_client, question):
    response = member_client.post(reverse("topic_delete", args=[question.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("space", args=["widgets-setup"])
    assert Topic.objects.get(pk=question.pk).is_deleted
    assert other_client.get(question.get_absolute_url()).status_code == 404
    assert anon_client.get(question.get_absolute_url()).status_code == 404
    assert question.title not in anon_client.get(reverse("space", args=["widgets-setup"])).content.decode()


def test_moderators_see_a_deleted_question_and_restore_it(moderator_client, anon_client, member, question):
    delete_topic(member, question)
    html = moderator_client.get(question.get_absolute_url()).content.decode()
    assert "This question is deleted" in html
    assert reverse("topic_restore", args=[question.pk]) in html
    response = moderator_client.post(reverse("topic_restore", args=[question.pk]))
    assert response.status_code == 302
    assert anon_client.get(question.get_absolute_url()).status_code == 200


def test_the_author_who_deleted_may_restore(member_client, member, question):
    delete_topic(member, question)
    assert member_client.get(reverse("topic_restore", args=[question.pk])).status_code == 200
    member_client.post(reverse("topic_restore", args=[question.pk]))
    assert not Topic.objects.get(pk=question.pk).is_deleted


def test_others_cannot_restore_and_learn_nothing(other_client, moderator, question):
    delete_topic(moderator, question)
    assert other_client.post(reverse("topic_restore", args=[question.pk])).status_code == 404
    assert Topic.objects.get(pk=question.pk).is_deleted


def test_delete_and_restore_an_answer(other_client, moderator_client, member_client, question, answer):
    assert "Yes, delete" in other_client.get(reverse("post_delete", args=[answer.pk])).content.decode()
    response = other_client.post(reverse("post_delete", args=[answer.pk]))
    assert response.status_code == 302
    assert "Hold the button" not in member_client.get(question.get_absolute_url()).content.decode()
    moderator_client.post(reverse("post_restore", args=[answer.pk]))
    assert "Hold the button" in member_client.get(question.get_absolute_url()).content.decode()


def test_someone_else_may_not_delete_an_answer(member_client, answer):
    assert member_client.post(reverse("post_delete", args=[answer.pk])).status_code == 403
    answer.refresh_from_db()
    assert not answer.is_deleted


def test_visitors_are_sent_to_sign_in_to_edit_or_delete(anon_client, question):
    for name in ("topic_edit", "topic_delete"):
        response = anon_client.get(reverse(name, args=[question.pk]))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
