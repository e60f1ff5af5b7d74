"""Subscriptions, in-app notifications and outbound webhook deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Subscription(models.Model):
    """A member follows a topic or a whole space."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    topic = models.ForeignKey("content.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="unique_topic_subscription"),
            models.UniqueConstraint(fields=["user", "space"], name="unique_space_subscription"),
            models.CheckConstraint(
                condition=models.Q(topic__isnull=False) | models.Q(space__isnull=False),
                name="subscription_has_target",
            ),
        ]
        indexes = [models.Index(fields=["topic"]), models.Index(fields=["space"])]

    def __str__(self) -> str:
        target = f"topic {self.topic_id}" if self.topic_id else f"space {self.space_id}"
        return f"{self.user_id} follows {target}"


class Notification(models.Model):
    VERBS = [
        ("answer", "answered your question"),
        ("reply", "replied"),
        ("accepted", "accepted an answer"),
        ("mention", "mentioned you"),
        ("subscription", "posted in something you follow"),
        ("escalated", "passed your question to the support team"),
        ("official", "answered officially"),
        ("flag_upheld", "acted on your flag"),
        ("flag_dismissed", "reviewed your flag and left the content up"),
        ("sanction", "took a measure on your account (see why on “Your standing”)"),
        ("appeal_decided", "decided your appeal"),
        ("guidelines", "changed the community guidelines"),
        ("moderator_message", "wrote to you about something you posted (see “Your standing”)"),
    ]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(max_length=20, choices=VERBS)
    event = models.ForeignKey("activity.Event", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topic = models.ForeignKey("content.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("content.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="unique_notification_per_event")]
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.verb} for {self.user_id}"

    @property
    def read(self) -> bool:
        return self.read_at is not None


class WebhookDelivery(models.Model):
    """One outbound POST (e.g. an escalation to the helpdesk), retried with backoff until it succeeds."""

    STATUS_CHOICES = [("pending", "Pending"), ("sending", "Sending"), ("delivered", "Delivered"),
                      ("failed", "Failing, will retry"), ("gave_up", "Gave up")]

    event = models.ForeignKey("activity.Event", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=500)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default="pending", db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "url"], name="unique_delivery_per_event")]

    def __str__(self) -> str:
        return f"Delivery {self.pk} to {self.url} ({self.status})"
