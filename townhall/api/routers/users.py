"""Members: who am I, a member's public profile, and provisioning members (admins)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Router, Status

from townhall.accounts.services import create_member
from townhall.api.auth import ANYONE, MEMBER
from townhall.api.present import me_data, user_data
from townhall.api.schemas import ErrorOut, MeOut, UserIn, UserOut
from townhall.core import access
from townhall.core.errors import NotFound

router = Router(tags=["members"])


@router.get("/me", auth=MEMBER, response={200: MeOut, 401: ErrorOut}, summary="The signed-in member")
def me(request: HttpRequest) -> dict[str, Any]:
    return me_data(request.user)


@router.post("/users", auth=MEMBER, response={201: MeOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                             409: ErrorOut}, summary="Create a member (admins)")
def create_user(request: HttpRequest, payload: UserIn) -> Status[dict[str, Any]]:
    """Provision a member from the company's systems; the email address counts as verified."""
    user = create_member(
        request.user, username=payload.username, email=payload.email, password=payload.password,
        display_name=payload.display_name or "", roles=list(payload.roles),
    )
    return Status(201, me_data(user))


@router.get("/users/{username}", auth=ANYONE, response={200: UserOut, 401: ErrorOut, 404: ErrorOut},
            summary="A member's profile")
def get_user(request: HttpRequest, username: str) -> dict[str, Any]:
    user = None if "\x00" in username else get_user_model().objects.filter(username=username).first()
    # Deactivated accounts are gone as far as other members can tell.
    if user is None or (not user.is_active and not access.is_admin(request.user)):
        raise NotFound("No such member.")
    return user_data(user)
