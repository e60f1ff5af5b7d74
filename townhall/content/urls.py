from django.urls import path

from townhall.content import views

urlpatterns = [
    path("t/<int:pk>/edit/", views.edit_topic, name="topic_edit"),
    path("t/<int:pk>/history/", views.topic_history, name="topic_history"),
    path("t/<int:pk>/delete/", views.delete_topic, name="topic_delete"),
    path("t/<int:pk>/restore/", views.restore_topic, name="topic_restore"),
    path("p/<int:pk>/edit/", views.edit_post, name="post_edit"),
    path("p/<int:pk>/history/", views.post_history, name="post_history"),
    path("p/<int:pk>/delete/", views.delete_post, name="post_delete"),
    path("p/<int:pk>/restore/", views.restore_post, name="post_restore"),
    path("p/<int:pk>/kudos/", views.kudos, name="post_kudos"),
    path("preview/", views.markdown_preview, name="markdown_preview"),
]
