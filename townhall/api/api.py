"""The v1 API: one NinjaAPI, one router per app, one error format. Mounted at /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI

from townhall.api import errors
from townhall.api.auth import ANYONE
from townhall.api.routers import auth, moderation, notifications, posts, search, spaces, support, topics, users

DESCRIPTION = """
The Townhall community API. JSON in and out; times are ISO 8601 with a zone.

**Authentication:** `Authorization: Bearer <token>` — get a token from `POST /api/v1/auth/token`
or from your settings page. A signed-in browser session works too; changes made with it need the
CSRF token in the `X-CSRFToken` header. Anonymous callers may read public content.

**Lists** answer `{"results": [...], "next": "<cursor>" | null}`; pass `?cursor=<next>` for the
next page and `?limit=` (up to 100) for its size.

**Errors** answer `{"detail": "a sentence", "errors": {"field": ["reason"]}}` with 400, 401, 403,
404 (also for what you may not see), 409, 413, 422 or 429 (with `Retry-After`).

See docs/api.md for examples.
"""

api = NinjaAPI(
    title="Townhall API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=ANYONE,
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)

for module in (auth, users, spaces, topics, posts, search, notifications, support, moderation):
    api.add_router("/", module.router)
