import datetime

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from allies.dates import years_later
from allies.formfields import PlainTextMixin
from allies.once import OnceMixin
from circles.models import Circle
from meetings.forms import YEARS_AHEAD, holiday_error
from polls.models import Poll, PollAnswer

# Rows shown open; the others wait behind "More dates".
ROWS_SHOWN = 4


class PollForm(PlainTextMixin, OnceMixin, forms.ModelForm):
    """What the meeting would be, and two to ten candidate dates (a date and a start time)."""

    class Meta:
        model = Poll
        fields = ["kind", "title", "venue_name", "venue_address", "venue_kind"]
        help_texts = {"title": _("Optional, for example “Spring dinner”.")}

    def __init__(self, *args, circle: Circle, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "venue_name": circle.default_venue_name,
                "venue_address": circle.default_venue_address,
                "venue_kind": circle.default_venue_kind,
            },
        )
        super().__init__(*args, **kwargs)
        for number in range(1, Poll.MAX_OPTIONS + 1):
            self.fields[f"date_{number}"] = forms.DateField(
                label=gettext("Date %(number)d") % {"number": number},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
            self.fields[f"time_{number}"] = forms.TimeField(
                label=gettext("Start time %(number)d") % {"number": number},
                required=False,
                initial=circle.preferred_time,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    def candidate_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [
            (number, self[f"date_{number}"], self[f"time_{number}"])
            for number in range(1, Poll.MAX_OPTIONS + 1)
        ]

    def rows_shown(self):
        return self.candidate_rows()[:ROWS_SHOWN]

    def rows_more(self):
        return self.candidate_rows()[ROWS_SHOWN:]

    def has_more_values(self) -> bool:
        """Whether a row behind "More dates" was filled in (keep it open then)."""
        return any(self.data.get(self.add_prefix(f"date_{n}")) for n, *_ in self.rows_more())

    def clean(self):
        cleaned = super().clean()
        now = timezone.now()
        latest = years_later(timezone.localdate(), YEARS_AHEAD)
        candidates = []
        for number in range(1, Poll.MAX_OPTIONS + 1):
            day, time = cleaned.get(f"date_{number}"), cleaned.get(f"time_{number}")
            if day is None:
                continue  # a time alone is the prefilled default of an unused row
            if time is None:
                self.add_error(f"time_{number}", gettext("Give a start time for this date."))
                continue
            starts = timezone.make_aware(datetime.datetime.combine(day, time))
            if starts <= now:
                self.add_error(f"date_{number}", gettext("This date has passed."))
            elif day > latest:  # as far as a meeting may lie: a typo, not a plan
                self.add_error(
                    f"date_{number}",
                    gettext("Choose a date within the next %(years)d years.")
                    % {"years": YEARS_AHEAD},
                )
            elif holiday := holiday_error(day):  # as the year planner: no circle dines then
                self.add_error(f"date_{number}", holiday)
            elif starts in candidates:
                self.add_error(f"date_{number}", gettext("This date and time is offered twice."))
            else:
                candidates.append(starts)
        if not self.errors and len(candidates) < Poll.MIN_OPTIONS:
            raise forms.ValidationError(
                gettext("Offer at least %(count)d dates.") % {"count": Poll.MIN_OPTIONS}
            )
        cleaned["candidates"] = sorted(candidates)
        return cleaned


def option_label(option) -> str:
    return date_format(timezone.localtime(option.starts_at), "l j F Y, H:i")


class AnswerForm(forms.Form):
    """Yes, if need be, or no, for each candidate date of the poll that has not passed: one gone
    by can no longer be picked, so an answer to it would count for nothing (the tally keeps
    those given before)."""

    def __init__(self, *args, options, mine: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = [option for option in options if not option.has_passed]
        for option in self.options:
            self.fields[f"option_{option.pk}"] = forms.ChoiceField(
                label=option_label(option),
                choices=PollAnswer.Answer.choices,
                widget=forms.RadioSelect,
                initial=(mine or {}).get(option.pk),
                error_messages={"required": gettext("Choose an answer for this date.")},
            )

        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*(InlineRadios(name) for name in self.fields))

    def answers(self) -> dict:
        """The chosen answer per option (after is_valid)."""
        return {option: self.cleaned_data[f"option_{option.pk}"] for option in self.options}
