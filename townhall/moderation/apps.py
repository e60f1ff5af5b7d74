from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "townhall.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from townhall.activity.services import register_recorder
        from townhall.core.gates import register_content_check, register_hold_check, register_posting_check
        from townhall.moderation import holds, spam
        from townhall.moderation.services import audit_event, check_may_post

        register_recorder(audit_event)
        register_posting_check(check_may_post)
        register_content_check(spam.check_content)
        register_hold_check(holds.hold_if_needed)
