"""Reputation points and badges.

A member's reputation is what others gave their contributions, by these rules:

- `kudos_received` (10): each kudos on one of their posts (answers and comments);
- `solution_accepted` (15): each of their answers accepted as a question's solution;
- `vote_received` (2): each vote on one of their topics ("I have this question too" on a
  question, a vote on an idea).

The write path applies the rules as things happen (`credit`, called by content and support
services); `recompute_reputation` derives the same totals from the content, so the two always
agree. Imported votes whose voters are unknown (Stack Exchange dumps) are kept as numbers on the
post or topic (`Post.imported_kudos`, `Topic.imported_votes`) and count like votes given here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone

from townhall.activity.services import record_event
from townhall.core.errors import InvalidInput
from townhall.reputation.models import LEVEL_CHOICES, LEVEL_ORDER, Badge, BadgeAward

CHUNK = 5000
RULES: dict[str, int] = {
    "kudos_received": 10,
    "solution_accepted": 15,
    "vote_received": 2,
}


def credit(user_id: int | None, rule: str, times: int = 1) -> None:
    """Add (or, with a negative `times`, take back) the points of `rule` to a member, atomically."""
    if user_id is None or not times:
        return
    get_user_model().objects.filter(pk=user_id).update(reputation=F("reputation") + RULES[rule] * times)


def _user_ids(users: Iterable[Any] | None) -> list[int] | None:
    if users is None:
        return None
    return sorted({user if isinstance(user, int) else user.pk for user in users})


def _chunks(ids: list[int] | None) -> list[list[int] | None]:
    """All members at once, or the given ones a few thousand at a time (SQLite limits parameters)."""
    if ids is None:
        return [None]
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _counted(qs: Any, by: str, ids: list[int] | None, *, total: str | None = None) -> Counter[int]:
    """{member id: count (or sum of `total`)} of the rows of `qs` grouped by the member at `by`."""
    counts: Counter[int] = Counter()
    aggregate = Sum(total) if total else Count("pk")
    for chunk in _chunks(ids):
        selected = qs if chunk is None else qs.filter(**{f"{by}__in": chunk})
        rows = selected.order_by().values(by).annotate(n=aggregate).values_list(by, "n")
        counts.update({user_id: n or 0 for user_id, n in rows if user_id is not None})
    return counts


def _write(field: str, values: dict[int, int], ids: list[int] | None) -> int:
    """Set `field` to `values` (0 when absent) for the members, writing only those that differ."""
    User = get_user_model()
    changed = []
    for chunk in _chunks(ids):
        members = User.objects.all() if chunk is None else User.objects.filter(pk__in=chunk)
        for pk, current in members.values_list("pk", field).iterator(chunk_size=2000):
            wanted = values.get(pk, 0)
            if current != wanted:
                changed.append(User(pk=pk, **{field: wanted}))
    with transaction.atomic():
        User.objects.bulk_update(changed, [field], batch_size=500)
    return len(changed)


def reputation_from_content(users: Iterable[Any] | None = None) -> dict[int, int]:
    """Every member's reputation as the rules give it, from the kudos, votes and solutions stored."""
    from townhall.content.models import Kudos, Post, Topic, TopicVote
    from townhall.support.models import Question

    ids = _user_ids(users)
    kudos = _counted(Kudos.objects.all(), "post__author", ids)
    kudos.update(_counted(Post.objects.filter(imported_kudos__gt=0), "author", ids, total="imported_kudos"))
    votes = _counted(TopicVote.objects.all(), "topic__author", ids)
    votes.update(_counted(Topic.objects.filter(imported_votes__gt=0), "author", ids, total="imported_votes"))
    solutions = _counted(Question.objects.filter(accepted_post__isnull=False), "accepted_post__author", ids)
    members = set(kudos) | set(votes) | set(solutions)
    return {
        pk: kudos[pk] * RULES["kudos_received"] + solutions[pk] * RULES["solution_accepted"]
        + votes[pk] * RULES["vote_received"]
        for pk in members
    }


def recompute_reputation(users: Iterable[Any] | None = None) -> int:
    """Write every member's (or these members') reputation from the content. Returns how many changed."""
    ids = _user_ids(users)
    return _write("reputation", reputation_from_content(ids), ids)


# Badges -----------------------------------------------------------------------------------------


def _clean_badge(name: Any, level: Any) -> tuple[str, str]:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("A badge needs a name.", field="name")
    name = " ".join(name.split())
    if len(name) > 80:
        raise InvalidInput("A badge name has at most 80 characters.", field="name")
    if level not in dict(LEVEL_CHOICES):
        raise InvalidInput("A badge is gold, silver or bronze.", field="level")
    return name, level


@transaction.atomic
def award_badge(user: Any, badge_name: str, level: str, awarded_at: datetime | None = None,
                imported_from: str = "", description: str = "") -> BadgeAward:
    """Award a badge (created on first use, at `level`). An imported award is awarded once."""
    name, level = _clean_badge(badge_name, level)
    if imported_from:
        existing = BadgeAward.objects.filter(imported_from=imported_from).first()
        if existing is not None:
            return existing
    badge, _ = Badge.objects.get_or_create(name=name, defaults={"level": level, "description": description})
    award = BadgeAward.objects.create(user=user, badge=badge, awarded_at=awarded_at or timezone.now(),
                                      imported_from=imported_from)
    if not imported_from:
        record_event("badge.awarded", user, badge=badge.name, level=badge.level)
    return award


def import_badge_awards(awards: list[dict[str, Any]], batch_size: int = 1000) -> int:
    """Award many imported badges at once (no event each): dicts of user_id, name, level, awarded_at,
    imported_from. Those already imported are left alone. Returns how many were awarded."""
    if not awards:
        return 0
    existing = set(
        BadgeAward.objects.filter(imported_from__in=[a["imported_from"] for a in awards])
        .values_list("imported_from", flat=True)
    )
    todo = [a for a in awards if a["imported_from"] not in existing]
    if not todo:
        return 0
    badges = {badge.name: badge for badge in Badge.objects.filter(name__in={a["name"] for a in todo})}
    new_badges = {}
    for a in todo:
        name, level = _clean_badge(a["name"], a["level"])
        if name not in badges and name not in new_badges:
            new_badges[name] = Badge(name=name, level=level)
    with transaction.atomic():
        if new_badges:
            Badge.objects.bulk_create(new_badges.values(), ignore_conflicts=True)
            badges.update({b.name: b for b in Badge.objects.filter(name__in=new_badges)})
        BadgeAward.objects.bulk_create(
            [BadgeAward(user_id=a["user_id"], badge=badges[" ".join(a["name"].split())],
                        awarded_at=a["awarded_at"], imported_from=a["imported_from"]) for a in todo],
            batch_size=batch_size,
        )
    return len(todo)


def badge_awards(user: Any) -> list[BadgeAward]:
    """A member's badges, newest first, with their badge (one query)."""
    return list(BadgeAward.objects.filter(user=user).select_related("badge").order_by("-awarded_at", "-id"))


def badge_summary(user: Any) -> list[dict[str, Any]]:
    """A member's badges for their profile: each badge once, with how many times and when last earned,
    gold first (one query)."""
    rows = (
        BadgeAward.objects.filter(user=user)
        .values("badge__name", "badge__level")
        .annotate(times=Count("pk"), last=Max("awarded_at"))
        .order_by()
    )
    summary = [
        {"name": r["badge__name"], "level": r["badge__level"], "times": r["times"], "last_awarded_at": r["last"]}
        for r in rows
    ]
    summary.sort(key=lambda b: (LEVEL_ORDER.get(b["level"], 9), b["name"].lower()))
    return summary
