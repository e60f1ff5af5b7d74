"""Moderation: the audit log (flags, the review queue and actions come with the rest of issue 4)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from townhall.api.auth import MEMBER
from townhall.api.schemas import AuditPage, AuditQuery, ErrorOut
from townhall.core.pagination import keyset_page
from townhall.moderation import services

router = Router(tags=["moderation"])


@router.get("/moderation/audit", auth=MEMBER,
            response={200: AuditPage, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut}, summary="The audit log")
def audit_log(request: HttpRequest, query: Query[AuditQuery]) -> dict[str, Any]:
    """Every moderator and admin action, newest first (moderators and admins only)."""
    entries = services.audit_log(request.user, actor=query.actor, action=query.action, target_type=query.target,
                                 target_id=query.target_id, since=query.since, until=query.until, q=query.q)
    page = keyset_page(entries, ["-created_at", "-id"], query.cursor, query.limit)
    return {"results": [{
        "id": e.pk, "at": e.created_at, "actor": e.actor_name or None, "action": e.action,
        "target_type": e.target_type, "target_id": e.target_id, "target": e.target_label, "space": e.space_id,
        "reason": e.reason, "before": e.before, "after": e.after,
    } for e in page.items], "next": page.next_cursor}
