"""What the notification service tells whom: in-app notices and emails, from the activity log."""

import re

from django.core import mail

from townhall.activity.models import Event
from townhall.content.services import create_post
from townhall.notifications import services
from townhall.notifications.models import Notification
from townhall.support.services import accept_solution, me_too


def notices(user, verb=None):
    qs = Notification.objects.filter(user=user)
    return qs.filter(verb=verb) if verb else qs


def emails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def unsubscribe_path(message) -> str:
    match = re.search(r"<https?://[^/>]+(/unsubscribe/[^>]+/)>", message.extra_headers["List-Unsubscribe"])
    assert match, message.extra_headers
    return match.group(1)


def test_an_answer_notifies_the_asker_in_the_app_and_by_email(question, other, member):
    mail.outbox.clear()
    post = create_post(other, question, body="Try the reset pin.")
    notice = notices(member).get()
    assert (notice.verb, notice.topic, notice.post, notice.actor) == ("answer", question, post, other)
    [message] = emails_to(member)
    assert question.title in message.subject
    assert "Try the reset pin." in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_path(message) in message.body


def test_the_unsubscribe_link_in_the_email_works(question, other, member, client):
    mail.outbox.clear()
    create_post(other, question, body="Try the reset pin.")
    path = unsubscribe_path(emails_to(member)[0])
    assert client.post(path).status_code == 200
    assert not services.is_subscribed(member, question)


def test_a_comment_notifies_the_answers_author(question, answer, member, other):
    create_post(member, question, body="Did that, still blinking.", parent=answer)
    assert notices(other, "reply").count() == 1


def test_a_mention_notifies_the_mentioned_member(question, other, moderator):
    create_post(other, question, body="@moderator could you look at this?")
    assert notices(moderator, "mention").count() == 1


def test_a_mention_in_a_private_space_does_not_reach_an_outsider(private_question, agent, outsider):
    mail.outbox.clear()
    create_post(agent, private_question, body="@outsider should not hear about this zebracorn.")
    assert not notices(outsider).exists()
    assert not emails_to(outsider)


def test_a_mention_in_a_private_space_reaches_a_fellow_member(private_question, agent, member):
    post = create_post(agent, private_question, body="@member see the roadmap.")
    assert notices(member).get().post == post


def test_accepting_notifies_the_answers_author(question, answer, member, other):
    accept_solution(member, question, answer)
    notice = notices(other, "accepted").get()
    assert notice.post == answer and notice.actor == member


def test_followers_of_a_topic_hear_of_new_answers(question, answer, outsider, agent):
    me_too(outsider, question)  # "I have this question too" follows it
    create_post(agent, question, body="Official: firmware 2.1 fixes it.")
    assert notices(outsider, "subscription").count() == 1


def test_unsubscribing_from_a_topic_stops_its_emails(question, other, agent, member, client):
    mail.outbox.clear()
    create_post(other, question, body="First answer.")
    client.post(unsubscribe_path(emails_to(member)[0]))
    mail.outbox.clear()
    create_post(agent, question, body="Second answer.")
    assert not emails_to(member)


def test_the_all_emails_link_turns_email_off(question, other, member, client):
    mail.outbox.clear()
    create_post(other, question, body="First answer.")
    match = re.search(r"Stop all emails from .*: https?://[^/\s]+(/unsubscribe/\S+/)", emails_to(member)[0].body)
    assert match
    client.post(match.group(1))
    member.refresh_from_db()
    assert member.email_notifications is False
    mail.outbox.clear()
    create_post(other, question, body="Another answer.", parent=None)
    assert not emails_to(member)
    assert notices(member).count() == 2  # still told on the site


def test_nobody_is_notified_of_their_own_posts(question, member):
    create_post(member, question, body="Answering myself: @member it was the cable.")
    assert not notices(member).exists()


def test_handling_the_same_event_twice_creates_nothing_new(question, other, member):
    mail.outbox.clear()
    create_post(other, question, body="Try the reset pin.")
    event = Event.objects.filter(verb="post.created").latest("id")
    before = (Notification.objects.count(), len(mail.outbox))
    services.handle_event(event)
    services.handle_event(event)
    assert (Notification.objects.count(), len(mail.outbox)) == before


def test_no_email_when_the_member_has_turned_email_off(question, other, member):
    member.email_notifications = False
    member.save()
    mail.outbox.clear()
    create_post(other, question, body="Try the reset pin.")
    assert notices(member).count() == 1
    assert not emails_to(member)
