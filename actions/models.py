from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from circles.models import Circle, has_left
from meetings.models import Meeting


class ActionQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=Action.OPEN_STATUSES)

    def with_owners(self, circle_id=None):
        """The actions with their owners (in the people's order, by name), in one query for
        all; given the circle the actions are of, each owner with `has_left`, whether they are
        no longer a member of it."""
        owners = get_user_model().objects.only("pk", "name", "username")
        if circle_id is not None:
            owners = owners.annotate(has_left=has_left(circle_id))
        return self.prefetch_related(models.Prefetch("owners", queryset=owners))

    def by_due_date(self):
        """Earliest due first, which puts the overdue ones on top; those without a date last."""
        return self.order_by(models.F("due_date").asc(nulls_last=True), "pk")

    def overdue(self, today=None):
        return self.unfinished().filter(due_date__lt=today or timezone.localdate())

    def open_at(self, moment):
        """The actions that were open (or in progress) at that moment: written down before it,
        and not done or dropped by then.

        Their status then is the one their history held last before it; for an action with no
        history from then (one made by a bulk insert, or dated back as the demo's are), that of
        its last update that changed the status before it; and with neither, open, as each
        action starts.

        The moment is a datetime, or the name of a field or annotation that holds one for
        each action (the start of the meeting it is carried to: prefetch_carried).
        """
        at = inside = moment  # in this query, and inside the subqueries on the action
        if isinstance(moment, str):
            at, inside = F(moment), OuterRef(moment)
        in_history = (
            Action.history.filter(id=OuterRef("pk"), history_date__lt=inside)
            .order_by("-history_date", "-history_id")
            .values("status")[:1]
        )
        in_updates = (
            ActionUpdate.objects.filter(action=OuterRef("pk"), created_at__lt=inside)
            .exclude(new_status="")
            .order_by("-created_at", "-pk")
            .values("new_status")[:1]
        )
        status_then = Coalesce(
            Subquery(in_history), Subquery(in_updates), Value(Action.Status.OPEN)
        )
        return (
            self.filter(created_at__lt=at)
            .alias(status_then=status_then)
            .filter(status_then__in=Action.OPEN_STATUSES)
        )


class Action(models.Model):
    """Something the circle agreed to do together, with one or more owners."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    # No index of its own for the circle: action_circle_status starts with it.
    circle = models.ForeignKey(
        Circle,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("circle"),
        db_index=False,
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("agreed at"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="owned_actions", verbose_name=_("owners")
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
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
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical action"), m2m_fields=[owners])

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["circle", "status"], name="action_circle_status"),
            models.Index(fields=["status", "due_date"], name="action_status_due"),
            # The admin's year filter reads the first and the last due date.
            models.Index(fields=["due_date"], name="action_due"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()


class ActionUpdate(models.Model):
    """A dated note on an action's progress, possibly with a change of status or due date; or
    a coordinator's correction of the action, which says what it changed."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="updates", verbose_name=_("action")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_updates",
        verbose_name=_("author"),
    )
    text = models.TextField(_("update"), blank=True)
    new_status = models.CharField(
        _("new status"), max_length=12, choices=Action.Status.choices, blank=True
    )
    # An owner who moves the due date says so in an update: the page shows the move in the
    # reader's language ("Due date moved from 1 December 2026 to 15 January 2027").
    new_due_date = models.DateField(_("new due date"), null=True, blank=True)
    previous_due_date = models.DateField(_("previous due date"), null=True, blank=True)
    # A coordinator who corrects the action says so in an update as well, in the same way: the
    # due date moved (or removed: a previous due date without a new one), the owners added and
    # removed (people, not their names: erasing a person anonymises them here too), and
    # whether the title or the description was corrected.
    owners_added = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("owners added")
    )
    owners_removed = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("owners removed")
    )
    title_corrected = models.BooleanField(_("title corrected"), default=False)
    description_corrected = models.BooleanField(_("description corrected"), default=False)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("action update")
        verbose_name_plural = _("action updates")
        ordering = ["action", "created_at"]
        # The admin's list: the latest first (the id breaks ties: updates written in the same
        # moment would all be sorted otherwise), and its year filter.
        indexes = [models.Index(fields=["created_at", "id"], name="actionupdate_created_id")]

    def __str__(self):
        return f"{self.action}: {self.created_at:%Y-%m-%d}"
