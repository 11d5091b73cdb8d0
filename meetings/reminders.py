"""Reminders, sent by `manage.py send_reminders` (run it every few minutes from cron).

- a dinner reminder, Circle.reminder_days before the meeting, to members who did not decline;
- an action reminder, settings.ACTION_REMINDER_DAYS before its due date, to its owners;
- an overdue notice to the owners, the day after the due date;
- a "record the dinner" prompt to the coordinators, the day after a dinner not yet recorded;
  none for a meeting entered once it had started, to record it (see record_prompts).

Each reminder is sent once. Before sending, a SentReminder row is written in its own transaction;
its unique key makes the database refuse a second row, so an overlapping or repeated run, or a
run after a crash, skips what is already claimed. If the mail server refuses the message the
row is removed again, so the next run tries once more. (A crash between the row and the send
loses that one reminder: better than sending it twice.)

A run that was missed (the server was down) catches up: a reminder is due from its day until
its moment has passed, up to CATCH_UP_DAYS for the notices "after" something. People who turned
reminders off (User.reminders_enabled) get none. The queries do not grow with the number of
circles or members: one per kind of reminder for the candidates, one for what was already sent,
then one insert per reminder actually sent.
"""

import datetime
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import pgettext_lazy

from actions.models import Action
from circles.models import Membership
from meetings import calendar, notify
from meetings.models import Meeting, Response, SentReminder
from polls.reminders import send_poll_reminders

logger = logging.getLogger(__name__)

# Circle.reminder_days is validated to at most 30.
MAX_REMINDER_DAYS = 30
# How long a missed "after" notice (overdue, record the dinner) is still worth sending.
CATCH_UP_DAYS = 7
KEY_CHUNK = 500

Kind = SentReminder.Kind

SUBJECTS = {
    Kind.DINNER: pgettext_lazy("email subject", "Reminder: %(summary)s, %(date)s"),
    Kind.ACTION_DUE: pgettext_lazy("email subject", "Action due on %(date)s: %(title)s"),
    Kind.ACTION_OVERDUE: pgettext_lazy("email subject", "Action overdue: %(title)s"),
    Kind.RECORD: pgettext_lazy("email subject", "Please record the meeting: %(summary)s, %(date)s"),
}
TEMPLATES = {
    Kind.DINNER: "emails/reminder_dinner",
    Kind.ACTION_DUE: "emails/reminder_action_due",
    Kind.ACTION_OVERDUE: "emails/reminder_action_overdue",
    Kind.RECORD: "emails/reminder_record",
}


@dataclass
class Reminder:
    kind: str
    person: object
    meeting: Meeting | None = None
    action: Action | None = None
    key: str = field(init=False)

    def __post_init__(self):
        if self.meeting is not None:
            day = timezone.localtime(self.meeting.starts_at).date()
            about = f"m{self.meeting.pk}:{day:%Y%m%d}"
        else:
            about = f"a{self.action.pk}:{self.action.due_date:%Y%m%d}"
        # The date is part of the key: a dinner moved to another day, or an action given a new
        # due date, is reminded again.
        self.key = f"{self.kind}:{about}:p{self.person.pk}"


def send_reminders(now: datetime.datetime | None = None) -> dict[str, int]:
    """Send every reminder that is due and not sent yet; returns the count sent per kind."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = [*dinner_reminders(now, today), *action_reminders(today), *record_prompts(today)]
    sent_before = already_sent([r.key for r in due])
    counts = dict.fromkeys(Kind.values, 0)
    with get_connection() as connection:
        for reminder in due:
            if reminder.key not in sent_before and deliver(reminder, connection):
                counts[reminder.kind] += 1
    counts["poll"] = poll_reminders(now)
    return counts


def poll_reminders(now) -> int:
    """Date polls: one reminder to each member who has not answered (polls/reminders.py keeps
    its own exactly-once log, since a SentReminder must point at a meeting or an action)."""
    return send_poll_reminders(now)


def deliver(reminder: Reminder, connection) -> bool:
    """Claim the reminder in the database, then send it; release the claim if sending fails."""
    try:
        with transaction.atomic():
            claim = SentReminder.objects.create(
                kind=reminder.kind,
                key=reminder.key,
                person=reminder.person,
                meeting=reminder.meeting,
                action=reminder.action,
            )
    except IntegrityError:
        return False  # another run claimed it first
    if notify.send_one(message(reminder), connection):
        return True
    claim.delete()
    return False


def already_sent(keys: list[str]) -> set[str]:
    sent = set()
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start : start + KEY_CHUNK]
        sent.update(SentReminder.objects.filter(key__in=chunk).values_list("key", flat=True))
    return sent


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of the day, local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def reachable(memberships):
    """Active memberships of people who want reminders and have an email address."""
    return (
        memberships.active()
        .filter(person__is_active=True, person__reminders_enabled=True)
        .exclude(person__email="")
        .select_related("person")
    )


def dinner_reminders(now, today) -> Iterator[Reminder]:
    """Meetings whose reminder day has come (and which have not started): every member who did
    not decline. A meeting scheduled inside its reminder window is skipped: its invitation has
    only just gone out."""
    candidates = calendar.with_agenda(
        Meeting.objects.exclude(status=Meeting.Status.CANCELLED).filter(
            starts_at__gt=now,
            starts_at__lt=start_of(today + datetime.timedelta(days=MAX_REMINDER_DAYS + 1)),
        )
    )
    meetings = []
    for meeting in candidates:
        day = timezone.localtime(meeting.starts_at).date()
        reminder_day = start_of(day - datetime.timedelta(days=meeting.circle.reminder_days))
        if reminder_day <= now and meeting.created_at < reminder_day:
            meetings.append(meeting)
    if not meetings:
        return
    declined = set(
        Response.objects.filter(
            meeting__in=meetings, answer=Response.Answer.NOT_ATTENDING
        ).values_list("meeting_id", "person_id")
    )
    members = members_by_circle(
        reachable(Membership.objects.filter(circle__in={m.circle_id for m in meetings}))
    )
    for meeting in meetings:
        for person in members.get(meeting.circle_id, []):
            if (meeting.pk, person.pk) not in declined:
                yield Reminder(Kind.DINNER, person, meeting=meeting)


def action_reminders(today) -> Iterator[Reminder]:
    """Owners (still members of the action's circle) of unfinished actions that are due within
    ACTION_REMINDER_DAYS, or that became overdue in the last CATCH_UP_DAYS."""
    soon = today + datetime.timedelta(days=settings.ACTION_REMINDER_DAYS)
    actions = list(
        Action.objects.unfinished()
        .filter(
            due_date__gte=today - datetime.timedelta(days=CATCH_UP_DAYS),
            due_date__lte=soon,
        )
        .select_related("circle")
        .prefetch_related("owners")
    )
    if not actions:
        return
    owners = {owner.pk for action in actions for owner in action.owners.all()}
    members = members_by_circle(
        reachable(
            Membership.objects.filter(circle__in={a.circle_id for a in actions}, person__in=owners)
        )
    )
    for action in actions:
        kind = Kind.ACTION_OVERDUE if action.due_date < today else Kind.ACTION_DUE
        owner_ids = {owner.pk for owner in action.owners.all()}
        for person in members.get(action.circle_id, []):
            if person.pk in owner_ids:
                yield Reminder(kind, person, action=action)


def record_prompts(today) -> Iterator[Reminder]:
    """Coordinators of meetings held (started) yesterday or up to CATCH_UP_DAYS ago that are
    neither recorded nor cancelled. Not of one entered once it had started: it was entered to
    record it, and whoever did was taken to its record page; a prompt would come minutes
    later, while they write it. Left unrecorded, the dashboard lists it among the next steps."""
    meetings = list(
        calendar.with_agenda(
            Meeting.objects.exclude(status__in=[Meeting.Status.CANCELLED, Meeting.Status.HELD])
            .filter(recorded_at__isnull=True, created_at__lt=F("starts_at"))
            .filter(
                starts_at__gte=start_of(today - datetime.timedelta(days=CATCH_UP_DAYS)),
                starts_at__lt=start_of(today),
            )
        )
    )
    if not meetings:
        return
    coordinators = members_by_circle(
        reachable(
            Membership.objects.filter(
                circle__in={m.circle_id for m in meetings}, is_coordinator=True
            )
        )
    )
    for meeting in meetings:
        for person in coordinators.get(meeting.circle_id, []):
            yield Reminder(Kind.RECORD, person, meeting=meeting)


def members_by_circle(memberships) -> dict[int, list]:
    by_circle: dict[int, list] = {}
    for membership in memberships:
        by_circle.setdefault(membership.circle_id, []).append(membership.person)
    return by_circle


def message(reminder: Reminder):
    """The reminder's email, in the person's language."""
    with translation.override(reminder.person.preferred_language):
        if reminder.meeting is not None:
            meeting = reminder.meeting
            ctx = {**notify.meeting_context(meeting), "summary": calendar.meeting_summary(meeting)}
            if reminder.kind == Kind.RECORD:
                ctx["meeting_url"] += "record/"  # the record page, /meetings/<id>/record/
            values = {"summary": ctx["summary"], "date": notify.local_date(meeting.starts_at)}
        else:
            action = reminder.action
            ctx = {"action": action, "action_url": calendar.action_url(action)}
            values = {
                "title": action.title,
                "date": formats.date_format(action.due_date, "j F Y"),
            }
        subject = SUBJECTS[reminder.kind] % values
        return notify.compose(reminder.person, subject, TEMPLATES[reminder.kind], ctx)
