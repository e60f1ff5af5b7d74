"""The search index: one row per searchable item, whatever its kind.

The full-text part is backend-specific and lives in migrations: an FTS5 table kept in step by
triggers on SQLite, a GIN expression index over a tsvector on PostgreSQL.
"""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    TYPES = [("topic", "Topic"), ("post", "Post")]

    doc_type = models.CharField(max_length=10, choices=TYPES)
    object_id = models.BigIntegerField()
    topic = models.ForeignKey("content.Topic", on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    solved = models.BooleanField(default=False)
    tags = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["doc_type", "object_id"], name="unique_search_document")]
        indexes = [models.Index(fields=["topic"])]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.object_id}: {self.title}"
