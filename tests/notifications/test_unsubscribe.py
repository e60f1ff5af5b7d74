"""Unsubscribing from an email's link: by a button, or in one click from the mail client (RFC 8058)."""

from django.test import Client
from django.urls import reverse

from townhall.notifications.services import is_subscribed, unsubscribe_token


def url(token):
    return reverse("unsubscribe", args=[token])


def test_the_page_says_it_stops_emails_about_this_topic(question, member, anon_client):
    link = url(unsubscribe_token(member, question.pk))
    text = anon_client.get(link).content.decode()
    assert "emails about this topic" in text
    assert question.title in text
    assert text.count(f'action="{link}"') == 1  # one button
    assert "Stop emails about this topic</button>" in text


def test_the_page_says_it_stops_all_emails(member, anon_client):
    text = anon_client.get(url(unsubscribe_token(member, None))).content.decode()
    assert "all emails" in text
    assert "Stop all emails</button>" in text


def test_looking_at_the_page_changes_nothing(question, member, anon_client):
    anon_client.get(url(unsubscribe_token(member, question.pk)))
    anon_client.get(url(unsubscribe_token(member, None)))
    member.refresh_from_db()
    assert is_subscribed(member, question)
    assert member.email_notifications


def test_the_button_stops_emails_about_the_topic_while_signed_out(question, member):
    client = Client(enforce_csrf_checks=True)
    page = client.post(url(unsubscribe_token(member, question.pk)))
    assert page.status_code == 200
    assert "You will no longer get emails about this topic" in page.content.decode()
    assert not is_subscribed(member, question)
    member.refresh_from_db()
    assert member.email_notifications  # other emails continue


def test_the_all_emails_link_turns_email_off(member):
    page = Client(enforce_csrf_checks=True).post(url(unsubscribe_token(member, None)))
    assert page.status_code == 200
    assert "You will no longer get any emails" in page.content.decode()
    member.refresh_from_db()
    assert member.email_notifications is False


def test_one_click_from_a_mail_client_works_without_csrf(question, member):
    client = Client(enforce_csrf_checks=True)
    page = client.post(url(unsubscribe_token(member, question.pk)), data="List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded")
    assert page.status_code == 200
    assert not is_subscribed(member, question)


def test_unsubscribing_twice_is_harmless(question, member):
    client = Client(enforce_csrf_checks=True)
    token = unsubscribe_token(member, question.pk)
    assert client.post(url(token)).status_code == 200
    assert client.post(url(token)).status_code == 200


def test_a_forged_token_is_a_clear_400(member, anon_client):
    token = unsubscribe_token(member, None)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for response in (anon_client.get(url(forged)), Client(enforce_csrf_checks=True).post(url(forged))):
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    member.refresh_from_db()
    assert member.email_notifications


def test_garbage_tokens_never_cause_a_500(anon_client, db):
    for token in ("x", "..", "eyJ1IjoxfQ:abc:def", "%00", "a" * 500):
        assert anon_client.get(url(token)).status_code == 400
        assert anon_client.post(url(token)).status_code == 400


def test_a_private_topics_title_is_not_shown_to_a_non_member_holding_a_token(private_question, outsider, anon_client):
    text = anon_client.get(url(unsubscribe_token(outsider, private_question.pk))).content.decode()
    assert private_question.title not in text
    assert "emails about this topic" in text


def test_a_token_of_a_deleted_member_is_invalid(other, anon_client):
    token = unsubscribe_token(other, None)
    other.delete()
    assert anon_client.get(url(token)).status_code == 400
