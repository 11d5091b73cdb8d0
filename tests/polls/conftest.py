"""A date poll in the cast's circle, time standing still at Monday 1 March 2027, 10:00."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from polls.models import Poll, PollAnswer, PollOption

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)

# What the poll page and the pick's confirmation tell the coordinator about the answers.
CARRY_OVER = (
    "Each member's answer for the date picked becomes their answer to the meeting (yes:"
    " coming, if need be: maybe, no: not coming), which they can still change."
)


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=AMSTERDAM)


@pytest.fixture
def clock(time_machine, db):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def make_poll(circle, *starts, **extra) -> Poll:
    extra.setdefault("venue_name", "Politiebureau Overvecht")
    poll = Poll.objects.create(circle=circle, **extra)
    for at in starts or (local(2027, 3, 18, 18, 30), local(2027, 3, 25, 18, 30)):
        PollOption.objects.create(poll=poll, starts_at=at)
    return poll


def passed_poll(circle, title="Extra meeting") -> Poll:
    """An open date poll whose dates have both passed."""
    now = timezone.now()
    return make_poll(
        circle, now - datetime.timedelta(days=2), now - datetime.timedelta(hours=1), title=title
    )


def poll_ahead(circle, title="Spring dinner") -> Poll:
    """An open date poll whose dates are a week and two weeks ahead (make_poll's own dates are
    in March 2027, ahead only on the polls tests' clock)."""
    now = timezone.now()
    return make_poll(
        circle, now + datetime.timedelta(days=7), now + datetime.timedelta(days=14), title=title
    )


def polls_answered_by(person, circle, other_circle) -> tuple[Poll, Poll, Poll]:
    """An open and a closed poll of `circle`, and an open one of `other_circle` (`person` a
    member of it too), each with `person`'s answers: what leaving `circle` withdraws, and what
    it keeps."""
    poll, closed, elsewhere = (poll_ahead(c) for c in (circle, circle, other_circle))
    Poll.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
    other_circle.memberships.create(person=person, sector="community")
    for each in (poll, closed, elsewhere):
        answer(each, person, "yes", "if_need_be")
    return poll, closed, elsewhere


# The next step that asks a poll's coordinators to close it (dashboard and circle page).
TO_CLOSE = "Every date of the date poll “{}” ({}) has passed: close it."


@pytest.fixture
def poll(clock, circle, cast):
    """Three Thursdays in March; nobody answered yet."""
    return make_poll(
        circle,
        local(2027, 3, 11, 18, 30),
        local(2027, 3, 18, 18, 30),
        local(2027, 3, 25, 19, 0),
        title="Spring dinner",
        venue_address="Zamenhofdreef 20, Utrecht",
    )


def answer(poll, person, *answers):
    """The person's answers, in the order of the poll's dates."""
    for option, value in zip(poll.options.order_by("starts_at"), answers, strict=True):
        PollAnswer.objects.update_or_create(
            option=option, person=person, defaults={"answer": value}
        )
