import pytest

from circles.models import Circle, Membership, Sector
from tests.conftest import count_queries, make_meeting, make_person

URL = "/circles/"


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_it_lists_my_circles_with_their_next_dinner(client, circle, other_circle, citizen):
    make_meeting(circle, days_ahead=-3, venue_name="Past venue")
    make_meeting(circle, days_ahead=4, venue_name="Cancelled venue", status="cancelled")
    make_meeting(circle, days_ahead=9, venue_name="Politiebureau Overvecht")
    make_meeting(circle, days_ahead=30, venue_name="Later venue")
    make_meeting(other_circle, days_ahead=2, venue_name="Stadhuis Tilburg")
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert f'href="/circles/{circle.pk}/"' in html
    assert "Overvecht Allies" in html and "Politiebureau Overvecht" in html
    for absent in ("Tilburg", "Past venue", "Cancelled venue", "Later venue", "coordinator<"):
        assert absent not in html


@pytest.mark.parametrize(
    ("language", "label"), [("en", "next extra meeting:"), ("nl", "volgende extra bijeenkomst:")]
)
def test_an_extra_meeting_next_is_named_as_one(client, circle, citizen, language, label):
    citizen.preferred_language = language
    citizen.save()
    make_meeting(circle, days_ahead=4, kind="extra")
    make_meeting(circle, days_ahead=30)
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert label in html
    assert "next dinner" not in html and "volgend diner" not in html


def test_it_marks_the_circles_i_coordinate(client, circle, coordinator):
    client.force_login(coordinator)
    html = client.get(URL).content.decode()
    assert "coordinator</span>" in html
    assert "no dinner planned yet" in html


def test_a_circle_i_left_is_not_listed(client, circle, citizen):
    citizen.memberships.get().end()
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert "Overvecht Allies" not in html
    assert "You are not in a circle any more. A coordinator of a circle can invite you again." in (
        html
    )
    assert "You are not in a circle yet." not in html
    # Who was never in a circle is not in one yet.
    client.force_login(make_person("newcomer"))
    html = client.get(URL).content.decode()
    assert "You are not in a circle yet." in html and "any more" not in html


def join_circles(person, count, start=0):
    for n in range(start, start + count):
        circle = Circle.objects.create(name=f"Circle {n:02}", municipality="Utrecht")
        Membership.objects.create(person=person, circle=circle, sector=Sector.COMMUNITY)
        make_meeting(circle, days_ahead=n + 1)


def test_query_count_does_not_grow(client, citizen):
    join_circles(citizen, 3)
    client.force_login(citizen)
    few = count_queries(client, URL)
    join_circles(citizen, 57, start=3)
    assert count_queries(client, URL) == few


def test_many_circles_are_paginated(client, citizen):
    join_circles(citizen, 30)
    client.force_login(citizen)
    first = client.get(URL).content.decode()
    assert "Page 1 of 2" in first
    assert "Circle 00" in first and "Circle 29" not in first
    assert "Circle 29" in client.get(URL, {"page": 2}).content.decode()
