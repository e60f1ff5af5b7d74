"""Badges: awarded once per imported award, shown on the member's profile page and in the API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from townhall.activity.models import Event
from townhall.core.errors import InvalidInput
from townhall.reputation.models import Badge, BadgeAward
from townhall.reputation.services import award_badge, badge_summary

pytestmark = pytest.mark.django_db

WHEN = datetime(2024, 5, 1, 12, tzinfo=UTC)


def test_a_badge_is_created_at_its_level_on_first_award_and_reused_after(member, other):
    award_badge(member, "Nice Answer", "bronze", awarded_at=WHEN)
    award_badge(other, "Nice Answer", "bronze")
    assert Badge.objects.get().level == "bronze"
    assert BadgeAward.objects.count() == 2
    assert Event.objects.filter(verb="badge.awarded").count() == 2


def test_an_imported_award_is_awarded_once(member):
    first = award_badge(member, "Famous Question", "gold", awarded_at=WHEN, imported_from="se:x:badge:1")
    again = award_badge(member, "Famous Question", "gold", awarded_at=WHEN, imported_from="se:x:badge:1")
    assert first.pk == again.pk and BadgeAward.objects.count() == 1
    assert not Event.objects.filter(verb="badge.awarded").exists()


def test_a_badge_without_a_name_or_with_an_unknown_level_is_refused_naming_the_field(member):
    with pytest.raises(InvalidInput) as exc:
        award_badge(member, "Shiny", "platinum")
    assert exc.value.errors == {"level": ["A badge is gold, silver or bronze."]}
    with pytest.raises(InvalidInput) as exc:
        award_badge(member, "  ", "gold")
    assert "name" in exc.value.errors


def test_the_profile_page_shows_each_badge_once_gold_first_with_how_many_times(member, anon_client):
    award_badge(member, "Nice Answer", "bronze", awarded_at=WHEN)
    award_badge(member, "Nice Answer", "bronze", awarded_at=WHEN)
    award_badge(member, "Great Answer", "gold", awarded_at=WHEN)
    assert [(b["name"], b["times"]) for b in badge_summary(member)] == [("Great Answer", 1), ("Nice Answer", 2)]
    html = anon_client.get(member.get_absolute_url()).content.decode()
    assert '<h2 id="badges-heading">Badges</h2>' in html
    assert '<li class="earned-badge earned-gold"' in html and "Gold badge: </span>Great Answer<" in html
    assert 'Nice Answer <span class="meta">× 2</span>' in html
    assert html.index("Great Answer") < html.index("Nice Answer")


def test_a_profile_without_badges_has_no_badge_section(member, anon_client):
    assert "badges-heading" not in anon_client.get(member.get_absolute_url()).content.decode()


def test_the_api_lists_a_members_badges_newest_first(member, anon_client):
    award_badge(member, "Student", "bronze", awarded_at=datetime(2024, 1, 1, tzinfo=UTC))
    award_badge(member, "Guru", "silver", awarded_at=WHEN)
    profile = anon_client.get("/api/v1/users/member").json()
    assert profile["badges"] == [
        {"name": "Guru", "level": "silver", "awarded_at": "2024-05-01T12:00:00Z"},
        {"name": "Student", "level": "bronze", "awarded_at": "2024-01-01T00:00:00Z"},
    ]


def test_a_deactivated_members_badges_are_not_shown(member, anon_client):
    award_badge(member, "Student", "bronze")
    member.is_active = False
    member.save()
    assert anon_client.get("/api/v1/users/member").status_code == 404
    assert anon_client.get(member.get_absolute_url()).status_code == 404
