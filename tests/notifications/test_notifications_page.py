"""The member's notifications page: newest first, unread highlighted, open one, mark all read."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from townhall.content.services import create_post
from townhall.notifications.models import Notification
from townhall.support.services import ask_question

URL = "/notifications/"


def answers(author, topic, count):
    return [create_post(author, topic, body=f"Answer number {i} for you.") for i in range(count)]


def test_signing_in_is_required(anon_client, db):
    page = anon_client.get(URL)
    assert page.status_code == 302 and page["Location"].startswith(reverse("account_login"))


def test_an_empty_inbox_says_so(member_client, member):
    text = member_client.get(URL).content.decode()
    assert "No notifications yet." in text
    assert "Mark all as read" not in text


def test_notifications_are_listed_newest_first_with_who_did_what(member_client, question, other):
    answers(other, question, 2)
    text = member_client.get(URL).content.decode()
    assert "Omar Other" in text and "answered your question" in text
    assert question.title in text
    assert text.index("Answer number 1 for you.") < text.index("Answer number 0 for you.")


def test_unread_notifications_are_highlighted(member_client, member, question, other):
    answers(other, question, 2)
    first = Notification.objects.filter(user=member).order_by("id").first()
    first.read_at = first.created_at
    first.save()
    text = member_client.get(URL).content.decode()
    assert text.count('class="notification unread"') == 1
    assert text.count('class="notification"') == 1
    assert "Unread: " in text  # said, not only coloured


def test_opening_a_notification_marks_it_read_and_goes_to_the_post(member_client, member, question, other):
    [post] = answers(other, question, 1)
    notice = Notification.objects.get(user=member)
    page = member_client.get(reverse("notification_open", args=[notice.pk]))
    assert page.status_code == 302
    assert page["Location"] == question.get_absolute_url() + f"#post-{post.pk}"
    notice.refresh_from_db()
    assert notice.read


def test_nobody_opens_another_members_notification(other_client, member, question, other, agent):
    answers(agent, question, 1)
    notice = Notification.objects.get(user=member)
    assert other_client.get(reverse("notification_open", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert not notice.read


def test_mark_all_as_read(member_client, member, question, other):
    answers(other, question, 3)
    assert "Mark all as read" in member_client.get(URL).content.decode()
    page = member_client.post(reverse("notifications_mark_all_read"), follow=True)
    assert "Marked 3 notifications as read." in page.content.decode()
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()
    assert 'class="notification unread"' not in page.content.decode()


def test_mark_all_as_read_needs_a_post(member_client, member, question, other):
    answers(other, question, 1)
    assert member_client.get(reverse("notifications_mark_all_read")).status_code == 405
    assert Notification.objects.filter(user=member, read_at__isnull=True).count() == 1


def test_long_inboxes_page_by_cursor(member_client, member, public_space, other):
    topic = ask_question(member, public_space, title="A question with many answers", body="Please help.")
    answers(other, topic, 35)
    first = member_client.get(URL)
    assert first.context["next_cursor"]
    assert len(first.context["notifications"]) == 30
    second = member_client.get(URL, {"cursor": first.context["next_cursor"]})
    assert len(second.context["notifications"]) == 5
    seen = {n.pk for n in first.context["notifications"]} | {n.pk for n in second.context["notifications"]}
    assert len(seen) == 35
    assert second.context["next_cursor"] is None


def test_a_broken_cursor_is_a_clear_400(member_client, member):
    page = member_client.get(URL, {"cursor": "not-a-cursor!!"})
    assert page.status_code == 400
    assert "not one this server gave out" in page.content.decode()


def _page_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_for_3_or_30_notifications(
    member_client, member, public_space, other, django_assert_max_num_queries
):
    topic = ask_question(member, public_space, title="A question with many answers", body="Please help.")
    answers(other, topic, 3)
    few = _page_queries(member_client)
    answers(other, topic, 27)
    with django_assert_max_num_queries(6):
        many = _page_queries(member_client)
    assert few == many


def badge(client) -> str | None:
    import re

    found = re.search(r'<span class="badge" aria-label="(\d+) unread">', client.get("/").content.decode())
    return found.group(1) if found else None


def test_the_header_badge_follows_new_and_read_notifications_at_once(settings, member_client, question, other):
    settings.PAGE_CACHE_SECONDS = 300  # the count is kept in the cache between pages
    assert badge(member_client) is None
    answers(other, question, 1)
    assert badge(member_client) == "1"
    answers(other, question, 1)
    assert badge(member_client) == "2"
    member_client.post(reverse("notifications_mark_all_read"))
    assert badge(member_client) is None
