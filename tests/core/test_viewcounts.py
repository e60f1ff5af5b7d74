"""Views of a question are counted, cached anonymous visits included, and written in batches."""

from __future__ import annotations

import pytest

from townhall.content.models import Topic
from townhall.core import viewcounts

pytestmark = pytest.mark.django_db


@pytest.fixture
def batched(settings):
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600
    viewcounts.flush()
    yield
    viewcounts.flush()


def views(topic: Topic) -> int:
    return Topic.objects.values_list("view_count", flat=True).get(pk=topic.pk)


def test_views_wait_in_memory_and_are_written_in_one_go(batched, anon_client, member_client, question):
    for client in (anon_client, anon_client, member_client):
        assert client.get(question.get_absolute_url()).status_code == 200
    assert views(question) == 0
    assert viewcounts.pending() == 3
    assert viewcounts.flush() == 1
    assert views(question) == 3
    assert viewcounts.pending() == 0


def test_a_visit_served_from_the_anonymous_page_cache_still_counts(batched, anon_client, question):
    anon_client.get(question.get_absolute_url())
    hit = anon_client.get(question.get_absolute_url())
    assert hit["X-Townhall-Cache"] == "hit"
    viewcounts.flush()
    assert views(question) == 2


def test_with_no_delay_each_view_is_written_at_once(settings, member_client, question):
    settings.VIEW_COUNT_FLUSH_SECONDS = 0
    member_client.get(question.get_absolute_url())
    assert views(question) == 1


def test_writing_views_does_not_invalidate_the_page_cache(batched, anon_client, question):
    anon_client.get(question.get_absolute_url())
    viewcounts.flush()
    assert anon_client.get(question.get_absolute_url())["X-Townhall-Cache"] == "hit"


def test_views_of_a_topic_deleted_meanwhile_are_dropped_quietly(batched, anon_client, question):
    anon_client.get(question.get_absolute_url())
    Topic.objects.filter(pk=question.pk).delete()
    assert viewcounts.flush() == 1


def test_views_are_kept_when_the_database_is_busy_and_the_page_still_shows(settings, anon_client, question,
                                                                            monkeypatch):
    from django.db import OperationalError
    from django.db.models import QuerySet

    settings.VIEW_COUNT_FLUSH_SECONDS = 0
    real_update = QuerySet.update

    def busy(self, **kwargs):
        if "view_count" in kwargs:
            raise OperationalError("database is locked")
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", busy)
    assert anon_client.get(question.get_absolute_url()).status_code == 200
    assert viewcounts.pending() == 1 and views(question) == 0
    monkeypatch.setattr(QuerySet, "update", real_update)
    viewcounts.flush()
    assert views(question) == 1 and viewcounts.pending() == 0


def test_a_head_request_neither_counts_a_view_nor_fills_the_cache(batched, anon_client, question):
    assert anon_client.head(question.get_absolute_url()).status_code == 200
    assert viewcounts.pending() == 0
    first = anon_client.get(question.get_absolute_url())
    assert first["X-Townhall-Cache"] == "miss"  # the GET renders (and counts), then fills the cache
    anon_client.get(question.get_absolute_url())
    assert viewcounts.pending() == 2
