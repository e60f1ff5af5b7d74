"""The caller's notifications, and marking them read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from townhall.api.auth import MEMBER
from townhall.api.present import notification_data
from townhall.api.schemas import ErrorOut, MarkReadIn, MarkReadOut, NotificationPage, NotificationsQuery
from townhall.core.pagination import keyset_page
from townhall.notifications import services

router = Router(tags=["notifications"])


@router.get("/notifications", auth=MEMBER, response={200: NotificationPage, 400: ErrorOut, 401: ErrorOut},
            summary="Your notifications")
def list_notifications(request: HttpRequest, query: Query[NotificationsQuery]) -> dict[str, Any]:
    """Newest first; never about a topic you can no longer see. `?unread=1` for unread ones only."""
    qs = services.visible_notifications(request.user)
    if query.unread:
        qs = qs.filter(read_at__isnull=True)
    page = keyset_page(qs, ["-created_at", "-id"], query.cursor, query.limit)
    return {"results": [notification_data(n) for n in page.items], "next": page.next_cursor}


@router.post("/notifications/read", auth=MEMBER, response={200: MarkReadOut, 400: ErrorOut, 401: ErrorOut},
             summary="Mark notifications read")
def mark_read(request: HttpRequest, payload: MarkReadIn | None = None) -> dict[str, int]:
    """The notifications with these `ids`, or all of them when `ids` is left out (or no body is sent)."""
    ids = payload.ids if payload is not None else None
    return {"marked": services.mark_read(request.user, ids)}
