"""Imported content lives on like any other: comments on a question are not answers, imported votes
survive the nightly recount, and members can keep voting on it."""

from __future__ import annotations

import pytest

from townhall.content.models import Post, Topic
from townhall.content.services import (
    create_post,
    delete_post,
    give_kudos,
    reconcile_counters,
    restore_post,
    set_topic_vote,
)
from townhall.core.errors import InvalidInput, Unprocessable
from townhall.imports.services import import_stackexchange
from townhall.support.services import accept_solution

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(conlang_dump):
    import_stackexchange(conlang_dump)
    return Topic.objects.get(imported_from="se:conlang-meta-stackexchange:post:1")


def topic_comment(question):
    return Post.objects.filter(topic=question, is_topic_comment=True).first()


def test_a_comment_on_the_question_is_not_an_answer(question, anon_client):
    comment = topic_comment(question)
    assert comment is not None and comment.parent_id is None
    page = anon_client.get(question.get_absolute_url()).content.decode()
    assert page.count('<article id="post-') == question.answer_count == 3
    assert f'id="post-{comment.pk}" class="comment"' in page


def test_a_comment_on_the_question_cannot_be_accepted_or_replied_to(question, member):
    comment = topic_comment(question)
    with pytest.raises(Unprocessable, match="A comment cannot be the solution"):
        accept_solution(question.author, question, comment)
    with pytest.raises(InvalidInput, match="Comments on the question cannot be replied to") as exc:
        create_post(member, question, body="A reply", parent=comment)
    assert exc.value.errors == {"parent": [exc.value.message]}


def test_deleting_and_restoring_a_comment_on_the_question_leaves_the_answer_count_alone(question, owner):
    comment = topic_comment(question)
    delete_post(owner, comment)
    question.refresh_from_db()
    assert question.answer_count == 3
    restore_post(owner, comment)
    question.refresh_from_db()
    assert question.answer_count == 3


def test_the_nightly_recount_keeps_the_imported_votes(question):
    answer = Post.objects.get(imported_from="se:conlang-meta-stackexchange:post:2")
    before = (question.vote_count, answer.kudos_count)
    assert before[0] > 0 and before[1] > 0
    assert sum(reconcile_counters().values()) == 0
    question.refresh_from_db()
    answer.refresh_from_db()
    assert (question.vote_count, answer.kudos_count) == before


def test_members_vote_on_imported_content_on_top_of_the_imported_votes(question, member):
    answer = Post.objects.get(imported_from="se:conlang-meta-stackexchange:post:2")
    kudos, votes = answer.kudos_count, question.vote_count
    author_reputation = answer.author.reputation
    assert give_kudos(member, answer) == kudos + 1
    assert set_topic_vote(member, question, 1)[0] == votes + 1
    assert sum(reconcile_counters().values()) == 0
    answer.author.refresh_from_db()
    assert answer.author.reputation == author_reputation + 10
