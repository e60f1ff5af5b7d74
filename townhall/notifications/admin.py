from django.contrib import admin

from townhall.notifications.models import WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "url", "status", "attempts", "last_status_code", "next_attempt_at", "created_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
