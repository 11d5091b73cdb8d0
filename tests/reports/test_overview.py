"""All circles at a glance (/circles/overview/), for staff only."""

import datetime

import pytest

from circles.models import Circle, Membership, Sector
from tests.conftest import count_queries, make_circle, make_person
from tests.reports.conftest import at, meeting

URL = "/circles/overview/"


def healthy(circle):
    """Five dinners this year, the next one within 90 days, everybody came to the last."""
    person = make_person(f"member-{circle.pk}")
    Membership.objects.create(
        person=person, circle=circle, sector=Sector.POLICE, joined_on=datetime.date(2025, 1, 1)
    )
    meeting(circle, at(9, 17), attendees=[person])
    for month, day in ((10, 15), (11, 12), (12, 10), (3, 12)):
        meeting(circle, at(month, day))
    return circle


@pytest.fixture
def circles(clock, admin_user):
    return {
        "utrecht": healthy(make_circle("Overvecht", "Utrecht")),
        "tilburg": make_circle("Tilburg-Noord", "Tilburg"),
        "almere": make_circle("Almere Haven", "Almere"),
    }


def names(html) -> list[str]:
    found = []
    for name in ("Almere Haven", "Overvecht", "Tilburg-Noord"):
        if name in html:
            found.append((html.index(name), name))
    return [name for _index, name in sorted(found)]


def test_staff_see_every_circle_with_its_flags(client, circles, admin_user):
    client.force_login(admin_user)
    html = client.get(URL).content.decode()
    assert "3 circles" in html
    assert names(html) == ["Almere Haven", "Tilburg-Noord", "Overvecht"]  # flagged first
    assert "No dinner planned in the next 90 days." in html
    assert "Behind the target: 0 of 5 dinners held or planned in 2026." in html
    assert "5 of 5" in html and "100%" in html
    assert f'href="/admin/circles/circle/{circles["utrecht"].pk}/change/"' in html


def test_each_circle_names_its_coordinators_to_write_to(client, circles, admin_user):
    """A flagged circle is followed up with its coordinator: the overview says who that is."""
    ans = make_person("ans", name="Ans de Wit", email="ans@tilburg.example")
    Membership.objects.create(
        person=ans, circle=circles["tilburg"], sector=Sector.MUNICIPALITY, is_coordinator=True
    )
    gone = make_person("gone", name="Gone Coordinator")
    Membership.objects.create(
        person=gone,
        circle=circles["tilburg"],
        sector=Sector.POLICE,
        is_coordinator=True,
        joined_on=datetime.date(2025, 1, 1),
        left_on=datetime.date(2026, 1, 1),
    )
    client.force_login(admin_user)
    html = client.get(URL).content.decode()
    rows = {name: row for row in html.split('<tr role="row"')[1:] for name in names(row)}
    assert (
        '<a class="d-block" href="mailto:ans@tilburg.example">Ans de Wit</a>'
        in rows["Tilburg-Noord"]
    )
    assert "Gone Coordinator" not in html
    assert '<span class="overdue">none</span>' in rows["Almere Haven"]


def test_a_change_since_the_last_visit_reorders(client, circles, admin_user):
    client.force_login(admin_user)
    assert names(client.get(URL).content.decode())[-1] == "Overvecht"
    healthy(circles["almere"])
    html = client.get(URL).content.decode()
    assert names(html) == ["Tilburg-Noord", "Almere Haven", "Overvecht"]


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("Tilburg", ["Tilburg-Noord"]),  # the municipality
        ("tilburg", ["Tilburg-Noord"]),  # in any case
        ("vecht", ["Overvecht"]),  # part of the circle's name
        ("r", ["Almere Haven", "Tilburg-Noord", "Overvecht"]),
        ("Zwolle", []),
    ],
)
def test_search_a_municipality_or_circle(client, circles, admin_user, search, found):
    client.force_login(admin_user)
    html = client.get(URL, {"search": search}).content.decode()
    assert names(html) == found
    assert f'value="{search}"' in html
    assert (f"{len(found)} circle" in html) if found else ("No circle matches." in html)


def test_a_search_too_long_is_refused_next_to_the_field(client, circles, admin_user):
    client.force_login(admin_user)
    html = client.get(URL, {"search": "x" * 121}).content.decode()
    assert "Ensure this value has at most 120 characters (it has 121)." in html
    assert names(html) == ["Almere Haven", "Tilburg-Noord", "Overvecht"]


def test_only_flagged_circles(client, circles, admin_user):
    client.force_login(admin_user)
    html = client.get(URL, {"flagged": "on"}).content.decode()
    assert names(html) == ["Almere Haven", "Tilburg-Noord"]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("name", ["Almere Haven", "Overvecht", "Tilburg-Noord"]),
        ("municipality", ["Almere Haven", "Tilburg-Noord", "Overvecht"]),
        ("next_planned", ["Overvecht", "Almere Haven", "Tilburg-Noord"]),
        ("last_held", ["Almere Haven", "Tilburg-Noord", "Overvecht"]),
    ],
)
def test_sort(client, circles, admin_user, sort, order):
    client.force_login(admin_user)
    assert names(client.get(URL, {"sort": sort}).content.decode()) == order


def test_an_unknown_sort_falls_back_to_attention_first(client, circles, admin_user):
    client.force_login(admin_user)
    response = client.get(URL, {"sort": "evil", "search": "Nowhere"})
    assert response.status_code == 200
    assert names(response.content.decode()) == ["Almere Haven", "Tilburg-Noord", "Overvecht"]


def test_paginated_by_25_keeping_the_filter(client, clock, admin_user):
    for n in range(30):
        Circle.objects.create(name=f"Circle {n:02d}", municipality="Zwolle")
    client.force_login(admin_user)
    html = client.get(URL, {"search": "Zwolle", "sort": "name"}).content.decode()
    assert "Circle 24" in html and "Circle 25" not in html
    assert 'href="?search=Zwolle&amp;sort=name&amp;page=2"' in html
    page2 = client.get(URL, {"search": "Zwolle", "sort": "name", "page": 2})
    assert "Circle 25" in page2.content.decode()


def test_query_count_does_not_grow_with_the_circles(client, clock, admin_user):
    client.force_login(admin_user)

    def add(count):
        for n in range(count):
            circle = Circle.objects.create(name=f"C{n}", municipality=f"M{n}")
            person = make_person(f"p{circle.pk}")
            Membership.objects.create(person=person, circle=circle, sector=Sector.COMMUNITY)
            meeting(circle, at(9, 1), attendees=[person])
            meeting(circle, at(11, 1))

    add(3)
    few = count_queries(client, URL)
    add(57)
    assert count_queries(client, URL) == few


def test_members_who_are_not_staff_get_404(client, circle, coordinator):
    client.force_login(coordinator)
    assert client.get(URL).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
