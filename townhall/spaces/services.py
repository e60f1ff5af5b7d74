"""Spaces: create and configure the tree, manage membership of private spaces."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from townhall.activity.services import record_event
from townhall.core import access
from townhall.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from townhall.spaces.models import KIND_CHOICES, VISIBILITY_CHOICES, VISIBILITY_ORDER, Membership, Space

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
EDITABLE = ("name", "description", "kind", "visibility", "parent", "position", "support_email",
            "unanswered_hours", "unsolved_hours", "hold_first_posts")


def _validate(space: Space) -> None:
    if not space.name or not space.name.strip():
        raise InvalidInput("A name is required.", field="name")
    if len(space.name) > 100:
        raise InvalidInput("At most 100 characters.", field="name")
    if space.kind not in dict(KIND_CHOICES):
        raise InvalidInput(f"Unknown kind: use one of {', '.join(dict(KIND_CHOICES))}.", field="kind")
    if space.visibility not in dict(VISIBILITY_CHOICES):
        raise InvalidInput("Use public, members or private.", field="visibility")
    if space.support_email:
        try:
            validate_email(space.support_email)
        except ValidationError:
            raise InvalidInput("Enter a valid email address.", field="support_email")
    for field in ("unanswered_hours", "unsolved_hours"):
        value = getattr(space, field)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 24 * 365:
            raise InvalidInput("Between 1 and 8760 hours.", field=field)
    if not isinstance(space.hold_first_posts, bool):
        raise InvalidInput("Yes or no.", field="hold_first_posts")
    parent = space.parent
    seen = {space.pk}
    while parent is not None:
        if parent.pk in seen:
            raise InvalidInput("A space cannot be inside itself.", field="parent")
        seen.add(parent.pk)
        parent = parent.parent
    if space.parent and VISIBILITY_ORDER[space.visibility] < VISIBILITY_ORDER[space.parent.visibility]:
        raise InvalidInput(
            f"A space inside a {space.parent.visibility} space cannot be more open than it.", field="visibility"
        )
    if space.pk:
        # Closing a space must not leave its sub-spaces open.
        more_open = [v for v, rank in VISIBILITY_ORDER.items() if rank < VISIBILITY_ORDER[space.visibility]]
        names = list(space.children.filter(visibility__in=more_open).values_list("name", flat=True)[:5])
        if names:
            raise InvalidInput(
                f"Its sub-spaces {', '.join(names)} are more open: make them {space.visibility} first.",
                field="visibility",
            )


@transaction.atomic
def create_space(actor: Any, *, slug: str, name: str, kind: str = "forum", visibility: str = "public",
                 parent: Space | None = None, **options: Any) -> Space:
    if not access.is_admin(actor):
        raise NotAllowed("Only admins may create spaces.")
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise InvalidInput("Use lowercase letters, digits and hyphens (up to 60).", field="slug")
    if Space.objects.filter(slug=slug).exists():
        raise Conflict("A space with this slug exists.", field="slug")
    space = Space(slug=slug, name=(name or "").strip(), kind=kind, visibility=visibility, parent=parent)
    for key, value in options.items():
        if key in EDITABLE and value is not None:
            setattr(space, key, value)
    _validate(space)
    space.save()
    record_event("space.created", actor, space=space)
    access.forget_visibility(actor)
    return space


@transaction.atomic
def update_space(actor: Any, space: Space, **changes: Any) -> Space:
    if not access.can_manage_space(actor, space):
        raise NotAllowed("Only admins and this space's managers may change it.")
    # Moving a space changes another part of the tree: only where the mover manages too.
    if (
        "parent" in changes
        and changes["parent"] != space.parent
        and not access.is_admin(actor)
        and (changes["parent"] is None or not access.can_manage_space(actor, changes["parent"]))
    ):
        raise NotAllowed("Only admins, or managers of the new parent space, may move a space there.")
    before = {key: getattr(space, key) for key in EDITABLE}
    for key, value in changes.items():
        # None leaves a field as it is, except `parent`, where None moves the space to the top level.
        if key in EDITABLE and (value is not None or key == "parent"):
            setattr(space, key, value)
    _validate(space)
    # Only the editable fields: a stale object must never overwrite the kept counters.
    space.save(update_fields=list(EDITABLE))
    after = {key: getattr(space, key) for key in EDITABLE}
    changed = {k: str(after[k]) for k in EDITABLE if before[k] != after[k]}
    record_event("space.updated", actor, space=space, changed=changed,
                 before={k: str(before[k]) for k in changed})
    return space


def get_space_for(user: Any, slug_or_id: Any) -> Space:
    """A space by slug or id if this person may see it; NotFound otherwise."""
    qs = Space.objects.all()
    value = str(slug_or_id)
    space = qs.filter(pk=int(value)).first() if value.isdigit() else qs.filter(slug=value).first()
    if space is None or not access.can_view_space(user, space):
        raise NotFound("No such space.", field="space")
    return space


@transaction.atomic
def add_member(actor: Any, space: Space, username: str, role: str = "member") -> Membership:
    if not access.can_manage_space(actor, space):
        raise NotAllowed("Only admins and this space's managers may add members.")
    if role not in dict(Membership.ROLE_CHOICES):
        raise InvalidInput("Use member or manager.", field="role")
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise InvalidInput("No member with this username.", field="username")
    membership, created = Membership.objects.get_or_create(space=space, user=user, defaults={"role": role})
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    record_event("space.member_added", actor, space=space, username=user.username, role=role)
    access.forget_visibility(user)
    return membership


@transaction.atomic
def remove_member(actor: Any, space: Space, username: str) -> int:
    if not access.can_manage_space(actor, space):
        raise NotAllowed("Only admins and this space's managers may remove members.")
    deleted, _ = Membership.objects.filter(space=space, user__username=username).delete()
    if deleted:
        record_event("space.member_removed", actor, space=space, username=username)
    return deleted
