"""Holes found in review: edits pass the same checks as posts; no one decides their own appeal; undo
stays within what the moderator sees; approving never republishes what its author deleted."""

from __future__ import annotations

import pytest

from tests.conftest import make_user
from townhall.content.models import Post
from townhall.content.services import create_post, delete_post, edit_post
from townhall.core.errors import NotAllowed, Unprocessable
from townhall.moderation.services import (
    appeal,
    decide_appeal,
    flag,
    open_appeals,
    remove_as_spam,
    review,
    sanction,
    undo_spam,
)
from townhall.support.services import ask_question

pytestmark = pytest.mark.django_db


def test_a_silenced_member_cannot_edit_and_edits_pass_the_spam_checks(settings, moderator, other, answer):
    settings.BLOCKED_LINK_DOMAINS = ["spam.example"]
    with pytest.raises(Unprocessable):
        edit_post(other, answer, body="Now with http://spam.example")
    sanction(moderator, other, "silence", reason="Rule 2", days=2)
    with pytest.raises(NotAllowed):
        edit_post(other, answer, body="Edited while silenced")


def test_a_moderator_never_decides_their_own_appeal_and_only_admins_decide_a_moderators(owner, moderator):
    measure = sanction(owner, moderator, "ban", reason="Abuse of powers")
    appeal(moderator, measure.pk, "Unfair")
    assert list(open_appeals(moderator)) == []
    with pytest.raises(NotAllowed):
        decide_appeal(moderator, measure.pk, "lifted")
    with pytest.raises(NotAllowed):
        decide_appeal(make_user("peer-mod", is_moderator=True), measure.pk, "lifted")


def test_undo_stays_within_the_spaces_the_moderator_sees(owner, moderator, member, private_space):
    ask_question(member, private_space, title="Insider question about the beta", body="Beta?", check_rate=False)
    sweep = remove_as_spam(owner, member, reason="Spam")
    with pytest.raises(NotAllowed):
        undo_spam(moderator, sweep.pk)


def test_approving_never_republishes_what_its_author_deleted(moderator, member, other, question):
    post = create_post(other, question, body="An answer the author will take back")
    flag(member, post=post, reason="off_topic")
    delete_post(other, post)
    review(moderator, "approve", post=post, reason="Nothing wrong")
    assert Post.objects.get(pk=post.pk).is_deleted


def test_a_nul_or_an_overlong_reason_is_refused_with_the_field(moderator, other):
    from townhall.core.errors import InvalidInput

    for reason in ("Rule\x002", "x" * 2001):
        with pytest.raises(InvalidInput) as bad:
            sanction(moderator, other, "warning", reason=reason)
        assert "reason" in bad.value.errors


def test_a_double_submitted_sanction_is_issued_once(moderator, other):
    from townhall.core.errors import Conflict
    from townhall.moderation.models import Sanction
    from townhall.moderation.services import sanction

    sanction(moderator, other, "suspension", reason="Rule 3: spam", days=3)
    with pytest.raises(Conflict):
        sanction(moderator, other, "suspension", reason="Rule 3: spam", days=3)
    assert Sanction.objects.filter(member=other).count() == 1


def test_a_suspended_member_cannot_flag(moderator, member, answer):
    from townhall.core.errors import NotAllowed
    from townhall.moderation.models import Flag
    from townhall.moderation.services import flag, sanction

    sanction(moderator, member, "suspension", reason="Rule 1", days=2)
    with pytest.raises(NotAllowed) as refused:
        flag(member, post=answer, reason="spam")
    assert "suspended" in refused.value.message and not Flag.objects.exists()


def test_a_nul_in_the_audit_filters_or_guidelines_space_is_refused_not_a_server_error(moderator_client):
    from django.urls import reverse

    assert moderator_client.get(reverse("audit_log"), {"actor": "a\x00b"}).status_code == 400
    assert moderator_client.get(reverse("audit_log"), {"q": "x\x00"}).status_code == 400
    assert moderator_client.get(reverse("guidelines"), {"space": "a\x00"}).status_code == 404


def test_a_double_submitted_word_to_the_author_is_sent_once(moderator, other, answer):
    from townhall.core.errors import Conflict
    from townhall.moderation.models import ModeratorMessage
    from townhall.moderation.services import message_author

    message_author(moderator, other, "Please add your model number.", topic=answer.topic, post=answer)
    with pytest.raises(Conflict):
        message_author(moderator, other, "Please add your model number.", topic=answer.topic, post=answer)
    assert ModeratorMessage.objects.filter(member=other).count() == 1
