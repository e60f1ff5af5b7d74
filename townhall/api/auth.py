"""Who is calling: a bearer token, else the browser session (with CSRF), else nobody.

A request that sends a bearer token is judged by that token alone: a bad or revoked token is a
401 even where anonymous reading is allowed, so a broken integration fails loudly instead of
quietly seeing only public content.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from townhall.accounts.services import user_for_token
from townhall.api.errors import ApiError

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _bad_token(message: str) -> ApiError:
    return ApiError(401, message, {"authorization": [message]},
                    headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'})


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`, a token from POST /auth/token or the settings page."""

    def __call__(self, request: HttpRequest) -> Any | None:
        header = request.headers.get("Authorization")
        if not header:
            return None
        scheme, _, raw = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise _bad_token("Use “Authorization: Bearer <token>”.")
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        if len(token) > 200 or "\x00" in token:
            raise _bad_token("This token is not valid.")
        user = user_for_token(token)
        if user is None:
            raise _bad_token("This token is not valid, or it was revoked.")
        # The rest of the request (and the services) see the token's member as the user.
        request.user = user
        request.api_token_used = True  # type: ignore[attr-defined]
        return user


class BrowserSession(APIKeyCookie):
    """The signed-in browser session; changes need the CSRF token (X-CSRFToken header)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method in UNSAFE_METHODS and check_csrf(request) is not None:
            raise ApiError(403, "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header, "
                                "or use a bearer token.")
        return user


def anonymous(request: HttpRequest) -> Any:
    """Reading public content needs no credentials (AnonymousUser is truthy for ninja)."""
    return request.user


bearer = BearerToken()
session = BrowserSession()
# Endpoints that need a member, and endpoints where anyone may read what is public.
MEMBER: list[Callable[[HttpRequest], Any]] = [bearer, session]
ANYONE: list[Callable[[HttpRequest], Any]] = [bearer, session, anonymous]
