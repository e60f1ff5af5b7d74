"""A list over many spaces and a list over a few read their rows differently (selectors._in_spaces):
both give the same topics, in the same order, page after page, and never one from a hidden space."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.conftest import make_user
from townhall.content import selectors
from townhall.spaces.models import Space
from townhall.support.services import ask_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(member, public_space, private_space):
    small = Space.objects.create(slug="small", name="Small corner", kind="forum")
    for i in range(12):
        ask_question(member, public_space, title=f"Widget question number {i}", body="Body.")
    for i in range(3):
        ask_question(member, small, title=f"Corner question number {i}", body="Body.")
    ask_question(member, private_space, title="Insiders only question", body="Body.")
    return small


def every_page(user, **kwargs) -> list[int]:
    ids, cursor = [], None
    while True:
        page = selectors.topic_list(user, limit=4, cursor=cursor, **kwargs)
        ids.extend(topic.id for topic in page.items)
        cursor = page.next_cursor
        if cursor is None:
            return ids


@pytest.mark.parametrize("tab", ["newest", "active", "unanswered"])
def test_broad_and_narrow_reading_give_the_same_list(settings, monkeypatch, community, tab):
    visitor = make_user("visitor")
    monkeypatch.setattr(selectors, "BROAD_LIST_SHARE", 0.0)
    broad = every_page(visitor, tab=tab)
    monkeypatch.setattr(selectors, "BROAD_LIST_SHARE", 1.01)
    narrow = every_page(make_user("visitor2"), tab=tab)
    assert broad == narrow
    assert len(broad) == 15


def test_a_broad_list_never_shows_a_hidden_space(monkeypatch, community):
    monkeypatch.setattr(selectors, "BROAD_LIST_SHARE", 0.0)
    titles = [t.title for t in selectors.topic_list(AnonymousUser(), limit=50).items]
    assert "Insiders only question" not in titles
    assert len(titles) == 15
