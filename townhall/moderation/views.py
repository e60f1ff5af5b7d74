"""Moderation pages: flagging, the moderators' review queue, and the audit log with its CSV export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from townhall.core.errors import InvalidInput, ServiceError
from townhall.core.pages import bad_request, form_status, member_of, query_with, raise_for_access
from townhall.core.pagination import InvalidCursor, keyset_page
from townhall.moderation import services
from townhall.moderation.models import AuditEntry, Flag, ModeratorMessage, Sanction, SpamSweep

PAGE_SIZE = 50
FILTERS = ("actor", "action", "target", "target_id", "since", "until", "q")


def _filtered(request: HttpRequest) -> QuerySet[AuditEntry]:
    if not services.can_read_audit(request.user):
        raise PermissionDenied("Only moderators and admins read the audit log.")
    get = request.GET
    return services.audit_log(request.user, actor=get.get("actor"), action=get.get("action"),
                              target_type=get.get("target"), target_id=get.get("target_id"),
                              since=get.get("since"), until=get.get("until"), q=get.get("q"))


@login_required
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    try:
        entries = _filtered(request)
        page = keyset_page(entries, ["-created_at", "-id"], request.GET.get("cursor") or None, PAGE_SIZE)
    except InvalidInput as exc:
        return bad_request(request, exc.message, field=next(iter(exc.errors), None))
    except InvalidCursor as exc:
        return bad_request(request, str(exc), field="cursor")
    return render(request, "moderation/audit.html", {
        "entries": page.items,
        "next_url": query_with(request, cursor=page.next_cursor) if page.next_cursor else None,
        "csv_url": query_with(request, cursor=None),
        "actions": services.ACTIONS,
        "targets": services.TARGET_TYPES,
        "filters": {name: request.GET.get(name, "") for name in FILTERS},
        "filtered": any(request.GET.get(name) for name in FILTERS),
    })


@login_required
@require_safe
def audit_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Every entry the filters select (not just a page), oldest first, streamed."""
    try:
        entries = _filtered(request).order_by("created_at", "id")
    except InvalidInput as exc:
        return bad_request(request, exc.message, field=next(iter(exc.errors), None))
    response = StreamingHttpResponse(services.csv_lines(entries.iterator(chunk_size=2000)),
                                     content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="townhall-audit-{stamp}.csv"'
    return response


# Flags and the review queue ---------------------------------------------------------------------

FLAG_KINDS = ("topic", "post", "member")


def _flag_target(request: HttpRequest, kind: str, key: str) -> Any:
    from django.contrib.auth import get_user_model

    from townhall.content.views import post_for, topic_for

    if kind == "topic":
        return topic_for(request, key)
    if kind == "post":
        return post_for(request, key)
    if kind == "member":
        if "\x00" in key:  # PostgreSQL refuses NUL in text: no such member
            raise Http404("No such member.")
        return get_object_or_404(get_user_model(), username=key, is_active=True)
    raise Http404("Nothing to flag here.")


def _back_url(kind: str, item: Any) -> str:
    return item.get_absolute_url()


@login_required
@require_http_methods(["GET", "POST"])
def flag_item(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    item = _flag_target(request, kind, key)
    context: dict[str, Any] = {"kind": kind, "item": item, "reasons": Flag.REASONS, "back": _back_url(kind, item),
                               "chosen": request.POST.get("reason", ""), "note": request.POST.get("note", ""),
                               "errors": {}}
    if request.method == "POST":
        try:
            services.flag(request.user, reason=request.POST.get("reason"), note=request.POST.get("note", ""),
                          **{kind: item})
        except ServiceError as exc:
            raise_for_access(exc)
            context["errors"] = exc.errors or {"reason": [exc.message]}
            return render(request, "moderation/flag.html", context, status=form_status(exc))
        messages.success(request, "Thank you: moderators will review it, and you will hear what they decide.")
        return redirect(context["back"])
    return render(request, "moderation/flag.html", context)


@login_required
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    if not services.can_read_audit(request.user):
        raise PermissionDenied("Only moderators review flags.")
    from townhall.core import access

    return render(request, "moderation/queue.html", {"items": services.review_queue(request.user),
                                                     "appeals": services.open_appeals(request.user),
                                                     "spaces": access.visible_spaces(request.user).order_by("name")})


@login_required
@require_POST
def review_item(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    if not services.can_read_audit(request.user):
        raise PermissionDenied("Only moderators review flags.")
    if kind not in {"topic", "post", "member"}:
        raise Http404("Nothing to review here.")
    item = _flag_target(request, kind, key)
    post = request.POST
    try:
        result = services.review(request.user, post.get("action"), reason=post.get("reason", ""),
                                 into=post.get("into_space") if post.get("action") == "move" else post.get("into"),
                                 title=post.get("title"), body=post.get("body"), message=post.get("message"),
                                 **{kind: item})
    except ServiceError as exc:
        raise_for_access(exc)
        field = next(iter(exc.errors), None)
        messages.error(request, f"{exc.message} ({field})" if field and field not in exc.message else exc.message)
    else:
        closed = result["flags_closed"]
        messages.success(request, f"Done: {result['outcome']}" + (f"; {closed} flag(s) closed and the flaggers told."
                                                                  if closed else "."))
    return redirect(post["next"] if post.get("next", "").startswith("/t/") else "review_queue")


# Sanctions and appeals ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sanction_member(request: HttpRequest, username: str) -> HttpResponse:
    """A moderator's measure against a member, from their profile."""
    from django.contrib.auth import get_user_model

    if not services.can_read_audit(request.user):
        raise PermissionDenied("Only moderators sanction members.")
    if "\x00" in username:
        raise Http404("No such member.")
    member = get_object_or_404(get_user_model(), username=username, is_active=True)
    context: dict[str, Any] = {"member": member, "kinds": Sanction.KINDS, "errors": {}, "values": request.POST,
                               "history": Sanction.objects.filter(member=member).select_related("issued_by"),
                               "sweeps": SpamSweep.objects.filter(member=member)}
    if request.method == "POST":
        try:
            services.sanction(request.user, member, request.POST.get("kind"), reason=request.POST.get("reason"),
                              days=request.POST.get("days"))
        except ServiceError as exc:
            raise_for_access(exc)
            context["errors"] = exc.errors or {"kind": [exc.message]}
            return render(request, "moderation/sanction.html", context, status=form_status(exc))
        messages.success(request, f"{member.name} is told, and it is in the audit log.")
        return redirect(member)
    return render(request, "moderation/sanction.html", context)


def _messages_for(member: Any) -> list[ModeratorMessage]:
    """The moderators' messages to a member; the topic each is about is named only while they may see it."""
    from townhall.core import access

    found = list(ModeratorMessage.objects.filter(member=member).select_related("moderator", "topic__space")[:50])
    for message in found:
        if message.topic is not None and not access.can_view_topic(member, message.topic):
            message.topic = None
    return found


@login_required
@require_http_methods(["GET", "POST"])
def my_standing(request: HttpRequest) -> HttpResponse:
    """A member's measures: why, until when, and the one appeal each allows."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.appeal(request.user, request.POST.get("sanction"), request.POST.get("appeal"))
        except ServiceError as exc:
            raise_for_access(exc)
            errors = exc.errors or {"appeal": [exc.message]}
        else:
            messages.success(request, "Your appeal is sent: a different moderator will decide it.")
            return redirect("my_standing")
    member = member_of(request)
    sanctions = Sanction.objects.filter(member=member)
    active = services.active_sanction(member)
    return render(request, "moderation/standing.html", {
        "sanctions": sanctions, "active": active, "active_text": services.describe(active) if active else "",
        "moderator_messages": _messages_for(member),
        "errors": errors, "appeal_for": request.POST.get("sanction", ""),
    }, status=400 if errors else 200)


@login_required
@require_POST
def decide_appeal(request: HttpRequest, sanction_id: int) -> HttpResponse:
    try:
        services.decide_appeal(request.user, sanction_id, request.POST.get("decision"), request.POST.get("note", ""))
    except ServiceError as exc:
        raise_for_access(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, "Decided: the member is told, and it is in the audit log.")
    return redirect("review_queue")


# Guidelines ------------------------------------------------------------------------------------------


def _guidelines_space(request: HttpRequest) -> Any:
    from townhall.spaces.services import get_space_for

    slug = request.GET.get("space") or request.POST.get("space")
    if not slug:
        return None
    if "\x00" in slug:  # PostgreSQL cannot compare text holding a NUL: no such space
        raise Http404("No such space.")
    try:
        return get_space_for(request.user, slug)
    except ServiceError as exc:
        raise_for_access(exc)
        raise


@require_safe
def guidelines(request: HttpRequest) -> HttpResponse:
    space = _guidelines_space(request)
    return render(request, "moderation/guidelines.html", {
        "space": space, "current": services.current_guidelines(space),
        "following": services.follows_guidelines(request.user, space),
        "may_edit": services.can_read_audit(request.user),
    })


@require_safe
def guidelines_changes(request: HttpRequest) -> HttpResponse:
    """The public changelog: every version, its reason, its author, and what it changed."""
    space = _guidelines_space(request)
    versions = list(services.guidelines_history(space)[:100])
    changes = [{"version": v, "diff": services.guidelines_diff(versions[i + 1] if i + 1 < len(versions) else None, v)}
               for i, v in enumerate(versions)]
    return render(request, "moderation/guidelines_changes.html", {"space": space, "changes": changes})


@login_required
@require_http_methods(["GET", "POST"])
def edit_guidelines(request: HttpRequest) -> HttpResponse:
    if not services.can_read_audit(request.user):
        raise PermissionDenied("Only moderators change the guidelines.")
    space = _guidelines_space(request)
    current = services.current_guidelines(space) if space is None else \
        services.guidelines_history(space).first()
    context: dict[str, Any] = {"space": space, "errors": {},
                               "body": request.POST.get("body", current.body if current else ""),
                               "reason": request.POST.get("reason", "")}
    if request.method == "POST":
        try:
            services.publish_guidelines(request.user, body=request.POST.get("body"),
                                        reason=request.POST.get("reason"), space=space)
        except ServiceError as exc:
            raise_for_access(exc)
            context["errors"] = exc.errors or {"body": [exc.message]}
            return render(request, "moderation/guidelines_edit.html", context, status=form_status(exc))
        messages.success(request, "The new version is published, with its reason; followers are told.")
        return redirect(reverse("guidelines") + (f"?space={space.slug}" if space else ""))
    return render(request, "moderation/guidelines_edit.html", context)


@login_required
@require_POST
def follow_guidelines(request: HttpRequest) -> HttpResponse:
    space = _guidelines_space(request)
    follow = request.POST.get("value", "1") != "0"
    services.follow_guidelines(member_of(request), space=space, follow=follow)
    messages.success(request, "You will hear when they change." if follow else "You no longer follow them.")
    return redirect(reverse("guidelines") + (f"?space={space.slug}" if space else ""))


@login_required
@require_POST
def remove_as_spam(request: HttpRequest, username: str) -> HttpResponse:
    from django.contrib.auth import get_user_model

    if "\x00" in username:
        raise Http404("No such member.")
    member = get_object_or_404(get_user_model(), username=username)
    try:
        sweep = services.remove_as_spam(request.user, member, reason=request.POST.get("reason"))
    except ServiceError as exc:
        raise_for_access(exc)
        messages.error(request, exc.message)
        return redirect("sanction_member", username=username)
    messages.success(request, f"Removed {len(sweep.topic_ids)} topic(s) and {len(sweep.post_ids)} post(s), and "
                              "banned the account. Undo it below if it was a mistake.")
    return redirect("sanction_member", username=username)


@login_required
@require_POST
def undo_spam(request: HttpRequest, sweep_id: int) -> HttpResponse:
    try:
        sweep = services.undo_spam(request.user, sweep_id)
    except ServiceError as exc:
        raise_for_access(exc)
        messages.error(request, exc.message)
        return redirect("review_queue")
    messages.success(request, "Put back, and the ban lifted.")
    return redirect("sanction_member", username=sweep.member.username)
