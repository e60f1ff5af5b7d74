"""`townhall bench generate`: a reproducible benchmark community, written in bulk.

The generator writes rows directly, the way a database restore would: going through the services
for a million posts would take hours. It writes what the services would have written — Question
rows, search documents, subscriptions, and every kept counter — so pages, search and the agent
queue work on it, `townhall recount` finds nothing to fix, and reputation follows
`reputation.services.RULES` as `recompute_reputation` would derive it.

Shape (the same seed gives the same community):

- members join over three years, more every month; about 1% write most replies, 9% some, and 90%
  ask a question now and then and rarely reply (a 90-9-1 curve, Pareto-skewed within each tier);
- products with categories, one private group and one members-only category; one category holds
  more than half of all topics, two more are large, the rest share a long tail;
- topics are questions (85%) and discussions; a handful of threads are very long; some questions
  wait for an answer, about 40% are solved, and overdue ones went through the agent queue exactly
  as the escalation job would have sent them (recent ones are still queued or claimed);
- "me too" votes and kudos are unique per member and target, and given after what they are for.
"""

from __future__ import annotations

import math
import random
import time
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.models import F, Max

from townhall.bench import vocabulary as words
from townhall.bench.writer import Row, Sink, Table, sink_for
from townhall.content.models import Kudos, Post, Tag, Topic, TopicVote
from townhall.core.errors import Conflict, InvalidInput
from townhall.notifications.models import Subscription
from townhall.reputation.services import RULES
from townhall.search.models import SearchDocument
from townhall.spaces.models import Membership, Space
from townhall.support.models import Question

DAY = 86_400.0
HOUR = 3_600.0
YEARS = 3
BENCH_PASSWORD = "townhall-bench"  # every generated account signs in with it
ADMIN_USERNAME = "bench-admin"
UNANSWERED_HOURS = 24  # the spaces' escalation limits (the model defaults)
UNSOLVED_HOURS = 72

# Who writes what: share of replies, questions and votes per participation tier.
HEAVY, REGULAR, LURKER, STAFF = 0, 1, 2, 3
TIER_SIZES = {HEAVY: 0.01, REGULAR: 0.09}  # the rest lurk
POSTER_SHARE = {HEAVY: 0.63, REGULAR: 0.35, LURKER: 0.02}
ASKER_SHARE = {HEAVY: 0.04, REGULAR: 0.22, LURKER: 0.74}
VOTER_SHARE = {HEAVY: 0.15, REGULAR: 0.35, LURKER: 0.50}
QUESTION_SHARE = 0.85
KUDOS_SHARE = 0.65  # of the reactions; the rest are "me too" and topic votes
UNANSWERED_SHARE = 0.14  # questions (outside the long threads) that never got a reply
SOLVED_SHARE = 0.40  # of all questions
AGENT_ANSWER_SHARE = 0.03  # answers to questions written by support agents (official)
ASKER_COMMENT_SHARE = 0.15  # comments written by the topic's author ("thanks, that worked")
MAX_COMMENTS_PER_ANSWER = 40
AGENT_CLAIM_MEAN = 2 * 86_400.0  # an escalated question waits about two days for an agent
AGENT_RESOLVE_MEAN = 1.5 * 86_400.0  # and is resolved about a day and a half after that
FLUSH_ROWS = 40_000


@dataclass(frozen=True)
class SizeSpec:
    members: int
    topics: int
    posts: int
    reactions: int  # "me too"/topic votes and kudos together
    spaces: int
    long_threads: tuple[int, ...]  # posts in each of the few very long threads
    biggest_space_share: float = 0.56  # of all topics, in the one huge category

    def __post_init__(self) -> None:
        if self.members < 50 or self.topics < 20 or self.spaces < 3:
            raise InvalidInput("A benchmark community needs at least 50 members, 20 topics and 3 spaces.",
                               field="size")
        if sum(self.long_threads) > self.posts // 2 or len(self.long_threads) > self.topics // 10:
            raise InvalidInput("The long threads cannot hold more than half of the posts.", field="size")


SIZES: dict[str, SizeSpec] = {
    "small": SizeSpec(members=1_000, topics=2_000, posts=10_000, reactions=20_000, spaces=10,
                      long_threads=(300, 160, 120)),
    "medium": SizeSpec(members=10_000, topics=20_000, posts=100_000, reactions=200_000, spaces=20,
                       long_threads=(1_000, 600, 400, 250)),
    "large": SizeSpec(members=100_000, topics=200_000, posts=1_000_000, reactions=2_000_000, spaces=50,
                      long_threads=(3_000, 2_000, 1_500, 1_200, 1_000)),
}


@dataclass
class GenerateSummary:
    """What was written: rows per table, how long it took, and where the interesting things are."""

    size: str
    seed: int
    vendor: str
    counts: dict[str, int]  # rows written per table (model label)
    seconds: float
    rows_per_second: float
    phases: list[tuple[str, int, float]] = field(default_factory=list)  # (phase, rows, seconds)
    write_seconds: dict[str, float] = field(default_factory=dict)  # time spent in the database, per table
    # Entry points for benchmarks: usernames, the long threads, the huge space, the password.
    landmarks: dict[str, Any] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "seed": self.seed,
            "vendor": self.vendor,
            "counts": dict(self.counts),
            "total_rows": self.total_rows,
            "seconds": round(self.seconds, 2),
            "rows_per_second": round(self.rows_per_second),
            "phases": [{"phase": name, "rows": rows, "seconds": round(secs, 2)} for name, rows, secs in self.phases],
            "write_seconds": {label: round(secs, 2) for label, secs in self.write_seconds.items()},
            "landmarks": dict(self.landmarks),
        }

    def format_table(self) -> str:
        """A plain-text summary: rows per table, then per phase, then the total."""
        lines = [f"{'table':<28}{'rows':>12}{'seconds':>10}"]
        lines += [f"{label:<28}{n:>12,}{self.write_seconds.get(label, 0.0):>10.1f}"
                  for label, n in sorted(self.counts.items())]
        lines.append("")
        lines.append(f"{'phase':<28}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
        for name, rows, secs in self.phases:
            lines.append(f"{name:<28}{rows:>12,}{secs:>10.1f}{rows / secs if secs else 0:>12,.0f}")
        lines.append(f"{'total':<28}{self.total_rows:>12,}{self.seconds:>10.1f}{self.rows_per_second:>12,.0f}")
        return "\n".join(lines)


# Tables and the columns the generator fills -------------------------------------------------------

User = get_user_model()
USERS = Table(User, ["id", "password", "username", "email", "is_superuser", "is_staff", "is_active", "date_joined",
                     "display_name", "region", "is_agent", "is_moderator", "trust_level"])
EMAILS = Table(EmailAddress, ["id", "user_id", "email", "verified", "primary"])
SPACES = Table(Space, ["id", "slug", "name", "description", "kind", "visibility", "parent_id", "position",
                       "support_email", "unanswered_hours", "unsolved_hours", "created_at"])
MEMBERSHIPS = Table(Membership, ["id", "space_id", "user_id", "role", "created_at"])
TAGS = Table(Tag, ["id", "name"])
TOPICS = Table(Topic, ["id", "space_id", "kind", "title", "body", "body_html", "author_id", "status", "created_at",
                       "last_activity_at", "reply_count", "answer_count", "vote_count", "view_count"])
TOPIC_TAGS = Table(Topic.tags.through, ["id", "topic_id", "tag_id"])
POSTS = Table(Post, ["id", "topic_id", "parent_id", "author_id", "body", "body_html", "official", "kudos_count",
                     "comment_count", "created_at"])
QUESTIONS = Table(Question, ["topic_id", "accepted_post_id", "accepted_by_id", "accepted_at", "queue_state",
                             "escalation_reason", "escalated_at", "claimed_by_id", "claimed_at", "resolved_at",
                             "escalated_unanswered", "escalated_unsolved"])
VOTES = Table(TopicVote, ["id", "topic_id", "user_id", "created_at"])
KUDOS = Table(Kudos, ["id", "post_id", "user_id", "created_at"])
SUBSCRIPTIONS = Table(Subscription, ["id", "user_id", "topic_id", "created_at"])
DOCUMENTS = Table(SearchDocument, ["id", "doc_type", "object_id", "topic_id", "space_id", "kind", "solved", "tags",
                                   "title", "body", "created_at"])
# Written in this order within a batch, so every foreign key points at a row already written.
CONTENT_TABLES = (TOPICS, TOPIC_TAGS, POSTS, QUESTIONS, VOTES, KUDOS, SUBSCRIPTIONS, DOCUMENTS)
ALL_MODELS: tuple[type[models.Model], ...] = (
    User, EmailAddress, Space, Membership, Tag, Topic, Topic.tags.through, Post, Question, TopicVote, Kudos,
    Subscription, SearchDocument,
)


# Helpers -----------------------------------------------------------------------------------------


class Pool:
    """Members who may do something, weighted; a draw at time t picks among those who had joined by t."""

    def __init__(self, members: list[int], weights: list[float], joined: list[float]):
        pairs = sorted((joined[m], m, w) for m, w in zip(members, weights, strict=True) if w > 0)
        self.members = [m for _, m, _ in pairs]
        self.joined = [j for j, _, _ in pairs]
        self.cum = list(accumulate(w for _, _, w in pairs))

    def __len__(self) -> int:
        return len(self.members)

    def draw(self, rng: random.Random, t: float) -> int:
        j = max(1, bisect_right(self.joined, t))
        k = bisect_right(self.cum, rng.random() * self.cum[j - 1], 0, j)
        return self.members[min(k, j - 1)]


def _later(rng: random.Random, t: float, mean: float, end: float) -> float:
    """A moment after t, about `mean` seconds later, never after the end of history."""
    later = t + rng.expovariate(1.0 / mean)
    return later if later < end else t + (end - t) * rng.random()


def _quotas(total: int, shares: list[float]) -> list[int]:
    """Split `total` by `shares`, largest remainders first, at least one each."""
    raw = [total * s / sum(shares) for s in shares]
    counts = [max(1, int(r)) for r in raw]
    order = sorted(range(len(shares)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(counts) < total:
        counts[order[i % len(order)]] += 1
        i += 1
    while sum(counts) > total:
        biggest = max(range(len(counts)), key=counts.__getitem__)
        counts[biggest] -= 1
    return counts


@dataclass
class SpacePlan:
    id: int
    slug: str
    name: str
    kind: str
    visibility: str
    parent: int | None  # index in the plan
    position: int
    product: words.ProductWords
    texts: words.ProductTexts
    share: float = 0.0
    topic_count: int = 0
    post_count: int = 0


@dataclass
class QuestionState:
    queue_state: str = ""
    reason: str = ""
    escalated_at: float | None = None
    claimed_by: int | None = None
    claimed_at: float | None = None
    resolved_at: float | None = None
    escalated_unanswered: bool = False
    escalated_unsolved: bool = False


def question_state(rng: random.Random, agents: list[int], *, asked: float, first_answer: float | None,
                   first_official: bool, accepted: float | None, end: float) -> QuestionState:
    """Replay the escalation job and the agents over a question's life, as the services would have.

    The job escalates a question with no answer after UNANSWERED_HOURS, and an unsolved one after
    UNSOLVED_HOURS (unless it is already waiting in the queue); a community answer or an accepted
    solution takes a waiting question out of the queue; agents claim, then resolve, what waits.
    """
    state = QuestionState()
    events: list[tuple[float, int, str]] = []  # (time, generation, what)
    generation = 0
    pending_unsolved = False
    solved = False

    def add(t: float, what: str, gen: int = 0) -> None:
        if t < end:
            events.append((t, gen, what))
            events.sort(reverse=True)

    def escalate(t: float, reason: str) -> None:
        nonlocal generation
        state.queue_state, state.reason, state.escalated_at = "queued", reason, t
        state.claimed_by = state.claimed_at = state.resolved_at = None
        generation += 1
        add(t + rng.expovariate(1 / AGENT_CLAIM_MEAN), "claim", generation)  # after the end: still waiting

    def left_queue(t: float) -> None:
        nonlocal pending_unsolved
        if pending_unsolved and not solved and t + 60 < end:  # the job's next run, if before the end
            pending_unsolved = False
            state.escalated_unsolved = True
            escalate(t + 60, "unsolved")

    if first_answer is None or first_answer > asked + UNANSWERED_HOURS * HOUR:
        add(asked + UNANSWERED_HOURS * HOUR, "unanswered")
    if accepted is None or accepted > asked + UNSOLVED_HOURS * HOUR:
        add(asked + UNSOLVED_HOURS * HOUR, "unsolved")
    if first_answer is not None:
        add(first_answer, "answer")
    if accepted is not None:
        add(accepted, "accept")
    while events:
        t, gen, what = events.pop()
        if what == "unanswered":
            state.escalated_unanswered = True
            if state.queue_state not in ("queued", "claimed"):
                escalate(t, "unanswered")
        elif what == "unsolved":
            if solved:
                continue
            if state.queue_state in ("queued", "claimed"):
                pending_unsolved = True  # the job skips questions already waiting
            else:
                state.escalated_unsolved = True
                escalate(t, "unsolved")
        elif what == "answer":
            if state.queue_state == "queued" and state.reason == "unanswered" and not first_official:
                state.queue_state = "community"
                generation += 1
                left_queue(t)
        elif what == "accept":
            solved = True
            if state.queue_state == "queued":
                state.queue_state = "community"
                generation += 1
        elif what == "claim" and gen == generation and state.queue_state == "queued":
            state.queue_state, state.claimed_by, state.claimed_at = "claimed", rng.choice(agents), t
            add(t + rng.expovariate(1 / AGENT_RESOLVE_MEAN), "resolve", generation)
        elif what == "resolve" and gen == generation and state.queue_state == "claimed":
            state.queue_state, state.resolved_at = "resolved", t
            left_queue(t)
    return state


# The generator -------------------------------------------------------------------------------------


class Generator:
    def __init__(self, spec: SizeSpec, *, seed: int, end: float, database: str, prefix: str,
                 progress: Callable[[str], None] | None, nested: bool):
        self.spec = spec
        self.rng = random.Random(seed)
        self.end = end
        self.start = end - YEARS * 365 * DAY
        self.database = database
        self.connection = connections[database]
        self.prefix = prefix
        self.nested = nested  # inside a caller's transaction
        self.say = progress or (lambda line: None)
        self.sink: Sink = sink_for(self.connection)
        self.phases: list[tuple[str, int, float]] = []
        self.landmarks: dict[str, Any] = {}
        self.next_id = {model: self._max_id(model) + 1 for model in ALL_MODELS if model is not Question}

    def _max_id(self, model: type[models.Model]) -> int:
        return model._default_manager.using(self.database).aggregate(m=Max("pk"))["m"] or 0

    def ids(self, model: type[models.Model], n: int = 1) -> int:
        """Reserve n primary keys; returns the first (rows are written with their ids: no RETURNING)."""
        first = self.next_id[model]
        self.next_id[model] = first + n
        return first

    def phase(self, name: str, started: float, before: int) -> None:
        rows = sum(self.sink.counts.values()) - before
        secs = time.monotonic() - started
        if not rows and secs < 0.05:
            return  # a quick step that wrote nothing: not worth a line
        self.phases.append((name, rows, secs))
        self.say(f"{name}: {rows:,} rows in {secs:.1f} s ({rows / secs if secs else 0:,.0f} rows/s)")

    # Members -------------------------------------------------------------------------------------

    def make_members(self) -> None:
        rng, spec, start = self.rng, self.spec, self.start
        n_agents = max(3, spec.members // 2_000)
        n_moderators = max(2, spec.members // 10_000)
        n_regular = spec.members - 1 - n_agents - n_moderators
        width = max(5, len(str(n_regular)))
        p = self.prefix
        # (username, role, tier, joined); staff were there before the community opened.
        people: list[tuple[str, str, int, float]] = [(p + ADMIN_USERNAME, "admin", STAFF, start - 400 * DAY)]
        people += [(f"{p}agent{i:03d}", "agent", STAFF, start - 390 * DAY + i * HOUR) for i in range(1, n_agents + 1)]
        people += [(f"{p}moderator{i:02d}", "moderator", STAFF, start - 380 * DAY + i * HOUR)
                   for i in range(1, n_moderators + 1)]
        founders = max(10, n_regular // 100)
        joins = sorted(
            [start - 300 * DAY + rng.random() * 299 * DAY for _ in range(founders)]
            + [start + (self.end - start) * math.sqrt(rng.random()) * 0.995 for _ in range(n_regular - founders)]
        )
        for i, joined in enumerate(joins, start=1):
            u = rng.random()
            tier = (HEAVY if u < TIER_SIZES[HEAVY]
                    else REGULAR if u < TIER_SIZES[HEAVY] + TIER_SIZES[REGULAR] else LURKER)
            people.append((f"{p}member{i:0{width}d}", "member", tier, joined))

        self.n = len(people)
        self.first_user_id = self.ids(User, self.n)
        self.joined = [j for _, _, _, j in people]
        self.tier = [t for _, _, t, _ in people]
        self.usernames = [u for u, _, _, _ in people]
        self.agents = [i for i, (_, role, _, _) in enumerate(people) if role == "agent"]
        self.moderators = [i for i, (_, role, _, _) in enumerate(people) if role == "moderator"]
        self.question_count = [0] * self.n
        self.answer_count = [0] * self.n
        self.solution_count = [0] * self.n
        self.reputation = [0] * self.n

        # Pareto weights within each tier make a few members of every tier far busier than the rest.
        activity = [rng.paretovariate(1.5) for _ in range(self.n)]
        tier_sum: dict[int, float] = {}
        for i, t in enumerate(self.tier):
            tier_sum[t] = tier_sum.get(t, 0.0) + activity[i]

        def weights(shares: dict[int, float], staff: Callable[[int], float]) -> list[float]:
            return [staff(i) if t == STAFF else shares[t] * activity[i] / tier_sum[t] for i, t in enumerate(self.tier)]

        heavy_mean = POSTER_SHARE[HEAVY] / max(1, sum(1 for t in self.tier if t == HEAVY))
        mods = set(self.moderators)
        everyone = list(range(self.n))
        self.posters = Pool(everyone, weights(POSTER_SHARE, lambda i: heavy_mean if i in mods else 0.0), self.joined)
        self.askers = Pool(everyone, weights(ASKER_SHARE, lambda i: 0.0), self.joined)
        self.voters = Pool(everyone, weights(VOTER_SHARE, lambda i: 0.0), self.joined)

        password = make_password(BENCH_PASSWORD)  # hashed once for everyone
        rows: list[Row] = []
        emails: list[Row] = []
        first_email = self.ids(EmailAddress, self.n)
        for i, (username, role, tier, joined) in enumerate(people):
            user_id = self.first_user_id + i
            email = f"{username}@example.com"
            name = (f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}" if role == "member"
                    else {"admin": "Bench Admin", "agent": f"Support agent {username[-3:]}"}.get(
                        role, f"Moderator {username[-2:]}"))
            trust = 2 if tier in (HEAVY, STAFF) else 1 if tier == REGULAR else 0
            rows.append((user_id, password, username, email, role == "admin", role == "admin", True, joined, name,
                         rng.choice(words.REGIONS), role == "agent", role == "moderator", trust))
            emails.append((first_email + i, user_id, email, True, True))
        self.sink.write(USERS, rows)
        self.sink.write(EMAILS, emails)
        self.landmarks.update({
            "password": BENCH_PASSWORD,
            "admin": self.usernames[0],
            "agent": self.usernames[self.agents[0]],
            "moderator": self.usernames[self.moderators[0]],
            "busiest_member": self.usernames[max(range(self.n), key=lambda i: activity[i] * (self.tier[i] == HEAVY))],
            "quiet_member": self.usernames[next(i for i in range(self.n - 1, 0, -1) if self.tier[i] == LURKER)],
        })

    def uid(self, i: int) -> int:
        return self.first_user_id + i

    # Spaces and tags -------------------------------------------------------------------------------

    def make_spaces(self) -> None:
        rng, spec = self.rng, self.spec
        rest = spec.spaces - 1  # one private group
        n_products = max(1, math.ceil(rest / 7))
        per_product = [0] * n_products
        for k in range(rest - n_products):
            per_product[k % n_products] += 1
        plans: list[SpacePlan] = []
        first = self.ids(Space, spec.spaces)
        texts_cache: dict[str, words.ProductTexts] = {}

        def texts_for(product: words.ProductWords) -> words.ProductTexts:
            if product.slug not in texts_cache:
                texts_cache[product.slug] = words.product_texts(rng, product)
            return texts_cache[product.slug]

        for i in range(n_products):
            product = words.PRODUCTS[i % len(words.PRODUCTS)]
            suffix = f"-{i // len(words.PRODUCTS) + 1}" if i >= len(words.PRODUCTS) else ""
            slug = f"{self.prefix}{product.slug}{suffix}"
            parent = len(plans)
            plans.append(SpacePlan(first + len(plans), slug, product.name + suffix, "forum", "public", None, i,
                                   product, texts_for(product)))
            for c in range(per_product[i]):
                cat_slug, cat_name = words.CATEGORIES[c % len(words.CATEGORIES)]
                plans.append(SpacePlan(first + len(plans), f"{slug}-{cat_slug}", cat_name, "forum", "public",
                                       parent, c, product, texts_for(product)))
        insiders = words.PRODUCTS[0]
        plans.append(SpacePlan(first + len(plans), f"{self.prefix}insiders", "Insiders", "group", "private", None,
                               n_products, insiders, texts_for(insiders)))
        # One members-only category: the last category of the last product.
        members_only = next(p for p in reversed(plans) if p.parent is not None)
        members_only.visibility = "members"

        # Topic shares: one huge category, two large spaces, a long tail; the private group is small.
        biggest = plans[1] if plans[1].parent is not None else plans[0]
        others = [p for p in plans if p is not biggest and p.visibility != "private"]
        rng.shuffle(others)
        others.sort(key=lambda p: p is members_only)  # the large ones are open to everyone
        biggest.share = spec.biggest_space_share
        plans[-1].share = 0.01
        tail = 1.0 - biggest.share - 0.01
        large_shares = [0.10, 0.06][: max(0, len(others) - 1)]
        for p, share in zip(others, large_shares, strict=False):
            p.share = share
        zipf = [1 / (r + 1) ** 0.8 for r in range(len(others) - len(large_shares))]
        for p, z in zip(others[len(large_shares):], zipf, strict=True):
            p.share = (tail - sum(large_shares)) * z / sum(zipf)
        self.spaces = plans
        self.biggest = biggest

        created = self.start - 200 * DAY
        rows: list[Row] = []
        for p in plans:
            parent_id = plans[p.parent].id if p.parent is not None else None
            description = (f"Questions and discussions about {p.product.name}." if p.parent is None
                           else f"{p.name} for {p.product.name}.")
            if p.kind == "group":
                description = "A private group for beta testers and the team."
            rows.append((p.id, p.slug, p.name, description, p.kind, p.visibility, parent_id, p.position,
                         "support@example.com" if p.kind == "forum" else "", UNANSWERED_HOURS, UNSOLVED_HOURS,
                         created))
        self.sink.write(SPACES, rows)

        # The private group: the team and a few dedicated members.
        private = plans[-1]
        self.private_index = len(plans) - 1
        candidates = [i for i in range(self.n) if self.tier[i] in (HEAVY, REGULAR)]
        insiders_members = sorted(
            self.agents + self.moderators + rng.sample(candidates, min(len(candidates), max(5, self.n // 50))))
        first_m = self.ids(Membership, len(insiders_members))
        self.sink.write(MEMBERSHIPS, [
            (first_m + k, private.id, self.uid(i), "member", max(self.joined[i], created))
            for k, i in enumerate(insiders_members)
        ])
        weight = {i: 1.0 + 3.0 * (self.tier[i] == HEAVY) for i in insiders_members}
        self.private_pool = Pool(insiders_members, [weight[i] for i in insiders_members], self.joined)
        self.private_agents = self.agents

        # Tags: each product's own and a common set; existing tags (a forced run) are reused.
        names: list[str] = []
        for p in plans:
            for name in (*p.product.tags, *words.COMMON_TAGS):
                if name not in names:
                    names.append(name)
        existing = dict(Tag.objects.using(self.database).filter(name__in=names).values_list("name", "id"))
        new = [n for n in names if n not in existing]
        first_tag = self.ids(Tag, len(new))
        self.tag_ids = {**existing, **{n: first_tag + k for k, n in enumerate(new)}}
        self.sink.write(TAGS, [(self.tag_ids[n], n) for n in new])
        self.tag_counts = dict.fromkeys(names, 0)
        self.tag_choices: dict[str, tuple[list[str], list[float]]] = {}
        for p in plans:
            if p.product.slug not in self.tag_choices:
                candidates_ = [*p.product.tags, *words.COMMON_TAGS]
                self.tag_choices[p.product.slug] = (
                    candidates_, list(accumulate(1 / (r + 1) ** 0.9 for r in range(len(candidates_)))))
        self.landmarks.update({
            "biggest_space": biggest.slug,
            "private_space": private.slug,
            "members_only_space": members_only.slug,
        })

    # Content ---------------------------------------------------------------------------------------

    def plan_topics(self) -> None:
        """When each topic is asked, where, of what kind, and how many replies it gets."""
        rng, spec = self.rng, self.spec
        n = spec.topics
        span = self.end - self.start - 2 * HOUR
        self.topic_times = sorted(self.start + span * math.sqrt(rng.random()) for _ in range(n))
        quotas = _quotas(n, [p.share for p in self.spaces])
        space_of = [i for i, q in enumerate(quotas) for _ in range(q)]
        rng.shuffle(space_of)
        self.topic_space = space_of
        self.topic_kind = ["question" if rng.random() < QUESTION_SHARE else "discussion" for _ in range(n)]

        # The long threads: started in the first half of history, in public spaces; the first (a
        # question with hundreds of answers) in the huge category, the second a long discussion.
        biggest_index = self.spaces.index(self.biggest)
        early = [i for i in range(n // 2) if self.spaces[space_of[i]].visibility == "public"]
        in_biggest = [i for i in early if space_of[i] == biggest_index]
        chosen = [rng.choice(in_biggest)]
        while len(chosen) < len(spec.long_threads):
            i = rng.choice(early)
            if i not in chosen:
                chosen.append(i)
        self.long_threads = dict(zip(chosen, spec.long_threads, strict=True))
        for k, i in enumerate(chosen):
            self.topic_kind[i] = "question" if k % 2 == 0 else "discussion"
        self.first_topic = self.ids(Topic, n)  # topic ids follow the order in which they were asked
        self.landmarks["long_question"] = self.first_topic + chosen[0]
        if len(chosen) > 1:
            self.landmarks["long_discussion"] = self.first_topic + chosen[1]

        # Replies per topic: none for some questions, a few for most, more for a few.
        rest_posts = spec.posts - sum(spec.long_threads)
        rest_topics = n - len(chosen)
        mean_answered = rest_posts / (rest_topics * (1 - UNANSWERED_SHARE * QUESTION_SHARE))
        counts = [0] * n
        for i in range(n):
            if i in self.long_threads:
                counts[i] = self.long_threads[i]
            elif self.topic_kind[i] == "question" and rng.random() < UNANSWERED_SHARE:
                counts[i] = 0
            else:
                counts[i] = 1 + int(rng.expovariate(1 / max(0.01, mean_answered - 0.5)))
        # Land exactly on the target: nudge ordinary answered topics up or down.
        ordinary = [i for i in range(n) if i not in self.long_threads and counts[i] > 0]
        diff = spec.posts - sum(counts)
        while diff:
            i = rng.choice(ordinary)
            if diff > 0:
                counts[i] += 1
                diff -= 1
            elif counts[i] > 1:
                counts[i] -= 1
                diff += 1
        self.topic_posts = counts
        answered_questions = sum(1 for i in range(n) if self.topic_kind[i] == "question" and counts[i] > 0)
        questions = sum(1 for k in self.topic_kind if k == "question")
        self.accept_rate = min(0.95, SOLVED_SHARE * questions / max(1, answered_questions))

    def make_content(self) -> None:
        spec = self.spec
        n = spec.topics
        self.kudos_target = round(spec.reactions * KUDOS_SHARE)
        self.votes_target = spec.reactions - self.kudos_target
        self.kudos_done = self.votes_done = 0
        self.posts_done = 0
        self.kudos_weight_sum = 0.0
        self.vote_weight_sum = 0.0
        self.batch: dict[str, list[Row]] = {t.label: [] for t in CONTENT_TABLES}
        self.pending = 0
        started = time.monotonic()
        before = sum(self.sink.counts.values())
        report_every = max(1, n // 10)
        for i in range(n):
            self.make_topic(i, self.first_topic + i)
            if self.pending >= FLUSH_ROWS:
                self.flush()
            if (i + 1) % report_every == 0 or i + 1 == n:
                self.flush()
                done = i + 1
                rows = sum(self.sink.counts.values()) - before
                secs = time.monotonic() - started
                bar = "#" * (20 * done // n) + "." * (20 - 20 * done // n)
                self.say(f"content [{bar}] {done:,}/{n:,} topics, {self.posts_done:,} posts, {rows:,} rows, "
                         f"{rows / secs if secs else 0:,.0f} rows/s")

    def add(self, table: Table, row: Row) -> None:
        self.batch[table.label].append(row)
        self.pending += 1

    def flush(self) -> None:
        for table in CONTENT_TABLES:
            rows = self.batch[table.label]
            if rows:
                self.sink.write(table, rows)
                self.batch[table.label] = []
        self.pending = 0

    def make_topic(self, i: int, topic_id: int) -> None:
        rng, end = self.rng, self.end
        space = self.spaces[self.topic_space[i]]
        private = self.topic_space[i] == self.private_index
        askers = self.private_pool if private else self.askers
        posters = self.private_pool if private else self.posters
        voters = self.private_pool if private else self.voters
        kind = self.topic_kind[i]
        is_question = kind == "question"
        asked = self.topic_times[i]
        author = askers.draw(rng, asked)
        title = words.title_for(rng, space.product, kind)
        text = rng.choice(space.texts.questions if is_question else space.texts.discussions)
        tag_names: list[str] = []
        candidates, cum = self.tag_choices[space.product.slug]
        for _ in range(rng.choice((0, 1, 1, 2, 2, 2, 3, 3))):
            name = rng.choices(candidates, cum_weights=cum)[0]
            if name not in tag_names:
                tag_names.append(name)
        tag_names.sort()

        # Replies, in time order. Long threads run for months; others mostly within days.
        n_posts = self.topic_posts[i]
        long = i in self.long_threads
        times: list[float] = []
        if n_posts:
            gap = (min(end - asked, 300 * DAY) / n_posts) if long else rng.choice((4, 8, 16, 48)) * HOUR
            t = asked + rng.expovariate(1 / (5 * HOUR))
            for _ in range(n_posts):
                times.append(t)
                t += rng.expovariate(1 / gap)
            if times[-1] >= end:
                scale = (end - asked) * 0.999 / (times[-1] - asked)
                times = [asked + (x - asked) * scale for x in times]
        comment_share = 0.15 if long and is_question else 0.25
        first_post = self.ids(Post, n_posts)
        post_author: list[int] = []
        post_parent: list[int | None] = []  # local index of the answer a comment is under
        post_official: list[bool] = []
        post_text: list[words.Text] = []
        comments = [0] * n_posts
        answers: list[int] = []
        for k, t in enumerate(times):
            parent: int | None = None
            if answers and rng.random() < comment_share:
                parent = answers[-1 - min(int(rng.expovariate(0.5)), len(answers) - 1)]
                if comments[parent] >= MAX_COMMENTS_PER_ANSWER:
                    parent = None
            official = False
            if parent is not None:
                who = author if rng.random() < ASKER_COMMENT_SHARE else posters.draw(rng, t)
                comments[parent] += 1
                body = rng.choice(space.texts.comments)
            else:
                if is_question and rng.random() < AGENT_ANSWER_SHARE:
                    who, official = rng.choice(self.agents), True
                else:
                    who = posters.draw(rng, t)
                    if who == author:
                        who = posters.draw(rng, t)
                answers.append(k)
                body = rng.choice(space.texts.answers)
            post_author.append(who)
            post_parent.append(parent)
            post_official.append(official)
            post_text.append(body)

        # The accepted solution, chosen by the asker (now and then by the team).
        accepted: int | None = None
        accepted_at: float | None = None
        accepted_by: int | None = None
        if is_question and answers and (long or rng.random() < self.accept_rate):
            accepted = answers[rng.randrange(min(3, len(answers)))] if rng.random() < 0.7 else rng.choice(answers)
            accepted_at = _later(rng, times[accepted], 1 * DAY, end)
            accepted_by = author if rng.random() < 0.9 else rng.choice(self.moderators + self.agents)
            self.solution_count[post_author[accepted]] += 1
            self.reputation[post_author[accepted]] += RULES["solution_accepted"]

        # Kudos per post: skewed, more for accepted answers and busy members, few for comments. The
        # rate adapts as it goes so that the total lands on the target.
        remaining_posts = max(1, self.spec.posts - self.posts_done)
        mean_w = self.kudos_weight_sum / self.posts_done if self.posts_done else 1.0
        rate = max(0.0, self.kudos_target - self.kudos_done) / (remaining_posts * mean_w)
        kudos_count = [0] * n_posts
        subscribed: dict[int, float] = {author: asked}
        for k in range(n_posts):
            who = post_author[k]
            w = rng.lognormvariate(-0.5, 1.0)
            w *= 4.0 if k == accepted else 1.0
            w *= 0.3 if post_parent[k] is not None else 1.0
            w *= 1.5 if self.tier[who] == HEAVY else 1.0
            self.kudos_weight_sum += w
            want = min(int(w * rate + rng.random()), len(voters) - 1)
            givers: set[int] = set()
            tries = 0
            while len(givers) < want and tries < 3 * want + 10:
                tries += 1
                when = _later(rng, times[k], 2 * DAY, end)
                giver = voters.draw(rng, when)
                if giver == who or giver in givers:
                    continue
                givers.add(giver)
                self.add(KUDOS, (self.ids(Kudos), first_post + k, self.uid(giver), when))
            kudos_count[k] = len(givers)
            self.reputation[who] += RULES["kudos_received"] * len(givers)
            subscribed.setdefault(who, times[k])
        self.kudos_done += sum(kudos_count)
        self.posts_done += n_posts

        # "Me too" on questions (the voter follows the question), votes on discussions.
        w = rng.lognormvariate(-0.5, 1.0) * (1 + math.log1p(n_posts) / 2)
        self.vote_weight_sum += w
        done_topics = i
        mean_v = self.vote_weight_sum / (done_topics + 1)
        v_rate = max(0.0, self.votes_target - self.votes_done) / (max(1, self.spec.topics - done_topics) * mean_v)
        want = min(int(w * v_rate + rng.random()), len(voters) - 1)
        voted: set[int] = set()
        tries = 0
        while len(voted) < want and tries < 3 * want + 10:
            tries += 1
            when = _later(rng, asked, 3 * DAY, end)
            voter = voters.draw(rng, when)
            if voter == author or voter in voted:
                continue
            voted.add(voter)
            self.add(VOTES, (self.ids(TopicVote), topic_id, self.uid(voter), when))
            if is_question and when < subscribed.get(voter, end):
                subscribed[voter] = when
        self.votes_done += len(voted)
        self.reputation[author] += RULES["vote_received"] * len(voted)

        # The topic row, with its counters.
        n_answers = len(answers)
        last_activity = times[-1] if times else asked
        status = "solved" if accepted is not None else "open"
        views = int((20 + 8 * n_posts + 3 * len(voted)) * rng.lognormvariate(0, 0.6))
        self.add(TOPICS, (topic_id, space.id, kind, title, text.body, text.html, self.uid(author), status, asked,
                          last_activity, n_posts, n_answers, len(voted), views))
        for name in tag_names:
            self.add(TOPIC_TAGS, (self.ids(Topic.tags.through), topic_id, self.tag_ids[name]))
            self.tag_counts[name] += 1
        for k in range(n_posts):
            parent = post_parent[k]
            self.add(POSTS, (first_post + k, topic_id, None if parent is None else first_post + parent,
                             self.uid(post_author[k]), post_text[k].body, post_text[k].html, post_official[k],
                             kudos_count[k], comments[k], times[k]))
        if is_question:
            self.question_count[author] += 1
            for k in answers:
                self.answer_count[post_author[k]] += 1
            first_answer = times[answers[0]] if answers else None
            q = question_state(rng, self.agents, asked=asked, first_answer=first_answer,
                               first_official=bool(answers) and post_official[answers[0]],
                               accepted=accepted_at, end=end)
            self.add(QUESTIONS, (
                topic_id, None if accepted is None else first_post + accepted,
                None if accepted_by is None else self.uid(accepted_by), accepted_at, q.queue_state, q.reason,
                q.escalated_at, None if q.claimed_by is None else self.uid(q.claimed_by), q.claimed_at, q.resolved_at,
                q.escalated_unanswered, q.escalated_unsolved,
            ))
        for who, since in subscribed.items():
            self.add(SUBSCRIPTIONS, (self.ids(Subscription), self.uid(who), topic_id, since))

        # The search index: the topic and each reply, as search.services would index them.
        tags = " ".join(tag_names)
        solved = accepted is not None
        self.add(DOCUMENTS, (self.ids(SearchDocument), "topic", topic_id, topic_id, space.id, kind, solved, tags,
                             title, text.plain, asked))
        for k in range(n_posts):
            self.add(DOCUMENTS, (self.ids(SearchDocument), "post", first_post + k, topic_id, space.id, kind, solved,
                                 tags, title, post_text[k].plain, times[k]))

        space.topic_count += 1
        space.post_count += n_posts

    # The SQLite full-text index ---------------------------------------------------------------------

    def suspend_search_trigger(self) -> None:
        """On SQLite, fill the FTS5 table once at the end instead of row by row from its insert trigger:
        one INSERT … SELECT is about twenty times faster. The trigger comes back, as it was, in the same
        transaction (a failure rolls both back)."""
        self.fts_trigger_sql: str | None = None
        self.first_document = self.next_id[SearchDocument]
        if self.connection.vendor != "sqlite":
            return
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'search_fts_insert'")
            row = cursor.fetchone()
            if row is not None:
                self.fts_trigger_sql = row[0]
                cursor.execute("DROP TRIGGER search_fts_insert")

    def fill_search_index(self) -> None:
        if self.fts_trigger_sql is None:
            return
        with self.connection.cursor() as cursor:
            # search_fts_content is the view the FTS table indexes (search migration 0002): the same
            # columns the trigger would have written.
            cursor.execute("INSERT INTO search_fts(rowid, title, body, tags) "
                           "SELECT id, title, body, tags FROM search_fts_content WHERE id >= %s",
                           [self.first_document])
            cursor.execute(self.fts_trigger_sql)

    # Counters ----------------------------------------------------------------------------------------

    def write_counters(self) -> None:
        """Members', spaces' and tags' kept counters, known only now that everything is written."""
        db = self.database
        for p in self.spaces:
            Space.objects.using(db).filter(pk=p.id).update(topic_count=p.topic_count, post_count=p.post_count)
        for name, count in self.tag_counts.items():
            if count:
                Tag.objects.using(db).filter(pk=self.tag_ids[name]).update(topic_count=F("topic_count") + count)
        rows = [
            (self.uid(i), self.question_count[i], self.answer_count[i], self.solution_count[i], self.reputation[i])
            for i in range(self.n)
            if self.question_count[i] or self.answer_count[i] or self.solution_count[i] or self.reputation[i]
        ]
        table = self.connection.ops.quote_name(User._meta.db_table)
        if self.connection.vendor == "postgresql":
            with self.connection.connection.cursor() as cursor:
                cursor.execute("CREATE TEMPORARY TABLE bench_member_counts "
                               "(id bigint, q integer, a integer, s integer, r integer) ON COMMIT DROP")
                with cursor.copy("COPY bench_member_counts (id, q, a, s, r) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(f"UPDATE {table} AS u SET question_count = c.q, answer_count = c.a, "
                               "solution_count = c.s, reputation = c.r FROM bench_member_counts c WHERE u.id = c.id")
                cursor.execute("DROP TABLE bench_member_counts")
        else:
            cursor = self.connection.connection.cursor()
            try:
                cursor.executemany(
                    f"UPDATE {table} SET question_count = ?, answer_count = ?, solution_count = ?, reputation = ? "
                    "WHERE id = ?", [(q, a, s, r, user_id) for user_id, q, a, s, r in rows])
            finally:
                cursor.close()

    def finish_database(self) -> None:
        """PostgreSQL: move the id sequences past the rows written; inside a caller's transaction (where
        VACUUM cannot run afterwards) also refresh the planner's statistics."""
        if self.connection.vendor != "postgresql":
            return
        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), list(ALL_MODELS)):
                cursor.execute(sql)
            if self.nested:
                for model in ALL_MODELS:
                    cursor.execute(f"ANALYZE {self.connection.ops.quote_name(model._meta.db_table)}")

    def run(self) -> None:
        for name, step in (("members", self.make_members), ("spaces and tags", self.make_spaces),
                           ("plan", self.plan_topics), ("search trigger", self.suspend_search_trigger),
                           ("content", self.make_content), ("full-text index", self.fill_search_index),
                           ("counters", self.write_counters), ("statistics", self.finish_database)):
            started, before = time.monotonic(), sum(self.sink.counts.values())
            step()
            self.phase(name, started, before)
        questions = Question.objects.using(self.database).filter(topic__space__in=[p.id for p in self.spaces])
        self.landmarks["waiting_in_queue"] = questions.filter(queue_state__in=["queued", "claimed"]).count()
        self.landmarks["biggest_space_topics"] = self.biggest.topic_count


# Entry point ---------------------------------------------------------------------------------------


def _has_content(database: str) -> tuple[int, int]:
    return Space.objects.using(database).count(), Topic.objects.using(database).count()


def _prefix(database: str) -> str:
    """Names for this run that no existing member or space uses ("" on an empty database)."""
    users = User.objects.using(database)
    for k in range(1, 1000):
        prefix = "" if k == 1 else f"run{k}-"
        taken = users.filter(username__in=[prefix + ADMIN_USERNAME, f"{prefix}agent001"]).exists() or \
            users.filter(username__startswith=f"{prefix}member0").exists() or \
            Space.objects.using(database).filter(slug__startswith=prefix + words.PRODUCTS[0].slug).exists() or \
            Space.objects.using(database).filter(slug=f"{prefix}insiders").exists()
        if not taken:
            return prefix
    raise Conflict("Too many benchmark communities in this database already.")


def _end_of_history(until: datetime | None) -> float:
    if until is None:
        now = datetime.now(UTC)
        until = datetime(now.year, now.month, now.day, tzinfo=UTC)  # today's midnight: stable within a day
    elif until.tzinfo is None:
        raise InvalidInput("`until` must be an aware datetime.", field="until")
    return until.timestamp()


def _sqlite_tuning(connection: Any, on: bool, saved: dict[str, Any]) -> None:
    """Bulk-load settings for this connection, only while generating (not inside a caller's transaction)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        if on:
            for pragma in ("synchronous", "cache_size", "temp_store"):
                cursor.execute(f"PRAGMA {pragma}")
                saved[pragma] = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB
            cursor.execute("PRAGMA temp_store = MEMORY")
        else:
            for pragma, value in saved.items():
                cursor.execute(f"PRAGMA {pragma} = {int(value)}")


def generate(size: str | SizeSpec, *, seed: int = 42, progress: Callable[[str], None] | None = None,
             database: str = "default", force: bool = False, until: datetime | None = None) -> GenerateSummary:
    """Build the benchmark community of this size into `database` and return what was written.

    Refuses (Conflict) when the database already has spaces or topics, unless `force`: then the
    community is added beside them, under names prefixed "runN-". `until` is when its history ends
    (default: today's midnight, UTC); with the same seed and `until`, the same rows are written.
    Everything is written in one transaction: a failure leaves the database as it was.
    """
    if isinstance(size, SizeSpec):
        spec, size_name = size, "custom"
    elif size in SIZES:
        spec, size_name = SIZES[size], size
    else:
        raise InvalidInput(f"Unknown size “{size}”: use {', '.join(SIZES)}.", field="size")
    connection = connections[database]
    if connection.vendor not in ("sqlite", "postgresql"):
        raise InvalidInput(f"The generator writes to SQLite or PostgreSQL, not {connection.vendor}.",
                           field="database")
    spaces, topics = _has_content(database)
    if (spaces or topics) and not force:
        raise Conflict(
            f"The database already has content ({spaces:,} spaces, {topics:,} topics): benchmark data would mix "
            "with it. Generate into an empty database, or use --force to add it anyway.",
            field="force",
        )
    end = _end_of_history(until)
    say = progress or (lambda line: None)
    say(f"Generating the {size_name} community: {spec.members:,} members, {spec.topics:,} topics, "
        f"{spec.posts:,} posts, {spec.reactions:,} votes and kudos, {spec.spaces} spaces ({connection.vendor}).")
    started = time.monotonic()
    nested = connection.in_atomic_block
    saved: dict[str, Any] = {}
    _sqlite_tuning(connection, True, saved)
    try:
        with transaction.atomic(using=database):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # Check foreign keys as each COPY ends rather than queueing millions until commit.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            generator = Generator(spec, seed=seed, end=end, database=database, prefix=_prefix(database),
                                  progress=progress, nested=nested)
            generator.run()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            from townhall.core import pagecache

            pagecache.invalidate()  # anonymous visitors' cached pages predate all this
    finally:
        _sqlite_tuning(connection, False, saved)
    if connection.vendor == "postgresql" and not nested:
        vacuum_started = time.monotonic()
        with connection.cursor() as cursor:
            # Sets the visibility map and hint bits now, so that benchmarks do not pay for it later.
            cursor.execute("VACUUM (ANALYZE)")
        generator.phases.append(("vacuum", 0, time.monotonic() - vacuum_started))
        say(f"vacuum: {time.monotonic() - vacuum_started:.1f} s")
    seconds = time.monotonic() - started
    counts = dict(generator.sink.counts)
    total = sum(counts.values())
    return GenerateSummary(size=size_name, seed=seed, vendor=connection.vendor, counts=counts, seconds=seconds,
                           rows_per_second=total / seconds if seconds else 0.0, phases=generator.phases,
                           write_seconds=dict(generator.sink.seconds), landmarks=generator.landmarks)
