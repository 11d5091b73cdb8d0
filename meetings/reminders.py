"""Reminders, sent by `manage.py send_reminders` (run it every few minutes from cron).

- a dinner reminder, Circle.reminder_days before the meeting, to members who did not decline,
  worded by their answer (none yet, maybe, coming: DINNER_REMINDERS), with a catering count
  for the coordinators; a coordinator who declined gets that count alone, in a note;
- an action reminder, settings.ACTION_REMINDER_DAYS before its due date, to its owners;
- an overdue notice to the owners, the day after the due date;
- a "record the dinner" prompt to the coordinators, the day after a dinner not yet recorded,
  with the open actions carried to it, which the record page reviews; none for a meeting
  entered once it had started, to record it (see record_prompts);
- a note to a member whose commitment runs out within Membership.COMMITMENT_WARNING_DAYS, once
  per term, with the link to renew it: the dashboard says so too, but not to who rarely signs in.

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
from typing import NamedTuple

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy

from actions.carried import prefetch_carried
from actions.models import Action
from circles.models import Membership
from circles.services import commitment_url
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
    Kind.ACTION_DUE: pgettext_lazy("email subject", "Action due on %(date)s: %(title)s"),
    Kind.ACTION_OVERDUE: pgettext_lazy("email subject", "Action overdue: %(title)s"),
    Kind.RECORD: pgettext_lazy("email subject", "Please record the meeting: %(summary)s, %(date)s"),
    Kind.COMMITMENT: pgettext_lazy(
        "email subject", "Your commitment to %(circle)s runs until %(date)s"
    ),
}
TEMPLATES = {
    Kind.DINNER: "emails/reminder_dinner",
    Kind.ACTION_DUE: "emails/reminder_action_due",
    Kind.ACTION_OVERDUE: "emails/reminder_action_overdue",
    Kind.RECORD: "emails/reminder_record",
    Kind.COMMITMENT: "emails/reminder_commitment",
}


class DinnerReminder(NamedTuple):
    """What a dinner reminder says, for one answer."""

    subject: str
    intro: str  # with %(meeting)s ("the dinner of 4 March 2027") and %(circle)s
    link: str  # the words before the link to the answer page; none: no such link


# The dinner reminder by the member's answer (None: no answer yet). It comes two days or so
# before the food is ordered: the moment to get the missing answers. Who said they are not
# coming gets none: it would be noise. But a coordinator who is not coming still organises the
# dinner and orders the food: they get a note with the answers so far, and no question.
DINNER_REMINDERS = {
    None: DinnerReminder(
        pgettext_lazy("email subject", "Will you come? %(summary)s, %(date)s"),
        gettext_lazy("You have not said yet whether you will come to %(meeting)s (%(circle)s)."),
        gettext_lazy("Say whether you will come"),
    ),
    Response.Answer.MAYBE: DinnerReminder(
        pgettext_lazy("email subject", "Yes or no? %(summary)s, %(date)s"),
        gettext_lazy(
            "You said “maybe” to %(meeting)s (%(circle)s). Please decide whether you will come."
        ),
        gettext_lazy("Say yes or no"),
    ),
    Response.Answer.ATTENDING: DinnerReminder(
        pgettext_lazy("email subject", "Reminder: %(summary)s, %(date)s"),
        gettext_lazy("You said you are coming to %(meeting)s (%(circle)s)."),
        gettext_lazy("Change your answer"),
    ),
    Response.Answer.NOT_ATTENDING: DinnerReminder(
        pgettext_lazy("email subject", "Answers so far: %(summary)s, %(date)s"),
        gettext_lazy(
            "You are not coming yourself to %(meeting)s (%(circle)s). As its coordinator, you "
            "still get the answers so far."
        ),
        "",
    ),
}


class Catering(NamedTuple):
    """The answers to a meeting so far, in numbers, for its coordinators' reminder: those who
    come, who may come, of these who have dietary needs (as the meeting page counts them), and
    the circle's members who have not answered."""

    coming: int
    maybe: int
    dietary: int
    unanswered: int

    def line(self) -> str:
        """The numbers in one line, in the active language; those who come always, the others
        when there are any."""
        counts = [
            ngettext("%(count)d coming", "%(count)d coming", self.coming) % {"count": self.coming}
        ]
        if self.maybe:
            counts.append(
                ngettext("%(count)d maybe", "%(count)d maybe", self.maybe) % {"count": self.maybe}
            )
        if self.dietary:
            counts.append(
                ngettext(
                    "%(count)d with dietary needs", "%(count)d with dietary needs", self.dietary
                )
                % {"count": self.dietary}
            )
        if self.unanswered:
            counts.append(
                ngettext(
                    "%(count)d has not answered yet",
                    "%(count)d have not answered yet",
                    self.unanswered,
                )
                % {"count": self.unanswered}
            )
        return gettext("Answers so far: %(counts)s.") % {"counts": ", ".join(counts)}


@dataclass
class Reminder:
    kind: str
    person: object
    meeting: Meeting | None = None
    action: Action | None = None
    membership: Membership | None = None
    # A dinner reminder's: the person's answer to the meeting (None: none yet), and for a
    # coordinator the answers so far in numbers.
    response: Response | None = None
    catering: Catering | None = None
    key: str = field(init=False)

    def __post_init__(self):
        if self.meeting is not None:
            day = timezone.localtime(self.meeting.starts_at).date()
            about = f"m{self.meeting.pk}:{day:%Y%m%d}"
        elif self.membership is not None:
            # By circle, not membership: a term carried into a new membership of the same
            # circle (the member removed and back) is the same term, reminded once.
            membership = self.membership
            about = f"c{membership.circle_id}:{membership.commitment_until:%Y%m%d}"
        else:
            about = f"a{self.action.pk}:{self.action.due_date:%Y%m%d}"
        # The date is part of the key: a dinner moved to another day, an action given a new
        # due date, or a commitment renewed, is reminded again. The answer is not: who answers
        # between two runs is not reminded again in other words.
        self.key = f"{self.kind}:{about}:p{self.person.pk}"

    @property
    def answer(self) -> str | None:
        """The person's answer to the meeting, a Response.Answer; None if none (yet)."""
        return self.response.answer if self.response is not None else None


def send_reminders(now: datetime.datetime | None = None) -> dict[str, int]:
    """Send every reminder that is due and not sent yet; returns the count sent per kind."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = [
        *dinner_reminders(now, today),
        *action_reminders(today),
        *record_prompts(today),
        *commitment_reminders(today),
    ]
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
                membership=reminder.membership,
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
    not decline, with their answer; the coordinators, declined or not, with the catering counts
    too. A meeting scheduled inside its reminder window is skipped: its invitation has only just
    gone out."""
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
    prefetch_carried(meetings)  # the open actions each reminder lists, for all at once
    answers: dict[int, dict[int, Response]] = {}  # by meeting, then person
    for response in Response.objects.filter(meeting__in=meetings).only(
        "meeting", "person", "answer", "dietary_needs"
    ):
        answers.setdefault(response.meeting_id, {})[response.person_id] = response
    memberships = Membership.objects.filter(circle__in={m.circle_id for m in meetings})
    members = members_by_circle(reachable(memberships))
    # Whom the coordinators wait for: every member, also those who get no reminders.
    everyone: dict[int, set[int]] = {}
    coordinators = set()
    for circle_id, person_id, is_coordinator in memberships.active().values_list(
        "circle_id", "person_id", "is_coordinator"
    ):
        everyone.setdefault(circle_id, set()).add(person_id)
        if is_coordinator:
            coordinators.add((circle_id, person_id))
    for meeting in meetings:
        answered = answers.get(meeting.pk, {})
        catering = catering_of(answered, everyone.get(meeting.circle_id, set()))
        for person in members.get(meeting.circle_id, []):
            response = answered.get(person.pk)
            coordinates = (meeting.circle_id, person.pk) in coordinators
            declined = response is not None and response.answer == Response.Answer.NOT_ATTENDING
            if declined and not coordinates:
                continue
            yield Reminder(
                Kind.DINNER,
                person,
                meeting=meeting,
                response=response,
                catering=catering if coordinates else None,
            )


def catering_of(answers: dict[int, Response], members: set[int]) -> Catering:
    """A meeting's answers so far in numbers, from its responses by person and the ids of its
    circle's members."""
    coming = [r for r in answers.values() if r.answer == Response.Answer.ATTENDING]
    maybe = [r for r in answers.values() if r.answer == Response.Answer.MAYBE]
    return Catering(
        coming=len(coming),
        maybe=len(maybe),
        # Whoever orders the food plans for the maybes too, as the meeting page does.
        dietary=sum(1 for r in coming + maybe if r.dietary_needs),
        unanswered=len(members - answers.keys()),
    )


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
            .scheduled_ahead()
            .filter(
                recorded_at__isnull=True,
                starts_at__gte=start_of(today - datetime.timedelta(days=CATCH_UP_DAYS)),
                starts_at__lt=start_of(today),
            )
        )
    )
    if not meetings:
        return
    prefetch_carried(meetings)  # the open actions each prompt lists, for all at once
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


def commitment_reminders(today) -> Iterator[Reminder]:
    """Members whose commitment runs out within COMMITMENT_WARNING_DAYS and has not yet: when
    the dashboard starts to say so. A run that was missed catches up until the last day."""
    limit = today + datetime.timedelta(days=Membership.COMMITMENT_WARNING_DAYS)
    memberships = reachable(
        Membership.objects.filter(commitment_until__gte=today, commitment_until__lte=limit)
    ).select_related("circle")
    for membership in memberships.order_by("pk"):
        yield Reminder(Kind.COMMITMENT, membership.person, membership=membership)


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
            ctx = {
                **notify.meeting_context(meeting, to_review=reminder.kind == Kind.RECORD),
                "summary": calendar.meeting_summary(meeting),
            }
            if reminder.kind == Kind.RECORD:
                ctx["meeting_url"] += "record/"  # the record page, /meetings/<id>/record/
            elif reminder.kind == Kind.DINNER:
                ctx.update(dinner_context(reminder))
            values = {"summary": ctx["summary"], "date": notify.local_date(meeting.starts_at)}
        elif reminder.membership is not None:
            membership = reminder.membership
            ctx = {"membership": membership, "commitment_url": commitment_url(membership.circle_id)}
            values = {
                "circle": membership.circle.name,
                "date": formats.date_format(membership.commitment_until, "j F Y"),
            }
        else:
            action = reminder.action
            ctx = {"action": action, "action_url": calendar.action_url(action)}
            values = {
                "title": action.title,
                "date": formats.date_format(action.due_date, "j F Y"),
            }
        if reminder.kind == Kind.DINNER:
            subject = DINNER_REMINDERS[reminder.answer].subject
        else:
            subject = SUBJECTS[reminder.kind]
        return notify.compose(reminder.person, subject % values, TEMPLATES[reminder.kind], ctx)


def dinner_context(reminder: Reminder) -> dict:
    """What the dinner reminder says to the person, by their answer, in the active language:
    the dietary needs of the answer are theirs (this email is only theirs)."""
    meeting, answer = reminder.meeting, reminder.answer
    words = DINNER_REMINDERS[answer]
    return {
        "intro": words.intro % {"meeting": meeting.reference(), "circle": meeting.circle.name},
        "link": words.link,
        "respond_url": calendar.respond_url(meeting) if words.link else "",
        # The food is ordered for those who said yes (an extra meeting may have none): told to
        # whoever has not said yes, but the coordinators, who order it.
        "food_for_yes": (
            answer != Response.Answer.ATTENDING
            and not meeting.is_extra
            and reminder.catering is None
        ),
        "dietary_needs": (
            reminder.response.dietary_needs
            if answer not in (None, Response.Answer.NOT_ATTENDING)
            else ""
        ),
        "catering": reminder.catering.line() if reminder.catering is not None else "",
    }
