"""Fixed personas and spaces shared by every test module.

- owner: an admin of the community
- member: an ordinary member
- other: a second ordinary member (answers the member's questions)
- outsider: signed in, but not a member of the private space
- agent, moderator: the company's people
- public_space, members_space, private_space (member and agent belong to it)
"""

from __future__ import annotations

import os

os.environ.setdefault("TOWNHALL_TESTING", "1")

import pytest  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.HELPDESK_WEBHOOK_URL = ""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _form_guard(request, settings):
    """The forms' spam guard (core.formguard) is on only in tests marked `form_guard`: the other tests
    post forms as data, without the stamp a page would have given them. The browser journeys
    (tests/e2e) turn it on too, with no minimum time: they send the forms the pages really render."""
    settings.FORM_GUARD = request.node.get_closest_marker("form_guard") is not None


def make_user(username: str, **extra):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    User = get_user_model()
    extra.setdefault("date_joined", timezone.now() - timezone.timedelta(days=30))
    user = User.objects.create_user(
        username=username, email=f"{username}@example.com", password="correct horse battery", **extra
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def owner(db):
    return make_user("owner", is_staff=True, is_superuser=True, display_name="Olivia Owner")


@pytest.fixture
def member(db):
    return make_user("member", display_name="Mia Member")


@pytest.fixture
def other(db):
    return make_user("other", display_name="Omar Other")


@pytest.fixture
def outsider(db):
    return make_user("outsider", display_name="Otto Outsider")


@pytest.fixture
def agent(db):
    return make_user("agent", is_agent=True, display_name="Ada Agent")


@pytest.fixture
def moderator(db):
    return make_user("moderator", is_moderator=True, display_name="Max Moderator")


@pytest.fixture
def public_space(db):
    from townhall.spaces.models import Space

    product = Space.objects.create(slug="widgets", name="Widgets", kind="forum", visibility="public")
    return Space.objects.create(
        slug="widgets-setup", name="Widget setup", kind="forum", visibility="public", parent=product,
        support_email="support@example.com",
    )


@pytest.fixture
def members_space(db):
    from townhall.spaces.models import Space

    return Space.objects.create(slug="lounge", name="Members' lounge", kind="forum", visibility="members")


@pytest.fixture
def private_space(db, member, agent):
    from townhall.spaces.models import Membership, Space

    space = Space.objects.create(slug="insiders", name="Insiders", kind="forum", visibility="private")
    Membership.objects.create(space=space, user=member)
    Membership.objects.create(space=space, user=agent)
    return space


@pytest.fixture
def question(member, public_space):
    from townhall.support.services import ask_question

    return ask_question(member, public_space, title="How do I reset my widget?",
                        body="It blinks red and **nothing** helps.", tags=["reset", "widget-pro"])


@pytest.fixture
def private_question(member, private_space):
    from townhall.support.services import ask_question

    return ask_question(member, private_space, title="Secret roadmap widget question",
                        body="Only insiders may read this zebracorn.", tags=["roadmap"])


@pytest.fixture
def answer(other, question):
    from townhall.content.services import create_post

    return create_post(other, question, body="Hold the button for ten seconds.")


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def anon_client():
    return Client()


@pytest.fixture
def member_client(member):
    return client_for(member)


@pytest.fixture
def other_client(other):
    return client_for(other)


@pytest.fixture
def outsider_client(outsider):
    return client_for(outsider)


@pytest.fixture
def owner_client(owner):
    return client_for(owner)


@pytest.fixture
def agent_client(agent):
    return client_for(agent)


@pytest.fixture
def moderator_client(moderator):
    return client_for(moderator)
