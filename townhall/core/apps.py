from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "townhall.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        from townhall.core import checks  # noqa: F401  (registers the system checks)
        from townhall.core.pagecache import invalidate_on_save

        # What visitors see is made of these: any write to them, even from Django admin, shows at once.
        for label in ("spaces.Space", "spaces.Membership", "content.Topic", "content.Post", "accounts.User"):
            model = apps.get_model(label)
            post_save.connect(invalidate_on_save, sender=model, dispatch_uid=f"pagecache.save.{label}")
            post_delete.connect(invalidate_on_save, sender=model, dispatch_uid=f"pagecache.delete.{label}")
