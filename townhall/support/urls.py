"""Placeholder routes so the base template renders; the pages replace them."""

from django.http import HttpResponse
from django.urls import path


def placeholder(request, *args, **kwargs):
    return HttpResponse("")


urlpatterns = [
    path("ask/", placeholder, name="ask"),
    path("support/queue/", placeholder, name="agent_queue"),
]
