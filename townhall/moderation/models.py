"""The audit log: every moderator and admin action, append-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnly(Exception):
    """An audit entry was about to be changed or removed: the log only grows."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("The audit log cannot be edited.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("The audit log cannot be edited.")


class AuditEntry(models.Model):
    """Who did what to which target, why, and what it was before and after.

    Append-only: the product has no code path that changes an entry, this model and its queryset
    refuse updates and deletes, and on PostgreSQL a trigger (migration 0002) refuses them too.
    """

    # DO_NOTHING without a database constraint: an entry keeps the id of an account or space removed since.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              related_name="+", db_constraint=False)
    actor_name = models.CharField(max_length=150, blank=True)  # kept if the account goes
    action = models.CharField(max_length=40, db_index=True)
    target_type = models.CharField(max_length=20)  # topic, post, space, member
    target_id = models.BigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=300, blank=True)  # a title or a name, as it was
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+",
                              db_constraint=False)
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="audit_newest"),
            models.Index(fields=["actor", "-created_at", "-id"], name="audit_by_actor"),
            models.Index(fields=["target_type", "target_id"], name="audit_by_target"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name or 'system'} {self.action} {self.target_type} {self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("The audit log cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("The audit log cannot be edited.")
