import datetime

import pytest
import time_machine

from circles.models import Membership


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
