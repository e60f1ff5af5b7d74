"""Spam defence of the forms people write in: a honeypot field and a signed time-to-submit stamp.

The guard is on here as in production (marker `form_guard`); the forms are first fetched like a browser
would, and time moves with time-machine.
"""

from __future__ import annotations

import html
import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

from townhall.content.models import Post, Topic
from townhall.core import formguard

pytestmark = [pytest.mark.django_db, pytest.mark.form_guard]

STAMP = re.compile(r'<input type="hidden" name="form_stamp" value="([^"]+)">')
QUESTION = {"title": "My widget will not pair", "body": "I tried **everything** twice.", "tags": "pairing",
            "space": "widgets-setup"}
PASSWORD = "a sturdy passphrase 42"


@pytest.fixture
def clock():
    """Time stands still from now on (sessions made before stay valid), and moves with clock.shift()."""
    with time_machine.travel(time.time(), tick=False) as traveller:
        yield traveller


def stamps_in(response) -> list[str]:
    return STAMP.findall(response.content.decode())


def stamp_of(client, url: str) -> str:
    found = stamps_in(client.get(url))
    assert found, f"no stamp on {url}"
    return found[0]


def text_of(response) -> str:
    return html.unescape(response.content.decode())


# What the forms carry ---------------------------------------------------------------------------


def test_the_ask_form_carries_a_honeypot_people_never_meet_and_a_signed_stamp(member_client, public_space):
    page = member_client.get(reverse("ask")).content.decode()
    honeypot = re.search(r'<span class="formguard"><label>([^<]*)<input ([^>]*)></label></span>', page)
    assert honeypot, page
    assert "leave this field empty" in honeypot.group(1)
    attributes = honeypot.group(2)
    for attribute in ('type="text"', 'name="website"', 'value=""', 'autocomplete="off"', 'tabindex="-1"',
                      'aria-hidden="true"'):
        assert attribute in attributes
    (stamp,) = STAMP.findall(page)
    assert abs(formguard.shown_at(stamp) - time.time()) < 60


def test_the_sign_up_form_carries_the_honeypot_and_the_stamp(anon_client, db):
    page = anon_client.get(reverse("account_signup")).content.decode()
    assert 'name="website"' in page and 'tabindex="-1"' in page
    assert len(STAMP.findall(page)) == 1


# Asking -----------------------------------------------------------------------------------------


def test_a_question_sent_after_the_minimum_time_is_posted(member_client, public_space, clock):
    stamp = stamp_of(member_client, reverse("ask"))
    clock.shift(5)
    response = member_client.post(reverse("ask"), {**QUESTION, "form_stamp": stamp, "website": ""})
    assert response.status_code == 302
    assert response["Location"] == Topic.objects.get().get_absolute_url()


def test_a_question_with_the_honeypot_filled_is_refused_with_a_message_and_nothing_is_stored(
        member_client, public_space, clock):
    stamp = stamp_of(member_client, reverse("ask"))
    clock.shift(5)
    response = member_client.post(reverse("ask"), {**QUESTION, "form_stamp": stamp,
                                                    "website": "http://cheap-pills.example"})
    assert response.status_code == 400
    assert "a field that should stay empty was filled in" in text_of(response)
    assert not Topic.objects.exists()
    assert "cheap-pills" not in response.content.decode()  # the honeypot comes back empty


def test_a_question_sent_faster_than_the_minimum_is_refused_and_the_text_is_shown_again(
        member_client, public_space, settings, clock):
    settings.FORM_MIN_SECONDS = 3
    stamp = stamp_of(member_client, reverse("ask"))
    clock.shift(1)
    response = member_client.post(reverse("ask"), {**QUESTION, "form_stamp": stamp})
    assert response.status_code == 400
    page = text_of(response)
    assert "sent too quickly after the page opened" in page
    assert 'role="alert"' in response.content.decode()
    assert 'value="My widget will not pair"' in page
    assert "I tried **everything** twice." in page
    assert not Topic.objects.exists()


def test_sending_again_after_a_too_quick_refusal_posts_the_question(member_client, public_space, clock):
    stamp = stamp_of(member_client, reverse("ask"))
    refused = member_client.post(reverse("ask"), {**QUESTION, "form_stamp": stamp})
    assert refused.status_code == 400
    (fresh,) = stamps_in(refused)
    clock.shift(4)
    assert member_client.post(reverse("ask"), {**QUESTION, "form_stamp": fresh}).status_code == 302
    assert Topic.objects.count() == 1


@pytest.mark.parametrize("stamp", [
    "",  # missing
    "not-a-stamp",
    signing.dumps(0, salt="another.purpose"),  # signed, but not by the guard
    "x" * 5000,
], ids=["missing", "not-a-stamp", "signed-for-another-purpose", "huge"])  # fixed ids: a signature has the time
def test_a_question_with_a_missing_or_forged_stamp_is_refused(member_client, public_space, clock, stamp):
    response = member_client.post(reverse("ask"), {**QUESTION, "form_stamp": stamp})
    assert response.status_code == 400
    assert "This form could not be checked" in text_of(response)
    assert not Topic.objects.exists()


def test_a_question_with_a_tampered_stamp_is_refused(member_client, public_space, clock):
    stamp = stamp_of(member_client, reverse("ask"))
    value, signature = stamp.rsplit(":", 1)
    earlier = signing.b64_encode(str(time.time() - 3600).encode()).decode()
    clock.shift(5)
    for tampered in (f"{earlier}:{signature}", f"{value}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"):
        response = member_client.post(reverse("ask"), {**QUESTION, "form_stamp": tampered})
        assert response.status_code == 400
        assert "This form could not be checked" in text_of(response)
    assert not Topic.objects.exists()


def test_a_form_left_open_for_more_than_a_day_asks_to_send_it_again_keeping_the_text(
        member_client, public_space, clock):
    stamp = stamp_of(member_client, reverse("ask"))
    clock.shift(timedelta(hours=25))
    response = member_client.post(reverse("ask"), {**QUESTION, "form_stamp": stamp})
    assert response.status_code == 400
    page = text_of(response)
    assert "open for more than a day" in page and "I tried **everything** twice." in page
    (fresh,) = stamps_in(response)
    clock.shift(5)
    assert member_client.post(reverse("ask"), {**QUESTION, "form_stamp": fresh}).status_code == 302


def test_the_preview_is_guarded_too(member_client, public_space, clock):
    response = member_client.post(reverse("ask"), {**QUESTION, "preview": "1"})
    assert response.status_code == 400
    assert "This form could not be checked" in text_of(response)


# Answering and commenting -----------------------------------------------------------------------


def test_an_answer_sent_too_quickly_is_refused_and_the_text_is_shown_again(other_client, question, clock):
    stamp = stamp_of(other_client, question.get_absolute_url())
    response = other_client.post(reverse("topic_answer", args=[question.pk]),
                                 {"body": "Hold the button for ten seconds.", "form_stamp": stamp})
    assert response.status_code == 400
    page = text_of(response)
    assert "sent too quickly after the page opened" in page
    assert "Hold the button for ten seconds.</textarea>" in page
    assert not Post.objects.filter(body="Hold the button for ten seconds.").exists()


def test_an_answer_sent_after_the_minimum_time_is_posted(other_client, question, clock):
    stamp = stamp_of(other_client, question.get_absolute_url())
    clock.shift(5)
    response = other_client.post(reverse("topic_answer", args=[question.pk]),
                                 {"body": "Hold the button for ten seconds.", "form_stamp": stamp})
    assert response.status_code == 302
    assert Post.objects.filter(body="Hold the button for ten seconds.").exists()


def test_comment_forms_in_shared_answers_get_a_fresh_stamp_for_each_viewer(outsider_client, other_client,
                                                                           answer, clock):
    first = outsider_client.get(answer.topic.get_absolute_url())
    clock.shift(30)
    second = outsider_client.get(answer.topic.get_absolute_url())
    for page in (first, second):
        assert formguard.PLACEHOLDER not in page.content.decode()
        assert f'action="{reverse("post_comment", args=[answer.pk])}"' in page.content.decode()
    # The answer form and the comment form, each stamped when the page was shown, not when cached.
    assert len(stamps_in(first)) == 2
    assert set(stamps_in(first)).isdisjoint(stamps_in(second))
    comment_form = re.search(r'<form method="post" action="[^"]*/comment/"[^>]*>(.*?)</form>',
                             second.content.decode(), re.S)
    assert comment_form and 'name="website"' in comment_form.group(1) and 'name="form_stamp"' in comment_form.group(1)


def test_a_comment_with_the_honeypot_filled_is_refused_keeping_the_text(outsider_client, answer, clock):
    stamp = stamps_in(outsider_client.get(answer.topic.get_absolute_url()))[-1]
    clock.shift(5)
    response = outsider_client.post(reverse("post_comment", args=[answer.pk]),
                                    {"body": "Thanks, that did it.", "form_stamp": stamp, "website": "spam"})
    assert response.status_code == 400
    page = text_of(response)
    assert "a field that should stay empty was filled in" in page
    assert "Thanks, that did it.</textarea>" in page
    assert not Post.objects.filter(parent=answer).exists()


def test_a_comment_sent_after_the_minimum_time_is_posted(outsider_client, answer, clock):
    stamp = stamps_in(outsider_client.get(answer.topic.get_absolute_url()))[-1]
    clock.shift(5)
    response = outsider_client.post(reverse("post_comment", args=[answer.pk]),
                                    {"body": "Thanks, that did it.", "form_stamp": stamp, "website": ""})
    assert response.status_code == 302
    assert Post.objects.filter(parent=answer, body="Thanks, that did it.").exists()


# Signing up -------------------------------------------------------------------------------------


def sign_up(client, **extra):
    return client.post(reverse("account_signup"), {
        "username": "newbie", "email": "newbie@example.com", "password1": PASSWORD, "password2": PASSWORD, **extra,
    })


def test_signing_up_with_the_honeypot_filled_creates_no_account(anon_client, db, clock):
    stamp = stamp_of(anon_client, reverse("account_signup"))
    clock.shift(10)
    response = sign_up(anon_client, form_stamp=stamp, website="http://cheap-pills.example")
    assert response.status_code == 200  # allauth shows the form again
    page = text_of(response)
    assert "a field that should stay empty was filled in" in page
    assert 'value="newbie"' in page and 'value="newbie@example.com"' in page
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_signing_up_without_a_stamp_creates_no_account(anon_client, db, clock):
    response = sign_up(anon_client)
    assert "This form could not be checked" in text_of(response)
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_signing_up_after_the_minimum_time_creates_the_account(anon_client, db, clock):
    stamp = stamp_of(anon_client, reverse("account_signup"))
    clock.shift(10)
    response = sign_up(anon_client, form_stamp=stamp, website="")
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="newbie").exists()


# The setting ------------------------------------------------------------------------------------


def test_no_minimum_time_when_it_is_zero(member_client, public_space, settings, clock):
    settings.FORM_MIN_SECONDS = 0
    stamp = stamp_of(member_client, reverse("ask"))
    assert member_client.post(reverse("ask"), {**QUESTION, "form_stamp": stamp}).status_code == 302


# One sending per stamp; the time counts from when the form was first shown --------------------------


def test_a_stamp_is_good_for_one_sending_only(member_client, other_client, public_space, clock):
    stamp = stamp_of(member_client, reverse("ask"))
    clock.shift(5)
    assert member_client.post(reverse("ask"), {**QUESTION, "form_stamp": stamp}).status_code == 302
    again = member_client.post(reverse("ask"), {**QUESTION, "title": "My widget will not pair again",
                                                "form_stamp": stamp})
    assert again.status_code == 400 and "This form was sent already" in text_of(again)
    elsewhere = other_client.post(reverse("ask"), {**QUESTION, "title": "Another account, same stamp",
                                                   "form_stamp": stamp})
    assert elsewhere.status_code == 400
    assert Topic.objects.count() == 1


def test_a_preview_does_not_wait_and_the_post_after_it_need_not_wait_again(member_client, public_space, clock):
    stamp = stamp_of(member_client, reverse("ask"))
    preview = member_client.post(reverse("ask"), {**QUESTION, "preview": "1", "form_stamp": stamp})
    assert preview.status_code == 200  # at once: reading one's own preview is not a robot's haste
    (carried,) = stamps_in(preview)
    assert formguard.shown_at(carried) == formguard.shown_at(stamp)
    clock.shift(4)  # four seconds after the form first opened, one after the preview
    assert member_client.post(reverse("ask"), {**QUESTION, "form_stamp": carried}).status_code == 302


def test_fixing_what_the_services_refused_is_not_made_to_wait_again(member_client, public_space, clock):
    stamp = stamp_of(member_client, reverse("ask"))
    clock.shift(5)
    short = member_client.post(reverse("ask"), {**QUESTION, "title": "Hm", "form_stamp": stamp})
    assert short.status_code == 400 and "too short" in text_of(short)
    (carried,) = stamps_in(short)
    clock.shift(1)
    assert member_client.post(reverse("ask"), {**QUESTION, "form_stamp": carried}).status_code == 302
