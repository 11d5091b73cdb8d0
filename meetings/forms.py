import datetime

from django import forms
from django.conf import settings
from django.db.models import Q
from django.forms import BaseFormSet, BaseInlineFormSet, formset_factory, inlineformset_factory
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from actions.models import Action
from allies import once
from allies.dates import years_later
from allies.formfields import (
    LONG_TEXT_MAX_LENGTH,
    MINUTES_MAX_LENGTH,
    ModelMultipleIdChoiceField,
    PlainTextMixin,
)
from allies.forms import dietary_needs_help
from allies.models import User
from allies.once import OnceMixin
from circles.models import Circle, Sector
from meetings.models import AgendaItem, Meeting, Response, Topic
from meetings.planner import is_day_off, public_holiday_name

# How far ahead a meeting or a due date may lie (and the year planner may look); further is a
# typo, not a plan.
YEARS_AHEAD = 10

# The most rows a formset takes (agenda items, actions, planned dinners): more than anyone fills
# in. A count sent higher is refused with Django's "Please submit at most 30 forms." and costs no
# more than 30 rows to build and show again; a count of 2,000 took seconds to render.
MAX_ROWS = 30
ROW_LIMITS = {"max_num": MAX_ROWS, "absolute_max": MAX_ROWS, "validate_max": True}


def holiday_error(day: datetime.date) -> str | None:
    """Why no dinner can be on `day` if it is a public holiday, naming it and saying what to do
    ("27 April 2027 is King's Day. Choose another date."), in the reader's language."""
    name = public_holiday_name(day, get_language())
    if name is None:
        return None
    return gettext("%(date)s is %(holiday)s. Choose another date.") % {
        "date": date_format(day, "j F Y"),
        "holiday": name,
    }


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _model_field(model, name, **kwargs):
    """The model field's form field, so labels and choices are written once, on the model."""
    return model._meta.get_field(name).formfield(**kwargs)


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


class SharedChoicesFormSetMixin:
    """Fetch the choices of the named fields once per formset instead of once per row."""

    shared_choice_fields: tuple[str, ...] = ()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        cache = self.__dict__.setdefault("_shared_choices", {})
        for name in self.shared_choice_fields:
            field = form.fields[name]
            if name not in cache:
                cache[name] = list(field.choices)
            field.choices = cache[name]


def named(person) -> str:
    """The person as a list of members to choose from names them: marked when they have left
    the circle (their queryset carries `has_left`: circles.models.has_left)."""
    if getattr(person, "has_left", False):
        return f"{person} {gettext('(left the circle)')}"
    return str(person)


class HostField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return named(obj)


class MeetingForm(PlainTextMixin, OnceMixin, forms.Form):
    """Schedule or change a meeting: when, where, who hosts (one of `members`, a queryset of
    people: for a meeting being changed, the view includes its host, a former member too)."""

    kind = _model_field(Meeting, "kind")
    title = _model_field(Meeting, "title")
    date = forms.DateField(label=_("Date"), widget=_date_input())
    start_time = forms.TimeField(label=_("Start time"), widget=_time_input())
    end_time = forms.TimeField(label=_("End time"), widget=_time_input())
    venue_name = _model_field(Meeting, "venue_name")
    venue_address = _model_field(Meeting, "venue_address")
    venue_kind = _model_field(Meeting, "venue_kind")
    host = HostField(
        label=_("Host"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("nobody yet"),
        error_messages={"invalid_choice": _("Choose a member of the circle as host.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Meeting.Status.PLANNED, Meeting.Status.PLANNED.label),
            (Meeting.Status.CONFIRMED, Meeting.Status.CONFIRMED.label),
        ],
    )

    def __init__(self, *args, circle: Circle, members, meeting: Meeting | None = None, **kwargs):
        self.meeting = meeting
        kwargs.setdefault("initial", self._initial(circle, meeting))
        super().__init__(*args, **kwargs)
        self.fields["title"].help_text = _("Optional, for example the theme of the evening.")
        self.fields["host"].queryset = members
        if meeting is None:
            self.fields["date"].help_text = _(
                "A meeting that already took place can be entered too, to record who came, "
                "the minutes and the actions."
            )
        else:
            # A change saved twice is the same change: only a new meeting needs the token.
            del self.fields[once.FIELD]
        # Held and cancelled are reached by recording and cancelling, not by editing.
        if meeting is None or meeting.status not in (
            Meeting.Status.PLANNED,
            Meeting.Status.CONFIRMED,
        ):
            del self.fields["status"]
        if meeting is not None and meeting.status == Meeting.Status.HELD:
            # Its attendance and minutes are that evening's: moved, it would count as a dinner
            # ahead, and the members would be invited to it again.
            for name in ("date", "start_time", "end_time"):
                self.fields[name].disabled = True
            self.fields["date"].help_text = _(
                "The meeting has been held: its date and times stay as recorded."
            )

    @staticmethod
    def _initial(circle: Circle, meeting: Meeting | None) -> dict:
        if meeting is None:
            starts = local_datetime(next_free_day(circle), circle.preferred_time)
            ends = starts + datetime.timedelta(minutes=circle.dinner_minutes)
            return {
                "date": starts.date(),
                "start_time": circle.preferred_time,
                "end_time": timezone.localtime(ends).time(),
                "venue_name": circle.default_venue_name,
                "venue_address": circle.default_venue_address,
                "venue_kind": circle.default_venue_kind,
            }
        starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
        return {
            "kind": meeting.kind,
            "title": meeting.title,
            "date": starts.date(),
            "start_time": starts.time(),
            "end_time": ends.time(),
            "venue_name": meeting.venue_name,
            "venue_address": meeting.venue_address,
            "venue_kind": meeting.venue_kind,
            "host": meeting.host_id,
            "status": meeting.status,
        }

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day is None or start is None or end is None:
            return data
        if end <= start:
            self.add_error("end_time", _("The meeting must end after it starts."))
            return data
        data["starts_at"] = local_datetime(day, start)
        data["ends_at"] = local_datetime(day, end)
        now, today = timezone.now(), timezone.localdate()
        moved = self.meeting is None or data["starts_at"] != self.meeting.starts_at
        # A meeting held before anyone entered it (a circle new to the app, an extra one called
        # at short notice) is entered to record it, and its time corrected until it is; from
        # longer ago than a year, a typo. One ahead stays ahead: its members were invited to it.
        on_record = self.meeting is None or self.meeting.starts_at <= now
        if moved and not on_record and data["starts_at"] <= now:
            self.add_error("date", _("Choose a moment in the future."))
        elif moved and self.meeting and self.meeting.entered_afterwards and data["starts_at"] > now:
            # Nobody was ever invited to it: moved ahead, the members' first word of it would
            # be a "Changed:" email. (One that was planned ahead and did not take place may be
            # moved ahead: its members were invited to it.)
            self.add_error(
                "date",
                _("This meeting was entered after it took place: choose a moment gone by."),
            )
        elif moved and on_record and day < years_later(today, -1):
            self.add_error(
                "date",
                forms.ValidationError(
                    _("Choose a date within the last year."), code="too_long_ago"
                ),
            )
        elif moved and day > years_later(today, YEARS_AHEAD):
            self.add_error(
                "date",
                forms.ValidationError(
                    _("Choose a date within the next %(years)d years."),
                    code="too_far",
                    params={"years": YEARS_AHEAD},
                ),
            )
        return data

    def changes(self) -> dict:
        """The cleaned values as meeting fields, for meeting_schedule and meeting_update."""
        names = ["kind", "title", "starts_at", "ends_at", "venue_name", "venue_address"]
        names += ["venue_kind", "host", *(["status"] if "status" in self.fields else [])]
        return {name: self.cleaned_data[name] for name in names}


def next_free_day(circle: Circle) -> datetime.date:
    """The next preferred weekday after today that the year planner would take: no public
    holiday, Christmas Eve or New Year's Eve."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    day += datetime.timedelta(days=(circle.preferred_weekday - day.weekday()) % 7)
    while is_day_off(day):
        day += datetime.timedelta(days=7)
    return day


class AgendaItemForm(PlainTextMixin, forms.ModelForm):
    # A position on a short list; the column is a small integer.
    order = _model_field(AgendaItem, "order", max_value=999)
    notes = _model_field(
        AgendaItem,
        "notes",
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = AgendaItem
        fields = ["order", "topic", "title", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].empty_label = _("(no topic: a title of its own)")

    def clean(self):
        data = super().clean()
        if not data.get("DELETE") and not data.get("topic") and not data.get("title"):
            raise forms.ValidationError(_("Choose a topic or write a title."))
        return data


class BaseAgendaFormSet(SharedChoicesFormSetMixin, BaseInlineFormSet):
    shared_choice_fields = ("topic",)

    def row_label(self, index: int) -> str:
        """The row as its legend names it, in the error summary too: "Item 2"."""
        return _("Item %(number)s") % {"number": index + 1}

    def add_fields(self, form, index):
        # Active topics, and the ones already on this agenda even if an admin retired them.
        form.fields["topic"].queryset = Topic.objects.filter(
            Q(is_active=True) | Q(pk__in=self.instance.agenda_items.values("topic"))
        )
        # A new item goes after the existing ones unless the coordinator says otherwise.
        last = max((item.order for item in self.get_queryset()), default=0)
        extra = (index if index is not None else self.total_form_count()) - len(self.get_queryset())
        form.fields["order"].initial = last + 1 + max(extra, 0)
        super().add_fields(form, index)


AgendaFormSet = inlineformset_factory(
    Meeting,
    AgendaItem,
    form=AgendaItemForm,
    formset=BaseAgendaFormSet,
    extra=2,
    can_delete=True,
    can_delete_extra=False,
    **ROW_LIMITS,
)


class ResponseForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = Response
        fields = ["answer", "dietary_needs", "note"]
        widgets = {"answer": forms.RadioSelect}
        help_texts = {
            "note": _("For example that you come later. Only you and the coordinators see it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].choices = Response.Answer.choices  # no blank "---------" option
        days = settings.DIETARY_NEEDS_RETENTION_DAYS
        self.fields["dietary_needs"].help_text = dietary_needs_help(
            ngettext(
                "Only you and the coordinators see this. It is erased %(days)d day after the "
                "dinner.",
                "Only you and the coordinators see this. It is erased %(days)d days after the "
                "dinner.",
                days,
            )
            % {"days": days}
        )


class CancelForm(PlainTextMixin, forms.Form):
    """Confirm the cancellation, optionally saying why: the members read it in the email,
    their calendars and on the meeting page; of a meeting gone by, on its page only."""

    reason = _model_field(
        Meeting,
        "cancel_reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Optional, for example “The venue is closed.” The members see it in the email, "
            "their calendar and on the meeting page."
        ),
        error_messages={
            "max_length": _(
                "Keep the reason to at most %(limit_value)d characters (it has %(show_value)d)."
            )
        },
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        # services.meeting_cancel tells nobody of a meeting gone by: nobody can go any more.
        if meeting.starts_at <= timezone.now():
            self.fields["reason"].help_text = _(
                "Optional, for example “Entered by mistake.” It is shown on the meeting page. "
                "Nobody is told: the meeting has already taken place."
            )


class MembersField(ModelMultipleIdChoiceField):
    """Members to tick, each named with their sector when the queryset carries it
    (circles.models.members_with_sector): "Fatima (community)", and "Sanne (police, left the
    circle)" for an owner kept as a choice after leaving when it carries `has_left` too
    (circles.models.has_left). Owners are picked from more than one sector: the circle takes
    its actions together."""

    def label_from_instance(self, obj):
        sector = getattr(obj, "sector", None)
        if not sector:
            return named(obj)
        params = {"name": obj, "sector": Sector(sector).label}
        if getattr(obj, "has_left", False):
            return gettext("%(name)s (%(sector)s, left the circle)") % params
        return gettext("%(name)s (%(sector)s)") % params


class RecordForm(PlainTextMixin, OnceMixin, forms.Form):
    attendees = MembersField(
        label=_("Who attended"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose among the members of the circle.")},
    )
    minutes = _model_field(
        Meeting,
        "minutes",
        max_length=MINUTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = members


class ActionForm(PlainTextMixin, forms.Form):
    """One action agreed at the meeting."""

    title = _model_field(Action, "title")
    description = _model_field(
        Action,
        "description",
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owners = MembersField(
        label=_("Owners"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One or more members who take it on, together."),
        error_messages={"invalid_choice": _("Choose owners among the members of the circle.")},
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_date_input())

    def __init__(self, *args, members, meeting: Meeting | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owners"].queryset = members
        # None for an action entered in admin without its meeting (ActionEditForm).
        self.meeting_day = meeting and timezone.localtime(meeting.starts_at).date()

    def clean_due_date(self):
        """Agreed at the meeting, so due on its day at the earliest."""
        due = self.cleaned_data["due_date"]
        if due is None:
            return None
        if self.meeting_day and due < self.meeting_day:
            raise forms.ValidationError(
                _("The due date cannot be before the meeting."), code="before_meeting"
            )
        if due > years_later(self.meeting_day or timezone.localdate(), YEARS_AHEAD):
            raise forms.ValidationError(
                _("Choose a due date within %(years)d years of the meeting.")
                if self.meeting_day
                else _("Choose a date within the next %(years)d years."),
                code="too_far",
                params={"years": YEARS_AHEAD},
            )
        return due


class ActionRowForm(ActionForm):
    """A row of new actions on the record form. A row left empty adds nothing, so its fields
    are not marked required; a row partly filled is told what it lacks."""

    REQUIRED = ("title", "owners")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.REQUIRED:
            self.fields[name].required = False

    def clean(self):
        # Only called for a row that is filled in: the formset leaves an untouched one alone.
        data = super().clean()
        for name in self.REQUIRED:
            if not data.get(name) and name not in self.errors:
                field = self.fields[name]
                self.add_error(
                    name, forms.ValidationError(field.error_messages["required"], "required")
                )
        return data


class BaseActionFormSet(SharedChoicesFormSetMixin, BaseFormSet):
    shared_choice_fields = ("owners",)

    def row_label(self, index: int) -> str:
        """The row as its legend names it, in the error summary too: "New action 2"."""
        return _("New action %(number)s") % {"number": index + 1}

    def rows(self) -> list[dict]:
        """The filled-in rows; untouched blank rows are left out."""
        return [form.cleaned_data for form in self.forms if form.has_changed()]


ActionFormSet = formset_factory(ActionRowForm, formset=BaseActionFormSet, extra=2, **ROW_LIMITS)


def new_status_field() -> forms.ChoiceField:
    """An action's new status, to choose in an update: "no change" first."""
    return forms.ChoiceField(
        label=_("New status"),
        required=False,
        choices=[("", _("no change")), *Action.Status.choices],
    )


class ReviewForm(PlainTextMixin, forms.Form):
    """An action carried to the meeting, as its record reviews it: a new status, a few words
    on it, or both (saved as an update by the coordinator who records); left as it is, it
    changes nothing. `action`: the action the row was sent for (None: one no longer carried
    to the meeting)."""

    # Not "action": a template reads form.action as this field, not as the action.
    action_id = forms.IntegerField(widget=forms.HiddenInput)
    new_status = new_status_field()
    text = forms.CharField(
        label=_("What was said about it?"),
        help_text=_("Optional. It is added to the action's updates."),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, action: Action | None, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.action is None:
            raise forms.ValidationError(
                _(
                    "This action is no longer among those carried to the meeting. Open the "
                    "record page again to see them as they are now."
                ),
                code="not_carried",
            )
        return data

    def review(self) -> dict | None:
        """The new status and the text to save as an update; None when the row changes
        nothing."""
        status = self.cleaned_data["new_status"]
        if status == self.action.status:
            status = ""
        if not status and not self.cleaned_data["text"]:
            return None
        return {"action": self.action, "new_status": status, "text": self.cleaned_data["text"]}


class BaseReviewFormSet(BaseFormSet):
    """A row for each action carried to the meeting (`actions`). A sent row names its action by
    id, so a list that changed since the page was shown cannot put one's status on another."""

    def __init__(self, data=None, *args, actions, prefix=None, **kwargs):
        self.carried = {action.pk: action for action in actions}
        prefix = prefix or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data = None  # sent from a page that listed none of them: none to change
        initial = [{"action_id": pk} for pk in self.carried]
        super().__init__(data, *args, prefix=prefix, initial=initial, **kwargs)

    def is_valid(self):
        return not self.is_bound or super().is_valid()

    def total_form_count(self):
        return min(super().total_form_count(), len(self.carried))

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is None:
            return {**kwargs, "action": None}
        if not self.is_bound:
            return {**kwargs, "action": list(self.carried.values())[index]}
        try:
            sent = int(self.data.get(f"{self.add_prefix(index)}-action_id", ""))
        except (TypeError, ValueError):
            sent = None
        return {**kwargs, "action": self.carried.get(sent)}

    def row_label(self, index: int) -> str:
        """The row as its legend names it, in the error summary too: the action's title."""
        action = self.forms[index].action
        return action.title if action else _("Action %(number)s") % {"number": index + 1}

    def reviews(self) -> list[dict]:
        """What the rows change, as action_add_update takes it (action, new_status, text)."""
        if not self.is_bound:
            return []
        return [review for form in self.forms if (review := form.review()) is not None]


ReviewFormSet = formset_factory(ReviewForm, formset=BaseReviewFormSet, extra=0)


class PlannedDinnerForm(PlainTextMixin, forms.Form):
    """One proposed dinner of the year planner."""

    include = forms.BooleanField(label=_("Plan this dinner"), required=False)
    date = forms.DateField(label=_("Date"), widget=_date_input())
    start_time = forms.TimeField(label=_("Start time"), widget=_time_input())
    venue_name = _model_field(Meeting, "venue_name", required=False)
    venue_address = _model_field(Meeting, "venue_address")
    venue_kind = _model_field(Meeting, "venue_kind")
    host = HostField(
        label=_("Host"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("nobody yet"),
        error_messages={"invalid_choice": _("Choose a member of the circle as host.")},
    )

    def __init__(self, *args, members, year: int, taken, **kwargs):
        super().__init__(*args, **kwargs)
        self.year, self.taken = year, taken
        self.fields["host"].queryset = User.objects.filter(pk__in=members)

    def full_clean(self):
        """An unticked row is left out of the plan, so none of its fields is checked: a date
        cleared there, or a holiday, must not hold up the dinners that are ticked."""
        if self.is_bound and not self["include"].data:
            self._errors = ErrorDict(renderer=self.renderer)
            self.cleaned_data = {"include": False}
            return
        super().full_clean()

    def clean(self):
        data = super().clean()
        day, start = data.get("date"), data.get("start_time")
        if day is None or start is None:
            return data
        if not data.get("venue_name"):
            self.add_error("venue_name", _("Where is the dinner?"))
        if day.year != self.year:
            self.add_error("date", _("Choose a day in %(year)s.") % {"year": self.year})
        elif local_datetime(day, start) <= timezone.now():
            self.add_error("date", _("Choose a moment in the future."))
        elif holiday := holiday_error(day):
            self.add_error("date", holiday)
        elif day in self.taken:
            self.add_error("date", _("The circle already meets on this day."))
        return data


class BasePlanFormSet(SharedChoicesFormSetMixin, BaseFormSet):
    shared_choice_fields = ("host",)

    def row_label(self, index: int) -> str:
        """The row as the page names it, in its error summary too: "Dinner 2"."""
        return _("Dinner %(number)s") % {"number": index + 1}

    def clean(self):
        if any(self.errors):
            return
        days = [form.cleaned_data["date"] for form in self.forms if form.cleaned_data["include"]]
        if not days:
            raise forms.ValidationError(_("Tick at least one dinner to plan."))
        twice = sorted({day for day in days if days.count(day) > 1})
        for form in self.forms:
            if form.cleaned_data["include"] and form.cleaned_data["date"] in twice:
                form.add_error("date", _("Another dinner of this plan is on the same day."))
        if twice:
            raise forms.ValidationError(
                _("Two dinners on the same day: %(days)s.")
                % {"days": ", ".join(date_format(day) for day in twice)}
            )

    def dinners(self, minutes: int) -> list[dict]:
        """The ticked rows as meeting_schedule arguments; each lasts the circle's dinner length."""
        dinners = []
        for form in self.forms:
            data = form.cleaned_data
            if not data["include"]:
                continue
            starts = local_datetime(data["date"], data["start_time"])
            dinners.append(
                {
                    "starts_at": starts,
                    "ends_at": starts + datetime.timedelta(minutes=minutes),
                    "venue_name": data["venue_name"],
                    "venue_address": data["venue_address"],
                    "venue_kind": data["venue_kind"],
                    "host": data["host"],
                }
            )
        return dinners


PlanFormSet = formset_factory(PlannedDinnerForm, formset=BasePlanFormSet, extra=0, **ROW_LIMITS)
