"""/calendar/<token>.ics: my personal feed, opened by its secret token alone."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from actions.models import Action
from allies import feed
from allies.models import FEED_SELECTOR_LENGTH
from meetings import calendar
from meetings.models import AgendaItem, Response
from tests import ical
from tests.conftest import KEY_PAGE_MAX_QUERIES, count_queries, make_meeting, make_person

NOW = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)


def url(person) -> str:
    return f"/calendar/{person.feed_token}.ics"


def uids(response) -> list[str]:
    return [event["uid"] for event in ical.events(response.content)]


def test_my_token_opens_my_feed_without_signing_in(client, citizen, meeting):
    response = client.get(url(citizen))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert uids(response) == [f"{meeting.uid}@allies"]
    assert ical.calendar_property(response.content, "X-WR-CALNAME") == "Allies"
    # It opens nothing else: no session, the next page still asks to sign in.
    assert "sessionid" not in response.cookies
    assert client.get("/").status_code == 302


def test_the_feed_is_kept_out_of_caches_and_search_engines(client, citizen):
    response = client.get(url(citizen))
    assert response["Cache-Control"] == "private, max-age=0"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize(
    "token",
    [
        "x" * 32,  # well-formed but no one's
        "short",
        "a" * 65,
        "../../etc/passwd" + "a" * 20,
        "a" * 31 + "!",
    ],
)
def test_a_wrong_or_malformed_token_gives_404(client, citizen, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_token_that_differs_only_at_the_end_gives_404(client, citizen):
    token = citizen.feed_token
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/calendar/{wrong}.ics").status_code == 404


def test_a_token_in_other_case_gives_404(client, citizen):
    # SQLite's LIKE ignores case: the selector may match, the full comparison must not.
    swapped = citizen.feed_token.swapcase()
    if swapped != citizen.feed_token:
        assert client.get(f"/calendar/{swapped}.ics").status_code == 404


def test_a_deactivated_person_has_no_feed(client, citizen):
    citizen.is_active = False
    citizen.save()
    assert client.get(url(citizen)).status_code == 404


def test_the_token_is_compared_in_constant_time(client, citizen, monkeypatch):
    compared = []

    def spy(a, b):
        compared.append((a, b))
        return original(a, b)

    original = feed.secrets.compare_digest
    monkeypatch.setattr(feed.secrets, "compare_digest", spy)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(citizen)).status_code == 200
    assert compared == [(citizen.feed_token.encode(), citizen.feed_token.encode())]
    # The database only sees the selector, never the secret rest of the token.
    secret_part = citizen.feed_token[FEED_SELECTOR_LENGTH:]
    assert not any(secret_part in query["sql"] for query in queries.captured_queries)


@time_machine.travel(NOW)
def test_it_holds_exactly_my_circles_meetings_of_the_last_year_and_ahead(
    client, circle, other_circle, citizen, outsider
):
    recent = make_meeting(circle, days_ahead=-360)
    ahead = make_meeting(circle, days_ahead=500)
    cancelled = make_meeting(circle, days_ahead=20)
    cancelled.cancel()
    make_meeting(circle, days_ahead=-370)  # more than twelve months ago
    theirs = make_meeting(other_circle, days_ahead=5)
    mine = uids(client.get(url(citizen)))
    assert mine == [f"{m.uid}@allies" for m in (recent, cancelled, ahead)]
    assert uids(client.get(url(outsider))) == [f"{theirs.uid}@allies"]


def test_a_circle_i_left_drops_out_of_my_feed(client, circle, citizen, meeting):
    citizen.memberships.get().end()
    assert uids(client.get(url(citizen))) == []


@time_machine.travel(NOW)
def test_it_holds_the_due_dates_of_my_unfinished_actions(client, circle, citizen, officer):
    today = datetime.date(2026, 6, 1)
    mine = Action.objects.create(circle=circle, title="Mine", due_date=today)
    together = Action.objects.create(circle=circle, title="Together", due_date=today)
    undated = Action.objects.create(circle=circle, title="Undated")
    done = Action.objects.create(circle=circle, title="Done", due_date=today, status="done")
    old = Action.objects.create(
        circle=circle, title="Old", due_date=today - datetime.timedelta(days=400)
    )
    theirs = Action.objects.create(circle=circle, title="Theirs", due_date=today)
    for action in (mine, together, undated, done, old):
        action.owners.add(citizen)
    together.owners.add(officer)
    theirs.owners.add(officer)
    events = ical.events(client.get(url(citizen)).content)
    assert [e["uid"] for e in events] == [f"action-{a.pk}@allies" for a in (mine, together)]
    assert events[0]["start"] == today
    assert events[0]["summary"] == "Action due: Mine"


def test_it_never_holds_phone_numbers_or_dietary_needs(
    client, circle, coordinator, officer, citizen
):
    meeting = make_meeting(circle, host=officer)
    Response.objects.create(
        meeting=meeting, person=citizen, answer="attending", dietary_needs="halal, no nuts"
    )
    AgendaItem.objects.create(
        meeting=meeting, title="Street lighting", notes="Call Jan on 06-12345678, vegan"
    )
    Action.objects.create(
        circle=circle, title="Visit", due_date=meeting.starts_at.date()
    ).owners.add(citizen)
    body = client.get(url(citizen)).content.decode()
    assert "Street lighting" in body
    for secret in ("+316123450", "0612345", "12345678", "halal", "no nuts", "vegan", "Jan on"):
        assert secret not in body, secret


def test_it_speaks_my_language(client, citizen, meeting, monkeypatch):
    citizen.preferred_language = "nl"
    citizen.save()
    languages = []
    original = calendar.personal_calendar

    def spy(*args):
        languages.append(translation.get_language())
        return original(*args)

    monkeypatch.setattr(calendar, "personal_calendar", spy)
    body = client.get(url(citizen), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert languages == ["nl"]
    assert "SUMMARY:Diner — " in body
    assert "SUMMARY:Dinner" not in body


def test_a_cancelled_meeting_in_my_feed_says_why_in_my_language(client, citizen, meeting):
    citizen.preferred_language = "nl"
    citizen.save()
    meeting.cancel(reason="De locatie is dicht.")
    [event] = ical.events(client.get(url(citizen)).content)
    assert event["status"] == "CANCELLED"
    assert event["description"].startswith("Reden: De locatie is dicht.\n\n")


def test_query_count_does_not_grow(client, circle, citizen):
    for n in range(3):
        make_meeting(circle, days_ahead=n)
    few = count_queries(client, url(citizen))
    for n in range(57):
        make_meeting(circle, days_ahead=10 + n).agenda_items.create(title=f"Item {n}")
        action = Action.objects.create(
            circle=circle, title=f"Action {n}", due_date=datetime.date(2030, 1, 1)
        )
        action.owners.add(citizen)
    assert count_queries(client, url(citizen)) == few
    assert few <= KEY_PAGE_MAX_QUERIES


def test_someone_without_circles_gets_an_empty_feed(client, db):
    loner = make_person("loner")
    response = client.get(url(loner))
    assert response.status_code == 200
    assert uids(response) == []
