"""Notifications never show what their member can no longer see."""

from django.core import mail
from django.urls import reverse

from townhall.content.services import create_post, delete_topic
from townhall.notifications.models import Notification
from townhall.spaces.services import remove_member, update_space

URL = "/notifications/"


def test_a_member_who_leaves_the_private_space_no_longer_sees_its_notifications(
    private_question, member, agent, owner, member_client
):
    create_post(agent, private_question, body="Insider answer about the zebracorn.")
    notice = Notification.objects.get(user=member)
    assert private_question.title in member_client.get(URL).content.decode()
    remove_member(owner, private_question.space, "member")
    text = member_client.get(URL).content.decode()
    assert private_question.title not in text
    assert "zebracorn" not in text
    assert member_client.get(reverse("notification_open", args=[notice.pk])).status_code == 404


def test_a_space_turned_private_hides_its_notifications_from_non_members(question, other, member, owner, member_client):
    create_post(other, question, body="Answer in a space about to close.")
    update_space(owner, question.space, visibility="private")
    text = member_client.get(URL).content.decode()
    assert question.title not in text
    assert "No notifications yet." in text


def test_a_deleted_topics_notifications_disappear(question, other, member, member_client, moderator):
    create_post(other, question, body="Answer to a question that goes away.")
    delete_topic(moderator, question)
    assert question.title not in member_client.get(URL).content.decode()


def test_an_outsider_is_never_told_about_the_private_space(private_question, agent, outsider, outsider_client):
    mail.outbox.clear()
    create_post(agent, private_question, body="@outsider the zebracorn ships in May.")
    text = outsider_client.get(URL).content.decode()
    assert private_question.title not in text and "zebracorn" not in text
    assert not any("zebracorn" in m.body or private_question.title in m.subject for m in mail.outbox
                   if m.to == [outsider.email])


def test_one_members_notifications_are_not_shown_to_another(question, other, member, outsider_client):
    create_post(other, question, body="Only Mia hears of this answer.")
    assert "Only Mia hears of this answer." not in outsider_client.get(URL).content.decode()
