"""A constructed year for the report's tests: known meetings, attendance and actions."""

import datetime
import zoneinfo

import pytest

from actions.models import Action
from circles.models import Membership, Sector
from meetings.models import AgendaItem, Attendance, Meeting, Topic
from tests.conftest import make_person

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOW = datetime.datetime(2026, 10, 1, 12, 0, tzinfo=AMSTERDAM)
URL = "/circles/{}/report/2026/"


@pytest.fixture
def clock(time_machine, db):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def at(month, day, year=2026, hour=18, minute=30):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def meeting(circle, starts, *, attendees=(), topics=(), **extra):
    if attendees:
        extra.setdefault("status", Meeting.Status.HELD)
    made = Meeting.objects.create(
        circle=circle,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue_name="Politiebureau",
        **extra,
    )
    Attendance.objects.bulk_create(Attendance(meeting=made, person=p) for p in attendees)
    for order, name in enumerate(topics):
        AgendaItem.objects.create(meeting=made, topic=Topic.objects.get(name=name), order=order)
    return made


def leaver(circle, attended, left_on, username="leaver"):
    """A coordinator of the circle since 2025 who came to the dinners `attended` (month, day,
    and year if not 2026) and left on `left_on`."""
    person = make_person(username)
    membership = Membership.objects.create(
        person=person,
        circle=circle,
        sector="police",
        joined_on=datetime.date(2025, 1, 1),
        is_coordinator=True,
    )
    Attendance.objects.bulk_create(
        Attendance(meeting=circle.meetings.get(starts_at=at(*day)), person=person)
        for day in attended
    )
    membership.end(left_on)
    return person


@pytest.fixture
def year(clock, circle, cast):
    """2026 in Overvecht, seen on 1 October 2026.

    Members since 2025: coordinator and officer (police), clerk (municipality), citizen
    (community); a newcomer (community) from 1 June 2026; a guest who is no member.
    """
    Membership.objects.filter(circle=circle).update(joined_on=datetime.date(2025, 1, 1))
    c, o, k, z = (cast[name] for name in ("coordinator", "officer", "clerk", "citizen"))
    newcomer = make_person("newcomer")
    Membership.objects.create(
        person=newcomer,
        circle=circle,
        sector=Sector.COMMUNITY,
        joined_on=datetime.date(2026, 6, 1),
    )
    guest = make_person("guest")
    last_year = meeting(circle, at(12, 10, year=2025), attendees=[c, o, k, z], topics=["Poverty"])
    d1 = meeting(circle, at(2, 12), attendees=[c, o, k, z], topics=["Polarisation", "Nuisance"])
    d2 = meeting(circle, at(4, 16), attendees=[c, k, guest], topics=["Nuisance"])
    meeting(
        circle,
        at(5, 7),
        kind=Meeting.Kind.EXTRA,
        title="After the fire",
        attendees=[o, z],
        topics=["Radicalisation"],
    )
    meeting(circle, at(6, 18), attendees=[c, newcomer])
    meeting(circle, at(7, 9), status=Meeting.Status.CANCELLED, topics=["Poverty"])
    meeting(circle, at(9, 10))  # held, attendance not recorded yet
    meeting(circle, at(11, 19), topics=["Poverty"])  # planned
    meeting(circle, at(1, 14, year=2027))
    actions = [
        ("Walk with youth workers", d1, "done", datetime.date(2026, 3, 1)),
        ("Leaflets", d1, "dropped", datetime.date(2026, 3, 1)),
        ("=HYPERLINK(1)", d2, "open", datetime.date(2026, 9, 1)),  # overdue
        ("Lighting in the underpass", d2, "in_progress", datetime.date(2026, 12, 1)),
        ("Agreed on WhatsApp", None, "open", None),
        ("Last year's action", last_year, "open", datetime.date(2026, 1, 31)),
    ]
    for title, agreed_at, status, due in actions:
        Action.objects.create(
            circle=circle, meeting=agreed_at, title=title, status=status, due_date=due
        )
    return circle
