from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminTextareaWidget
from django.db import transaction
from django.forms import model_to_dict
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from allies.admin_utils import (
    CachedChoicesInline,
    DeleteUnlessKeptAdmin,
    HistoryAdmin,
    KeepRowsAdmin,
    LargeTableAdmin,
    PersonRowsInline,
    YearFilter,
)
from meetings import services, topics
from meetings.models import AgendaItem, Attendance, Meeting, Response, Topic


@admin.register(Topic)
class TopicAdmin(DeleteUnlessKeptAdmin):
    instead = gettext_lazy("Untick “active” to stop offering a topic.")

    # A seeded topic is stored in English and shown in the reader's language (Topic.__str__):
    # the list shows, sorts and finds it as the site shows it, the form says how it is stored.
    list_display = ["shown_name", "shown_description", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "shown_name"]
    help_texts = {
        "name": gettext_lazy(
            "A standard topic is stored by its English name and shown in each reader's "
            "language. A name you write is shown as written: changing a standard topic's name "
            "ends its translation."
        ),
        "description": gettext_lazy(
            "A standard topic's description is stored in English too and shown translated, "
            "until you change it."
        ),
    }

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(shown_name=topics.shown_name())

    def get_ordering(self, request):
        # An expression, not the annotation: other lists order topics by it too (the agenda
        # items' filter by topic), on querysets without the annotation.
        return [topics.shown_name()]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.help_texts:
            kwargs["help_text"] = self.help_texts[db_field.name]
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("name"), ordering="shown_name")
    def shown_name(self, topic):
        return str(topic)

    @admin.display(description=gettext_lazy("description"))
    def shown_description(self, topic):
        return _(topic.description)


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


class MeetingAdminForm(forms.ModelForm):
    """Admin's meeting form: its host picker lists every person, so a host is checked to be a
    member of the circle, as on the coordinator's edit page. A host kept as they were (one who
    left the circle since, say) is not asked again. No Meta: the admin gives the model and the
    fields."""

    def clean(self):
        cleaned = super().clean()
        host, circle = cleaned.get("host"), cleaned.get("circle")
        if host is None or circle is None or not {"host", "circle"} & set(self.changed_data):
            return cleaned
        if not circle.memberships.active().filter(person=host).exists():
            self.add_error("host", _("Choose a member of the circle as host."))
        return cleaned


@admin.register(Meeting)
class MeetingAdmin(LargeTableAdmin, KeepRowsAdmin):
    form = MeetingAdminForm
    list_display = ["starts_at", "circle", "kind", "venue_name", "venue_kind", "status"]
    # No municipality filter: at national size it lists 350 links; the search finds them.
    list_filter = [StartsInYear, "status", "kind", "venue_kind"]
    search_fields = ["title", "venue_name", "circle__name", "circle__municipality"]
    list_select_related = ["circle"]
    autocomplete_fields = ["circle", "host"]
    ordering = ["-starts_at"]  # the latest first: what is coming up, and what just happened
    readonly_fields = ["uid", "sequence", "created_at", "updated_at"]
    inlines = [AgendaItemInline, ResponseInline, AttendanceInline]

    def never_deleted(self) -> str:
        return _(
            "Meetings are cancelled, not deleted: they stay in the circle's history. To cancel "
            "this one, set its status to “%(cancelled)s”."
        ) % {"cancelled": Meeting.Status.CANCELLED.label}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "cancel_reason":
            # The cancel page takes the reason in a text area, line breaks and all; a one-line
            # input drops them from its value, and saving the form would change the reason.
            kwargs["widget"] = AdminTextareaWidget(attrs={"rows": 2})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Save through the services, as the coordinator's pages do, so that members and their
        calendars hear of it: a new meeting is scheduled (invitations), a change goes through
        meeting_update (it decides what is a new calendar version and what the members are
        told), and setting the status to cancelled through meeting_cancel, with the reason
        for cancelling. Agenda items (the inline) are saved after this, in the same
        transaction, as on the edit page: before the invitations go out, and no new version
        of their own."""
        values = form.cleaned_data
        service_fields = {
            name: value for name, value in values.items() if name in services.EDITABLE_FIELDS
        }
        with transaction.atomic():
            if change:
                reason = values.get("cancel_reason", "")
                meeting = _update(obj.pk, service_fields, reason, by=request.user)
            else:
                meeting = services.meeting_schedule(circle=values["circle"], **service_fields)
            rest = {n: v for n, v in values.items() if n not in service_fields}
            if not meeting.is_cancelled:  # a reason only while cancelled (see meeting_update)
                rest.pop("cancel_reason", None)
            _save_the_rest(meeting, rest)
        # The admin goes on with obj (inlines, log, redirect): it becomes the meeting as saved.
        obj.pk = meeting.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        view = super().changeform_view
        return self._refusal_as_message(view, request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        view = super().history_form_view  # "Revert" in the history saves through save_model too
        return self._refusal_as_message(view, request, object_id, version_id, extra_context)

    def _refusal_as_message(self, view, request, *args):
        """A change the services refuse (cancelling a held meeting) is undone as a whole (the
        views are atomic, save_model too) and told, instead of a server error."""
        try:
            return view(request, *args)
        except services.MeetingStateError as error:
            reason = _("Nothing was saved: %(reason)s") % {"reason": error}
            self.message_user(request, reason, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def _update(pk, changes, cancel_reason: str, by) -> Meeting:
    # From the stored row, not the admin's obj that already holds the form's values: each
    # service saves only the fields it changed, and the history records each step as it was.
    meeting = Meeting.objects.get(pk=pk)
    cancel = changes.get("status") == Meeting.Status.CANCELLED
    services.meeting_update(
        meeting=meeting,
        changes={n: v for n, v in changes.items() if not (cancel and n == "status")},
        reopen=True,
        by=by,
    )
    if cancel:
        # The reason goes with the cancellation (its email, its history step), not after it.
        services.meeting_cancel(meeting=meeting, reason=cancel_reason)
    return meeting


def _save_the_rest(meeting: Meeting, values: dict) -> None:
    """The fields no service changes (circle, minutes, recorded at), saved only when they
    differ: a form saved unchanged writes nothing and leaves no history."""
    before = model_to_dict(meeting, fields=list(values))
    for name, value in values.items():
        setattr(meeting, name, value)
    after = model_to_dict(meeting, fields=list(values))
    changed = [name for name in values if after[name] != before[name]]
    if changed:
        meeting.save(update_fields=[*changed, "updated_at"])


@admin.register(Response)
class ResponseAdmin(LargeTableAdmin, HistoryAdmin):
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
