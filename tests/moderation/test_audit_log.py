"""The audit log: every moderator and admin action is recorded, append-only, readable and exportable
by moderators and admins only."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection, transaction
from django.urls import reverse

from tests.api.conftest import api_for, assert_error
from townhall.content.services import delete_post, edit_post, edit_topic
from townhall.moderation.models import AppendOnly, AuditEntry
from townhall.moderation.services import audit_log
from townhall.spaces.services import add_member, create_space, update_space

pytestmark = pytest.mark.django_db
URL = "/moderation/audit/"


def test_a_moderator_deleting_someones_answer_is_recorded_with_before_and_after(moderator, question, answer):
    delete_post(moderator, answer)
    entry = AuditEntry.objects.get()
    assert (entry.actor_name, entry.action, entry.target_type, entry.target_id) == ("moderator", "delete", "post",
                                                                                   answer.pk)
    assert entry.target_label == question.title and entry.space_id == question.space_id
    assert (entry.before, entry.after) == ({"deleted": False}, {"deleted": True})


def test_an_author_deleting_their_own_answer_is_not_moderation(other, answer):
    delete_post(other, answer)
    assert not AuditEntry.objects.exists()


def test_a_moderators_edit_keeps_the_text_before_and_after(moderator, answer):
    edit_post(moderator, answer, body="Hold the reset button for ten seconds, then release it.")
    entry = AuditEntry.objects.get(action="edit")
    assert entry.before == {"body": "Hold the button for ten seconds."}
    assert entry.after == {"body": "Hold the reset button for ten seconds, then release it."}


def test_a_moderators_retitle_of_a_question_is_recorded(moderator, question):
    edit_topic(moderator, question, title="Resetting a widget that blinks red")
    entry = AuditEntry.objects.get(action="edit", target_type="topic")
    assert entry.before["title"] == "How do I reset my widget?"
    assert entry.after["title"] == "Resetting a widget that blinks red"


def test_space_administration_is_recorded(owner, member):
    space = create_space(owner, slug="beta", name="Beta program", visibility="private")
    update_space(owner, space, name="Beta programme")
    add_member(owner, space, member.username)
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["create_space", "update_space", "add_member"]
    renamed = AuditEntry.objects.get(action="update_space")
    assert (renamed.before, renamed.after) == ({"name": "Beta program"}, {"name": "Beta programme"})
    assert AuditEntry.objects.get(action="add_member").after == {"member": "member", "role": "member"}


def test_an_entry_cannot_be_changed_or_removed_through_the_product(moderator, answer):
    delete_post(moderator, answer)
    entry = AuditEntry.objects.get()
    entry.reason = "rewritten history"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().reason == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger is PostgreSQL's")
def test_the_database_itself_refuses_to_change_an_entry(moderator, answer):
    from django.db import DatabaseError

    delete_post(moderator, answer)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE moderation_auditentry SET reason = 'rewritten'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM moderation_auditentry")
    assert AuditEntry.objects.count() == 1


def test_members_are_refused_and_visitors_sent_to_sign_in(member_client, anon_client, moderator, answer):
    delete_post(moderator, answer)
    assert member_client.get(URL).status_code == 403
    assert member_client.get(reverse("audit_csv")).status_code == 403
    response = anon_client.get(URL)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_moderators_read_and_filter_the_log(moderator, moderator_client, owner, question, answer):
    delete_post(moderator, answer)
    create_space(owner, slug="beta", name="Beta program")
    html = moderator_client.get(URL).content.decode()
    assert "delete" in html and "create_space" in html and question.title in html
    only_spaces = moderator_client.get(URL, {"action": "create_space"}).content.decode()
    assert "Beta program" in only_spaces and question.title not in only_spaces
    assert "No entry matches" in moderator_client.get(URL, {"actor": "nobody"}).content.decode()


def test_bad_filters_are_refused_with_the_field_named(moderator_client, db):
    for params, field in [({"since": "yesterday"}, "since"), ({"action": "nuke"}, "action"),
                          ({"since": "2026-05-02", "until": "2026-05-01"}, "since"), ({"target_id": "x"}, "target_id")]:
        response = moderator_client.get(URL, params)
        assert response.status_code == 400, params
        assert field in response.content.decode()


def test_entries_about_a_private_space_stay_with_those_who_see_it(owner, moderator, member, private_space):
    update_space(owner, private_space, name="Insiders only")
    assert not audit_log(moderator).exists()  # a moderator outside the space
    assert audit_log(owner).count() == 1


def test_the_csv_export_has_every_entry_and_neutralises_formulas(moderator, moderator_client, owner):
    create_space(owner, slug="formula", name="=HYPERLINK(\"http://evil\")")
    response = moderator_client.get(reverse("audit_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["id", "at", "actor", "action"]
    assert rows[1][3] == "create_space" and rows[1][6].startswith("'=")


def test_the_api_serves_the_log_to_moderators_only(moderator, member, answer):
    delete_post(moderator, answer)
    body = api_for(moderator).get("/moderation/audit").json()
    assert [e["action"] for e in body["results"]] == ["delete"] and body["next"] is None
    assert_error(api_for(member).get("/moderation/audit"), 403)
    assert_error(api_for().get("/moderation/audit"), 401)
    assert_error(api_for(moderator).get("/moderation/audit", since="soon"), 400, "since")
