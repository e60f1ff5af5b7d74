"""The content core: topics of every kind, their posts, tags, revisions, votes and kudos."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

TOPIC_KINDS = [
    ("question", "Question"),
    ("idea", "Idea"),
    ("discussion", "Discussion"),
    ("blog", "Blog post"),
    ("media", "Media"),
    ("review", "Review"),
]
TITLE_MAX = 200
BODY_MAX = 50_000


class Tag(models.Model):
    name = models.SlugField(max_length=40, unique=True)
    topic_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """A question, idea, discussion, … The first post's text lives here as `body`."""

    space = models.ForeignKey("spaces.Space", on_delete=models.PROTECT, related_name="topics")
    kind = models.CharField(max_length=20, choices=TOPIC_KINDS, default="question")
    title = models.CharField(max_length=TITLE_MAX)
    body = models.TextField(max_length=BODY_MAX)
    body_html = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="topics")
    tags = models.ManyToManyField(Tag, blank=True, related_name="topics")
    # Kind-specific status kept on the core row so lists can filter by index
    # (questions: open / solved).
    status = models.CharField(max_length=20, default="open")
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Kept, not counted.
    reply_count = models.PositiveIntegerField(default=0)  # all visible posts
    answer_count = models.PositiveIntegerField(default=0)  # visible top-level posts
    vote_count = models.PositiveIntegerField(default=0)  # votes; "me too" on questions
    view_count = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_from = models.CharField(max_length=100, blank=True, db_index=True)
    # Votes an import brought as a number only (Stack Exchange dumps do not say who voted):
    # part of vote_count, which counts TopicVote rows plus these.
    imported_votes = models.PositiveIntegerField(default=0)
    # Moderators' decisions on the thread, shown to everyone with their public reason.
    is_locked = models.BooleanField(default=False)  # no new replies but from moderators
    lock_reason = models.CharField(max_length=500, blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moderator_note = models.CharField(max_length=500, blank=True)  # "edited by a moderator": why

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="topic_newest"),
            models.Index(fields=["-last_activity_at", "-id"], name="topic_active"),
            models.Index(fields=["space", "-created_at", "-id"], name="topic_space_newest"),
            models.Index(fields=["space", "-last_activity_at", "-id"], name="topic_space_active"),
            models.Index(fields=["space", "status", "-created_at", "-id"], name="topic_space_status"),
            models.Index(fields=["status", "-created_at", "-id"], name="topic_status"),
            models.Index(
                fields=["space", "-created_at", "-id"],
                condition=Q(answer_count=0),
                name="topic_space_unanswered",
            ),
            models.Index(fields=["-created_at", "-id"], condition=Q(answer_count=0), name="topic_unanswered"),
            models.Index(fields=["author", "-created_at"], name="topic_author"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("topic", args=[self.pk])

    @property
    def is_solved(self) -> bool:
        return self.status == "solved"


class Post(models.Model):
    """A reply in a topic: an answer (no parent), a comment under an answer, or a comment on the
    topic itself (`is_topic_comment`, no parent: Stack Exchange's comments on a question, imported)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts")
    body = models.TextField(max_length=BODY_MAX)
    body_html = models.TextField()
    official = models.BooleanField(default=False)
    kudos_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_from = models.CharField(max_length=100, blank=True, db_index=True)
    # A comment on the topic, not an answer: shown under the question, never counted as an answer.
    is_topic_comment = models.BooleanField(default=False)
    # Kudos an import brought as a number only (voters unknown): part of kudos_count, which counts
    # Kudos rows plus these.
    imported_kudos = models.PositiveIntegerField(default=0)
    moderator_note = models.CharField(max_length=500, blank=True)  # "edited by a moderator": why

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["topic", "parent", "created_at", "id"], name="post_topic_date"),
            models.Index(fields=["topic", "parent", "-kudos_count", "id"], name="post_topic_kudos"),
            models.Index(fields=["author", "-created_at"], name="post_author"),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in topic {self.topic_id}"

    def get_absolute_url(self) -> str:
        return reverse("topic", args=[self.topic_id]) + f"#post-{self.pk}"


class Revision(models.Model):
    """A previous version of a topic's or post's text, kept when it is edited."""

    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    body = models.TextField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        target = f"topic {self.topic_id}" if self.topic_id else f"post {self.post_id}"
        return f"Revision {self.pk} of {target}"


class TopicVote(models.Model):
    """A vote on a topic; on a question it means "I have this question too"."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="unique_topic_vote")]

    def __str__(self) -> str:
        return f"{self.user_id} votes for topic {self.topic_id}"


class Kudos(models.Model):
    """A helpful vote on a post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="kudos")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_given")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="unique_kudos")]
        indexes = [models.Index(fields=["user", "post"])]

    def __str__(self) -> str:
        return f"{self.user_id} gives kudos to post {self.post_id}"
