"""Spaces: the tree, visibility rules and membership."""

import pytest

from townhall.core import access
from townhall.core.errors import Conflict, InvalidInput, NotAllowed
from townhall.spaces import services
from townhall.spaces.models import Membership


def test_an_admin_creates_a_product_and_a_category(owner):
    product = services.create_space(owner, slug="halo", name="Halo Thermostat")
    category = services.create_space(owner, slug="halo-setup", name="Setup", parent=product)
    assert category.parent == product
    assert category.unanswered_hours == 24 and category.unsolved_hours == 72


def test_a_member_cannot_create_spaces(member):
    with pytest.raises(NotAllowed):
        services.create_space(member, slug="mine", name="Mine")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"slug": "Bad Slug", "name": "x"}, "slug"),
        ({"slug": "ok", "name": ""}, "name"),
        ({"slug": "ok", "name": "Ok", "kind": "chatroom"}, "kind"),
        ({"slug": "ok", "name": "Ok", "visibility": "secret"}, "visibility"),
        ({"slug": "ok", "name": "Ok", "support_email": "not-an-email"}, "support_email"),
        ({"slug": "ok", "name": "Ok", "unanswered_hours": 0}, "unanswered_hours"),
    ],
)
def test_bad_space_settings_are_refused_naming_the_field(owner, fields, field):
    with pytest.raises(InvalidInput) as exc:
        services.create_space(owner, **fields)
    assert field in exc.value.errors


def test_slugs_are_unique(owner, public_space):
    with pytest.raises(Conflict):
        services.create_space(owner, slug=public_space.slug, name="Again")


def test_a_child_cannot_be_more_open_than_its_private_parent(owner, private_space):
    with pytest.raises(InvalidInput) as exc:
        services.create_space(owner, slug="leak", name="Leak", parent=private_space, visibility="public")
    assert "visibility" in exc.value.errors


def test_a_space_cannot_be_its_own_ancestor(owner, public_space):
    with pytest.raises(InvalidInput):
        services.update_space(owner, public_space.parent, parent=public_space)


def test_visibility_per_persona(public_space, members_space, private_space, member, outsider, owner):
    assert access.can_view_space(None, public_space)
    assert not access.can_view_space(None, members_space)
    assert access.can_view_space(outsider, members_space)
    assert not access.can_view_space(outsider, private_space)
    assert access.can_view_space(member, private_space)
    assert access.can_view_space(owner, private_space)


def test_adding_a_member_opens_the_private_space_to_them(owner, outsider, private_space):
    services.add_member(owner, private_space, outsider.username)
    assert access.can_view_space(outsider, private_space)
    services.remove_member(owner, private_space, outsider.username)
    access.forget_visibility(outsider)
    assert not access.can_view_space(outsider, private_space)


def test_a_space_manager_manages_members_but_a_member_cannot(owner, member, other, private_space):
    with pytest.raises(NotAllowed):
        services.add_member(member, private_space, other.username)
    Membership.objects.filter(space=private_space, user=member).update(role="manager")
    services.add_member(member, private_space, other.username)
    assert access.can_view_space(other, private_space)


def test_updating_a_space_keeps_its_counters(owner, question, public_space):
    services.update_space(owner, public_space, unanswered_hours=12)
    public_space.refresh_from_db()
    assert public_space.topic_count == 1
    assert public_space.unanswered_hours == 12
