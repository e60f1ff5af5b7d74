"""The home page and a space's page: what each person sees, tabs, tags, paging, following."""

from __future__ import annotations

import pytest
from django.urls import reverse

from townhall.content.services import create_post
from townhall.support.services import accept_solution, ask_question

pytestmark = pytest.mark.django_db


def test_home_shows_a_newcomer_what_to_do_when_there_is_nothing_yet(anon_client):
    response = anon_client.get(reverse("home"))
    assert response.status_code == 200
    assert "No questions here yet" in response.content.decode()
    assert reverse("account_signup") in response.content.decode()


def test_home_lists_visible_spaces_with_their_categories_and_recent_questions(anon_client, question, private_question):
    html = anon_client.get(reverse("home")).content.decode()
    assert "Widgets" in html and "Widget setup" in html
    assert question.title in html
    assert "Waiting for an answer" in html
    # Private spaces and their questions are not there for a visitor.
    assert "Insiders" not in html
    assert private_question.title not in html


def test_home_shows_a_private_space_to_its_members(member_client, private_question):
    html = member_client.get(reverse("home")).content.decode()
    assert "Insiders" in html
    assert private_question.title in html


def test_space_page_lists_questions_with_counts_author_and_tags(anon_client, question, answer):
    html = anon_client.get(reverse("space", args=["widgets-setup"])).content.decode()
    assert question.title in html
    assert "1 answer" in html
    assert "Mia Member" in html
    assert ">reset</a>" in html
    assert "Ask a question here" in html


def test_space_page_shows_child_spaces(anon_client, public_space):
    html = anon_client.get(reverse("space", args=["widgets"])).content.decode()
    assert "Widget setup" in html


def test_private_space_is_not_found_for_visitors_and_outsiders(anon_client, outsider_client, member_client,
                                                               private_space):
    url = reverse("space", args=["insiders"])
    assert anon_client.get(url).status_code == 404
    assert outsider_client.get(url).status_code == 404
    assert member_client.get(url).status_code == 200


def test_members_space_needs_signing_in(anon_client, other_client, members_space):
    url = reverse("space", args=["lounge"])
    assert anon_client.get(url).status_code == 404
    assert other_client.get(url).status_code == 200


def test_unknown_space_is_not_found(anon_client, db):
    assert anon_client.get(reverse("space", args=["nope"])).status_code == 404


def test_tabs_filter_unanswered_and_solved(anon_client, member, other, question, public_space):
    solved = ask_question(member, public_space, title="Why is the widget warm?", body="It is warm.")
    post = create_post(other, solved, body="It is normal.")
    accept_solution(member, solved, post)
    url = reverse("space", args=["widgets-setup"])
    unanswered = anon_client.get(url, {"tab": "unanswered"}).content.decode()
    assert question.title in unanswered and solved.title not in unanswered
    solved_tab = anon_client.get(url, {"tab": "solved"}).content.decode()
    assert solved.title in solved_tab and question.title not in solved_tab
    assert "✓ Solved" in solved_tab
    unsolved = anon_client.get(url, {"tab": "unsolved"}).content.decode()
    assert question.title in unsolved and solved.title not in unsolved


def test_tag_filter_shows_only_tagged_questions(anon_client, member, question, public_space):
    other_topic = ask_question(member, public_space, title="Battery drains fast", body="Why?", tags=["battery"])
    html = anon_client.get(reverse("space", args=["widgets-setup"]), {"tag": "battery"}).content.decode()
    assert other_topic.title in html
    assert question.title not in html
    assert "show all" in html


def test_more_link_pages_through_questions_by_cursor(anon_client, member, public_space):
    for i in range(35):
        ask_question(member, public_space, title=f"Question number {i:02d}", body="Body text.", tags=[])
    url = reverse("space", args=["widgets-setup"])
    first = anon_client.get(url)
    html = first.content.decode()
    assert "Question number 34" in html and "Question number 04" not in html
    cursor = first.context["page"].next_cursor
    assert cursor and ">More</a>" in html
    second = anon_client.get(url, {"cursor": cursor}).content.decode()
    assert "Question number 04" in second and "Question number 34" not in second
    assert ">More</a>" not in second


def test_unknown_tab_or_bad_cursor_is_a_clear_400(anon_client, public_space):
    url = reverse("space", args=["widgets-setup"])
    response = anon_client.get(url, {"tab": "loudest"})
    assert response.status_code == 400
    assert "Unknown tab" in response.content.decode()
    response = anon_client.get(url, {"tag": "no\x00tag"})
    assert response.status_code == 400
    assert "That is not a tag" in response.content.decode()
    response = anon_client.get(url, {"cursor": "garbage!"})
    assert response.status_code == 400
    assert "cursor" in response.content.decode()


def test_member_follows_and_unfollows_a_space(member, member_client, public_space):
    from townhall.notifications.services import is_following_space

    url = reverse("space_follow", args=["widgets-setup"])
    response = member_client.post(url, {"value": "1"})
    assert response.status_code == 302
    assert is_following_space(member, public_space)
    assert "Following" in member_client.get(reverse("space", args=["widgets-setup"])).content.decode()
    member_client.post(url, {"value": "0"})
    assert not is_following_space(member, public_space)


def test_following_with_htmx_returns_the_button_fragment(member_client, public_space):
    response = member_client.post(reverse("space_follow", args=["widgets-setup"]), {"value": "1"},
                                  HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="follow-space"' in html and "Unfollow" in html


def test_outsider_cannot_follow_a_private_space(outsider_client, private_space):
    response = outsider_client.post(reverse("space_follow", args=["insiders"]), {"value": "1"})
    assert response.status_code == 404


def test_visitor_is_sent_to_sign_in_to_follow(anon_client, public_space):
    response = anon_client.post(reverse("space_follow", args=["widgets-setup"]), {"value": "1"})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_home_counts_a_products_categories_in_its_totals(anon_client, question, answer, private_space, owner):
    from townhall.spaces.services import create_space
    from townhall.support.services import ask_question

    hidden = create_space(owner, slug="widgets-beta", name="Widget beta", visibility="private",
                          parent=question.space.parent)
    ask_question(owner, hidden, title="Beta firmware question", body="Insiders only")
    html = anon_client.get("/").content.decode()
    product_line = html.split('class="space-name" href="/s/widgets/">Widgets</a>')[1].split("</span>")[0]
    # The product shows the topic and post of its public category, not the private one's.
    assert "1 topic · 1 post" in product_line


def test_a_products_page_lists_its_categories_questions_but_not_hidden_ones(anon_client, question, owner):
    from townhall.spaces.services import create_space
    from townhall.support.services import ask_question

    hidden = create_space(owner, slug="widgets-beta", name="Widget beta", visibility="private",
                          parent=question.space.parent)
    ask_question(owner, hidden, title="Beta firmware question", body="Insiders only")
    html = anon_client.get("/s/widgets/").content.decode()
    assert question.title in html
    assert "Beta firmware question" not in html
