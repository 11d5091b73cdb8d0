import datetime

import pytest
import time_machine

from circles import services
from circles.models import Membership
from meetings.models import Attendance, Meeting, Response
from tests.conftest import make_meeting


@pytest.fixture
def membership(citizen):
    return citizen.memberships.get()


def url(circle, membership):
    return f"/circles/{circle.pk}/members/{membership.pk}/end/"


def test_anonymous_is_sent_to_sign_in(client, circle, membership):
    response = client.post(url(circle, membership))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, circle, membership, outsider):
    client.force_login(outsider)
    assert client.post(url(circle, membership)).status_code == 404
    membership.refresh_from_db()
    assert membership.is_active


def test_a_member_who_does_not_coordinate_gets_403(client, circle, membership, officer):
    client.force_login(officer)
    assert client.post(url(circle, membership)).status_code == 403
    membership.refresh_from_db()
    assert membership.is_active


def test_get_is_not_allowed(client, circle, coordinator, membership):
    client.force_login(coordinator)
    assert client.get(url(circle, membership)).status_code == 405
    membership.refresh_from_db()
    assert membership.is_active


def test_a_membership_of_another_circle_gives_404(client, circle, coordinator, outsider):
    client.force_login(coordinator)
    theirs = outsider.memberships.get()
    assert client.post(url(circle, theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, tzinfo=datetime.UTC))
def test_a_coordinator_ends_a_membership_and_history_stays(
    client, circle, coordinator, membership, citizen
):
    Membership.objects.filter(pk=membership.pk).update(joined_on=datetime.date(2025, 1, 1))
    client.force_login(coordinator)
    response = client.post(url(circle, membership), follow=True)
    assert response.redirect_chain[-1][0] == f"/circles/{circle.pk}/"
    html = response.content.decode()
    assert "Citizen has left the circle." in html
    assert 'member-name">Citizen<' not in html
    membership.refresh_from_db()
    assert membership.left_on == datetime.date(2026, 5, 4)
    assert Membership.objects.filter(pk=membership.pk).exists()
    # Ending twice is not possible: the membership is no longer active.
    assert client.post(url(circle, membership)).status_code == 404


def test_the_person_loses_access_to_the_circle(client, circle, coordinator, membership, citizen):
    client.force_login(coordinator)
    client.post(url(circle, membership))
    client.force_login(citizen)
    assert client.get(f"/circles/{circle.pk}/").status_code == 404


def test_the_last_coordinator_cannot_leave(client, circle, coordinator, citizen):
    mine = coordinator.memberships.get()
    client.force_login(coordinator)
    response = client.post(url(circle, mine), follow=True)
    assert response.redirect_chain[-1][0] == f"/circles/{circle.pk}/members/{mine.pk}/edit/"
    assert "Coordinator is the circle&#x27;s only coordinator." in response.content.decode()
    mine.refresh_from_db()
    assert mine.is_active and mine.is_coordinator


def test_a_coordinator_may_leave_when_another_remains(client, circle, coordinator, membership):
    Membership.objects.filter(pk=membership.pk).update(is_coordinator=True)
    mine = coordinator.memberships.get()
    client.force_login(coordinator)
    client.post(url(circle, mine))
    mine.refresh_from_db()
    assert not mine.is_active and not mine.is_coordinator


def test_leaving_withdraws_the_answers_to_meetings_ahead_and_keeps_those_gone_by(
    client, circle, other_circle, coordinator, membership, citizen
):
    ahead = make_meeting(circle, days_ahead=10)
    later = make_meeting(circle, days_ahead=60, status=Meeting.Status.CANCELLED)
    under_way = make_meeting(circle, days_ahead=-0.02)
    held = make_meeting(circle, days_ahead=-30, status=Meeting.Status.HELD)
    elsewhere = make_meeting(other_circle, days_ahead=10)
    other_circle.memberships.create(person=citizen, sector="community")
    for meeting in (ahead, later, under_way, held, elsewhere):
        Response.objects.create(
            meeting=meeting, person=citizen, answer="attending", dietary_needs="geen varkensvlees"
        )
    Attendance.objects.create(meeting=held, person=citizen)
    client.force_login(coordinator)
    client.post(url(circle, membership))
    kept = set(citizen.responses.values_list("meeting", flat=True))
    assert kept == {under_way.pk, held.pk, elsewhere.pk}
    assert Attendance.objects.filter(meeting=held, person=citizen).exists()
    # The history tells who withdrew them, and keeps no dietary needs.
    withdrawn = Response.history.filter(person=citizen, history_type="-")
    assert {row.meeting_id for row in withdrawn} == {ahead.pk, later.pk}
    assert {row.history_user for row in withdrawn} == {coordinator}
    assert "dietary_needs" not in {field.name for field in Response.history.model._meta.fields}


def test_who_left_no_longer_comes_on_the_meeting_page(
    client, circle, coordinator, officer, citizen
):
    """A coordinator who answered for a dinner ahead and then left, as the demo's did."""
    Membership.objects.filter(person=officer).update(is_coordinator=True)
    dinner = make_meeting(circle, days_ahead=10)
    Response.objects.create(
        meeting=dinner, person=coordinator, answer="attending", dietary_needs="geen varkensvlees"
    )
    Response.objects.create(
        meeting=dinner, person=citizen, answer="attending", dietary_needs="halal"
    )
    client.force_login(coordinator)
    client.post(url(circle, coordinator.memberships.get()))
    client.force_login(officer)
    html = client.get(f"/meetings/{dinner.pk}/").content.decode()
    assert "Attending (1)" in html and "1 person comes." in html
    assert "halal" in html and "geen varkensvlees" not in html


def test_who_comes_back_answers_again(client, circle, coordinator, membership, citizen):
    dinner = make_meeting(circle, days_ahead=10)
    Response.objects.create(meeting=dinner, person=citizen, answer="attending")
    client.force_login(coordinator)
    client.post(url(circle, membership))
    circle.memberships.create(person=citizen, sector="community")
    client.force_login(citizen)
    assert "Not answered yet" in client.get(f"/meetings/{dinner.pk}/").content.decode()


def test_a_membership_ended_already_is_not_ended_again(circle, coordinator, membership, citizen):
    Membership.objects.filter(pk=membership.pk).update(
        joined_on=datetime.date(2024, 1, 1), left_on=datetime.date(2025, 1, 1)
    )
    dinner = make_meeting(circle, days_ahead=10)
    circle.memberships.create(person=citizen, sector="community")
    Response.objects.create(meeting=dinner, person=citizen, answer="attending")
    # The page read it while it was active; another coordinator ended it meanwhile.
    assert services.membership_end(membership=membership) is False
    assert Membership.objects.get(pk=membership.pk).left_on == datetime.date(2025, 1, 1)
    assert dinner.responses.filter(person=citizen).exists()
