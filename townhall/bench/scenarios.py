"""What the benchmark asks for: the scenarios, with their targets picked from the community before the run.

Targets are read with indexed queries (the deep page's cursor from the ordering values of row N),
so that picking them costs little even on a large community. Signed-in scenarios use sessions
created here for existing members, with a CSRF cookie and the same token in the form: what a
browser sends after signing in. Writes use the page forms as the buttons post them (kudos and
"me too" with HX-Request, as htmx sends them; an answer as a plain form, answered by a redirect),
each request aimed at a different post or question so that no uniqueness rule is met twice.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from townhall.accounts.services import create_api_token
from townhall.bench.load import Request
from townhall.content.models import Kudos, Post, Topic, TopicVote
from townhall.content.views import LIST_PAGE_SIZE
from townhall.core import access, formguard
from townhall.core.pagination import _encode as encode_cursor
from townhall.spaces.models import Space
from townhall.support.question_page import ANSWERS_PER_PAGE

DEEP_PAGE_ITEMS = 100_000
SEARCH_QUERIES = 7
WRITERS = 8
# Frequent words that say nothing about a topic: not worth a search.
_STOPWORD_TEXT = """
about above after again against also always among another anyone anything around because been before
being below between both cannot could does doing done down during each even ever every from further
have having here into just like make many might more most much must need never only other over same
should since some still such than that their them then there these they this those though through
under until very want were what when where which while will with within without would your yours
"""
STOPWORDS = set(_STOPWORD_TEXT.split())


@dataclass
class Scenario:
    name: str
    title: str
    kind: str  # "read" or "write"
    audience: str  # "anonymous", "member", "agent" (signed in) or "api" (an API token: never page-cached)
    requests: list[Request]
    detail: str = ""
    # The request the instrumented pass sends (counted queries, uncached time); a write's own target.
    probe: Request | None = None

    def probe_request(self) -> Request:
        return self.probe or self.requests[0]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "kind": self.kind, "audience": self.audience,
                "detail": self.detail, "url": self.probe_request().path, "distinct_requests": len(self.requests)}


@dataclass
class Visitor:
    """A signed-in member as the driver sends them: the cookies and the CSRF token for forms."""

    username: str
    user_id: int
    session_key: str
    csrf: str

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.session_key}; "
                          f"{settings.CSRF_COOKIE_NAME}={self.csrf}", **extra}

    def form(self, path: str, fields: dict[str, str], expect: list[int], htmx: bool = False) -> Request:
        headers = self.headers(**{"Content-Type": "application/x-www-form-urlencoded"})
        if htmx:
            headers["HX-Request"] = "true"
        # What the page's form carries besides the text: the token, the empty honeypot and the stamp of
        # when it was shown (core.formguard), as a browser sends them.
        # A stamp is good for one sending: each request has its own, of a form shown a minute before.
        guard = {formguard.HONEYPOT: "", formguard.STAMP: formguard.new_stamp(at=time.time() - 60)}
        body = urlencode({"csrfmiddlewaretoken": self.csrf, **guard, **fields})
        return Request("POST", path, headers=headers, body=body, expect=expect)


def sign_in(user: Any) -> Visitor:
    """A session for `user` as signing in creates it (the auth keys Django's login stores)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    # A CSRF secret in the cookie and the same value in the form: Django accepts the unmasked secret.
    csrf = get_random_string(32)
    return Visitor(username=user.username, user_id=user.pk, session_key=store.session_key, csrf=csrf)


@dataclass
class Targets:
    """What was picked, for the report: a reader knows which page "a deep page" was."""

    scenarios: list[Scenario]
    member: Visitor  # signed in for the member pages; also posts the answer of the freshness check
    facts: dict[str, Any]
    freshness_topic: Topic | None


def _public_topics() -> Any:
    return access.visible_topics(AnonymousUser())


def _biggest_space() -> tuple[Space | None, int]:
    """The visible space with the most topics in its list (a product counts its categories')."""
    anonymous = AnonymousUser()
    spaces = list(access.visible_spaces(anonymous))
    totals = {space.id: space.topic_count for space in spaces}
    for space in spaces:
        if space.parent_id in totals:
            totals[space.parent_id] += space.topic_count
    if not spaces:
        return None, 0
    best = max(spaces, key=lambda space: (totals[space.id], -space.id))
    return best, totals[best.id]


def _space_list(space: Space) -> Any:
    """The same rows, in the same order, as the space's default tab for an anonymous visitor."""
    anonymous = AnonymousUser()
    return (_public_topics().filter(space_id__in=access.visible_subtree_ids(anonymous, space))
            .order_by("-created_at", "-id"))


def deep_page_cursor(space: Space, depth: int) -> tuple[str | None, int]:
    """The cursor of the list page that starts `depth` items in (fewer when the space is smaller)."""
    rows = _space_list(space)
    depth = max(0, min(depth, rows.count() - LIST_PAGE_SIZE))
    if depth == 0:
        return None, 0
    created_at, topic_id = rows.values_list("created_at", "id")[depth - 1]
    return encode_cursor([created_at, topic_id]), depth


def last_answers_page(topic: Topic) -> tuple[str | None, int]:
    """The cursor of the last page of a topic's answers in date order, and how many answers precede it."""
    answers = Post.objects.filter(topic=topic, parent__isnull=True, is_deleted=False).order_by("created_at", "id")
    count = answers.count()
    start = ((count - 1) // ANSWERS_PER_PAGE) * ANSWERS_PER_PAGE if count else 0
    if start == 0:
        return None, 0
    created_at, post_id = answers.values_list("created_at", "id")[start - 1]
    return encode_cursor([created_at, post_id]), start


def frequent_words(limit: int = SEARCH_QUERIES, sample: int = 2000) -> list[str]:
    """Words that recur in recent public titles: what visitors search for."""
    titles = _public_topics().order_by("-created_at", "-id").values_list("title", flat=True)[:sample]
    counts: Counter[str] = Counter()
    for title in titles:
        counts.update({w for w in re.findall(r"[a-z][a-z0-9]{3,}", title.lower()) if w not in STOPWORDS})
    return [word for word, _ in counts.most_common(limit)]


def search_queries(words: list[str]) -> list[str]:
    """Single words and pairs of them, as people type them."""
    queries = list(words[:3])
    queries += [f"{a} {b}" for a, b in zip(words[3::2], words[4::2], strict=False)]
    return queries or ["help"]


def _members(count: int) -> tuple[list[Any], bool]:
    """Ordinary members, established ones first (no new-account posting limit applies to them);
    and whether they all are."""
    settled = timezone.now() - timedelta(hours=settings.NEW_ACCOUNT_HOURS + 1)
    ordinary = get_user_model().objects.filter(is_active=True, is_staff=False, is_agent=False, is_moderator=False)
    members = list(ordinary.filter(Q(date_joined__lt=settled) | Q(trust_level__gte=1)).order_by("id")[:count])
    if members:
        return members, True
    return list(ordinary.order_by("id")[:count]), False


def _with_path(url: str, params: dict[str, str]) -> str:
    return f"{url}?{urlencode(params)}" if params else url


def build(*, duration: float = 10.0, only: set[str] | None = None) -> Targets:
    """Pick every scenario's targets from the community in the configured database."""
    User = get_user_model()
    public = _public_topics()
    facts: dict[str, Any] = {}
    scenarios: list[Scenario] = []
    html = {"Accept": "text/html"}
    json_ = {"Accept": "application/json"}

    writers, established = _members(WRITERS)
    if not writers:
        raise ValueError("The community has no ordinary member to sign in as: generate a community first.")
    if not established:
        # A fresh demo community: its members are new accounts, so answers meet the posting limit (429).
        facts["warning"] = "only new accounts to sign in as: the new-account posting limit applies"
    agent = User.objects.filter(is_active=True, is_agent=True).order_by("id").first()
    visitors = {user.username: sign_in(user) for user in writers}
    member = visitors[writers[0].username]
    agent_visitor = sign_in(agent) if agent is not None else None

    # Anonymous pages ---------------------------------------------------------------------------
    scenarios.append(Scenario("home", "Home", "read", "anonymous", [Request("GET", "/", html)]))

    space, space_topics = _biggest_space()
    if space is not None:
        url = space.get_absolute_url()
        facts["space"] = {"slug": space.slug, "topics": space_topics}
        scenarios.append(Scenario("space_page1", "Space, page 1", "read", "anonymous", [Request("GET", url, html)],
                                  detail=f"{space.slug}: {space_topics:,} topics"))
        cursor, depth = deep_page_cursor(space, DEEP_PAGE_ITEMS)
        facts["deep_page_items_in"] = depth
        scenarios.append(Scenario(
            "space_deep", "Space, deep page", "read", "anonymous",
            [Request("GET", _with_path(url, {"cursor": cursor} if cursor else {}), html)],
            detail=f"{depth:,} topics in"))

    big_question = (public.filter(kind="question", answer_count__gte=100).order_by("answer_count", "id").first()
                    or public.filter(kind="question").order_by("-answer_count", "id").first())
    if big_question is not None:
        facts["question"] = {"id": big_question.pk, "answers": big_question.answer_count}
        scenarios.append(Scenario("question", "Question with 100 answers", "read", "anonymous",
                                  [Request("GET", big_question.get_absolute_url(), html)],
                                  detail=f"topic {big_question.pk}: {big_question.answer_count} answers"))

    thread = public.order_by("-answer_count", "id").first()
    if thread is not None:
        cursor, before = last_answers_page(thread)
        params = {"sort": "date", **({"cursor": cursor} if cursor else {})}
        facts["thread"] = {"id": thread.pk, "answers": thread.answer_count, "last_page_after": before}
        scenarios.append(Scenario("thread_last", "Long thread, last page", "read", "anonymous",
                                  [Request("GET", _with_path(thread.get_absolute_url(), params), html)],
                                  detail=f"topic {thread.pk}: answers {before + 1}–{thread.answer_count}"))

    queries = search_queries(frequent_words())
    facts["search_queries"] = queries
    scenarios.append(Scenario("search", "Search", "read", "anonymous",
                              [Request("GET", _with_path("/search/", {"q": q}), html) for q in queries],
                              detail=", ".join(queries)))

    profiled = User.objects.filter(is_active=True).order_by("-answer_count", "id").first()
    if profiled is not None:
        scenarios.append(Scenario("profile", "Member profile", "read", "anonymous",
                                  [Request("GET", profiled.get_absolute_url(), html)],
                                  detail=f"{profiled.username}: {profiled.answer_count} answers"))

    # Without a token the API is cached like a page; with one (an integration) it never is.
    scenarios.append(Scenario("api_topics", "API: topic list", "read", "anonymous",
                              [Request("GET", "/api/v1/topics", json_)]))
    _, token = create_api_token(writers[0], name="townhall bench")
    scenarios.append(Scenario("api_topics_token", "API: topic list, with a token", "read", "api",
                              [Request("GET", "/api/v1/topics", {**json_, "Authorization": f"Bearer {token}"})],
                              detail=f"as {writers[0].username}"))

    # Signed-in pages ---------------------------------------------------------------------------
    scenarios.append(Scenario("home_member", "Home, signed in", "read", "member",
                              [Request("GET", "/", member.headers(**html))]))
    if space is not None:
        scenarios.append(Scenario("space_member", "Space page 1, signed in", "read", "member",
                                  [Request("GET", space.get_absolute_url(), member.headers(**html))]))
    if big_question is not None:
        scenarios.append(Scenario("question_member", "Question, signed in", "read", "member",
                                  [Request("GET", big_question.get_absolute_url(), member.headers(**html))]))
    if agent_visitor is not None:
        scenarios.append(Scenario("agent_queue", "Agent queue", "read", "agent",
                                  [Request("GET", "/support/queue/", agent_visitor.headers(**html))],
                                  detail=f"as {agent_visitor.username}"))
    else:
        facts.setdefault("skipped", {})["agent_queue"] = "no support agent in the community"

    # Writes ------------------------------------------------------------------------------------
    # Enough distinct targets for the whole run at a few hundred requests a second.
    wanted = min(50_000, int(duration * 300) + 100)
    order = [visitors[user.username] for user in writers]
    reserved = {big_question.pk if big_question else 0, thread.pk if thread else 0}
    open_questions = list(
        public.filter(kind="question").exclude(pk__in=reserved).order_by("-created_at", "-id")
        .values_list("pk", flat=True)[:500]
    )
    freshness_topic = (public.filter(kind="question", answer_count__lt=ANSWERS_PER_PAGE - 5)
                       .exclude(pk__in=reserved).order_by("-created_at", "-id").first())
    if freshness_topic is not None and freshness_topic.pk in open_questions:
        open_questions.remove(freshness_topic.pk)
    if open_questions:
        # Answers may repeat a question (members answer the same one): only the text differs.
        answers = [
            order[i % len(order)].form(f"/t/{open_questions[i % len(open_questions)]}/answer/",
                                       {"body": _answer_text(i)}, expect=[302])
            for i in range(wanted)
        ]
        scenarios.append(Scenario("post_answer", "Post an answer", "write", "member", answers[1:] or answers,
                                  probe=answers[0], detail="page form, session + CSRF; 302 to the answer"))

    # Each writer's own targets: posts and questions that are not theirs and that they have not
    # yet given kudos or "me too" to, so that no request repeats an earlier one.
    per_writer = max(1, wanted // len(writers))
    kudos: list[list[Request]] = []
    me_too: list[list[Request]] = []
    for writer in writers:
        visitor = visitors[writer.username]
        given = Kudos.objects.filter(post=OuterRef("pk"), user=writer)
        posts = (Post.objects.filter(topic__in=public, is_deleted=False).exclude(author=writer)
                 .exclude(Exists(given)).order_by("-id").values_list("pk", flat=True)[:per_writer])
        kudos.append([visitor.form(f"/p/{pk}/kudos/", {"value": "1"}, expect=[200], htmx=True) for pk in posts])
        voted = TopicVote.objects.filter(topic=OuterRef("pk"), user=writer)
        questions = (public.filter(kind="question").exclude(author=writer).exclude(Exists(voted))
                     .exclude(pk__in=reserved).order_by("-id").values_list("pk", flat=True)[:per_writer])
        me_too.append([visitor.form(f"/t/{pk}/me-too/", {"value": "1"}, expect=[200], htmx=True)
                       for pk in questions])
    skipped = facts.setdefault("skipped", {})
    for name, title, lists, what in (("kudos", "Give kudos", kudos, "posts"),
                                     ("me_too", "“Me too”", me_too, "questions")):
        requests = _interleave(lists)
        if not requests:
            skipped[name] = f"no {what} left that the signed-in members have not already given it to"
            continue
        scenarios.append(Scenario(name, title, "write", "member", requests[1:] or requests, probe=requests[0],
                                  detail=f"htmx button, {len(requests):,} distinct {what}-member pairs"))

    if only:
        scenarios = [s for s in scenarios if s.name in only]
    facts["signed_in_as"] = {"member": member.username, "agent": agent_visitor.username if agent_visitor else None,
                             "writers": len(writers)}
    return Targets(scenarios=scenarios, member=member, facts=facts, freshness_topic=freshness_topic)


def _interleave(lists: list[list[Request]]) -> list[Request]:
    """One request of each writer in turn, as several members clicking at once."""
    out: list[Request] = []
    for i in range(max((len(items) for items in lists), default=0)):
        out.extend(items[i] for items in lists if i < len(items))
    return out


def _answer_text(i: int) -> str:
    return (f"Benchmark answer {i}: try a **factory reset** after updating the firmware, then pair it again.\n\n"
            f"1. Hold the button for 10 seconds\n2. Wait for the light to blink\n3. Pair it from the app")


def ceiling() -> Scenario:
    return Scenario("ceiling", "Trivial view (/healthz)", "read", "anonymous", [Request("GET", "/healthz")])
