"""`townhall bench generate`: a reproducible community with the shape of a real one.

The small community is generated once for the module (inside a transaction rolled back at the
end); each test then runs in its own savepoint.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import Client

from townhall.bench.generate import BENCH_PASSWORD, SIZES, SizeSpec, generate
from townhall.content.models import Kudos, Post, Topic, TopicVote
from townhall.content.services import reconcile_counters
from townhall.core.errors import Conflict, InvalidInput
from townhall.notifications.models import Subscription
from townhall.reputation.services import recompute_reputation
from townhall.search.models import SearchDocument
from townhall.search.services import search
from townhall.spaces.models import Space
from townhall.support.models import Question
from townhall.support.services import agent_queue, overdue_questions

UNTIL = datetime(2026, 6, 1, tzinfo=UTC)
TINY = SizeSpec(members=200, topics=300, posts=1_200, reactions=2_000, spaces=5, long_threads=(100,))


@pytest.fixture(scope="module")
def community(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        summary = generate("small", seed=7, until=UNTIL)
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def small(community, db):
    return community


def test_small_has_the_members_topics_posts_and_reactions_of_its_size(small):
    spec = SIZES["small"]
    User = get_user_model()
    assert User.objects.count() == spec.members
    assert Topic.objects.count() == spec.topics
    assert Post.objects.count() == spec.posts
    assert Space.objects.count() == spec.spaces
    reactions = TopicVote.objects.count() + Kudos.objects.count()
    assert abs(reactions - spec.reactions) <= spec.reactions * 0.01
    questions = Topic.objects.filter(kind="question").count()
    assert 0.80 <= questions / spec.topics <= 0.90
    assert set(Topic.objects.values_list("kind", flat=True).distinct()) == {"question", "discussion"}
    assert Question.objects.count() == questions, "every question has its support state"
    assert SearchDocument.objects.count() == spec.topics + spec.posts, "every topic and reply is searchable"
    assert Subscription.objects.filter(topic__isnull=False).count() >= spec.topics, "askers follow their questions"
    assert small.counts["content.Post"] == spec.posts and small.rows_per_second > 0
    assert "content.Post" in small.format_table() and small.as_dict()["total_rows"] == small.total_rows


def test_a_few_members_write_most_replies_and_most_members_almost_none(small):
    per_member = sorted(
        get_user_model().objects.annotate(n=Count("posts")).values_list("n", flat=True), reverse=True
    )
    members, posts = len(per_member), sum(per_member)
    assert sum(per_member[: members // 100]) >= 0.6 * posts, "the top 1% write most replies"
    assert sum(per_member[: members // 10]) >= 0.9 * posts, "the top 10% write nearly all"
    assert sum(1 for n in per_member if n <= 1) >= 0.8 * members, "most members write one reply or none"


def test_a_few_threads_are_very_long_and_most_are_short(small):
    longest = Topic.objects.order_by("-reply_count").first()
    assert longest.pk == small.landmarks["long_question"]
    assert longest.kind == "question" and longest.answer_count >= 100, "a question with a hundred answers"
    discussion = Topic.objects.get(pk=small.landmarks["long_discussion"])
    assert discussion.kind == "discussion" and discussion.reply_count >= 100
    replies = sorted(Topic.objects.values_list("reply_count", flat=True))
    assert replies[len(replies) // 2] <= 6, "the median thread is short"
    assert Topic.objects.filter(kind="question", answer_count=0).exists(), "some questions wait for an answer"


def test_one_huge_space_holds_more_than_half_of_the_topics(small):
    spaces = list(Space.objects.order_by("-topic_count"))
    biggest = spaces[0]
    assert biggest.slug == small.landmarks["biggest_space"]
    assert biggest.topic_count >= 0.5 * SIZES["small"].topics
    assert spaces[1].topic_count < biggest.topic_count / 3
    assert biggest.parent is not None, "the huge space is a product's category"
    assert Space.objects.filter(parent__isnull=True, children__isnull=False).distinct().count() >= 2, "products"
    assert Space.objects.filter(visibility="private").count() == 1
    assert Space.objects.filter(visibility="members").count() == 1


def test_history_spans_three_years_and_everything_follows_what_it_answers(small):
    first = Topic.objects.order_by("created_at").first().created_at
    last = Post.objects.order_by("-created_at").first().created_at
    assert UNTIL - timedelta(days=3 * 365) <= first < UNTIL - timedelta(days=2 * 365)
    assert UNTIL - timedelta(days=30) < last <= UNTIL
    assert not Post.objects.filter(created_at__lt=F("topic__created_at")).exists()
    assert not Post.objects.filter(parent__isnull=False, created_at__lt=F("parent__created_at")).exists()
    assert not Post.objects.filter(parent__parent__isnull=False).exists(), "comments are one level deep"
    assert not Kudos.objects.filter(created_at__lt=F("post__created_at")).exists()
    assert not Kudos.objects.filter(user=F("post__author")).exists(), "nobody gives kudos to themselves"
    assert not TopicVote.objects.filter(created_at__lt=F("topic__created_at")).exists()
    assert not Topic.objects.filter(created_at__lt=F("author__date_joined")).exists()
    assert not Post.objects.filter(created_at__lt=F("author__date_joined")).exists()
    assert not Topic.objects.exclude(last_activity_at__gte=F("created_at")).exists()
    latest_reply = Post.objects.filter(topic=small.landmarks["long_question"]).order_by("-created_at").first()
    assert Topic.objects.get(pk=small.landmarks["long_question"]).last_activity_at == latest_reply.created_at


def test_recount_finds_no_counter_to_fix(small):
    assert sum(reconcile_counters().values()) == 0


def test_members_and_spaces_keep_the_counts_the_services_would_have_kept(small):
    User = get_user_model()
    members = User.objects.annotate(
        questions=Count("topics", filter=Q(topics__kind="question"), distinct=True),
        answers=Count("posts", filter=Q(posts__parent__isnull=True, posts__topic__kind="question"), distinct=True),
    )
    assert not members.exclude(question_count=F("questions")).exists()
    assert not members.exclude(answer_count=F("answers")).exists()
    solutions = dict(Question.objects.filter(accepted_post__isnull=False)
                     .values_list("accepted_post__author").annotate(n=Count("pk")).order_by())
    for user_id, solution_count in User.objects.values_list("id", "solution_count"):
        assert solution_count == solutions.get(user_id, 0)
    assert recompute_reputation() == 0, "reputation follows the rules: kudos, solutions, votes received"
    assert User.objects.filter(reputation__gt=0).exists()
    posts = dict(Post.objects.values_list("topic__space").annotate(n=Count("pk")).order_by())
    for space in Space.objects.all():
        assert space.post_count == posts.get(space.pk, 0)


def test_questions_are_solved_waiting_or_in_the_agent_queue_as_the_services_left_them(small):
    questions = Topic.objects.filter(kind="question")
    solved = questions.filter(status="solved")
    assert 0.35 <= solved.count() / questions.count() <= 0.45
    assert solved.count() == Question.objects.filter(accepted_post__isnull=False).count()
    assert not Question.objects.filter(accepted_post__isnull=False).exclude(
        accepted_post__topic=F("topic"), accepted_post__parent__isnull=True).exists(), "solutions are answers"
    assert not SearchDocument.objects.filter(solved=True).exclude(topic__status="solved").exists()
    assert not SearchDocument.objects.filter(solved=False, topic__status="solved").exists()
    assert Post.objects.filter(official=True, author__is_agent=True).exists(), "agents answer officially"
    waiting = Question.objects.filter(queue_state__in=["queued", "claimed"])
    assert waiting.exists(), "the agent queue has work in it"
    agent = get_user_model().objects.get(username=small.landmarks["agent"])
    assert agent_queue(agent).count() == waiting.count()
    # The escalation job, run at the end of history, finds nothing it should have done already.
    for space in Space.objects.all():
        unanswered, unsolved = overdue_questions(space, UNTIL)
        assert not unanswered.exists() and not unsolved.exists()


def test_pages_render_for_the_generated_community(small):
    anon = Client()
    question = Topic.objects.get(pk=small.landmarks["long_question"])
    response = anon.get(question.get_absolute_url())
    assert response.status_code == 200 and question.title in response.content.decode()
    assert anon.get(f"/s/{small.landmarks['biggest_space']}/").status_code == 200
    assert anon.get(f"/s/{small.landmarks['private_space']}/").status_code == 404, "private stays private"
    assert anon.get(f"/t/{small.landmarks['long_discussion']}/").status_code == 200

    member = Client()
    assert member.login(username=small.landmarks["busiest_member"], password=BENCH_PASSWORD)
    assert member.get(f"/s/{small.landmarks['members_only_space']}/").status_code == 200
    # Writing works on top of the generated rows (on PostgreSQL: the id sequences moved past them).
    response = member.post(f"/t/{question.pk}/answer/", {"body": "Benchmarks answer too."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.reply_count == SIZES["small"].long_threads[0] + 1
    agent = Client()
    assert agent.login(username=small.landmarks["agent"], password=BENCH_PASSWORD)
    assert agent.get("/support/queue/").status_code == 200


def test_search_finds_a_generated_topic_and_never_a_private_one(small):
    # Version numbers ("4.1.0") are left out: the two backends tokenise them differently.
    unique = (Topic.objects.filter(space__visibility="public").exclude(title__regex=r"[0-9][.][0-9]")
              .values("title").annotate(n=Count("pk")).filter(n=1).order_by("title").values_list("title", flat=True))
    title = unique[len(unique) // 2]
    topic = Topic.objects.get(title=title)
    hits = search(AnonymousUser(), title, limit=50).results
    assert topic.pk in [hit.topic_id for hit in hits]

    secret = Topic.objects.filter(space__visibility="private").first()
    hits = search(AnonymousUser(), secret.title, limit=50).results
    assert secret.pk not in [hit.topic_id for hit in hits]


def test_a_database_with_content_is_refused_unless_forced(small):
    with pytest.raises(Conflict, match="--force"):
        generate("small", until=UNTIL)
    summary = generate(TINY, seed=1, until=UNTIL, force=True)
    assert get_user_model().objects.filter(username="run2-member00001").exists(), "names do not clash"
    assert summary.counts["content.Topic"] == TINY.topics
    assert sum(reconcile_counters().values()) == 0, "shared tags keep their counts right"


def test_an_unknown_size_is_refused_with_the_sizes_there_are(db):
    with pytest.raises(InvalidInput, match="small, medium, large"):
        generate("huge")


def _fingerprint() -> str:
    """The generated rows as a person would see them: titles, authors, dates, counters."""
    digest = hashlib.sha256()
    for row in Topic.objects.order_by("id").values_list(
            "title", "author__username", "space__slug", "created_at", "status", "reply_count", "vote_count"):
        digest.update(repr(row).encode())
    for row in Post.objects.order_by("id").values_list("author__username", "created_at", "kudos_count", "body"):
        digest.update(repr(row).encode())
    for row in get_user_model().objects.order_by("username").values_list("username", "reputation", "date_joined"):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _generate_and_forget(seed: int) -> str:
    with transaction.atomic():
        generate(TINY, seed=seed, until=UNTIL, force=True)
        fingerprint = _fingerprint()
        transaction.set_rollback(True)
    return fingerprint


def test_the_same_seed_gives_the_same_community_and_another_seed_another(db):
    first = _generate_and_forget(seed=3)
    assert _generate_and_forget(seed=3) == first
    assert _generate_and_forget(seed=4) != first
