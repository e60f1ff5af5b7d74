"""Spaces: the ones you may see, creating (admins) and configuring them (managers), membership."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from townhall.api.auth import ANYONE, MEMBER
from townhall.api.present import membership_data, space_data, space_settings_data
from townhall.api.schemas import (
    ErrorOut,
    MembershipIn,
    MembershipOut,
    PageQuery,
    SpaceIn,
    SpaceOut,
    SpacePage,
    SpacePatch,
    SpaceSettingsOut,
)
from townhall.core import access
from townhall.core.errors import NotAllowed, NotFound
from townhall.core.pagination import decode_offset_cursor, offset_cursor
from townhall.spaces import services
from townhall.spaces.models import Space

router = Router(tags=["spaces"])


def space_for(user: Any, slug_or_id: str | int, field: str = "space") -> Space:
    """A space the caller may see, by slug or id; 404 naming `field` otherwise."""
    value = str(slug_or_id)
    if "\x00" in value or len(value) > 60:
        raise NotFound("No such space.", field=field)
    try:
        return services.get_space_for(user, value)
    except NotFound:
        raise NotFound("No such space.", field=field)


@router.get("/spaces", auth=ANYONE, response={200: SpacePage, 400: ErrorOut, 401: ErrorOut},
            summary="Spaces you may see")
def list_spaces(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """The spaces visible to the caller, in their site order (parents' slugs name the tree)."""
    offset = decode_offset_cursor(query.cursor)
    spaces = list(
        access.visible_spaces(request.user).select_related("parent")
        .order_by("position", "name", "id")[offset:offset + query.limit + 1]
    )
    next_cursor = offset_cursor(offset + query.limit) if len(spaces) > query.limit else None
    return {"results": [space_data(s) for s in spaces[: query.limit]], "next": next_cursor}


@router.get("/spaces/{slug}", auth=ANYONE, response={200: SpaceOut, 401: ErrorOut, 404: ErrorOut},
            summary="One space")
def get_space(request: HttpRequest, slug: str) -> dict[str, Any]:
    return space_data(space_for(request.user, slug))


@router.post("/spaces", auth=MEMBER, response={201: SpaceSettingsOut, 400: ErrorOut, 401: ErrorOut,
                                               403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
             summary="Create a space (admins)")
def create_space(request: HttpRequest, payload: SpaceIn) -> Status[dict[str, Any]]:
    parent = space_for(request.user, payload.parent, field="parent") if payload.parent else None
    options = payload.model_dump(include={"description", "support_email", "unanswered_hours",
                                          "unsolved_hours", "position", "hold_first_posts"},
                                exclude_none=True)
    space = services.create_space(
        request.user, slug=payload.slug, name=payload.name, kind=payload.kind, visibility=payload.visibility,
        parent=parent, **options,
    )
    return Status(201, space_settings_data(space))


@router.patch("/spaces/{slug}", auth=MEMBER, response={200: SpaceSettingsOut, 400: ErrorOut, 401: ErrorOut,
                                                       403: ErrorOut, 404: ErrorOut},
              summary="Change a space (its managers)")
def update_space(request: HttpRequest, slug: str, payload: SpacePatch) -> dict[str, Any]:
    """Change the fields you send; fields left out stay as they are."""
    space = space_for(request.user, slug)
    changes = payload.model_dump(exclude_none=True)
    if "parent" in changes:
        # An empty string moves the space to the top level.
        changes["parent"] = space_for(request.user, changes["parent"], field="parent") if changes["parent"] else None
    space = services.update_space(request.user, space, **changes)
    return space_settings_data(space)


@router.get("/spaces/{slug}/settings", auth=MEMBER,
            response={200: SpaceSettingsOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            summary="A space's settings (its managers)")
def space_settings(request: HttpRequest, slug: str) -> dict[str, Any]:
    space = space_for(request.user, slug)
    if not access.can_manage_space(request.user, space):
        raise NotAllowed("Only admins and this space's managers see its settings.")
    return space_settings_data(space)


@router.post("/spaces/{slug}/members", auth=MEMBER,
             response={201: MembershipOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             summary="Add a member to a space (its managers)")
def add_member(request: HttpRequest, slug: str, payload: MembershipIn) -> Status[dict[str, Any]]:
    """Add a member (or make them a manager); adding someone already there changes their role."""
    space = space_for(request.user, slug)
    membership = services.add_member(request.user, space, payload.username, payload.role)
    return Status(201, membership_data(membership))


@router.delete("/spaces/{slug}/members/{username}", auth=MEMBER,
               response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
               summary="Remove a member from a space (its managers)")
def remove_member(request: HttpRequest, slug: str, username: str) -> Status[None]:
    space = space_for(request.user, slug)
    if "\x00" in username or not services.remove_member(request.user, space, username):
        raise NotFound("This member does not belong to the space.", field="username")
    return Status(204, None)
