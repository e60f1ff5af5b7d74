from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "townhall.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from townhall.activity.services import register_consumer
        from townhall.notifications.services import handle_event

        register_consumer(handle_event)
