"""actions.carried: the actions carried to meetings, read for many at once."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from actions.carried import carried_to, prefetch_carried
from actions.models import Action
from circles.models import Membership, Sector
from meetings.models import Meeting
from tests.conftest import make_circle, make_meeting, make_person


def make_started(time_machine, n, start) -> list[Meeting]:
    """n circles, each with a dinner that began yesterday and, made before it, an action still
    open (owned by a member), one done before it began and one agreed at it."""
    now = timezone.now()
    meetings = []
    for i in range(start, start + n):
        circle = make_circle(f"Circle {i}", "Utrecht")
        owner = make_person(f"owner{i}")
        Membership.objects.create(person=owner, circle=circle, sector=Sector.POLICE)
        time_machine.move_to(now - datetime.timedelta(days=10))
        meeting = make_meeting(circle, days_ahead=9)
        Action.objects.create(circle=circle, title=f"Open {i}").owners.add(owner)
        done = Action.objects.create(circle=circle, title=f"Done {i}")
        done.status = Action.Status.DONE
        done.save()
        time_machine.move_to(now)
        Action.objects.create(circle=circle, meeting=meeting, title=f"Agreed at {i}")
        meetings.append(meeting)
    return meetings


def carried(meetings) -> list[list[str]]:
    """Of each meeting, the actions carried to it: their titles, and owners if any."""
    return [
        [" · ".join([action.title, *map(str, action.owners.all())]) for action in carried_to(m)]
        for m in meetings
    ]


def read(meetings) -> tuple[list[list[str]], int]:
    """carried() of the meetings (read again from the database), after one prefetch_carried
    for all; and the number of queries that took."""
    meetings = list(Meeting.objects.filter(pk__in=[m.pk for m in meetings]).order_by("pk"))
    with CaptureQueriesContext(connection) as queries:
        prefetch_carried(meetings)
        result = carried(meetings)
    return result, len(queries.captured_queries)


def test_the_actions_carried_to_meetings_that_began_are_read_for_all_at_once(time_machine, circle):
    """Each gets what was open when it began, but what was agreed at it; the queries do not
    grow with the meetings."""
    now = timezone.now()
    time_machine.move_to(now - datetime.timedelta(days=30), tick=False)
    first = make_meeting(circle, days_ahead=10)
    second = make_meeting(circle, days_ahead=20)
    cancelled = make_meeting(circle, days_ahead=15, status=Meeting.Status.CANCELLED)
    Action.objects.create(circle=circle, title="Open all along")
    done_between = Action.objects.create(circle=circle, title="Done between them")
    time_machine.move_to(now - datetime.timedelta(days=15), tick=False)
    done_between.status = Action.Status.DONE
    done_between.save()
    Action.objects.create(circle=circle, meeting=first, title="Agreed at the first")
    time_machine.move_to(now, tick=False)
    listed, few = read([first, second, cancelled, *make_started(time_machine, 2, 0)])
    assert listed == [
        ["Open all along", "Done between them"],
        ["Open all along", "Agreed at the first"],
        [],
        ["Open 0 · Owner0"],
        ["Open 1 · Owner1"],
    ]
    listed, many = read([first, second, cancelled, *make_started(time_machine, 10, 2)])
    assert listed[3:] == [[f"Open {i} · Owner{i}"] for i in range(2, 12)]
    assert many == few
