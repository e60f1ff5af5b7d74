from django.contrib import admin

from townhall.spaces.models import Membership, Space


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "visibility", "parent", "topic_count", "unanswered_hours", "unsolved_hours")
    list_filter = ("kind", "visibility")
    search_fields = ("name", "slug")
    readonly_fields = ("topic_count", "post_count")
    inlines = [MembershipInline]
