"""A space that holds new members' first posts: a newcomer asks, sees that the question waits for a
moderator while a visitor cannot find it; a moderator approves it from the review queue and it is public."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_user
from tests.e2e.test_journey import sign_in
from townhall.content.models import Topic
from townhall.spaces.models import Space

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def test_a_newcomers_first_question_waits_for_a_moderator_then_is_published(live_server, public_space, new_page):
    base = live_server.url
    Space.objects.filter(pk=public_space.pk).update(hold_first_posts=True)
    make_user("newcomer")
    make_user("mod", is_moderator=True)

    newcomer: Page = new_page()
    sign_in(newcomer, base, "newcomer", PASSWORD)
    newcomer.goto(f"{base}/ask/?space={public_space.slug}")
    newcomer.get_by_label("Title").fill("Thermostat display stays blank")
    newcomer.get_by_label("Details").fill("After the update the display shows nothing at all.")
    newcomer.get_by_role("button", name="Post your question").click()
    expect(newcomer.get_by_text("waits for a moderator before others see it")).to_be_visible()
    expect(newcomer.get_by_text("Waiting for a moderator")).to_be_visible()
    topic = Topic.objects.get(title="Thermostat display stays blank")

    visitor: Page = new_page()
    visitor.goto(f"{base}{public_space.get_absolute_url()}")
    expect(visitor.get_by_text("Thermostat display stays blank")).to_have_count(0)

    moderator: Page = new_page()
    sign_in(moderator, base, "mod", PASSWORD)
    moderator.get_by_role("link", name="Review queue").click()
    expect(moderator.get_by_text("Held for review", exact=True)).to_be_visible()
    moderator.get_by_label("Reason").fill("Welcome: a real question")
    moderator.get_by_role("button", name="Approve (keep it up)").click()
    expect(moderator.get_by_text("Nothing to review")).to_be_visible()

    visitor.goto(f"{base}{topic.get_absolute_url()}")
    expect(visitor.get_by_role("heading", name="Thermostat display stays blank")).to_be_visible()
