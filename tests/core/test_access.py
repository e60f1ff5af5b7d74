"""The one access policy, asked by every surface."""

from townhall.content.services import create_post, delete_post
from townhall.core import access


def test_visible_topics_hide_private_questions_from_outsiders(question, private_question, outsider, member):
    assert set(access.visible_topics(None)) == {question}
    assert set(access.visible_topics(outsider)) == {question}
    assert set(access.visible_topics(member)) == {question, private_question}


def test_deleted_posts_are_seen_by_their_author_and_moderators_only(answer, other, member, moderator):
    delete_post(other, answer)
    answer.refresh_from_db()
    assert access.can_view_post(other, answer)
    assert access.can_view_post(moderator, answer)
    assert not access.can_view_post(member, answer)


def test_inactive_members_see_only_public_content(members_space, member):
    member.is_active = False
    assert not access.can_view_space(member, members_space)


def test_only_agents_and_admins_work_the_queue(agent, owner, moderator, member):
    assert access.can_work_queue(agent)
    assert access.can_work_queue(owner)
    assert not access.can_work_queue(moderator)
    assert not access.can_work_queue(member)
    assert not access.can_work_queue(None)


def test_comments_in_private_spaces_follow_the_space(private_question, agent, outsider, member):
    post = create_post(agent, private_question, body="Only for insiders")
    assert access.can_view_post(member, post)
    assert not access.can_view_post(outsider, post)
