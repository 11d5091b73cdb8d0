"""The summary stored on each circle that the staff overview sorts on (the number of flags, the
last and the next dinner): worked out again after each kind of change to the rows it comes
from, and when time alone changes it."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from circles import health
from circles.health import health_for_circles, refresh_summaries
from circles.models import Circle, Membership
from meetings.models import Attendance, Meeting
from meetings.services import meeting_cancel, meeting_record, meeting_update
from tests.circles.conftest import AMSTERDAM, NOW, days, dinner, member


def stored_flags(circle, now=NOW) -> int:
    """The stored number of flags, once the whole stored summary is found to be the health."""
    stored = Circle.objects.get(pk=circle.pk)
    health = health_for_circles([circle], now)[circle.pk]
    summary = (stored.flag_count, stored.last_dinner_at, stored.next_dinner_at)
    assert summary == (len(health.flags), health.last_held, health.next_planned)
    return stored.flag_count


def recorded_dinners(circle, people, came):
    """Dinners recorded in the last weeks, the first `came[i]` people at the i-th."""
    meetings = []
    for n, count in enumerate(came):
        meeting = dinner(circle, days(-10 * (n + 1)), status=Meeting.Status.HELD)
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, person=p) for p in people[:count]
        )
        meetings.append(meeting)
    return meetings


def on_target(circle):
    """With the two recorded dinners: five this year, the next one within 90 days."""
    for month in (4, 9, 11):
        dinner(circle, datetime.date(2027, month, 10))


@pytest.fixture
def lively(clock, circle):
    """Everybody came to the recorded dinners, on target, a dinner within 90 days: no flag."""
    people = [member(circle, f"m{n}") for n in range(4)]
    recorded_dinners(circle, people, [4, 4])
    on_target(circle)
    refresh_summaries(NOW)
    assert stored_flags(circle) == 0
    return people


def postpone_the_next_dinner(circle, people):
    """To day 100: nothing within 90 days."""
    meeting = circle.meetings.filter(starts_at__gte=NOW).order_by("starts_at").first()
    later = datetime.timedelta(days=(days(100) - meeting.starts_at.date()).days)
    meeting_update(
        meeting=meeting,
        changes={"starts_at": meeting.starts_at + later, "ends_at": meeting.ends_at + later},
    )


def cancel_the_next_dinners(circle, people):
    """Nothing within 90 days, and behind the target."""
    for meeting in circle.meetings.filter(starts_at__gte=NOW):
        meeting_cancel(meeting=meeting)


def record_poor_dinners(circle, people):
    """5 of the 16 expected at the last four."""
    for day, came in ((-1, 0), (-2, 0), (-3, 1)):
        meeting = dinner(circle, days(day))
        meeting_record(meeting=meeting, by=people[0], attendees=people[:came], minutes="")


def delete_attendances(circle, people):
    for attendance in Attendance.objects.filter(meeting__circle=circle):
        attendance.delete()


def many_joined_back_then(circle, people):
    """8 of the 20 expected."""
    for n in range(6):
        member(circle, f"new{n}", joined_on=datetime.date(2020, 1, 1))


def raise_the_target(circle, people):
    circle.dinners_per_year = 12
    circle.save()


@pytest.mark.parametrize(
    "change",
    [
        postpone_the_next_dinner,
        cancel_the_next_dinners,
        record_poor_dinners,
        delete_attendances,
        many_joined_back_then,
        raise_the_target,
    ],
)
def test_a_change_is_counted_at_the_next_refresh(lively, circle, change):
    change(circle, lively)
    assert refresh_summaries(NOW) == 1
    assert stored_flags(circle) > 0


def attend_after_all(circle, people):
    """Attendance added afterwards: everybody came."""
    for meeting in circle.meetings.filter(status=Meeting.Status.HELD):
        for person in people[1:]:
            Attendance.objects.create(meeting=meeting, person=person)


def left_back_then(circle, people):
    """An earlier leaving date: only the one who came was expected."""
    for membership in Membership.objects.filter(circle=circle, person__in=people[1:]):
        membership.left_on = days(-100)
        membership.save()


def delete_the_people(circle, people):
    """Their memberships go with them."""
    for person in people[1:]:
        person.delete()


@pytest.mark.parametrize("change", [attend_after_all, left_back_then, delete_the_people])
def test_a_change_to_low_attendance_is_counted(clock, circle, change):
    """From low attendance (one of four came) to none: each change takes the flag away."""
    people = [member(circle, f"m{n}") for n in range(4)]
    recorded_dinners(circle, people, [1, 1])
    on_target(circle)
    refresh_summaries(NOW)
    assert stored_flags(circle) == 1
    change(circle, people)
    assert refresh_summaries(NOW) == 1
    assert stored_flags(circle) == 0


def move_a_dinner(circle, other_circle):
    """The other circle's next dinner: it has nothing within 90 days any more."""
    moved = other_circle.meetings.filter(starts_at__gte=NOW).order_by("starts_at").first()
    moved.circle = circle
    moved.save()


def move_an_attendance(circle, other_circle):
    """Recorded at the wrong dinner: nobody came to the other circle's recorded dinner."""
    attendance = Attendance.objects.get(meeting__circle=other_circle)
    attendance.meeting = circle.meetings.filter(status=Meeting.Status.HELD).first()
    attendance.save()


def move_a_membership(circle, other_circle):
    """The other circle's only member, who stayed away, is put in this circle: nobody was
    expected there any more, and 8 of 10 came here."""
    membership = Membership.objects.get(circle=other_circle)
    membership.circle = circle
    membership.save()


@pytest.mark.parametrize(
    ("move", "came", "other_flags"),
    [(move_a_dinner, 1, (0, 1)), (move_an_attendance, 1, (0, 1)), (move_a_membership, 0, (1, 0))],
)
def test_a_row_moved_to_another_circle_counts_again_in_both(
    lively, circle, other_circle, move, came, other_flags
):
    for month in (4, 6, 9, 11, 12):
        dinner(other_circle, datetime.date(2027, month, 10))
    recorded_dinners(other_circle, [member(other_circle, "other")], [came])
    refresh_summaries(NOW)
    assert stored_flags(other_circle) == other_flags[0]
    move(circle, other_circle)
    assert refresh_summaries(NOW) == 2
    assert stored_flags(other_circle) == other_flags[1]
    assert stored_flags(circle) == 0


def test_a_deleted_dinner_counts_again(lively, circle):
    circle.meetings.filter(starts_at__gte=NOW).order_by("starts_at").first().delete()
    assert refresh_summaries(NOW) == 1
    assert stored_flags(circle) == 2  # nothing within 90 days, behind the target


def test_an_attendance_deleted_in_the_admin_counts_again(lively, circle, admin_client):
    attendance = Attendance.objects.filter(meeting__circle=circle).first()
    url = f"/admin/meetings/attendance/{attendance.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Attendance.objects.filter(pk=attendance.pk).exists()
    assert refresh_summaries(NOW) == 1
    assert stored_flags(circle) == 0  # 7 of 8 came


def test_the_count_holds_until_the_next_dinner_starts(clock, circle):
    people = [member(circle, f"m{n}") for n in range(2)]
    recorded_dinners(circle, people, [2, 2])
    soon = dinner(circle, days(10))
    for month in (9, 11):
        dinner(circle, datetime.date(2027, month, 10))
    refresh_summaries(NOW)
    assert stored_flags(circle) == 0
    circle.refresh_from_db()
    assert circle.summary_valid_until == soon.starts_at

    assert refresh_summaries(soon.starts_at - datetime.timedelta(seconds=1)) == 0
    started = soon.starts_at + datetime.timedelta(seconds=1)
    assert refresh_summaries(started) == 1
    assert stored_flags(circle, started) == 1  # no dinner planned


def test_the_count_holds_until_a_later_dinner_comes_within_90_days(clock, circle):
    people = [member(circle, f"m{n}") for n in range(2)]
    recorded_dinners(circle, people, [2])
    dinner(circle, days(100))  # Wednesday 9 June: within 90 days from Thursday 11 March
    for month in (6, 9, 10, 11):
        dinner(circle, datetime.date(2027, month, 10))
    refresh_summaries(NOW)
    assert stored_flags(circle) == 1  # no dinner planned
    circle.refresh_from_db()
    comes_within = datetime.datetime.combine(days(10), datetime.time.min, tzinfo=AMSTERDAM)
    assert circle.summary_valid_until == comes_within

    assert refresh_summaries(comes_within - datetime.timedelta(seconds=1)) == 0
    assert refresh_summaries(comes_within) == 1
    assert stored_flags(circle, comes_within) == 0


def test_the_count_holds_until_the_new_year(clock, circle):
    """Without a dinner planned, a count holds until a new year brings a new target. (Without
    any dinner, too: no last and no next dinner to store.)"""
    refresh_summaries(NOW)
    circle.refresh_from_db()
    new_year = datetime.datetime(2028, 1, 1, tzinfo=AMSTERDAM)
    assert circle.summary_valid_until == new_year
    assert stored_flags(circle) == 2  # no dinner planned, behind the target
    assert refresh_summaries(new_year - datetime.timedelta(seconds=1)) == 0
    assert refresh_summaries(new_year) == 1


def test_a_count_taken_before_a_change_is_not_stored(lively, circle, monkeypatch):
    """A change that commits between the count and its storing: the outdated count would
    hold for months; it is dropped, and the next refresh counts again."""
    Circle.objects.filter(pk=circle.pk).update(summary_valid_until=None)
    store = health._store_summaries

    def change_first(rows):
        cancel_the_next_dinners(circle, lively)
        return store(rows)

    monkeypatch.setattr(health, "_store_summaries", change_first)
    assert refresh_summaries(NOW) == 0
    circle.refresh_from_db()
    assert circle.summary_valid_until is None
    monkeypatch.undo()
    assert refresh_summaries(NOW) == 1
    assert stored_flags(circle) == 2


def test_saving_a_circle_loaded_before_a_change_keeps_the_change(lively, circle):
    loaded = Circle.objects.get(pk=circle.pk)
    cancel_the_next_dinners(circle, lively)
    cleared = Circle.objects.get(pk=circle.pk).summary_version
    loaded.name = "Renamed"
    loaded.save()
    after = Circle.objects.get(pk=circle.pk)
    assert after.name == "Renamed"
    assert after.summary_valid_until is None
    assert after.summary_version > cleared  # never back to the version loaded


def test_queries_do_not_grow_with_the_circles_to_count(clock):
    def refresh_queries(count):
        for n in range(count):
            circle = Circle.objects.create(name=f"C{n}", municipality="Utrecht")
            dinner(circle, days(20))
        with CaptureQueriesContext(connection) as queries:
            assert refresh_summaries(NOW) == count
        return len(queries)

    # Find, work out, lock (in a savepoint) and store.
    assert refresh_queries(3) == refresh_queries(60) <= 6
    with CaptureQueriesContext(connection) as queries:
        assert refresh_summaries(NOW) == 0
    assert len(queries) == 1


def test_more_circles_than_one_update_holds(clock, monkeypatch):
    monkeypatch.setattr(health, "BATCH", 2)
    circles = [Circle.objects.create(name=f"C{n}", municipality="Utrecht") for n in range(5)]
    dinner(circles[0], days(20))
    assert refresh_summaries(NOW) == 5
    assert [stored_flags(circle) for circle in circles] == [1, 2, 2, 2, 2]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
@pytest.mark.django_db(transaction=True)
def test_a_circle_another_transaction_holds_is_left_for_the_next_visit():
    """Waiting for a transaction that is changing a circle could deadlock with one that clears
    several circles in turn; its summary is cleared again as it commits anyway."""
    held, free = (Circle.objects.create(name=name, municipality="Utrecht") for name in "ab")
    locked, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            Circle.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(10)
        connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # fail, not hang, if it waits
        assert refresh_summaries() == 1
        assert Circle.objects.get(pk=held.pk).summary_valid_until is None
        assert Circle.objects.get(pk=free.pk).summary_valid_until is not None
    finally:
        release.set()
        holder.join()
    assert refresh_summaries() == 1
