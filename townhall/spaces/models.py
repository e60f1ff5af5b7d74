"""Spaces: a tree of products, categories and groups, with visibility and membership."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

KIND_CHOICES = [
    ("forum", "Forum"),
    ("ideas", "Ideas"),
    ("blog", "Blog"),
    ("gallery", "Gallery"),
    ("group", "Group"),
    ("kb", "Knowledge base"),
    ("reviews", "Reviews"),
]
VISIBILITY_CHOICES = [
    ("public", "Public: anyone, signed in or not"),
    ("members", "Members: anyone signed in"),
    ("private", "Private: invited members only"),
]
VISIBILITY_ORDER = {"public": 0, "members": 1, "private": 2}


class Space(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(max_length=2000, blank=True)
    kind = models.CharField(max_length=20, choices=KIND_CHOICES, default="forum")
    visibility = models.CharField(max_length=10, choices=VISIBILITY_CHOICES, default="public")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    position = models.PositiveIntegerField(default=0)
    support_email = models.EmailField(blank=True, help_text="Escalated questions are emailed here")
    unanswered_hours = models.PositiveIntegerField(default=24)
    unsolved_hours = models.PositiveIntegerField(default=72)
    # New members' first posts wait for a moderator before anyone else sees them (off by default).
    hold_first_posts = models.BooleanField(default=False)
    topic_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("space", args=[self.slug])


class Membership(models.Model):
    ROLE_CHOICES = [("member", "Member"), ("manager", "Manager")]

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=ROLE_CHOICES, default="member")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "user"], name="unique_space_membership")]
        indexes = [models.Index(fields=["user", "space"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.space} ({self.role})"
