"""`townhall demo`: a believable community, built through the services, loaded once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command

from townhall.content.models import Post, Topic
from townhall.core import access
from townhall.spaces.models import Space
from townhall.support.models import Question


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_the_demo_builds_a_living_community_and_loads_only_once(db, monkeypatch):
    monkeypatch.setenv("TOWNHALL_DEMO_PASSWORD", "demo-password-for-tests")
    output = run_demo()

    products = Space.objects.filter(parent__isnull=True, kind="forum")
    assert products.count() == 4
    assert all(p.children.count() == 3 for p in products)
    insiders = Space.objects.get(slug="insiders")
    assert insiders.visibility == "private"

    questions = Topic.objects.filter(kind="question")
    assert 90 <= questions.count() <= 110
    solved = questions.filter(status="solved").count()
    assert 0.35 <= solved / questions.count() <= 0.65
    assert questions.filter(answer_count=0).exists(), "some questions should still wait for an answer"
    assert Question.objects.filter(queue_state__in=["queued", "claimed"]).exists(), "nothing in the agent queue"
    assert Post.objects.filter(official=True).exists(), "agents never answered"
    assert Post.objects.filter(parent__isnull=False).exists(), "nobody commented"
    assert Post.objects.filter(body_html__contains="<pre><code").exists(), "no code blocks"
    assert Post.objects.filter(kudos_count__gt=0).exists()

    users = get_user_model().objects
    assert 38 <= users.count() <= 45
    admin = users.get(username="admin")
    assert admin.is_admin and admin.check_password("demo-password-for-tests")
    assert users.filter(is_agent=True).count() == 2 and users.filter(is_moderator=True).count() == 1
    assert users.exclude(region="").count() == users.count()

    # The Insiders' group is invisible to visitors and to members who are not in it.
    assert Topic.objects.filter(space=insiders).exists()
    assert not access.visible_topics(AnonymousUser()).filter(space=insiders).exists()
    outsider = users.exclude(memberships__space=insiders).filter(is_staff=False).first()
    assert not access.visible_topics(outsider).filter(space=insiders).exists()

    # Questions are spread over weeks, not all asked this minute.
    dates = {t.created_at.date() for t in questions}
    assert len(dates) > 20

    for word in ("members", "spaces", "questions", "answers", "solved", "escalated"):
        assert word in output
    assert "demo-password-for-tests" not in output, "a chosen password is never printed"

    counts = (users.count(), Space.objects.count(), Topic.objects.count(), Post.objects.count())
    assert "already loaded" in run_demo()
    assert (users.count(), Space.objects.count(), Topic.objects.count(), Post.objects.count()) == counts


def test_a_generated_admin_password_is_printed_once(db, monkeypatch):
    monkeypatch.delenv("TOWNHALL_DEMO_PASSWORD", raising=False)
    output = run_demo()
    line = next(line for line in output.splitlines() if "password:" in line)
    password = line.rsplit(" ", 1)[-1]
    assert get_user_model().objects.get(username="admin").check_password(password)


def test_the_demo_refuses_to_mix_with_an_existing_community(public_space):
    with pytest.raises(CommandError, match="--force"):
        run_demo()
    assert Space.objects.count() == 2


def test_a_weak_demo_password_is_refused_and_nothing_is_loaded(db, monkeypatch):
    monkeypatch.setenv("TOWNHALL_DEMO_PASSWORD", "123")
    with pytest.raises(CommandError, match="TOWNHALL_DEMO_PASSWORD"):
        run_demo()
    assert not Space.objects.exists()
    assert not get_user_model().objects.exists()
