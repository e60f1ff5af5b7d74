"""Question state: the accepted solution and escalation to the support team."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Question(models.Model):
    """Support-specific state of a topic of kind `question`."""

    QUEUE_CHOICES = [
        ("", "Not escalated"),
        ("queued", "Waiting for an agent"),
        ("claimed", "Claimed by an agent"),
        ("resolved", "Resolved by the support team"),
        ("community", "Answered by the community"),
    ]
    REASON_CHOICES = [("", ""), ("unanswered", "No answer"), ("unsolved", "No accepted solution")]

    topic = models.OneToOneField("content.Topic", primary_key=True, on_delete=models.CASCADE, related_name="question")
    accepted_post = models.ForeignKey(
        "content.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    queue_state = models.CharField(max_length=10, choices=QUEUE_CHOICES, default="", blank=True)
    escalation_reason = models.CharField(max_length=12, choices=REASON_CHOICES, default="", blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="claimed_questions"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Set once a question has been escalated for a reason, so it is not escalated twice for it.
    escalated_unanswered = models.BooleanField(default=False)
    escalated_unsolved = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["queue_state", "escalated_at"], name="question_queue"),
            # The queue's default tab (waiting or claimed), in its order: read page by page from the index.
            models.Index(fields=["escalated_at", "topic_id"], condition=models.Q(queue_state__in=["queued", "claimed"]),
                         name="question_open_queue"),
        ]

    def __str__(self) -> str:
        return f"Question {self.topic_id}"

    @property
    def in_queue(self) -> bool:
        return self.queue_state in {"queued", "claimed"}
