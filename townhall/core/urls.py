from django.http import HttpResponse
from django.urls import path


def _todo(request, *args, **kwargs):  # replaced by the pages
    return HttpResponse("")


urlpatterns = [
    path("", _todo, name="home"),
    path("s/<slug:slug>/", _todo, name="space"),
    path("t/<int:pk>/", _todo, name="topic"),
    path("u/<str:username>/", _todo, name="profile"),
]
