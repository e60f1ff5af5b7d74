"""Signing in to the API: tokens, their refusal, the browser session and its CSRF check."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import ApiClient, api_for, assert_error
from tests.conftest import make_user
from townhall.accounts.models import ApiToken
from townhall.accounts.services import create_api_token, revoke_api_token

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def test_a_member_gets_a_token_with_username_and_password_and_it_opens_the_api(member, anon_api):
    response = anon_api.post("/auth/token", {"login": "member", "password": PASSWORD})

    assert response.status_code == 201
    token = response.json()["token"]
    assert token.startswith("th_")
    me = ApiClient(token).get("/me")
    assert me.status_code == 200
    assert me.json()["username"] == "member"
    assert ApiToken.objects.filter(user=member, revoked_at__isnull=True).count() == 1


def test_the_email_address_works_as_the_login_too(member, anon_api):
    response = anon_api.post("/auth/token", {"login": "MEMBER@example.com", "password": PASSWORD,
                                             "name": "CRM sync"})

    assert response.status_code == 201
    assert response.json()["name"] == "CRM sync"
    assert ApiToken.objects.get(user=member).name == "CRM sync"


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(member, anon_api):
    wrong_password = anon_api.post("/auth/token", {"login": "member", "password": "nope"})
    unknown_login = anon_api.post("/auth/token", {"login": "nobody", "password": "nope"})

    assert_error(wrong_password, 401, "login")
    assert_error(unknown_login, 401, "login")
    assert wrong_password.json()["detail"] == unknown_login.json()["detail"]
    assert not ApiToken.objects.exists()


def test_repeated_failed_sign_ins_are_rate_limited_even_with_the_right_password_after(member, anon_api):
    for _ in range(10):
        assert anon_api.post("/auth/token", {"login": "member", "password": "guess"}).status_code == 401

    limited = anon_api.post("/auth/token", {"login": "member", "password": PASSWORD})

    assert_error(limited, 429)
    assert 1 <= int(limited["Retry-After"]) <= 300
    # Another login from the same address is counted on its own.
    assert anon_api.post("/auth/token", {"login": "other", "password": "x"}).status_code == 401


def test_a_deactivated_account_gets_no_token(member, anon_api):
    member.is_active = False
    member.save()

    response = anon_api.post("/auth/token", {"login": "member", "password": PASSWORD})

    body = assert_error(response, 403)
    assert "deactivated" in body["detail"]


def test_an_unverified_email_address_gets_no_token_and_is_told_why(db, anon_api):
    from allauth.account.models import EmailAddress

    newcomer = make_user("newcomer")
    EmailAddress.objects.filter(user=newcomer).update(verified=False)

    response = anon_api.post("/auth/token", {"login": "newcomer", "password": PASSWORD})

    body = assert_error(response, 403)
    assert "Verify your email address" in body["detail"]


def test_me_needs_credentials(anon_api):
    response = anon_api.get("/me")

    assert_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(member):
    token, raw = create_api_token(member, "old integration")
    api = ApiClient(raw)
    assert api.get("/me").status_code == 200

    revoke_api_token(member, token.pk)

    assert_error(api.get("/me"), 401, "authorization")


def test_a_bad_token_is_refused_even_where_anonymous_reading_is_allowed(question):
    api = ApiClient("th_not-a-real-token")

    assert_error(api.get("/topics"), 401)
    assert_error(api.get(f"/topics/{question.pk}"), 401)


def test_an_authorization_header_that_is_not_a_bearer_token_is_refused(member, question):
    client = Client(headers={"Authorization": "Basic bWVtYmVyOnNlY3JldA=="})

    assert_error(client.get("/api/v1/topics"), 401, "authorization")


def test_a_token_of_a_deactivated_member_stops_working(member):
    api = api_for(member)
    member.is_active = False
    member.save()

    assert_error(api.get("/me"), 401)


def test_the_browser_session_reads_the_api(member_client):
    response = member_client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["username"] == "member"


def test_a_session_change_without_the_csrf_token_is_refused(member, public_space):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post("/api/v1/topics", {"space": "widgets-setup", "kind": "question",
                                              "title": "Forged request title", "body": "From elsewhere"},
                           content_type="application/json")

    body = assert_error(response, 403)
    assert "CSRF" in body["detail"]
    assert not member.topics.exists()


def test_a_session_change_with_the_csrf_token_is_accepted(member, public_space):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    secret = "s3cr3t" * 5 + "ab"  # what the csrftoken cookie holds (32 characters)
    client.cookies["csrftoken"] = secret

    response = client.post(
        "/api/v1/topics",
        {"space": "widgets-setup", "kind": "question", "title": "A real request title", "body": "From the page"},
        content_type="application/json", headers={"X-CSRFToken": secret},
    )

    assert response.status_code == 201, response.content
    assert member.topics.count() == 1


def test_a_bearer_token_needs_no_csrf_token(member, public_space):
    _, raw = create_api_token(member, "script")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})

    response = client.post("/api/v1/topics", {"space": "widgets-setup", "kind": "question",
                                              "title": "Posted by a script", "body": "Automated"},
                           content_type="application/json")

    assert response.status_code == 201, response.content


def test_changes_need_a_member(anon_api, question):
    assert_error(anon_api.post("/topics", {"space": "widgets-setup", "kind": "question",
                                           "title": "Anonymous question", "body": "Hi"}), 401)
    assert_error(anon_api.post(f"/topics/{question.pk}/vote", {"value": 1}), 401)
    assert_error(anon_api.post("/notifications/read", {}), 401)
