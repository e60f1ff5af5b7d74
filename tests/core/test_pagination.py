"""Keyset pagination: stable pages however many rows share a timestamp, and forged cursors refused."""

from __future__ import annotations

import base64
import json

import pytest
from django.utils import timezone

from townhall.content.models import Topic
from townhall.content.services import create_topic
from townhall.core.pagination import InvalidCursor, decode_offset_cursor, keyset_page, offset_cursor

ORDER = ["-created_at", "-id"]


def forge(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def same_moment_topics(member, public_space):
    moment = timezone.now().replace(microsecond=0)
    return [
        create_topic(member, public_space, kind="question", title=f"Question number {n}", body="Body",
                     created_at=moment, check_rate=False)
        for n in range(7)
    ]


def all_pages(limit: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        page = keyset_page(Topic.objects.all(), ORDER, cursor, limit)
        seen.extend(t.id for t in page.items)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_paging_through_equal_timestamps_returns_every_row_once_in_order(same_moment_topics):
    ids = all_pages(limit=2)
    assert ids == sorted((t.id for t in same_moment_topics), reverse=True)


def test_a_new_row_does_not_shift_the_next_page(same_moment_topics, member, public_space):
    first = keyset_page(Topic.objects.all(), ORDER, None, 3)
    create_topic(member, public_space, kind="question", title="A brand new question", body="Body",
                 check_rate=False)
    second = keyset_page(Topic.objects.all(), ORDER, first.next_cursor, 3)
    assert [t.id for t in second.items] == sorted((t.id for t in same_moment_topics), reverse=True)[3:6]


def test_the_last_page_has_no_next_cursor(same_moment_topics):
    page = keyset_page(Topic.objects.all(), ORDER, None, 10)
    assert len(page.items) == 7 and page.next_cursor is None


@pytest.mark.parametrize("cursor", [
    "not a cursor!!",
    forge({"created_at": "2024-01-01"}),
    forge(["2024-01-01T00:00:00+00:00"]),
    forge(["2024-01-01T00:00:00+00:00", 1, 2]),
    forge(["yesterday", 5]),
    forge(["2024-01-01T00:00:00+00:00", "5"]),
    forge(["2024-01-01T00:00:00+00:00", True]),
    forge([None, None]),
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
])
def test_forged_cursors_are_refused(db, cursor):
    with pytest.raises(InvalidCursor):
        keyset_page(Topic.objects.all(), ORDER, cursor, 10)


def test_a_float_ordering_refuses_a_non_number(db):
    with pytest.raises(InvalidCursor):
        keyset_page(Topic.objects.all(), ["-score", "-id"], forge(["high", 1]), 10)


def test_offset_cursors_round_trip_and_are_bounded():
    assert decode_offset_cursor(offset_cursor(40)) == 40
    assert decode_offset_cursor(None) == 0
    for bad in (forge([-1]), forge([10_001]), forge(["40"]), forge([1, 2])):
        with pytest.raises(InvalidCursor):
            decode_offset_cursor(bad)
