"""Bad input gets a clear answer in one format, naming the field, and never a 500."""

from __future__ import annotations

import base64
import json

import pytest

from tests.api.conftest import assert_error
from townhall.content.models import Topic

pytestmark = pytest.mark.django_db

GOOD_TOPIC = {"space": "widgets-setup", "kind": "question", "title": "A perfectly fine title", "body": "Hello"}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("this is not json", "body"),
        ("{\"space\": ", "body"),
        ("[1, 2, 3]", "body"),
        ("\"just a string\"", "body"),
        ("42", "body"),
        ("null", "body"),
        ("", "body"),
        (b"\xff\xfe\x00 not utf-8", "body"),
        (json.dumps({**GOOD_TOPIC, "title": 12345}), "title"),
        (json.dumps({**GOOD_TOPIC, "title": None}), "title"),
        (json.dumps({**GOOD_TOPIC, "body": ["a", "list"]}), "body"),
        (json.dumps({**GOOD_TOPIC, "body": {"an": "object"}}), "body"),
        (json.dumps({**GOOD_TOPIC, "tags": "not-a-list"}), "tags"),
        (json.dumps({**GOOD_TOPIC, "tags": [1, 2]}), "tags"),
        (json.dumps({**GOOD_TOPIC, "kind": "poll"}), "kind"),
        (json.dumps({**GOOD_TOPIC, "space": True}), "space"),
        (json.dumps({**GOOD_TOPIC, "space": 1.5}), "space"),
        (json.dumps({**GOOD_TOPIC, "titel": "typo"}), "titel"),
        (json.dumps({**GOOD_TOPIC, "title": "nul\u0000byte title"}), "title"),
        (json.dumps({**GOOD_TOPIC, "body": "nul byte \u0000 in the body"}), "body"),
        (json.dumps({**GOOD_TOPIC, "title": "x" * 10_000}), "title"),
        (json.dumps({**GOOD_TOPIC, "body": "x" * 60_000}), "body"),
        (json.dumps({**GOOD_TOPIC, "tags": ["a" * 100]}), "tags"),
        (json.dumps({**GOOD_TOPIC, "tags": [f"tag{n}" for n in range(20)]}), "tags"),
        (json.dumps({k: v for k, v in GOOD_TOPIC.items() if k != "title"}), "title"),
    ],
)
def test_a_malformed_topic_is_refused_naming_the_field(member_api, public_space, raw, field):
    response = member_api.post("/topics", raw=raw)

    assert_error(response, 400, field)
    assert not Topic.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/topics/{id}/vote", {"value": "yes"}, "value"),
        ("/topics/{id}/vote", {}, "value"),
        ("/topics/{id}/posts", {"body": 5}, "body"),
        ("/topics/{id}/posts", {"body": "ok", "parent": "first"}, "parent"),
        ("/topics/{id}/accept", {"post": "the good one"}, "post"),
        ("/notifications/read", {"ids": "all"}, "ids"),
        ("/notifications/read", {"ids": list(range(501))}, "ids"),
        ("/auth/token", {"login": ["member"], "password": "x"}, "login"),
        ("/spaces", {"slug": "x", "name": "X", "unanswered_hours": "12"}, "unanswered_hours"),
        ("/users", {"username": "x", "email": "x@example.com", "roles": "agent"}, "roles"),
    ],
)
def test_wrong_types_anywhere_are_bad_input(owner_api, question, path, body, field):
    response = owner_api.post(path.format(id=question.pk), body)

    assert_error(response, 400, field)


def test_a_query_parameter_with_a_nul_byte_is_bad_input(anon_api, question):
    assert_error(anon_api.get("/topics", tag="a\x00b"), 400, "tag")
    assert_error(anon_api.get("/search", q="wid\x00get"), 400, "q")


def test_nul_bytes_in_paths_find_nothing(anon_api, question, public_space):
    assert_error(anon_api.get("/users/mem%00ber"), 404)
    assert_error(anon_api.get("/spaces/widgets%00"), 404)


def _cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def test_a_forged_cursor_is_bad_input(anon_api, question):
    assert_error(anon_api.get("/topics", cursor=_cursor({"a": 1})), 400, "cursor")
    assert_error(anon_api.get("/topics", cursor=_cursor([1, 2, 3])), 400, "cursor")
    assert_error(anon_api.get("/topics", cursor=_cursor(["yesterday", 1])), 400, "cursor")
    assert_error(anon_api.get(f"/topics/{question.pk}/posts", cursor=_cursor(["x", "y"])), 400, "cursor")


def test_a_forged_cursor_with_out_of_range_numbers_is_refused_naming_the_cursor(anon_api, question):
    huge = _cursor(["2024-01-01T00:00:00+00:00", 10**30])

    response = anon_api.get("/topics", cursor=huge)

    assert_error(response, 400, "cursor")


def test_a_request_body_over_the_size_limit_is_too_large(settings, member_api, public_space):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = member_api.post("/topics", {**GOOD_TOPIC, "body": "x" * 20_000})

    assert_error(response, 413, "body")


def test_an_unknown_endpoint_is_a_json_404(anon_api):
    assert_error(anon_api.get("/no/such/endpoint"), 404)
    assert_error(anon_api.get("/topics/not-a-number"), 404)


def test_a_missing_topic_is_a_json_404(anon_api):
    assert_error(anon_api.get("/topics/999999"), 404)
    assert_error(anon_api.get("/topics/999999/posts"), 404)


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(member_api):
    response = member_api.client.put("/api/v1/topics", "{}", content_type="application/json")

    assert_error(response, 405)
    assert "POST" in response["Allow"]


def test_a_rate_limit_answers_429_with_retry_after(anon_api, member):
    for _ in range(10):
        anon_api.post("/auth/token", {"login": "member", "password": "wrong"})

    response = anon_api.post("/auth/token", {"login": "member", "password": "wrong"})

    assert_error(response, 429)
    assert response["Retry-After"].isdigit()


def test_service_errors_keep_their_status_and_field(member_api, public_space):
    response = member_api.post("/topics", {**GOOD_TOPIC, "kind": "review"})

    body = assert_error(response, 422, "kind")
    assert "does not take" in body["detail"]


def test_ids_beyond_any_database_integer_are_not_found_or_refused_never_a_crash(member_api, owner_api, question,
                                                                                answer):
    huge = 10**30

    assert_error(member_api.get(f"/topics/{huge}"), 404)
    assert_error(member_api.get(f"/posts/{huge}"), 404)
    assert_error(member_api.get("/topics", space=str(huge)), 404, "space")
    assert_error(member_api.post(f"/topics/{question.pk}/posts", {"body": "Hi", "parent": huge}), 400, "parent")
    assert_error(member_api.post(f"/topics/{question.pk}/accept", {"post": huge}), 400, "post")
    assert_error(member_api.post("/notifications/read", {"ids": [huge]}), 400, "ids")
    assert_error(owner_api.post("/spaces", {"slug": "big", "name": "Big", "unanswered_hours": huge}), 400,
                 "unanswered_hours")


def test_a_partial_update_refuses_null_for_a_field_instead_of_ignoring_it(member_api, owner_api, question,
                                                                          public_space):
    assert_error(member_api.patch(f"/topics/{question.pk}", {"title": None}), 400, "title")
    assert_error(owner_api.patch("/spaces/widgets-setup", {"parent": None}), 400, "parent")
    assert member_api.patch(f"/topics/{question.pk}", {}).status_code == 200
