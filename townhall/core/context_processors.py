from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.backends.utils import csrf_input
from django.utils.functional import SimpleLazyObject


def townhall(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        # Only what the member may still see: a badge must not hint at private activity.
        from townhall.notifications.services import visible_notifications

        unread = visible_notifications(user).filter(read_at__isnull=True).count()
    return {
        "SITE_NAME": settings.SITE_NAME,
        "unread_notifications": unread,
        # The hidden CSRF field, built once per page: what {% csrf_token %} outputs, for pages with a
        # form per answer and comment (it is evaluated only if a template uses it).
        "csrf_input": SimpleLazyObject(lambda: csrf_input(request)),
    }
