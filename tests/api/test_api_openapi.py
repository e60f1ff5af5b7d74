"""The contract is published: OpenAPI at /api/v1/openapi.json with every core endpoint and field,
and the interactive docs at /api/v1/docs."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

CORE_OPERATIONS = [
    ("post", "/api/v1/auth/token"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users/{username}"),
    ("get", "/api/v1/spaces"),
    ("post", "/api/v1/spaces"),
    ("patch", "/api/v1/spaces/{slug}"),
    ("post", "/api/v1/spaces/{slug}/members"),
    ("get", "/api/v1/topics"),
    ("post", "/api/v1/topics"),
    ("get", "/api/v1/topics/{topic_id}"),
    ("patch", "/api/v1/topics/{topic_id}"),
    ("delete", "/api/v1/topics/{topic_id}"),
    ("post", "/api/v1/topics/{topic_id}/restore"),
    ("get", "/api/v1/topics/{topic_id}/posts"),
    ("post", "/api/v1/topics/{topic_id}/posts"),
    ("post", "/api/v1/topics/{topic_id}/accept"),
    ("post", "/api/v1/topics/{topic_id}/vote"),
    ("patch", "/api/v1/posts/{post_id}"),
    ("delete", "/api/v1/posts/{post_id}"),
    ("post", "/api/v1/posts/{post_id}/restore"),
    ("post", "/api/v1/posts/{post_id}/kudos"),
    ("delete", "/api/v1/posts/{post_id}/kudos"),
    ("get", "/api/v1/search"),
    ("get", "/api/v1/notifications"),
    ("post", "/api/v1/notifications/read"),
    ("get", "/api/v1/support/queue"),
    ("post", "/api/v1/topics/{topic_id}/claim"),
    ("post", "/api/v1/topics/{topic_id}/release"),
    ("post", "/api/v1/topics/{topic_id}/resolve"),
]


@pytest.fixture
def schema(anon_api):
    response = anon_api.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_openapi_schema_lists_every_core_endpoint(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Townhall API"
    missing = [(m, p) for m, p in CORE_OPERATIONS if m not in schema["paths"].get(p, {})]
    assert missing == []


def test_the_schema_documents_the_fields_of_topics_posts_and_errors(schema):
    components = schema["components"]["schemas"]

    assert {"id", "space", "kind", "title", "body", "body_html", "author", "created_at", "reply_count",
            "vote_count", "score", "status", "accepted_post", "url"} <= set(components["TopicOut"]["properties"])
    assert {"id", "topic", "author", "body", "body_html", "created_at", "kudos_count", "official"} <= set(
        components["PostOut"]["properties"])
    assert set(components["ErrorOut"]["properties"]) == {"detail", "errors"}
    assert components["TopicIn"]["properties"]["kind"]["enum"] == [
        "question", "idea", "discussion", "blog", "media", "review"]


def test_the_schema_names_both_ways_to_authenticate(schema):
    schemes = schema["components"]["securitySchemes"]

    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["BearerToken"].items()
    assert schemes["BrowserSession"]["in"] == "cookie"


def test_errors_are_documented_on_the_endpoints(schema):
    responses = schema["paths"]["/api/v1/topics"]["post"]["responses"]

    assert {"201", "400", "401", "403", "404", "422", "429"} <= set(responses)


def test_the_interactive_docs_are_served(anon_api):
    response = anon_api.get("/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content
