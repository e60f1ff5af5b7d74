"""search(): finding questions and answers by their words, ranked, filtered and paginated."""

from __future__ import annotations

import pytest

from townhall.content.services import create_post, create_topic
from townhall.core.errors import InvalidInput
from townhall.search.services import search
from townhall.spaces.models import Space
from townhall.support.services import ask_question


def found(page):
    return [(hit.type, hit.id) for hit in page.results]


def test_a_question_is_found_by_a_word_of_its_body_with_the_word_marked(member, question):
    page = search(member, "blinks")
    assert found(page) == [("topic", question.id)]
    hit = page.results[0]
    assert hit.title == "How do I reset my widget?"
    assert "<mark>blinks</mark>" in hit.snippet
    assert hit.url == f"/t/{question.id}/"
    assert (hit.space_name, hit.space_slug, hit.solved) == ("Widget setup", "widgets-setup", False)


def test_an_answer_is_found_by_its_own_words_and_links_to_its_place_in_the_topic(member, question, answer):
    page = search(member, "seconds")
    assert found(page) == [("post", answer.id)]
    hit = page.results[0]
    assert hit.title == question.title
    assert hit.topic_id == question.id
    assert hit.url == f"/t/{question.id}/#post-{answer.id}"
    assert "<mark>seconds</mark>" in hit.snippet


def test_a_title_word_finds_the_question_not_each_of_its_answers(member, question, answer):
    assert found(search(member, "widget")) == [("topic", question.id)]


def test_stemming_finds_other_forms_of_a_word(member, question):
    assert found(search(member, "resetting")) == [("topic", question.id)]
    assert found(search(member, "blinking")) == [("topic", question.id)]


def test_a_natural_language_question_finds_by_its_significant_words(member, question):
    assert found(search(member, "How do I reset the widget")) == [("topic", question.id)]


def test_all_words_must_match(member, question):
    assert found(search(member, "widget zebracorn")) == []


def test_snippets_escape_the_text_so_html_in_posts_cannot_run(member, public_space):
    topic = ask_question(member, public_space, title="Script tags in my widget label",
                         body="The label shows `<script>alert(1)</script>` and & signs verbatim.")
    hit = search(member, "label").results[0]
    assert hit.id == topic.id
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet


def test_the_title_weighs_more_than_the_body(member, public_space):
    in_body = ask_question(member, public_space, title="Something about screens",
                           body="My thermostat is fine, this is about screens and their colours.")
    in_title = ask_question(member, public_space, title="Thermostat shows the wrong temperature",
                            body="Since yesterday the display is off by five degrees.")
    assert found(search(member, "thermostat")) == [("topic", in_title.id), ("topic", in_body.id)]


def test_filter_by_space_includes_its_sub_spaces(member, question, members_space):
    elsewhere = ask_question(member, members_space, title="Widget in the lounge", body="Widget chat.")
    assert set(found(search(member, "widget"))) == {("topic", question.id), ("topic", elsewhere.id)}
    assert found(search(member, "widget", space=members_space)) == [("topic", elsewhere.id)]
    assert found(search(member, "widget", space=question.space)) == [("topic", question.id)]
    product = Space.objects.get(slug="widgets")
    assert found(search(member, "widget", space=product)) == [("topic", question.id)]


def test_filter_by_solved(member, question, solved_question):
    assert found(search(member, "evening", solved=True)) == [("topic", solved_question.id)]
    assert found(search(member, "evening", solved=False)) == []
    assert found(search(member, "widget", solved=False)) == [("topic", question.id)]
    assert found(search(member, "widget", solved=True)) == []


def test_filter_by_tags_requires_all_of_them(member, question, solved_question):
    assert found(search(member, "red", tags=["reset"])) == [("topic", question.id)]
    assert found(search(member, "red", tags=["reset", "widget-pro"])) == [("topic", question.id)]
    assert found(search(member, "red", tags=["reset", "router"])) == []
    # An answer is found under its topic's tags.
    answer_hits = search(member, "factory", tags="wifi")
    assert [hit.type for hit in answer_hits.results] == ["post"]


def test_a_tag_is_matched_whole_not_by_its_prefix(member, question):
    assert found(search(member, "red", tags=["widget"])) == []


def test_filter_by_kind(member, question, public_space):
    discussion = create_topic(member, public_space, kind="discussion", title="Widget colours we love",
                              body="Show us your widget.")
    assert found(search(member, "widget", kind="discussion")) == [("topic", discussion.id)]
    assert found(search(member, "widget", kind="question")) == [("topic", question.id)]


@pytest.mark.parametrize("kwargs, field", [
    ({"q": ""}, "q"),
    ({"q": "   "}, "q"),
    ({"q": None}, "q"),
    ({"q": "x" * 201}, "q"),
    ({"q": "widget", "kind": "spaceship"}, "kind"),
    ({"q": "widget", "tags": ["no spaces allowed!"]}, "tags"),
    ({"q": "widget", "limit": 0}, "limit"),
    ({"q": "widget", "cursor": "not-a-cursor"}, "cursor"),
    ({"q": "widget", "cursor": "WyJhIl0"}, "cursor"),  # base64 of ["a"]
])
def test_bad_input_is_refused_naming_the_field(member, question, kwargs, field):
    q = kwargs.pop("q")
    with pytest.raises(InvalidInput) as excinfo:
        search(member, q, **kwargs)
    assert field in excinfo.value.errors


NASTY = [
    '"', '""', "'", "widget\"", '"widget', "(widget", "widget)", "()", "widget AND", "AND", "OR OR",
    "NOT widget", "widget NEAR(reset)", "NEAR(widget reset, 2)", "*", "widget*", "^widget", "-widget",
    "widget -reset", "title:widget", "{title}: widget", "widget:*", "a & b | !c", "<->", "\\", "%", "_",
    "%_%", "'; DROP TABLE search_searchdocument; --", "\x00widget", "widget\x02\x03", "🙂", "widget 🙂",
    "ウィジェット", "Ünïcödé wîdget", "\u202ereset", "x" * 200, "   widget   ", "a" * 199 + "*",
]


@pytest.mark.parametrize("q", NASTY)
def test_any_query_text_gives_results_or_nothing_never_an_error(member, question, q):
    page = search(member, q)
    assert isinstance(page.results, list)


def test_a_thousand_characters_is_refused_not_crashed(member, question):
    with pytest.raises(InvalidInput):
        search(member, "widget " * 150)


def test_operators_are_taken_as_plain_words(member, question):
    assert found(search(member, '"widget" OR (reset)')) == [("topic", question.id)]
    assert found(search(member, "-widget")) == [("topic", question.id)]


def test_the_cursor_walks_through_all_results_without_repeats(member, public_space):
    ids = [
        ask_question(member, public_space, title=f"Pairing problem number {i}",
                     body="Bluetooth pairing fails.").id
        for i in range(7)
    ]
    seen, cursor, pages = [], None, 0
    while True:
        page = search(member, "pairing", cursor=cursor, limit=3)
        seen += [hit.id for hit in page.results]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(ids)


def test_replies_and_topics_of_a_thread_are_found_together(member, other, question):
    create_post(other, question, body="My widget blinks red too.")
    types = sorted(hit.type for hit in search(member, "blinks").results)
    assert types == ["post", "topic"]


def test_a_version_number_finds_the_question_on_either_database(member, public_space):
    from townhall.search.services import search
    from townhall.support.services import ask_question

    topic = ask_question(member, public_space, title="Does firmware 4.1.0 break the boiler?", body="Asking.")
    assert [hit.topic_id for hit in search(member, "firmware 4.1.0").results][:1] == [topic.pk]
