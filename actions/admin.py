from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from actions.models import Action, ActionUpdate
from allies.admin_utils import KeepRowsAdmin, LargeTableAdmin, PersonRowsInline, YearFilter


class ActionUpdateInline(PersonRowsInline):
    """Updates are a log: their author is read-only; one added here is the admin's own."""

    model = ActionUpdate
    person_field = "author"
    # What a coordinator's correction changed besides the due date is on the update's own
    # page: more columns here would not fit a laptop's window.
    fields = ["created_at", "author", "new_status", "previous_due_date", "new_due_date", "text"]

    def has_add_permission(self, request, obj=None):
        return True

    def get_queryset(self, request):
        # Each row is named after its action (ActionUpdate.__str__): one query per row else.
        return super().get_queryset(request).select_related("action")


class DueInYear(YearFilter):
    title = _("year due")
    field = "due_date"


@admin.register(Action)
class ActionAdmin(LargeTableAdmin, KeepRowsAdmin):
    list_display = ["title", "circle", "status", "due_date", "created_at"]
    # No municipality filter: at national size it lists 350 links; the search finds them.
    list_filter = [DueInYear, "status"]
    search_fields = ["title", "description", "circle__name", "circle__municipality"]
    list_select_related = ["circle"]
    autocomplete_fields = ["circle", "meeting", "owners", "created_by"]
    inlines = [ActionUpdateInline]

    def never_deleted(self) -> str:
        return gettext(
            "Actions are dropped, not deleted: they stay in the circle's history. To drop this "
            "one, set its status to “%(dropped)s”."
        ) % {"dropped": Action.Status.DROPPED.label}

    def save_formset(self, request, form, formset, change):
        for update in formset.save(commit=False):
            if update.author_id is None:
                update.author = request.user
            update.save()
        formset.save_m2m()


class WrittenInYear(YearFilter):
    title = _("year written")
    field = "created_at"


@admin.register(ActionUpdate)
class ActionUpdateAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["action", "author", "new_status", "created_at"]
    # A year filter, not a date hierarchy: that read every update (half a second at national
    # size on SQLite); and the latest first, from an index, not sorted by their action.
    list_filter = [WrittenInYear, "new_status"]
    ordering = ["-created_at"]
    search_fields = ["text", "action__title"]
    list_select_related = ["action", "author"]
    autocomplete_fields = ["action", "author", "owners_added", "owners_removed"]
