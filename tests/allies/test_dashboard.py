import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from actions.models import Action
from meetings.models import Meeting, Response
from tests.conftest import (
    KEY_PAGE_MAX_QUERIES,
    count_queries,
    make_meeting,
    make_person,
    planned_ahead,
)
from tests.polls.conftest import TO_CLOSE, passed_poll, poll_ahead

# A Thursday: a week later is Thursday 3 December 2026.
NOW = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))


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
    assert few <= KEY_PAGE_MAX_QUERIES


def test_my_next_dinners_offer_one_click_answers(client, circle, citizen):
    upcoming = make_meeting(circle, venue_name="Politiebureau Overvecht")
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert f'action="/meetings/{upcoming.pk}/respond/"' in html
    assert 'name="answer" value="attending"' in html
    assert 'name="answer" value="not_attending"' in html
    assert 'name="next" value="/"' in html
    response = client.post(
        f"/meetings/{upcoming.pk}/respond/", {"answer": "attending", "next": "/"}
    )
    assert response.url == "/"
    html = client.get("/").content.decode()
    assert 'value="attending" class="btn btn-sm btn-success" aria-pressed="true"' in html


def test_a_dinner_i_host_says_so(client, circle, citizen, clerk):
    mine = make_meeting(circle, days_ahead=7, host=citizen)
    make_meeting(circle, days_ahead=14, host=clerk)
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert html.count("You host it") == 1
    assert html.index(f"/meetings/{mine.pk}/") < html.index("You host it")


def under_way(circle) -> Meeting:
    """A dinner that started half an hour ago, entered now (make_meeting)."""
    meeting = make_meeting(circle, days_ahead=0)
    meeting.starts_at = timezone.now() - datetime.timedelta(minutes=30)
    meeting.save()
    return meeting


def test_a_dinner_under_way_offers_no_answers(client, circle, citizen):
    dinner = planned_ahead(under_way(circle))
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert f"/meetings/{dinner.pk}/" in html
    assert f'action="/meetings/{dinner.pk}/respond/"' not in html


def test_a_meeting_entered_while_under_way_is_not_among_my_next_dinners(client, circle, citizen):
    # Entered to record it: nobody was asked to come, so "not answered yet" would be untrue.
    entered = under_way(circle)
    client.force_login(citizen)
    assert f"/meetings/{entered.pk}/" not in client.get("/").content.decode()


def test_coordinators_are_asked_to_close_a_poll_whose_dates_have_passed(client, circle, cast):
    over = passed_poll(circle)
    ahead = poll_ahead(circle, title="Still ahead")
    client.force_login(cast["coordinator"])
    html = client.get("/").content.decode()
    assert TO_CLOSE.format("Extra meeting", "Overvecht Allies") in html
    assert f'href="/polls/{over.pk}/close/"' in html
    # It awaits their answer: asked about, not to be closed.
    assert f'href="/polls/{ahead.pk}/"' in html
    assert TO_CLOSE.format("Still ahead", "Overvecht Allies") not in html
    # A next step, not a question as well.
    assert f'href="/polls/{over.pk}/"' not in html


def test_only_the_circles_coordinators_are_asked_to_close_its_poll(
    client, circle, other_circle, cast
):
    from circles.models import Membership

    # A member of the other circle, not its coordinator.
    Membership.objects.create(person=cast["coordinator"], circle=other_circle, sector="police")
    passed_poll(other_circle, title="Elsewhere")
    passed_poll(circle)
    client.force_login(cast["coordinator"])
    html = client.get("/").content.decode()
    assert TO_CLOSE.format("Extra meeting", "Overvecht Allies") in html
    assert "(Tilburg Allies) has passed" not in html
    client.force_login(cast["citizen"])
    assert "has passed: close it" not in client.get("/").content.decode()


def test_members_are_not_asked_about_a_poll_whose_dates_have_passed(client, circle, cast):
    over = passed_poll(circle)
    ahead = poll_ahead(circle, title="Still ahead")
    client.force_login(cast["citizen"])
    html = client.get("/").content.decode()
    assert f'href="/polls/{ahead.pk}/"' in html
    assert f'href="/polls/{over.pk}/"' not in html


def test_query_count_with_polls_to_close_does_not_grow(client, circle, cast):
    client.force_login(cast["coordinator"])
    passed_poll(circle)
    poll_ahead(circle)
    few = count_queries(client, "/")
    for n in range(20):
        passed_poll(circle, title=f"Poll {n}")
        poll_ahead(circle)
    assert count_queries(client, "/") == few
    assert client.get("/").content.decode().count("has passed: close it.") == 21
    assert few <= KEY_PAGE_MAX_QUERIES


def test_coordinators_see_the_next_steps(client, circle, cast):
    unrecorded = make_meeting(circle, days_ahead=-2)
    make_meeting(circle, days_ahead=-30, status="held", recorded_at=timezone.now())
    make_meeting(circle, days_ahead=-9, status="cancelled")
    upcoming = make_meeting(circle, days_ahead=5)
    make_meeting(circle, days_ahead=40)
    Response.objects.create(meeting=upcoming, person=cast["citizen"], answer="attending")
    client.force_login(cast["coordinator"])
    html = client.get("/").content.decode()
    assert "Next steps" in html
    assert html.count("Record the dinner of") == 1
    assert f"/meetings/{unrecorded.pk}/record/" in html
    # Coordinator, officer and clerk have not answered; the outsider is in another circle.
    assert "3 members have not answered for the dinner of" in html
    assert html.count("have not answered") + html.count("has not answered") == 1


def test_missing_answers_are_a_next_step_only_within_a_month(client, circle, cast):
    dinner = make_meeting(circle, days_ahead=31)
    client.force_login(cast["coordinator"])
    assert "members have not answered" not in client.get("/").content.decode()
    dinner.starts_at -= datetime.timedelta(days=2)
    dinner.ends_at -= datetime.timedelta(days=2)
    dinner.save()
    assert "4 members have not answered" in client.get("/").content.decode()


def test_members_see_no_next_steps(client, circle, coordinator, citizen):
    make_meeting(circle, days_ahead=-2)
    make_meeting(circle, days_ahead=5)
    client.force_login(citizen)
    assert "Next steps" not in client.get("/").content.decode()


def test_next_steps_cover_every_circle_i_coordinate(client, circle, other_circle, cast):
    from circles.models import Membership

    Membership.objects.create(
        person=cast["coordinator"], circle=other_circle, sector="police", is_coordinator=True
    )
    make_meeting(other_circle, days_ahead=5)
    make_meeting(circle, days_ahead=6)
    client.force_login(cast["coordinator"])
    html = client.get("/").content.decode()
    assert "(Tilburg Allies)" in html and "(Overvecht Allies)" in html
    assert "2 members have not answered" in html  # Tilburg: the coordinator and the outsider
    assert "4 members have not answered" in html  # Overvecht: the four of the cast


def test_query_count_for_coordinators_does_not_grow(client, circle, cast):
    coordinator = cast["coordinator"]
    client.force_login(coordinator)
    for n in range(3):
        make_meeting(circle, days_ahead=-n - 1)
        make_meeting(circle, days_ahead=n + 1)
        Action.objects.create(circle=circle, title=f"Action {n}").owners.add(coordinator)
    few = count_queries(client, "/")
    for n in range(57):
        make_meeting(circle, days_ahead=-n - 10)
        make_meeting(circle, days_ahead=n + 10)
        Action.objects.create(circle=circle, title=f"More {n}").owners.add(coordinator)
    assert count_queries(client, "/") == few
    assert few <= KEY_PAGE_MAX_QUERIES


def test_it_links_to_all_my_actions(client, citizen, actions):
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert 'href="/actions/">All my actions</a>' in html
    assert f'href="/actions/{actions[0].pk}/">Late lighting</a>' in html


def test_a_dinner_is_to_record_once_it_ended(client, circle, coordinator):
    dinner = under_way(circle)
    client.force_login(coordinator)
    assert f"/meetings/{dinner.pk}/record/" not in client.get("/").content.decode()


def test_each_circle_links_to_its_page_with_its_next_dinner(client, circle, citizen):
    make_meeting(circle, days_ahead=-2, venue_name="Past venue")
    upcoming = make_meeting(circle, days_ahead=6)
    client.force_login(citizen)
    html = client.get("/").content.decode()
    section = html[html.index('id="my-circles"') :]
    assert f'<a href="/circles/{circle.pk}/">Overvecht Allies</a>' in section
    starts = timezone.localtime(upcoming.starts_at)
    assert f"next dinner: {starts:%A} {starts.day} {starts:%B %Y, %H:%M}" in section


def test_coordinators_see_the_circles_needing_attention(client, circle, other_circle, cast):
    make_meeting(circle, days_ahead=-100)  # set up: its first dinner was held
    client.force_login(cast["coordinator"])
    html = client.get("/").content.decode()
    assert "Circles needing attention" in html
    assert "No dinner planned in the next 90 days." in html
    client.force_login(cast["citizen"])
    assert "Circles needing attention" not in client.get("/").content.decode()


@time_machine.travel(datetime.datetime(2026, 12, 3, 12, tzinfo=datetime.UTC))
def test_in_december_a_circle_behind_gets_next_years_planner_too(client, circle, cast):
    make_meeting(circle, days_ahead=-100)
    client.force_login(cast["coordinator"])
    html = client.get("/").content.decode()
    section = html[html.index("Circles needing attention") :]
    assert f'href="/circles/{circle.pk}/plan/2026/">Plan 2026</a>' in section
    assert f'href="/circles/{circle.pk}/plan/2027/">Plan 2027</a>' in section


def test_a_circle_being_set_up_shows_its_checklist_not_its_flags(client, circle, cast):
    """Its checklist says what to do first: members in, then the dinners. Its flags would ask
    for the dinners straight away, with the planner's buttons."""
    client.force_login(cast["coordinator"])
    html = client.get("/").content.decode()
    assert "Getting started with Overvecht Allies" in html
    assert "Circles needing attention" not in html
    assert "No dinner planned in the next 90 days." not in html
    # The circle's own page keeps its health card beside the checklist.
    html = client.get(f"/circles/{circle.pk}/").content.decode()
    assert "Getting started" in html and "No dinner planned in the next 90 days." in html
    make_meeting(circle, days_ahead=-100)
    html = client.get("/").content.decode()
    assert "Getting started with Overvecht Allies" not in html
    assert "Circles needing attention" in html


def test_members_see_the_polls_awaiting_their_answer(client, circle, citizen):
    poll = poll_ahead(circle)
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert f'href="/polls/{poll.pk}/"' in html


def extra_meeting(circle, days_ahead=7, **fields):
    """An extra meeting "in turmoil", called with a title of its own."""
    return make_meeting(
        circle, days_ahead=days_ahead, kind="extra", title="After the unrest", **fields
    )


def next_dinners(html: str) -> str:
    return html[html.index('id="next-dinners"') : html.index('id="my-actions"')]


@time_machine.travel(NOW, tick=False)
def test_an_extra_meeting_says_what_it_is(client, circle, citizen):
    make_meeting(circle, days_ahead=30)
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert ">My next dinners</h2>" in html and "next dinner: " in html
    extra = extra_meeting(circle)
    html = client.get("/").content.decode()
    section = next_dinners(html)
    assert ">My next meetings</h2>" in section
    assert f'<a href="/meetings/{extra.pk}/">Thursday 3 December 2026, 12:00</a> ' in section
    assert '<span class="badge text-bg-info">Extra meeting</span></h3>' in section
    assert section.count("Extra meeting") == 1  # the dinner after it has no badge
    assert "<strong>After the unrest</strong> · Overvecht Allies · Police station" in section
    circles = html[html.index('id="my-circles"') :]
    assert "next extra meeting: Thursday 3 December 2026, 12:00" in circles


@time_machine.travel(NOW, tick=False)
def test_an_extra_meeting_says_what_it_is_in_dutch(client, circle, citizen):
    citizen.preferred_language = "nl"
    citizen.save()
    extra_meeting(circle)
    client.force_login(citizen)
    html = client.get("/").content.decode()
    section = next_dinners(html)
    assert ">Mijn volgende bijeenkomsten</h2>" in section
    assert '<span class="badge text-bg-info">Extra bijeenkomst</span></h3>' in section
    assert "<strong>After the unrest</strong> · Overvecht Allies" in section
    assert "volgende extra bijeenkomst: donderdag 3 december 2026, 12:00" in html


@time_machine.travel(NOW, tick=False)
def test_next_steps_name_an_extra_meeting_as_one(client, circle, cast):
    extra_meeting(circle, days_ahead=-7)
    make_meeting(circle, days_ahead=7, kind="extra")
    client.force_login(cast["coordinator"])
    html = client.get("/").content.decode()
    assert (
        "Record the extra meeting “After the unrest” of 19 November 2026"
        " (Overvecht Allies): who came, the minutes, the actions."
    ) in html
    assert (
        "4 members have not answered for the extra meeting of 3 December 2026 (Overvecht Allies)."
    ) in html
    assert "the dinner of" not in html


@time_machine.travel(NOW, tick=False)
def test_next_steps_name_an_extra_meeting_as_one_in_dutch(client, circle, cast):
    coordinator = cast["coordinator"]
    coordinator.preferred_language = "nl"
    coordinator.save()
    extra_meeting(circle, days_ahead=-7)
    make_meeting(circle, days_ahead=7)
    client.force_login(coordinator)
    html = client.get("/").content.decode()
    assert (
        "Leg de extra bijeenkomst “After the unrest” van 19 november 2026"
        " (Overvecht Allies) vast: wie er waren, het verslag en de actiepunten."
    ) in html
    assert (
        "4 leden hebben nog niet geantwoord voor het diner van 3 december 2026 (Overvecht Allies)."
    ) in html


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [
        (
            "en",
            ["You are not in a circle any more.", "You have no dinners ahead."],
            ["You are not in a circle yet.", "No dinners planned yet."],
        ),
        (
            "nl",
            ["Je zit niet meer in een kring.", "Je hebt geen komende diners."],
            ["Je zit nog niet in een kring.", "Nog geen diners gepland."],
        ),
    ],
)
def test_who_left_every_circle_is_not_told_they_are_not_in_one_yet(
    client, circle, citizen, language, said, not_said
):
    citizen.memberships.get().end()
    citizen.preferred_language = language
    citizen.save()
    make_meeting(circle, days_ahead=10)
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert all(text in html for text in said)
    assert not any(text in html for text in not_said)
    # Who was never in a circle is not in one yet.
    client.force_login(make_person("newcomer", preferred_language=language))
    html = client.get("/").content.decode()
    assert all(text in html for text in not_said)
    assert not any(text in html for text in said)
