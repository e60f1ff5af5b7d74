"""Members: provisioning, profiles, roles and API tokens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from townhall.accounts.models import ROLE_NAMES, ApiToken
from townhall.activity.services import record_event
from townhall.core import access
from townhall.core.errors import Conflict, InvalidInput, NotAllowed

USERNAME_MAX = 30


def _clean_username(username: Any) -> str:
    if not isinstance(username, str) or not username.strip():
        raise InvalidInput("A username is required.", field="username")
    username = username.strip()
    User = get_user_model()
    try:
        User._meta.get_field("username").run_validators(username)  # type: ignore[attr-defined]
    except ValidationError:
        raise InvalidInput("Use letters, digits and @ . + - _ only.", field="username")
    if len(username) > USERNAME_MAX:
        raise InvalidInput(f"At most {USERNAME_MAX} characters.", field="username")
    return username


@transaction.atomic
def create_member(actor: Any, *, username: str, email: str, password: str | None = None,
                  display_name: str = "", roles: list[str] | None = None) -> Any:
    """Provision a member (admins only): from the company's systems, or `townhall` commands."""
    if actor is not None and not access.is_admin(actor):
        raise NotAllowed("Only admins may create members.")
    User = get_user_model()
    username = _clean_username(username)
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput("Enter a valid email address.", field="email")
    roles = roles or []
    unknown = [r for r in roles if r not in ROLE_NAMES]
    if unknown:
        raise InvalidInput(f"Unknown role {unknown[0]!r}: use {', '.join(ROLE_NAMES)}.", field="roles")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("That username is taken.", field="username")
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict("That email address is already registered.", field="email")
    if len(display_name or "") > 80:
        raise InvalidInput("At most 80 characters.", field="display_name")
    user = User(username=username, email=email, display_name=display_name or "")
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), field="password")
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_agent = "agent" in roles
    user.is_moderator = "moderator" in roles
    user.is_product_manager = "product_manager" in roles
    user.is_staff = "admin" in roles
    user.save()
    # Provisioned addresses are trusted as verified: the company vouches for them.
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    record_event("member.created", actor, username=username, roles=roles)
    return user


def validate_avatar(upload: Any) -> None:
    """Check an avatar by its content: a real PNG, JPEG, GIF or WebP, not too big."""
    if upload.size > settings.AVATAR_MAX_BYTES:
        raise InvalidInput(f"The image is too large: at most {settings.AVATAR_MAX_BYTES // (1024 * 1024)} MB.",
                           field="avatar")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            fmt = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise InvalidInput("This file is not an image we can read (use PNG, JPEG, GIF or WebP).", field="avatar")
    finally:
        upload.seek(0)
    if fmt not in {"PNG", "JPEG", "GIF", "WEBP"}:
        raise InvalidInput("Use a PNG, JPEG, GIF or WebP image.", field="avatar")
    if width > settings.AVATAR_MAX_PIXELS or height > settings.AVATAR_MAX_PIXELS:
        raise InvalidInput(
            f"The image is {width}×{height}: at most {settings.AVATAR_MAX_PIXELS} pixels on a side.", field="avatar"
        )


@transaction.atomic
def update_profile(user: Any, **fields: Any) -> Any:
    limits = {"display_name": 80, "bio": 2000, "region": 80, "languages": 200, "products": 300}
    changed = []
    for name, limit in limits.items():
        if name in fields and fields[name] is not None:
            value = str(fields[name]).strip()
            if len(value) > limit:
                raise InvalidInput(f"At most {limit} characters.", field=name)
            setattr(user, name, value)
            changed.append(name)
    if "email_notifications" in fields and fields["email_notifications"] is not None:
        user.email_notifications = bool(fields["email_notifications"])
        changed.append("email_notifications")
    avatar = fields.get("avatar")
    if avatar:
        validate_avatar(avatar)
        user.avatar.save(f"{user.pk}-{timezone.now():%Y%m%d%H%M%S}.{_ext(avatar)}", avatar, save=False)
        changed.append("avatar")
    if fields.get("remove_avatar") and user.avatar:
        user.avatar.delete(save=False)
        changed.append("avatar")
    if changed:
        user.save(update_fields=sorted(set(changed)))
        record_event("member.profile_updated", user, fields=sorted(set(changed)))
    return user


def _ext(upload: Any) -> str:
    upload.seek(0)
    with Image.open(upload) as image:
        fmt = (image.format or "png").lower()
    upload.seek(0)
    return {"jpeg": "jpg"}.get(fmt, fmt)


@transaction.atomic
def create_api_token(user: Any, name: str) -> tuple[ApiToken, str]:
    """A new token; the raw value is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Give the token a name, so you know later what uses it.", field="name")
    if len(name) > 80:
        raise InvalidInput("At most 80 characters.", field="name")
    if user.api_tokens.filter(revoked_at__isnull=True).count() >= 20:
        raise Conflict("You have 20 active tokens: revoke one first.", field="name")
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], key_hash=ApiToken.hash(raw))
    record_event("member.token_created", user, token=token.pk)
    return token, raw


@transaction.atomic
def revoke_api_token(user: Any, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise InvalidInput("No such token.", field="token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event("member.token_revoked", user, token=token.pk)
    return token


def user_for_token(raw: str) -> Any | None:
    """The active member a bearer token belongs to, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most once a minute
    return token.user
