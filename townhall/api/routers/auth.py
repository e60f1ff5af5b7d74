"""POST /auth/token: a bearer token for a username (or email) and password."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from townhall.accounts.services import create_api_token
from townhall.api.errors import ApiError
from townhall.api.schemas import ErrorOut, TokenIn, TokenOut
from townhall.core.errors import NotAllowed, RateLimited

router = Router(tags=["auth"])

# Failed sign-ins allowed per address and login before the API stops checking passwords.
FAILED_LOGINS_ALLOWED = 10
FAILED_LOGINS_WINDOW = 300  # seconds


def _throttle_key(request: HttpRequest, login: str) -> str:
    ip = request.META.get("REMOTE_ADDR", "")
    return f"townhall:api-login-failures:{ip}:{login.strip().lower()[:254]}"


def _check_throttle(key: str) -> None:
    failures, started = cache.get(key, (0, 0.0))
    if failures >= FAILED_LOGINS_ALLOWED:
        retry_after = int(started + FAILED_LOGINS_WINDOW - time.time()) + 1
        raise RateLimited(
            f"Too many failed sign-ins; try again in {retry_after // 60 + 1} minutes.", retry_after=retry_after
        )


def _count_failure(key: str) -> None:
    failures, started = cache.get(key, (0, 0.0))
    if not failures:
        started = time.time()
    remaining = max(1, int(started + FAILED_LOGINS_WINDOW - time.time()))
    cache.set(key, (failures + 1, started), timeout=remaining)


def _find_member(login: str) -> Any | None:
    User = get_user_model()
    login = login.strip()
    matches = list(User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login))[:5])
    for user in matches:  # an exact username wins over a case-insensitive or email match
        if user.username == login:
            return user
    return matches[0] if len(matches) == 1 else None


@router.post("/auth/token", auth=None, response={201: TokenOut, 400: ErrorOut, 401: ErrorOut,
                                                   403: ErrorOut, 409: ErrorOut, 429: ErrorOut},
             summary="Get a bearer token", operation_id="create_token")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    """Exchange a username (or email address) and password for a personal API token.

    Failed attempts are limited per address and login (10 in 5 minutes, then 429 with Retry-After).
    """
    key = _throttle_key(request, payload.login)
    _check_throttle(key)
    user = _find_member(payload.login)
    if user is None:
        get_user_model()().set_password(payload.password)  # same time whether or not the login exists
    if user is None or not user.check_password(payload.password):
        _count_failure(key)
        raise ApiError(401, "The login or the password is wrong.", {"login": ["The login or the password is wrong."]})
    if not user.is_active:
        raise NotAllowed("This account is deactivated.", field="login")
    if settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory" and not EmailAddress.objects.filter(
        user=user, verified=True
    ).exists():
        raise NotAllowed("Verify your email address first: follow the link we emailed you, then try again.",
                         field="login")
    name = (payload.name or "").strip() or f"API sign-in {timezone.now():%Y-%m-%d %H:%M}"
    token, raw = create_api_token(user, name)
    return Status(201, {"token": raw, "name": token.name})
