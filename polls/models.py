"""Date polls: a coordinator offers candidate dates, members answer, the coordinator picks one
and it becomes a meeting (polls/services.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from circles.models import Circle, VenueKind
from meetings.models import Meeting


def _date_ahead(now) -> models.Exists:
    return models.Exists(PollOption.objects.filter(poll=models.OuterRef("pk"), starts_at__gt=now))


class PollQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def for_user(self, user):
        return self.filter(circle__in=Circle.objects.for_user(user))

    def with_date_ahead(self, now):
        """Polls with a date after `now`: one that can still be picked."""
        return self.filter(_date_ahead(now))

    def dates_passed(self, now):
        """Polls none of whose dates is after `now`: none can be picked any more."""
        return self.filter(~_date_ahead(now))

    def with_passed(self, now):
        """Each poll with `passed`: whether none of its dates is after `now` (dates_passed)."""
        return self.annotate(passed=~_date_ahead(now))

    def awaiting_answer(self, user):
        """Open polls of the user's circles that the user has not answered yet."""
        answered = PollAnswer.objects.filter(option__poll=models.OuterRef("pk"), person=user)
        return self.open().for_user(user).filter(~models.Exists(answered))


class Poll(models.Model):
    MIN_OPTIONS = 2
    MAX_OPTIONS = 10

    # No index of its own for the circle: poll_circle_closed starts with it.
    circle = models.ForeignKey(
        Circle,
        on_delete=models.CASCADE,
        related_name="polls",
        verbose_name=_("circle"),
        db_index=False,
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Meeting.Kind.choices, default=Meeting.Kind.DINNER
    )
    title = models.CharField(_("title"), max_length=150, blank=True)
    venue_name = models.CharField(_("venue"), max_length=150)
    venue_address = models.CharField(_("address"), max_length=250, blank=True)
    venue_kind = models.CharField(
        _("venue kind"), max_length=20, choices=VenueKind.choices, default=VenueKind.POLICE_STATION
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    chosen = models.ForeignKey(
        "PollOption",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chosen date"),
    )
    meeting = models.OneToOneField(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="poll",
        verbose_name=_("meeting"),
    )

    objects = PollQuerySet.as_manager()

    class Meta:
        verbose_name = _("date poll")
        verbose_name_plural = _("date polls")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(chosen__isnull=True) | Q(closed_at__isnull=False),
                name="poll_chosen_only_when_closed",
                violation_error_message=_("A date is chosen only when the poll closes."),
            ),
        ]
        indexes = [
            models.Index(fields=["circle", "closed_at"], name="poll_circle_closed"),
            # The admin's list, in the default order: without it, PostgreSQL joined every poll
            # to its meeting (reading all meetings) to sort them.
            models.Index(fields=["created_at"], name="poll_created"),
        ]

    def __str__(self):
        return self.title or str(Meeting.Kind(self.kind).label).capitalize()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PollOption(models.Model):
    """A candidate date: when the meeting would start."""

    # No index of its own for the poll: polloption_one_per_time starts with it.
    poll = models.ForeignKey(
        Poll,
        on_delete=models.CASCADE,
        related_name="options",
        verbose_name=_("poll"),
        db_index=False,
    )
    starts_at = models.DateTimeField(_("starts at"))

    class Meta:
        verbose_name = _("candidate date")
        verbose_name_plural = _("candidate dates")
        ordering = ["poll", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "starts_at"],
                name="polloption_one_per_time",
                violation_error_message=_("This date is already in the poll."),
            ),
        ]

    def __str__(self):
        return timezone.localtime(self.starts_at).strftime("%Y-%m-%d %H:%M")

    @property
    def has_passed(self) -> bool:
        return self.starts_at <= timezone.now()


class PollAnswerQuerySet(models.QuerySet):
    def in_open_polls(self):
        """Answers to polls still open: withdrawn when their member leaves (a closed poll's
        answers are its history)."""
        return self.filter(option__poll__closed_at__isnull=True)


class PollAnswer(models.Model):
    class Answer(models.TextChoices):
        YES = "yes", _("yes")
        IF_NEED_BE = "if_need_be", _("if need be")
        NO = "no", _("no")

    # No index of its own for the date: pollanswer_one_per_person_date starts with it.
    option = models.ForeignKey(
        PollOption,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("date"),
        db_index=False,
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="poll_answers",
        verbose_name=_("person"),
    )
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PollAnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        ordering = ["option", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["option", "person"],
                name="pollanswer_one_per_person_date",
                violation_error_message=_("You have already answered for this date."),
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.get_answer_display()}"


class PollReminder(models.Model):
    """A poll reminder that went out, so that each member gets it once (see polls/reminders.py:
    the same claim-before-send rule as meetings.SentReminder, which can only point at a meeting
    or an action)."""

    # No index of its own for the poll: pollreminder_once starts with it.
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="+", verbose_name=_("poll"), db_index=False
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("poll reminder")
        verbose_name_plural = _("poll reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "person"], name="pollreminder_once"),
        ]

    def __str__(self):
        return f"{self.poll} → {self.person}"
