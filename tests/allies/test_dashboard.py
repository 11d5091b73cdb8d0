import datetime

import pytest
from django.utils import timezone

from actions.models import Action
from meetings.models import Response
from tests.conftest import count_queries, make_meeting


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.fixture
def actions(circle, citizen):
    today = timezone.localdate()
    late = Action.objects.create(
        circle=circle, title="Late lighting", due_date=today - datetime.timedelta(days=3)
    )
    soon = Action.objects.create(
        circle=circle, title="Soon meeting", due_date=today + datetime.timedelta(days=3)
    )
    done = Action.objects.create(circle=circle, title="Done walk", status="done")
    for action in (late, soon, done):
        action.owners.add(citizen)
    return late, soon, done


def test_it_shows_my_circles_dinners_and_open_actions(
    client, circle, other_circle, citizen, outsider, actions
):
    mine = make_meeting(circle, venue_name="Politiebureau Overvecht")
    make_meeting(other_circle, venue_name="Stadhuis Tilburg")
    Response.objects.create(meeting=mine, person=citizen, answer="maybe")
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert "Overvecht Allies" in html
    assert "Tilburg" not in html
    assert "Politiebureau Overvecht" in html and "maybe" in html
    assert html.index("Late lighting") < html.index("Soon meeting")
    assert "overdue since" in html
    assert "Done walk" not in html


def test_query_count_does_not_grow(client, circle, citizen):
    client.force_login(citizen)
    for _ in range(3):
        make_meeting(circle)
    few = count_queries(client, "/")
    for n in range(57):
        make_meeting(circle, days_ahead=8 + n)
        Action.objects.create(circle=circle, title=f"Action {n}").owners.add(citizen)
    assert count_queries(client, "/") == few


def test_each_circle_links_to_its_page_with_its_next_dinner(client, circle, citizen):
    make_meeting(circle, days_ahead=-2, venue_name="Past venue")
    upcoming = make_meeting(circle, days_ahead=6)
    client.force_login(citizen)
    html = client.get("/").content.decode()
    section = html[html.index('id="my-circles"') :]
    assert f'<a href="/circles/{circle.pk}/">Overvecht Allies</a>' in section
    starts = timezone.localtime(upcoming.starts_at)
    assert f"next dinner: {starts:%A} {starts.day} {starts:%B %Y, %H:%M}" in section
