"""Two moderators acting on the same item at the same moment: one change is made, the other moderator is
told it was made already (409), and nothing is applied twice. Row locks need a real server: PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.conftest import make_user
from townhall.content.models import Topic
from townhall.core.errors import Conflict, NotFound, Unprocessable
from townhall.moderation.models import AuditEntry, Flag
from townhall.moderation.services import flag, review
from townhall.spaces.models import Space
from townhall.support.services import ask_question

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite writes one "
                                                                 "at a time anyway"),
]


def at_once(*calls):
    """Run the calls in threads released together; what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def setting():
    space = Space.objects.create(slug="widgets", name="Widgets", kind="forum", visibility="public")
    asker, other = make_user("asker"), make_user("other")
    first = ask_question(asker, space, title="Widget blinks red", body="Why does it blink?")
    second = ask_question(other, space, title="Red blinking widget", body="Mine blinks too.")
    return space, first, second, make_user("mod1", is_moderator=True), make_user("mod2", is_moderator=True)


def test_two_moderators_locking_at_once_lock_it_once(setting):
    _, first, _, mod1, mod2 = setting
    results = at_once(lambda: review(mod1, "lock", topic=Topic.objects.get(pk=first.pk), reason="Rule 2"),
                      lambda: review(mod2, "lock", topic=Topic.objects.get(pk=first.pk), reason="Rule 2"))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "dict"]
    assert AuditEntry.objects.filter(action="lock").count() == 1


def test_two_moderators_merging_the_same_topic_merge_it_once(setting):
    space, first, second, mod1, mod2 = setting
    results = at_once(
        lambda: review(mod1, "merge", topic=Topic.objects.get(pk=second.pk), into=first.pk, reason="Same"),
        lambda: review(mod2, "merge", topic=Topic.objects.get(pk=second.pk), into=first.pk, reason="Same"))
    assert sum(isinstance(r, dict) for r in results) == 1
    assert all(isinstance(r, (dict, Conflict, NotFound, Unprocessable)) for r in results)
    space.refresh_from_db()
    target = Topic.objects.get(pk=first.pk)
    assert (space.topic_count, target.reply_count) == (1, 1)  # the merged text, counted once
    assert AuditEntry.objects.filter(action="merge").count() == 1


def test_two_moderators_deleting_a_flagged_post_close_the_flags_once(setting):
    _, first, _, mod1, mod2 = setting
    from townhall.content.services import create_post

    spam = create_post(make_user("spammer"), first, body="Buy watches at http://watches.example.com now")
    flag(make_user("reporter"), post=spam, reason="spam")
    results = at_once(lambda: review(mod1, "delete", post=spam, reason="Spam"),
                      lambda: review(mod2, "delete", post=spam, reason="Spam"))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "dict"]
    assert Flag.objects.get().status == "upheld"
    assert AuditEntry.objects.filter(action="review_delete").count() == 1
