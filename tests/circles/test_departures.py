"""A member who leaves stays the host of the dinners ahead they hosted and an owner of their
actions: wherever the circle sees them named they are marked "(left the circle)", and the
coordinators find what they left behind among their next steps (circles.departures)."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command

from actions.models import Action
from circles.departures import left_behind
from circles.models import Membership, Sector
from meetings.models import Meeting
from tests.circles.conftest import AMSTERDAM, days, dinner
from tests.conftest import KEY_PAGE_MAX_QUERIES, count_queries, make_circle, make_person

LEFT = "(left the circle)"


@pytest.fixture
def handed_over(clock, circle, coordinator, officer, citizen):
    """The coordinator hosts two dinners ahead and one that was cancelled, owns one open
    action alone, one with the citizen and one done; then makes the officer coordinator and
    leaves the circle."""
    ahead = [dinner(circle, days(10), host=coordinator), dinner(circle, days(70), host=coordinator)]
    dinner(circle, days(40), host=coordinator, status=Meeting.Status.CANCELLED)
    dinner(circle, days(-10), host=coordinator)  # held: history
    alone = Action.objects.create(circle=circle, title="Ask for street lights")
    alone.owners.add(coordinator)
    shared = Action.objects.create(circle=circle, title="Walk the park")
    shared.owners.add(coordinator, citizen)
    done = Action.objects.create(circle=circle, title="Done walk", status=Action.Status.DONE)
    done.owners.add(coordinator)
    Membership.objects.filter(person=officer).update(is_coordinator=True)
    coordinator.memberships.get().end()
    return {"ahead": ahead, "alone": alone, "shared": shared}


def test_what_a_member_left_behind_is_the_dinners_ahead_and_the_actions_nobody_else_owns(
    handed_over, circle, coordinator, django_assert_num_queries
):
    with django_assert_num_queries(1):
        [departure] = left_behind([circle])
    assert departure.person.pk == coordinator.pk
    assert str(departure.person) == "Coordinator"
    assert [m.pk for m in departure.meetings] == [m.pk for m in handed_over["ahead"]]
    assert departure.hosts_dinners_only
    assert [a.pk for a in departure.actions] == [handed_over["alone"].pk]


def test_someone_who_came_back_or_whose_work_was_handed_on_left_nothing_behind(
    handed_over, circle, coordinator, officer
):
    for meeting in handed_over["ahead"]:
        Meeting.objects.filter(pk=meeting.pk).update(host=officer)
    handed_over["alone"].owners.add(officer)
    assert left_behind([circle]) == []
    Meeting.objects.filter(pk=handed_over["ahead"][0].pk).update(host=coordinator)
    Membership.objects.create(person=coordinator, circle=circle, sector=Sector.POLICE)
    assert left_behind([circle]) == []


def test_the_new_coordinators_dashboard_says_what_to_hand_on_with_links(
    client, handed_over, officer, citizen
):
    client.force_login(officer)
    html = " ".join(client.get("/").content.decode().split())
    assert "Coordinator has left Overvecht Allies." in html
    assert "2 dinners ahead still have Coordinator as host:" in html
    first, second = handed_over["ahead"]
    link = f'<a href="/meetings/{first.pk}/edit/">choose another host for the dinner of 11 March'
    assert f"{link} 2027</a>" in html
    assert f'<a href="/meetings/{second.pk}/edit/">' in html
    assert "1 open action has no other owner in the circle:" in html
    alone = handed_over["alone"]
    assert (
        f'<a href="/actions/{alone.pk}/edit/">choose other owners for “Ask for street lights”</a>'
        in html
    )
    assert "Walk the park" not in html.split("Next steps")[1].split("</section>")[0]
    client.force_login(citizen)
    assert "has left" not in client.get("/").content.decode()


def test_the_circle_page_tells_its_coordinators_and_marks_the_owner(
    client, handed_over, circle, officer, citizen
):
    client.force_login(officer)
    html = " ".join(client.get(f"/circles/{circle.pk}/").content.decode().split())
    assert "Coordinator has left the circle." in html
    assert "2 dinners ahead still have Coordinator as host:" in html
    actions = html.split('id="open-actions"')[1]
    assert f'Citizen, Coordinator <span class="text-body-secondary">{LEFT}</span>' in actions
    client.force_login(citizen)
    html = client.get(f"/circles/{circle.pk}/").content.decode()
    assert "has left the circle" not in html
    assert LEFT in html  # the owners are marked for every member


def test_the_meeting_page_marks_the_host_and_the_owners_who_left(
    client, handed_over, circle, citizen
):
    client.force_login(citizen)
    html = " ".join(client.get(f"/meetings/{handed_over['ahead'][0].pk}/").content.decode().split())
    assert f'Coordinator <span class="text-body-secondary">{LEFT}</span></dd>' in html
    agenda = html.split('id="agenda"')[1].split("</section>")[0]
    assert agenda.count(LEFT) == 2  # the action only they own and the one they share


def test_the_action_page_and_its_owner_list_mark_the_owner_who_left(
    client, handed_over, officer, coordinator
):
    shared = handed_over["shared"]
    client.force_login(officer)
    html = client.get(f"/actions/{shared.pk}/").content.decode()
    assert f'Citizen, Coordinator <span class="text-body-secondary">{LEFT}</span>' in html
    edit = client.get(f"/actions/{shared.pk}/edit/").content.decode()
    assert "Coordinator (police, left the circle)" in edit


def test_the_meeting_edit_page_keeps_the_host_who_left_as_a_marked_choice(
    client, handed_over, officer, coordinator
):
    client.force_login(officer)
    html = client.get(f"/meetings/{handed_over['ahead'][0].pk}/edit/").content.decode()
    assert f'<option value="{coordinator.pk}" selected>Coordinator {LEFT}</option>' in html


def test_the_dinner_reminder_says_the_host_left(clock, handed_over, citizen):
    # Two days before the dinner of 11 March, the circle's reminder day.
    clock.move_to(datetime.datetime(2027, 3, 9, 8, tzinfo=AMSTERDAM), tick=False)
    call_command("send_reminders", stdout=io.StringIO())
    [reminder] = [
        m for m in mail.outbox if m.to == [citizen.email] and "Will you come" in m.subject
    ]
    assert f"Host: Coordinator {LEFT}" in reminder.body
    assert f"Coordinator {LEFT}" in reminder.alternatives[0][0]


def test_a_dutch_coordinator_reads_it_in_dutch(client, handed_over, circle, officer):
    officer.preferred_language = "nl"
    officer.save()
    client.force_login(officer)
    html = " ".join(client.get(f"/circles/{circle.pk}/").content.decode().split())
    assert "Coordinator is geen lid meer van de kring." in html
    assert "2 komende diners hebben nog Coordinator als gastheer/gastvrouw:" in html
    assert "1 open actiepunt heeft geen andere eigenaar in de kring:" in html
    assert 'Coordinator <span class="text-body-secondary">(uit de kring)</span>' in html


@pytest.mark.parametrize("page", ["dashboard", "circle"])
def test_the_pages_ask_as_many_queries_however_many_left(client, clock, circle, cast, page):
    coordinator = cast["coordinator"]
    url = "/" if page == "dashboard" else f"/circles/{circle.pk}/"
    client.force_login(coordinator)

    def leave(n):
        person = make_person(f"leaver{n}")
        Membership.objects.create(person=person, circle=circle, sector=Sector.COMMUNITY)
        dinner(circle, days(5 + n), host=person)
        action = Action.objects.create(circle=circle, title=f"Action {n}")
        action.owners.add(person)
        person.memberships.get().end()

    leave(0)
    few = count_queries(client, url)
    for n in range(1, 12):
        leave(n)
    assert count_queries(client, url) == few <= KEY_PAGE_MAX_QUERIES
    assert client.get(url).content.decode().count("has left") == 12


def test_only_the_circles_one_coordinates_are_listed(client, handed_over, outsider, other_circle):
    leaver = make_person("leaver")
    Membership.objects.create(person=leaver, circle=other_circle, sector=Sector.POLICE)
    dinner(other_circle, days(5), host=leaver)
    leaver.memberships.get().end()
    make_circle("Third Allies", "Zeist")
    client.force_login(outsider)
    html = client.get("/").content.decode()
    assert "Leaver has left Tilburg Allies." in html
    assert "Overvecht" not in html
