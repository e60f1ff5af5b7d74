"""Posts held for review before anyone else sees them: the first post of a member with nothing published
yet, where the space asks for it (Space.hold_first_posts, off by default), and any post of a new account
the heuristics find suspicious. A held item is hidden like a flagged one, and waits in the review queue as a flag by the
system (no flagger) with the reasons; approving it publishes it.

The heuristics use only what Townhall knows (no outside service), each a plain signal a moderator can
check; two or more signals hold the post:
- a new account's first contribution carries a link;
- it was posted within SUSPICIOUS_FAST_SECONDS of signing up;
- the account's name or username holds a web address;
- the same account had a post removed as spam or abusive (an upheld flag) in the last week.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from townhall.core import access
from townhall.core.ratelimit import is_new_account
from townhall.moderation.models import Flag
from townhall.moderation.spam import external_links

SUSPICIOUS_FAST_SECONDS = 60
HOLD_SIGNALS = 2
# A web address in a name: a scheme, "www.", or a whole word that is a host under a common commercial
# domain followed by a path or nothing ("cheap-watches.shop", "deals.com/x"); not "dot.com.fan", not an
# email address (the part after @ is left out before this is applied).
WEB_ADDRESS_RE = re.compile(
    r"(?:https?://|www\.|(?:^|\s)[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|info|biz|xyz|top|ru|shop|online|store|site)"
    r"(?:/\S*)?(?=\s|$))", re.I)


def _has_published(user: Any, item: Any) -> bool:
    """Anything of theirs that others can see (held items are hidden): someone already let in."""
    from townhall.content.models import Post, Topic

    topics = Topic.objects.filter(author=user, is_deleted=False)
    posts = Post.objects.filter(author=user, is_deleted=False)
    if isinstance(item, Topic):
        topics = topics.exclude(pk=item.pk)
    else:
        posts = posts.exclude(pk=item.pk)
    return topics.exists() or posts.exists()


def suspicion(user: Any, item: Any, *, first: bool) -> list[str]:
    """The signals a new account's post shows, in words for the moderator."""
    signals = []
    text = f"{getattr(item, 'title', '')}\n{item.body}"
    rendered, raw = external_links(text)  # links to other sites only: not this community's own pages
    if first and (rendered or raw):
        signals.append("a new account's first post carries a link")
    if user.date_joined and item.created_at - user.date_joined < timedelta(seconds=SUSPICIOUS_FAST_SECONDS):
        signals.append("posted within a minute of signing up")
    names = " ".join(re.sub(r"@\S*", "", name) for name in (user.username, user.get_full_name(),
                                                             getattr(user, "display_name", "")))
    if WEB_ADDRESS_RE.search(names):
        signals.append("the account's name holds a web address")
    week = timezone.now() - timedelta(days=7)
    if Flag.objects.filter(status="upheld", reason__in=["spam", "abusive"], resolved_at__gte=week).filter(
            Q(topic__author=user) | Q(post__author=user)).exists():
        signals.append("a post of theirs was removed as spam or abuse this week")
    return signals


def hold_if_needed(user: Any, item: Any) -> bool:
    """The hold check (core.gates), run after a member's topic or post is written. True if it was held."""
    from townhall.content import services as content
    from townhall.content.models import Topic

    if not getattr(user, "is_authenticated", False) or access.is_staff_role(user):
        return False
    topic = item if isinstance(item, Topic) else item.topic
    space_holds = topic.space.hold_first_posts
    new_account = is_new_account(user)
    if not space_holds and not new_account:
        return False  # only new accounts are scored: a member with history is not held on a guess
    first = not _has_published(user, item)
    reasons = []
    if space_holds and first:
        reasons.append(f"a first post, by a member with nothing published yet, in {topic.space.name}")
    signals = suspicion(user, item, first=first) if new_account else []
    if len(signals) >= HOLD_SIGNALS:
        reasons.append("suspicious account: " + "; ".join(signals))
    if not reasons:
        return False
    kind = "topic" if isinstance(item, Topic) else "post"
    note = "Held for review: " + " and ".join(reasons) + "."
    # A flag without a flagger: the queue shows it with the others, and deciding it settles the hold.
    Flag.objects.create(flagger=None, reason="held", note=note[:1000], weight=0, target_key=f"{kind}:{item.pk}",
                        **{kind: item})
    content.hide_for_review(item, reason=note[:500])
    return True
