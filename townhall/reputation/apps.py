from django.apps import AppConfig


class ReputationConfig(AppConfig):
    name = "townhall.reputation"
    label = "reputation"
    default_auto_field = "django.db.models.BigAutoField"
