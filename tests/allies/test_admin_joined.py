"""A member whom an admin adds to a circle, or lets back in, is invited to the dinners already
planned, as a member who joins through the site is (notify.notify_joined): otherwise they
would hear of no dinner before its reminder."""

from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from circles.models import Membership, Sector
from tests.allies.test_admin_welcome import ADD, added, welcome_page
from tests.conftest import make_meeting, make_person
from tests.htmlforms import forms_on
from tests.meetings.test_notify import uids

MEMBERSHIP_ADD = reverse("admin:circles_membership_add")
EMAILED_ONE = "Emailed 1 new member the dinners already planned."


def circle_page(circle) -> str:
    return reverse("admin:circles_circle_change", args=[circle.pk])


def membership_page(membership) -> str:
    return reverse("admin:circles_membership_change", args=[membership.pk])


def shown(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def post(client, url, values, capture):
    """Post an admin form, its emails sent as the save commits; the redirect that follows."""
    with capture(execute=True):
        response = client.post(url, values)
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def as_shown(client, url, **changes) -> dict:
    """The admin's form as the page fills it in (inlines and their management forms
    included), pressing "Save", with `changes`."""
    [form] = [f for f in forms_on(client.get(url).content.decode()) if "_save" in f.fields]
    values = form.values()
    for button in ("_addanother", "_continue", "_saveasnew"):
        values.pop(button, None)
    return values | changes


def added_membership(person, circle, **changes) -> dict:
    """The fields of the membership admin's add page for a new member of the circle."""
    values = {
        "person": person.pk,
        "circle": circle.pk,
        "sector": Sector.COMMUNITY,
        "joined_on": timezone.localdate().isoformat(),
        "_save": "Save",
    }
    return values | changes


def new_rows(circle, *people, sector=Sector.POLICE) -> dict:
    """The circle page's rows for adding members, one for each person."""
    rows = {"memberships-2-TOTAL_FORMS": str(len(people))}
    for n, person in enumerate(people):
        rows |= {
            f"memberships-2-{n}-person": person.pk,
            f"memberships-2-{n}-circle": circle.pk,
            f"memberships-2-{n}-sector": sector,
            f"memberships-2-{n}-joined_on": timezone.localdate().isoformat(),
        }
    return rows


def test_a_person_added_on_the_membership_page_gets_the_dinners_ahead_once_saved(
    admin_client, circle, coordinator, django_capture_on_commit_callbacks
):
    """Someone who signs in already (a member of another circle, say)."""
    noor = make_person("noor")
    first = make_meeting(circle, days_ahead=10)
    second = make_meeting(circle, days_ahead=40)
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(MEMBERSHIP_ADD, added_membership(noor, circle))
    assert response.status_code == 302
    assert mail.outbox == []  # not before the membership is committed
    for callback in callbacks:
        callback()
    [message] = mail.outbox  # the coordinator, in already, gets nothing
    assert message.to == ["noor@example.org"]
    assert message.subject == "Invitation: the next 2 dinners of Overvecht Allies"
    assert uids(message) == [f"{first.uid}@allies", f"{second.uid}@allies"]
    assert EMAILED_ONE in shown(response)


def test_members_added_on_the_circle_page_get_them_and_the_admin_reads_how_many(
    admin_client, circle, citizen, django_capture_on_commit_callbacks
):
    make_meeting(circle, days_ahead=10)
    noor, sem = make_person("noor"), make_person("sem")
    rows = new_rows(circle, noor, sem)
    values = as_shown(admin_client, circle_page(circle), **rows)
    response = post(admin_client, circle_page(circle), values, django_capture_on_commit_callbacks)
    assert set(circle.memberships.values_list("person__username", flat=True)) == {
        "citizen",
        "noor",
        "sem",
    }
    assert sorted(message.to[0] for message in mail.outbox) == [
        "noor@example.org",
        "sem@example.org",
    ]
    assert "Emailed 2 new members the dinners already planned." in shown(response)


def test_a_member_let_back_in_gets_what_was_planned_before_and_while_they_were_away(
    admin_client, circle, citizen, django_capture_on_commit_callbacks
):
    """Those planned while they were away never reached them; those planned before they left
    did, and may no longer be in their calendar: all come, with any answer they gave."""
    membership = citizen.memberships.get()
    before = make_meeting(circle, days_ahead=10)
    before.responses.create(person=citizen, answer="attending")
    membership.end()
    while_away = make_meeting(circle, days_ahead=40)
    values = as_shown(admin_client, circle_page(circle), **{"memberships-0-left_on": ""})
    response = post(admin_client, circle_page(circle), values, django_capture_on_commit_callbacks)
    membership.refresh_from_db()
    assert membership.is_active
    [message] = mail.outbox
    assert message.to == ["citizen@example.org"]
    assert uids(message) == [f"{before.uid}@allies", f"{while_away.uid}@allies"]
    assert EMAILED_ONE in shown(response)


def test_a_member_let_back_in_on_the_membership_page_gets_them_too(
    admin_client, circle, citizen, django_capture_on_commit_callbacks
):
    membership = citizen.memberships.get()
    membership.end()
    while_away = make_meeting(circle, days_ahead=40)
    url = membership_page(membership)
    response = post(
        admin_client,
        url,
        as_shown(admin_client, url, left_on=""),
        django_capture_on_commit_callbacks,
    )
    [message] = mail.outbox
    assert uids(message) == [f"{while_away.uid}@allies"]
    assert EMAILED_ONE in shown(response)


def test_a_person_added_with_a_password_to_pass_on_gets_them(
    admin_client, circle, django_capture_on_commit_callbacks
):
    """They can sign in with it: no welcome follows to bring the dinners."""
    make_meeting(circle, days_ahead=10)
    password = "a long password nobody guesses"
    values = added(circle, usable_password="true", password1=password, password2=password)
    response = post(admin_client, ADD, values, django_capture_on_commit_callbacks)
    # Added as the circle's coordinator (added()), they are told that too: no welcome says it.
    assert [message.to for message in mail.outbox] == [["noor@example.org"]] * 2
    # In their own language, Dutch.
    assert sorted(message.subject for message in mail.outbox) == [
        "Je coördineert nu Overvecht Allies",
        "Uitnodiging: het volgende diner van Overvecht Allies",
    ]
    assert EMAILED_ONE in shown(response)


def test_a_person_added_with_a_link_gets_the_dinners_with_their_first_password_only(
    admin_client, circle, django_capture_on_commit_callbacks
):
    """The welcome covers them: the dinners follow once they have chosen a password
    (membership_take_up), not now as well."""
    make_meeting(circle, days_ahead=10)
    response = post(admin_client, ADD, added(circle), django_capture_on_commit_callbacks)
    [welcome] = mail.outbox
    assert welcome.subject == "Admin nodigt je uit voor Overvecht Allies"
    assert not any(text.startswith("Emailed") for text in shown(response))
    with django_capture_on_commit_callbacks(execute=True):
        welcome_page(welcome, circle)
    [dinners] = mail.outbox[1:]
    assert dinners.subject == "Uitnodiging: het volgende diner van Overvecht Allies"


def test_only_who_can_be_emailed_is_and_is_counted(
    admin_client, circle, django_capture_on_commit_callbacks
):
    """Not a deactivated person, nor one without an email address."""
    make_meeting(circle, days_ahead=10)
    gone = make_person("gone", is_active=False)
    mailless = make_person("mailless", email="")
    noor = make_person("noor")
    rows = new_rows(circle, gone, mailless, noor)
    values = as_shown(admin_client, circle_page(circle), **rows)
    response = post(admin_client, circle_page(circle), values, django_capture_on_commit_callbacks)
    assert circle.memberships.active().count() == 3
    assert [message.to for message in mail.outbox] == [["noor@example.org"]]
    assert EMAILED_ONE in shown(response)


def test_a_membership_saved_ended_sends_nothing(
    admin_client, circle, django_capture_on_commit_callbacks
):
    """With the day they left filled in, nothing; the same without it, the email."""
    make_meeting(circle, days_ahead=10)
    noor, sem = make_person("noor"), make_person("sem")
    today = timezone.localdate().isoformat()
    values = added_membership(noor, circle, left_on=today)
    response = post(admin_client, MEMBERSHIP_ADD, values, django_capture_on_commit_callbacks)
    assert not noor.memberships.get().is_active
    assert not any(text.startswith("Emailed") for text in shown(response))
    values = added_membership(sem, circle)
    post(admin_client, MEMBERSHIP_ADD, values, django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == [["sem@example.org"]]


def test_a_change_to_a_member_who_is_in_already_sends_them_nothing(
    admin_client, circle, citizen, django_capture_on_commit_callbacks
):
    """On the membership's page, and on the circle's, saved with a new member, who is."""
    make_meeting(circle, days_ahead=10)
    membership = citizen.memberships.get()
    url = membership_page(membership)
    values = as_shown(admin_client, url, sector=Sector.POLICE)
    response = post(admin_client, url, values, django_capture_on_commit_callbacks)
    assert not any(text.startswith("Emailed") for text in shown(response))
    changes = {"memberships-0-sector": Sector.MUNICIPALITY} | new_rows(circle, make_person("sem"))
    circle_values = as_shown(admin_client, circle_page(circle), **changes)
    response = post(
        admin_client, circle_page(circle), circle_values, django_capture_on_commit_callbacks
    )
    assert Membership.objects.get(pk=membership.pk).sector == Sector.MUNICIPALITY
    assert [message.to for message in mail.outbox] == [["sem@example.org"]]
    assert EMAILED_ONE in shown(response)


def test_without_a_dinner_ahead_nothing_is_said(
    admin_client, circle, other_circle, django_capture_on_commit_callbacks
):
    make_meeting(circle, days_ahead=-10, status="held")
    make_meeting(other_circle, days_ahead=10)
    noor = make_person("noor")
    values = added_membership(noor, circle)
    response = post(admin_client, MEMBERSHIP_ADD, values, django_capture_on_commit_callbacks)
    assert not any(text.startswith("Emailed") for text in shown(response))
    values = added_membership(noor, other_circle)
    response = post(admin_client, MEMBERSHIP_ADD, values, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.subject == "Invitation: the next dinner of Tilburg Allies"
    assert EMAILED_ONE in shown(response)


def test_in_dutch_the_admin_reads_how_many_were_emailed(
    dutch_admin, circle, django_capture_on_commit_callbacks
):
    make_meeting(circle, days_ahead=10)
    noor = make_person("noor")
    values = added_membership(noor, circle)
    response = post(dutch_admin, MEMBERSHIP_ADD, values, django_capture_on_commit_callbacks)
    assert "De diners die al gepland waren, zijn gemaild naar 1 nieuw lid." in shown(response)
