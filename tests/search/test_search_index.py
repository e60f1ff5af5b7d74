"""The index follows the content: creations, edits, deletes and restores, accepted solutions."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from townhall.activity.models import Event
from townhall.activity.services import run_consumers
from townhall.content.services import (
    create_post,
    delete_post,
    delete_topic,
    edit_post,
    edit_topic,
    restore_post,
    restore_topic,
)
from townhall.search.models import SearchDocument
from townhall.search.services import handle_event, reindex_all, search
from townhall.support.services import accept_solution, unaccept_solution


def found(user, q, **kwargs):
    return [(hit.type, hit.id) for hit in search(user, q, **kwargs).results]


def test_a_new_question_and_its_answer_each_get_one_document(question, answer):
    docs = SearchDocument.objects.order_by("doc_type")
    assert [(d.doc_type, d.object_id) for d in docs] == [("post", answer.id), ("topic", question.id)]
    topic_doc = docs.get(doc_type="topic")
    assert topic_doc.body == "It blinks red and nothing helps."  # plain text, not HTML
    assert topic_doc.tags == "reset widget-pro"
    assert (topic_doc.space_id, topic_doc.kind) == (question.space_id, "question")


def test_entities_in_the_html_are_indexed_as_the_characters_people_typed(member, public_space):
    from townhall.support.services import ask_question

    topic = ask_question(member, public_space, title="Ampersands in widget names",
                         body="Tom & Jerry < Spike")
    assert SearchDocument.objects.get(doc_type="topic", object_id=topic.id).body == "Tom & Jerry < Spike"


def test_the_solved_flag_follows_accepting_and_unaccepting(member, question, answer):
    assert found(member, "widget", solved=True) == []
    accept_solution(member, question, answer)
    assert found(member, "widget", solved=True) == [("topic", question.id)]
    assert set(SearchDocument.objects.filter(topic=question).values_list("solved", flat=True)) == {True}
    assert search(member, "seconds").results[0].solved is True
    unaccept_solution(member, question)
    assert found(member, "widget", solved=True) == []
    assert set(SearchDocument.objects.filter(topic=question).values_list("solved", flat=True)) == {False}


def test_deleting_the_accepted_answer_unsolves_the_question_in_search(member, other, question, answer):
    accept_solution(member, question, answer)
    delete_post(other, answer)
    assert found(member, "widget", solved=True) == []
    assert found(member, "widget", solved=False) == [("topic", question.id)]


def test_a_deleted_topic_and_its_answers_disappear_and_come_back_on_restore(member, moderator, question, answer):
    delete_topic(member, question)
    assert found(member, "blinks") == []
    assert found(member, "seconds") == []
    assert not SearchDocument.objects.filter(topic=question).exists()
    restore_topic(moderator, question)
    assert found(member, "blinks") == [("topic", question.id)]
    assert found(member, "seconds") == [("post", answer.id)]


def test_a_deleted_answer_disappears_with_its_comments_and_comes_back_on_restore(member, other, question, answer):
    comment = create_post(member, question, parent=answer, body="Which button exactly, the grey one?")
    assert found(member, "grey") == [("post", comment.id)]
    delete_post(other, answer)
    assert found(member, "seconds") == []
    assert found(member, "grey") == []
    restore_post(other, answer)
    assert found(member, "seconds") == [("post", answer.id)]
    assert found(member, "grey") == [("post", comment.id)]


def test_a_deleted_comment_disappears_and_comes_back(member, question, answer):
    comment = create_post(member, question, parent=answer, body="Which button exactly, the grey one?")
    delete_post(member, comment)
    assert found(member, "grey") == []
    restore_post(member, comment)
    assert found(member, "grey") == [("post", comment.id)]


def test_edits_are_reflected(member, other, question, answer):
    edit_topic(member, question, title="Widget will not power on at all", body="The LED stays dark.",
               tags=["power"])
    assert found(member, "blinks") == []
    assert found(member, "dark") == [("topic", question.id)]
    assert found(member, "power", tags=["power"]) == [("topic", question.id)]
    # The answers carry the new title and tags too.
    hit = search(member, "seconds", tags=["power"]).results[0]
    assert (hit.type, hit.title) == ("post", "Widget will not power on at all")
    edit_post(other, answer, body="Unplug it for a minute, then plug it back in.")
    assert found(member, "seconds") == []
    assert found(member, "unplug") == [("post", answer.id)]


def test_replaying_events_changes_nothing(member, question, answer):
    before = list(SearchDocument.objects.order_by("id").values())
    for event in Event.objects.order_by("id"):
        run_consumers(event)
        handle_event(event)
    assert list(SearchDocument.objects.order_by("id").values()) == before
    assert found(member, "blinks") == [("topic", question.id)]


def test_a_late_creation_event_does_not_bring_back_a_deleted_topic(member, question):
    created = Event.objects.get(verb="topic.created", topic=question)
    delete_topic(member, question)
    handle_event(created)
    assert found(member, "blinks") == []


def test_reindex_all_rebuilds_the_same_index(member, other, question, answer, solved_question):
    comment = create_post(member, question, parent=answer, body="Which button exactly, the grey one?")
    deleted = create_post(other, question, body="Nonsense about marmalade.")
    delete_post(other, deleted)
    columns = ("doc_type", "object_id", "topic_id", "space_id", "kind", "solved", "tags", "title", "body")
    before = sorted(SearchDocument.objects.values_list(*columns))
    SearchDocument.objects.all().delete()
    assert found(member, "blinks") == []
    calls = []
    written = reindex_all(progress=lambda done, total: calls.append((done, total)))
    assert written == 5
    assert sorted(SearchDocument.objects.values_list(*columns)) == before
    assert calls[-1] == (2, 2)
    assert found(member, "grey") == [("post", comment.id)]
    assert found(member, "marmalade") == []


def test_the_reindex_command_reports_progress_and_a_summary(question, answer):
    out = StringIO()
    call_command("reindex", stdout=out)
    text = out.getvalue()
    assert "Indexing topics: 1/1" in text
    assert "Indexed 2 documents in" in text
    assert "seconds" in text
    assert SearchDocument.objects.count() == 2
