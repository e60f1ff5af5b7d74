"""The search page and the "similar solved questions" fragment of the ask page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from townhall.content.models import TOPIC_KINDS
from townhall.core import access
from townhall.core.errors import InvalidInput
from townhall.search import services
from townhall.spaces.models import Space

SOLVED_CHOICES: dict[str, bool | None] = {"": None, "any": None, "yes": True, "no": False}


def _space_from(slug: str, spaces: list[Space]) -> Space | None:
    if not slug:
        return None
    for space in spaces:
        if space.slug == slug:
            return space
    # Unknown and invisible spaces get the same answer: private spaces do not exist for outsiders.
    raise InvalidInput("No such space.", field="space")


def _solved_from(value: str) -> bool | None:
    if value not in SOLVED_CHOICES:
        raise InvalidInput("Solved is “yes”, “no” or “any”.", field="solved")
    return SOLVED_CHOICES[value]


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    params = request.GET
    spaces = list(access.visible_spaces(request.user).order_by("name"))
    context: dict[str, Any] = {
        "q": params.get("q", ""),
        "spaces": spaces,
        "kinds": TOPIC_KINDS,
        "selected": {key: params.get(key, "") for key in ("space", "solved", "kind", "tag")},
        "searched": "q" in params,
        "filtered": any(params.get(key) for key in ("space", "solved", "kind", "tag")),
    }
    if not context["searched"]:
        return render(request, "search/search.html", context)
    try:
        page = services.search(
            request.user, context["q"],
            space=_space_from(params.get("space", ""), spaces),
            solved=_solved_from(params.get("solved", "")),
            kind=params.get("kind") or None,
            tags=params.get("tag") or None,
            cursor=params.get("cursor") or None,
        )
    except InvalidInput as exc:
        context["error"] = exc
        return render(request, "search/search.html", context, status=400)
    context["page"] = page
    context["first"] = page.offset + 1
    context["last"] = page.offset + len(page.results)
    return render(request, "search/search.html", context)


@require_GET
def similar_fragment(request: HttpRequest) -> HttpResponse:
    """Solved questions like the title being typed on the ask page (an HTMX fragment)."""
    title = request.GET.get("title", "")
    topics = []
    if len(title.strip()) >= services.SIMILAR_MIN_CHARS:
        topics = services.similar_solved(request.user, title)
    return render(request, "search/similar.html", {"topics": topics})
