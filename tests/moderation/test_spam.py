"""Spam defence: new-account limits, a domain blocklist, copied text across accounts, and the "spam"
action that removes an account's content at once and can be undone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.api.conftest import api_for, assert_error
from tests.conftest import make_user
from townhall.content.models import Post, Topic
from townhall.content.services import create_post
from townhall.core.errors import Conflict, NotAllowed, RateLimited, Unprocessable
from townhall.moderation.models import AuditEntry
from townhall.moderation.services import active_sanction, remove_as_spam, undo_spam
from townhall.support.services import ask_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    return make_user("newcomer", date_joined=timezone.now())


def test_an_ordinary_first_question_with_one_link_to_the_companys_site_passes(newcomer, public_space):
    topic = ask_question(newcomer, public_space, title="Setting up my new widget",
                         body="I followed https://www.example.com/setup but the light stays red. Ideas?")
    assert topic.pk


def test_a_new_account_with_a_handful_of_links_is_refused_with_the_reason(newcomer, question):
    body = "Deals! https://a.example.net https://b.example.net https://c.example.net"
    with pytest.raises(Unprocessable) as refused:
        create_post(newcomer, question, body=body)
    assert "at most 2 links" in refused.value.message


def test_an_established_member_may_share_many_links(other, question):
    create_post(other, question, body="Docs: https://a.example.com https://b.example.com https://c.example.com")


def test_a_new_account_mentioning_many_members_is_refused(newcomer, question):
    with pytest.raises(Unprocessable):
        create_post(newcomer, question, body="@anna @bob @carl @dora @emil @fred look at this")


def test_links_to_a_blocked_domain_are_refused_for_everyone(settings, other, question):
    settings.BLOCKED_LINK_DOMAINS = ["cheap-watches.example"]
    with pytest.raises(Unprocessable) as refused:
        create_post(other, question, body="Try www.shop.cheap-watches.example/now")
    assert "cheap-watches.example" in refused.value.message


@pytest.mark.parametrize("body", [
    "Cheap watches at evil.com/x",  # bare, linkified when rendered
    "Cheap [watches](//evil.com/x)",  # protocol-relative
    "Cheap watches at EVIL.COM. today",  # upper case, trailing dot
    "[click](http://sub.evil.com)",  # a subdomain behind link text
    "<https://WWW.Evil.Com./shop>",  # an autolink
    "![watch](//img.evil.com/w.png)",  # an image
    "Cheap watches at https://evil%2Ecom/x",  # a percent-encoded dot
    "Cheap watches at ｅｖｉｌ。ｃｏｍ",  # full-width letters and an ideographic full stop
    "Write to sales@evil.com for cheap watches",  # an email address
    "```\ncurl http://evil.com/install\n```",  # written out in a code block
], ids=["bare", "protocol-relative", "trailing-dot", "subdomain-link", "autolink", "image", "percent-encoded",
        "full-width", "email", "code-block"])
def test_a_blocked_domain_is_refused_in_every_form_it_is_linked_or_written(settings, other, question, body):
    settings.BLOCKED_LINK_DOMAINS = ["evil.com"]
    with pytest.raises(Unprocessable) as refused:
        create_post(other, question, body=body)
    assert "evil.com" in refused.value.message and "body" in refused.value.errors


def test_a_blocked_domain_blocks_its_subdomains_and_not_its_look_alikes(settings, other, question):
    settings.BLOCKED_LINK_DOMAINS = ["Evil.com."]  # written carelessly in the settings
    with pytest.raises(Unprocessable):
        create_post(other, question, body="See https://deals.shop.evil.com")
    create_post(other, question, body="See notevil.com/x, https://evil.community and [docs](https://good.org/evil.com)")


def test_a_new_account_counts_markdown_links_like_written_out_ones(newcomer, question):
    with pytest.raises(Unprocessable) as refused:
        create_post(newcomer, question, body="[a](http://x.org) and [b](http://y.org) and [c](http://z.org)")
    assert "at most 2 links" in refused.value.message


def test_a_new_account_links_counted_once_however_often_they_appear(newcomer, question):
    body = ("The [guide](https://x.org/guide) (https://x.org/guide/, also at www.x.org/guide) "
            "and the forum https://y.org.")
    create_post(newcomer, question, body=body)


def test_mentions_and_links_to_the_site_itself_are_not_counted_as_links(settings, newcomer, other, question):
    settings.SITE_URL = "https://community.example.com"
    body = ("@other see [your profile](/u/other/), https://community.example.com/t/1/ and "
            "https://www.community.example.com/u/other/, then https://a.example.net and https://b.example.net")
    post = create_post(newcomer, question, body=body)
    assert 'href="/u/other/"' in post.body_html


def test_the_same_text_with_a_link_from_a_second_account_is_refused(
        django_capture_on_commit_callbacks, other, outsider, question):
    text = "Best prices on replacement widget parts at https://parts.example.org, delivered tomorrow"
    with django_capture_on_commit_callbacks(execute=True):
        create_post(other, question, body=text)
    with pytest.raises(Unprocessable) as refused:
        create_post(outsider, question, body=text.upper())
    assert "another account" in refused.value.message and "body" in refused.value.errors
    with django_capture_on_commit_callbacks(execute=True):
        create_post(other, question, body=text)  # the same author may repeat themselves


def test_the_same_text_in_markdown_link_form_is_copied_text_too(
        django_capture_on_commit_callbacks, other, outsider, question):
    text = "Best prices on replacement widget parts [in our shop](https://parts.example.org), delivered tomorrow"
    with django_capture_on_commit_callbacks(execute=True):
        create_post(other, question, body=text)
    with pytest.raises(Unprocessable):
        create_post(outsider, question, body=text)


def test_a_moderator_may_post_the_same_announcement_in_several_places(
        django_capture_on_commit_callbacks, moderator, agent, member, public_space, question):
    text = "Planned maintenance tonight from 22:00 to 23:00, details on https://status.example.com/maintenance"
    other_topic = ask_question(member, public_space, title="Is the widget cloud down?", body="It does not sync.")
    with django_capture_on_commit_callbacks(execute=True):
        create_post(moderator, question, body=text)
        create_post(agent, other_topic, body=text)
        create_post(moderator, other_topic, body=text)
    create_post(member, question, body=text)  # a staff text is not remembered: a member may pass it on


def test_a_refused_post_does_not_claim_its_text_for_its_author(
        settings, django_capture_on_commit_callbacks, newcomer, other, outsider, question):
    text = "Best prices on replacement widget parts at https://parts.example.org, delivered tomorrow"
    settings.NEW_ACCOUNT_POSTS_PER_HOUR = 0
    # It passes the spam check, then the hourly limit refuses it: nothing is stored.
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RateLimited):
        create_post(newcomer, question, body=text)
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True):
        create_post(other, question, body=text)  # the first account to have it stored owns the text
    with pytest.raises(Unprocessable):
        create_post(outsider, question, body=text)


def test_a_text_is_only_remembered_once_its_post_is_stored(django_capture_on_commit_callbacks, other, outsider,
                                                           question):
    text = "Best prices on replacement widget parts at https://parts.example.org, delivered tomorrow"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create_post(other, question, body=text)
        create_post(outsider, question, body=text)  # neither is committed yet: no one owns the text
    for callback in callbacks:
        callback()
    with pytest.raises(Unprocessable):  # the first commit won; the second did not take it over
        create_post(outsider, question, body=text)
    create_post(other, question, body=text)


def test_the_answer_form_shows_the_spam_refusal(settings, other_client, question):
    settings.BLOCKED_LINK_DOMAINS = ["spam.example"]
    response = other_client.post(reverse("topic_answer", args=[question.pk]), {"body": "see http://spam.example"})
    assert response.status_code == 400 and "not allowed here" in response.content.decode()


def test_the_spam_action_removes_everything_bans_and_can_be_undone(moderator, other, public_space, question):
    topic = ask_question(other, public_space, title="Buy cheap widgets here", body="Cheap!", check_rate=False)
    posts = [create_post(other, question, body=f"Spam number {i}") for i in range(3)]
    sweep = remove_as_spam(moderator, other, reason="Advertising everywhere")
    assert (len(sweep.topic_ids), len(sweep.post_ids)) == (1, 3)
    assert Topic.objects.get(pk=topic.pk).is_deleted
    assert all(p.is_deleted for p in Post.objects.filter(pk__in=[p.pk for p in posts]))
    assert active_sanction(other).kind == "ban"
    assert AuditEntry.objects.filter(action="spam_removed").count() == 1
    undo_spam(moderator, sweep.pk)
    assert not Topic.objects.get(pk=topic.pk).is_deleted
    assert not any(p.is_deleted for p in Post.objects.filter(pk__in=[p.pk for p in posts]))
    assert active_sanction(other) is None
    with pytest.raises(Conflict):
        undo_spam(moderator, sweep.pk)


def test_only_moderators_sweep_and_never_a_moderator(member, moderator, other):
    with pytest.raises(NotAllowed):
        remove_as_spam(member, other, reason="I do not like them")
    with pytest.raises(NotAllowed):
        remove_as_spam(make_user("second-mod", is_moderator=True), moderator, reason="Rival")


def test_the_spam_action_from_the_page_and_the_api(moderator, moderator_client, member, other, question):
    create_post(other, question, body="Spam again")
    assert moderator_client.post(reverse("remove_as_spam", args=[other.username]),
                                 {"reason": "Advertising"}).status_code == 302
    assert active_sanction(other).kind == "ban"
    spammer = make_user("spammer2")
    assert_error(api_for(member).post("/moderation/actions", {"action": "spam", "user": "spammer2",
                                                              "reason": "x"}), 403)
    done = api_for(moderator).post("/moderation/actions", {"action": "spam", "user": "spammer2", "reason": "Ads"})
    assert done.status_code == 200 and active_sanction(spammer).kind == "ban"


def test_a_new_account_naming_files_is_not_taken_for_a_link_spammer(db, question):
    from django.utils import timezone

    from tests.conftest import make_user
    from townhall.content.services import create_post

    fresh = make_user("fresh_dev", date_joined=timezone.now() - timezone.timedelta(hours=2))
    post = create_post(fresh, question, body="I edited setup.py and README.md, then ran install.sh and main.rs.")
    assert not post.is_deleted
