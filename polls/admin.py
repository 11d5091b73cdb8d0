from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from allies.admin_utils import LargeTableAdmin, NeverDeletedAdmin
from polls.models import Poll, PollAnswer, PollOption


class PollOptionInline(admin.TabularInline):
    """A closed poll's dates are what the members answered and the coordinator picked from:
    they stay as they were (deleting the picked one emptied the poll's chosen date)."""

    model = PollOption
    extra = 0

    def has_add_permission(self, request, obj=None):
        return _is_open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _is_open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_open(obj) and super().has_delete_permission(request, obj)


def _is_open(poll: Poll | None) -> bool:
    """A poll not yet saved, or open: its dates may change."""
    return poll is None or poll.is_open


@admin.register(Poll)
class PollAdmin(LargeTableAdmin, NeverDeletedAdmin, admin.ModelAdmin):
    list_display = ["__str__", "circle", "kind", "created_at", "closed_at", "meeting"]
    # No municipality filter: at national size it lists 350 links; the search finds them.
    list_filter = ["kind"]
    search_fields = ["title", "circle__name", "circle__municipality"]
    list_select_related = ["circle", "meeting__circle"]
    autocomplete_fields = ["circle", "created_by"]
    raw_id_fields = ["meeting"]
    readonly_fields = ["created_at", "chosen"]
    inlines = [PollOptionInline]

    def get_readonly_fields(self, request, obj=None):
        # A closed poll stays as it was closed: clearing its closed date reopened it for
        # answers and a second pick while the meeting made of it stood, and moving it to
        # another circle took it from the members it asked.
        if obj is not None and not obj.is_open:
            return [field.name for field in self.model._meta.fields]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_open(obj) and super().has_delete_permission(request, obj)

    def never_deleted(self) -> str:
        # One text for every closed poll, those closed without a date too: "delete selected"
        # names them all in one message.
        return gettext(
            "A closed date poll is kept: the members' answers refer to it, and so does its "
            "meeting if a date was picked in it."
        )


class PollAnswerForm(forms.ModelForm):
    def clean_option(self):
        option = self.cleaned_data["option"]
        if not option.poll.is_open:
            raise forms.ValidationError(
                _("This poll is closed: its answers stay as they were when it closed.")
            )
        return option


@admin.register(PollAnswer)
class PollAnswerAdmin(LargeTableAdmin, NeverDeletedAdmin, admin.ModelAdmin):
    form = PollAnswerForm
    list_display = ["option", "person", "answer", "updated_at"]
    list_filter = ["answer"]
    # The latest given first (by id, the table's own order): in the model's order (poll, date,
    # name) the whole table was joined and sorted for each page (0.3 s at national size).
    ordering = ["-pk"]
    list_select_related = ["option__poll", "person"]
    autocomplete_fields = ["person"]
    raw_id_fields = ["option"]

    # An answer to a closed poll is what the members said when it was picked or closed (and,
    # for the picked date, what became their answer to the meeting): it stays as it was.
    def has_change_permission(self, request, obj=None):
        return _answers_open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _answers_open(obj) and super().has_delete_permission(request, obj)

    def never_deleted(self) -> str:
        return gettext("An answer to a closed date poll stays as it was when the poll closed.")


def _answers_open(answer: PollAnswer | None) -> bool:
    return answer is None or answer.option.poll.is_open
