"""Fixtures for the search tests: content goes through the real services, so the index is written
by the event consumer exactly as in production."""

from __future__ import annotations

import pytest

from townhall.content.services import create_post
from townhall.support.services import accept_solution, ask_question


@pytest.fixture
def solved_question(member, other, public_space):
    """A solved question about the router, whose accepted answer says "resetting"."""
    topic = ask_question(member, public_space, title="Router keeps dropping the connection",
                         body="Every evening the router drops wifi for a minute.", tags=["router", "wifi"])
    post = create_post(other, topic, body="Resetting the router to factory settings fixed it for me.")
    accept_solution(member, topic, post)
    topic.refresh_from_db()
    return topic
