"""Search: what the caller may see that matches the words."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from townhall.api.auth import ANYONE
from townhall.api.present import search_hit_data
from townhall.api.routers.spaces import space_for
from townhall.api.schemas import ErrorOut, SearchPage, SearchQuery
from townhall.core.errors import InvalidInput
from townhall.search import services

router = Router(tags=["search"])


@router.get("/search", auth=ANYONE, response={200: SearchPage, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
            summary="Search topics and posts")
def search(request: HttpRequest, query: Query[SearchQuery]) -> dict[str, Any]:
    """Most relevant first. `space` includes the spaces inside it; `snippet` is HTML-escaped text
    with the matching words wrapped in `<mark>`."""
    space = space_for(request.user, query.space) if query.space else None
    try:
        page = services.search(
            request.user, query.q, kind=query.kind, space=space, solved=query.solved,
            tags=[query.tag] if query.tag else None, cursor=query.cursor, limit=query.limit,
        )
    except InvalidInput as exc:
        if "tags" not in exc.errors:
            raise
        # The service takes a list of tags; this endpoint's parameter is `tag`.
        raise InvalidInput(exc.message, field="tag")
    return {"results": [search_hit_data(hit) for hit in page.results], "next": page.next_cursor}
