"""/api/v1/…: the ninja API, with JSON answers for a wrong method and for any other path."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.urls import path, re_path

from townhall.api.api import api
from townhall.api.errors import error_body


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse(error_body("Not found: no such endpoint, or no such item."), status=404)


def _json_method_not_allowed(view: Callable[..., Any]) -> Callable[..., Any]:
    """ninja answers a wrong method with plain text; clients get the common error format instead."""

    @functools.wraps(view)  # keeps csrf_exempt: cookie auth does its own CSRF check
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            replacement = JsonResponse(error_body(f"{request.method} is not allowed here; use {allowed}."),
                                       status=405)
            replacement["Allow"] = allowed
            return replacement
        return response

    return wrapped


# (Not named app_name: include() would read a module-level app_name as this module's namespace.)
_patterns, _app, _namespace = api.urls
for _pattern in _patterns:
    if _pattern.callback is not None:
        _pattern.callback = _json_method_not_allowed(_pattern.callback)

urlpatterns = [
    path("", (_patterns, _app, _namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
