from django.urls import path

from townhall.moderation import views

urlpatterns = [
    path("moderation/audit/", views.audit_log, name="audit_log"),
    path("moderation/audit.csv", views.audit_csv, name="audit_csv"),
]
