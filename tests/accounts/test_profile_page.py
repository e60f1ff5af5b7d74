"""A member's public profile: who they are, what they contributed — only where the viewer may look."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from townhall.content.services import create_post
from townhall.support.services import ask_question


def profile_url(user):
    return reverse("profile", args=[user.username])


def test_the_profile_shows_who_the_member_is(anon_client, member):
    member.bio = "I fix widgets for a living."
    member.region = "Shenzhen, China"
    member.languages = "English, Mandarin"
    member.products = "Widget Pro, Widget Mini"
    member.reputation = 250
    member.save()
    page = anon_client.get(profile_url(member))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Mia Member" in text
    assert "I fix widgets for a living." in text
    assert "Shenzhen, China" in text
    assert "English, Mandarin" in text
    assert "Widget Pro" in text and "Widget Mini" in text
    assert "Contributor" in text  # the rank for 250 points
    assert "250" in text


def test_a_member_without_an_avatar_is_shown_by_initials(anon_client, member):
    page = anon_client.get(profile_url(member))
    assert 'class="avatar avatar-large avatar-initials"' in page.content.decode()
    assert ">MM<" in page.content.decode()


def test_agents_and_moderators_wear_their_role_badges(anon_client, agent, moderator, member):
    assert "Agent" in anon_client.get(profile_url(agent)).content.decode()
    assert "Moderator" in anon_client.get(profile_url(moderator)).content.decode()
    plain = anon_client.get(profile_url(member)).content.decode()
    assert 'role-badge">Agent' not in plain and 'role-badge">Moderator' not in plain


def test_the_counts_follow_the_members_questions_and_answers(anon_client, question, answer, other):
    text = anon_client.get(profile_url(other)).content.decode()
    assert "Hold the button for ten seconds." in text
    assert question.title in text  # the answer links to its question
    member_text = anon_client.get(profile_url(question.author)).content.decode()
    assert question.title in member_text
    assert '<dt>Questions</dt><dd>1</dd>' in member_text
    assert '<dt>Answers</dt><dd>1</dd>' in text


def test_a_question_in_the_private_space_shows_to_fellow_members_only(
    private_question, member, agent_client, outsider_client, anon_client
):
    assert private_question.title in agent_client.get(profile_url(member)).content.decode()
    assert private_question.title not in outsider_client.get(profile_url(member)).content.decode()
    assert private_question.title not in anon_client.get(profile_url(member)).content.decode()


def test_an_answer_in_the_private_space_shows_to_fellow_members_only(
    private_question, agent, member_client, outsider_client
):
    create_post(agent, private_question, body="Insider answer about the zebracorn.")
    assert "Insider answer about the zebracorn." in member_client.get(profile_url(agent)).content.decode()
    outsider_view = outsider_client.get(profile_url(agent)).content.decode()
    assert "zebracorn" not in outsider_view
    assert private_question.title not in outsider_view


def test_a_members_only_question_is_hidden_from_visitors(members_space, member, anon_client, other_client):
    topic = ask_question(member, members_space, title="Lounge-only question", body="For members.")
    assert topic.title in other_client.get(profile_url(member)).content.decode()
    assert topic.title not in anon_client.get(profile_url(member)).content.decode()


def test_deleted_questions_are_not_listed(question, member, other_client):
    from townhall.content.services import delete_topic

    delete_topic(member, question)
    assert question.title not in other_client.get(profile_url(member)).content.decode()


def test_an_unknown_member_is_not_found(anon_client, db):
    assert anon_client.get(reverse("profile", args=["nobody-here"])).status_code == 404


def test_a_deactivated_member_is_not_found(anon_client, member):
    member.is_active = False
    member.save()
    assert anon_client.get(profile_url(member)).status_code == 404


def test_your_own_profile_offers_to_edit_it(member_client, member, other_client):
    assert reverse("settings_profile") in member_client.get(profile_url(member)).content.decode()
    assert "Edit your profile" not in other_client.get(profile_url(member)).content.decode()


def _ask_and_answer(asker, answerer, space, count):
    for i in range(count):
        topic = ask_question(asker, space, title=f"Question number {i} about widgets", body="Body text.")
        create_post(answerer, topic, body=f"Answer number {i}.")


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200
    return len(queries), page.content.decode()


def test_the_profile_costs_the_same_queries_for_few_or_many_posts(
    member, other, public_space, private_space, other_client, django_assert_max_num_queries
):
    _ask_and_answer(member, other, public_space, 3)
    _ask_and_answer(other, member, public_space, 3)
    few, _ = _queries_for(other_client, profile_url(member))
    _ask_and_answer(member, other, public_space, 27)
    _ask_and_answer(other, member, public_space, 27)
    with django_assert_max_num_queries(8):  # 7, and one for the member's badges
        many, text = _queries_for(other_client, profile_url(member))
    assert few == many
    assert "Question number 26 about widgets" in text
