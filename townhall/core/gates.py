"""Checks every write of members' content passes, registered by the apps that decide them (a
sanctioned member may not post: moderation registers that check). Content calls one function and
does not know who decides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_posting_checks: list[Callable[[Any], None]] = []
_content_checks: list[Callable[[Any, str], None]] = []


def register_posting_check(check: Callable[[Any], None]) -> None:
    """`check(user)` raises a core.errors.ServiceError when this member may not post now."""
    if check not in _posting_checks:
        _posting_checks.append(check)


def check_may_post(user: Any) -> None:
    for check in _posting_checks:
        check(user)


def register_content_check(check: Callable[[Any, str], None]) -> None:
    """`check(user, text)` raises a core.errors.ServiceError when this text may not be posted (spam)."""
    if check not in _content_checks:
        _content_checks.append(check)


def check_content(user: Any, text: str) -> None:
    for check in _content_checks:
        check(user, text)


_hold_checks: list[Callable[[Any, Any], Any]] = []


def register_hold_check(check: Callable[[Any, Any], Any]) -> None:
    """`check(user, item)` runs after a member's topic or post is written (in its transaction) and may hold
    it for review: a new member's first post where the space asks, a suspicious account's."""
    if check not in _hold_checks:
        _hold_checks.append(check)


def check_hold(user: Any, item: Any) -> None:
    for check in _hold_checks:
        check(user, item)
