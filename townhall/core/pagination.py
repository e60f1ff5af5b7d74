"""Keyset pagination: page 1,000 costs what page 1 costs.

A cursor is the opaque, URL-safe encoding of the last row's ordering values.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet


class InvalidCursor(ValueError):
    pass


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, dt.datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, fields: list[str]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise InvalidCursor("The cursor is not one this server gave out.") from exc
    if not isinstance(values, list) or len(values) != len(fields):
        raise InvalidCursor("The cursor is not one this server gave out.")
    return values


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


def _field_value(obj: Any, field: str) -> Any:
    return getattr(obj, field.lstrip("-"))


def _coerce(value: Any, sample_field: str, model: Any) -> Any:
    field = model._meta.get_field(sample_field.lstrip("-"))
    if field.get_internal_type() == "DateTimeField":
        try:
            return dt.datetime.fromisoformat(value)
        except (TypeError, ValueError) as exc:
            raise InvalidCursor("The cursor is not one this server gave out.") from exc
    if field.get_internal_type() in {"FloatField"}:
        if not isinstance(value, (int, float)) or isinstance(value, bool) or abs(value) > 1e300:
            raise InvalidCursor("The cursor is not one this server gave out.")
        return value
    if not isinstance(value, int) or isinstance(value, bool) or not -(2**63) <= value < 2**63:
        raise InvalidCursor("The cursor is not one this server gave out.")
    return value


def keyset_page(qs: QuerySet, ordering: list[str], cursor: str | None, limit: int) -> Page:
    """Rows of `qs` after `cursor` in `ordering` (the last field must be unique, e.g. "-id")."""
    qs = qs.order_by(*ordering)
    if cursor:
        values = [_coerce(v, f, qs.model) for v, f in zip(_decode(cursor, ordering), ordering, strict=True)]
        condition = Q()
        # (a, b, c) after (x, y, z): a>x OR (a=x AND b>y) OR (a=x AND b=y AND c>z), per direction;
        # plus a>=x on its own, the bound an index can start from (PostgreSQL does not derive it from the OR).
        for i, field in enumerate(ordering):
            name = field.lstrip("-")
            op = "lt" if field.startswith("-") else "gt"
            clause = Q(**{f"{name}__{op}": values[i]})
            for prev_field, prev_value in zip(ordering[:i], values[:i], strict=True):
                clause &= Q(**{prev_field.lstrip("-"): prev_value})
            condition |= clause
        first = ordering[0]
        bound = Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": values[0]})
        qs = qs.filter(bound, condition)
    items = list(qs[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = _encode([_field_value(items[-1], f) for f in ordering])
    return Page(items=items, next_cursor=next_cursor)


def offset_cursor(offset: int) -> str:
    return _encode([offset])


def decode_offset_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    (value,) = _decode(cursor, ["offset"])
    if not isinstance(value, int) or value < 0 or value > 10_000:
        raise InvalidCursor("The cursor is not one this server gave out.")
    return value
