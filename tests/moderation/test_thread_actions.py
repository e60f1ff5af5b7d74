"""The review queue's actions on threads: lock and unlock, move, merge (posts, votes and followers follow),
mark as a duplicate, edit with a public "edited by a moderator" note, and reply to the author. Each needs
a reason, closes the item's open flags, tells the flaggers, and is in the audit log."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.api.conftest import api_for, assert_error
from tests.conftest import make_user
from townhall.content.models import Post, Topic, TopicVote
from townhall.content.services import create_post, edit_post, set_topic_vote
from townhall.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, Unprocessable
from townhall.moderation.models import AuditEntry, Flag, ModeratorMessage
from townhall.moderation.services import flag, review
from townhall.notifications.models import Notification, Subscription
from townhall.notifications.services import subscribe
from townhall.spaces.models import Space
from townhall.support.models import Question
from townhall.support.services import accept_solution, ask_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def second(other, public_space):
    return ask_question(other, public_space, title="Widget keeps resetting itself",
                        body="Mine resets too, every hour.", tags=["reset"])


@pytest.fixture
def other_forum(db):
    return Space.objects.create(slug="gadgets", name="Gadgets", kind="forum", visibility="public")


# Lock ------------------------------------------------------------------------------------------


def test_a_locked_topic_takes_no_replies_but_from_moderators_and_says_why(moderator, other, question, anon_client):
    review(moderator, "lock", topic=question, reason="Heated: cooling off for a day (rule 2)")
    with pytest.raises(Unprocessable) as refused:
        create_post(other, Topic.objects.get(pk=question.pk), body="One more thing!")
    assert "locked" in refused.value.message and "rule 2" in refused.value.message
    create_post(moderator, Topic.objects.get(pk=question.pk), body="Locked while we sort this out.")
    page = anon_client.get(question.get_absolute_url()).content.decode()
    assert "Locked by the moderators: Heated: cooling off for a day (rule 2)" in page
    entry = AuditEntry.objects.get(action="lock")
    assert (entry.actor_name, entry.target_id, entry.after) == ("moderator", question.pk, {"locked": True})


def test_locking_twice_is_refused_and_unlock_opens_it_again(moderator, other, question):
    review(moderator, "lock", topic=question, reason="Rule 2")
    with pytest.raises(Conflict):
        review(moderator, "lock", topic=Topic.objects.get(pk=question.pk), reason="Rule 2")
    review(moderator, "unlock", topic=Topic.objects.get(pk=question.pk), reason="Calm again")
    create_post(other, Topic.objects.get(pk=question.pk), body="Thanks for reopening.")
    assert AuditEntry.objects.filter(action__in=["lock", "unlock"]).count() == 2


def test_the_answer_form_says_the_topic_is_locked(moderator, other_client, question):
    review(moderator, "lock", topic=question, reason="Resolved elsewhere")
    page = other_client.get(question.get_absolute_url()).content.decode()
    assert "This topic is locked: Resolved elsewhere." in page and "Post your answer" not in page
    refused = other_client.post(reverse("topic_answer", args=[question.pk]), {"body": "Sneaking in"})
    assert refused.status_code == 400 and not Post.objects.filter(body="Sneaking in").exists()
    assert "This topic is locked" in refused.content.decode()
    assert "Sneaking in</textarea>" in refused.content.decode()  # the text written meanwhile is not lost


def test_only_topics_are_locked_and_members_cannot_lock(moderator, member, answer, question):
    with pytest.raises(Unprocessable):
        review(moderator, "lock", post=answer, reason="Rule 2")
    with pytest.raises(NotAllowed):
        review(member, "lock", topic=question, reason="Rule 2")


# Move ------------------------------------------------------------------------------------------


def test_moving_a_topic_takes_its_replies_and_counts_along(moderator, question, answer, public_space, other_forum):
    result = review(moderator, "move", topic=question, into="gadgets", reason="Belongs with gadgets")
    assert result["outcome"] == "moved to Gadgets"
    assert Topic.objects.get(pk=question.pk).space_id == other_forum.pk
    source, target = Space.objects.get(pk=public_space.pk), Space.objects.get(pk=other_forum.pk)
    assert (source.topic_count, source.post_count) == (0, 0)
    assert (target.topic_count, target.post_count) == (1, 1)
    entry = AuditEntry.objects.get(action="move")
    assert entry.before["space"] == public_space.pk and entry.after["space"] == other_forum.pk


def test_a_move_is_refused_into_a_space_that_cannot_take_it_or_is_unseen(moderator, question, private_space):
    Space.objects.create(slug="news", name="News", kind="blog", visibility="public")
    with pytest.raises(Unprocessable):
        review(moderator, "move", topic=question, into="news", reason="Move")
    with pytest.raises(NotFound):
        review(moderator, "move", topic=question, into=private_space.slug, reason="Move")
    with pytest.raises(Conflict):
        review(moderator, "move", topic=question, into=question.space.slug, reason="Move")
    with pytest.raises(NotFound):
        review(moderator, "move", topic=question, into="no-such-space\x00", reason="Move")


def test_a_moved_topic_is_found_in_search_under_its_new_space(moderator, member_client, question, other_forum):
    review(moderator, "move", topic=question, into=str(other_forum.pk), reason="Gadgets")
    found = member_client.get(reverse("search"), {"q": "widget", "space": "gadgets"}).content.decode()
    assert "How do I reset my widget?" in found


# Merge -----------------------------------------------------------------------------------------


def test_merging_moves_posts_votes_and_followers_and_redirects(moderator, member, other, outsider, question, second,
                                                               anon_client):
    first_answer = create_post(outsider, second, body="Update the firmware to 2.1.")
    set_topic_vote(outsider, second, 1)
    set_topic_vote(make_user("voter"), second, 1)
    both = make_user("both")
    set_topic_vote(both, second, 1)
    set_topic_vote(both, question, 1)
    subscribe(make_user("watcher"), topic=second)
    result = review(moderator, "merge", topic=second, into=question.pk, reason="Same problem: merged")
    assert result["outcome"] == "merged into “How do I reset my widget?”"
    target = Topic.objects.get(pk=question.pk)
    assert Post.objects.get(pk=first_answer.pk).topic_id == question.pk
    carried = Post.objects.get(topic=target, is_topic_comment=True)
    assert carried.author_id == other.pk and carried.body == "Mine resets too, every hour."
    assert "Moved here from “Widget keeps resetting itself”" in carried.moderator_note
    assert (target.answer_count, target.reply_count) == (1, 2)
    assert target.vote_count == 3 == TopicVote.objects.filter(topic=target).count()  # "both" counted once
    from townhall.reputation.services import recompute_reputation

    live = {u.username: u.reputation for u in get_user_model().objects.all()}
    recompute_reputation()
    assert live == {u.username: u.reputation for u in get_user_model().objects.all()}  # the points followed
    assert Subscription.objects.filter(topic=target, user__username="watcher").exists()
    source = Topic.objects.get(pk=second.pk)
    assert source.is_deleted and source.merged_into_id == question.pk
    moved = anon_client.get(second.get_absolute_url())
    assert moved.status_code == 302 and moved.url == question.get_absolute_url()
    page = anon_client.get(question.get_absolute_url()).content.decode()
    assert "Update the firmware to 2.1." in page and "Mine resets too" in page
    assert AuditEntry.objects.get(action="merge").after["merged_into"] == question.pk


def test_a_merged_questions_solution_goes_with_it_when_the_target_has_none(moderator, member, other, question,
                                                                          second):
    fix = create_post(member, second, body="Unplug it overnight.")
    accept_solution(other, second, fix)
    review(moderator, "merge", topic=second, into=question.pk, reason="Duplicate")
    assert Question.objects.get(topic=question).accepted_post_id == fix.pk
    assert Topic.objects.get(pk=question.pk).status == "solved"


def test_merge_is_refused_into_itself_across_kinds_twice_or_unseen(moderator, question, second, private_question,
                                                                  other_forum, other):
    with pytest.raises(Unprocessable):
        review(moderator, "merge", topic=question, into=question.pk, reason="x")
    with pytest.raises(InvalidInput):
        review(moderator, "merge", topic=question, into="abc", reason="x")
    with pytest.raises(NotFound):
        review(moderator, "merge", topic=question, into=private_question.pk, reason="x")
    from townhall.content.services import create_topic

    talk = create_topic(other, other_forum, kind="discussion", title="Chat about widgets", body="Anything goes.")
    with pytest.raises(Unprocessable):
        review(moderator, "merge", topic=second, into=talk.pk, reason="x")
    review(moderator, "merge", topic=second, into=question.pk, reason="Same")
    with pytest.raises((Conflict, NotFound)):
        review(moderator, "merge", topic=Topic.objects.get(pk=second.pk), into=question.pk, reason="Same")


# Duplicate -------------------------------------------------------------------------------------


def test_a_duplicate_points_to_the_original_and_takes_comments_but_no_answers(moderator, outsider, question, second,
                                                                             anon_client):
    reply = create_post(outsider, second, body="Try the reset pin.")
    review(moderator, "duplicate", topic=second, into=question.pk, reason="Asked before")
    page = anon_client.get(second.get_absolute_url()).content.decode()
    assert "This question has been asked before" in page and question.get_absolute_url() in page
    with pytest.raises(Unprocessable):
        create_post(outsider, Topic.objects.get(pk=second.pk), body="Another answer")
    create_post(outsider, Topic.objects.get(pk=second.pk), body="Thanks, that one helped.", parent=reply)
    with pytest.raises(Conflict):
        review(moderator, "duplicate", topic=Topic.objects.get(pk=second.pk), into=question.pk, reason="Again")
    with pytest.raises(Unprocessable):  # no cycles
        review(moderator, "duplicate", topic=question, into=second.pk, reason="Other way round")


# Edit with a note, reply to the author --------------------------------------------------------------


def test_a_moderators_edit_shows_a_public_note_with_the_reason(moderator, member, answer, question, anon_client):
    flag(member, post=answer, reason="other", note="Has a phone number in it")
    result = review(moderator, "edit", post=answer, body="Hold the button for ten seconds. [number removed]",
                    reason="Personal data removed (rule 5)")
    assert result["flags_closed"] == 1 and Flag.objects.get().outcome == "edited"
    page = anon_client.get(question.get_absolute_url()).content.decode()
    assert "Edited by a moderator: Personal data removed (rule 5)" in page and "[number removed]" in page
    entry = AuditEntry.objects.get(action="edit", target_type="post")
    assert entry.reason == "Personal data removed (rule 5)"
    assert entry.before["body"] == "Hold the button for ten seconds."


def test_an_edit_that_changes_nothing_or_an_authors_own_note_is_refused(moderator, other, answer, question):
    with pytest.raises(Unprocessable):
        review(moderator, "edit", post=answer, body=answer.body, reason="Tidy")
    with pytest.raises(Unprocessable):
        edit_post(other, answer, body="My own edit", moderator_note="I am a moderator now")
    review(moderator, "edit", topic=question, title="How do I reset my Widget Pro?", body=question.body,
           reason="Clearer title")
    topic = Topic.objects.get(pk=question.pk)
    assert topic.title == "How do I reset my Widget Pro?" and topic.moderator_note == "Clearer title"


def test_replying_to_the_author_sends_a_private_message(moderator, other, other_client, member_client, answer):
    review(moderator, "reply", post=answer, message="Please add the model number next time.", reason="Rule 4")
    message = ModeratorMessage.objects.get()
    assert (message.member_id, message.post_id) == (other.pk, answer.pk)
    assert Notification.objects.filter(user=other, verb="moderator_message").count() == 1
    standing = other_client.get(reverse("my_standing")).content.decode()
    assert "Please add the model number next time." in standing
    assert "Please add the model number" not in member_client.get(reverse("my_standing")).content.decode()
    with pytest.raises(InvalidInput):
        review(moderator, "reply", post=answer, message="  ", reason="Rule 4")
    assert AuditEntry.objects.filter(action="message_author", target_id=other.pk).count() == 1


def test_every_action_needs_a_reason(moderator, question):
    with pytest.raises(InvalidInput) as missing:
        review(moderator, "lock", topic=question, reason=" ")
    assert "reason" in missing.value.errors


def test_a_moderator_cannot_act_on_a_private_space_they_cannot_see(moderator, private_question, question):
    for action, extra in [("lock", {}), ("move", {"into": "widgets"}), ("merge", {"into": question.pk})]:
        with pytest.raises(NotFound):
            review(moderator, action, topic=private_question, reason="x", **extra)


# Pages and API ------------------------------------------------------------------------------------


def test_a_moderator_locks_from_the_topic_page_and_a_member_is_refused(moderator_client, member_client, question):
    page = moderator_client.get(question.get_absolute_url()).content.decode()
    assert "Moderate this topic" in page
    assert "Moderate this topic" not in member_client.get(question.get_absolute_url()).content.decode()
    done = moderator_client.post(reverse("review_item", args=["topic", question.pk]),
                                 {"action": "lock", "reason": "Off the rails", "next": question.get_absolute_url()})
    assert done.status_code == 302 and done.url == question.get_absolute_url()
    assert Topic.objects.get(pk=question.pk).is_locked
    refused = member_client.post(reverse("review_item", args=["topic", question.pk]),
                                 {"action": "unlock", "reason": "Mine"})
    assert refused.status_code == 403 and Topic.objects.get(pk=question.pk).is_locked


def test_the_queue_page_merges_and_reports_bad_input(moderator_client, member, question, second):
    flag(member, topic=second, reason="duplicate")
    queue = moderator_client.get(reverse("review_queue")).content.decode()
    assert "Merge into that topic" in queue and "About the author" in queue
    bad = moderator_client.post(reverse("review_item", args=["topic", second.pk]),
                                {"action": "merge", "into": "not a number", "reason": "Same"}, follow=True)
    assert "Name the other topic by its id" in bad.content.decode()
    moderator_client.post(reverse("review_item", args=["topic", second.pk]),
                          {"action": "merge", "into": str(question.pk), "reason": "Same"})
    assert Topic.objects.get(pk=second.pk).merged_into_id == question.pk
    assert Notification.objects.filter(user=member, verb="flag_upheld").exists()


def test_the_api_runs_every_queue_action_with_the_same_rules(moderator, member, other, question, second, answer,
                                                            other_forum):
    mod = api_for(moderator)
    assert_error(api_for(member).post("/moderation/actions", {"action": "lock", "topic": question.pk,
                                                              "reason": "x"}), 403)
    assert mod.post("/moderation/actions", {"action": "lock", "topic": question.pk, "reason": "Rule 2"}).json()[
        "outcome"] == "locked"
    assert_error(mod.post("/moderation/actions", {"action": "lock", "topic": question.pk, "reason": "Rule 2"}), 409)
    moved = mod.post("/moderation/actions", {"action": "move", "topic": question.pk, "into": "gadgets",
                                             "reason": "Gadgets"})
    assert moved.status_code == 200 and moved.json()["outcome"] == "moved to Gadgets"
    dup = mod.post("/moderation/actions", {"action": "duplicate", "topic": second.pk, "into": question.pk,
                                           "reason": "Asked before"})
    assert dup.status_code == 200
    edited = mod.post("/moderation/actions", {"action": "edit", "post": answer.pk, "body": "Hold it for 10 s.",
                                              "reason": "Clarity"})
    assert edited.status_code == 200 and Post.objects.get(pk=answer.pk).moderator_note == "Clarity"
    told = mod.post("/moderation/actions", {"action": "reply", "post": answer.pk, "message": "Thanks!",
                                            "reason": "Kind word"})
    assert told.status_code == 200 and ModeratorMessage.objects.filter(member=other).exists()
    merged = mod.post("/moderation/actions", {"action": "merge", "topic": second.pk, "into": question.pk,
                                              "reason": "Same"})
    assert merged.status_code == 200 and Topic.objects.get(pk=second.pk).merged_into_id == question.pk
    assert_error(mod.post("/moderation/actions", {"action": "merge", "topic": question.pk, "into": "x\x00",
                                                  "reason": "Same"}), 400)


def test_a_flagged_profile_is_dismissed_or_its_member_written_to(moderator, member, other, moderator_client):
    flag(member, member=other, reason="spam", note="")
    queue = moderator_client.get(reverse("review_queue")).content.decode()
    assert "Dismiss the flags" in queue
    review(moderator, "reply", member=other, message="Please remove the shop link from your bio.", reason="Rule 3")
    assert ModeratorMessage.objects.get(member=other).topic_id is None
    assert Flag.objects.get().status == "upheld"
    flag(member, member=other, reason="abusive", note="")
    done = moderator_client.post(reverse("review_item", args=["member", other.username]),
                                 {"action": "approve", "reason": "The bio is fine"})
    assert done.status_code == 302 and Flag.objects.filter(status="dismissed").count() == 1
    with pytest.raises(Unprocessable):
        review(moderator, "delete", member=other, reason="x")


def test_the_queue_page_costs_the_same_for_few_and_many_items(moderator_client, member, public_space,
                                                              django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fill(count):
        for n in range(count):
            author = make_user(f"author{Topic.objects.count()}")
            topic = ask_question(author, public_space, title=f"Widget question number {Topic.objects.count()}",
                                 body="Something about widgets.")
            flag(member, topic=topic, reason="off_topic")
            post = create_post(author, topic, body=f"A reply, number {n}.")
            flag(member, post=post, reason="spam")

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert moderator_client.get(reverse("review_queue")).status_code == 200
        return len(queries)

    fill(2)
    cost()  # warm: the session, the visible spaces and the badge are cached after the first visit
    few = cost()
    fill(8)
    with django_assert_max_num_queries(16):
        moderator_client.get(reverse("review_queue"))
    assert cost() == few


def test_a_moderator_editing_from_the_edit_page_may_leave_a_public_note(moderator_client, other_client, answer,
                                                                       anon_client, question):
    assert "Why you edit it" not in other_client.get(reverse("post_edit", args=[answer.pk])).content.decode()
    assert "Why you edit it" in moderator_client.get(reverse("post_edit", args=[answer.pk])).content.decode()
    moderator_client.post(reverse("post_edit", args=[answer.pk]),
                          {"body": "Hold the reset button for ten seconds.", "moderator_note": "Named the button"})
    assert "Edited by a moderator: Named the button" in anon_client.get(question.get_absolute_url()).content.decode()
    # The author's own edit page sends no note, even one forged into the form; their edit retires the old one.
    other_client.post(reverse("post_edit", args=[answer.pk]),
                      {"body": "Hold the reset button for 10 seconds.", "moderator_note": "I am a moderator"})
    assert Post.objects.get(pk=answer.pk).moderator_note == ""
