import datetime

import pytest
import time_machine

from actions.models import Action
from circles.models import Membership
from tests.conftest import KEY_PAGE_MAX_QUERIES, count_queries, make_person

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, 0), tick=False):
        yield


def action(circle, title, owners, **extra):
    made = Action.objects.create(circle=circle, title=title, **extra)
    made.owners.set(owners)
    return made


def days(n):
    return TODAY + datetime.timedelta(days=n)


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/actions/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_it_lists_my_actions_overdue_first(client, circle, cast):
    me, clerk = cast["citizen"], cast["clerk"]
    action(circle, "Later thing", [me], due_date=days(20))
    action(circle, "Undated thing", [me])
    action(circle, "Late thing", [me, clerk], due_date=days(-5))
    action(circle, "Finished thing", [me], status="done", due_date=days(-30))
    action(circle, "Soon thing", [me], status="in_progress", due_date=days(2))
    action(circle, "Not mine", [clerk])
    client.force_login(me)
    html = client.get("/actions/").content.decode()
    order = ["Late thing", "Soon thing", "Later thing", "Undated thing", "Finished thing"]
    positions = [html.index(title) for title in order]
    assert positions == sorted(positions)
    assert "Not mine" not in html
    assert "overdue since" in html
    # only the others are named: "Together with: Clerk", once, for the late thing
    assert html.count("Together with:") == 1 and "Together with: Clerk</span>" in html


def facts(html, title) -> str:
    """What the list says of the action under its title."""
    return html.split(f">{title}</a>")[1].split("</li>")[0]


def test_an_owner_who_left_the_actions_circle_is_marked(client, circle, other_circle, cast):
    me, clerk, officer = cast["citizen"], cast["clerk"], cast["officer"]
    for person in (me, clerk):
        Membership.objects.create(person=person, circle=other_circle, sector="community")
    action(circle, "Here", [me, clerk, officer])
    action(other_circle, "There", [me, clerk])
    clerk.memberships.get(circle=circle).end()
    client.force_login(me)
    html = client.get("/actions/").content.decode()
    # Marked where it is of the circle they left, not of the one they are still in.
    assert "Together with: Clerk (left the circle), Officer</span>" in facts(html, "Here")
    assert "Together with: Clerk</span>" in facts(html, "There")


def test_owners_who_left_take_no_query_more(client, circle, cast):
    me = cast["citizen"]
    for n in range(3):
        action(circle, f"Task {n}", [me, cast["clerk"]], due_date=days(n))
    client.force_login(me)
    few = count_queries(client, "/actions/")
    for n in range(12):
        leaver = make_person(f"leaver{n}")
        Membership.objects.create(person=leaver, circle=circle, sector="community")
        action(circle, f"Left {n}", [me, leaver], due_date=days(n))
        leaver.memberships.get().end()
    assert count_queries(client, "/actions/") == few
    assert client.get("/actions/").content.decode().count("(left the circle)") == 12


def test_actions_of_a_circle_i_left_are_not_listed(client, circle, other_circle, cast):
    me = cast["citizen"]
    Membership.objects.create(person=me, circle=other_circle, sector="community")
    action(circle, "Old circle", [me])
    action(other_circle, "Current circle", [me])
    me.memberships.get(circle=circle).end()
    client.force_login(me)
    html = client.get("/actions/").content.decode()
    assert "Current circle" in html and "Old circle" not in html


def test_it_filters_by_status_and_circle(client, circle, other_circle, cast):
    me = cast["citizen"]
    Membership.objects.create(person=me, circle=other_circle, sector="community")
    action(circle, "Open here", [me])
    action(circle, "Done here", [me], status="done")
    action(other_circle, "Open there", [me])
    client.force_login(me)
    html = client.get("/actions/", {"status": "open", "circle": circle.pk}).content.decode()
    assert "Open here" in html
    assert "Done here" not in html and "Open there" not in html
    html = client.get("/actions/", {"status": "done"}).content.decode()
    assert "Done here" in html and "Open here" not in html


def test_the_circle_filter_offers_only_my_circles(client, circle, other_circle, cast):
    client.force_login(cast["citizen"])
    response = client.get("/actions/", {"circle": other_circle.pk})
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "Tilburg Allies" not in html.split('name="circle"')[1].split("</select>")[0]


def test_it_is_paginated_and_keeps_the_filter(client, circle, cast):
    me = cast["citizen"]
    for n in range(30):
        action(circle, f"Task {n:02}", [me], due_date=days(n))
    client.force_login(me)
    html = client.get("/actions/", {"status": "open"}).content.decode()
    assert "Task 24" in html and "Task 25" not in html
    assert "Page 1 of 2" in html
    assert "?status=open&amp;page=2" in html
    html = client.get("/actions/", {"status": "open", "page": 2}).content.decode()
    assert "Task 25" in html and "Task 24" not in html


def test_query_count_does_not_grow(client, circle, cast):
    me = cast["citizen"]
    for n in range(3):
        action(circle, f"Task {n}", [me, cast["clerk"]], due_date=days(n - 1))
    client.force_login(me)
    few = count_queries(client, "/actions/")
    for n in range(57):
        action(circle, f"More {n}", [me, cast["officer"]], due_date=days(n - 30))
    assert count_queries(client, "/actions/") == few
    assert few <= KEY_PAGE_MAX_QUERIES
