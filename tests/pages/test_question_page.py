"""The question page: reading, answering, commenting, kudos, accepting, "me too", following."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from townhall.content.models import Post, Topic
from townhall.content.services import create_post, delete_post, give_kudos
from townhall.notifications.services import is_subscribed
from townhall.support.models import Question
from townhall.support.services import accept_solution, escalate_question

pytestmark = pytest.mark.django_db


def page(client, topic, **params):
    return client.get(reverse("topic", args=[topic.pk]), params)


def test_visitor_reads_the_question_and_its_answers_and_is_invited_to_sign_in(anon_client, question, answer):
    response = page(anon_client, question)
    html = response.content.decode()
    assert response.status_code == 200
    assert question.title in html
    assert "<strong>nothing</strong>" in html  # the stored HTML, rendered
    assert "Hold the button for ten seconds." in html
    assert ">reset</a>" in html
    assert "Mia Member" in html  # the author card
    assert reverse("account_login") in html and "to answer" in html
    assert 'name="body"' not in html


def test_each_visit_counts_a_view(other_client, question):
    page(other_client, question)
    page(other_client, question)
    question.refresh_from_db()
    assert question.view_count == 2


def test_the_slug_variant_of_the_address_shows_the_same_page(anon_client, question):
    response = anon_client.get(reverse("topic_slug", args=[question.pk, "how-do-i-reset-my-widget"]))
    assert response.status_code == 200
    assert question.title in response.content.decode()


def test_member_answers_and_lands_on_their_answer(other_client, question):
    response = other_client.post(reverse("topic_answer", args=[question.pk]), {"body": "Try **unplugging** it."})
    post = Post.objects.get(topic=question)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#post-{post.pk}")
    html = page(other_client, question).content.decode()
    assert "<strong>unplugging</strong>" in html
    assert "1 answer" in html


def test_an_empty_answer_is_refused_naming_the_field_and_nothing_is_posted(other_client, question):
    response = other_client.post(reverse("topic_answer", args=[question.pk]), {"body": "   "})
    assert response.status_code == 400
    assert "The text is empty." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Post.objects.filter(topic=question).exists()


def test_member_comments_under_an_answer(member_client, question, answer):
    response = member_client.post(reverse("post_comment", args=[answer.pk]), {"body": "That worked, thanks!"})
    comment = Post.objects.get(parent=answer)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#post-{comment.pk}")
    html = page(member_client, question).content.decode()
    assert "That worked, thanks!" in html
    assert f'id="post-{comment.pk}" class="comment"' in html


def test_an_empty_comment_is_refused_and_the_form_says_why(member_client, question, answer):
    response = member_client.post(reverse("post_comment", args=[answer.pk]), {"body": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The text is empty." in html
    assert f'id="comment-{answer.pk}-error"' in html


def test_agents_answers_are_marked_official(agent_client, question):
    agent_client.post(reverse("topic_answer", args=[question.pk]), {"body": "We fixed this in 2.1."})
    html = page(agent_client, question).content.decode()
    assert "Official answer" in html
    assert Post.objects.get(topic=question).official


def test_asker_accepts_an_answer_shown_under_the_question_and_in_the_solved_tab(member_client, question, answer):
    response = member_client.post(reverse("post_accept", args=[answer.pk]))
    assert response.status_code == 302
    html = page(member_client, question).content.decode()
    assert "✓ Accepted solution" in html
    assert f'href="#post-{answer.pk}"' in html
    # The accepted answer comes right after the question, before the list of answers.
    assert html.index('id="accepted-heading"') < html.index('id="answers-heading"')
    assert html.index("✓ Solved") < html.index('id="accepted-heading"')
    assert "Unaccept" in html
    solved_tab = member_client.get(reverse("space", args=["widgets-setup"]), {"tab": "solved"}).content.decode()
    assert question.title in solved_tab and "✓ Solved" in solved_tab


def test_asker_unaccepts_and_the_question_is_open_again(member_client, member, question, answer):
    accept_solution(member, question, answer)
    member_client.post(reverse("topic_unaccept", args=[question.pk]))
    question.refresh_from_db()
    assert question.status == "open"
    assert "Accepted solution" not in page(member_client, question).content.decode()


def test_someone_else_cannot_accept_and_sees_no_accept_button(other_client, question, answer):
    assert "Accept as solution" not in page(other_client, question).content.decode()
    response = other_client.post(reverse("post_accept", args=[answer.pk]))
    assert response.status_code == 403
    assert Question.objects.get(topic=question).accepted_post_id is None


def test_accepting_with_htmx_reloads_the_page(member_client, question, answer):
    response = member_client.post(reverse("post_accept", args=[answer.pk]), HTTP_HX_REQUEST="true")
    assert response.headers["HX-Redirect"].startswith(reverse("topic", args=[question.pk]))


def test_kudos_without_javascript_counts_and_comes_back_to_the_post(member_client, question, answer):
    response = member_client.post(reverse("post_kudos", args=[answer.pk]), {"value": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#post-{answer.pk}")
    answer.refresh_from_db()
    assert answer.kudos_count == 1
    assert "✓ Kudos given" in page(member_client, question).content.decode()


def test_kudos_with_htmx_swaps_the_button_in_place(member_client, answer):
    response = member_client.post(reverse("post_kudos", args=[answer.pk]), {"value": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="kudos-{answer.pk}"' in html
    assert "✓ Kudos given" in html and '<span class="count">1</span>' in html
    response = member_client.post(reverse("post_kudos", args=[answer.pk]), {"value": "0"}, HTTP_HX_REQUEST="true")
    assert "Give kudos" in response.content.decode() and '<span class="count">0</span>' in response.content.decode()


def test_giving_kudos_twice_counts_once(member_client, member, answer):
    give_kudos(member, answer)
    member_client.post(reverse("post_kudos", args=[answer.pk]), {"value": "1"})
    answer.refresh_from_db()
    assert answer.kudos_count == 1


def test_no_kudos_for_your_own_post(other_client, question, answer):
    html = page(other_client, question).content.decode()
    assert f'<span id="kudos-{answer.pk}" class="kudos meta">0 kudos' in html
    response = other_client.post(reverse("post_kudos", args=[answer.pk]), {"value": "1"}, follow=True)
    assert "You cannot give kudos to your own post." in response.content.decode()
    answer.refresh_from_db()
    assert answer.kudos_count == 0


def test_me_too_with_htmx_counts_and_follows(other_client, other, question):
    response = other_client.post(reverse("topic_me_too", args=[question.pk]), {"value": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="me-too"' in html and "✓ I have this question too" in html
    assert '<span class="count"' in html and ">1</span>" in html
    assert is_subscribed(other, question)
    other_client.post(reverse("topic_me_too", args=[question.pk]), {"value": "0"})
    question.refresh_from_db()
    assert question.vote_count == 0


def test_me_too_without_javascript_redirects_back(other_client, question):
    response = other_client.post(reverse("topic_me_too", args=[question.pk]), {"value": "1"})
    assert response.status_code == 302
    assert "✓ I have this question too" in page(other_client, question).content.decode()
    assert Topic.objects.get(pk=question.pk).vote_count == 1


def test_the_asker_has_no_me_too_button(member_client, question):
    html = page(member_client, question).content.decode()
    assert "0 people have this question too" in html
    assert reverse("topic_me_too", args=[question.pk]) not in html


def test_follow_and_unfollow_a_question(other_client, other, question):
    response = other_client.post(reverse("topic_follow", args=[question.pk]), {"value": "1"}, HTTP_HX_REQUEST="true")
    assert "Unfollow" in response.content.decode() and "<html" not in response.content.decode()
    assert is_subscribed(other, question)
    other_client.post(reverse("topic_follow", args=[question.pk]), {"value": "0"})
    assert not is_subscribed(other, question)


def test_answers_sort_by_kudos_by_default_and_by_date_on_request(anon_client, member, other, agent, question):
    first = create_post(other, question, body="First answer, few kudos.")
    second = create_post(agent, question, body="Second answer, many kudos.")
    give_kudos(member, second)
    by_kudos = page(anon_client, question).content.decode()
    assert by_kudos.index(f'id="post-{second.pk}"') < by_kudos.index(f'id="post-{first.pk}"')
    by_date = page(anon_client, question, sort="date").content.decode()
    assert by_date.index(f'id="post-{first.pk}"') < by_date.index(f'id="post-{second.pk}"')
    assert page(anon_client, question, sort="loudest").status_code == 400


def test_more_answers_link_pages_by_cursor(anon_client, other, question):
    posts = [create_post(other, question, body=f"Answer number {i}") for i in range(53)]
    response = page(anon_client, question, sort="date")
    html = response.content.decode()
    assert "More answers" in html
    assert f'id="post-{posts[52].pk}"' not in html
    cursor = re.search(r'href="\?[^"]*cursor=([^"&#]+)[^"]*#answers">More answers', html).group(1)
    html = page(anon_client, question, sort="date", cursor=cursor).content.decode()
    assert f'id="post-{posts[52].pk}"' in html and f'id="post-{posts[0].pk}"' not in html
    assert "More answers" not in html


def test_the_support_team_state_shows_to_the_asker_and_agents_only(member_client, agent_client, other_client, question):
    escalate_question(question, reason="unanswered")
    assert "The support team has this question" in page(member_client, question).content.decode()
    assert "The support team has this question" in page(agent_client, question).content.decode()
    assert "The support team has this question" not in page(other_client, question).content.decode()


def test_deleted_answers_show_as_placeholders_to_moderators_only(moderator_client, other_client, anon_client,
                                                                 moderator, question, answer):
    delete_post(moderator, answer)
    html = page(moderator_client, question).content.decode()
    assert "This answer was deleted" in html
    assert reverse("post_restore", args=[answer.pk]) in html
    assert "Hold the button" not in html
    for client in (other_client, anon_client):
        html = page(client, question).content.decode()
        assert f'id="post-{answer.pk}"' not in html
        assert "This answer was deleted" not in html


def test_edit_and_delete_links_only_where_allowed(member_client, other_client, moderator_client, question, answer):
    edit_topic = reverse("topic_edit", args=[question.pk])
    edit_answer = reverse("post_edit", args=[answer.pk])
    member_html = page(member_client, question).content.decode()
    assert edit_topic in member_html and edit_answer not in member_html
    other_html = page(other_client, question).content.decode()
    assert edit_topic not in other_html and edit_answer in other_html
    moderator_html = page(moderator_client, question).content.decode()
    assert edit_topic in moderator_html and edit_answer in moderator_html


def test_unknown_question_is_not_found(anon_client, db):
    assert anon_client.get(reverse("topic", args=[999999])).status_code == 404


def test_answers_and_comments_with_a_nul_byte_are_refused_not_a_server_error(member_client, question, answer):
    response = member_client.post(reverse("topic_answer", args=[question.pk]), {"body": "a\x00b"})
    assert response.status_code == 400 and "Null characters are not allowed." in response.content.decode()
    response = member_client.post(reverse("post_comment", args=[answer.pk]), {"body": "a\x00b"})
    assert response.status_code == 400 and "Null characters are not allowed." in response.content.decode()
    assert Post.objects.filter(topic=question).count() == 1


def test_the_page_shows_each_members_own_me_too_follow_and_kudos_state(settings, other, other_client, outsider,
                                                                        outsider_client, question, answer):
    from townhall.content.services import give_kudos as kudos
    from townhall.support.services import me_too

    settings.PAGE_CACHE_SECONDS = 300
    assert outsider.pk != question.pk  # a member's id taken for the topic's (or back) would show
    me_too(outsider, question)
    kudos(outsider, answer)
    mine = outsider_client.get(question.get_absolute_url()).content.decode()
    assert "✓ I have this question too" in mine and "Following · Unfollow" in mine and "✓ Kudos given" in mine
    theirs = other_client.get(question.get_absolute_url()).content.decode()
    assert "✓ I have this question too" not in theirs and "✓ Kudos given" not in theirs
