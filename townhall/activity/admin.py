from django.contrib import admin

from townhall.activity.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The event log is append-only: readable here, never editable."""

    list_display = ("created_at", "verb", "actor", "space", "topic")
    list_filter = ("verb",)
    raw_id_fields = ("actor", "space", "topic", "post")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
