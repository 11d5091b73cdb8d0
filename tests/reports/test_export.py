"""The year's CSV export (/circles/<id>/report/<year>/export.csv), for coordinators."""

import csv
import datetime
import io

from circles.models import Membership
from tests.conftest import count_queries
from tests.reports.conftest import URL, at, leaver, meeting

EXPORT = URL + "export.csv"


def rows(response, delimiter=",") -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def block(all_rows, header: str) -> list[list[str]]:
    """The rows under the header row that starts with `header`, up to the blank line."""
    start = next(i for i, row in enumerate(all_rows) if row and row[0] == header)
    end = next((i for i in range(start, len(all_rows)) if not all_rows[i]), len(all_rows))
    return all_rows[start + 1 : end]


def test_a_coordinator_downloads_the_years_figures(client, year, cast):
    client.force_login(cast["coordinator"])
    response = client.get(EXPORT.format(year.pk))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="overvecht-allies-2026.csv"'
    table = rows(response)
    summary = dict(row for row in table[:13] if len(row) == 2)
    assert summary["Dinners held"] == "4"
    assert summary["Dinners planned"] == "1"
    assert summary["Extra meetings held"] == "1"
    assert summary["Attendances"] == "11"
    assert summary["Actions agreed"] == "5"
    assert (summary["Done"], summary["Dropped"], summary["Still open"], summary["Overdue"]) == (
        "1",
        "1",
        "2",
        "1",
    )
    meetings = block(table, "Date")
    assert meetings[0] == [
        "2026-02-12",
        "18:30",
        "dinner",
        "held",
        "Politiebureau",
        "4",
        "4",
        "2",
        "1",
        "1",
        "0",
        "Polarisation; Nuisance",
    ]
    assert [m[2] for m in meetings].count("extra meeting") == 1
    assert meetings[4][3] == "cancelled"
    assert meetings[5][3:7] == ["planned", "Politiebureau", "5", ""]  # held, not recorded
    assert block(table, "Topic") == [
        ["Nuisance", "2"],
        ["Polarisation", "1"],
        ["Radicalisation", "1"],
    ]
    actions = block(table, "Action")
    assert actions[2] == ["'=HYPERLINK(1)", "2026-04-16", "2026-09-01", "open", "overdue"]
    assert actions[4] == ["Agreed on WhatsApp", "", "", "open", "still open"]


def test_it_lists_the_members_of_the_year_those_who_left_included(client, year, cast):
    leaver(year, [(2, 12), (4, 16), (6, 18)], datetime.date(2026, 9, 1))
    client.force_login(cast["coordinator"])
    table = rows(client.get(EXPORT.format(year.pk)))
    header = next(row for row in table if row and row[0] == "Member")
    assert header[:4] == ["Member", "Sector", "Joined on", "Left on"]
    assert block(table, "Member") == [
        ["Coordinator", "police", "2025-01-01", "", "3", "4", ""],
        ["Leaver", "police", "2025-01-01", "2026-09-01", "3", "3", ""],
        ["Officer", "police", "2025-01-01", "", "1", "4", ""],
        ["Clerk", "municipality", "2025-01-01", "", "2", "4", ""],
        ["Citizen", "community", "2025-01-01", "", "1", "4", ""],
        ["Newcomer", "community", "2026-06-01", "", "1", "2", ""],
    ]
    past = block(rows(client.get(f"/circles/{year.pk}/report/2025/export.csv")), "Member")
    assert [row[0] for row in past] == ["Coordinator", "Leaver", "Officer", "Clerk", "Citizen"]
    assert past[1][3:] == ["", "0", "1", ""]  # left after 2025: a member all that year


def test_a_member_who_left_and_came_back_has_one_row(client, year, cast):
    """Away from 3 March to 2 June, back in another sector: the dinner of 16 April was not
    held for them, and they came to two of the other three once each."""
    person = leaver(year, [(2, 12), (6, 18)], datetime.date(2026, 3, 3))
    Membership.objects.create(
        person=person, circle=year, sector="community", joined_on=datetime.date(2026, 6, 2)
    )
    client.force_login(cast["coordinator"])
    table = rows(client.get(EXPORT.format(year.pk)))
    header = next(row for row in table if row and row[0] == "Member")
    assert header[6] == "Left and came back"
    members = block(table, "Member")
    assert [row for row in members if row[0] == "Leaver"] == [
        ["Leaver", "community", "2025-01-01", "", "2", "3", "2026-03-03/2026-06-02"]
    ]


def test_in_dutch_the_cells_are_separated_by_semicolons(client, year, cast):
    cast["coordinator"].preferred_language = "nl"
    cast["coordinator"].save()
    client.force_login(cast["coordinator"])
    table = rows(client.get(EXPORT.format(year.pk)), delimiter=";")
    assert table[0] == ["Kring", "Overvecht Allies"]
    assert ["Gehouden diners", "4"] in table[:13]


def test_a_member_who_does_not_coordinate_gets_403(client, year, cast):
    client.force_login(cast["citizen"])
    assert client.get(EXPORT.format(year.pk)).status_code == 403


def test_outsider_gets_404(client, circle, outsider):
    client.force_login(outsider)
    assert client.get(EXPORT.format(circle.pk)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, circle):
    response = client.get(EXPORT.format(circle.pk))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_coordinator_sees_the_download_link(client, year, cast):
    client.force_login(cast["coordinator"])
    html = client.get(URL.format(year.pk)).content.decode()
    assert f'href="/circles/{year.pk}/report/2026/export.csv"' in html


def test_query_count_does_not_grow(client, clock, circle, cast):
    client.force_login(cast["coordinator"])

    def add(numbers):
        for n in numbers:
            starts = at(1, 2) + datetime.timedelta(days=2 * n)
            meeting(circle, starts, attendees=[cast["officer"]], topics=["Nuisance"])

    add(range(3))
    few = count_queries(client, EXPORT.format(circle.pk))
    add(range(3, 60))
    assert count_queries(client, EXPORT.format(circle.pk)) == few
