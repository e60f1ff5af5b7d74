"""API tokens on the settings page: created with a name, shown once, listed by prefix, revoked."""

import re

from django.test import Client
from django.urls import reverse

from townhall.accounts.models import ApiToken
from townhall.accounts.services import create_api_token, user_for_token

URL = "/settings/tokens/"


def raw_token_on(page) -> str:
    match = re.search(r'id="new-token-value"[^>]*value="(th_[^"]+)"', page.content.decode())
    assert match, "the new token is shown on the page"
    return match.group(1)


def test_signing_in_is_required(anon_client, db):
    page = anon_client.get(URL)
    assert page.status_code == 302 and page["Location"].startswith(reverse("account_login"))
    assert anon_client.post(URL, {"name": "CRM"}).status_code == 302
    assert not ApiToken.objects.exists()


def test_a_new_token_is_shown_once_and_works(member_client, member):
    page = member_client.post(URL, {"name": "CRM sync"})
    assert page.status_code == 200
    raw = raw_token_on(page)
    assert "shown only this once" in page.content.decode()
    assert user_for_token(raw) == member
    again = member_client.get(URL).content.decode()
    assert raw not in again  # never shown again
    assert "CRM sync" in again
    assert raw[:10] + "…" in again  # only its prefix identifies it


def test_the_token_authenticates_as_the_member_on_the_api(member_client, member):
    raw = raw_token_on(member_client.post(URL, {"name": "Script"}))
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["username"] == "member"


def test_a_revoked_token_is_refused_by_the_api(member_client, member):
    token, raw = create_api_token(member, "Old laptop")
    member_client.post(reverse("settings_token_revoke", args=[token.pk]))
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_the_list_shows_when_each_token_was_created_and_last_used(member_client, member):
    _, raw = create_api_token(member, "Nightly export")
    assert "Never" in member_client.get(URL).content.decode()
    user_for_token(raw)
    text = member_client.get(URL).content.decode()
    assert "Nightly export" in text
    assert "Never" not in text


def test_a_token_needs_a_name(member_client, member):
    page = member_client.post(URL, {"name": "   "})
    assert page.status_code == 400
    assert 'id="id_name_error"' in page.content.decode()
    assert not ApiToken.objects.exists()


def test_the_member_revokes_a_token_and_it_stops_working(member_client, member):
    token, raw = create_api_token(member, "Old laptop")
    page = member_client.post(reverse("settings_token_revoke", args=[token.pk]), follow=True)
    assert "is revoked" in page.content.decode()
    assert "Revoked" in page.content.decode()
    assert user_for_token(raw) is None


def test_revoking_needs_a_post(member_client, member):
    token, raw = create_api_token(member, "Old laptop")
    assert member_client.get(reverse("settings_token_revoke", args=[token.pk])).status_code == 405
    assert user_for_token(raw) == member


def test_another_member_cannot_see_or_revoke_my_tokens(other_client, member):
    token, raw = create_api_token(member, "Mia secret integration")
    assert "Mia secret integration" not in other_client.get(URL).content.decode()
    page = other_client.post(reverse("settings_token_revoke", args=[token.pk]), follow=True)
    assert "No such token." in page.content.decode()
    assert user_for_token(raw) == member


def test_signed_out_visitors_cannot_revoke(anon_client, member):
    token, raw = create_api_token(member, "Kept")
    anon_client.post(reverse("settings_token_revoke", args=[token.pk]))
    assert user_for_token(raw) == member
