"""API test helpers: clients that speak JSON with a bearer token, like an integration would."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from townhall.accounts.services import create_api_token


class ApiClient:
    """A JSON client for /api/v1/: `api.get("/topics", limit=5)`, `api.post("/topics", {...})`."""

    def __init__(self, token: str | None = None, client: Client | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = client or Client(headers=headers)
        self.token = token

    @staticmethod
    def url(path: str) -> str:
        return "/api/v1" + path

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(self.url(path), params)

    def _send(self, method: str, path: str, data: Any = None, raw: str | bytes | None = None,
              content_type: str = "application/json") -> Any:
        body = raw if raw is not None else ("" if data is None else json.dumps(data))
        return getattr(self.client, method)(self.url(path), body, content_type=content_type)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        return self._send("post", path, data, **kwargs)

    def patch(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        return self._send("patch", path, data, **kwargs)

    def delete(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        return self._send("delete", path, data, **kwargs)


def api_for(user: Any = None) -> ApiClient:
    if user is None:
        return ApiClient()
    _, raw = create_api_token(user, "tests")
    return ApiClient(raw)


@pytest.fixture
def anon_api(db) -> ApiClient:
    return ApiClient()


@pytest.fixture
def member_api(member) -> ApiClient:
    return api_for(member)


@pytest.fixture
def other_api(other) -> ApiClient:
    return api_for(other)


@pytest.fixture
def outsider_api(outsider) -> ApiClient:
    return api_for(outsider)


@pytest.fixture
def owner_api(owner) -> ApiClient:
    return api_for(owner)


@pytest.fixture
def agent_api(agent) -> ApiClient:
    return api_for(agent)


@pytest.fixture
def moderator_api(moderator) -> ApiClient:
    return api_for(moderator)


def assert_error(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The response is an error in the API's one format, with a sentence and, if given, that field."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    if field is not None:
        assert field in body["errors"], body
        assert all(isinstance(reason, str) and reason for reason in body["errors"][field])
    return body
