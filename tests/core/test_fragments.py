"""Signed-in pages share the rendering of what is the same for everyone with the same view of the
community (core.fragments): never what another member may not see, never another member's state."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_user
from townhall.content.services import create_post, delete_post, give_kudos
from townhall.support.services import ask_question

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fragments_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


def queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_a_second_member_gets_the_list_without_reading_it_again(member_client, other_client, question):
    url = reverse("space", args=["widgets-setup"])
    first, first_html = queries(member_client, url)
    second, second_html = queries(other_client, url)
    assert second < first
    assert question.title in second_html


def test_a_new_question_shows_to_signed_in_members_at_once(member_client, other, public_space, question):
    member_client.get("/")
    member_client.get(reverse("space", args=["widgets-setup"]))
    ask_question(other, public_space, title="Firmware update bricked the zebrafish hub", body="Help.")
    assert "zebrafish hub" in member_client.get("/").content.decode()
    assert "zebrafish hub" in member_client.get(reverse("space", args=["widgets-setup"])).content.decode()


def test_a_private_question_never_reaches_a_member_outside_its_space(member_client, other_client, outsider_client,
                                                                      private_question, question):
    # The insider renders the pages first; then members who may not see the private space ask for them.
    for url in ("/", reverse("questions")):
        assert private_question.title in member_client.get(url).content.decode()
        assert private_question.title not in other_client.get(url).content.decode()
        assert private_question.title not in outsider_client.get(url).content.decode()


def test_kudos_state_is_each_members_own(member_client, other_client, outsider, outsider_client, question, answer):
    give_kudos(outsider, answer)
    url = question.get_absolute_url()
    assert "✓ Kudos given" in outsider_client.get(url).content.decode()
    member_html = member_client.get(url).content.decode()
    assert "✓ Kudos given" not in member_html and "Give kudos" in member_html
    assert "✓ Kudos given" in outsider_client.get(url).content.decode()


def test_a_moderator_sees_deleted_answers_that_members_do_not(moderator, moderator_client, other_client,
                                                            member_client, question, answer):
    delete_post(moderator, answer)
    url = question.get_absolute_url()
    assert "This answer was deleted" in moderator_client.get(url).content.decode()
    assert "This answer was deleted" not in member_client.get(url).content.decode()
    assert "This answer was deleted" in moderator_client.get(url).content.decode()


def test_forms_in_a_shared_answer_carry_the_viewers_own_csrf_token(member, other, question, answer):
    third = make_user("third")
    create_post(other, question, body="A second answer with room for comments.")
    url = question.get_absolute_url()
    Client().get(url)  # anonymous: no forms
    first = Client(enforce_csrf_checks=True)
    first.force_login(member)
    first.get(url)
    second = Client(enforce_csrf_checks=True)
    second.force_login(third)
    html = second.get(url).content.decode()
    comment_form = re.search(
        rf'action="/p/{answer.pk}/comment/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"',
        html)
    assert comment_form, "the comment form carries a CSRF field"
    response = second.post(f"/p/{answer.pk}/comment/", {"body": "Worked for me too.",
                                                       "csrfmiddlewaretoken": comment_form.group(1)})
    assert response.status_code == 302
    assert "<!--townhall:csrf-input-->" not in html


def test_an_author_sees_edit_links_on_their_answer_only(other_client, member_client, question, answer):
    url = question.get_absolute_url()
    member_client.get(url)
    html = other_client.get(url).content.decode()
    assert f'href="/p/{answer.pk}/edit/"' in html
    assert f'href="/p/{answer.pk}/edit/"' not in member_client.get(url).content.decode()
