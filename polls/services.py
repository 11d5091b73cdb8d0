"""Date polls: opening one, answering, and picking the date that becomes the meeting."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop, pgettext_lazy
from simple_history.utils import bulk_create_with_history

from circles.models import Circle, Membership
from meetings import notify
from meetings.models import Meeting, Response
from meetings.services import meeting_schedule
from polls.models import Poll, PollAnswer, PollOption

logger = logging.getLogger(__name__)

OPENED_SUBJECT = pgettext_lazy("email subject", "Which date suits you? %(circle)s")
CLOSED_SUBJECT = pgettext_lazy("email subject", "No date found: %(circle)s")


class PollClosedError(Exception):
    """The poll was closed (a date picked, or closed without one) in the meantime."""


def poll_url(poll: Poll) -> str:
    """The poll page (polls:detail), written out like meetings.calendar.meeting_url so that
    emails need nothing but the poll."""
    return f"{settings.SITE_URL}/polls/{poll.pk}/"


@transaction.atomic
def poll_open(
    *,
    circle: Circle,
    created_by,
    candidates: list[datetime.datetime],
    kind: str = Meeting.Kind.DINNER,
    title: str = "",
    venue_name: str,
    venue_address: str = "",
    venue_kind: str,
) -> Poll:
    """Open a date poll with its candidate dates and ask the members to answer."""
    poll = Poll.objects.create(
        circle=circle,
        created_by=created_by,
        kind=kind,
        title=title,
        venue_name=venue_name,
        venue_address=venue_address,
        venue_kind=venue_kind,
    )
    PollOption.objects.bulk_create(PollOption(poll=poll, starts_at=at) for at in candidates)
    transaction.on_commit(lambda: send_poll_opened(poll.pk), robust=True)
    return poll


@transaction.atomic
def poll_answer(*, poll: Poll, person, answers: dict[PollOption, str]) -> None:
    """Record (or change) the person's answer for each date, while the poll is open. The
    poll's row is locked while they are written: a pick (poll_pick, which carries the answers
    to the meeting) that closes it meanwhile waits, and one that closed it first is seen."""
    if not Poll.objects.open().select_for_update().filter(pk=poll.pk).values_list("pk"):
        raise PollClosedError
    for option, answer in answers.items():
        PollAnswer.objects.update_or_create(
            option=option, person=person, defaults={"answer": answer}
        )


@transaction.atomic
def poll_pick(*, poll: Poll, option: PollOption) -> Meeting:
    """Close the poll on this date: the meeting is created, the members' answers for the date
    become their answers to it, and the members are invited (once, after commit), each told
    the answer they have. A second pick of the same poll raises PollClosedError and sends
    nothing."""
    closed = Poll.objects.filter(pk=poll.pk, closed_at__isnull=True).update(
        closed_at=timezone.now(), chosen=option
    )
    if not closed:
        raise PollClosedError
    circle = poll.circle
    meeting = meeting_schedule(
        circle=circle,
        kind=poll.kind,
        title=poll.title,
        starts_at=option.starts_at,
        ends_at=option.starts_at + datetime.timedelta(minutes=circle.dinner_minutes),
        venue_name=poll.venue_name,
        venue_address=poll.venue_address,
        venue_kind=poll.venue_kind,
        # The members chose the date together: it is settled, not tentative.
        status=Meeting.Status.CONFIRMED,
        from_poll=True,
    )
    Poll.objects.filter(pk=poll.pk).update(meeting=meeting)
    _carry_answers(option=option, meeting=meeting)
    return meeting


# A member's answer for the picked date, as their answer to the meeting.
CARRIED = {
    PollAnswer.Answer.YES: Response.Answer.ATTENDING,
    PollAnswer.Answer.IF_NEED_BE: Response.Answer.MAYBE,
    PollAnswer.Answer.NO: Response.Answer.NOT_ATTENDING,
}
# The history's reason for those answers (translated where admin shows it).
CARRIED_REASON = gettext_noop("Carried over from the date poll")


def _carry_answers(*, option: PollOption, meeting: Meeting) -> list[Response]:
    """Each active member who answered the poll for the picked date has that answer to the new
    meeting: nobody answers twice. The dietary needs are the profile's, as for any first answer
    (Response.first_dietary_needs). Who did not answer the poll answers the meeting as usual.
    One query and two inserts (with the history), however many members."""
    members = Membership.objects.active().filter(circle=meeting.circle_id).values("person")
    answers = option.answers.filter(person__in=members).select_related("person").order_by()
    responses = []
    for answer in answers:
        response = Response(
            meeting=meeting,
            person=answer.person,
            answer=CARRIED[answer.answer],
            dietary_needs=Response.first_dietary_needs(answer.person, CARRIED[answer.answer]),
        )
        # Their own answer, given in the poll: the history names them, not whoever picked.
        response._history_user = answer.person
        responses.append(response)
    return bulk_create_with_history(responses, Response, default_change_reason=CARRIED_REASON)


@transaction.atomic
def poll_close(*, poll: Poll) -> None:
    """Close the poll without a date (no meeting); the members who were asked are told, once,
    after commit."""
    if not Poll.objects.filter(pk=poll.pk, closed_at__isnull=True).update(closed_at=timezone.now()):
        raise PollClosedError
    transaction.on_commit(lambda: send_poll_closed(poll.pk), robust=True)


def send_poll_opened(poll_id: int) -> int:
    """Ask each member (their own message, in their language) to answer; returns how many went."""
    poll = Poll.objects.select_related("circle").filter(pk=poll_id).first()
    if poll is None or not poll.is_open:
        return 0
    return _mail_members(poll, poll.options.all(), "emails/poll_opened", OPENED_SUBJECT)


def send_poll_closed(poll_id: int) -> int:
    """Tell each member that no date came of the poll, so they need not keep its dates still
    ahead free (a date gone by is nobody's to keep; none, and the email names none); returns
    how many went."""
    poll = Poll.objects.select_related("circle").filter(pk=poll_id).first()
    if poll is None or poll.is_open:
        return 0
    ahead = poll.options.filter(starts_at__gt=timezone.now())
    return _mail_members(poll, ahead, "emails/poll_closed", CLOSED_SUBJECT)


def _mail_members(poll: Poll, options, template: str, subject) -> int:
    """The poll's email, naming these of its dates, to each member who can be emailed."""
    options = list(options)
    messages = [
        poll_message(poll, options, person, template, subject)
        for person in notify.recipients(poll.circle)
    ]
    return notify.send_each(messages)


def poll_message(poll: Poll, options, person, template: str, subject, **extra):
    """The poll's email to one person, in their language; `extra` goes to the template."""
    ctx = {"poll": poll, "options": options, "poll_url": poll_url(poll), **extra}
    return notify.compose_for(person, subject, template, ctx, params={"circle": poll.circle.name})
