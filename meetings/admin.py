from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from allies.admin_utils import (
    CachedChoicesInline,
    KeepRowsAdmin,
    LargeTableAdmin,
    PersonRowsInline,
    YearFilter,
)
from meetings.models import AgendaItem, Attendance, Meeting, Response, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


class AgendaItemInline(CachedChoicesInline):
    model = AgendaItem
    extra = 0
    cached_choice_fields = ("topic",)


class ResponseInline(PersonRowsInline):
    model = Response
    fields = ["person", "answer", "dietary_needs", "note"]


class AttendanceInline(PersonRowsInline):
    model = Attendance


class StartsInYear(YearFilter):
    field = "starts_at"


@admin.register(Meeting)
class MeetingAdmin(LargeTableAdmin, KeepRowsAdmin):
    list_display = ["starts_at", "circle", "kind", "venue_name", "venue_kind", "status"]
    # No municipality filter: at national size it lists 350 links; the search finds them.
    list_filter = [StartsInYear, "status", "kind", "venue_kind"]
    search_fields = ["title", "venue_name", "circle__name", "circle__municipality"]
    list_select_related = ["circle"]
    autocomplete_fields = ["circle", "host"]
    ordering = ["-starts_at"]  # the latest first: what is coming up, and what just happened
    readonly_fields = ["uid", "sequence", "created_at", "updated_at"]
    inlines = [AgendaItemInline, ResponseInline, AttendanceInline]


@admin.register(Response)
class ResponseAdmin(LargeTableAdmin, SimpleHistoryAdmin):
    list_display = ["meeting", "person", "answer", "updated_at"]
    list_filter = ["answer"]
    search_fields = ["person__name", "meeting__circle__name"]
    list_select_related = ["meeting__circle", "person"]
    autocomplete_fields = ["meeting", "person"]


@admin.register(Attendance)
class AttendanceAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["meeting", "person"]
    search_fields = ["person__name", "meeting__circle__name"]
    list_select_related = ["meeting__circle", "person"]
    autocomplete_fields = ["meeting", "person"]


@admin.register(AgendaItem)
class AgendaItemAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["meeting", "order", "title", "topic"]
    list_filter = ["topic"]
    search_fields = ["title", "notes", "meeting__circle__name"]
    list_select_related = ["meeting__circle", "topic"]
    autocomplete_fields = ["meeting", "topic"]
