"""Writing content: topics and posts, validation, counters, edits with history, soft delete."""

import pytest
from django.utils import timezone

from townhall.content import services
from townhall.content.models import Post, Revision, Tag, Topic
from townhall.core.errors import InvalidInput, NotAllowed, NotFound, RateLimited, Unprocessable
from townhall.support.services import ask_question


def test_asking_stores_rendered_sanitised_html_and_counts_it(member, public_space):
    topic = ask_question(member, public_space, title="Widget will not pair",
                         body="Try <script>alert(1)</script> **bold** [x](javascript:alert(1))")
    assert "<strong>bold</strong>" in topic.body_html
    assert "<script>" not in topic.body_html
    assert "href=\"javascript" not in topic.body_html
    public_space.refresh_from_db()
    member.refresh_from_db()
    assert public_space.topic_count == 1
    assert member.question_count == 1


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("", "body", "title"),
        ("   ", "body", "title"),
        ("Hi", "body", "title"),
        ("x" * 201, "body", "title"),
        ("A good title", "", "body"),
        ("A good title", "   \n ", "body"),
        ("A good title", "x" * 50_001, "body"),
        ("A good title", None, "body"),
    ],
)
def test_bad_title_or_body_is_refused_naming_the_field(member, public_space, title, body, field):
    with pytest.raises(InvalidInput) as exc:
        ask_question(member, public_space, title=title, body=body)
    assert field in exc.value.errors
    assert Topic.objects.count() == 0


@pytest.mark.parametrize("tags", [["has space"], ["<b>"], ["a"] * 1 + ["b", "c", "d", "e", "f"], ["x" * 41]])
def test_bad_tags_are_refused(member, public_space, tags):
    with pytest.raises(InvalidInput) as exc:
        ask_question(member, public_space, title="A good title", body="Body", tags=tags)
    assert "tags" in exc.value.errors


def test_tags_are_normalised_and_counted(member, public_space):
    topic = ask_question(member, public_space, title="A good title", body="Body", tags="Reset, #WiFi reset")
    assert sorted(topic.tags.values_list("name", flat=True)) == ["reset", "wifi"]
    assert Tag.objects.get(name="wifi").topic_count == 1


def test_a_private_space_is_not_found_by_an_outsider(outsider, private_space):
    with pytest.raises(NotFound):
        ask_question(outsider, private_space, title="Sneaky question", body="Let me in")


def test_a_question_cannot_go_into_a_blog_space(member, db):
    from townhall.spaces.models import Space

    blog = Space.objects.create(slug="news", name="News", kind="blog")
    with pytest.raises(Unprocessable) as exc:
        ask_question(member, blog, title="A good title", body="Body")
    assert "kind" in exc.value.errors


def test_answers_and_comments_update_counters(question, other, member):
    answer = services.create_post(other, question, body="Try turning it off and on.")
    comment = services.create_post(member, question, body="Did not help", parent=answer)
    reply_to_comment = services.create_post(other, question, body="Then hold reset", parent=comment)
    question.refresh_from_db()
    answer.refresh_from_db()
    assert question.answer_count == 1
    assert question.reply_count == 3
    assert answer.comment_count == 2
    # Comments stay one level deep: a reply to a comment goes under the answer.
    assert reply_to_comment.parent_id == answer.id


def test_mentions_link_only_existing_members(question, other, member):
    post = services.create_post(other, question, body="@member see this, and @nobody_here too")
    assert 'href="/u/member/"' in post.body_html
    assert "/u/nobody_here/" not in post.body_html


def test_links_in_posts_get_nofollow_ugc(question, other):
    post = services.create_post(other, question, body="See https://example.com/help")
    assert 'rel="nofollow ugc noopener"' in post.body_html


def test_editing_keeps_history_and_marks_edited(question, member):
    services.edit_topic(member, question, title="How do I reset my widget fully?", body="New body")
    question.refresh_from_db()
    assert question.edited_at is not None
    revision = Revision.objects.get(topic=question)
    assert revision.title == "How do I reset my widget?"
    assert "nothing" in revision.body


def test_only_author_or_moderator_may_edit(answer, member, moderator):
    with pytest.raises(NotAllowed):
        services.edit_post(member, answer, body="Hijacked")
    services.edit_post(moderator, answer, body="Hold the reset button for ten seconds.")
    answer.refresh_from_db()
    assert answer.edited_at is not None
    assert answer.revisions.count() == 1


def test_soft_delete_and_restore_keep_counters_right(answer, other, question):
    services.delete_post(other, answer)
    question.refresh_from_db()
    assert question.answer_count == 0
    assert Post.objects.filter(pk=answer.pk).exists()
    services.restore_post(other, answer)
    question.refresh_from_db()
    assert question.answer_count == 1


def test_an_author_cannot_restore_what_a_moderator_deleted(answer, other, moderator):
    services.delete_post(moderator, answer)
    with pytest.raises(NotAllowed):
        services.restore_post(other, answer)


def test_deleted_topic_is_hidden_from_members_but_not_moderators(question, member, other, moderator):
    services.delete_topic(member, question)
    with pytest.raises(NotFound):
        services.get_topic_for(other, question.pk)
    assert services.get_topic_for(moderator, question.pk).is_deleted


def test_kudos_counts_once_and_not_on_own_post(answer, member, other):
    from townhall.core.errors import Conflict

    assert services.give_kudos(member, answer) == 1
    with pytest.raises(Conflict):
        services.give_kudos(member, answer)
    with pytest.raises(Unprocessable):
        services.give_kudos(other, answer)
    other.refresh_from_db()
    assert other.reputation == 10
    assert services.withdraw_kudos(member, answer) == 0


def test_topic_vote_is_idempotent(question, other):
    assert services.set_topic_vote(other, question, 1) == (1, 1)
    assert services.set_topic_vote(other, question, 1) == (1, 1)
    assert services.set_topic_vote(other, question, 0) == (0, 0)
    assert services.set_topic_vote(other, question, 0) == (0, 0)
    with pytest.raises(InvalidInput):
        services.set_topic_vote(other, question, 5)


def test_new_accounts_are_rate_limited_when_posting(settings, public_space):
    from tests.conftest import make_user

    settings.NEW_ACCOUNT_POSTS_PER_HOUR = 2
    newbie = make_user("newbie", date_joined=timezone.now())
    for i in range(2):
        ask_question(newbie, public_space, title=f"Question number {i}", body="Body")
    with pytest.raises(RateLimited) as exc:
        ask_question(newbie, public_space, title="Question number 3", body="Body")
    assert exc.value.retry_after > 0
    assert Topic.objects.filter(author=newbie).count() == 2


def test_established_members_are_not_rate_limited(settings, member, public_space):
    settings.NEW_ACCOUNT_POSTS_PER_HOUR = 1
    for i in range(3):
        ask_question(member, public_space, title=f"Question number {i}", body="Body")
    assert Topic.objects.filter(author=member).count() == 3
