"""The snippets the lead includes on the circle page and the dashboard: health, commitment
against attendance, and open date polls."""

import datetime
import re

from django.template.loader import render_to_string
from django.utils import translation

from circles import services
from circles.health import health_for_circles, member_attendance
from circles.models import Membership
from meetings.models import Attendance
from polls.models import Poll
from tests.circles.conftest import NOW, days, dinner
from tests.polls.conftest import answer, make_poll


def render_health(circle, now=NOW, **ctx) -> str:
    health = health_for_circles([circle], now)[circle.pk]
    return render_to_string("circles/_health.html", {"health": health, **ctx})


def behind_in_december(circle, day):
    """Three of 2027's five dinners held; seen on `day` of December 2027, 10:00."""
    for month in (2, 5, 9):
        dinner(circle, datetime.date(2027, month, 4))
    dinner(circle, datetime.date(2028, 1, 20))  # the next year's first: no 90-day flag
    return datetime.datetime(2027, 12, day, 10, 0, tzinfo=NOW.tzinfo)


def test_each_flag_says_what_to_do_and_coordinators_get_the_way_there(clock, circle):
    html = render_health(circle, is_coordinator=True)
    assert "No dinner planned in the next 90 days." in html
    assert "Plan the next dinner now, or offer a few dates in a date poll" in html
    assert "Behind the target: 0 of 5 dinners held or planned in 2027." in html
    assert "Plan 5 more dinners this year" in html
    # Once for both flags: the same two buttons under each read as twice the work.
    assert html.count(f'href="/circles/{circle.pk}/polls/new/"') == 1
    assert html.count(f'href="/circles/{circle.pk}/plan/2027/"') == 1
    assert "health-flagged" in html


def test_behind_the_target_alone_gets_the_way_there_and_a_healthy_circle_none(clock, circle):
    dinner(circle, days(40))
    html = render_health(circle, is_coordinator=True)
    assert "Behind the target" in html and "No dinner planned" not in html
    assert html.count(f'href="/circles/{circle.pk}/polls/new/"') == 1
    for n in range(2, 6):
        dinner(circle, days(40 * n))
    assert "/polls/new/" not in render_health(circle, is_coordinator=True)


def test_in_december_behind_the_target_offers_next_years_planner_as_well(clock, circle):
    now = behind_in_december(circle, 1)
    html = render_health(circle, now, is_coordinator=True)
    assert "Behind the target: 3 of 5 dinners held or planned in 2027." in html
    assert "Plan 2 more dinners this year" in html
    assert f'href="/circles/{circle.pk}/plan/2027/">Plan 2027</a>' in html
    assert f'href="/circles/{circle.pk}/plan/2028/">Plan 2028</a>' in html
    assert "Open the year planner" not in html


def test_once_no_dinner_fits_this_year_it_offers_only_next_years_planner(clock, circle):
    # 17 December 2027: a fortnight ahead is the 31st, a Friday; no Thursday is left.
    now = behind_in_december(circle, 17)
    html = render_health(circle, now, is_coordinator=True)
    assert "Behind the target: 3 of 5 dinners held or planned in 2027." in html
    assert "No more dinner fits in what is left of 2027: plan the dinners of 2028 now" in html
    assert "Plan 2 more dinners this year" not in html
    assert f'href="/circles/{circle.pk}/plan/2027/"' not in html
    assert f'href="/circles/{circle.pk}/plan/2028/">Plan 2028</a>' in html


def test_members_read_the_flags_without_the_coordinators_buttons(clock, circle):
    html = render_health(circle, is_coordinator=False)
    assert "No dinner planned in the next 90 days." in html
    assert "/polls/new/" not in html
    assert "Call an extra meeting" not in html


def test_low_attendance_points_to_the_report(clock, circle, four):
    for n in range(4):
        dinner(circle, days(-100 + 20 * n), attendees=four[:1])
    html = render_health(circle, is_coordinator=True)
    assert "Low attendance: 25% of the members came to the last 4 dinners." in html
    assert f'href="/circles/{circle.pk}/report/2027/"' in html


def test_a_healthy_circle_says_all_is_well_with_its_figures(clock, circle, four):
    dinner(circle, days(-30), attendees=four)
    for n in range(1, 5):
        dinner(circle, days(40 * n))
    Membership.objects.filter(person=four[0]).update(
        committed_on=days(-10), commitment_until=days(300)
    )
    html = render_health(circle)
    assert "On track" in html
    assert "1 held, 4 planned, target 5" in html
    assert "100% at the last dinner" in html
    assert "3 of 4" in html  # members without a current commitment
    assert "health-flagged" not in html


def test_members_who_agreed_to_an_earlier_text_count_as_not_agreed(clock, circle, four, admin_user):
    """Asked to commit again, they are counted with those who never agreed or whose
    commitment ran out, and the label says so."""
    first, second, *_never = (person.memberships.get() for person in four)
    first.commit()
    second.commit()
    circle.commitment_text = "We eat together, keep in touch and bring a dessert."
    services.circle_update(circle=circle, by=admin_user)
    Membership.objects.get(pk=first.pk).commit()  # to the new text; the second, the earlier
    html = render_health(circle)
    figure = re.search(r">([^<>]*)</dt>\s*<dd[^>]*>([^<>]*)</dd>\s*</dl>", html)
    assert figure.groups() == ("Not (or no longer) agreed to the current commitment", "3 of 4")


def test_on_the_dashboard_the_heading_names_the_circle(clock, circle):
    html = render_health(circle, show_circle=True, heading_level=3)
    assert f'<h3 id="health-{circle.pk}" class="h5 card-title">' in html
    assert "Overvecht Allies" in html


def test_the_coordinator_is_told_who_stayed_away(clock, circle, four):
    for n in range(3):
        dinner(circle, days(-90 + 30 * n), attendees=four[:2])
    commitment = member_attendance(circle, NOW)
    html = render_to_string(
        "circles/_commitment.html", {"commitment": commitment, "is_coordinator": True}
    )
    assert "Absent from the last three dinners:" in html
    assert "M2, M3" in html
    assert html.count("absent lately") == 2
    assert "Commitment and attendance in 2027" in html
    assert html.count("1 of 1") == 2 and html.count("0 of 1") == 2  # one of them this year


def test_members_see_the_table_but_nobody_is_pointed_out(clock, circle, four):
    for n in range(3):
        dinner(circle, days(-90 + 30 * n), attendees=four[:2])
    html = render_to_string(
        "circles/_commitment.html", {"commitment": member_attendance(circle, NOW)}
    )
    assert "Absent from the last three dinners" not in html
    assert "absent lately" not in html
    assert "M3" in html


def test_absent_only_shows_just_the_absentees_and_nothing_when_there_are_none(clock, circle, four):
    for n in range(3):
        dinner(circle, days(-90 + 30 * n), attendees=four[:2])
    ctx = {"commitment": member_attendance(circle, NOW), "absent_only": True}
    html = render_to_string("circles/_commitment.html", {**ctx, "is_coordinator": True})
    assert "M2, M3" in html and "<table" not in html
    assert not render_to_string("circles/_commitment.html", ctx).strip()  # not a coordinator
    for person in four[2:]:
        Attendance.objects.create(meeting=circle.meetings.last(), person=person)
    ctx["commitment"] = member_attendance(circle, NOW)
    assert not render_to_string("circles/_commitment.html", {**ctx, "is_coordinator": True}).strip()


def test_open_polls_are_listed_for_the_circle_page(clock, circle, coordinator):
    poll = make_poll(circle, title="Spring dinner")
    make_poll(circle, title="Old", closed_at=NOW - datetime.timedelta(days=1))
    html = render_to_string("polls/_open_polls.html", {"open_polls": circle.polls.open()})
    assert f'href="/polls/{poll.pk}/"' in html
    assert "Spring dinner" in html and "Old" not in html
    assert not render_to_string(
        "polls/_open_polls.html", {"open_polls": Poll.objects.none()}
    ).strip()


def test_polls_awaiting_my_answer(clock, circle, other_circle, citizen, outsider):
    mine = make_poll(circle, title="Mine")
    answered = make_poll(circle, title="Answered")
    answer(answered, citizen, "yes", "no")
    make_poll(other_circle, title="Elsewhere")
    assert list(Poll.objects.awaiting_answer(citizen)) == [mine]


def test_dutch_readers_get_the_month_by_name_as_english_ones_do(clock, circle):
    """Numeric Dutch dates ("10-4-2027") stood beside named months everywhere else."""
    dinner(circle, days(31))
    with translation.override("nl"):
        html = render_health(circle, is_coordinator=False)
    assert re.search(r"Volgend gepland diner</dt>\s*<dd[^>]*>1 apr 2027</dd>", html)
