"""A member made a coordinator is told, in their language, who did it and what a coordinator
does there, whether a coordinator did it on the membership's page or an admin in Django admin;
nobody is told of the role taken away."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from circles.models import Membership
from tests.allies.test_admin_welcome import send_welcome
from tests.circles.test_admin import circle_url, form_data, membership_url, row_of
from tests.conftest import make_person

SITE = "http://testserver"


@pytest.fixture(autouse=True)
def _today():
    # In the circle's second year: this year's dinners are still to plan.
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def edit_url(circle, membership) -> str:
    return f"/circles/{circle.pk}/members/{membership.pk}/edit/"


def signed_in_before(person):
    # In the admin, one who never has is told they coordinate by their welcome email instead
    # (test_in_admin_one_who_never_signed_in_is_told_by_their_welcome_only).
    person.last_login = timezone.now()
    person.save(update_fields=["last_login"])


def make_coordinator(client, by, membership, capture, **data):
    client.force_login(by)
    with capture(execute=True):
        response = client.post(
            edit_url(membership.circle, membership),
            {"sector": membership.sector, "is_coordinator": "on", **data},
            follow=True,
        )
    assert response.status_code == 200
    return response


def test_the_new_coordinator_is_told_who_made_them_one_and_what_to_do(
    client, circle, coordinator, officer, django_capture_on_commit_callbacks
):
    response = make_coordinator(
        client, coordinator, officer.memberships.get(), django_capture_on_commit_callbacks
    )
    assert "Officer gets an email saying what a coordinator does." in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["officer@example.org"]
    assert message.subject == "You now coordinate Overvecht Allies"
    text = message.body
    assert "Coordinator has made you a coordinator of Overvecht Allies (Utrecht)." in text
    assert "You coordinate it together with Coordinator." in text
    page = f"{SITE}/circles/{circle.pk}/"
    for link in (page, f"{page}#members", f"{SITE}/circles/{circle.pk}/plan/2026/", f"{SITE}/"):
        assert f"\n  {link}\n" in text or f"\n{link}\n" in text
    html = message.alternatives[0][0]
    assert f'<a href="{SITE}/circles/{circle.pk}/plan/2026/">You plan the year' in html
    assert "record who came, the minutes and the actions agreed" in html


def test_it_is_in_the_new_coordinators_language(
    client, circle, coordinator, officer, django_capture_on_commit_callbacks
):
    officer.preferred_language = "nl"
    officer.save()
    make_coordinator(
        client, coordinator, officer.memberships.get(), django_capture_on_commit_callbacks
    )
    [message] = mail.outbox
    assert message.subject == "Je coördineert nu Overvecht Allies"
    assert "Coordinator heeft je coördinator gemaakt van Overvecht Allies (Utrecht)." in (
        message.body
    )
    assert message.extra_headers["Content-Language"] == "nl"


def test_one_email_when_made_coordinator_none_when_the_role_stays_or_is_taken_away(
    client, circle, coordinator, officer, django_capture_on_commit_callbacks
):
    theirs = officer.memberships.get()
    capture = django_capture_on_commit_callbacks
    make_coordinator(client, coordinator, theirs, capture)
    make_coordinator(client, coordinator, theirs, capture, sector="community")
    with capture(execute=True):
        client.post(edit_url(circle, theirs), {"sector": "police"})
    theirs.refresh_from_db()
    assert not theirs.is_coordinator
    assert [message.subject for message in mail.outbox] == ["You now coordinate Overvecht Allies"]


def test_a_member_without_an_email_address_is_made_coordinator_without_one(
    client, circle, coordinator, officer, clerk, django_capture_on_commit_callbacks
):
    officer.email = ""
    officer.save()
    capture = django_capture_on_commit_callbacks
    response = make_coordinator(client, coordinator, officer.memberships.get(), capture)
    assert "gets an email" not in response.content.decode()
    make_coordinator(client, coordinator, clerk.memberships.get(), capture)
    assert officer.memberships.get().is_coordinator
    assert [message.to for message in mail.outbox] == [["clerk@example.org"]]


def test_a_member_made_coordinator_in_admin_is_told_too(
    client, admin_user, circle, coordinator, officer, django_capture_on_commit_callbacks
):
    signed_in_before(officer)
    client.force_login(admin_user)
    url = membership_url(officer.memberships.get())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(client, url, "left_on") | {"is_coordinator": "on"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["officer@example.org"]
    assert "Admin has made you a coordinator of Overvecht Allies" in message.body
    page = client.get(response.url).content.decode()
    assert "Officer gets an email saying what a coordinator does." in page


def test_a_member_added_as_coordinator_on_the_circles_admin_page_is_told(
    client, admin_user, circle, coordinator, officer, django_capture_on_commit_callbacks
):
    officer.memberships.get().end()
    signed_in_before(officer)
    client.force_login(admin_user)
    url = circle_url(circle)
    data = form_data(client, url, "municipality") | {
        "memberships-2-0-person": str(officer.pk),
        "memberships-2-0-sector": "police",
        "memberships-2-0-is_coordinator": "on",
        "memberships-2-0-joined_on": "2026-05-04",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    assert circle.memberships.active().coordinators().filter(person=officer).exists()
    assert "You now coordinate Overvecht Allies" in [message.subject for message in mail.outbox]


def test_of_a_handover_on_the_circles_admin_page_only_the_new_coordinator_hears(
    client, admin_user, circle, coordinator, officer, django_capture_on_commit_callbacks
):
    signed_in_before(officer)
    client.force_login(admin_user)
    url = circle_url(circle)
    data = form_data(client, url, "municipality")
    data[f"{row_of(data, officer.memberships.get())}-is_coordinator"] = "on"
    data[f"{row_of(data, coordinator.memberships.get())}-left_on"] = "2026-05-04"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    told = [message.to for message in mail.outbox if "coordinate" in message.subject]
    assert told == [["officer@example.org"]]


def test_in_admin_one_who_never_signed_in_is_told_by_their_welcome_only(
    client, admin_user, circle, coordinator, django_capture_on_commit_callbacks
):
    newcomer = make_person("newcomer")
    theirs = Membership.objects.create(person=newcomer, circle=circle, sector="community")
    client.force_login(admin_user)
    url = membership_url(theirs)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(client, url, "left_on") | {"is_coordinator": "on"})
    assert response.status_code == 302
    assert mail.outbox == []
    assert "gets an email" not in client.get(response.url).content.decode()
    # The welcome, with the link to choose a password, says it: once.
    send_welcome(client, [newcomer], django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == ["newcomer@example.org"]
    assert "You are its coordinator" in message.body
