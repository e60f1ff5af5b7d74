"""Signing up (with a verified email), signing in by username or email, signing out, resetting a password."""

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

PASSWORD = "a sturdy passphrase 42"


def sign_up(client, username="newbie", email="newbie@example.com"):
    return client.post(reverse("account_signup"), {
        "username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD,
    })


def sign_in(client, login, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_account_pages_wear_the_sites_layout(anon_client, db):
    for name in ("account_login", "account_signup", "account_reset_password"):
        text = anon_client.get(reverse(name)).content.decode()
        assert 'class="site"' in text and 'href="#main"' in text, name  # townhall/base.html
        assert "· Townhall</title>" in text, name
        assert 'class="account-form' in text, name


def test_the_signed_in_account_pages_wear_the_sites_layout(member_client, member):
    for name in ("account_email", "account_change_password", "account_logout"):
        page = member_client.get(reverse(name))
        assert page.status_code == 200, name
        assert 'href="#main"' in page.content.decode(), name
    assert reverse("settings_profile") in member_client.get(reverse("account_email")).content.decode()


def test_signing_up_sends_a_verification_email(anon_client, db):
    page = sign_up(anon_client)
    assert page.status_code == 302
    assert get_user_model().objects.filter(username="newbie").exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newbie@example.com"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert signed_in_as(anon_client) is None


def test_an_unverified_account_cannot_sign_in(anon_client, db):
    sign_up(anon_client)
    page = sign_in(anon_client, "newbie")
    assert signed_in_as(anon_client) is None
    assert page.status_code == 302 and page["Location"] == reverse("account_email_verification_sent")


def test_confirming_the_link_verifies_and_then_signing_in_works(anon_client, db):
    from allauth.account.models import EmailAddress

    sign_up(anon_client)
    link = confirmation_link(mail.outbox[0])
    assert "Confirm" in anon_client.get(link).content.decode()
    anon_client.post(link)
    assert EmailAddress.objects.get(email="newbie@example.com").verified
    page = sign_in(anon_client, "newbie")
    assert page.status_code == 302
    assert signed_in_as(anon_client).username == "newbie"


def test_a_taken_username_is_refused_naming_the_field(anon_client, member):
    page = sign_up(anon_client, username="member", email="someone@example.com")
    assert page.status_code == 200
    assert "username" in page.context["form"].errors
    assert not mail.outbox


def test_a_member_signs_in_by_username_or_by_email(member, client):
    sign_in(client, "member", "correct horse battery")
    assert signed_in_as(client) == member
    client.post(reverse("account_logout"))
    assert signed_in_as(client) is None
    sign_in(client, "member@example.com", "correct horse battery")
    assert signed_in_as(client) == member


def test_a_wrong_password_is_refused_with_a_message(member, client):
    page = sign_in(client, "member", "wrong password")
    assert page.status_code == 200
    assert signed_in_as(client) is None
    assert "not correct" in page.content.decode()


def test_signing_out_takes_a_post(member_client, member):
    member_client.get(reverse("account_logout"))
    assert signed_in_as(member_client) == member  # a link or prefetch cannot sign you out
    member_client.post(reverse("account_logout"))
    assert signed_in_as(member_client) is None


def test_too_many_failed_sign_ins_are_refused_even_with_the_right_password(member, client):
    for _ in range(5):
        sign_in(client, "member", "wrong password")
    page = sign_in(client, "member", "correct horse battery")
    assert signed_in_as(client) is None
    assert page.status_code == 200  # the form again, with the reason
    assert "Too many failed login attempts" in page.content.decode()


def test_a_password_reset_sends_an_email_with_a_working_link(member, anon_client):
    page = anon_client.post(reverse("account_reset_password"), {"email": "member@example.com"})
    assert page.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["member@example.com"]
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    form_page = anon_client.get(match.group(1), follow=True)
    new_password = "another sturdy passphrase 7"
    anon_client.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain else match.group(1),
                     {"password1": new_password, "password2": new_password})
    member.refresh_from_db()
    assert member.check_password(new_password)


def test_a_reset_for_an_unknown_address_reveals_nothing(anon_client, db):
    page = anon_client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert page.status_code == 302  # the same answer as for a known address
