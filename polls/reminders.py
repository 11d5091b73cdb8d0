"""The date-poll reminder, sent by `manage.py send_reminders` (meetings/reminders.py calls
send_poll_reminders).

A poll that has been open for REMINDER_AFTER, and still has a date ahead, reminds each member who
has not answered yet, once, of the dates still ahead: a date that has passed can no longer be
answered usefully, nor picked. As for the other reminders, a PollReminder row is claimed in its own
transaction before the email goes out; its unique key (poll, person) makes the database refuse a
second one, and a refused email releases the claim so that the next run tries again. Members
who turned reminders off, or have no email address, get none. The queries do not grow with the
number of polls or members: one for the polls, one for the members, one for who answered, one for
what was sent; then one insert per reminder sent.
"""

import datetime

from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from circles.models import Membership
from meetings import notify
from polls.models import Poll, PollAnswer, PollOption, PollReminder
from polls.services import poll_message

REMINDER_AFTER = datetime.timedelta(days=2)
SUBJECT = pgettext_lazy("email subject", "Reminder: which date suits you? %(circle)s")


def send_poll_reminders(now: datetime.datetime | None = None) -> int:
    """Send the poll reminders that are due and not sent yet; returns how many went out."""
    now = now or timezone.now()
    polls = list(
        Poll.objects.open()
        .filter(created_at__lte=now - REMINDER_AFTER)
        .with_date_ahead(now)
        .select_related("circle")
        .prefetch_related(
            Prefetch("options", PollOption.objects.filter(starts_at__gt=now), to_attr="dates_ahead")
        )
    )
    if not polls:
        return 0
    members = (
        Membership.objects.active()
        .filter(circle__in={poll.circle_id for poll in polls})
        .filter(person__is_active=True, person__reminders_enabled=True)
        .exclude(person__email="")
        .select_related("person")
    )
    by_circle: dict[int, list] = {}
    for membership in members:
        by_circle.setdefault(membership.circle_id, []).append(membership.person)
    answered = set(
        PollAnswer.objects.filter(option__poll__in=polls)
        .values_list("option__poll_id", "person_id")
        .distinct()
    )
    sent_before = already_reminded(polls)
    sent = 0
    with get_connection() as connection:
        for poll in polls:
            for person in by_circle.get(poll.circle_id, []):
                key = (poll.pk, person.pk)
                if key not in answered and key not in sent_before:
                    sent += deliver(poll, person, connection)
    return sent


def already_reminded(polls) -> set[tuple[int, int]]:
    """(poll id, person id) of the reminders sent before."""
    return set(PollReminder.objects.filter(poll__in=polls).values_list("poll_id", "person_id"))


def deliver(poll: Poll, person, connection) -> bool:
    """Claim the reminder in the database, then send it; release the claim if sending fails."""
    try:
        with transaction.atomic():
            claim = PollReminder.objects.create(poll=poll, person=person)
    except IntegrityError:
        return False  # another run claimed it first
    message = poll_message(poll, poll.dates_ahead, person, "emails/poll_reminder", SUBJECT)
    if notify.send_one(message, connection):
        return True
    claim.delete()
    return False
