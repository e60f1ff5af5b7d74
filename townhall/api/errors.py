"""One error format for the whole API: {"detail": "a sentence", "errors": {"field": ["reason"]}}.

Service errors, validation errors, authentication, oversized bodies and bad cursors all end up
here, so a client never has to parse two shapes (and never sees a 500 for bad input).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from townhall.core.errors import RateLimited, ServiceError
from townhall.core.pagination import InvalidCursor

if TYPE_CHECKING:
    from ninja import NinjaAPI

# Where ninja names the argument that holds a whole JSON body; every body argument is called this.
BODY_ARGUMENT = "payload"

_FRIENDLY = {
    "missing": "This field is required.",
    "extra_forbidden": "Unknown field.",
    "int_type": "Must be a whole number.",
    "int_parsing": "Must be a whole number.",
    "int_from_float": "Must be a whole number.",
    "string_type": "Must be a string.",
    "bool_type": "Must be true or false.",
    "bool_parsing": "Must be true or false.",
    "list_type": "Must be a list.",
    "model_type": "Must be a JSON object.",
    "model_attributes_type": "Must be a JSON object.",
    "dict_type": "Must be a JSON object.",
}


class ApiError(Exception):
    """An error raised by the API layer itself (authentication, CSRF), in the common format."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or {}
        self.headers = headers or {}


def error_body(detail: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or {}}


def _field_of(loc: tuple[Any, ...]) -> str:
    """The client's name for the field an error is about: ("body", "payload", "tags", 2) → "tags"."""
    parts = list(loc)
    source = parts.pop(0) if parts else "body"
    if source == "body" and parts and parts[0] == BODY_ARGUMENT:
        parts.pop(0)
    names = [str(p) for p in parts if isinstance(p, str)]
    return names[0] if names else "body"


def _reason(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind in _FRIENDLY:
        return _FRIENDLY[kind]
    ctx = error.get("ctx") or {}
    if kind == "literal_error":
        return f"Use one of {ctx.get('expected', '')}."
    if kind == "less_than_equal":
        return f"At most {ctx.get('le')}."
    if kind == "greater_than_equal":
        return f"At least {ctx.get('ge')}."
    if kind == "string_too_long":
        return f"At most {ctx.get('max_length')} characters."
    if kind == "too_long":
        return f"At most {ctx.get('max_length')} items."
    message = str(error.get("msg", "Invalid value."))
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return message if message.endswith(".") else message + "."


def validation_errors(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        field = _field_of(tuple(error.get("loc", ())))
        reason = _reason(error)
        if field == "body" and error.get("type") in {"missing", "model_attributes_type", "model_type",
                                                     "dict_type"}:
            reason = "Send a JSON object as the request body."
        errors.setdefault(field, [])
        if reason not in errors[field]:
            errors[field].append(reason)
    return errors


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every failure into the common error format."""

    def respond(request: HttpRequest, status: int, detail: str, errors: dict[str, list[str]] | None = None,
                headers: dict[str, str] | None = None) -> HttpResponse:
        response = api.create_response(request, error_body(detail, errors), status=status)
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    def on_service_error(request: HttpRequest, exc: Any) -> HttpResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return respond(request, exc.status, exc.message, exc.errors, headers)

    def on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, exc.status, exc.message, exc.errors, exc.headers)

    def on_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = validation_errors(exc)
        names = ", ".join(sorted(errors))
        return respond(request, 400, f"Some of what you sent is not valid: {names}.", errors)

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc, AuthenticationError):
            return respond(
                request, 401,
                "Sign in first: send “Authorization: Bearer <token>” or use a signed-in browser session.",
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            )
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return respond(request, 400, "The request body is not valid JSON.",
                           {"body": ["Send a JSON object, encoded as UTF-8."]})
        return respond(request, exc.status_code, str(exc))

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 404, "Not found.")

    def on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 413, "The request is too large.", {"body": ["The request body is too large."]})

    def on_bad_cursor(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 400, str(exc) or "The cursor is not valid.", {"cursor": [str(exc)]})

    def on_data_error(request: HttpRequest, exc: Any) -> HttpResponse:
        # A last line of defence: a value the database cannot store is bad input, not a crash.
        return respond(request, 400, "A value you sent cannot be stored (too long, or out of range).")

    api.add_exception_handler(ServiceError, on_service_error)
    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(TooManyFieldsSent, on_too_big)
    api.add_exception_handler(InvalidCursor, on_bad_cursor)
    api.add_exception_handler(DataError, on_data_error)
