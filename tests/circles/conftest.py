"""Time standing still at Monday 1 March 2027, 10:00, and helpers to build a circle's history."""

import datetime
import zoneinfo

import pytest

from circles.models import Membership, Sector
from meetings.models import Attendance, Meeting
from tests.conftest import make_person

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
# Monday 1 March 2027, 10:00: today + 90 days is Sunday 30 May 2027.
NOW = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)
TODAY = NOW.date()


@pytest.fixture
def clock(time_machine, db):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def dinner(circle, day, *, hour=18, minute=30, attendees=(), **extra) -> Meeting:
    """A meeting on a local day; recorded (status HELD) when attendees are given."""
    starts = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=AMSTERDAM)
    if attendees:
        extra.setdefault("status", Meeting.Status.HELD)
    meeting = Meeting.objects.create(
        circle=circle,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue_name="Politiebureau",
        **extra,
    )
    Attendance.objects.bulk_create(Attendance(meeting=meeting, person=p) for p in attendees)
    return meeting


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def member(circle, username, joined_on=datetime.date(2020, 1, 1), **extra):
    person = make_person(username)
    Membership.objects.create(
        person=person, circle=circle, sector=Sector.COMMUNITY, joined_on=joined_on, **extra
    )
    return person


@pytest.fixture
def four(clock, circle):
    """Four members (community) since 2020: m0 to m3."""
    return [member(circle, f"m{n}") for n in range(4)]
