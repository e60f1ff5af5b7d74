from django.urls import path

from townhall.support import views

urlpatterns = [
    path("ask/", views.ask, name="ask"),
    path("questions/", views.questions, name="questions"),
    path("t/<int:pk>/", views.topic_page, name="topic"),
    path("t/<int:pk>/answer/", views.answer, name="topic_answer"),
    path("t/<int:pk>/unaccept/", views.unaccept, name="topic_unaccept"),
    path("t/<int:pk>/me-too/", views.me_too, name="topic_me_too"),
    path("t/<int:pk>/follow/", views.follow, name="topic_follow"),
    # After the actions above, so that they are not taken for a title.
    path("t/<int:pk>/<slug:slug>/", views.topic_page, name="topic_slug"),
    path("p/<int:pk>/comment/", views.comment, name="post_comment"),
    path("p/<int:pk>/accept/", views.accept, name="post_accept"),
    path("support/queue/", views.agent_queue, name="agent_queue"),
    path("support/queue/<int:pk>/<slug:action>/", views.queue_action, name="queue_action"),
]
