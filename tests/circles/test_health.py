"""Circle health (circles/health.py): each flag's rule at its boundary, with time frozen."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from actions.models import Action
from circles import services
from circles.health import (
    BEHIND,
    LOW_ATTENDANCE_FLAG,
    NO_DINNER,
    health_for_circles,
    health_for_coordinator,
    member_attendance,
    refresh_summaries,
    with_summary_now,
)
from circles.models import DEFAULT_COMMITMENT, Circle, Membership, Sector
from meetings.models import Meeting
from tests.circles.conftest import AMSTERDAM, NOW, TODAY, days, dinner, member
from tests.conftest import make_circle, make_person, rejoin


def health(circle, now=NOW):
    return health_for_circles([circle], now)[circle.pk]


# No dinner planned in the next 90 days


def test_a_dinner_on_day_90_is_in_time(clock, circle):
    dinner(circle, days(90), hour=23, minute=59)
    assert NO_DINNER not in health(circle).flag_codes


def test_a_dinner_on_day_91_is_too_late(clock, circle):
    dinner(circle, days(91), hour=0, minute=0)
    flags = {flag.code: flag for flag in health(circle).flags}
    assert NO_DINNER in flags
    assert flags[NO_DINNER].message == "No dinner planned in the next 90 days."
    assert "date poll" in flags[NO_DINNER].advice


def test_a_dinner_later_today_counts_one_that_started_does_not(clock, circle):
    dinner(circle, TODAY, hour=9, minute=59)  # started a minute ago
    assert NO_DINNER in health(circle).flag_codes
    dinner(circle, TODAY, hour=10, minute=1)
    assert NO_DINNER not in health(circle).flag_codes


def test_extra_and_cancelled_meetings_do_not_keep_a_circle_alive(clock, circle):
    dinner(circle, days(10), kind=Meeting.Kind.EXTRA)
    dinner(circle, days(20), status=Meeting.Status.CANCELLED)
    assert NO_DINNER in health(circle).flag_codes


# Behind the target: held + planned this year < dinners per year


def test_four_of_five_dinners_this_year_is_behind(clock, circle):
    dinner(circle, datetime.date(2027, 1, 14), attendees=())
    dinner(circle, datetime.date(2027, 2, 11))  # held but not recorded yet: it took place
    dinner(circle, days(30))
    dinner(circle, datetime.date(2027, 12, 31), hour=23, minute=30)
    result = health(circle)
    assert (result.held_this_year, result.planned_this_year) == (2, 2)
    flags = {flag.code: flag for flag in result.flags}
    assert BEHIND in flags
    assert flags[BEHIND].message == "Behind the target: 4 of 5 dinners held or planned in 2027."
    assert flags[BEHIND].advice.startswith("Plan 1 more dinner this year")


def test_five_of_five_dinners_is_on_target(clock, circle):
    for month in (1, 2, 5, 9, 11):
        dinner(circle, datetime.date(2027, month, 10))
    result = health(circle)
    assert BEHIND not in result.flag_codes
    assert (result.held_this_year, result.dinners_this_year, result.target) == (2, 5, 5)


def test_extras_cancelled_and_next_years_dinners_do_not_count_towards_the_target(clock, circle):
    for month in (1, 5, 9, 11):
        dinner(circle, datetime.date(2027, month, 10))
    dinner(circle, datetime.date(2027, 2, 10), kind=Meeting.Kind.EXTRA)
    dinner(circle, datetime.date(2027, 6, 10), status=Meeting.Status.CANCELLED)
    dinner(circle, datetime.date(2028, 1, 1), hour=0, minute=30)  # 31 Dec 23:30 in UTC
    dinner(circle, datetime.date(2026, 12, 31), hour=23, minute=30)
    result = health(circle)
    assert result.dinners_this_year == 4
    assert BEHIND in result.flag_codes


def test_the_target_is_the_circles_own(clock, circle):
    circle.dinners_per_year = 2
    circle.save()
    dinner(circle, days(10))
    dinner(circle, days(40))
    assert BEHIND not in health(circle).flag_codes


# The target of a circle's first year: the months it existed, counting the month it was
# created in, rounded half up. Seen on the last morning of 2026, with 2026 dinners held.

END_OF_2026 = datetime.datetime(2026, 12, 31, 10, 0, tzinfo=AMSTERDAM)
UTC = datetime.UTC
FIRST_YEAR = {
    # (dinners per year, created at): the target in 2026
    "January: the whole target": (5, datetime.datetime(2026, 1, 15, 12, 0, tzinfo=UTC), 5),
    "July: 2.5, half up": (5, datetime.datetime(2026, 7, 1, 12, 0, tzinfo=UTC), 3),
    "July, one a year: 0.5, half up": (1, datetime.datetime(2026, 7, 20, 12, 0, tzinfo=UTC), 1),
    "August, one a year: 0.42": (1, datetime.datetime(2026, 8, 1, 12, 0, tzinfo=UTC), 0),
    "September: 1.67": (5, datetime.datetime(2026, 9, 10, 12, 0, tzinfo=UTC), 2),
    "November: 0.83": (5, datetime.datetime(2026, 11, 30, 12, 0, tzinfo=UTC), 1),
    "December: 0.42, no dinner expected": (5, datetime.datetime(2026, 12, 1, 12, 0, tzinfo=UTC), 0),
    "30 November 23:30 UTC is December in Amsterdam": (
        5,
        datetime.datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
        0,
    ),
    "twelve a year from April: 9": (12, datetime.datetime(2026, 4, 2, 12, 0, tzinfo=UTC), 9),
    "created last year: the whole target": (
        5,
        datetime.datetime(2025, 12, 15, 12, 0, tzinfo=UTC),
        5,
    ),
    "31 December 23:30 UTC is the new year in Amsterdam": (
        5,
        datetime.datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
        5,
    ),
}


@pytest.mark.parametrize(("per_year", "created_at", "target"), FIRST_YEAR.values(), ids=FIRST_YEAR)
def test_the_first_years_target_counts_the_months_the_circle_existed(
    time_machine, db, per_year, created_at, target
):
    """Python (the health card, the planner, the report) and SQL (the staff overview's flag
    count) give the same target, and the same "behind" flag below and at it."""
    time_machine.move_to(END_OF_2026, tick=False)
    circle = make_circle("New", "Utrecht", created_at=created_at, dinners_per_year=per_year)
    in_sql = Circle.objects.annotate(target=Circle.target_in_sql(2026)).get().target
    assert (circle.target_in(2026), in_sql) == (target, target)
    assert circle.target_in(2027) == per_year

    def behind() -> tuple[bool, bool]:
        health = health_for_circles([circle], END_OF_2026)[circle.pk]
        flagged = with_summary_now(Circle.objects.all(), END_OF_2026).filter(flag_behind=True)
        assert health.target == target
        return BEHIND in health.flag_codes, flagged.exists()

    # The circle page and the year report count each member's dinners against it too.
    assert member_attendance(circle, END_OF_2026).target == target

    for n in range(target):
        assert behind() == (True, True)
        dinner(circle, datetime.date(2026, 1, 8) + datetime.timedelta(weeks=n))
    assert behind() == (False, False)


def test_a_circle_created_in_december_is_not_behind_until_the_new_year(time_machine, db):
    created = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=AMSTERDAM)
    time_machine.move_to(created, tick=False)
    circle = Circle.objects.create(name="New", municipality="Utrecht")
    result = health(circle, created)
    assert result.target == 0
    assert BEHIND not in result.flag_codes
    assert NO_DINNER in result.flag_codes  # a dinner within 90 days is still the way to start
    new_year = datetime.datetime(2027, 1, 1, 0, 0, tzinfo=AMSTERDAM)
    flags = {flag.code: flag for flag in health(circle, new_year).flags}
    assert flags[BEHIND].message == "Behind the target: 0 of 5 dinners held or planned in 2027."


# Attendance below half, over the last four recorded dinners


def recorded(circle, people, counts, first=datetime.date(2026, 6, 1)):
    for n, count in enumerate(counts):
        dinner(circle, first + datetime.timedelta(days=30 * n), attendees=people[:count])


def test_exactly_half_is_not_low(four, circle):
    recorded(circle, four, [2, 2, 2, 2])
    result = health(circle)
    assert (result.attended_recent, result.expected_recent) == (8, 16)
    assert result.attendance_percent == 50
    assert LOW_ATTENDANCE_FLAG not in result.flag_codes


def test_just_under_half_is_low(four, circle):
    recorded(circle, four, [2, 2, 2, 1])
    result = health(circle)
    assert (result.attended_recent, result.expected_recent) == (7, 16)
    flags = {flag.code: flag for flag in result.flags}
    assert flags[LOW_ATTENDANCE_FLAG].message == (
        "Low attendance: 44% of the members came to the last 4 dinners."
    )


def test_only_the_last_four_recorded_dinners_count(four, circle):
    recorded(circle, four, [0, 2, 2, 2, 2])  # the empty one is the fifth from the end
    dinner(circle, days(-1))  # held, not recorded: no attendance known yet
    dinner(circle, days(-2), kind=Meeting.Kind.EXTRA, attendees=four[:1])
    result = health(circle)
    assert (result.recent_dinners, result.attended_recent, result.expected_recent) == (4, 8, 16)
    assert LOW_ATTENDANCE_FLAG not in result.flag_codes


def test_members_count_as_they_were_on_the_dinners_day(four, circle):
    recorded(circle, four, [2, 2], first=datetime.date(2027, 1, 10))  # 10 Jan, 9 Feb
    member(circle, "newcomer", joined_on=datetime.date(2027, 2, 9))  # on the day: counts
    member(circle, "late", joined_on=datetime.date(2027, 2, 10))  # after both: never
    member(circle, "gone", left_on=datetime.date(2027, 1, 11))  # counts on 10 Jan only
    member(circle, "left_that_day", left_on=datetime.date(2027, 1, 10))  # never counts
    result = health(circle)
    assert result.expected_recent == (4 + 1) + (4 + 1)
    assert result.attended_recent == 4
    assert LOW_ATTENDANCE_FLAG in result.flag_codes  # 4 of 10


def test_guests_count_on_neither_side_and_late_joiners_on_both(four, circle):
    guest = make_person("guest")
    late = member(circle, "late", joined_on=days(-1))  # recorded at dinners before joining
    recorded(circle, [*four[:1], guest, late], [3, 3, 3, 3])
    result = health(circle)
    # Each dinner: m0 and late came (2), of the four members plus late (5).
    assert (result.attended_recent, result.expected_recent) == (8, 20)
    assert LOW_ATTENDANCE_FLAG in result.flag_codes


def test_the_rate_never_exceeds_everyone(four, circle):
    Membership.objects.filter(circle=circle).update(joined_on=days(-1))
    recorded(circle, four, [4, 4, 4, 4])
    assert health(circle).attendance_percent == 100


def test_no_recorded_dinner_no_rate_and_no_flag(four, circle):
    dinner(circle, days(-10))
    result = health(circle)
    assert result.attendance_rate is None
    assert LOW_ATTENDANCE_FLAG not in result.flag_codes


# The other figures


def test_last_and_next_dinner_actions_and_commitments(clock, circle, coordinator, citizen):
    dinner(circle, days(-20), kind=Meeting.Kind.EXTRA)
    last = dinner(circle, days(-40))
    dinner(circle, days(-10), status=Meeting.Status.CANCELLED)
    upcoming = dinner(circle, days(12))
    dinner(circle, days(5), kind=Meeting.Kind.EXTRA)
    Action.objects.create(circle=circle, title="Late", due_date=days(-1))
    Action.objects.create(circle=circle, title="Due today", due_date=TODAY, status="in_progress")
    Action.objects.create(circle=circle, title="Done", due_date=days(-5), status="done")
    Action.objects.create(circle=circle, title="Dropped", due_date=days(-5), status="dropped")
    Membership.objects.filter(person=coordinator).update(
        committed_on=days(-100), commitment_until=TODAY
    )
    Membership.objects.filter(person=citizen).update(
        committed_on=days(-400), commitment_until=days(-1)
    )
    result = health(circle)
    assert result.last_held == last.starts_at
    assert result.next_planned == upcoming.starts_at
    assert (result.open_actions, result.overdue_actions) == (2, 1)
    assert (result.member_count, result.members_without_commitment) == (2, 1)


OWN = "We eat together and keep in touch."
NEW = "We eat together, keep in touch and bring a dessert."
RESPACED = "  We eat together\r\nand keep in touch.  "


def standard(language: str) -> str:
    with translation.override(language):
        return str(DEFAULT_COMMITMENT)


def agreed(language="en", on=None):
    """The member presses "I commit" on a page in `language` (on `on`, today by default)."""

    def step(membership, by):
        with translation.override(language):
            membership.commit(on)

    return step


def changed(*texts):
    """The circle's text is edited, to each of `texts` in turn, as in Django admin."""

    def step(membership, by):
        for text in texts:
            membership.circle.commitment_text = text
            services.circle_update(circle=membership.circle, by=by)

    return step


# What happened to a member's commitment, and whether they are without a current one.
COMMITMENTS = {
    "never agreed": ((), 1),
    "ran out": ((agreed(on=days(-400)),), 1),
    "runs out today": ((agreed(on=days(-365)),), 0),
    "current text": ((changed(OWN), agreed()), 0),
    "earlier text": ((changed(OWN), agreed(), changed(NEW)), 1),
    "spacing only": ((changed(OWN), agreed(), changed(RESPACED)), 0),
    "changed and changed back": ((changed(OWN), agreed(), changed(NEW, OWN)), 0),
    "standard read in Dutch": ((agreed("nl"),), 0),
    "standard from English to Dutch": ((agreed("en"), changed(standard("nl"))), 0),
    "standard from Dutch to English": (
        (changed(standard("nl")), agreed("nl"), changed(standard("en"))),
        0,
    ),
    "standard respaced, read in Dutch": (
        (agreed("nl"), changed(standard("en").replace(". ", ".\n\n"))),
        0,
    ),
    "standard to the circle's own": ((agreed("nl"), changed(OWN)), 1),
    "own back to the standard": ((changed(OWN), agreed(), changed(standard("en"))), 1),
}


def test_the_figure_counts_as_the_circle_page_does(clock, admin_user):
    """The SQL figure counts whom the circle page asks to commit (again) for having no current
    commitment: never agreed, ran out, or agreed to a text the circle has changed since
    (Membership.agreed_to_earlier_commitment, in Python)."""
    memberships = {}
    for name, (steps, _expected) in COMMITMENTS.items():
        circle = Circle.objects.create(name=name, municipality="Utrecht")
        member(circle, f"{circle.pk}")
        membership = circle.memberships.get()
        for step in steps:
            step(membership, admin_user)
        memberships[name] = membership
    healths = health_for_circles([m.circle_id for m in memberships.values()], NOW)

    in_sql = {
        name: healths[m.circle_id].members_without_commitment for name, m in memberships.items()
    }
    in_python = {}
    for name, membership in memberships.items():
        membership = Membership.objects.select_related("circle").get(pk=membership.pk)
        in_python[name] = int(
            membership.commitment_until is None
            or membership.commitment_has_run_out
            or membership.agreed_to_earlier_commitment
        )
    expected = {name: without for name, (_steps, without) in COMMITMENTS.items()}
    assert in_sql == in_python == expected


def test_an_active_circle_has_no_flags(four, circle):
    recorded(circle, four, [3, 3, 3, 3], first=datetime.date(2026, 10, 1))
    for day in (days(20), days(80), days(150), days(200), days(250)):
        dinner(circle, day)
    assert health(circle).flags == ()


# Many circles at once


def test_one_query_for_any_number_of_circles(clock):
    def measure(count):
        circles = [
            Circle.objects.create(name=f"C{n}", municipality="Utrecht") for n in range(count)
        ]
        for c in circles:
            member(c, f"p{c.pk}")
            dinner(c, days(-30), attendees=[])
            dinner(c, days(30))
        with CaptureQueriesContext(connection) as queries:
            result = health_for_circles(circles, NOW)
        assert len(result) == count
        return len(queries)

    assert measure(3) == measure(60) == 1


def test_the_stored_count_has_the_same_flags_as_health(clock):
    """with_summary_now counts the flags in SQL for the staff overview, which stores the count;
    health_of raises them in Python. Circles on both sides of each rule's boundary must get
    the same flags."""
    states = {
        "quiet": lambda c, people: None,
        "half": lambda c, people: recorded(c, people, [2, 2, 2, 2]),
        "under half": lambda c, people: recorded(c, people, [2, 2, 2, 1]),
        "day 90": lambda c, people: dinner(c, days(90), hour=23, minute=59),
        "day 91": lambda c, people: dinner(c, days(91), hour=0, minute=0),
        "on target": lambda c, people: [
            dinner(c, datetime.date(2027, month, 10)) for month in (1, 2, 5, 9, 11)
        ],
    }
    for name, make in states.items():
        circle = Circle.objects.create(name=name, municipality="Utrecht")
        make(circle, [member(circle, f"{name}-{n}") for n in range(4)])
    healths = health_for_circles(Circle.objects.all(), NOW).values()
    sorted_on = with_summary_now(Circle.objects.all(), NOW)
    refresh_summaries(NOW)
    for count in range(4):
        names = {h.circle.name for h in healths if len(h.flags) == count}
        assert names == set(sorted_on.filter(flags_now=count).values_list("name", flat=True))
        assert names == set(Circle.objects.filter(flag_count=count).values_list("name", flat=True))
    for flag, code in (
        ("flag_no_dinner", NO_DINNER),
        ("flag_behind", BEHIND),
        ("flag_low_attendance", LOW_ATTENDANCE_FLAG),
    ):
        raised = {h.circle.name for h in healths if code in h.flag_codes}
        assert raised == set(sorted_on.filter(**{flag: True}).values_list("name", flat=True))
        assert raised and raised != set(states)  # each rule on both sides of its boundary


def test_the_coordinators_circles_flagged_first(clock, circle, other_circle, coordinator):
    Membership.objects.create(
        person=coordinator, circle=other_circle, sector=Sector.POLICE, is_coordinator=True
    )
    third = Circle.objects.create(name="Not mine", municipality="Almere")
    for day in (days(20), days(80), days(150), days(200), days(250)):
        dinner(other_circle, day)
    with CaptureQueriesContext(connection) as queries:
        result = health_for_coordinator(coordinator, NOW)
    assert len(queries) == 1
    assert [h.circle for h in result] == [circle, other_circle]
    assert result[0].is_flagged and not result[1].is_flagged
    assert third not in [h.circle for h in result]


# Commitment against attendance


def test_members_attended_against_held_this_year(clock, circle, four):
    late = member(circle, "late", joined_on=datetime.date(2027, 2, 1))
    dinner(circle, datetime.date(2026, 12, 1), attendees=four)  # last year
    dinner(circle, datetime.date(2027, 1, 14), attendees=four[:1])
    dinner(circle, datetime.date(2027, 2, 11), attendees=[four[0], late])
    dinner(circle, datetime.date(2027, 2, 20), kind=Meeting.Kind.EXTRA, attendees=four)
    dinner(circle, days(10))  # not held yet
    members = member_attendance(circle, NOW).members
    rows = {row.person.username: (row.attended, row.held) for row in members}
    assert rows == {"m0": (2, 2), "m1": (0, 2), "m2": (0, 2), "m3": (0, 2), "late": (1, 1)}


def test_a_dinner_attended_before_the_joining_date_counts_as_held_for_them(clock, circle):
    invited_late = member(circle, "invited_late", joined_on=datetime.date(2027, 2, 20))
    dinner(circle, datetime.date(2027, 1, 14), attendees=[invited_late])
    dinner(circle, datetime.date(2027, 2, 11))
    (row,) = member_attendance(circle, NOW).members
    assert (row.attended, row.held) == (1, 1)


def test_members_who_left_this_year_count_the_dinners_held_while_they_were_members(
    clock, circle, four
):
    gone = member(circle, "gone", left_on=datetime.date(2027, 2, 1))
    member(circle, "gone_last_year", left_on=datetime.date(2026, 12, 31))
    dinner(circle, datetime.date(2027, 1, 14), attendees=[*four, gone])
    dinner(circle, datetime.date(2027, 2, 11), attendees=four)
    rows = {row.person.username: row for row in member_attendance(circle, NOW).members}
    assert set(rows) == {"m0", "m1", "m2", "m3", "gone"}
    assert (rows["gone"].attended, rows["gone"].held) == (1, 1)
    assert rows["gone"].left_in_year == datetime.date(2027, 2, 1)
    assert (rows["m0"].attended, rows["m0"].held, rows["m0"].left_in_year) == (2, 2, None)


def test_a_past_year_has_the_members_of_that_year(clock, circle, four):
    member(circle, "joined_later", joined_on=datetime.date(2027, 1, 5))
    member(circle, "left_later", left_on=datetime.date(2027, 2, 1))
    member(circle, "joined_and_left", joined_on=datetime.date(2026, 3, 2))
    circle.memberships.filter(person__username="joined_and_left").update(
        left_on=datetime.date(2026, 10, 1)
    )
    member(circle, "left_before", left_on=datetime.date(2025, 12, 31))
    dinner(circle, datetime.date(2026, 2, 5), attendees=four)
    dinner(circle, datetime.date(2026, 6, 4), attendees=four[:1])
    dinner(circle, datetime.date(2026, 11, 5), attendees=four)
    commitment = member_attendance(circle, NOW, year=2026)
    rows = {row.person.username: row for row in commitment.members}
    assert set(rows) == {"m0", "m1", "m2", "m3", "left_later", "joined_and_left"}
    assert (rows["m0"].attended, rows["m0"].held) == (3, 3)
    assert (rows["joined_and_left"].attended, rows["joined_and_left"].held) == (0, 1)
    assert rows["joined_and_left"].joined_in_year == datetime.date(2026, 3, 2)
    assert rows["joined_and_left"].left_in_year == datetime.date(2026, 10, 1)
    assert rows["left_later"].left_in_year is None  # a member all of 2026
    assert (commitment.year, commitment.current) == (2026, False)


def test_a_member_who_left_and_came_back_has_one_row(clock, circle, four):
    """Their dinners counted once, against those held in either period or that they came to
    while away; their sector, coordinator flag and absences from the latest membership."""
    back = member(circle, "back")
    dinner(circle, datetime.date(2027, 1, 7), attendees=[*four, back])
    dinner(circle, datetime.date(2027, 1, 9), attendees=four)
    rejoin(
        circle,
        back,
        datetime.date(2027, 1, 10),
        datetime.date(2027, 1, 20),
        sector=Sector.POLICE,
        is_coordinator=True,
    )
    dinner(circle, datetime.date(2027, 1, 14), attendees=[*four, back])  # away, yet came
    dinner(circle, datetime.date(2027, 1, 17), attendees=four)  # away: not held for them
    for day in (datetime.date(2027, 1, 21), datetime.date(2027, 2, 4), datetime.date(2027, 2, 11)):
        dinner(circle, day, attendees=four)  # back, and missed the last three
    commitment = member_attendance(circle, NOW)
    rows = [row for row in commitment.members if row.person == back]
    assert len(rows) == 1
    (row,) = rows
    assert (row.attended, row.held) == (2, 6)
    assert row.returns == [(datetime.date(2027, 1, 10), datetime.date(2027, 1, 20))]
    assert (row.joined_in_year, row.left_in_year) == (None, None)
    assert commitment.members[0] is row  # police first
    assert row.membership.is_coordinator and row.membership.is_active
    assert [absent.person.username for absent in commitment.absent] == ["back"]


def test_joined_left_came_back_and_left_again_in_a_past_year(clock, circle, four):
    gone = member(circle, "gone", joined_on=datetime.date(2026, 2, 2))
    rejoin(circle, gone, datetime.date(2026, 4, 1), datetime.date(2026, 5, 5))
    rejoin(circle, gone, datetime.date(2026, 7, 1), datetime.date(2026, 9, 9))
    circle.memberships.get(person=gone, left_on__isnull=True).end(datetime.date(2026, 11, 11))
    for month in range(1, 13):
        dinner(circle, datetime.date(2026, month, 20), attendees=four)
    (row,) = [
        row for row in member_attendance(circle, NOW, year=2026).members if row.person == gone
    ]
    # Held while a member: 20 February and March, May, June, September and October.
    assert (row.attended, row.held) == (0, 6)
    assert row.joined_in_year == datetime.date(2026, 2, 2)
    assert row.returns == [
        (datetime.date(2026, 4, 1), datetime.date(2026, 5, 5)),
        (datetime.date(2026, 7, 1), datetime.date(2026, 9, 9)),
    ]
    assert row.left_in_year == datetime.date(2026, 11, 11)


def test_who_left_is_neither_pointed_out_as_absent_nor_asked_to_commit(clock, circle, four):
    gone = member(circle, "gone", left_on=datetime.date(2027, 2, 20))
    for month in (11, 12):
        dinner(circle, datetime.date(2026, month, 1), attendees=four)
    dinner(circle, datetime.date(2027, 2, 1), attendees=four)
    commitment = member_attendance(circle, NOW)
    assert gone.pk in {row.person.pk for row in commitment.members}
    assert commitment.absent == []
    assert gone.pk not in {membership.person_id for membership in commitment.due}
    assert len(commitment.due) == 4  # the four never agreed either


def test_absent_from_the_last_three_recorded_dinners(clock, circle, four):
    newcomer = member(circle, "newcomer", joined_on=datetime.date(2026, 11, 2))
    dinner(circle, datetime.date(2026, 10, 1), attendees=four)
    dinner(circle, datetime.date(2026, 11, 1), attendees=four[:2])
    dinner(circle, datetime.date(2026, 12, 1), attendees=four[:1])
    dinner(circle, datetime.date(2027, 2, 1), attendees=[four[0], four[2]])
    commitment = member_attendance(circle, NOW)
    # m1 came on 1 Nov, before the last three; m3 missed all three; the newcomer joined the
    # day after the first of the three, so three absences are not theirs to answer for.
    assert [row.person.username for row in commitment.absent] == ["m3"]
    assert newcomer.pk in {row.person.pk for row in commitment.members}


def test_nobody_is_pointed_out_before_three_dinners_were_recorded(clock, circle, four):
    dinner(circle, datetime.date(2026, 11, 1), attendees=four[:1])
    dinner(circle, datetime.date(2026, 12, 1), attendees=four[:1])
    assert member_attendance(circle, NOW).absent == []


def test_member_attendance_takes_one_query(clock, circle, four):
    for n in range(5):
        dinner(circle, datetime.date(2026, 3, 1) + datetime.timedelta(days=60 * n), attendees=four)
    rejoin(circle, four[0], datetime.date(2027, 1, 10), datetime.date(2027, 2, 1))
    with CaptureQueriesContext(connection) as queries:
        commitment = member_attendance(circle, NOW)
        [row.person.name for row in commitment.members]
    assert len(queries) == 1
    assert len(commitment.members) == 4  # the one who came back once
