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


class Flag(models.Model):
    """A member's report that a topic, a post or a profile breaks the rules. Seen by its author and
    moderators only; enough weight on one target hides it until a moderator reviews it."""

    REASONS = [
        ("spam", "Spam"),
        ("off_topic", "Off-topic"),
        ("abusive", "Abusive or harassing"),
        ("duplicate", "A duplicate"),
        ("other", "Something else"),
        ("held", "Held for review"),  # by the system, not a member: a first post, a suspicious account
    ]
    STATUSES = [("open", "Waiting for review"), ("upheld", "Upheld"), ("dismissed", "Dismissed")]

    # None: the system held the item (a new member's first post where the space asks, a suspicious account).
    flagger = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="flags_raised")
    topic = models.ForeignKey("content.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("content.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="flags_received")
    # "topic:12", "post:34" or "member:5": one open flag per member and target.
    target_key = models.CharField(max_length=40)
    reason = models.CharField(max_length=20, choices=REASONS)
    note = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=STATUSES, default="open")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["flagger", "target_key"], condition=models.Q(status="open"),
                                    name="one_open_flag_per_member_and_target"),
        ]
        indexes = [
            models.Index(fields=["target_key", "status"], name="flag_target"),
            models.Index(fields=["created_at", "id"], condition=models.Q(status="open"), name="flag_open_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.flagger_id} flagged {self.target_key} ({self.reason})"


class Sanction(models.Model):
    """A moderator's measure against a member: a warning (a private message citing the rule), a silence
    (may read, may not post), a suspension (may not post, for a time) or a ban (may not post, for good).
    The member sees why and until when, and may appeal once; a different moderator decides the appeal."""

    KINDS = [("warning", "Warning"), ("silence", "Silence"), ("suspension", "Suspension"), ("ban", "Ban")]
    APPEAL_DECISIONS = [("upheld", "Upheld"), ("lifted", "Lifted")]

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(max_length=12, choices=KINDS)
    reason = models.TextField()  # the rule concerned, in words the member reads
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)  # None: a warning, or a ban without end
    lifted_at = models.DateTimeField(null=True, blank=True)
    appeal = models.TextField(blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appeal_decision = models.CharField(max_length=10, choices=APPEAL_DECISIONS, blank=True)
    appeal_note = models.TextField(blank=True)
    appeal_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    appeal_decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["member", "-created_at"], name="sanction_member")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.member_id}"

    @property
    def blocks_posting(self) -> bool:
        if self.kind == "warning" or self.lifted_at is not None:
            return False
        return self.ends_at is None or self.ends_at > timezone.now()


class GuidelinesVersion(models.Model):
    """One version of the community guidelines (site-wide, or a space's own). Changed in public: every
    version keeps its reason and its author, and the changelog shows what changed."""

    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    body = models.TextField()
    body_html = models.TextField()
    reason = models.CharField(max_length=500)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["space", "version"], name="one_guidelines_version_number"),
            models.UniqueConstraint(fields=["version"], condition=models.Q(space__isnull=True),
                                    name="one_site_guidelines_version_number"),
        ]

    def __str__(self) -> str:
        return f"Guidelines v{self.version} ({self.space_id or 'site'})"


class GuidelinesFollow(models.Model):
    """A member who wants to hear when the (site's or a space's) guidelines change."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "space"], name="one_guidelines_follow"),
            models.UniqueConstraint(fields=["user"], condition=models.Q(space__isnull=True),
                                    name="one_site_guidelines_follow"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows the guidelines of {self.space_id or 'the site'}"


class SpamSweep(models.Model):
    """A "spam" action: everything a member posted, removed at once (and the account banned), kept
    together so that one undo puts it all back."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    topic_ids = models.JSONField(default=list)
    post_ids = models.JSONField(default=list)
    ban = models.ForeignKey(Sanction, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Spam sweep of {self.member_id}"


class ModeratorMessage(models.Model):
    """A moderator's private word to a member about something they posted (the queue's "reply to the
    author"): shown on the member's standing page, and they are notified."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    topic = models.ForeignKey("content.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    post = models.ForeignKey("content.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["member", "-created_at"], name="modmessage_member")]

    def __str__(self) -> str:
        return f"Message to {self.member_id}"
