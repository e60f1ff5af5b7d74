from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "townhall.spaces"
    label = "spaces"
    default_auto_field = "django.db.models.BigAutoField"
