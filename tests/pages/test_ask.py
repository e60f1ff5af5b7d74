"""Asking a question: the form, its preview, suggestions while typing, and clear errors."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from townhall.content.models import Topic

pytestmark = pytest.mark.django_db

ASK = "/ask/"
# Markup that would run: a script element, an on… handler or a javascript: address inside a tag.
ACTIVE = re.compile(r"<script|<[^>]*\son\w+\s*=|<[^>]*(href|src)\s*=\s*[\"']?\s*javascript:", re.I)


def ask(client, **fields):
    data = {"title": "My widget will not pair", "body": "I tried **everything**.", "tags": "pairing, bluetooth",
            "space": "widgets-setup"}
    data.update(fields)
    return client.post(reverse("ask"), data)


def test_the_ask_address_is_stable():
    assert reverse("ask") == ASK


def test_visitors_are_sent_to_sign_in_first(anon_client, public_space):
    response = anon_client.get(reverse("ask"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert anon_client.post(reverse("ask"), {"title": "x"}).status_code == 302
    assert not Topic.objects.exists()


def test_the_form_offers_visible_forum_spaces_and_preselects_one(member_client, public_space, private_space):
    html = member_client.get(reverse("ask"), {"space": "widgets-setup"}).content.decode()
    assert '<option value="widgets-setup" selected>' in html
    assert '<option value="insiders">' in html  # the member belongs to it


def test_the_form_hides_private_spaces_from_outsiders(outsider_client, public_space, private_space):
    html = outsider_client.get(reverse("ask")).content.decode()
    assert "insiders" not in html


def test_typing_a_title_asks_for_similar_questions(member_client, public_space):
    html = member_client.get(reverse("ask")).content.decode()
    assert f'hx-get="{reverse("search_similar")}"' in html
    assert 'hx-trigger="keyup changed delay:400ms"' in html
    assert 'hx-target="#similar"' in html and 'id="similar"' in html


def test_member_asks_and_lands_on_the_new_question(member_client, member, public_space):
    response = ask(member_client)
    topic = Topic.objects.get()
    assert response.status_code == 302
    assert response["Location"] == topic.get_absolute_url()
    assert topic.author == member and topic.space == public_space and topic.kind == "question"
    assert sorted(topic.tags.values_list("name", flat=True)) == ["bluetooth", "pairing"]
    html = member_client.get(response["Location"]).content.decode()
    assert "<strong>everything</strong>" in html
    assert "Your question is posted" in html


def test_an_empty_title_is_refused_naming_the_title(member_client, public_space):
    response = ask(member_client, title="")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_title_error"' in html and "A title is required." in html
    # Nothing typed is lost.
    assert "I tried **everything**." in html
    assert not Topic.objects.exists()


def test_a_too_long_title_is_refused_naming_the_title(member_client, public_space):
    response = ask(member_client, title="Why " * 100)
    assert response.status_code == 400
    assert 'id="id_title_error"' in response.content.decode()
    assert "The title is too long" in response.content.decode()


def test_an_empty_body_is_refused_naming_the_body(member_client, public_space):
    response = ask(member_client, body="  ")
    assert response.status_code == 400
    assert 'id="id_body_error"' in response.content.decode()


def test_bad_tags_are_refused_naming_the_tags(member_client, public_space):
    response = ask(member_client, tags="a b c d e f")
    assert response.status_code == 400
    assert 'id="id_tags_error"' in response.content.decode()


def test_an_unknown_space_is_an_error_on_the_space_field(member_client, public_space):
    response = ask(member_client, space="no-such-space")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_space_error"' in html and "No such space." in html


def test_no_space_chosen_is_an_error_on_the_space_field(member_client, public_space):
    response = ask(member_client, space="")
    assert response.status_code == 400
    assert 'id="id_space_error"' in response.content.decode()


def test_an_outsider_cannot_ask_in_a_private_space_and_learns_nothing_about_it(outsider_client, private_space):
    response = ask(outsider_client, space="insiders")
    assert response.status_code == 400
    assert "No such space." in response.content.decode()
    assert not Topic.objects.exists()


def test_a_space_that_takes_no_questions_is_an_error_on_the_space_field(member_client, db):
    from townhall.spaces.models import Space

    Space.objects.create(slug="ideas", name="Ideas", kind="ideas")
    response = ask(member_client, space="ideas")
    assert response.status_code == 400
    assert 'id="id_space_error"' in response.content.decode()


def test_preview_without_javascript_shows_the_rendered_text_and_posts_nothing(member_client, public_space):
    response = ask(member_client, preview="1", body="Some _emphasis_ here")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<em>emphasis</em>" in html
    assert "Some _emphasis_ here" in html  # still in the textarea
    assert not Topic.objects.exists()


def test_preview_with_htmx_returns_the_sanitised_fragment(member_client):
    response = member_client.post(reverse("markdown_preview"),
                                  {"body": "**hi** <script>alert(1)</script> [x](javascript:alert(1))"},
                                  HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<strong>hi</strong>" in html
    assert not ACTIVE.search(html)


def test_preview_of_a_too_long_text_says_so(member_client):
    response = member_client.post(reverse("markdown_preview"), {"body": "x" * 50_001})
    assert response.status_code == 400
    assert "too long" in response.content.decode()


def test_preview_needs_signing_in(anon_client, db):
    assert anon_client.post(reverse("markdown_preview"), {"body": "hi"}).status_code == 302


def test_script_handlers_and_javascript_links_are_stored_sanitised_and_rendered_harmless(member_client, public_space):
    body = ('<script>alert("x")</script>\n\n<img src="x" onerror="alert(1)">\n\n'
            '[click me](javascript:alert(1)) and <a href="javascript:alert(2)">raw</a>')
    ask(member_client, body=body)
    topic = Topic.objects.get()
    assert not ACTIVE.search(topic.body_html)
    assert "alert" in topic.body_html  # kept as harmless text, not thrown away
    html = member_client.get(topic.get_absolute_url()).content.decode()
    assert not ACTIVE.search(html[html.index("<main"):])


def test_new_accounts_posting_too_fast_get_429_with_the_reason(client, public_space, settings):
    from tests.conftest import make_user

    settings.NEW_ACCOUNT_POSTS_PER_HOUR = 1
    from django.utils import timezone

    newcomer = make_user("newcomer", date_joined=timezone.now())
    client.force_login(newcomer)
    assert ask(client).status_code == 302
    response = ask(client, title="A second question today")
    assert response.status_code == 429
    assert "New accounts may post 1 times an hour" in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_text_that_cannot_be_stored_is_refused_not_a_server_error(member_client, public_space):
    for fields in ({"title": "Null\x00byte title"}, {"body": "Null\x00byte"}, {"space": "widgets\x00"}):
        response = ask(member_client, **fields)
        assert response.status_code == 400, fields
        assert "Null characters are not allowed." in response.content.decode()
    assert not Topic.objects.exists()
