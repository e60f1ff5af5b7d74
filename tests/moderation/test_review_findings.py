"""What a review of the queue actions and holds found, pinned: hidden things stay hidden and out of the
counts, a hold is settled only by a decision, bad input is refused, and measures are not doubled."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import api_for, assert_error
from tests.conftest import client_for, make_user
from townhall.content.models import Post, Topic
from townhall.content.services import create_post, delete_topic, reconcile_counters, restore_topic
from townhall.core.errors import Conflict, NotFound, Unprocessable
from townhall.moderation.models import Flag, ModeratorMessage
from townhall.moderation.services import flag, remove_as_spam, review, review_queue, sanction
from townhall.spaces.models import Space
from townhall.support.models import Question
from townhall.support.services import ask_question, escalate_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    return make_user("newcomer", date_joined=timezone.now() - timezone.timedelta(hours=2))


@pytest.fixture
def held_topic(newcomer, public_space):
    Space.objects.filter(pk=public_space.pk).update(hold_first_posts=True)
    public_space.refresh_from_db()
    return ask_question(newcomer, public_space, title="Where is the manual?", body="I cannot find it anywhere.")


def test_an_author_cannot_reply_inside_their_own_hidden_topic(settings, member, other, outsider, question):
    settings.FLAG_HIDE_WEIGHT = 2
    flag(other, topic=question, reason="off_topic")
    flag(outsider, topic=question, reason="off_topic")
    with pytest.raises(Unprocessable) as refused:
        create_post(member, Topic.objects.get(pk=question.pk), body="Bumping my question.")
    assert "waits for a moderator" in refused.value.message
    assert not any(reconcile_counters().values())  # every kept counter matches the rows


def test_removing_a_held_topic_takes_it_from_its_author_too(newcomer, held_topic, moderator):
    review(moderator, "delete", topic=Topic.objects.get(pk=held_topic.pk), reason="Not a question")
    assert client_for(newcomer).get(held_topic.get_absolute_url()).status_code == 404
    assert_error(api_for(newcomer).get(f"/topics/{held_topic.pk}"), 404)
    assert review_queue(moderator) == []


def test_a_word_to_the_author_leaves_the_hold_waiting(newcomer, held_topic, moderator):
    review(moderator, "reply", topic=Topic.objects.get(pk=held_topic.pk), message="Which model?", reason="Unclear")
    assert ModeratorMessage.objects.filter(member=newcomer).exists()
    assert [item["held"] for item in review_queue(moderator)] == [True]
    review(moderator, "approve", topic=Topic.objects.get(pk=held_topic.pk), reason="Fine now")
    assert not Topic.objects.get(pk=held_topic.pk).is_deleted


def test_a_held_answer_leaves_an_escalated_question_in_the_queue_until_approved(question, moderator):
    escalate_question(question, reason="unanswered")
    fresh = make_user("dealsdeals", date_joined=timezone.now(), display_name="deals www.deals.shop")
    held = create_post(fresh, question, body="Answer at https://deals.example.org/x")
    assert Post.objects.get(pk=held.pk).is_deleted
    assert Question.objects.get(topic=question).queue_state == "queued"
    review(moderator, "approve", post=Post.objects.get(pk=held.pk), reason="A real answer")
    assert Question.objects.get(topic=question).queue_state == "community"


def test_a_nul_in_a_moderators_edit_is_refused_with_a_message(moderator_client, answer, question):
    done = moderator_client.post(reverse("review_item", args=["post", answer.pk]),
                                 {"action": "edit", "reason": "Tidy", "body": "a\x00b"}, follow=True)
    assert done.status_code == 200 and "not allowed" in done.content.decode()
    assert Post.objects.get(pk=answer.pk).body == "Hold the button for ten seconds."


def test_a_move_to_an_odd_space_name_is_refused_not_a_server_error(moderator, question):
    assert_error(api_for(moderator).post("/moderation/actions", {"action": "move", "topic": question.pk,
                                                                 "into": "²", "reason": "x"}), 404)


def test_a_second_moderator_cannot_ban_a_banned_member_again(moderator, other):
    second = make_user("second_mod", is_moderator=True)
    sanction(moderator, other, "ban", reason="Rule 3: spam")
    with pytest.raises(Conflict):
        sanction(second, other, "ban", reason="Spam links everywhere")
    sanction(second, other, "suspension", reason="Also abusive", days=3)  # another kind is a decision of its own


def test_a_longer_measure_of_the_same_kind_may_replace_a_shorter_one(moderator, other):
    sanction(moderator, other, "suspension", reason="Rule 1", days=1)
    sanction(make_user("mod_b", is_moderator=True), other, "suspension", reason="Rule 1 again", days=7)
    with pytest.raises(Conflict):
        sanction(moderator, other, "suspension", reason="Rule 1, once more", days=2)


def test_a_merged_topic_cannot_be_restored_and_its_address_says_nothing_to_outsiders(
        moderator, member, private_question, agent):
    second = ask_question(agent, private_question.space, title="Roadmap widget question again", body="Same?")
    review(make_user("admin", is_staff=True, is_superuser=True), "merge", topic=second, into=private_question.pk,
           reason="Same")
    with pytest.raises(Unprocessable):
        restore_topic(make_user("admin2", is_staff=True, is_superuser=True), Topic.objects.get(pk=second.pk))
    assert client_for(make_user("stranger")).get(second.get_absolute_url()).status_code == 404
    moved = client_for(member).get(second.get_absolute_url())
    assert moved.status_code == 302 and moved.url == private_question.get_absolute_url()


def test_a_duplicate_points_only_to_an_original_readers_can_open(moderator, member, question, public_space,
                                                                 other):
    gone = ask_question(other, public_space, title="Widget resets by itself", body="Again and again.")
    repeat = ask_question(other, public_space, title="Widget resets on its own", body="Every day.")
    delete_topic(moderator, gone, reason="Removed")
    with pytest.raises(Unprocessable):
        review(moderator, "duplicate", topic=repeat, into=gone.pk, reason="Same")
    with pytest.raises(NotFound):
        review(moderator, "duplicate", topic=repeat, into=10**12, reason="Same")


def test_the_spam_action_also_removes_what_waits_for_review(newcomer, held_topic, moderator, member):
    flag(member, member=newcomer, reason="spam")
    sweep = remove_as_spam(moderator, newcomer, reason="Spam account")
    assert held_topic.pk in sweep.topic_ids
    assert Topic.objects.get(pk=held_topic.pk).deleted_by_id == moderator.pk
    assert not Flag.objects.filter(status="open").exists() and review_queue(moderator) == []


def test_the_standing_page_does_not_name_a_topic_its_member_can_no_longer_see(moderator, other, answer, question):
    review(moderator, "reply", post=answer, message="Please be kinder.", reason="Rule 1")
    delete_topic(moderator, Topic.objects.get(pk=question.pk), reason="Removed")
    page = client_for(other).get(reverse("my_standing")).content.decode()
    assert "Please be kinder." in page and "How do I reset my widget?" not in page


def test_a_held_topic_is_published_from_the_queue_not_by_the_pages_restore(newcomer, held_topic, moderator_client):
    page = moderator_client.get(held_topic.get_absolute_url()).content.decode()
    assert "Decide it in the" in page and reverse("topic_restore", args=[held_topic.pk]) not in page
    sent = moderator_client.post(reverse("topic_restore", args=[held_topic.pk]))
    assert sent.status_code == 302 and sent.url == reverse("review_queue")
    assert Topic.objects.get(pk=held_topic.pk).is_deleted and Flag.objects.get().status == "open"


def test_enter_in_a_moderators_field_runs_no_action(moderator_client, question):
    page = moderator_client.get(question.get_absolute_url()).content.decode()
    tools = page[page.index('class="stacked review-form"'):]
    first_button = tools[tools.index("<button"):tools.index("</button>")]
    assert "disabled" in first_button and "hidden" in first_button


def test_a_moderator_edits_their_own_topic_with_the_tools_without_a_note(moderator, public_space):
    own = ask_question(moderator, public_space, title="Welcome to the widget forum", body="Read the rules.")
    review(moderator, "edit", topic=own, title=own.title, body="Read the rules, then ask.", reason="Wording")
    edited = Topic.objects.get(pk=own.pk)
    assert edited.body == "Read the rules, then ask." and edited.moderator_note == ""


def test_an_untouched_text_sent_with_windows_line_ends_is_not_an_edit(moderator, other, question):
    answer = create_post(other, question, body="First line.\nSecond line.")
    with pytest.raises(Unprocessable):
        review(moderator, "edit", post=answer, body="First line.\r\nSecond line.", reason="Tidy")
