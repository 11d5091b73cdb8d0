from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import Action
from allies.dates import years_later
from allies.formfields import LONG_TEXT_MAX_LENGTH, PlainTextMixin
from allies.once import OnceMixin
from circles.models import Circle
from meetings.forms import YEARS_AHEAD, ActionForm, new_status_field

NOTHING_TO_UPDATE = _("Write an update, choose a new status or set a new due date.")


def refuse_past(due) -> None:
    """A new due date is today or later: one gone by would leave the action overdue."""
    if due < timezone.localdate():
        raise forms.ValidationError(_("Choose today or a later date."), code="past")


class ActionUpdateForm(PlainTextMixin, OnceMixin, forms.Form):
    """One form for progress: a few words, a new status, or both."""

    text = forms.CharField(
        label=_("What happened?"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    new_status = new_status_field()
    new_due_date = forms.DateField(
        label=_("New due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave it empty to keep the due date."),
    )

    def __init__(self, *args, action: Action, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)

    def clean_new_due_date(self):
        """Today or later (refuse_past), within YEARS_AHEAD years."""
        due = self.cleaned_data["new_due_date"]
        if due is None or due == self.action.due_date:
            return None
        refuse_past(due)
        if due > years_later(timezone.localdate(), YEARS_AHEAD):
            raise forms.ValidationError(
                _("Choose a date within the next %(years)d years."),
                code="too_far",
                params={"years": YEARS_AHEAD},
            )
        return due

    def clean(self):
        data = super().clean()
        if "new_due_date" in self.errors:
            return data  # a date that cannot be taken: its own error says why
        changes_status = data.get("new_status") not in ("", None, self.action.status)
        moves_due_date = data.get("new_due_date") is not None
        if not data.get("text", "").strip() and not changes_status and not moves_due_date:
            raise forms.ValidationError(NOTHING_TO_UPDATE)
        return data


class ActionEditForm(ActionForm):
    """Correct an action: title, description, owners (among `members`, which for an action
    being corrected include its owners who have left the circle) and due date. Pass the
    current owners' ids as initial["owners"]."""

    FIELDS = ("title", "description", "owners", "due_date")

    def __init__(self, *args, action: Action, members, **kwargs):
        self.action = action
        super().__init__(*args, members=members, meeting=action.meeting, **kwargs)
        for name in ("title", "description", "due_date"):
            self.initial.setdefault(name, getattr(action, name))

    def clean_due_date(self):
        """A due date left as it was is kept, whatever it is (one entered in admin may be
        before the meeting, one agreed long ago may have passed); a new one follows the rules
        of the record form and, as an owner's new due date does, is today or later."""
        if self.cleaned_data["due_date"] == self.action.due_date:
            return self.action.due_date
        due = super().clean_due_date()
        if due is not None:
            refuse_past(due)
        return due

    def changes(self) -> dict:
        """The cleaned values, as action_edit takes them."""
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ActionFilterForm(forms.Form):
    """Filters of the my-actions list, sent by GET."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *Action.Status.choices]
    )
    circle = forms.ModelChoiceField(
        label=_("Circle"), required=False, queryset=Circle.objects.none(), empty_label=_("all")
    )

    def __init__(self, *args, circles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = circles
