"""The daily recount fixes counters that drifted, and leaves correct ones alone."""

from django.core.management import call_command

from townhall.content.models import Post, Topic
from townhall.content.services import create_post, give_kudos, reconcile_counters


def test_correct_counters_are_left_alone(question, answer, member):
    give_kudos(member, answer)
    assert sum(reconcile_counters().values()) == 0


def test_drifted_counters_are_fixed(question, answer, member, other, public_space):
    create_post(member, question, body="A comment", parent=answer)
    give_kudos(member, answer)
    Topic.objects.filter(pk=question.pk).update(reply_count=99, answer_count=0)
    Post.objects.filter(pk=answer.pk).update(kudos_count=7, comment_count=0)
    type(public_space).objects.filter(pk=public_space.pk).update(topic_count=42)
    fixed = reconcile_counters()
    question.refresh_from_db()
    answer.refresh_from_db()
    public_space.refresh_from_db()
    assert (question.reply_count, question.answer_count) == (2, 1)
    assert (answer.kudos_count, answer.comment_count) == (1, 1)
    assert public_space.topic_count == 1
    assert fixed["Topic.reply_count"] == 1


def test_the_recount_command_reports_a_summary(question, capsys):
    Topic.objects.filter(pk=question.pk).update(answer_count=5)
    call_command("recount")
    assert "1 counters fixed" in capsys.readouterr().out
