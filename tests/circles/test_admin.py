"""Memberships in Django admin follow the site's rules: a circle keeps a coordinator, and
ending a membership there ends it as the site does (circles.services.membership_end)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from circles import services
from circles.models import Membership
from meetings.models import Response
from tests.conftest import make_meeting, make_person
from tests.htmlforms import forms_on

ONLY_COORDINATOR = (
    "Coordinator is the circle's only coordinator. Make someone else coordinator first."
)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def membership_url(membership) -> str:
    return reverse("admin:circles_membership_change", args=[membership.pk])


def circle_url(circle) -> str:
    return reverse("admin:circles_circle_change", args=[circle.pk])


def form_data(client, url, field: str) -> dict:
    """What the browser sends from the admin form with `field` as the page shows it (inline
    management forms and rows included), pressing "Save"."""
    [form] = [f for f in forms_on(client.get(url).content.decode()) if field in f.fields]
    data = form.values()
    for button in ("_addanother", "_continue", "_saveasnew"):
        data.pop(button, None)
    return data


def row_of(data: dict, membership) -> str:
    """The prefix of the membership's row in the circle page's inline ("memberships-2")."""
    [name] = [k for k, v in data.items() if k.endswith("-id") and v == str(membership.pk)]
    return name.removesuffix("-id")


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def test_ending_the_last_coordinator_is_refused_next_to_the_day(signed_in, coordinator, citizen):
    mine = coordinator.memberships.get()
    url = membership_url(mine)
    response = signed_in.post(url, form_data(signed_in, url, "left_on") | {"left_on": "2026-05-01"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["left_on"] == [ONLY_COORDINATOR]
    mine.refresh_from_db()
    assert mine.is_active and mine.is_coordinator


def test_taking_the_role_from_the_last_coordinator_is_refused(signed_in, coordinator, citizen):
    mine = coordinator.memberships.get()
    url = membership_url(mine)
    data = form_data(signed_in, url, "left_on")
    del data["is_coordinator"]
    response = signed_in.post(url, data)
    assert response.status_code == 200
    assert ONLY_COORDINATOR in text(response)
    assert "is_coordinator" in response.context["adminform"].form.errors
    mine.refresh_from_db()
    assert mine.is_coordinator


def test_moving_the_last_coordinator_to_another_circle_is_refused(
    signed_in, coordinator, other_circle
):
    mine = coordinator.memberships.get()
    url = membership_url(mine)
    response = signed_in.post(
        url, form_data(signed_in, url, "left_on") | {"circle": other_circle.pk}
    )
    assert response.status_code == 200
    assert "circle" in response.context["adminform"].form.errors
    mine.refresh_from_db()
    assert mine.circle_id == coordinator.memberships.get().circle_id != other_circle.pk


def test_ending_a_coordinator_takes_the_role_away_on_the_day_entered(
    signed_in, coordinator, officer
):
    Membership.objects.filter(person=officer).update(is_coordinator=True)
    mine = coordinator.memberships.get()
    mine.joined_on = datetime.date(2025, 1, 1)
    mine.save()
    url = membership_url(mine)
    response = signed_in.post(url, form_data(signed_in, url, "left_on") | {"left_on": "2026-05-01"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.left_on == datetime.date(2026, 5, 1)
    assert not mine.is_coordinator
    assert officer.memberships.get().is_coordinator


def test_ending_goes_through_the_sites_service_with_the_other_changes_saved(
    signed_in, admin_user, coordinator, citizen, monkeypatch
):
    ended = []
    end = services.membership_end

    def spy(*, membership, by=None, on=None):
        ended.append((membership.pk, on, membership.sector, by))
        end(membership=membership, by=by, on=on)

    monkeypatch.setattr(services, "membership_end", spy)
    theirs = citizen.memberships.get()
    url = membership_url(theirs)
    data = form_data(signed_in, url, "left_on") | {"left_on": "2026-05-04", "sector": "police"}
    assert signed_in.post(url, data).status_code == 302
    assert ended == [(theirs.pk, datetime.date(2026, 5, 4), "police", admin_user)]
    theirs.refresh_from_db()
    assert (theirs.left_on, theirs.sector) == (datetime.date(2026, 5, 4), "police")


def test_someone_who_has_left_is_not_made_coordinator(signed_in, coordinator, citizen):
    theirs = citizen.memberships.get()
    theirs.end()
    url = membership_url(theirs)
    response = signed_in.post(url, form_data(signed_in, url, "left_on") | {"is_coordinator": "on"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["is_coordinator"] == [
        "Someone who has left the circle cannot coordinate it."
    ]
    theirs.refresh_from_db()
    assert not theirs.is_coordinator


def add_member(data: dict, person, **fields) -> dict:
    """The circle page's data with `person` in its "add members" row, and `fields` there."""
    row = {"person": person.pk, "sector": "community", **fields}
    return data | {f"memberships-2-0-{name}": value for name, value in row.items()}


def test_the_circle_page_refuses_to_end_its_last_coordinator(signed_in, circle, coordinator):
    mine = coordinator.memberships.get()
    newcomer = make_person("newcomer")
    url = circle_url(circle)
    data = add_member(form_data(signed_in, url, "municipality"), newcomer)
    data[f"{row_of(data, mine)}-left_on"] = "2026-05-01"
    response = signed_in.post(url, data)
    assert response.status_code == 200
    assert ONLY_COORDINATOR in text(response)
    mine.refresh_from_db()
    assert mine.is_active and mine.is_coordinator
    assert not newcomer.memberships.exists()


def test_the_circle_page_refuses_to_end_all_its_coordinators_at_once(
    signed_in, circle, coordinator, officer
):
    Membership.objects.filter(person=officer).update(is_coordinator=True)
    url = circle_url(circle)
    data = form_data(signed_in, url, "municipality")
    data[f"{row_of(data, coordinator.memberships.get())}-left_on"] = "2026-05-01"
    del data[f"{row_of(data, officer.memberships.get())}-is_coordinator"]
    response = signed_in.post(url, data)
    assert response.status_code == 200
    assert text(response).count("The circle would have no coordinator left.") == 2
    assert circle.memberships.active().coordinators().count() == 2


def test_the_circle_page_hands_over_in_one_save(signed_in, circle, coordinator, officer):
    mine, theirs = coordinator.memberships.get(), officer.memberships.get()
    url = circle_url(circle)
    data = form_data(signed_in, url, "municipality")
    data[f"{row_of(data, theirs)}-is_coordinator"] = "on"
    data[f"{row_of(data, mine)}-left_on"] = "2026-05-04"
    response = signed_in.post(url, data)
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.left_on, mine.is_coordinator) == (datetime.date(2026, 5, 4), False)
    assert theirs.is_active and theirs.is_coordinator


def test_the_circle_page_hands_over_to_a_member_added_in_the_same_save(
    signed_in, circle, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    mine = coordinator.memberships.get()
    # Signed in before: one who never has is told they coordinate by their welcome email.
    newcomer = make_person("newcomer", last_login=timezone.now())
    url = circle_url(circle)
    data = add_member(form_data(signed_in, url, "municipality"), newcomer, is_coordinator="on")
    data[f"{row_of(data, mine)}-left_on"] = "2026-05-04"
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url, data)
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.left_on, mine.is_coordinator) == (datetime.date(2026, 5, 4), False)
    theirs = newcomer.memberships.get()
    assert theirs.circle == circle and theirs.is_active and theirs.is_coordinator
    emails = {message.to[0]: message for message in mailoutbox}
    assert emails[newcomer.email].subject == f"You now coordinate {circle.name}"
    assert "has ended your membership" in emails[coordinator.email].body


def test_ending_in_admin_withdraws_answers_ahead_and_tells_the_member_who_did_it(
    signed_in, admin_user, coordinator, citizen, django_capture_on_commit_callbacks, mailoutbox
):
    dinner = make_meeting(citizen.memberships.get().circle, days_ahead=10)
    Response.objects.create(meeting=dinner, person=citizen, answer=Response.Answer.ATTENDING)
    url = membership_url(citizen.memberships.get())
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            url, form_data(signed_in, url, "left_on") | {"left_on": "2026-05-04"}
        )
    assert response.status_code == 302
    assert not Response.objects.filter(person=citizen).exists()
    [message] = mailoutbox
    assert f"{admin_user.name} has ended your membership" in message.body


def test_a_day_of_leaving_ahead_is_refused(signed_in, citizen):
    theirs = citizen.memberships.get()
    url = membership_url(theirs)
    response = signed_in.post(url, form_data(signed_in, url, "left_on") | {"left_on": "2026-05-05"})
    assert response.status_code == 200
    assert "Fill in the day they left once it has come: today or a day gone by." in (
        response.content.decode()
    )
    theirs.refresh_from_db()
    assert theirs.left_on is None
