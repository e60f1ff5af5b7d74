"""Members: the user model with profile and roles, and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone

ROLE_CHOICES = [
    ("agent", "Support agent"),
    ("moderator", "Moderator"),
    ("product_manager", "Product manager"),
    ("admin", "Admin"),
]
ROLE_NAMES = [name for name, _ in ROLE_CHOICES]


class User(AbstractUser):
    """A member. Roles are flags; `admin` is Django's is_staff so admins can also use Django admin."""

    display_name = models.CharField(max_length=80, blank=True)
    bio = models.TextField(max_length=2000, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    region = models.CharField(max_length=80, blank=True)
    languages = models.CharField(max_length=200, blank=True, help_text="Comma-separated languages spoken")
    products = models.CharField(max_length=300, blank=True, help_text="Comma-separated products used")
    is_agent = models.BooleanField(default=False)
    is_moderator = models.BooleanField(default=False)
    is_product_manager = models.BooleanField(default=False)
    # Kept, not counted: updated in the write path.
    reputation = models.IntegerField(default=0)
    trust_level = models.PositiveSmallIntegerField(default=0)
    question_count = models.PositiveIntegerField(default=0)
    answer_count = models.PositiveIntegerField(default=0)
    solution_count = models.PositiveIntegerField(default=0)
    email_notifications = models.BooleanField(default=True)
    # Where an imported member came from ("se:<site>:user:<id>"); empty for members who signed up.
    imported_from = models.CharField(max_length=100, blank=True, db_index=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_admin(self) -> bool:
        return self.is_staff or self.is_superuser

    @property
    def roles(self) -> list[str]:
        roles = ["member"]
        if self.is_agent:
            roles.append("agent")
        if self.is_moderator:
            roles.append("moderator")
        if self.is_product_manager:
            roles.append("product_manager")
        if self.is_admin:
            roles.append("admin")
        return roles

    @property
    def rank(self) -> str:
        for threshold, title in ((1000, "Expert"), (200, "Contributor"), (20, "Regular")):
            if self.reputation >= threshold:
                return title
        return "Newcomer"

    def get_absolute_url(self) -> str:
        return reverse("profile", args=[self.username])


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "th_" + secrets.token_urlsafe(32)
