import datetime
import re

import pytest

from actions.models import Action, ActionUpdate
from tests.conftest import count_queries, make_meeting


@pytest.fixture
def lights(circle, cast):
    held = make_meeting(circle, days_ahead=-10)
    made = Action.objects.create(
        circle=circle,
        meeting=held,
        title="Ask for street lights",
        description="In the underpass.",
        due_date=datetime.date(2020, 1, 1),
    )
    made.owners.set([cast["clerk"], cast["citizen"]])
    return made


def url(action):
    return f"/actions/{action.pk}/"


def test_anonymous_is_sent_to_sign_in(client, lights):
    response = client.get(url(lights))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, lights, outsider):
    client.force_login(outsider)
    assert client.get(url(lights)).status_code == 404


def test_an_owner_who_left_the_circle_gets_404(client, lights, cast):
    cast["citizen"].memberships.get().end()
    client.force_login(cast["citizen"])
    assert client.get(url(lights)).status_code == 404


def test_it_shows_the_action_and_its_dated_updates(client, lights, cast):
    ActionUpdate.objects.create(
        action=lights,
        author=cast["clerk"],
        text="Asked the municipality.",
        new_status="in_progress",
        created_at=datetime.datetime(2026, 2, 3, 10, 0, tzinfo=datetime.UTC),
    )
    ActionUpdate.objects.create(
        action=lights,
        author=cast["citizen"],
        text="Lights are on order.",
        created_at=datetime.datetime(2026, 3, 4, 10, 0, tzinfo=datetime.UTC),
    )
    client.force_login(cast["officer"])
    html = client.get(url(lights)).content.decode()
    assert "Ask for street lights" in html and "In the underpass." in html
    assert "Clerk" in html and "Citizen" in html
    assert "overdue since" in html
    assert html.index("3 February 2026") < html.index("Asked the municipality.")
    assert html.index("Asked the municipality.") < html.index("Lights are on order.")
    assert f"/meetings/{lights.meeting_id}/" in html


def test_an_author_who_left_the_circle_is_marked(client, lights, cast):
    for author, text in [(cast["officer"], "Phoned"), (cast["clerk"], "Wrote"), (None, "Met")]:
        ActionUpdate.objects.create(action=lights, author=author, text=text)
    cast["officer"].memberships.get().end()
    client.force_login(cast["clerk"])
    html = client.get(url(lights)).content.decode()
    bylines = re.findall(r"</strong> · ([^\n]*?)</p>", html)
    left = '<span class="text-body-secondary">(left the circle)</span>'
    assert bylines == [f"Officer {left}", "Clerk", "someone"]


def test_other_members_read_without_the_form(client, lights, cast):
    client.force_login(cast["officer"])
    html = client.get(url(lights)).content.decode()
    assert "Add an update" not in html


@pytest.mark.parametrize("who", ["clerk", "coordinator"])
def test_owners_and_coordinators_get_the_form(client, lights, cast, who):
    client.force_login(cast[who])
    html = client.get(url(lights)).content.decode()
    assert "Add an update" in html and 'name="new_status"' in html


def test_query_count_does_not_grow_with_updates(client, lights, cast):
    client.force_login(cast["clerk"])
    for n in range(3):
        ActionUpdate.objects.create(action=lights, author=cast["citizen"], text=f"Step {n}")
    few = count_queries(client, url(lights))
    for n in range(57):
        author = cast["officer"] if n % 2 else cast["clerk"]
        ActionUpdate.objects.create(action=lights, author=author, text=f"More {n}")
    cast["officer"].memberships.get().end()  # an author who left: marked, no query more
    assert count_queries(client, url(lights)) == few
    assert client.get(url(lights)).content.decode().count("(left the circle)") == 28
