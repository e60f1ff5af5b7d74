"""Spaces and members through the API: who sees which spaces, who creates and changes them,
membership, profiles, and provisioning members from the company's systems."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_for, assert_error
from townhall.spaces.models import Membership, Space

pytestmark = pytest.mark.django_db

SPACE_FIELDS = {"id", "slug", "name", "kind", "visibility", "parent", "description", "topic_count", "post_count",
                "url"}
USER_FIELDS = {
    "id", "username", "display_name", "reputation", "rank", "trust_level", "badges", "avatar_url", "bio",
    "region", "languages", "products", "question_count", "answer_count", "solution_count", "roles", "joined_at",
    "url",
}


def slugs(response):
    assert response.status_code == 200, response.content
    return {space["slug"] for space in response.json()["results"]}


def test_each_persona_sees_only_the_spaces_open_to_them(anon_api, member_api, outsider_api, owner_api,
                                                         public_space, members_space, private_space):
    assert slugs(anon_api.get("/spaces")) == {"widgets", "widgets-setup"}
    assert slugs(outsider_api.get("/spaces")) == {"widgets", "widgets-setup", "lounge"}
    assert slugs(member_api.get("/spaces")) == {"widgets", "widgets-setup", "lounge", "insiders"}
    assert slugs(owner_api.get("/spaces")) == {"widgets", "widgets-setup", "lounge", "insiders"}


def test_a_space_shows_the_contract_fields_and_its_parent_by_slug(anon_api, public_space):
    spaces = {s["slug"]: s for s in anon_api.get("/spaces").json()["results"]}

    assert set(spaces["widgets-setup"]) == SPACE_FIELDS
    assert spaces["widgets-setup"]["parent"] == "widgets"
    assert spaces["widgets"]["parent"] is None
    assert spaces["widgets-setup"]["kind"] == "forum"
    assert "support_email" not in spaces["widgets-setup"]


def test_the_space_list_pages_and_costs_the_same_for_few_or_many(anon_api, public_space,
                                                                django_assert_max_num_queries):
    for n in range(30):
        Space.objects.create(slug=f"product-{n:02d}", name=f"Product {n:02d}", parent=public_space)

    with django_assert_max_num_queries(2):
        first = anon_api.get("/spaces", limit=20).json()
    second = anon_api.get("/spaces", limit=20, cursor=first["next"]).json()

    assert len(first["results"]) == 20
    assert len(second["results"]) == 12
    assert second["next"] is None


def test_an_outsider_cannot_see_a_private_space(outsider_api, anon_api, private_space, members_space):
    assert_error(outsider_api.get("/spaces/insiders"), 404)
    assert_error(anon_api.get("/spaces/lounge"), 404)
    assert outsider_api.get("/spaces/lounge").status_code == 200


def test_an_admin_creates_a_space_with_its_escalation_settings(owner_api, public_space):
    response = owner_api.post("/spaces", {
        "slug": "gadgets", "name": "Gadgets", "kind": "forum", "visibility": "public", "parent": "widgets",
        "support_email": "gadgets@example.com", "unanswered_hours": 12, "unsolved_hours": 48,
        "description": "All about gadgets",
    })

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent"] == "widgets"
    assert (body["support_email"], body["unanswered_hours"], body["unsolved_hours"]) == (
        "gadgets@example.com", 12, 48)
    assert Space.objects.get(slug="gadgets").description == "All about gadgets"


def test_only_admins_create_spaces(member_api, anon_api):
    assert_error(member_api.post("/spaces", {"slug": "mine", "name": "Mine"}), 403)
    assert_error(anon_api.post("/spaces", {"slug": "mine", "name": "Mine"}), 401)
    assert not Space.objects.filter(slug="mine").exists()


def test_creating_a_space_reports_bad_and_conflicting_fields(owner_api, public_space):
    assert_error(owner_api.post("/spaces", {"slug": "Bad Slug!", "name": "Bad"}), 400, "slug")
    assert_error(owner_api.post("/spaces", {"slug": "widgets", "name": "Again"}), 409, "slug")
    assert_error(owner_api.post("/spaces", {"slug": "x", "name": "X", "kind": "wiki"}), 400, "kind")
    assert_error(owner_api.post("/spaces", {"slug": "x", "name": "X", "parent": "nowhere"}), 404, "parent")
    assert_error(owner_api.post("/spaces", {"slug": "x", "name": "X", "unanswered_hours": 0}), 400,
                 "unanswered_hours")


def test_a_space_manager_changes_the_space_and_a_member_may_not(member, member_api, other_api, public_space):
    Membership.objects.create(space=public_space, user=member, role="manager")

    changed = member_api.patch("/spaces/widgets-setup", {"name": "Setting up widgets", "unanswered_hours": 6})
    refused = other_api.patch("/spaces/widgets-setup", {"name": "Hijacked"})

    assert changed.status_code == 200, changed.content
    assert (changed.json()["name"], changed.json()["unanswered_hours"]) == ("Setting up widgets", 6)
    assert_error(refused, 403)
    assert Space.objects.get(pk=public_space.pk).name == "Setting up widgets"


def test_a_space_cannot_be_made_more_open_than_its_parent(owner_api, public_space, private_space):
    response = owner_api.patch("/spaces/widgets-setup", {"parent": "insiders"})

    assert_error(response, 400, "visibility")


def test_a_manager_adds_a_member_to_a_private_space_who_then_sees_it(owner_api, outsider, outsider_api,
                                                                      private_space):
    assert_error(outsider_api.get("/spaces/insiders"), 404)

    response = owner_api.post("/spaces/insiders/members", {"username": "outsider"})

    assert response.status_code == 201
    assert response.json() == {**response.json(), "space": "insiders", "username": "outsider", "role": "member"}
    assert outsider_api.get("/spaces/insiders").status_code == 200

    assert owner_api.delete("/spaces/insiders/members/outsider").status_code == 204
    assert_error(outsider_api.get("/spaces/insiders"), 404)


def test_a_plain_member_may_not_add_members_and_an_outsider_does_not_see_the_space(member_api, outsider_api,
                                                                                  private_space):
    assert_error(member_api.post("/spaces/insiders/members", {"username": "outsider"}), 403)
    assert_error(outsider_api.post("/spaces/insiders/members", {"username": "outsider"}), 404)


def test_adding_an_unknown_member_or_role_names_the_field(owner_api, private_space):
    assert_error(owner_api.post("/spaces/insiders/members", {"username": "ghost"}), 400, "username")
    assert_error(owner_api.post("/spaces/insiders/members", {"username": "member", "role": "king"}), 400, "role")


def test_a_profile_shows_the_public_fields(anon_api, member):
    member.region = "EU"
    member.languages = "English, German"
    member.save()

    response = anon_api.get("/users/member")

    assert response.status_code == 200
    profile = response.json()
    assert set(profile) == USER_FIELDS
    assert (profile["username"], profile["display_name"], profile["rank"]) == ("member", "Mia Member", "Newcomer")
    assert profile["badges"] == []
    assert profile["languages"] == ["English", "German"]
    assert profile["roles"] == ["member"]
    assert "email" not in profile


def test_me_adds_the_private_fields(member_api):
    me = member_api.get("/me").json()

    assert set(me) == USER_FIELDS | {"email", "email_notifications"}
    assert me["email"] == "member@example.com"


def test_an_unknown_or_deactivated_member_is_not_found(anon_api, other):
    other.is_active = False
    other.save()

    assert_error(anon_api.get("/users/nobody"), 404)
    assert_error(anon_api.get("/users/other"), 404)


def test_an_admin_provisions_a_member_with_roles(owner_api):
    response = owner_api.post("/users", {"username": "sam", "email": "sam@example.com",
                                         "display_name": "Sam Support", "roles": ["agent"],
                                         "password": "a long enough passphrase"})

    assert response.status_code == 201, response.content
    assert response.json()["roles"] == ["member", "agent"]
    token = api_for(None).post("/auth/token", {"login": "sam", "password": "a long enough passphrase"})
    assert token.status_code == 201


def test_provisioning_is_for_admins_and_reports_conflicts_and_bad_roles(owner_api, member_api):
    assert_error(member_api.post("/users", {"username": "sam", "email": "sam@example.com"}), 403)
    assert_error(owner_api.post("/users", {"username": "member", "email": "new@example.com"}), 409, "username")
    assert_error(owner_api.post("/users", {"username": "sam", "email": "member@example.com"}), 409, "email")
    assert_error(owner_api.post("/users", {"username": "sam", "email": "sam@example.com", "roles": ["king"]}),
                 400, "roles")
    assert_error(owner_api.post("/users", {"username": "sam", "email": "not-an-email"}), 400, "email")


def test_an_admin_moves_a_space_back_to_the_top_level(owner, public_space):
    from tests.conftest import client_for

    response = client_for(owner).patch(
        f"/api/v1/spaces/{public_space.slug}", data={"parent": ""}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    public_space.refresh_from_db()
    assert public_space.parent is None
