"""Subscriptions, in-app notifications, emails with one-click unsubscribe, and outbound webhooks.

`handle_event` consumes the activity log (idempotently: one notification per member per event).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from townhall.activity.models import Event
from townhall.core import access
from townhall.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from townhall.notifications.models import Notification, Subscription, WebhookDelivery

if TYPE_CHECKING:
    from townhall.content.models import Topic

UNSUBSCRIBE_SALT = "townhall.unsubscribe"
WEBHOOK_MAX_ATTEMPTS = 12
WEBHOOK_TIMEOUT = 10


# Subscriptions --------------------------------------------------------------------------------


def subscribe(user: Any, *, topic: Any = None, space: Any = None) -> Subscription | None:
    if not user.is_authenticated or (topic is None) == (space is None):
        return None
    sub: Subscription | None
    try:
        with transaction.atomic():
            sub, _ = Subscription.objects.get_or_create(user=user, topic=topic, space=space)
    except IntegrityError:
        sub = Subscription.objects.filter(user=user, topic=topic, space=space).first()
    return sub


def unsubscribe(user: Any, *, topic: Any = None, space: Any = None) -> int:
    qs = Subscription.objects.filter(user=user)
    qs = qs.filter(topic=topic) if topic is not None else qs.filter(space=space)
    deleted, _ = qs.delete()
    return deleted


def is_subscribed(user: Any, topic: Any) -> bool:
    return user.is_authenticated and Subscription.objects.filter(user=user, topic=topic).exists()


def is_following_space(user: Any, space: Any) -> bool:
    return user.is_authenticated and Subscription.objects.filter(user=user, space=space).exists()


def unsubscribe_token(user: Any, topic_id: int | None) -> str:
    return signing.dumps({"u": user.pk, "t": topic_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[Any, int | None]:
    """The member and topic a token unsubscribes from; InvalidInput for a forged or broken token."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = get_user_model().objects.get(pk=data["u"])
    except (signing.BadSignature, KeyError, TypeError, get_user_model().DoesNotExist):
        raise InvalidInput("This unsubscribe link is not valid.", field="token")
    return user, data.get("t")


@transaction.atomic
def unsubscribe_by_token(token: str) -> str:
    """One-click unsubscribe from an email: from that topic, or from all email when no topic."""
    user, topic_id = read_unsubscribe_token(token)
    if topic_id:
        Subscription.objects.filter(user=user, topic_id=topic_id).delete()
        return "topic"
    get_user_model().objects.filter(pk=user.pk).update(email_notifications=False)
    return "all"


# Notifications --------------------------------------------------------------------------------


def mark_read(user: Any, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(id__in=ids)
    changed = qs.update(read_at=timezone.now())
    forget_unread_count(user.pk)
    return changed


def _unread_key(user_id: int) -> str:
    return f"townhall:unread:{user_id}"


def unread_count(user: Any, generation: int) -> int:
    """The header's badge on every signed-in page: kept in the cache with the page cache's `generation`
    (a change of visibility changes it) until a notification arrives or is read."""
    if not settings.PAGE_CACHE_SECONDS:  # caching turned off
        return visible_notifications(user).filter(read_at__isnull=True).count()
    key = _unread_key(user.pk)
    cached = cache.get(key)
    if cached is not None and cached[0] == generation:
        return int(cached[1])
    count = visible_notifications(user).filter(read_at__isnull=True).count()
    cache.set(key, (generation, count), settings.PAGE_CACHE_SECONDS)
    return count


def forget_unread_count(user_id: int) -> None:
    cache.delete(_unread_key(user_id))
    # Also once the transaction that wrote the notification commits: a page rendered in between
    # would otherwise keep the old count.
    transaction.on_commit(lambda: cache.delete(_unread_key(user_id)), robust=True)


def visible_notifications(user: Any) -> Any:
    """A member's notifications, minus any about topics they can no longer see."""
    return (
        Notification.objects.filter(user=user)
        .filter(Q(topic__isnull=True) | _topic_q(user))
        .select_related("actor", "topic", "topic__space")
    )


def _topic_q(user: Any) -> Q:
    q = Q(topic__space_id__in=access.visible_space_ids(user))
    if not access.can_see_deleted(user):
        q &= Q(topic__is_deleted=False)
    return q


def notify(user: Any, verb: str, event: Event) -> Notification | None:
    """One notification per member per event; emailed once if the member wants email."""
    if user is None or not user.is_active or (event.actor_id and user.pk == event.actor_id):
        return None
    if event.topic is not None and not access.may_view_in_email(user, event.topic):
        return None
    post = event.post
    if post is not None and (post.is_deleted or (post.parent is not None and post.parent.is_deleted)):
        return None  # deleted before this job ran (a pasted password, say): tell no one its text
    notification, created = Notification.objects.get_or_create(
        user=user, event=event,
        defaults={"verb": verb, "actor_id": event.actor_id, "topic": event.topic, "post": post},
    )
    if created:
        forget_unread_count(user.pk)
    # emailed_at, not `created`: when sending failed, the job's retry sends it.
    if notification.emailed_at is None and user.email_notifications and user.email:
        send_notification_email(notification)
    return notification


def send_notification_email(notification: Notification) -> None:
    user = notification.user
    topic = notification.topic
    token = unsubscribe_token(user, topic.pk if topic else None)
    unsubscribe_url = settings.SITE_URL + reverse("unsubscribe", args=[token])
    unsubscribe_all_url = settings.SITE_URL + reverse("unsubscribe", args=[unsubscribe_token(user, None)])
    context = {
        "notification": notification,
        "user": user,
        "topic": topic,
        "post": notification.post,
        "actor": notification.actor,
        "site_url": settings.SITE_URL,
        "site_name": settings.SITE_NAME,
        "unsubscribe_url": unsubscribe_url,
        "unsubscribe_all_url": unsubscribe_all_url,
    }
    subject = render_to_string("notifications/email_subject.txt", context).strip()
    text = render_to_string("notifications/email.txt", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.send(fail_silently=False)
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def _subscribers(topic: Any, exclude: set[int]) -> Any:
    return get_user_model().objects.filter(subscriptions__topic=topic, is_active=True).exclude(pk__in=exclude)


def _mentioned(event: Event, exclude: set[int]) -> Any:
    ids = [i for i in event.data.get("mentioned", []) if i not in exclude]
    return get_user_model().objects.filter(pk__in=ids, is_active=True) if ids else []


def handle_event(event: Event) -> None:
    """Turn an event into notifications, emails and webhooks. Safe to run twice."""
    handler = _HANDLERS.get(event.verb)
    if handler is not None:
        handler(event)


def _follows(user_id: int, topic: Any) -> bool:
    """Direct notices about a topic (answers, replies, acceptance) go only to those who still follow it:
    authors follow what they post in, and unfollow with the "stop emails about this topic" link."""
    return Subscription.objects.filter(user_id=user_id, topic=topic).exists()


def _on_topic_created(event: Event) -> None:
    topic = event.topic
    if topic is None:
        return
    subscribe(topic.author, topic=topic)
    done: set[int] = {event.actor_id} if event.actor_id else set()
    for user in _mentioned(event, done):
        notify(user, "mention", event)
        done.add(user.pk)
    space_followers = get_user_model().objects.filter(subscriptions__space=topic.space_id, is_active=True)
    for user in space_followers.exclude(pk__in=done):
        notify(user, "subscription", event)


def _on_post_created(event: Event) -> None:
    topic, post = event.topic, event.post
    if post is None or topic is None:
        return
    subscribe(post.author, topic=topic)
    done: set[int] = {event.actor_id} if event.actor_id else set()
    for user in _mentioned(event, done):
        notify(user, "mention", event)
        done.add(user.pk)
    if post.parent_id is None and topic.author_id not in done and _follows(topic.author_id, topic):
        notify(topic.author, "official" if post.official else "answer", event)
        done.add(topic.author_id)
    parent = post.parent  # None for an answer: no query is made then
    if parent is not None and parent.author_id not in done and _follows(parent.author_id, topic):
        notify(parent.author, "reply", event)
        done.add(parent.author_id)
    for user in _subscribers(topic, done):
        notify(user, "subscription", event)


def _on_accepted(event: Event) -> None:
    topic, post = event.topic, event.post
    if topic is None:
        return
    done: set[int] = {event.actor_id} if event.actor_id else set()
    if post is not None and post.author_id not in done and _follows(post.author_id, topic):
        notify(post.author, "accepted", event)
        done.add(post.author_id)
    if topic.author_id not in done and _follows(topic.author_id, topic):
        notify(topic.author, "accepted", event)
        done.add(topic.author_id)
    for user in _subscribers(topic, done):
        notify(user, "accepted", event)


def _on_escalated(event: Event) -> None:
    topic = event.topic
    if topic is None or topic.is_deleted:
        return
    notify(topic.author, "escalated", event)
    if topic.space.support_email:
        context = {"topic": topic, "reason": event.data.get("reason"), "site_url": settings.SITE_URL}
        message = EmailMultiAlternatives(
            subject=render_to_string("notifications/escalation_subject.txt", context).strip(),
            body=render_to_string("notifications/escalation.txt", context),
            to=[topic.space.support_email],
        )
        message.send(fail_silently=False)
    if settings.HELPDESK_WEBHOOK_URL:
        queue_webhook(event, settings.HELPDESK_WEBHOOK_URL, escalation_payload(event, topic))


def _on_flag_resolved(event: Event) -> None:
    """Flaggers hear what became of their flag."""
    data = event.data or {}
    verb = "flag_upheld" if data.get("outcome") == "upheld" else "flag_dismissed"
    for user in get_user_model().objects.filter(pk__in=data.get("flaggers", []), is_active=True):
        notify(user, verb, event)


def _on_member_measure(event: Event) -> None:
    """A sanctioned member, or one whose appeal was decided, is told (the reason is on their standing page)."""
    member_id = (event.data or {}).get("member")
    member = get_user_model().objects.filter(pk=member_id, is_active=True).first() if member_id else None
    if member is not None:
        verb = {"member.sanctioned": "sanction", "member.messaged": "moderator_message"}.get(event.verb,
                                                                                           "appeal_decided")
        notify(member, verb, event)


def _on_guidelines(event: Event) -> None:
    """Members who follow the guidelines hear of a new version."""
    for user in get_user_model().objects.filter(pk__in=(event.data or {}).get("followers", []), is_active=True):
        notify(user, "guidelines", event)


_HANDLERS = {
    "guidelines.published": _on_guidelines,
    "member.sanctioned": _on_member_measure,
    "sanction.appeal_decided": _on_member_measure,
    "member.messaged": _on_member_measure,
    "flag.resolved": _on_flag_resolved,
    "topic.created": _on_topic_created,
    "post.created": _on_post_created,
    # A post held for review and then approved: told now, as if just posted.
    "topic.published": _on_topic_created,
    "post.published": _on_post_created,
    "question.accepted": _on_accepted,
    "question.escalated": _on_escalated,
}


# Webhooks -------------------------------------------------------------------------------------


def escalation_payload(event: Event, topic: Topic) -> dict[str, Any]:
    return {
        "event": event.verb,
        "id": event.pk,
        "at": event.created_at.isoformat(),
        "reason": event.data.get("reason"),
        "question": {
            "id": topic.pk,
            "title": topic.title,
            "body": topic.body,
            "url": settings.SITE_URL + topic.get_absolute_url(),
            "space": topic.space.slug,
            "asker": {"username": topic.author.username, "email": topic.author.email},
            "created_at": topic.created_at.isoformat(),
            "answer_count": topic.answer_count,
        },
    }


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def queue_webhook(event: Event, url: str, payload: dict[str, Any]) -> WebhookDelivery:
    delivery, created = WebhookDelivery.objects.get_or_create(
        event=event, url=url, defaults={"payload": payload, "next_attempt_at": timezone.now()}
    )
    if created:
        if settings.HUEY_IMMEDIATE:
            deliver_webhook(delivery.pk)
        else:
            from townhall.notifications.tasks import deliver_webhook_task

            transaction.on_commit(lambda: deliver_webhook_task(delivery.pk), robust=True)
    return delivery


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at 6 hours."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def deliver_webhook(delivery_id: int) -> WebhookDelivery | None:
    """POST one delivery, signed with HMAC-SHA256 of the body; on failure, schedule the next try."""
    now = timezone.now()
    # Take the delivery atomically (a lease): the task, the minute job and an admin's "Retry now"
    # may reach for it at once, and the helpdesk must get one POST, not one per taker.
    claimed = WebhookDelivery.objects.filter(pk=delivery_id).filter(
        Q(status__in=["pending", "failed"]) | Q(status="sending", next_attempt_at__lte=now)
    ).update(status="sending", next_attempt_at=now + timedelta(seconds=WEBHOOK_TIMEOUT * 3))
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or not claimed:
        return delivery
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    request = urllib.request.Request(
        delivery.url, data=body, method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Townhall-Webhook/1",
            "X-Townhall-Event": delivery.payload.get("event", ""),
            "X-Townhall-Delivery": str(delivery.pk),
            "X-Townhall-Signature": sign(body, settings.HELPDESK_WEBHOOK_SECRET),
        },
    )
    delivery.attempts += 1
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
            delivery.last_status_code = response.status
        delivery.status = "delivered"
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
        delivery.next_attempt_at = None
    except urllib.error.HTTPError as exc:
        delivery.last_status_code = exc.code
        delivery.last_error = f"HTTP {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        delivery.last_status_code = None
        delivery.last_error = str(getattr(exc, "reason", exc))[:1000]
    if delivery.status != "delivered":
        if delivery.attempts >= WEBHOOK_MAX_ATTEMPTS:
            delivery.status = "gave_up"
            delivery.next_attempt_at = None
        else:
            delivery.status = "failed"
            delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
    delivery.save()
    return delivery


def retry_due_webhooks(now: Any = None) -> int:
    """Retry every failing delivery whose time has come (the scheduled job)."""
    now = now or timezone.now()
    # "sending" past its lease means a worker died mid-delivery: try again.
    due = WebhookDelivery.objects.filter(status__in=["pending", "failed", "sending"], next_attempt_at__lte=now)
    count = 0
    for delivery_id in due.values_list("id", flat=True)[:200]:
        deliver_webhook(delivery_id)
        count += 1
    return count


def retry_webhook_now(actor: Any, delivery_id: int) -> WebhookDelivery:
    """An admin's "Retry now": one attempt at once, even for a delivery that gave up retrying."""
    if not access.is_admin(actor):
        raise NotAllowed("Only admins may retry webhook deliveries.")
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound("No such webhook delivery.")
    if delivery.status == "delivered":
        raise Conflict("That delivery already succeeded.")
    if delivery.status == "gave_up":
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed")
    return deliver_webhook(delivery.pk) or delivery
