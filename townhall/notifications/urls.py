from django.urls import path

from townhall.notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.mark_all_read, name="notifications_mark_all_read"),
    path("notifications/<int:notification_id>/open/", views.open_notification, name="notification_open"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("admin/webhooks/", views.webhook_deliveries, name="webhook_deliveries"),
    path("admin/webhooks/<int:delivery_id>/retry/", views.retry_webhook, name="webhook_retry"),
]
