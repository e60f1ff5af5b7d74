"""Space admin pages: admins create and configure spaces; managers edit theirs and their members."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for
from townhall.spaces.models import Membership, Space

pytestmark = pytest.mark.django_db
ADMIN = "/admin/spaces/"


def new_space(client, **fields):
    data = {"slug": "gadgets", "name": "Gadgets", "description": "All about gadgets", "kind": "forum",
            "visibility": "public", "parent": "", "position": "0", "support_email": "",
            "unanswered_hours": "24", "unsolved_hours": "72"}
    data.update(fields)
    return client.post(reverse("space_create"), data)


def test_the_admin_address_is_stable():
    assert reverse("space_admin") == ADMIN


def test_visitors_are_sent_to_sign_in_and_members_refused(anon_client, member_client, public_space):
    assert anon_client.get(ADMIN).status_code == 302
    assert member_client.get(ADMIN).status_code == 403
    assert member_client.get(reverse("space_create")).status_code == 403
    assert new_space(member_client).status_code == 403
    assert member_client.get(reverse("space_edit", args=["widgets-setup"])).status_code == 403
    assert member_client.get(reverse("space_members", args=["widgets-setup"])).status_code == 403
    assert not Space.objects.filter(slug="gadgets").exists()


def test_admin_lists_every_space_including_private_ones(owner_client, public_space, private_space):
    html = owner_client.get(ADMIN).content.decode()
    assert "Widget setup" in html and "Insiders" in html


def test_the_new_space_form_has_the_escalation_defaults(owner_client):
    html = owner_client.get(reverse("space_create")).content.decode()
    assert 'name="unanswered_hours" value="24"' in html
    assert 'name="unsolved_hours" value="72"' in html


def test_admin_creates_a_space_inside_a_product(owner_client, public_space):
    product = Space.objects.get(slug="widgets")
    response = new_space(owner_client, parent=str(product.pk), support_email="help@example.com",
                         unanswered_hours="12")
    space = Space.objects.get(slug="gadgets")
    assert response.status_code == 302 and response["Location"] == space.get_absolute_url()
    assert space.parent == product and space.unanswered_hours == 12 and space.unsolved_hours == 72
    assert space.support_email == "help@example.com"


def test_bad_input_is_shown_next_to_its_field(owner_client, public_space):
    response = new_space(owner_client, slug="Not A Slug!")
    assert response.status_code == 400
    assert 'id="id_slug_error"' in response.content.decode()
    response = new_space(owner_client, slug="widgets")
    assert response.status_code == 400
    assert "A space with this slug exists." in response.content.decode()
    response = new_space(owner_client, support_email="not-an-email")
    assert 'id="id_support_email_error"' in response.content.decode()
    response = new_space(owner_client, unanswered_hours="0")
    assert 'id="id_unanswered_hours_error"' in response.content.decode()
    response = new_space(owner_client, unsolved_hours="soon")
    assert response.status_code == 400 and 'id="id_unsolved_hours_error"' in response.content.decode()
    response = new_space(owner_client, name="")
    assert 'id="id_name_error"' in response.content.decode()
    assert not Space.objects.filter(slug="gadgets").exists()


def test_a_space_cannot_be_more_open_than_its_parent(owner_client, private_space):
    response = new_space(owner_client, parent=str(private_space.pk), visibility="public")
    assert response.status_code == 400
    assert 'id="id_visibility_error"' in response.content.decode()


def test_admin_edits_a_space(owner_client, public_space):
    url = reverse("space_edit", args=["widgets-setup"])
    form = owner_client.get(url).content.decode()
    assert 'value="support@example.com"' in form
    response = owner_client.post(url, {"name": "Setting up widgets", "description": "", "kind": "forum",
                                       "visibility": "public", "parent": str(public_space.parent_id),
                                       "position": "3", "support_email": "", "unanswered_hours": "48",
                                       "unsolved_hours": "96", "slug": "ignored"})
    assert response.status_code == 302
    public_space.refresh_from_db()
    assert public_space.name == "Setting up widgets" and public_space.unanswered_hours == 48
    assert public_space.slug == "widgets-setup" and public_space.position == 3


def test_an_edit_error_is_shown_next_to_the_field_and_nothing_changes(owner_client, public_space):
    response = owner_client.post(reverse("space_edit", args=["widgets-setup"]), {
        "name": "Renamed", "kind": "forum", "visibility": "public", "parent": "", "position": "0",
        "support_email": "nope", "unanswered_hours": "24", "unsolved_hours": "72"})
    assert response.status_code == 400
    assert 'id="id_support_email_error"' in response.content.decode()
    public_space.refresh_from_db()
    assert public_space.name == "Widget setup"


def test_a_manager_edits_their_space_and_its_members_but_creates_nothing(other, public_space, members_space):
    Membership.objects.create(space=public_space, user=other, role="manager")
    client = client_for(other)
    html = client.get(ADMIN).content.decode()
    assert "Widget setup" in html and "Members&#x27; lounge" not in html and "New space" not in html
    assert client.get(reverse("space_edit", args=["widgets-setup"])).status_code == 200
    assert client.get(reverse("space_members", args=["widgets-setup"])).status_code == 200
    assert client.get(reverse("space_edit", args=["lounge"])).status_code == 403
    assert client.get(reverse("space_create")).status_code == 403


def test_adding_and_removing_members(owner_client, outsider, private_space):
    url = reverse("space_members", args=["insiders"])
    html = owner_client.get(url).content.decode()
    assert "Mia Member" in html and "Ada Agent" in html
    response = owner_client.post(url, {"action": "add", "username": "outsider", "role": "manager"})
    assert response.status_code == 302
    assert Membership.objects.get(space=private_space, user=outsider).role == "manager"
    owner_client.post(url, {"action": "remove", "username": "outsider"})
    assert not Membership.objects.filter(space=private_space, user=outsider).exists()


def test_adding_an_unknown_member_says_so_next_to_the_username(owner_client, private_space):
    response = owner_client.post(reverse("space_members", args=["insiders"]),
                                 {"action": "add", "username": "ghost", "role": "member"})
    assert response.status_code == 400
    assert 'id="id_username_error"' in response.content.decode()
    assert "No member with this username." in response.content.decode()


def test_a_new_member_sees_the_private_space(owner_client, outsider_client, private_space):
    owner_client.post(reverse("space_members", args=["insiders"]), {"action": "add", "username": "outsider",
                                                                   "role": "member"})
    assert outsider_client.get(reverse("space", args=["insiders"])).status_code == 200


def test_outsiders_learn_nothing_about_a_private_space_from_its_admin_pages(outsider_client, private_space):
    assert outsider_client.get(reverse("space_edit", args=["insiders"])).status_code == 404
    assert outsider_client.post(reverse("space_members", args=["insiders"]),
                                {"action": "add", "username": "outsider"}).status_code == 404
    assert not Membership.objects.filter(space=private_space, user__username="outsider").exists()
