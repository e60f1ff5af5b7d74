"""The journey a support community exists for: ask, get answered, accept, and be found by the next person."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.conftest import make_user

pytestmark = pytest.mark.browser

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+")
PASSWORD = "a long walk on the quay"


def sign_in(page: Page, base: str, login: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label(re.compile("username|login", re.I)).first.fill(login)
    page.get_by_label(re.compile(r"^Password:?$")).fill(password)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("link", name=re.compile("sign in", re.I))).to_have_count(0)


def test_a_visitor_signs_up_asks_gets_an_answer_accepts_it_and_the_solution_is_found(
    live_server, public_space, new_page, settings
):
    base = live_server.url
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    mail.outbox.clear()

    # A visitor signs up, and confirms the address from the email.
    asker = new_page()
    asker.goto(f"{base}/accounts/signup/")
    asker.get_by_label("Email").fill("quinn@example.com")
    asker.get_by_label("Username").fill("quinn")
    asker.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    asker.get_by_label(re.compile(r"Password \(again\)|Confirm password", re.I)).fill(PASSWORD)
    asker.get_by_role("button", name=re.compile("sign up", re.I)).click()
    expect(asker.get_by_text(re.compile("verify|confirm", re.I)).first).to_be_visible()
    assert len(mail.outbox) == 1, "no confirmation email was sent"
    link = CONFIRM_LINK.search(mail.outbox[0].body)
    assert link, mail.outbox[0].body
    asker.goto(link.group(0))
    asker.get_by_role("button", name=re.compile("confirm", re.I)).click()

    # They ask a question in a public space.
    sign_in(asker, base, "quinn", PASSWORD)
    asker.goto(f"{base}/ask/")
    asker.get_by_label("Title").fill("Widget flickers like a zanzibarite lamp after update")
    asker.get_by_label("Space").select_option(value=public_space.slug)
    asker.get_by_label("Details").fill("Since the update my widget flickers.\n\n- tried a reset\n- tried another cable")
    asker.get_by_role("button", name="Post your question").click()
    expect(asker).to_have_url(re.compile(r"/t/\d+/"))
    question_url = asker.url
    expect(asker.get_by_role("heading", name=re.compile("zanzibarite"))).to_be_visible()

    # A second member signs in and answers.
    make_user("helper", display_name="Hana Helper")
    helper = new_page()
    sign_in(helper, base, "helper", "correct horse battery")
    helper.goto(question_url)
    answer_box = helper.get_by_role("textbox", name=re.compile("^Your answer"))
    answer_box.fill("Turn off **adaptive brightness** in the widget settings.")
    helper.get_by_role("button", name="Post your answer").click()
    expect(helper.get_by_text("adaptive brightness").first).to_be_visible()

    # The asker, signed in afresh, accepts the answer.
    asker = new_page()
    sign_in(asker, base, "quinn@example.com", PASSWORD)
    asker.goto(question_url)
    asker.get_by_role("button", name="Accept as solution").click()
    expect(asker.get_by_text(re.compile("solved|accepted", re.I)).first).to_be_visible()

    # The next visitor finds it solved: in the space's solved list, and in search.
    visitor = new_page()
    visitor.goto(f"{base}/s/{public_space.slug}/?tab=solved")
    expect(visitor.get_by_role("link", name=re.compile("zanzibarite"))).to_be_visible()
    visitor.goto(f"{base}/search/?q=zanzibarite")
    result = visitor.locator(".search-results li").filter(has_text="zanzibarite")
    expect(result.get_by_role("link", name=re.compile("zanzibarite"))).to_be_visible()
    expect(result.get_by_text("Solved")).to_be_visible()
