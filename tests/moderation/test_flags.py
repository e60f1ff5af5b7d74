"""Flags: any member reports a topic, a post or a profile; enough weight hides it until a moderator
reviews it; a review closes the flags, tells the flaggers, and is recorded in the audit log."""

from __future__ import annotations

import pytest

from tests.conftest import make_user
from townhall.content.models import Post, Topic
from townhall.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, Unprocessable
from townhall.moderation.models import AuditEntry, Flag
from townhall.moderation.services import flag, review, review_queue
from townhall.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def spam(other, question):
    from townhall.content.services import create_post

    return create_post(other, question, body="Cheap watches at http://spam.example.com buy now")


def test_a_member_flags_a_post_and_sees_only_their_own_flag(member, outsider, spam):
    created = flag(member, post=spam, reason="spam")
    assert (created.status, created.weight, created.target_key) == ("open", 1, f"post:{spam.pk}")
    from townhall.moderation.services import flags_by

    assert list(flags_by(member)) == [created] and not flags_by(outsider).exists()


def test_bad_flags_are_refused_with_the_reason(member, other, spam, private_question):
    with pytest.raises(InvalidInput) as bad:
        flag(member, post=spam, reason="ugly")
    assert "reason" in bad.value.errors
    with pytest.raises(InvalidInput) as no_note:
        flag(member, post=spam, reason="other")
    assert "note" in no_note.value.errors
    with pytest.raises(Unprocessable):
        flag(other, post=spam, reason="spam")  # their own post
    with pytest.raises(NotFound):
        flag(other, topic=private_question, reason="spam")  # a private space they are not in
    flag(member, post=spam, reason="spam")
    with pytest.raises(Conflict):
        flag(member, post=spam, reason="abusive")


def test_enough_weight_hides_the_post_until_review(member, outsider, spam, anon_client, question):
    flag(member, post=spam, reason="spam")
    flag(outsider, post=spam, reason="spam")
    assert not Post.objects.get(pk=spam.pk).is_deleted  # weight 2 of 3
    flag(make_user("third"), post=spam, reason="spam")
    assert Post.objects.get(pk=spam.pk).is_deleted
    assert "spam.example.com" not in anon_client.get(question.get_absolute_url()).content.decode()
    assert AuditEntry.objects.filter(action="hide", actor__isnull=True).count() == 1


def test_one_moderators_flag_is_enough_to_hide(moderator, spam):
    flag(moderator, post=spam, reason="spam")
    assert Post.objects.get(pk=spam.pk).is_deleted


def test_deleting_upholds_the_flags_tells_the_flaggers_and_is_audited(moderator, member, outsider, spam):
    flag(member, post=spam, reason="spam")
    flag(outsider, post=spam, reason="spam", note="Same text in five threads")
    result = review(moderator, "delete", post=spam, reason="Spam: advertising")
    assert result == {"action": "delete", "target": f"post:{spam.pk}", "outcome": "removed", "flags_closed": 2}
    assert Post.objects.get(pk=spam.pk).is_deleted
    assert set(Flag.objects.values_list("status", flat=True)) == {"upheld"}
    told = Notification.objects.filter(verb="flag_upheld")
    assert {n.user.username for n in told} == {"member", "outsider"}
    entry = AuditEntry.objects.get(action="review_delete")
    assert (entry.actor_name, entry.reason, entry.after) == ("moderator", "Spam: advertising", {"outcome": "removed"})


def test_approving_restores_a_hidden_post_and_dismisses_the_flags(moderator, member, outsider, spam):
    for user in (member, outsider, make_user("third")):
        flag(user, post=spam, reason="off_topic")
    assert Post.objects.get(pk=spam.pk).is_deleted
    review(moderator, "approve", post=spam, reason="On topic: it answers the question")
    assert not Post.objects.get(pk=spam.pk).is_deleted
    assert set(Flag.objects.values_list("status", flat=True)) == {"dismissed"}
    assert Notification.objects.filter(verb="flag_dismissed").count() == 3


def test_a_second_moderator_acting_on_the_same_flags_changes_nothing(moderator, member, spam):
    other_moderator = make_user("second-moderator", is_moderator=True)
    flag(member, post=spam, reason="spam")
    review(moderator, "delete", post=spam, reason="Spam")
    with pytest.raises(Conflict):
        review(other_moderator, "approve", post=spam, reason="Looks fine")
    assert Post.objects.get(pk=spam.pk).is_deleted
    assert AuditEntry.objects.filter(action__startswith="review_").count() == 1


def test_members_cannot_review_and_a_reason_is_required(member, moderator, spam):
    flag(member, post=spam, reason="spam")
    with pytest.raises(NotAllowed):
        review(member, "delete", post=spam, reason="I say so")
    with pytest.raises(NotAllowed):
        review_queue(member)
    with pytest.raises(InvalidInput):
        review(moderator, "delete", post=spam, reason="  ")
    with pytest.raises(Unprocessable):
        review(moderator, "ban", post=spam, reason="Spam")


def test_the_queue_groups_flags_by_item_with_the_authors_record(moderator, member, outsider, other, spam, question):
    flag(member, post=spam, reason="spam")
    flag(outsider, post=spam, reason="spam")
    flag(member, member=other, reason="abusive", note="Insults in every thread")
    items = review_queue(moderator)
    assert [(i["key"], len(i["flags"]), i["weight"]) for i in items] == [(f"post:{spam.pk}", 2, 2),
                                                                         (f"member:{other.pk}", 1, 1)]
    assert items[0]["author_id"] == other.pk and items[0]["upheld_before"] == 0


def test_a_moderator_outside_a_private_space_neither_sees_nor_acts_on_its_flags(moderator, member, agent,
                                                                              private_question):
    flag(agent, topic=private_question, reason="duplicate")
    assert review_queue(moderator) == []
    with pytest.raises(NotFound):
        review(moderator, "delete", topic=private_question, reason="Duplicate")
    assert not Topic.objects.get(pk=private_question.pk).is_deleted


def test_a_trusted_members_flag_weighs_more(spam):
    trusted = make_user("trusted", trust_level=2)
    assert flag(trusted, post=spam, reason="spam").weight == 2


def test_past_accuracy_raises_or_lowers_a_members_flag_weight(member, outsider, spam):
    from townhall.moderation.services import flag_weight

    def decided(user, status, count):
        for n in range(count):
            Flag.objects.create(flagger=user, target_key=f"member:{1000 + n}", reason="spam", status=status)

    assert flag_weight(member) == 1
    decided(member, "upheld", 4)
    assert flag_weight(member) == 1  # four decided: too few to judge
    decided(member, "upheld", 1)
    assert flag_weight(member) == 2  # five of five upheld
    decided(outsider, "dismissed", 5)
    assert flag_weight(outsider) == 0
    created = flag(outsider, post=spam, reason="spam")
    assert created.weight == 0 and created.status == "open"  # still reaches the queue, hides nothing
