"""The home page: the spaces a person may see, and what is being asked; and the health check."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from townhall.content.selectors import recent_topics
from townhall.core import access, fragments


def spaces_tree(user: Any) -> list[dict[str, Any]]:
    """Visible spaces as roots (products) with their visible children (categories): one query."""
    spaces = list(access.visible_spaces(user).order_by("position", "name"))
    ids = {space.id for space in spaces}
    children: dict[int, list[Any]] = {}
    roots = []
    for space in spaces:
        # A space whose parent is hidden from this person shows as a root of its own.
        if space.parent_id in ids:
            children.setdefault(space.parent_id, []).append(space)
        else:
            roots.append(space)
    tree = []
    for root in roots:
        kids = children.get(root.id, [])
        # A product's figures include its visible categories (never the hidden ones).
        tree.append({
            "space": root,
            "children": kids,
            "topic_count": root.topic_count + sum(kid.topic_count for kid in kids),
            "post_count": root.post_count + sum(kid.post_count for kid in kids),
        })
    return tree


def healthz(request: HttpRequest) -> HttpResponse:
    """Answers "ok" while the process serves requests: for load balancers, and the benchmark's
    ceiling (the cheapest request through the whole stack). It reads no database and no session."""
    return HttpResponse("ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    user = request.user

    def render_main() -> str:
        recent = list(recent_topics(user, limit=10, kind="question").prefetch_related("tags"))
        unanswered = list(recent_topics(user, limit=10, kind="question", answer_count=0).prefetch_related("tags"))
        return render_to_string("core/_home_main.html", {
            "SITE_NAME": settings.SITE_NAME,
            "tree": spaces_tree(user),
            "recent": recent,
            "unanswered": unanswered,
            "signed_in": user.is_authenticated,
            "is_staff": user.is_staff,
        })

    parts = (fragments.audience(user), user.is_authenticated, user.is_staff)
    return render(request, "core/home.html", {"main": fragments.shared(request, "home", parts, render_main)})
