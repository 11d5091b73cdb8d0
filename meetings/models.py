import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from circles.models import Circle, Membership, VenueKind


class Topic(models.Model):
    """A subject a circle talks about; a managed list that admins edit."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=250, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self):
        # Seeded topics are stored in English and translated for the reader (see topics.py);
        # topics that admins add are shown as written.
        return gettext(self.name)


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now()).exclude(
            status=Meeting.Status.CANCELLED
        )

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now())

    def for_user(self, user):
        return self.filter(circle__in=Circle.objects.for_user(user))

    def with_host_left(self):
        """Each meeting with `host_has_left`: its host is no longer an active member of its
        circle (false without a host). They stay the host until a coordinator changes it
        (views.edit), and are marked as having left where the meeting names them."""
        member = Membership.objects.active().filter(
            circle=OuterRef("circle"), person=OuterRef("host")
        )
        return self.annotate(
            host_has_left=ExpressionWrapper(
                ~Exists(member) & Q(host__isnull=False), output_field=models.BooleanField()
            )
        )

    def scheduled_ahead(self):
        """Meetings entered before they started, to which the members were invited: not those
        entered afterwards to record them (Meeting.entered_afterwards, the same rule)."""
        return self.filter(created_at__lt=F("starts_at"))


# A sentence or two ("The venue is closed; a date poll follows."), not a letter.
CANCEL_REASON_MAX_LENGTH = 300


class Meeting(models.Model):
    class Kind(models.TextChoices):
        DINNER = "dinner", _("dinner")
        EXTRA = "extra", _("extra meeting")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        CONFIRMED = "confirmed", _("confirmed")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    # No index of its own for the circle: meeting_circle_start starts with it.
    circle = models.ForeignKey(
        Circle,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("circle"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DINNER)
    title = models.CharField(_("title"), max_length=150, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue_name = models.CharField(_("venue"), max_length=150)
    venue_address = models.CharField(_("address"), max_length=250, blank=True)
    venue_kind = models.CharField(
        _("venue kind"), max_length=20, choices=VenueKind.choices, default=VenueKind.POLICE_STATION
    )
    # Looked up only by a person (never "no host"): meeting_host_start serves that.
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_meetings",
        verbose_name=_("host"),
        db_index=False,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    # Told to the members with the cancellation; shown only while the meeting is cancelled.
    cancel_reason = models.CharField(
        _("reason for cancelling"), max_length=CANCEL_REASON_MAX_LENGTH, blank=True
    )
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    # The calendar identity: the UID never changes, the sequence grows with each change.
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Attendance",
        related_name="attended_meetings",
        verbose_name=_("attendees"),
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical meeting"))

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("A meeting must end after it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["circle", "starts_at"], name="meeting_circle_start"),
            models.Index(fields=["starts_at"], name="meeting_start"),
            # A person's hosted meetings, in date order ("Download my data"). Most meetings
            # have no host: with the NULLs in it, a plain host index looked so unselective to
            # SQLite's statistics that it read every meeting in date order instead (215 ms at
            # national size). Without them, the index holds only the meetings that have a host.
            models.Index(
                fields=["host", "starts_at"],
                condition=Q(host__isnull=False),
                name="meeting_host_start",
            ),
        ]

    def __str__(self):
        label = self.title or capfirst(self.get_kind_display())
        # In the reader's language, as admin's headings and history show it: "11 maart 2027".
        when = date_format(timezone.localtime(self.starts_at), "j F Y")
        return f"{label} — {self.circle.name}, {when}"

    @property
    def is_extra(self) -> bool:
        return self.kind == self.Kind.EXTRA

    def reference(self, day_format: str = "j F Y") -> str:
        """The meeting as a sentence names it, by its kind and title, in the active language:
        "the dinner of 3 December 2026", "the extra meeting “After the unrest” of 3 December
        2026". A template calls it as `meeting.reference`, with the day in the default format."""
        when = date_format(timezone.localtime(self.starts_at), day_format)
        if self.is_extra and self.title:
            text = gettext("the extra meeting “%(title)s” of %(date)s")
        elif self.is_extra:
            text = gettext("the extra meeting of %(date)s")
        elif self.title:
            text = gettext("the dinner “%(title)s” of %(date)s")
        else:
            text = gettext("the dinner of %(date)s")
        return text % {"title": self.title, "date": when}

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def entered_afterwards(self) -> bool:
        """Entered once it had started, to record it: nobody was invited or asked whether they
        come (services.meeting_schedule). MeetingQuerySet.scheduled_ahead() holds the others."""
        return self.created_at >= self.starts_at

    @property
    def is_open_for_answers(self) -> bool:
        """Members can still say whether they come: not cancelled, and not started yet."""
        return not self.is_cancelled and self.starts_at > timezone.now()

    def cancel(self, reason: str = ""):
        """Cancel the meeting, saying why if `reason` is given: a status and a new calendar
        sequence, never a delete."""
        self.status = self.Status.CANCELLED
        self.cancel_reason = reason
        self.sequence += 1
        self.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("topic")
    )
    title = models.CharField(_("title"), max_length=150, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return self.title or (str(self.topic) if self.topic else gettext("Agenda item"))


class Response(models.Model):
    class Answer(models.TextChoices):
        ATTENDING = "attending", _("attending")
        NOT_ATTENDING = "not_attending", _("not attending")
        MAYBE = "maybe", _("maybe")

    # No index of its own for the meeting: response_one_per_person_meeting starts with it.
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="responses",
        verbose_name=_("meeting"),
        db_index=False,
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="responses",
        verbose_name=_("person"),
    )
    answer = models.CharField(_("answer"), max_length=15, choices=Answer.choices)
    dietary_needs = models.CharField(_("dietary needs"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Dietary needs can reveal religion or health: they are purged after the dinner, so the
    # history keeps no copies of them.
    history = HistoricalRecords(
        verbose_name=_("historical response"), excluded_fields=["dietary_needs"]
    )

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["meeting", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="response_one_per_person_meeting",
                violation_error_message=_("You have already answered for this meeting."),
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.get_answer_display()}"

    @classmethod
    def first_dietary_needs(cls, person, answer: str | None) -> str:
        """The dietary needs a first answer takes from the person's profile, when the person
        gives none themselves (a one-click answer, one carried from a date poll): none for
        "not attending", special-category data that nobody cooks for."""
        return "" if answer == cls.Answer.NOT_ATTENDING else person.dietary_needs


class Attendance(models.Model):
    """Who was there, recorded by a coordinator after the meeting."""

    # No index of its own for the meeting: attendance_one_per_person_meeting starts with it.
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("meeting"),
        db_index=False,
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("person"),
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="attendance_one_per_person_meeting"
            ),
        ]

    def __str__(self):
        return f"{self.person} @ {self.meeting}"


class SentReminder(models.Model):
    """A reminder that went out, so that `send_reminders` sends each one exactly once.

    The row is written (in its own transaction) before the email is sent; the unique key makes
    the database refuse a second row for the same reminder, however many runs overlap.
    """

    class Kind(models.TextChoices):
        DINNER = "dinner", _("dinner reminder")
        ACTION_DUE = "action_due", _("action due soon")
        ACTION_OVERDUE = "action_overdue", _("action overdue")
        RECORD = "record", _("record the dinner")
        COMMITMENT = "commitment", _("commitment runs out")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meeting"),
    )
    action = models.ForeignKey(
        "actions.Action",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("action"),
    )
    # A commitment reminder's: the membership whose commitment runs out.
    membership = models.ForeignKey(
        "circles.Membership",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("membership"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    # What makes a reminder "the same one": kind, object, person and the date it is about, so
    # that a dinner moved to another day (or an action given a new due date, or a commitment
    # renewed) is reminded again.
    key = models.CharField(_("key"), max_length=120)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="sentreminder_key_unique"),
            models.CheckConstraint(
                condition=Q(meeting__isnull=False)
                | Q(action__isnull=False)
                | Q(membership__isnull=False),
                name="sentreminder_about_something",
            ),
        ]

    def __str__(self):
        return self.key
