"""The dashboard and "My circles" tell a member when their commitment to a circle asks
something of them: to agree, to agree again to a changed text, or to renew it."""

import datetime

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from allies.dates import years_later
from circles.models import Circle, Membership, Sector
from tests.conftest import KEY_PAGE_MAX_QUERIES, count_queries

PAGES = ["/", "/circles/"]


def note_of(client, url, circle) -> str:
    """The page's commitment note with its link to the circle's commitment ("" if none)."""
    html = client.get(url).content.decode()
    link = f'href="/circles/{circle.pk}/#commitment"'
    if link not in html:
        return ""
    start = html.rindex("<p", 0, html.index(link))
    return html[start : html.index("</p>", start)]


@pytest.fixture
def me(client, citizen):
    client.force_login(citizen)
    return citizen.memberships.get()


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.mark.parametrize("url", PAGES)
def test_a_member_who_has_not_agreed_is_asked_to(client, circle, me, url):
    assert "You have not agreed to the circle's commitment yet." in note_of(client, url, circle)


@pytest.mark.parametrize("url", PAGES)
def test_a_running_commitment_asks_nothing(client, circle, me, url):
    me.commit()
    assert note_of(client, url, circle) == ""


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    ("agreed", "says", "link"),
    [
        # Within a month of its end: time to renew.
        (-350, "Your commitment runs until {}.", "Renew it"),
        (-400, "Your commitment ran out on {}.", "Commit again"),
    ],
)
def test_a_commitment_near_or_past_its_end_says_when(client, circle, me, url, agreed, says, link):
    me.commit(today=days(agreed))
    note = note_of(client, url, circle)
    assert says.format(date_format(years_later(days(agreed), 1), "j F Y")) in note
    assert link in note


@pytest.mark.parametrize("url", PAGES)
def test_a_changed_text_asks_to_agree_again(client, circle, me, url):
    me.commit()
    circle.commitment_text = "We meet five times a year, and we bring a friend."
    circle.save()
    note = note_of(client, url, circle)
    assert "The circle's commitment has changed since you agreed." in note
    assert "Read it and commit again" in note


@pytest.mark.parametrize("url", PAGES)
def test_the_notes_cost_no_query_per_circle(client, circle, me, url):
    few = count_queries(client, url)
    for n in range(4):
        more = Circle.objects.create(name=f"Circle {n}", municipality="Utrecht")
        joined = Membership.objects.create(person=me.person, circle=more, sector=Sector.COMMUNITY)
        joined.commit(today=days(-360 - 20 * n))
        more.commitment_text = f"Our own text {n}."
        more.save()
    html = client.get(url).content.decode()
    assert html.count("#commitment") == 5
    assert count_queries(client, url) == few <= KEY_PAGE_MAX_QUERIES
