from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "townhall.search"
    label = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from townhall.activity.services import register_consumer
        from townhall.search.services import handle_event

        register_consumer(handle_event)
