"""Moderation pages: flagging, the moderators' review queue, and the audit log with its CSV export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from townhall.core.errors import InvalidInput, ServiceError
from townhall.core.pages import bad_request, form_status, query_with, raise_for_access
from townhall.core.pagination import InvalidCursor, keyset_page
from townhall.moderation import services
from townhall.moderation.models import AuditEntry, Flag

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
    return render(request, "moderation/queue.html", {"items": services.review_queue(request.user),
                                                     "actions": services.REVIEW_ACTIONS})


@login_required
@require_POST
def review_item(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    if not services.can_read_audit(request.user):
        raise PermissionDenied("Only moderators review flags.")
    if kind not in {"topic", "post"}:
        raise Http404("Nothing to review here.")
    item = _flag_target(request, kind, key)
    try:
        result = services.review(request.user, request.POST.get("action"), reason=request.POST.get("reason", ""),
                                 **{kind: item})
    except ServiceError as exc:
        raise_for_access(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Done: {result['outcome']}; {result['flags_closed']} flag(s) closed and the "
                                  "flaggers told.")
    return redirect("review_queue")
