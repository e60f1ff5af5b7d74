from django.urls import path

from townhall.moderation import views

urlpatterns = [
    path("moderation/audit/", views.audit_log, name="audit_log"),
    path("moderation/audit.csv", views.audit_csv, name="audit_csv"),
    path("moderation/queue/", views.review_queue, name="review_queue"),
    path("moderation/review/<slug:kind>/<str:key>/", views.review_item, name="review_item"),
    path("moderation/sanction/<str:username>/", views.sanction_member, name="sanction_member"),
    path("moderation/appeals/<int:sanction_id>/", views.decide_appeal, name="decide_appeal"),
    path("moderation/spam/<str:username>/", views.remove_as_spam, name="remove_as_spam"),
    path("moderation/spam-undo/<int:sweep_id>/", views.undo_spam, name="undo_spam"),
    path("settings/standing/", views.my_standing, name="my_standing"),
    path("guidelines/", views.guidelines, name="guidelines"),
    path("guidelines/changes/", views.guidelines_changes, name="guidelines_changes"),
    path("guidelines/edit/", views.edit_guidelines, name="guidelines_edit"),
    path("guidelines/follow/", views.follow_guidelines, name="guidelines_follow"),
    path("flag/topic/<str:key>/", views.flag_item, {"kind": "topic"}, name="flag_topic"),
    path("flag/post/<str:key>/", views.flag_item, {"kind": "post"}, name="flag_post"),
    path("flag/member/<str:key>/", views.flag_item, {"kind": "member"}, name="flag_member"),
]
