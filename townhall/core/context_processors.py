from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.backends.utils import csrf_input
from django.utils.functional import SimpleLazyObject


def townhall(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)

    def unread() -> int:
        if user is None or not user.is_authenticated:
            return 0
        # Only what the member may still see: a badge must not hint at private activity.
        from townhall.core.fragments import generation_of
        from townhall.notifications.services import unread_count

        return unread_count(user, generation_of(request))

    return {
        "SITE_NAME": settings.SITE_NAME,
        # Counted only if the template shows it (whole pages do; htmx fragments do not).
        "unread_notifications": SimpleLazyObject(unread),
        # The hidden CSRF field, built once per page: what {% csrf_token %} outputs, for pages with a
        # form per answer and comment (it is evaluated only if a template uses it).
        "csrf_input": SimpleLazyObject(lambda: csrf_input(request)),
    }
