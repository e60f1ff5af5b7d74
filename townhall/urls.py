from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("django-admin/", admin.site.urls),
    path("api/v1/", include("townhall.api.urls")),
    path("", include("townhall.core.urls")),
    path("", include("townhall.spaces.urls")),
    path("", include("townhall.content.urls")),
    path("", include("townhall.support.urls")),
    path("", include("townhall.accounts.urls")),
    path("", include("townhall.notifications.urls")),
    path("", include("townhall.search.urls")),
    path("", include("townhall.moderation.urls")),
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]
