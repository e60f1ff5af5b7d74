from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "townhall.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from townhall.activity.services import register_recorder
        from townhall.moderation.services import audit_event

        register_recorder(audit_event)
