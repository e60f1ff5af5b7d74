"""Moderation's journeys: a member flags spam, a moderator removes it from the review queue, and the
member is told; a moderator merges a repeated question into the original from the queue, and the
asker finds the answers there."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_user
from tests.e2e.test_journey import sign_in
from townhall.content.services import create_post
from townhall.support.services import ask_question

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def test_a_member_flags_spam_a_moderator_removes_it_and_the_member_is_told(live_server, public_space, new_page):
    base = live_server.url
    asker = make_user("asker")
    spammer = make_user("spammer")
    make_user("mod", is_moderator=True)
    topic = ask_question(asker, public_space, title="Thermostat loses its schedule overnight", body="Why?")
    create_post(spammer, topic, body="Buy cheap watches at http://watches.example.com today")

    member: Page = new_page()
    sign_in(member, base, "asker", PASSWORD)
    member.goto(f"{base}{topic.get_absolute_url()}")
    member.get_by_role("link", name="Flag").last.click()
    member.get_by_label("Spam").check()
    member.get_by_role("button", name="Flag it").click()
    expect(member.get_by_text("moderators will review it")).to_be_visible()

    moderator: Page = new_page()
    sign_in(moderator, base, "mod", PASSWORD)
    moderator.get_by_role("link", name="Review queue").click()
    expect(moderator.get_by_role("link", name="http://watches.example.com")).to_be_visible()
    moderator.get_by_label("Reason").fill("Advertising: rule 3")
    moderator.get_by_role("button", name="Delete").click()
    expect(moderator.get_by_text("Nothing to review")).to_be_visible()

    member.goto(f"{base}{topic.get_absolute_url()}")
    expect(member.get_by_text("watches.example.com")).to_have_count(0)
    member.get_by_role("link", name=re.compile("Notifications")).click()
    expect(member.get_by_text("acted on your flag")).to_be_visible()


def test_a_moderator_merges_a_repeated_question_and_its_readers_land_on_the_original(live_server, public_space,
                                                                                     new_page):
    base = live_server.url
    asker, repeater, helper = make_user("asker"), make_user("repeater"), make_user("helper")
    make_user("mod", is_moderator=True)
    original = ask_question(asker, public_space, title="Thermostat loses its schedule overnight", body="Why?")
    repeat = ask_question(repeater, public_space, title="Schedule gone every morning", body="Same here.")
    create_post(helper, repeat, body="Replace the backup battery: a CR2032.")

    moderator: Page = new_page()
    sign_in(moderator, base, "mod", PASSWORD)
    moderator.goto(f"{base}{repeat.get_absolute_url()}")
    moderator.get_by_text("Moderate this topic").click()
    moderator.get_by_text("Lock, move, merge or mark as a duplicate").click()
    moderator.get_by_label("Reason").fill("Same question: merged (rule 6)")
    moderator.get_by_label("Other topic").fill(str(original.pk))
    moderator.get_by_role("button", name="Merge into that topic").click()
    expect(moderator.get_by_text("Done: merged into")).to_be_visible()

    reader: Page = new_page()
    reader.goto(f"{base}{repeat.get_absolute_url()}")
    expect(reader.get_by_role("heading", name="Thermostat loses its schedule overnight")).to_be_visible()
    expect(reader.get_by_text("Replace the backup battery: a CR2032.")).to_be_visible()
    expect(reader.get_by_text("Moved here from “Schedule gone every morning”")).to_be_visible()
