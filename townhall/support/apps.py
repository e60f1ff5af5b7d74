from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "townhall.support"
    label = "support"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from townhall.content import signals
        from townhall.support import services

        signals.topic_created.connect(services.on_topic_created, dispatch_uid="support.topic_created")
        signals.post_created.connect(services.on_post_created, dispatch_uid="support.post_created")
        signals.post_removed.connect(services.on_post_removed, dispatch_uid="support.post_removed")
        # An answer coming back (restored, or approved after a hold) counts as it would have when posted.
        signals.post_restored.connect(services.on_post_created, dispatch_uid="support.post_restored")
        signals.topics_merged.connect(services.on_topics_merged, dispatch_uid="support.topics_merged")
