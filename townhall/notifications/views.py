"""The member's notifications, one-click unsubscribe from emails, and the admins' webhook deliveries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from townhall.content import services as content
from townhall.core import access
from townhall.core.errors import ServiceError
from townhall.core.pagination import InvalidCursor, keyset_page
from townhall.notifications import services
from townhall.notifications.models import WebhookDelivery

PAGE_SIZE = 30


def _problem(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(request, "notifications/problem.html", {"title": title, "message": message}, status=status)


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = services.visible_notifications(request.user).select_related("post")
    try:
        page = keyset_page(qs, ["-created_at", "-id"], request.GET.get("cursor") or None, PAGE_SIZE)
    except InvalidCursor as exc:
        return _problem(request, "This page link is broken", f"{exc} Start again from your newest notifications.",
                        status=400)
    return render(request, "notifications/list.html", {
        "notifications": page.items,
        "next_cursor": page.next_cursor,
        "is_first_page": not request.GET.get("cursor"),
    })


@login_required
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification: mark it read, then go to the post (or topic) it is about."""
    notification = get_object_or_404(services.visible_notifications(request.user), pk=notification_id)
    services.mark_read(request.user, [notification.pk])
    if notification.post_id and notification.topic_id:
        # Built from ids: no need to load the post just for its anchor.
        return redirect(notification.topic.get_absolute_url() + f"#post-{notification.post_id}")
    if notification.topic_id:
        return redirect(notification.topic.get_absolute_url())
    if notification.verb in {"sanction", "appeal_decided", "moderator_message"}:
        return redirect("my_standing")
    if notification.verb == "guidelines":
        return redirect("guidelines_changes")
    return redirect("notifications")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(request.user)
    if count:
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    else:
        messages.info(request, "You had no unread notifications.")
    return redirect("notifications")


@csrf_exempt  # The signed token in the URL is the credential; mail clients POST without a session (RFC 8058).
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        member, topic_id = services.read_unsubscribe_token(token)
    except ServiceError:
        return _problem(
            request, "This unsubscribe link is not valid",
            "The link may have been cut short or changed. Use the link from the email as it is, "
            "or sign in and change your email settings.",
            status=400,
        )
    topic = None
    if topic_id:
        try:
            # Name the topic only if its member may still see it.
            topic = content.get_topic_for(member, topic_id)
        except ServiceError:
            topic = None
    context = {"token": token, "scope": "topic" if topic_id else "all", "topic": topic, "member": member}
    if request.method == "GET":
        return render(request, "notifications/unsubscribe.html", context)
    # A person's button and a mail client's one-click POST ("List-Unsubscribe=One-Click") do the same.
    try:
        context["scope"] = services.unsubscribe_by_token(token)
    except ServiceError as exc:
        return _problem(request, "This unsubscribe link is not valid", exc.message, status=400)
    return render(request, "notifications/unsubscribed.html", context)


@login_required
@require_safe
def webhook_deliveries(request: HttpRequest) -> HttpResponse:
    if not access.is_admin(request.user):
        return _problem(request, "Admins only", "Only the community's admins see webhook deliveries.", status=403)
    failing_first = Case(
        When(status="failed", then=Value(0)), When(status="gave_up", then=Value(1)),
        When(status="pending", then=Value(2)), default=Value(3), output_field=IntegerField(),
    )
    deliveries = list(
        WebhookDelivery.objects.select_related("event")
        .annotate(failing_first=failing_first)
        .order_by("failing_first", "-created_at", "-id")[:200]
    )
    return render(request, "notifications/webhooks.html", {"deliveries": deliveries})


@login_required
@require_POST
def retry_webhook(request: HttpRequest, delivery_id: int) -> HttpResponse:
    if not access.is_admin(request.user):
        return _problem(request, "Admins only", "Only the community's admins may retry webhook deliveries.",
                        status=403)
    try:
        delivery = services.retry_webhook_now(request.user, delivery_id)
    except ServiceError as exc:
        if exc.status == 404:
            return _problem(request, "No such delivery", exc.message, status=404)
        messages.error(request, exc.message)
        return redirect("webhook_deliveries")
    if delivery.status == "delivered":
        messages.success(request, f"Delivered to {delivery.url} (HTTP {delivery.last_status_code}).")
    elif delivery.status == "gave_up":
        messages.error(request, f"Still failing: {delivery.last_error or 'no answer'}. No more automatic retries.")
    else:
        messages.error(request, f"Still failing: {delivery.last_error or 'no answer'}. "
                                "It will be retried automatically.")
    return redirect("webhook_deliveries")
