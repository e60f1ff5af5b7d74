from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from townhall.accounts.models import ApiToken, User


@admin.register(User)
class MemberAdmin(UserAdmin):
    list_display = ("username", "email", "display_name", "is_agent", "is_moderator", "is_product_manager",
                    "is_staff", "reputation", "date_joined")
    list_filter = ("is_agent", "is_moderator", "is_product_manager", "is_staff", "is_active")
    search_fields = ("username", "email", "display_name")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),  # Django's own are always set; the stubs allow None
        ("Community", {"fields": ("display_name", "bio", "avatar", "region", "languages", "products",
                                  "is_agent", "is_moderator", "is_product_manager", "trust_level",
                                  "email_notifications")}),
    )
    # Counters are kept by the services; editing them by hand would only be undone by the recount.
    readonly_fields = ("reputation",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix")
    search_fields = ("user__username", "name")
