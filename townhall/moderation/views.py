"""Moderators' pages: the audit log, with filters and a CSV export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from townhall.core.errors import InvalidInput
from townhall.core.pages import bad_request, query_with
from townhall.core.pagination import InvalidCursor, keyset_page
from townhall.moderation import services
from townhall.moderation.models import AuditEntry

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
