"""Guidelines change in public: each version has a public reason, an author and a diff; followers are
told; new members see them before their first post."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.conftest import api_for
from townhall.core.errors import InvalidInput, NotAllowed, Unprocessable
from townhall.moderation.models import AuditEntry
from townhall.moderation.services import current_guidelines, follow_guidelines, publish_guidelines
from townhall.notifications.models import Notification

pytestmark = pytest.mark.django_db
RULES = "1. Be kind.\n2. Stay on topic.\n3. No advertising."


def test_each_change_is_a_new_version_with_a_required_reason(moderator, member):
    first = publish_guidelines(moderator, body=RULES, reason="First version")
    second = publish_guidelines(moderator, body=RULES + "\n4. No personal data.", reason="Privacy")
    assert (first.version, second.version) == (1, 2)
    assert current_guidelines() == second
    with pytest.raises(InvalidInput) as no_reason:
        publish_guidelines(moderator, body=RULES, reason=" ")
    assert "reason" in no_reason.value.errors
    with pytest.raises(Unprocessable):
        publish_guidelines(moderator, body=RULES + "\n4. No personal data.", reason="Same again")
    with pytest.raises(NotAllowed):
        publish_guidelines(member, body="No rules", reason="Anarchy")
    assert AuditEntry.objects.filter(action="publish_guidelines").count() == 2


def test_a_space_without_its_own_uses_the_sites(moderator, public_space):
    site = publish_guidelines(moderator, body=RULES, reason="First version")
    assert current_guidelines(public_space) == site
    own = publish_guidelines(moderator, body="Widgets only.", reason="Focus", space=public_space)
    assert current_guidelines(public_space) == own and current_guidelines() == site


def test_the_public_changelog_shows_reason_author_and_diff(anon_client, moderator):
    publish_guidelines(moderator, body=RULES, reason="First version")
    publish_guidelines(moderator, body=RULES.replace("Be kind.", "Be kind and patient."), reason="Patience")
    html = anon_client.get(reverse("guidelines_changes")).content.decode()
    assert "Version 2" in html and "Patience" in html and "Max Moderator" in html
    assert "<del>− 1. Be kind.</del>" in html and "<ins>+ 1. Be kind and patient.</ins>" in html
    assert "Be kind and patient." in anon_client.get(reverse("guidelines")).content.decode()


def test_followers_are_told_of_a_new_version(moderator, member, other):
    follow_guidelines(member)
    publish_guidelines(moderator, body=RULES, reason="First version")
    assert Notification.objects.filter(user=member, verb="guidelines").count() == 1
    assert not Notification.objects.filter(user=other, verb="guidelines").exists()


def test_a_new_member_sees_the_guidelines_before_their_first_question(moderator, member_client, other_client,
                                                                      other, question):
    publish_guidelines(moderator, body=RULES, reason="First version")
    newcomer = other_client.get(reverse("ask")).content.decode()
    assert "Before your first post" in newcomer and "No advertising." in newcomer
    assert "Before your first post" not in member_client.get(reverse("ask")).content.decode()  # asked before


def test_moderators_edit_from_the_page_and_members_cannot(moderator_client, member_client):
    assert member_client.get(reverse("guidelines_edit")).status_code == 403
    bad = moderator_client.post(reverse("guidelines_edit"), {"body": RULES, "reason": ""})
    assert bad.status_code == 400 and "the reason is public" in bad.content.decode()
    assert moderator_client.post(reverse("guidelines_edit"), {"body": RULES, "reason": "Start"}).status_code == 302
    assert current_guidelines().version == 1


def test_members_follow_from_the_page(member_client, member, moderator):
    member_client.post(reverse("guidelines_follow"), {"value": "1"})
    publish_guidelines(moderator, body=RULES, reason="First version")
    assert Notification.objects.filter(user=member, verb="guidelines").exists()


def test_the_api_gives_the_current_guidelines_and_their_versions(moderator, db):
    assert api_for().get("/guidelines").json()["version"] is None
    publish_guidelines(moderator, body=RULES, reason="First version")
    publish_guidelines(moderator, body=RULES + "\n4. Be patient.", reason="Patience")
    body = api_for().get("/guidelines").json()
    assert body["version"] == 2 and "Be patient." in body["body"]
    assert [(v["version"], v["reason"], v["by"]) for v in body["versions"]] == [(2, "Patience", "moderator"),
                                                                              (1, "First version", "moderator")]


def test_a_new_member_sees_the_space_guidelines_before_their_first_answer(moderator, member_client, other_client,
                                                                          question, public_space):
    publish_guidelines(moderator, body=RULES, reason="First version")
    publish_guidelines(moderator, body="Setup questions only, with your model number.", reason="Scope",
                       space=public_space)
    newcomer = other_client.get(question.get_absolute_url()).content.decode()
    assert "Before your first post" in newcomer and "with your model number" in newcomer
    assert "Before your first post" not in member_client.get(question.get_absolute_url()).content.decode()


def test_the_space_page_links_its_guidelines_and_moderators_edit_them_there(moderator_client, member_client,
                                                                            public_space):
    assert "Edit this space's guidelines" in moderator_client.get(public_space.get_absolute_url()).content.decode()
    page = member_client.get(public_space.get_absolute_url()).content.decode()
    assert "Guidelines" in page and "Edit this space" not in page
    done = moderator_client.post(reverse("guidelines_edit") + f"?space={public_space.slug}",
                                 {"body": "Be precise.", "reason": "Space rules", "space": public_space.slug})
    assert done.status_code == 302 and current_guidelines(public_space).body == "Be precise."
