"""Signals sent inside the content services' transactions, for kind-specific apps (support, ideas…)."""

from django.dispatch import Signal

topic_created = Signal()  # sender=Topic, topic, actor
post_created = Signal()  # sender=Post, post, actor
post_removed = Signal()  # sender=Post, post, actor (soft-deleted)
post_restored = Signal()  # sender=Post, post, actor
topics_merged = Signal()  # sender=Topic, source, target, actor (source now redirects to target)
