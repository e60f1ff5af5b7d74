"""Recognition: badges and who earned them. Reputation points live on the member (User.reputation),
kept in the write path by the rules in services.RULES and recomputable from the content."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

LEVEL_CHOICES = [("gold", "Gold"), ("silver", "Silver"), ("bronze", "Bronze")]
LEVEL_ORDER = {"gold": 0, "silver": 1, "bronze": 2}


class Badge(models.Model):
    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    level = models.CharField(max_length=10, choices=LEVEL_CHOICES, default="bronze")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.level})"


class BadgeAward(models.Model):
    """A badge earned by a member; a badge can be earned more than once (e.g. one per good answer)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_awards")
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    awarded_at = models.DateTimeField(default=timezone.now)
    # Where an imported award came from ("se:<site>:badge:<id>"): importing twice awards once.
    imported_from = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-awarded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["imported_from"], condition=~Q(imported_from=""),
                                    name="unique_imported_badge_award"),
        ]
        indexes = [models.Index(fields=["user", "-awarded_at"], name="badge_award_user")]

    def __str__(self) -> str:
        return f"{self.badge.name} for {self.user_id}"
