"""/healthz: the load balancers' check and the benchmark's ceiling — "ok", and nothing else."""

from __future__ import annotations

from django.test import Client


def test_healthz_answers_ok_in_plain_text_without_the_database():
    # No `db` fixture: any query would make pytest-django fail this test.
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_healthz_starts_no_session_and_sets_no_cookie():
    response = Client().get("/healthz")

    assert not response.cookies


def test_healthz_is_not_stored_in_the_anonymous_page_cache():
    client = Client()
    client.get("/healthz")

    assert "X-Townhall-Cache" not in client.get("/healthz")


def test_healthz_answers_ok_to_a_signed_in_member_too(member_client):
    response = member_client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
