"""What the server-rendered pages share: turning service errors into responses and form errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

from townhall.core.errors import NotAllowed, NotFound, RateLimited, ServiceError

if TYPE_CHECKING:
    from townhall.accounts.models import User

T = TypeVar("T")


class HtmxHttpRequest(HttpRequest):
    """The request as django-htmx's middleware leaves it (the typing its documentation recommends)."""

    htmx: HtmxDetails


def member_of(request: HttpRequest) -> User:
    """The signed-in member, for pages behind @login_required (which never see an anonymous visitor)."""
    if not request.user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    return cast("User", request.user)


def raise_for_access(error: ServiceError) -> None:
    """Private things do not exist (404); forbidden actions are refused (403)."""
    if isinstance(error, NotFound):
        raise Http404(error.message)
    if isinstance(error, NotAllowed):
        raise PermissionDenied(error.message)


def fetch_visible(getter: Callable[..., T], user: Any, key: Any) -> T:
    """What a `get_…_for(user, key)` service returns; 404 when it is missing or not visible to `user`."""
    try:
        return getter(user, key)
    except ServiceError as exc:
        raise_for_access(exc)
        raise


def form_status(error: ServiceError) -> int:
    """The status of a form page re-rendered with this error: 429 when rate limited, else 400."""
    return 429 if isinstance(error, RateLimited) else 400


def with_retry_after(response: HttpResponse, error: ServiceError) -> HttpResponse:
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


def add_service_errors(form: forms.Form, error: ServiceError) -> None:
    """Show a service's errors next to the fields they name; the rest above the form."""
    if not error.errors:
        form.add_error(None, error.message)
        return
    for field, reasons in error.errors.items():
        form.add_error(field if field in form.fields else None, list(reasons))


def bad_request(request: HttpRequest, message: str, field: str | None = None) -> HttpResponse:
    """A page for bad input in the address (an unknown tab, a cursor we did not give out)."""
    return render(request, "core/bad_request.html", {"message": message, "field": field}, status=400)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go back to after a form: ?next= / POST next when it is on this site, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and target.isprintable() and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return target
    return fallback


def post_value(request: HttpRequest, name: str, default: int = 1) -> Any:
    """A 0/1 toggle from a form ("value"): anything else counts as the default."""
    raw = request.POST.get(name, str(default))
    return 0 if raw == "0" else 1


def query_with(request: HttpRequest, **changes: str | None) -> str:
    """This page's query string with `changes` (None removes a parameter), as {% querystring %} makes
    it: for fragments rendered without the request (core.fragments)."""
    query = request.GET.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    if not query and not request.GET:
        return ""
    return f"?{query.urlencode()}"
