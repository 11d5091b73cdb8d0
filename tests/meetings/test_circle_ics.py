"""/circles/<circle_id>/calendar.ics: a circle's meetings, for its members."""

import datetime

import time_machine

from tests import ical
from tests.conftest import count_queries, make_meeting


def url(circle) -> str:
    return f"/circles/{circle.pk}/calendar.ics"


def test_anonymous_is_sent_to_sign_in(client, circle):
    response = client.get(url(circle))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, circle, outsider):
    client.force_login(outsider)
    assert client.get(url(circle)).status_code == 404


def test_post_is_not_allowed(client, circle, citizen):
    client.force_login(citizen)
    assert client.post(url(circle)).status_code == 405


@time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC))
def test_it_holds_the_circles_meetings_of_the_last_year_and_ahead(
    client, circle, other_circle, citizen
):
    recent = make_meeting(circle, days_ahead=-300)
    ahead = make_meeting(circle, days_ahead=400)
    cancelled = make_meeting(circle, days_ahead=30)
    cancelled.cancel()
    make_meeting(circle, days_ahead=-400)  # over a year ago
    make_meeting(other_circle, days_ahead=10)  # another circle's
    client.force_login(citizen)
    response = client.get(url(circle))
    uids = [event["uid"] for event in ical.events(response.content)]
    assert uids == [f"{m.uid}@allies" for m in (recent, cancelled, ahead)]
    assert ical.calendar_property(response.content, "X-WR-CALNAME") == "Overvecht Allies"
    assert ical.timezones(response.content) == ["Europe/Amsterdam"]


def test_query_count_does_not_grow(client, circle, citizen):
    client.force_login(citizen)
    for n in range(3):
        make_meeting(circle, days_ahead=n)
    few = count_queries(client, url(circle))
    for n in range(57):
        meeting = make_meeting(circle, days_ahead=10 + n)
        meeting.agenda_items.create(title=f"Item {n}")
    assert count_queries(client, url(circle)) == few
