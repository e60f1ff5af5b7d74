from django.urls import path

from townhall.search import views

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/similar/", views.similar_fragment, name="search_similar"),
]
