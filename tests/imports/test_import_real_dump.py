"""Importing a real Stack Exchange dump (conlang.meta, 2020): everything arrives, counted as in the dump,
browsable and searchable; a second import changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q, Sum
from django.urls import reverse

from tests.imports.conftest import dump_counts
from townhall.activity.models import Event
from townhall.content.models import Kudos, Post, Tag, Topic, TopicVote
from townhall.imports.services import import_stackexchange
from townhall.reputation.models import BadgeAward
from townhall.reputation.services import reputation_from_content
from townhall.search.models import SearchDocument
from townhall.search.services import search
from townhall.spaces.models import Space
from townhall.support.models import Question

pytestmark = pytest.mark.django_db(transaction=False)

SPACE = "conlang-meta-stackexchange"


@pytest.fixture
def imported(conlang_dump):
    return import_stackexchange(conlang_dump)


def test_the_import_creates_a_public_forum_named_after_the_site(imported):
    space = Space.objects.get(slug=SPACE)
    assert (space.kind, space.visibility, space.name) == ("forum", "public", "Conlang Meta Stack Exchange")
    assert (space.topic_count, space.post_count) == (54, 115 + 230)


def test_every_question_answer_accepted_answer_comment_and_vote_of_the_dump_arrives(imported, conlang_dump):
    expected = dump_counts(conlang_dump)
    topics = Topic.objects.filter(space__slug=SPACE)
    posts = Post.objects.filter(topic__space__slug=SPACE)
    answers = posts.filter(parent__isnull=True, is_topic_comment=False)
    assert topics.filter(kind="question").count() == expected["questions"] == 54
    assert answers.count() == expected["answers"] == 115
    assert Question.objects.filter(topic__in=topics, accepted_post__isnull=False).count() \
        == topics.filter(status="solved").count() == expected["accepted answers"] == 11
    assert posts.filter(parent__isnull=False).count() == expected["comments on answers"]
    assert posts.filter(is_topic_comment=True).count() == expected["comments on questions"]
    assert expected["comments on answers"] + expected["comments on questions"] == expected["comments"] == 230
    # The dump does not say who voted: the votes arrive as numbers, which the counters include.
    answer_votes = answers.aggregate(n=Sum("imported_kudos"))["n"] + Kudos.objects.filter(post__in=answers).count()
    question_votes = topics.aggregate(n=Sum("imported_votes"))["n"] + TopicVote.objects.filter(topic__in=topics).count()
    assert answer_votes == answers.aggregate(n=Sum("kudos_count"))["n"] == expected["up votes on answers"]
    assert question_votes == topics.aggregate(n=Sum("vote_count"))["n"] == expected["up votes on questions"]
    assert answer_votes + question_votes == 948  # 950 up votes, 2 of them on posts deleted before the dump
    assert BadgeAward.objects.count() == expected["badges"] == 612
    imported_members = get_user_model().objects.filter(imported_from__startswith="se:conlang-meta-stackexchange:user:")
    assert imported_members.exclude(imported_from__endswith=":deleted").count() == expected["members"] == 272


def test_the_report_counts_match_the_dump(imported, conlang_dump):
    expected = dump_counts(conlang_dump)
    tallies = imported.tallies
    for kind in ("questions", "answers", "accepted answers", "comments", "badges"):
        assert tallies[kind].created == expected[kind], kind
    assert tallies["votes"].created == expected["up votes on questions"] + expected["up votes on answers"]
    assert tallies["votes"].skipped == 2
    assert [str(p) for p in imported.problems] == [
        "Votes.xml Id 358: its post (PostId 48) is not in the dump",
        "Votes.xml Id 483: its post (PostId 74) is not in the dump",
    ]
    assert imported.not_imported["votes: down votes (Townhall has none)"] == 133
    assert imported.not_imported["posts: tag wikis"] == 4


def test_topic_counters_say_what_the_page_shows(imported):
    question = Topic.objects.get(imported_from="se:conlang-meta-stackexchange:post:1")
    answers = Post.objects.filter(topic=question, parent__isnull=True, is_topic_comment=False)
    assert question.answer_count == answers.count() == 3
    assert question.reply_count == Post.objects.filter(topic=question).count()
    assert question.view_count == 172
    assert sorted(question.tags.values_list("name", flat=True)) == ["discussion", "on-topic"]


def test_members_get_reputation_by_townhalls_rules_and_their_contribution_counts(imported):
    User = get_user_model()
    expected = reputation_from_content()
    members = User.objects.filter(imported_from__startswith="se:conlang-meta-stackexchange:")
    assert {m.pk: m.reputation for m in members if m.reputation} == {pk: r for pk, r in expected.items() if r}
    top = members.order_by("-reputation").first()
    assert top.reputation > 0
    assert top.answer_count == Post.objects.filter(author=top, parent__isnull=True, is_topic_comment=False).count()
    asker = members.get(imported_from="se:conlang-meta-stackexchange:user:14")
    assert asker.question_count == Topic.objects.filter(author=asker).count() >= 1
    assert not asker.has_usable_password()
    assert asker.email.endswith("@imported.invalid")


def test_imported_questions_are_never_escalated_to_the_support_team(imported):
    from townhall.support.services import escalate_unanswered

    assert escalate_unanswered() == 0
    assert not Question.objects.filter(queue_state__in=["queued", "claimed"]).exists()


def test_search_finds_an_imported_question_and_its_answers(imported, anon_client):
    page = search(None, "Lojban")
    assert page.results, "an imported question about Lojban is found"
    assert {hit.space_slug for hit in page.results} == {SPACE}
    response = anon_client.get(reverse("search"), {"q": "conlangs accepted"})
    assert response.status_code == 200
    assert "Are questions asked in conlangs accepted on this site?" in response.content.decode()


def test_the_question_page_shows_its_accepted_answer_and_its_comments(imported, anon_client):
    topic = Topic.objects.get(imported_from="se:conlang-meta-stackexchange:post:1")
    accepted = Question.objects.get(topic=topic).accepted_post
    assert accepted.imported_from == "se:conlang-meta-stackexchange:post:2"
    response = anon_client.get(topic.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Are questions asked in conlangs accepted on this site?" in html
    assert "✓ Accepted solution" in html
    assert "English is the official language of Stack Exchange" in html
    assert 'aria-label="Comments on the question"' in html
    assert "3 answers" in html
    assert "<script" not in topic.body_html


def test_the_space_page_and_a_members_profile_render(imported, anon_client):
    assert anon_client.get(reverse("space", args=[SPACE])).status_code == 200
    member = get_user_model().objects.filter(imported_from__startswith="se:conlang-meta-stackexchange:user:") \
        .annotate(n=Count("badge_awards")).order_by("-n").first()
    response = anon_client.get(member.get_absolute_url())
    assert response.status_code == 200
    assert "Badges" in response.content.decode()


def _state() -> dict[str, object]:
    """Every row count and counter the import touches: equal states mean nothing changed."""
    User = get_user_model()
    return {
        "rows": [model.objects.count() for model in (User, Space, Topic, Post, Tag, Kudos, TopicVote, Question,
                                                     BadgeAward, SearchDocument, Event)],
        "topics": Topic.objects.aggregate(Sum("reply_count"), Sum("answer_count"), Sum("vote_count"),
                                          Sum("view_count"), Sum("imported_votes"),
                                          solved=Count("pk", filter=Q(status="solved"))),
        "posts": Post.objects.aggregate(Sum("kudos_count"), Sum("comment_count"), Sum("imported_kudos")),
        "members": User.objects.aggregate(Sum("reputation"), Sum("question_count"), Sum("answer_count"),
                                          Sum("solution_count"), Max("username")),
        "accepted": sorted(Question.objects.filter(accepted_post__isnull=False)
                           .values_list("topic_id", "accepted_post_id", "accepted_at")),
        "spaces": list(Space.objects.values_list("slug", "topic_count", "post_count")),
        "tags": list(Tag.objects.values_list("name", "topic_count")),
        "search": SearchDocument.objects.aggregate(Max("id"), Count("id")),
    }


def test_a_second_import_creates_nothing_and_changes_nothing(imported, conlang_dump):
    before = _state()
    again = import_stackexchange(conlang_dump)
    assert _state() == before
    assert again.created == 0 and not again.changed
    assert again.tallies["questions"].existing == 54
    assert again.tallies["comments"].existing == 230
    assert again.tallies["votes"].existing == 948
    assert Event.objects.filter(verb="import.completed").count() == 1


def test_an_interrupted_import_is_completed_by_running_it_again(conlang_dump):
    import_stackexchange(conlang_dump)
    first = _state()
    # As if the run had stopped after the answers: comments, votes, acceptances and the index gone.
    Post.objects.filter(imported_from__contains=":comment:").delete()
    Post.objects.update(imported_kudos=0)
    Question.objects.update(accepted_post=None)
    SearchDocument.objects.all().delete()
    resumed = import_stackexchange(conlang_dump)
    assert resumed.tallies["comments"].created == 230
    assert resumed.tallies["accepted answers"].created == 11
    after = _state()
    for key in ("topics", "posts", "members", "accepted", "spaces", "tags"):
        assert after[key] == first[key], key
    assert search(None, "Lojban").results
