from django.urls import path

from townhall.spaces import views

urlpatterns = [
    path("s/<slug:slug>/", views.space_page, name="space"),
    path("s/<slug:slug>/follow/", views.follow_space, name="space_follow"),
    path("admin/spaces/", views.space_admin, name="space_admin"),
    path("admin/spaces/new/", views.space_create, name="space_create"),
    path("admin/spaces/<slug:slug>/edit/", views.space_edit, name="space_edit"),
    path("admin/spaces/<slug:slug>/members/", views.space_members, name="space_members"),
]
