import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from circles.models import VenueKind
from meetings.models import Meeting
from tests import ical
from tests.conftest import KEY_PAGE_MAX_QUERIES, count_queries, created_on, make_person
from tests.formsets import formset_data
from tests.meetings.test_notify import calendar_parts

AMS = ZoneInfo("Europe/Amsterdam")
TODAY = datetime.datetime(2025, 11, 1, 12, 0, tzinfo=AMS)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def circle(circle):
    circle.default_venue_name = "Politiebureau Overvecht"
    circle.default_venue_address = "Zamenhofdreef 20, Utrecht"
    circle.save()
    return circle


def url(circle, year=2026):
    return f"/circles/{circle.pk}/plan/{year}/"


def at(day, hour=18, minute=30):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


def dinner(circle, day, **extra):
    starts = at(day)
    extra.setdefault("venue_name", "Stadhuis")
    return Meeting.objects.create(
        circle=circle, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), **extra
    )


def row(day, **extra):
    values = {
        "include": True,
        "date": day.isoformat(),
        "start_time": "18:30",
        "venue_name": "Politiebureau Overvecht",
        "venue_address": "Zamenhofdreef 20, Utrecht",
        "venue_kind": VenueKind.POLICE_STATION,
    }
    return values | extra


PROPOSED = ["2026-02-05", "2026-04-23", "2026-07-02", "2026-09-10", "2026-11-26"]


def test_anonymous_is_sent_to_sign_in(client, circle):
    response = client.get(url(circle))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, circle, outsider):
    client.force_login(outsider)
    assert client.get(url(circle)).status_code == 404
    assert (
        client.post(url(circle), formset_data("form", [row(datetime.date(2026, 2, 5))])).status_code
        == 404
    )


def test_member_who_does_not_coordinate_gets_403(client, circle, coordinator, citizen):
    client.force_login(citizen)
    assert client.get(url(circle)).status_code == 403
    data = formset_data("form", [row(datetime.date(2026, 2, 5))])
    assert client.post(url(circle), data).status_code == 403
    assert not Meeting.objects.exists()


def test_a_year_far_ahead_is_not_found(client, circle, coordinator):
    client.force_login(coordinator)
    assert client.get(url(circle, 2045)).status_code == 404


def test_it_proposes_the_target_on_the_preferred_weekday_with_the_default_venue(
    client, circle, coordinator
):
    client.force_login(coordinator)
    html = client.get(url(circle)).content.decode()
    for day in PROPOSED:
        assert f'value="{day}"' in html
    assert "2026-05-14" not in html  # Ascension Day, a Thursday
    assert html.count('value="Politiebureau Overvecht"') == 5
    assert html.count('value="18:30"') == 5
    assert "0 of 5 dinners planned in 2026." in html
    assert "The circle started" not in html


def test_another_year_says_which_year_it_counts(client, circle, coordinator):
    """Seen in 2025, 2026's dinners are not "this year"'s."""
    client.force_login(coordinator)
    next_year = client.get(url(circle, 2026)).content.decode()
    assert "0 of 5 dinners planned in 2026." in next_year
    assert "No meetings in 2026 yet." in next_year
    assert "this year" not in next_year
    past = client.get(url(circle, 2024)).content.decode()
    assert "0 of 5 dinners planned in 2024." in past
    assert "No meetings in 2024." in past
    this_year = client.get(url(circle, 2025)).content.decode()
    assert "0 of 5 dinners planned this year." in this_year
    assert "No meetings yet this year." in this_year


def test_a_year_runs_from_new_year_to_new_year_in_local_time(client, circle, coordinator):
    """A dinner at half past midnight on New Year's Day, local time, is still 31 December in
    UTC: it belongs to the new year."""
    starts = datetime.datetime(2027, 1, 1, 0, 30, tzinfo=AMS)
    Meeting.objects.create(
        circle=circle,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue_name="Nieuwjaarsborrel",
    )
    client.force_login(coordinator)
    assert "Nieuwjaarsborrel" in client.get(url(circle, 2027)).content.decode()
    assert "Nieuwjaarsborrel" not in client.get(url(circle, 2026)).content.decode()


def test_the_proposal_says_over_which_part_of_the_year_it_is_spread(client, circle, coordinator):
    client.force_login(coordinator)
    next_year = client.get(url(circle, 2026)).content.decode()
    assert "Spread over the year on the circle's weekday (Thursday)" in next_year
    assert "never on a public holiday, Christmas Eve or New Year's Eve." in next_year
    assert "what is left" not in next_year
    this_year = client.get(url(circle, 2025)).content.decode()
    assert "Spread over what is left of the year on the circle's weekday" in this_year


def test_next_years_proposal_keeps_its_distance_from_this_years_last_dinner(
    client, circle, coordinator
):
    client.force_login(coordinator)
    alone = client.get(url(circle)).content.decode()
    assert 'value="2026-02-05"' in alone  # PROPOSED
    dinner(circle, datetime.date(2025, 12, 18))
    dinner(circle, datetime.date(2025, 12, 25), kind=Meeting.Kind.EXTRA)  # not a dinner
    html = client.get(url(circle)).content.decode()
    dates = re.findall(r'name="form-\d+-date" value="([\d-]+)"', html)
    assert len(dates) == 5
    # A dinner seven weeks after the last one: the year's five spread from it.
    assert dates[0] > "2026-02-05"


def test_it_counts_the_dinners_already_planned(client, circle, coordinator):
    dinner(circle, datetime.date(2026, 2, 5))
    dinner(circle, datetime.date(2026, 3, 5))
    dinner(circle, datetime.date(2026, 6, 4), kind=Meeting.Kind.EXTRA)  # does not count
    dinner(circle, datetime.date(2026, 9, 10), status=Meeting.Status.CANCELLED)  # neither
    dinner(circle, datetime.date(2025, 12, 11))  # another year
    client.force_login(coordinator)
    html = client.get(url(circle)).content.decode()
    assert "2 of 5 dinners planned in 2026." in html
    assert 'name="form-TOTAL_FORMS" value="3"' in html
    # The days that already have a meeting are not proposed again.
    for day in ("2026-02-05", "2026-03-05", "2026-06-04", "2026-09-10"):
        assert f'value="{day}"' not in html


def test_a_past_year_has_nothing_to_propose(client, circle, coordinator):
    client.force_login(coordinator)
    html = client.get(url(circle, 2024)).content.decode()
    assert "2024 is over: there is nothing left to plan." in html
    assert 'name="form-TOTAL_FORMS"' not in html


def test_a_full_year_says_so(client, circle, coordinator):
    for month in (2, 4, 6, 9, 11):
        dinner(circle, datetime.date(2026, month, 3))
    client.force_login(coordinator)
    html = client.get(url(circle)).content.decode()
    assert "The circle has all its dinners for 2026" in html
    assert 'name="form-TOTAL_FORMS"' not in html


def started(circle, year, month, day):
    """The circle was created on that day (in the morning), and today is that day: sign in
    once there, a session started on the autouse day has expired by then."""
    created = datetime.datetime(year, month, day, 9, 0, tzinfo=AMS)
    created_on(circle, created)
    return time_machine.travel(created + datetime.timedelta(hours=1), tick=False)


def proposed(html) -> list[str]:
    return re.findall(r'name="form-\d+-date" value="([\d-]+)"', html)


def test_a_circle_started_in_november_is_proposed_one_dinner_that_year(client, circle, coordinator):
    with started(circle, 2026, 11, 30):
        client.force_login(coordinator)
        html = client.get(url(circle)).content.decode()
        assert proposed(html) == ["2026-12-17"]
        assert "0 of 1 dinner planned this year." in html
        assert "The circle started in November 2026: 1 dinner counts for 2026, not 5." in html
        client.post(url(circle), formset_data("form", [row(datetime.date(2026, 12, 17))]))
        html = client.get(url(circle)).content.decode()
        assert "1 of 1 dinner planned this year." in html
        assert "The circle has all its dinners for 2026" in html
        next_year = client.get(url(circle, 2027)).content.decode()
    assert len(proposed(next_year)) == 5
    assert "0 of 5 dinners planned in 2027." in next_year
    assert "The circle started" not in next_year


def test_late_in_the_year_it_proposes_what_fits_and_points_to_next_year(
    client, circle, coordinator
):
    """On 30 November: not 3 or 10 December, too soon to ask anyone, nor Christmas Eve and New
    Year's Eve; the 17th, and the rest next year. In June all five fit."""
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, tzinfo=AMS), tick=False):
        client.force_login(coordinator)
        june = client.get(url(circle)).content.decode()
    assert len(proposed(june)) == 5
    assert "fit in what is left" not in june and "Plan the rest" not in june
    with time_machine.travel(datetime.datetime(2026, 11, 30, 10, tzinfo=AMS), tick=False):
        client.force_login(coordinator)
        html = client.get(url(circle)).content.decode()
    assert proposed(html) == ["2026-12-17"]
    assert "at least 14 days from today and 14 days apart" in html
    assert "Only 1 dinner fits in what is left of 2026." in html
    assert f'<a href="{url(circle, 2027)}">Plan the rest in 2027</a>' in html


def test_with_no_dinner_fitting_any_more_it_points_to_next_year(client, circle, coordinator):
    """On 14 December, with two dinners still to plan: not the 17th, 24th and 31st."""
    for month in (2, 5, 9):
        dinner(circle, datetime.date(2026, month, 3))
    with time_machine.travel(datetime.datetime(2026, 12, 14, 10, tzinfo=AMS), tick=False):
        client.force_login(coordinator)
        html = client.get(url(circle)).content.decode()
    assert proposed(html) == []
    assert "3 of 5 dinners planned this year." in html
    assert "No more dinner fits in what is left of 2026: none is proposed sooner than 14" in html
    assert f'<a href="{url(circle, 2027)}">Plan the rest in 2027</a>' in html


def test_late_december_keeps_its_distance_from_a_dinner_in_early_january(
    client, circle, coordinator
):
    """On Monday 14 December, a circle dining on Mondays: the 28th, the only Monday left to
    plan in 2026, is a week before the dinner of 4 January 2027. (Early January keeps its
    distance from late December through the last dinner before the year: see
    test_next_years_proposal_keeps_its_distance_from_this_years_last_dinner.)"""
    circle.preferred_weekday = 0
    circle.save()
    for month in (2, 5, 7, 9):
        dinner(circle, datetime.date(2026, month, 2))
    with time_machine.travel(datetime.datetime(2026, 12, 14, 10, tzinfo=AMS), tick=False):
        client.force_login(coordinator)
        assert proposed(client.get(url(circle)).content.decode()) == ["2026-12-28"]
        dinner(circle, datetime.date(2027, 1, 4))
        html = client.get(url(circle)).content.decode()
    assert proposed(html) == []
    assert "No more dinner fits in what is left of 2026" in html


def test_a_circle_started_in_december_is_proposed_nothing_but_next_year(
    client, circle, coordinator
):
    with started(circle, 2026, 12, 1):
        client.force_login(coordinator)
        html = client.get(url(circle)).content.decode()
    assert proposed(html) == []
    assert "The circle started in December 2026: 0 dinners count for 2026, not 5." in html
    assert "0 of 0" not in html
    assert "No dinner is expected in 2026." in html
    assert f'href="{url(circle, 2027)}">Plan the dinners of 2027</a>' in html


def test_a_circle_started_in_january_has_the_whole_target_and_no_explanation(
    client, circle, coordinator
):
    with started(circle, 2026, 1, 5):
        client.force_login(coordinator)
        html = client.get(url(circle)).content.decode()
    assert len(proposed(html)) == 5
    assert "0 of 5 dinners planned this year." in html
    assert "The circle started" not in html


def test_the_reduced_target_is_explained_in_dutch(client, circle, coordinator):
    coordinator.preferred_language = "nl"
    coordinator.save()
    with started(circle, 2026, 7, 1):
        client.force_login(coordinator)
        html = client.get(url(circle)).content.decode()
    assert "De kring is in juli 2026 begonnen: voor 2026 tellen 3 diners mee, niet 5." in html


def test_confirming_creates_the_ticked_dinners_as_edited(client, circle, coordinator, citizen):
    client.force_login(coordinator)
    rows = [row(datetime.date.fromisoformat(day)) for day in PROPOSED]
    rows[1] |= {"date": "2026-04-16", "venue_name": "Stadhuis", "venue_kind": "town_hall"}
    rows[2] |= {"host": str(citizen.pk), "start_time": "19:00"}
    rows[4]["include"] = False
    response = client.post(url(circle), formset_data("form", rows))
    assert response.status_code == 302
    assert response.url == url(circle)
    meetings = list(Meeting.objects.order_by("starts_at"))
    assert [m.starts_at for m in meetings] == [
        at(datetime.date(2026, 2, 5)),
        at(datetime.date(2026, 4, 16)),
        at(datetime.date(2026, 7, 2), 19, 0),
        at(datetime.date(2026, 9, 10)),
    ]
    assert all(m.ends_at - m.starts_at == datetime.timedelta(minutes=150) for m in meetings)
    assert all(m.kind == Meeting.Kind.DINNER and m.circle == circle for m in meetings)
    assert meetings[1].venue_name == "Stadhuis" and meetings[1].venue_kind == "town_hall"
    assert meetings[2].host == citizen
    html = client.get(url(circle)).content.decode()
    assert "4 dinners planned." in html
    assert "4 of 5 dinners planned in 2026" in html


@pytest.mark.parametrize(
    "unticked",
    [
        {"date": "", "start_time": "", "venue_name": "", "venue_kind": ""},
        {"date": "not a date", "start_time": "25:61", "host": str(10**30)},
        {"venue_address": "Kast\r\nstraat 1"},
    ],
    ids=["emptied", "nonsense", "control-characters"],
)
def test_an_unticked_row_is_not_checked_and_the_ticked_ones_are_planned(
    client, circle, coordinator, unticked
):
    client.force_login(coordinator)
    rows = [row(datetime.date.fromisoformat(day)) for day in PROPOSED]
    rows[2] |= {"include": False, **unticked}
    response = client.post(url(circle), formset_data("form", rows))
    assert response.status_code == 302
    assert [m.starts_at.date() for m in Meeting.objects.order_by("starts_at")] == [
        datetime.date.fromisoformat(day) for day in PROPOSED if day != "2026-07-02"
    ]


def test_a_ticked_row_is_still_checked_next_to_an_unticked_one(client, circle, coordinator):
    client.force_login(coordinator)
    rows = [row(datetime.date(2026, 2, 5), date=""), row(datetime.date(2026, 4, 23))]
    rows[1] |= {"include": False, "date": ""}
    response = client.post(url(circle), formset_data("form", rows))
    html = response.content.decode()
    assert response.status_code == 200
    # Beside the one field (crispy-forms puts it in <strong>), and in the summary at the top.
    assert html.count("<strong>This field is required.</strong>") == 1
    assert html.count("This field is required.") == 2
    assert re.search(r'name="form-0-date"[^>]*is-invalid', html)
    assert not Meeting.objects.exists()


def test_a_bad_row_saves_nothing_and_keeps_what_was_typed(client, circle, coordinator):
    client.force_login(coordinator)
    rows = [row(datetime.date.fromisoformat(day)) for day in PROPOSED]
    rows[0]["venue_name"] = "Buurthuis De Kast"
    rows[1]["date"] = "2026-05-14"  # Ascension Day
    rows[3]["venue_name"] = ""
    response = client.post(url(circle), formset_data("form", rows))
    html = response.content.decode()
    assert response.status_code == 200
    assert "14 May 2026 is Ascension Day. Choose another date." in html
    assert "Where is the dinner?" in html
    assert 'value="Buurthuis De Kast"' in html and 'value="2026-05-14"' in html
    assert not Meeting.objects.exists()


def test_the_errors_are_summed_up_at_the_top_of_the_form_by_dinner(client, circle, coordinator):
    client.force_login(coordinator)
    rows = [row(datetime.date.fromisoformat(day)) for day in PROPOSED]
    rows[1]["date"] = "2026-05-14"  # Ascension Day
    rows[3]["venue_name"] = ""
    html = client.post(url(circle), formset_data("form", rows)).content.decode()
    summary = html.index('<h3 id="error-summary-heading" class="h6 alert-heading">There is a')
    holiday = html.index(
        '<a href="#id_form-1-date" class="alert-link">'
        "Dinner 2 · Date: 14 May 2026 is Ascension Day. Choose another date.</a>"
    )
    venue = html.index('<a href="#id_form-3-venue_name" class="alert-link">Dinner 4 · Venue')
    assert html.index('<form method="post"') < summary < holiday < venue < html.index("<fieldset")


def test_an_error_of_the_whole_plan_is_in_the_summary(client, circle, coordinator):
    client.force_login(coordinator)
    rows = [row(datetime.date(2026, 2, 5)), row(datetime.date(2026, 2, 5))]
    html = client.post(url(circle), formset_data("form", rows)).content.decode()
    assert html.index("There is a problem") < html.index("<li>Two dinners on the same day: ")


def test_a_holiday_is_named_in_the_coordinators_language(client, circle, coordinator):
    coordinator.preferred_language = "nl"
    coordinator.save()
    client.force_login(coordinator)
    rows = [row(datetime.date(2026, 12, 25))]  # Christmas Day, a Friday
    html = client.post(url(circle), formset_data("form", rows)).content.decode()
    assert "25 december 2026 is Eerste kerstdag. Kies een andere datum." in html
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("day", "error"),
    [
        ("2027-01-07", "Choose a day in 2026."),
        ("2025-10-30", "Choose a day in 2026."),
        ("2026-03-05", "The circle already meets on this day."),
    ],
)
def test_dates_outside_the_year_or_taken_are_refused(client, circle, coordinator, day, error):
    dinner(circle, datetime.date(2026, 3, 5))
    client.force_login(coordinator)
    response = client.post(
        url(circle), formset_data("form", [row(datetime.date.fromisoformat(day))])
    )
    assert error in response.content.decode()
    assert Meeting.objects.count() == 1


def test_a_day_gone_by_is_refused(client, circle, coordinator):
    """A dinner that took place is entered on its own, to record it: not in a plan."""
    client.force_login(coordinator)
    response = client.post(
        url(circle, 2025), formset_data("form", [row(datetime.date(2025, 10, 30))])
    )
    assert "Choose a moment in the future." in response.content.decode()
    assert not Meeting.objects.exists()


def test_two_dinners_on_one_day_are_refused(client, circle, coordinator):
    client.force_login(coordinator)
    rows = [row(datetime.date(2026, 2, 5)), row(datetime.date(2026, 2, 5))]
    response = client.post(url(circle), formset_data("form", rows))
    html = response.content.decode()
    assert "Two dinners on the same day" in html
    # and next to both days
    assert html.count("<strong>Another dinner of this plan is on the same day.</strong>") == 2
    # and in the summary at the top, with the rows they are in
    assert "Dinner 1 · Date: Another dinner of this plan is on the same day." in html
    assert "Dinner 2 · Date: Another dinner of this plan is on the same day." in html
    assert len(re.findall(r'name="form-\d-date"[^>]*is-invalid', html)) == 2
    assert not Meeting.objects.exists()


def test_unticking_everything_plans_nothing(client, circle, coordinator):
    client.force_login(coordinator)
    rows = [row(datetime.date(2026, 2, 5), include=False)]
    response = client.post(url(circle), formset_data("form", rows))
    assert "Tick at least one dinner to plan." in response.content.decode()
    assert not Meeting.objects.exists()


def test_only_members_can_host(client, circle, coordinator):
    stranger = make_person("stranger")
    client.force_login(coordinator)
    rows = [row(datetime.date(2026, 2, 5), host=str(stranger.pk))]
    response = client.post(url(circle), formset_data("form", rows))
    assert "Choose a member of the circle as host." in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"venue_name": "Buurthuis\x00"}, "Null characters are not allowed."),
        ({"venue_address": "Kast\r\nstraat 1"}, "invisible control characters"),
        ({"venue_address": "a" * 251}, "Ensure this value has at most 250 characters"),
        ({"host": str(10**30)}, "Choose a member of the circle as host."),
        ({"date": "9999-12-31"}, "Choose a day in 2026."),
        ({"start_time": "25:61"}, "Enter a valid time."),
    ],
)
def test_bad_text_in_a_row_is_refused_next_to_the_field(
    client, circle, coordinator, changes, error
):
    client.force_login(coordinator)
    response = client.post(
        url(circle), formset_data("form", [row(datetime.date(2026, 2, 5), **changes)])
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("count", ["31", "2000", str(10**30)])
def test_a_tampered_row_count_is_refused_without_building_the_rows(
    client, circle, coordinator, count
):
    client.force_login(coordinator)
    values = formset_data("form", [row(datetime.date(2026, 2, 5))]) | {"form-TOTAL_FORMS": count}
    response = client.post(url(circle), values)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please submit at most 30 forms." in html or "ManagementForm data" in html
    assert html.count("<fieldset") <= 30
    assert not Meeting.objects.exists()


def test_query_count_does_not_grow_with_the_circles_history(client, circle, coordinator):
    """The planner reads the year's dinners and the members as hosts: ten years of history or
    a long member list add no query."""
    client.force_login(coordinator)
    for n in range(3):
        dinner(circle, datetime.date(2024, 3, 1) + datetime.timedelta(days=7 * n))
    few = count_queries(client, url(circle))
    for n in range(57):
        dinner(circle, datetime.date(2016, 1, 7) + datetime.timedelta(days=63 * n))
        person = make_person(f"member{n}")
        circle.memberships.create(person=person, sector="community")
    dinner(circle, datetime.date(2026, 3, 12))
    assert count_queries(client, url(circle)) == few
    assert few <= KEY_PAGE_MAX_QUERIES


def confirm(client, capture, circle, days):
    """Confirm a plan of these days; the emails go out as the commit would send them."""
    rows = [row(datetime.date.fromisoformat(day)) for day in days]
    with capture(execute=True):
        response = client.post(url(circle), formset_data("form", rows))
    assert response.status_code == 302
    return {message.to[0]: message for message in mail.outbox}


def test_confirming_sends_each_member_one_invitation_with_every_dinner(
    client, django_capture_on_commit_callbacks, circle, cast
):
    client.force_login(cast["coordinator"])
    sent = confirm(client, django_capture_on_commit_callbacks, circle, PROPOSED[:4])
    # One each (the coordinator too, for the calendar files), not one per dinner.
    assert len(mail.outbox) == 4
    assert sorted(sent) == [
        f"{n}@example.org" for n in ("citizen", "clerk", "coordinator", "officer")
    ]
    message = sent["citizen@example.org"]
    assert message.subject == "Invitation: 4 dinners of Overvecht Allies in 2026"
    assert "You are invited to the 4 new dinners of Overvecht Allies in 2026:" in message.body
    meetings = list(Meeting.objects.order_by("starts_at"))
    for meeting, when in zip(
        meetings,
        ["Thursday 5 February", "Thursday 23 April", "Thursday 2 July", "Thursday 10 September"],
        strict=True,
    ):
        assert f"{when} 2026, 18:30\u201321:00" in message.body
        assert f"/meetings/{meeting.pk}/\n" in message.body
        assert f"/meetings/{meeting.pk}/respond/\n" in message.body
    assert message.body.count("Politiebureau Overvecht, Zamenhofdreef 20, Utrecht") == 4
    assert "Open the attached calendar files to add the dinners to your calendar" in message.body
    [(html, _mimetype)] = message.alternatives
    assert html.count("<h2>Dinner — Overvecht Allies</h2>") == 4
    assert f'/meetings/{meetings[0].pk}/respond/"' in html


def test_each_dinner_has_its_own_calendar_request(
    client, django_capture_on_commit_callbacks, circle, cast
):
    client.force_login(cast["coordinator"])
    sent = confirm(client, django_capture_on_commit_callbacks, circle, PROPOSED[:3])
    parts = calendar_parts(sent["clerk@example.org"])
    meetings = list(Meeting.objects.order_by("starts_at"))
    assert [p.get_filename() for p in parts] == [
        "invite-2026-02-05.ics",
        "invite-2026-04-23.ics",
        "invite-2026-07-02.ics",
    ]
    for part, meeting in zip(parts, meetings, strict=True):
        assert part.get_param("method") == "REQUEST"
        body = part.get_payload(decode=True)
        assert ical.calendar_property(body, "METHOD") == "REQUEST"
        [event] = ical.events(body)  # iTIP: one UID per REQUEST
        assert event["uid"] == f"{meeting.uid}@allies"
        assert event["sequence"] == 0
        assert event["start"] == meeting.starts_at
        unfolded = body.replace(b"\r\n ", b"")
        assert b"mailto:clerk@example.org" in unfolded and b"citizen@" not in unfolded


def test_each_member_reads_the_plan_in_their_own_language(
    client, django_capture_on_commit_callbacks, circle, cast
):
    cast["citizen"].preferred_language = "nl"
    cast["citizen"].save()
    client.force_login(cast["coordinator"])
    sent = confirm(client, django_capture_on_commit_callbacks, circle, PROPOSED[:2])
    dutch = sent["citizen@example.org"]
    assert dutch.subject == "Uitnodiging: 2 diners van Overvecht Allies in 2026"
    assert dutch.extra_headers["Content-Language"] == "nl"
    assert "Hallo Citizen," in dutch.body
    assert "Je bent uitgenodigd voor de 2 nieuwe diners van Overvecht Allies in 2026:" in dutch.body
    assert "donderdag 5 februari 2026, 18:30\u201321:00" in dutch.body
    assert "Diner — Overvecht Allies" in dutch.body
    assert "Open de bijgevoegde agendabestanden" in dutch.body
    ics = calendar_parts(dutch)[0].get_payload(decode=True).decode()
    assert "SUMMARY:Diner — Overvecht Allies" in ics
    assert "ORGANIZER;CN=Bondgenoten:mailto:" in ics  # as the email's sender is named
    assert sent["clerk@example.org"].subject == "Invitation: 2 dinners of Overvecht Allies in 2026"


def test_a_plan_of_one_dinner_is_an_ordinary_invitation(
    client, django_capture_on_commit_callbacks, circle, cast
):
    client.force_login(cast["coordinator"])
    sent = confirm(client, django_capture_on_commit_callbacks, circle, PROPOSED[:1])
    assert len(mail.outbox) == 4
    message = sent["officer@example.org"]
    assert message.subject == "Invitation: Dinner — Overvecht Allies, 5 February 2026"
    [part] = calendar_parts(message)
    assert part.get_filename() == "invite.ics"


def test_the_plan_goes_to_active_members_who_can_be_emailed(
    client, django_capture_on_commit_callbacks, circle, cast
):
    gone = make_person("gone")
    circle.memberships.create(person=gone, sector="community").end()
    circle.memberships.create(person=make_person("no_address", email=""), sector="community")
    erased = make_person("erased", is_active=False)
    circle.memberships.create(person=erased, sector="community")
    client.force_login(cast["coordinator"])
    sent = confirm(client, django_capture_on_commit_callbacks, circle, PROPOSED[:2])
    assert len(mail.outbox) == 4
    assert sorted(sent) == [
        f"{n}@example.org" for n in ("citizen", "clerk", "coordinator", "officer")
    ]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)


def test_the_plan_is_sent_only_once_it_is_committed(
    client, django_capture_on_commit_callbacks, circle, cast
):
    client.force_login(cast["coordinator"])
    rows = [row(datetime.date.fromisoformat(day)) for day in PROPOSED[:2]]
    with django_capture_on_commit_callbacks() as on_commit:
        client.post(url(circle), formset_data("form", rows))
    assert Meeting.objects.count() == 2 and mail.outbox == []
    for callback in on_commit:
        callback()
    assert len(mail.outbox) == 4


def test_confirming_sends_in_queries_that_do_not_grow_with_the_members(
    client, django_capture_on_commit_callbacks, circle, coordinator
):
    client.force_login(coordinator)
    rows = [row(datetime.date.fromisoformat(day)) for day in PROPOSED[:3]]

    def queries() -> int:
        Meeting.objects.all().delete()
        mail.outbox.clear()
        with (
            CaptureQueriesContext(connection) as captured,
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert client.post(url(circle), formset_data("form", rows)).status_code == 302
        assert len(mail.outbox) == circle.memberships.count()
        return len(captured)

    few = queries()
    for n in range(20):
        circle.memberships.create(person=make_person(f"member{n}"), sector="community")
    assert queries() == few
