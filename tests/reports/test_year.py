"""The year in one page (/circles/<id>/report/<year>/): figures of a constructed year, charts
that show the numbers of their tables, permissions and a constant query count."""

import datetime
import re

import pytest
from django.utils import timezone

from actions.models import Action
from circles.models import Membership
from meetings.models import Attendance, Meeting
from reports.figures import year_report
from tests.conftest import count_queries, created_on, make_person, rejoin
from tests.reports.charts import read_charts
from tests.reports.conftest import NOW, URL, at, leaver, meeting


def test_the_target_of_the_first_year_counts_the_months_the_circle_existed(clock, circle):
    created_on(circle, at(9, 1, hour=9))
    meeting(circle, at(9, 17))
    report = year_report(circle, 2026, NOW)
    assert (report.dinners_held, report.target) == (1, 2)  # 5 * 4/12 = 1.67
    assert year_report(circle, 2027, NOW).target == 5


def test_the_figures_of_a_constructed_year(year):
    report = year_report(year, 2026, NOW)
    assert (report.dinners_held, report.dinners_planned, report.target) == (4, 1, 5)
    assert report.extras_held == 1
    recorded = {
        timezone.localtime(row.meeting.starts_at).date().isoformat(): (
            row.by_sector,
            row.attended,
            row.members_then,
        )
        for row in report.recorded
    }
    zero = {"police": 0, "municipality": 0, "community": 0, "guest": 0}
    assert recorded == {
        "2026-02-12": ({**zero, "police": 2, "municipality": 1, "community": 1}, 4, 4),
        "2026-04-16": ({**zero, "police": 1, "municipality": 1, "guest": 1}, 3, 4),
        "2026-05-07": ({**zero, "police": 1, "community": 1}, 2, 4),
        "2026-06-18": ({**zero, "police": 1, "community": 1}, 2, 5),
    }
    assert report.sector_totals == {"police": 5, "municipality": 2, "community": 3, "guest": 1}
    assert report.topics == [("Nuisance", 2), ("Polarisation", 1), ("Radicalisation", 1)]
    assert [a.title for a in report.actions] == [
        "Walk with youth workers",
        "Leaflets",
        "=HYPERLINK(1)",
        "Lighting in the underpass",
        "Agreed on WhatsApp",
    ]
    assert report.action_counts == {"done": 1, "dropped": 1, "open": 2, "overdue": 1}


def test_members_recorded_before_their_joining_date_count_as_members_then(clock, circle, cast):
    # The cast joined "today" (1 October), after the dinner their attendance is recorded for.
    meeting(circle, at(2, 12), attendees=[cast["officer"], cast["clerk"]])
    row = year_report(circle, 2026, NOW).recorded[0]
    assert (row.attended, row.members_then, row.attendance_percent) == (2, 2, 100)


def test_the_page_shows_the_year(client, year, cast):
    client.force_login(cast["citizen"])
    html = client.get(URL.format(year.pk)).content.decode()
    assert "Overvecht Allies in 2026" in html
    assert "After the fire" in html and "not counted towards the target" in html
    assert "Lighting in the underpass" in html
    assert "Download as CSV" not in html  # members read; coordinators export
    assert f'href="/circles/{year.pk}/report/2025/"' in html
    assert 'media="print"' in html and "css/print.css" in html


def test_the_actions_table_says_which_are_overdue_as_the_counts_and_csv_do(client, year, cast):
    client.force_login(cast["citizen"])
    html = client.get(URL.format(year.pk)).content.decode()
    rows = {
        found.group(1): row
        for row in re.findall(r"<tr role=\"row\">(.*?)</tr>", html, re.S)
        if (found := re.search(r">([^<]+)</a></th>", row))
    }
    assert 'Open · <span class="overdue">overdue</span>' in rows["=HYPERLINK(1)"]
    assert "overdue" not in rows["Lighting in the underpass"]
    assert "overdue" not in rows["Walk with youth workers"]


def test_a_cancelled_dinner_shows_why(client, year, cast):
    cancelled = year.meetings.get(status=Meeting.Status.CANCELLED)
    cancelled.cancel_reason = "The station was closed <for a drill>."
    cancelled.save()
    client.force_login(cast["citizen"])
    html = client.get(URL.format(year.pk)).content.decode()
    assert "Reason: The station was closed &lt;for a drill&gt;." in html


def test_the_charts_show_the_numbers_of_their_tables(client, year, cast):
    client.force_login(cast["coordinator"])
    charts = read_charts(client.get(URL.format(year.pk)).content.decode())
    assert set(charts.svg) == {"chart-dinners", "chart-attendance", "chart-topics", "chart-actions"}
    assert charts.table["chart-dinners"] == {
        "held": {"total": 4},
        "planned": {"total": 1},
        "target": {"total": 5},
        "extra": {"total": 1},
    }
    assert charts.table["chart-actions"] == {
        "done": {"total": 1},
        "dropped": {"total": 1},
        "open": {"total": 2},
        "overdue": {"total": 1},
    }
    assert len(charts.table["chart-attendance"]) == 4
    for chart_id, table in charts.table.items():
        svg = charts.svg[chart_id]
        assert svg.keys() == table.keys(), chart_id
        for row, cells in table.items():
            assert svg[row]["total"] == cells["total"], (chart_id, row)
            for series, value in cells.items():
                assert svg[row].get(series, 0) == value, (chart_id, row, series)
        # Every bar is drawn to the same scale as the others of its chart.
        scales = {round(width / value, 1) for value, width in charts.widths[chart_id]}
        assert len(scales) == 1, chart_id


def test_each_chart_has_a_text_alternative(client, year, cast):
    client.force_login(cast["citizen"])
    html = client.get(URL.format(year.pk)).content.decode()
    assert 'aria-labelledby="chart-attendance-title chart-attendance-desc"' in html
    assert (
        "12 Feb 2026: 2 police, 1 municipality, 1 community, 0 guests (4 members at the time)"
    ) in html
    assert "Dinners held: 4. Dinners planned: 1. Target: 5. Extra meetings: 1." in html


def test_chart_coordinates_are_not_localised_in_dutch(client, year, cast, settings):
    cast["citizen"].preferred_language = "nl"
    cast["citizen"].save()
    client.force_login(cast["citizen"])
    html = client.get(URL.format(year.pk), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<html lang="nl">' in html
    svg = html[html.index('<svg class="chart" id="chart-attendance"') :]
    svg = svg[: svg.index("</svg>")]
    numbers = re.findall(r'\b(?:x|y|width|height)="([^"%]*)"', svg)
    assert numbers and any("." in n for n in numbers)
    assert all(re.fullmatch(r"\d+(\.\d+)?", n) for n in numbers), numbers


def test_the_current_year_shows_health_and_commitment(client, year, cast):
    client.force_login(cast["coordinator"])
    this_year = timezone.localdate().year
    html = client.get(f"/circles/{year.pk}/report/{this_year}/").content.decode()
    assert "Circle health" in html
    assert "Commitment and attendance in 2026" in html
    html = client.get(f"/circles/{year.pk}/report/2025/").content.decode()
    assert "Circle health" not in html


def test_it_counts_the_dinners_each_member_attended_as_the_circle_page_does(client, year, cast):
    """Both count this year's dinners held (not one still ahead, though attendance is stored
    for it); the report against those held since the member joined, the circle page against
    the target."""
    ahead = year.meetings.get(starts_at=at(11, 19))
    Attendance.objects.create(meeting=ahead, person=cast["citizen"])
    client.force_login(cast["coordinator"])
    report = client.get(URL.format(year.pk)).content.decode()
    report = report[report.index('id="commitment-attendance"') :]
    circle_page = client.get(f"/circles/{year.pk}/").content.decode()

    def dinners(html, name):
        start = html.index(f">{name}<")
        return re.search(r"(\d+) of (\d+)", html[start : html.index("</tr>", start)]).groups()

    # Held by 1 October: 12 Feb, 16 Apr, 18 Jun and 10 Sep; the newcomer joined on 1 June.
    expected = {"Officer": "1", "Clerk": "2", "Citizen": "1", "Newcomer": "1"}
    held_since_joining = {"Officer": "4", "Clerk": "4", "Citizen": "4", "Newcomer": "2"}
    for name, attended in expected.items():
        assert dinners(report, name) == (attended, held_since_joining[name])
        assert dinners(circle_page, name) == (attended, "5")


def commitment_row(html, name) -> str:
    """The row of the member in the table "Commitment and attendance in <year>", tags out."""
    table = html[html.index('id="commitment-attendance"') :]
    start = table.index(f">{name}<")
    return re.sub(r"<[^>]+>", " ", table[start : table.index("</tr>", start)])


def test_a_member_who_left_during_the_year_is_in_its_report(client, year, cast):
    """A coordinator who came to each dinner until leaving on 1 September: three of the three
    held while a member, not of the four held by 1 October. One who left before the year was
    no member in it."""
    leaver(year, [(2, 12), (4, 16), (6, 18)], datetime.date(2026, 9, 1))
    leaver(year, [], datetime.date(2025, 12, 31), username="gone_before")
    client.force_login(cast["citizen"])
    html = client.get(URL.format(year.pk)).content.decode()
    assert ">Gone_before<" not in html
    row = commitment_row(html, "Leaver")
    assert "3 of 3 held" in row
    assert "left on 1 September 2026" in row
    assert "joined on" not in row
    # The newcomer's fewer dinners held are explained by the day they joined.
    assert "joined on 1 June 2026" in commitment_row(html, "Newcomer")
    assert "left on" not in commitment_row(html, "Citizen")


def test_a_member_who_left_and_came_back_has_one_row_here_and_on_the_circle_page(
    client, year, cast
):
    """Away from 3 March to 2 June: the dinner of 16 April was not held for them. Two of the
    three held while a member (12 February, 18 June, 10 September), each counted once."""
    person = leaver(year, [(2, 12), (6, 18)], datetime.date(2026, 3, 3))
    Membership.objects.create(
        person=person, circle=year, sector="police", joined_on=datetime.date(2026, 6, 2)
    )
    client.force_login(cast["coordinator"])
    html = client.get(URL.format(year.pk)).content.decode()
    table = html[html.index('id="commitment-attendance"') :]
    assert table.count(">Leaver<") == 1
    row = commitment_row(html, "Leaver")
    assert "2 of 3 held" in row
    assert "left on 3 March 2026, back on 2 June 2026" in row
    assert "joined on" not in row
    # The circle page lists today's members: them once, their dinners against the target.
    circle_page = client.get(f"/circles/{year.pk}/").content.decode()
    assert circle_page.count(">Leaver<") == 1
    start = circle_page.index(">Leaver<")
    assert "2 of 5" in circle_page[start : circle_page.index("</tr>", start)]


def test_the_marks_say_each_time_a_member_left_and_came_back(client, year, cast):
    newcomer = year.memberships.get(person__username="newcomer").person
    rejoin(year, newcomer, datetime.date(2026, 7, 1), datetime.date(2026, 7, 15))
    rejoin(year, newcomer, datetime.date(2026, 8, 1), datetime.date(2026, 8, 20))
    year.memberships.get(person=newcomer, left_on__isnull=True).end(datetime.date(2026, 9, 20))
    client.force_login(cast["coordinator"])
    row = commitment_row(client.get(URL.format(year.pk)).content.decode(), "Newcomer")
    assert (
        "joined on 1 June 2026 · left on 1 July 2026, back on 15 July 2026 · "
        "left on 1 August 2026, back on 20 August 2026 · left on 20 September 2026"
    ) in " ".join(row.split())


def test_a_past_years_report_lists_who_was_a_member_then(client, year, cast):
    """2025: the newcomer joined in 2026; the leaver came to 2025's one dinner and left in
    2026, so was a member all of 2025. Who stays away today is today's news, not 2025's."""
    leaver(year, [(12, 10, 2025)], datetime.date(2026, 9, 1))
    stayaway = make_person("stayaway")
    Membership.objects.create(
        person=stayaway, circle=year, sector="community", joined_on=datetime.date(2025, 1, 1)
    )
    client.force_login(cast["coordinator"])
    assert "Absent from the last three dinners" in client.get(URL.format(year.pk)).content.decode()
    html = client.get(f"/circles/{year.pk}/report/2025/").content.decode()
    assert "Commitment and attendance in 2025" in html
    table = html[html.index('id="commitment-attendance"') :]
    assert ">Newcomer<" not in table
    for name in ("Coordinator", "Officer", "Clerk", "Citizen", "Leaver"):
        assert "1 of 1 held" in commitment_row(html, name)
    assert "left on" not in commitment_row(html, "Leaver")
    assert "0 of 1 held" in commitment_row(html, "Stayaway")
    caption = table[: table.index("</caption>")]
    assert "Dinners attended in 2025, against the dinners held while the member was" in caption
    assert "this year" not in caption
    assert "Absent from the last three dinners" not in html
    # A year still ahead has nobody's attendance yet.
    html = client.get(f"/circles/{year.pk}/report/2027/").content.decode()
    assert 'id="commitment-attendance"' not in html


@pytest.mark.parametrize(
    ("language", "cell", "caption"),
    [
        ("en", "1 of 2 held", "the circle page counts them against this year's target of 5"),
        ("nl", "1 van 2 gehouden", "de pagina van de kring zet ze af tegen het streefaantal van"),
    ],
)
def test_it_says_a_members_dinners_are_counted_against_those_held(
    client, year, cast, language, cell, caption
):
    """Not against the target, as on the circle page: "1 of 2" there reads "1 of 5"."""
    cast["coordinator"].preferred_language = language
    cast["coordinator"].save()
    client.force_login(cast["coordinator"])
    html = client.get(URL.format(year.pk)).content.decode()
    table = html[html.index('id="commitment-attendance"') :]
    start = table.index(">Newcomer<")
    assert cell in table[start : table.index("</tr>", start)]
    assert caption in table[: table.index("</caption>")]


def test_a_year_without_anything_says_so(client, clock, circle, citizen):
    client.force_login(citizen)
    html = client.get(f"/circles/{circle.pk}/report/2024/").content.decode()
    assert "No attendance recorded in this year yet." in html
    assert "No actions agreed in this year." in html
    assert "No topics on the agenda" in html


@pytest.mark.parametrize("bad_year", [1999, 2037])
def test_a_year_out_of_range_is_not_found(client, clock, circle, citizen, bad_year):
    client.force_login(citizen)
    assert client.get(f"/circles/{circle.pk}/report/{bad_year}/").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, circle):
    response = client.get(URL.format(circle.pk))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, circle, outsider):
    client.force_login(outsider)
    assert client.get(URL.format(circle.pk)).status_code == 404


def test_a_member_who_left_gets_404(client, circle, citizen):
    Membership.objects.get(person=citizen).end()
    client.force_login(citizen)
    assert client.get(URL.format(circle.pk)).status_code == 404


def test_query_count_does_not_grow_with_the_dinners(client, clock, circle, cast):
    client.force_login(cast["citizen"])
    people = list(cast.values())[:4]

    def add(count, first):
        for n in range(count):
            held = meeting(
                circle,
                first + datetime.timedelta(days=2 * n),
                attendees=people[: n % 4 + 1],
                topics=["Nuisance", "Poverty"][: n % 2 + 1],
            )
            Action.objects.create(circle=circle, meeting=held, title=f"Action {n}")

    add(3, at(1, 5))
    few = count_queries(client, URL.format(circle.pk))
    add(57, at(1, 20))
    assert count_queries(client, URL.format(circle.pk)) == few


@pytest.mark.parametrize("came_back", [False, True])
@pytest.mark.parametrize("report_year", [2025, 2026])
def test_query_count_does_not_grow_with_the_members_of_the_year(
    client, clock, circle, cast, report_year, came_back
):
    """Members who left during the year, and came back, are listed in the same queries as
    those who stayed."""
    client.force_login(cast["citizen"])
    url = f"/circles/{circle.pk}/report/{report_year}/"
    Membership.objects.filter(circle=circle).update(joined_on=datetime.date(2025, 1, 1))
    meeting(circle, at(3, 5, year=report_year), attendees=list(cast.values())[:4])

    def add(first, count):
        for n in range(first, first + count):
            person = make_person(f"member{n}")
            membership = circle.memberships.create(
                person=person, sector="community", joined_on=datetime.date(2025, 1, 1)
            )
            Attendance.objects.create(meeting=circle.meetings.get(), person=person)
            membership.end(datetime.date(report_year, 6, 1))
            if came_back:
                circle.memberships.create(
                    person=person, sector="community", joined_on=datetime.date(report_year, 7, 1)
                )

    add(0, 2)
    few = count_queries(client, url)
    add(2, 30)
    html = client.get(url).content.decode()
    table = html[html.index('id="commitment-attendance"') :]
    assert table.count(">Member31<") == 1
    mark = "left on 1 June " + (f"{report_year}, back on 1 July" if came_back else "")
    assert mark in commitment_row(html, "Member31")
    assert count_queries(client, url) == few
