from typing import Any

from django.conf import settings
from django.http import HttpRequest


def townhall(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        # One cheap indexed count; the badge in the header.
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {"SITE_NAME": settings.SITE_NAME, "unread_notifications": unread}
