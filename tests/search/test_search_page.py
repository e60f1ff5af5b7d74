"""The search page: results with highlighted snippets, filters, pages, an empty state, clear errors."""

from __future__ import annotations

import pytest

from townhall.support.services import ask_question


def test_the_blank_page_offers_the_search_form(db, anon_client):
    response = anon_client.get("/search/")
    assert response.status_code == 200
    assert b'name="q"' in response.content
    assert b"No results" not in response.content


def test_results_show_the_title_a_marked_snippet_and_the_space(anon_client, question, answer):
    response = anon_client.get("/search/", {"q": "blinks"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "How do I reset my widget?" in html
    assert "<mark>blinks</mark>" in html
    assert f'href="/t/{question.id}/"' in html
    assert "Widget setup" in html
    assert "1 result " in html or "1 result\n" in html


def test_an_answer_hit_links_to_the_answer(anon_client, question, answer):
    html = anon_client.get("/search/", {"q": "seconds"}).content.decode()
    assert f'href="/t/{question.id}/#post-{answer.id}"' in html
    assert "a reply" in html


def test_html_typed_in_a_post_is_shown_as_text(anon_client, member, public_space):
    ask_question(member, public_space, title="Widget label problem", body="Label says <b>bold</b> text")
    html = anon_client.get("/search/", {"q": "label"}).content.decode()
    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_no_results_tells_the_newcomer_to_ask(anon_client, question):
    response = anon_client.get("/search/", {"q": "spaceship"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No results for “spaceship”" in html
    assert 'href="/ask/"' in html
    assert "Ask a question" in html


def test_no_results_with_filters_offers_a_search_without_them(anon_client, question):
    html = anon_client.get("/search/", {"q": "widget", "solved": "yes"}).content.decode()
    assert "with these filters" in html
    assert 'href="/search/?q=widget"' in html


def test_filters_narrow_the_results_and_stay_selected(anon_client, question, solved_question):
    html = anon_client.get("/search/", {"q": "router wifi", "solved": "yes", "space": "widgets-setup",
                                        "tag": "router", "kind": "question"}).content.decode()
    assert "Router keeps dropping the connection" in html
    assert '<option value="yes" selected>' in html
    assert '<option value="widgets-setup" selected>' in html
    assert '<option value="question" selected>' in html
    html = anon_client.get("/search/", {"q": "widget", "solved": "yes"}).content.decode()
    assert "How do I reset my widget?" not in html


def test_the_next_page_link_leads_to_the_following_results(anon_client, member, public_space):
    for i in range(23):
        ask_question(member, public_space, title=f"Firmware update question {i:02d}", body="Firmware fails.")
    response = anon_client.get("/search/", {"q": "firmware"})
    page = response.context["page"]
    assert len(page.results) == 20
    assert "Results 1–20" in response.content.decode()
    assert page.next_cursor
    assert f"cursor={page.next_cursor}" in response.content.decode()
    second = anon_client.get("/search/", {"q": "firmware", "cursor": page.next_cursor})
    assert second.status_code == 200
    assert len(second.context["page"].results) == 3
    assert "Results 21–23" in second.content.decode()
    assert not {h.id for h in page.results} & {h.id for h in second.context["page"].results}


@pytest.mark.parametrize("params, message", [
    ({"q": "widget", "cursor": "forged!!"}, "The cursor is not one this server gave out."),
    ({"q": "widget", "cursor": "WzEwMDAwMDBd"}, "The cursor is not one this server gave out."),  # [1000000]
    ({"q": "x" * 201}, "The search is too long"),
    ({"q": "   "}, "Type a few words to search for."),
    ({"q": "widget", "solved": "maybe"}, "Solved is"),
    ({"q": "widget", "kind": "spaceship"}, "Unknown kind"),
    ({"q": "widget", "space": "no-such-space"}, "No such space."),
    ({"q": "widget", "tag": "bad tag!"}, "is not a valid tag"),
])
def test_bad_input_gives_a_400_page_with_the_reason(anon_client, question, params, message):
    response = anon_client.get("/search/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert b'name="q"' in response.content  # the form is still there to fix it


@pytest.mark.parametrize("q", ['"', "(", "NEAR(", "*", "🙂", "a OR", "-", "^x", "\\", "<script>"])
def test_odd_queries_on_the_page_never_fail(anon_client, question, q):
    response = anon_client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert b"<script>" not in response.content.split(b"</head>")[1].replace(b"<script src", b"")


def test_only_get_is_allowed(member_client):
    assert member_client.post("/search/", {"q": "widget"}).status_code == 405


def test_the_page_costs_a_fixed_number_of_queries(member_client, member, public_space,
                                                  django_assert_max_num_queries):
    for i in range(25):
        ask_question(member, public_space, title=f"Battery drains quickly {i}", body="Battery drains.",
                     tags=["battery"])
    # session, user, unread badge, visible spaces, the space list, the space tree, the search itself
    with django_assert_max_num_queries(7):
        response = member_client.get("/search/", {"q": "battery", "space": "widgets-setup", "tag": "battery"})
    assert len(response.context["page"].results) == 20


def test_the_page_costs_a_fixed_number_of_queries_for_visitors(anon_client, member, public_space,
                                                               django_assert_max_num_queries):
    for i in range(25):
        ask_question(member, public_space, title=f"Battery drains quickly {i}", body="Battery drains.")
    # visible spaces, the space list, the search itself
    with django_assert_max_num_queries(3):
        response = anon_client.get("/search/", {"q": "battery"})
    assert len(response.context["page"].results) == 20
