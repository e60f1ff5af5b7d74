"""Sanctions: warnings, silences, suspensions and bans; the member sees why and until when, cannot post
through pages or the API while one holds, and may appeal once to a different moderator."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import api_for, assert_error
from tests.conftest import make_user
from townhall.content.services import create_post
from townhall.core.errors import Conflict, InvalidInput, NotAllowed
from townhall.moderation.models import AuditEntry, Sanction
from townhall.moderation.services import active_sanction, appeal, decide_appeal, open_appeals, sanction
from townhall.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_silenced_member_cannot_post_and_is_told_why_and_until_when(moderator, other, question):
    sanction(moderator, other, "silence", reason="Rule 2: no insults", days=3)
    with pytest.raises(NotAllowed) as refused:
        create_post(other, question, body="Still here!")
    assert "silenced until" in refused.value.message and "Rule 2: no insults" in refused.value.message
    assert Notification.objects.get(user=other).verb == "sanction"
    assert AuditEntry.objects.get(action="sanction_silence").reason == "Rule 2: no insults"


def test_a_silence_ends_by_itself(moderator, other, question):
    sanction(moderator, other, "silence", reason="Cool down", days=1)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=1, minutes=1)):
        assert active_sanction(other) is None
        create_post(other, question, body="Back, and calmer.")


def test_a_warning_does_not_stop_posting(moderator, other, question):
    sanction(moderator, other, "warning", reason="Rule 4: stay on topic")
    create_post(other, question, body="On topic this time.")


def test_a_ban_without_days_lasts_until_lifted_and_outweighs_a_silence(moderator, other):
    sanction(moderator, other, "silence", reason="One", days=2)
    sanction(moderator, other, "ban", reason="Spam account")
    assert active_sanction(other).kind == "ban"


def test_bad_measures_are_refused_with_the_field(moderator, other, member):
    for kwargs, field in [({"kind": "exile", "reason": "x"}, "kind"), ({"kind": "silence", "reason": ""}, "reason"),
                          ({"kind": "suspension", "reason": "x", "days": "a week"}, "days"),
                          ({"kind": "suspension", "reason": "x", "days": 0}, "days")]:
        kind = kwargs.pop("kind")
        with pytest.raises(InvalidInput) as bad:
            sanction(moderator, other, kind, **kwargs)
        assert field in bad.value.errors
    with pytest.raises(NotAllowed):
        sanction(member, other, "warning", reason="I am not a moderator")
    second = make_user("second-mod", is_moderator=True)
    with pytest.raises(NotAllowed):
        sanction(second, moderator, "ban", reason="Only admins sanction moderators")


def test_one_appeal_goes_to_a_different_moderator(moderator, other):
    second = make_user("second-mod", is_moderator=True)
    measure = sanction(moderator, other, "suspension", reason="Rule 1", days=7)
    appeal(other, measure.pk, "It was a misunderstanding.")
    with pytest.raises(Conflict):
        appeal(other, measure.pk, "Again, please.")
    assert list(open_appeals(moderator)) == [] and list(open_appeals(second)) == [measure]
    with pytest.raises(NotAllowed):
        decide_appeal(moderator, measure.pk, "lifted")
    decide_appeal(second, measure.pk, "lifted", "Fair enough")
    assert active_sanction(other) is None
    assert Notification.objects.filter(user=other, verb="appeal_decided").count() == 1
    assert AuditEntry.objects.filter(action="appeal_lifted", actor_name="second-mod").count() == 1
    with pytest.raises(Conflict):
        decide_appeal(make_user("third-mod", is_moderator=True), measure.pk, "upheld")


def test_a_silenced_member_is_refused_on_the_answer_form_and_through_the_api(moderator, other, other_client,
                                                                            question):
    sanction(moderator, other, "silence", reason="Rule 2", days=3)
    page = other_client.post(reverse("topic_answer", args=[question.pk]), {"body": "Let me answer anyway"})
    assert page.status_code == 403 and "silenced until" in page.content.decode()
    assert_error(api_for(other).post(f"/topics/{question.pk}/posts", {"body": "Via the API then"}), 403)
    assert not question.posts.filter(author=other).exists()


def test_the_member_reads_the_measure_and_appeals_from_their_standing_page(moderator, other, other_client):
    measure = sanction(moderator, other, "suspension", reason="Rule 5: no self-promotion", days=7)
    html = other_client.get(reverse("my_standing")).content.decode()
    assert "You are suspended until" in html and "Rule 5: no self-promotion" in html
    empty = other_client.post(reverse("my_standing"), {"sanction": measure.pk, "appeal": " "})
    assert empty.status_code == 400
    assert other_client.post(reverse("my_standing"), {"sanction": measure.pk, "appeal": "Sorry"}).status_code == 302
    assert Sanction.objects.get().appeal == "Sorry"


def test_moderators_sanction_from_the_profile_and_members_cannot(moderator_client, member_client, other):
    url = reverse("sanction_member", args=[other.username])
    assert member_client.get(url).status_code == 403
    assert url in moderator_client.get(other.get_absolute_url()).content.decode()
    bad = moderator_client.post(url, {"kind": "silence", "reason": "Rule 2"})
    assert bad.status_code == 400 and "how many days" in bad.content.decode()
    assert moderator_client.post(url, {"kind": "silence", "reason": "Rule 2", "days": "2"}).status_code == 302
    assert active_sanction(other).kind == "silence"


def test_the_api_sanctions_appeals_and_decides(moderator, other, member):
    second = make_user("second-mod", is_moderator=True)
    assert_error(api_for(member).post("/moderation/actions", {"action": "ban", "user": "other", "reason": "x"}), 403)
    done = api_for(moderator).post("/moderation/actions", {"action": "suspend", "user": "other", "reason": "Rule 1",
                                                           "days": 3})
    assert done.status_code == 200 and done.json()["outcome"] == "suspension"
    measure = Sanction.objects.get()
    assert api_for(other).post(f"/sanctions/{measure.pk}/appeal", {"appeal": "Please"}).status_code == 200
    assert_error(api_for(other).post(f"/sanctions/{measure.pk}/appeal", {"appeal": "Again"}), 409)
    assert_error(api_for(member).post(f"/sanctions/{measure.pk}/appeal", {"appeal": "Not mine"}), 404)
    assert_error(api_for(moderator).post(f"/moderation/appeals/{measure.pk}", {"decision": "lifted"}), 403)
    decided = api_for(second).post(f"/moderation/appeals/{measure.pk}", {"decision": "upheld", "note": "Rule 1"})
    assert decided.status_code == 200 and decided.json()["appeal_decision"] == "upheld"


def test_a_broken_appeal_form_or_address_is_refused_not_a_server_error(moderator, other, other_client,
                                                                        moderator_client):
    sanction(moderator, other, "warning", reason="Rule 4")
    assert other_client.post(reverse("my_standing"), {"sanction": "abc", "appeal": "Hi"}).status_code == 404
    assert moderator_client.get("/moderation/sanction/a%00b/").status_code == 404
    assert other_client.get("/flag/member/a%00b/").status_code == 404
    assert moderator_client.post("/moderation/spam/a%00b/", {"reason": "x"}).status_code == 404
