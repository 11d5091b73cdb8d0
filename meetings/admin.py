from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from allies.admin_utils import (
    CachedChoicesInline,
    KeepRowsAdmin,
    LargeTableAdmin,
    PersonRowsInline,
)
from circles.health import year_bounds
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


class YearFilter(admin.SimpleListFilter):
    """The meetings of one year (local time). It replaces a date hierarchy, which lists the
    years with a DISTINCT over every meeting of the installation: half a second on SQLite at
    national size. The years here come from the first and the last meeting, two index lookups."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        # Two queries, not one aggregate: SQLite answers MIN and MAX together by reading
        # every row, and each alone from the end of the index.
        starts = Meeting.objects.order_by("starts_at").values_list("starts_at", flat=True)
        first, last = starts.first(), starts.last()
        if first is None:
            return []
        years = range(timezone.localtime(last).year, timezone.localtime(first).year - 1, -1)
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not self.value().isdigit() or not 1 <= int(self.value()) <= 9998:
            raise IncorrectLookupParameters(self.value())
        start, end = year_bounds(int(self.value()))
        return queryset.filter(starts_at__gte=start, starts_at__lt=end)


@admin.register(Meeting)
class MeetingAdmin(LargeTableAdmin, KeepRowsAdmin):
    list_display = ["starts_at", "circle", "kind", "venue_name", "venue_kind", "status"]
    # No municipality filter: at national size it lists 350 links; the search finds them.
    list_filter = [YearFilter, "status", "kind", "venue_kind"]
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
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["meeting", "order", "title", "topic"]
    list_filter = ["topic"]
    search_fields = ["title", "notes", "meeting__circle__name"]
    list_select_related = ["meeting__circle", "topic"]
    autocomplete_fields = ["meeting", "topic"]
