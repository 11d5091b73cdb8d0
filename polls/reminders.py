"""The date-poll reminder, sent by `manage.py send_reminders` (meetings/reminders.py calls
send_poll_reminders).

A poll reminds each member who has not answered yet, once, when reminder_due_at says, of the
dates still ahead: a date that has passed can no longer be answered usefully, nor picked. A poll
with no date ahead reminds nobody. Whoever opened the poll is reminded too, in words of their
own: their answers count as every member's do. As for the other reminders, a PollReminder row is
claimed in its own transaction before the email goes out; its unique key (poll, person) makes
the database refuse a second one, and a refused email releases the claim so that the next run
tries again. Members who turned reminders off, or have no email address, get none. The queries
do not grow with the number of polls or members: one for the polls, one for their dates ahead,
one for the members, one for who answered, one for what was sent; then one insert per reminder
sent.
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

# How long a poll gives its members to answer before it reminds them, when its first date is far
# enough ahead.
REMINDER_AFTER = datetime.timedelta(days=2)
# However close its first date, the time a poll gives its members to answer the opening email.
OPENING_EMAIL_TIME = datetime.timedelta(hours=6)
SUBJECT = pgettext_lazy("email subject", "Reminder: which date suits you? %(circle)s")
# To whoever opened the poll: their answers count as every member's do (the tally, the date that
# suits most, their answer to the meeting), and opening it did not give them.
OPENER_SUBJECT = pgettext_lazy(
    "email subject", "Reminder: your own answer to your date poll, %(circle)s"
)


def reminder_due_at(
    opened_at: datetime.datetime, first_ahead: datetime.datetime
) -> datetime.datetime:
    """When a poll opened at `opened_at` reminds the members who have not answered, given the
    first of its dates still ahead.

    REMINDER_AFTER after it opened; sooner when that date is close, halfway from the opening to
    it, so that a poll at short notice (an extra meeting in turmoil, say) reminds before its
    first date rather than after; but never within OPENING_EMAIL_TIME of the opening, so that
    everyone has had the chance to answer the opening email first. When that moment is not
    before the first date, that date goes unreminded; once it has passed, the next date ahead
    sets the moment.
    """
    wait = min(REMINDER_AFTER, (first_ahead - opened_at) / 2)
    return opened_at + max(wait, OPENING_EMAIL_TIME)


def send_poll_reminders(now: datetime.datetime | None = None) -> int:
    """Send the poll reminders that are due and not sent yet; returns how many went out."""
    now = now or timezone.now()
    candidates = (
        Poll.objects.open()
        # None is due sooner than this (reminder_due_at).
        .filter(created_at__lte=now - OPENING_EMAIL_TIME)
        .with_date_ahead(now)
        .select_related("circle")
        .prefetch_related(
            Prefetch("options", PollOption.objects.filter(starts_at__gt=now), to_attr="dates_ahead")
        )
    )
    polls = [
        poll
        for poll in candidates
        if poll.dates_ahead
        and reminder_due_at(poll.created_at, poll.dates_ahead[0].starts_at) <= now
    ]
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
    opened_it = person.pk == poll.created_by_id
    subject = OPENER_SUBJECT if opened_it else SUBJECT
    message = poll_message(
        poll, poll.dates_ahead, person, "emails/poll_reminder", subject, opened_it=opened_it
    )
    if notify.send_one(message, connection):
        return True
    claim.delete()
    return False
