"""Member provisioning, roles and API tokens."""

import pytest

from townhall.accounts import services
from townhall.accounts.models import ApiToken
from townhall.core.errors import Conflict, InvalidInput, NotAllowed


def test_an_admin_provisions_an_agent_with_a_verified_email(owner):
    from allauth.account.models import EmailAddress

    agent = services.create_member(owner, username="sam", email="sam@example.com", roles=["agent"])
    assert agent.is_agent and agent.roles == ["member", "agent"]
    assert EmailAddress.objects.get(user=agent).verified
    assert not agent.has_usable_password()


def test_a_member_cannot_provision(member):
    with pytest.raises(NotAllowed):
        services.create_member(member, username="sam", email="sam@example.com")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"username": "", "email": "a@example.com"}, "username"),
        ({"username": "has space", "email": "a@example.com"}, "username"),
        ({"username": "sam", "email": "nope"}, "email"),
        ({"username": "sam", "email": "a@example.com", "roles": ["emperor"]}, "roles"),
        ({"username": "sam", "email": "a@example.com", "password": "123"}, "password"),
    ],
)
def test_bad_provisioning_input_names_the_field(owner, fields, field):
    with pytest.raises(InvalidInput) as exc:
        services.create_member(owner, **fields)
    assert field in exc.value.errors


def test_usernames_and_emails_are_unique(owner, member):
    with pytest.raises(Conflict):
        services.create_member(owner, username="Member", email="new@example.com")
    with pytest.raises(Conflict):
        services.create_member(owner, username="newone", email="MEMBER@example.com")


def test_a_token_is_stored_only_as_a_hash_and_authenticates(member):
    token, raw = services.create_api_token(member, "CI script")
    assert raw not in {token.key_hash, token.prefix}
    assert token.key_hash == ApiToken.hash(raw)
    assert services.user_for_token(raw) == member
    assert services.user_for_token(raw + "x") is None


def test_a_revoked_token_no_longer_authenticates(member):
    token, raw = services.create_api_token(member, "Old laptop")
    services.revoke_api_token(member, token.pk)
    assert services.user_for_token(raw) is None


def test_a_member_cannot_revoke_someone_elses_token(member, other):
    token, _ = services.create_api_token(member, "Mine")
    with pytest.raises(InvalidInput):
        services.revoke_api_token(other, token.pk)


def test_a_token_needs_a_name(member):
    with pytest.raises(InvalidInput) as exc:
        services.create_api_token(member, "  ")
    assert "name" in exc.value.errors


def test_profile_fields_are_length_checked(member):
    with pytest.raises(InvalidInput) as exc:
        services.update_profile(member, bio="x" * 2001)
    assert "bio" in exc.value.errors
    services.update_profile(member, region="Shenzhen", languages="zh, en")
    member.refresh_from_db()
    assert member.region == "Shenzhen"
