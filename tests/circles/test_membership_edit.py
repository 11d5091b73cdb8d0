import pytest

from circles.models import Membership, Sector


@pytest.fixture
def membership(citizen):
    return citizen.memberships.get()


def url(circle, membership):
    return f"/circles/{circle.pk}/members/{membership.pk}/edit/"


def test_anonymous_is_sent_to_sign_in(client, circle, membership):
    response = client.get(url(circle, membership))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, circle, membership, outsider):
    client.force_login(outsider)
    assert client.get(url(circle, membership)).status_code == 404
    assert client.post(url(circle, membership), {"sector": "police"}).status_code == 404
    membership.refresh_from_db()
    assert membership.sector == Sector.COMMUNITY


def test_a_membership_of_another_circle_gives_404(client, circle, coordinator, outsider):
    client.force_login(coordinator)
    theirs = outsider.memberships.get()
    assert client.get(url(circle, theirs)).status_code == 404
    assert client.post(url(circle, theirs), {"sector": "police"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.sector == Sector.MUNICIPALITY


def test_an_ended_membership_gives_404(client, circle, coordinator, membership):
    membership.end()
    client.force_login(coordinator)
    assert client.get(url(circle, membership)).status_code == 404


def test_a_member_who_does_not_coordinate_gets_403(client, circle, membership, officer):
    client.force_login(officer)
    assert client.get(url(circle, membership)).status_code == 403
    response = client.post(url(circle, membership), {"sector": "police", "is_coordinator": "on"})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert (membership.sector, membership.is_coordinator) == (Sector.COMMUNITY, False)


def test_the_form_shows_the_membership(client, circle, coordinator, membership):
    client.force_login(coordinator)
    html = client.get(url(circle, membership)).content.decode()
    assert "Membership of Citizen" in html
    assert '<option value="community" selected>' in html
    assert f'action="/circles/{circle.pk}/members/{membership.pk}/end/"' in html
    assert (
        "Citizen leaves the circle, and their answers to its meetings ahead and to its open date"
        " polls are withdrawn."
    ) in html


@pytest.mark.parametrize(
    ("language", "leave", "confirm", "theirs"),
    [
        (
            "en",
            "You leave Overvecht Allies, and your answers",
            "Yes, I leave Overvecht Allies",
            "Yes, Citizen leaves the circle",
        ),
        (
            "nl",
            "Je gaat uit de kring Overvecht Allies, en je antwoorden",
            "Ja, ik ga uit de kring Overvecht Allies",
            "Ja, Citizen gaat uit de kring",
        ),
    ],
)
def test_my_own_membership_speaks_to_me(
    client, circle, coordinator, membership, language, leave, confirm, theirs
):
    coordinator.preferred_language = language
    coordinator.save()
    client.force_login(coordinator)
    html = client.get(url(circle, coordinator.memberships.get())).content.decode()
    assert leave in html and confirm in html
    assert "Coordinator leaves" not in html and "Coordinator gaat uit" not in html
    html = client.get(url(circle, membership)).content.decode()
    assert theirs in html and confirm not in html


def test_a_coordinator_changes_sector_and_role(client, circle, coordinator, membership):
    client.force_login(coordinator)
    response = client.post(
        url(circle, membership), {"sector": "municipality", "is_coordinator": "on"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/circles/{circle.pk}/"
    assert "The membership of Citizen is saved." in response.content.decode()
    membership.refresh_from_db()
    assert (membership.sector, membership.is_coordinator) == (Sector.MUNICIPALITY, True)


def test_a_coordinator_may_step_down_when_another_remains(client, circle, coordinator, membership):
    Membership.objects.filter(pk=membership.pk).update(is_coordinator=True)
    mine = coordinator.memberships.get()
    client.force_login(coordinator)
    client.post(url(circle, mine), {"sector": "police"})
    mine.refresh_from_db()
    assert not mine.is_coordinator


def test_the_last_coordinator_cannot_be_demoted(client, circle, coordinator, citizen):
    mine = coordinator.memberships.get()
    client.force_login(coordinator)
    response = client.post(url(circle, mine), {"sector": "community"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Coordinator is the circle&#x27;s only coordinator." in html
    assert '<option value="community" selected>' in html
    mine.refresh_from_db()
    assert (mine.sector, mine.is_coordinator) == (Sector.POLICE, True)


def test_it_keeps_input_on_error(client, circle, coordinator, membership):
    client.force_login(coordinator)
    response = client.post(url(circle, membership), {"sector": "army", "is_coordinator": "on"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice." in html
    assert "checked" in html
    membership.refresh_from_db()
    assert (membership.sector, membership.is_coordinator) == (Sector.COMMUNITY, False)
