"""The meeting admin saves through the services: members hear of a new meeting, a change and
a cancellation made there as they do of one made on the coordinator's pages."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from meetings.models import AgendaItem, Meeting, Topic
from tests import ical
from tests.htmlforms import forms_on
from tests.meetings.test_notify import calendar_part

AMS = ZoneInfo("Europe/Amsterdam")
MEMBERS = {f"{name}@example.org" for name in ("coordinator", "officer", "clerk", "citizen")}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 4, 20, 9, 0, tzinfo=AMS), tick=False):
        yield


@pytest.fixture
def meeting(circle, cast):
    starts = datetime.datetime(2026, 5, 7, 18, 30, tzinfo=AMS)
    meeting = Meeting.objects.create(
        circle=circle,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=150),
        venue_name="Politiebureau Overvecht",
    )
    AgendaItem.objects.create(meeting=meeting, topic=Topic.objects.get(name="Nuisance"), order=1)
    return meeting


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


def change_url(meeting):
    return reverse("admin:meetings_meeting_change", args=[meeting.pk])


def form_data(client, url) -> dict:
    """What the browser sends from the admin form as the page shows it (inline management
    forms and rows included), pressing "Save"."""
    [form] = [f for f in forms_on(client.get(url).content.decode()) if "venue_name" in f.fields]
    data = form.values()
    for button in ("_addanother", "_continue", "_saveasnew"):
        data.pop(button, None)
    return data


def save(client, url, capture, **changes):
    """Post the admin form with these changes; the mails go out as the transaction commits."""
    data = form_data(client, url) | changes
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def sent_to_each_member(method: str, sequence: int) -> list[dict]:
    """The events of the calendar files sent, after checking that each member got one message
    whose calendar file has this METHOD and SEQUENCE."""
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(MEMBERS)
    events = []
    for message in mail.outbox:
        body = calendar_part(message).get_payload(decode=True)
        assert ical.calendar_property(body, "METHOD") == method
        [event] = ical.events(body)
        assert event["sequence"] == sequence
        events.append(event)
    return events


A_WEEK_LATER = {"starts_at_0": "2026-05-14", "ends_at_0": "2026-05-14"}


def test_a_new_time_is_a_new_version_sent_to_every_member(
    admin, meeting, django_capture_on_commit_callbacks
):
    save(admin, change_url(meeting), django_capture_on_commit_callbacks, **A_WEEK_LATER)
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert meeting.starts_at == datetime.datetime(2026, 5, 14, 18, 30, tzinfo=AMS)
    for event in sent_to_each_member("REQUEST", sequence=1):
        assert event["uid"] == f"{meeting.uid}@allies"
        assert event["start"] == meeting.starts_at
    assert mail.outbox[0].subject.startswith("Changed: ")
    assert meeting.history.first().history_user.username == "admin"


def test_a_host_set_in_admin_learns_who_did_it(
    admin, admin_user, meeting, cast, django_capture_on_commit_callbacks
):
    officer = cast["officer"]
    save(admin, change_url(meeting), django_capture_on_commit_callbacks, host=officer.pk)
    [message] = mail.outbox
    assert message.to == [officer.email]
    intro = f"{admin_user} has made you the host of this meeting of Overvecht Allies:"
    assert intro in message.body


def test_admin_refuses_a_host_from_outside_the_circle(admin, meeting, cast):
    url = change_url(meeting)
    response = admin.post(url, form_data(admin, url) | {"host": cast["outsider"].pk})
    assert response.status_code == 200
    assert "Choose a member of the circle as host." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.host is None and mail.outbox == []


def test_admin_keeps_a_host_who_left_the_circle_since(
    admin, meeting, cast, django_capture_on_commit_callbacks
):
    meeting.host = cast["officer"]
    meeting.save()
    cast["officer"].memberships.get().end()
    save(admin, change_url(meeting), django_capture_on_commit_callbacks, venue_name="Stadhuis")
    meeting.refresh_from_db()
    assert (meeting.host, meeting.venue_name) == (cast["officer"], "Stadhuis")


def test_cancelling_in_admin_sends_the_cancellation(
    admin, meeting, django_capture_on_commit_callbacks
):
    save(admin, change_url(meeting), django_capture_on_commit_callbacks, status="cancelled")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (Meeting.Status.CANCELLED, 1)
    events = sent_to_each_member("CANCEL", sequence=1)
    assert {event["status"] for event in events} == {"CANCELLED"}


def test_cancelling_in_admin_tells_the_reason_given_there(
    admin, meeting, django_capture_on_commit_callbacks
):
    url = change_url(meeting)
    assert "cancel_reason" in form_data(admin, url)
    reason = "The venue is closed."
    save(admin, url, django_capture_on_commit_callbacks, status="cancelled", cancel_reason=reason)
    meeting.refresh_from_db()
    assert meeting.cancel_reason == reason
    # The reason went with the cancellation: no history step cancelled without it.
    cancelled = meeting.history.filter(status=Meeting.Status.CANCELLED)
    assert [step.cancel_reason for step in cancelled] == [reason]
    for event in sent_to_each_member("CANCEL", sequence=1):
        assert event["description"].startswith(f"Reason: {reason}")
    assert all(f"Reason: {reason}" in message.body for message in mail.outbox)
    assert f"{reason}</textarea>" in admin.get(url).content.decode()


def test_saving_a_cancelled_meeting_in_admin_keeps_the_line_breaks_of_its_reason(
    admin, meeting, django_capture_on_commit_callbacks
):
    # Typed on the cancel page, whose reason is a text area.
    reason = "The venue is closed.\nA date poll follows."
    meeting.cancel(reason=reason)
    url = change_url(meeting)
    save(admin, url, django_capture_on_commit_callbacks, minutes="Nothing to record.")
    meeting.refresh_from_db()
    assert meeting.cancel_reason == reason
    assert meeting.minutes == "Nothing to record."


def test_a_meeting_reopened_in_admin_drops_its_reason_for_cancelling(
    admin, meeting, django_capture_on_commit_callbacks
):
    meeting.cancel(reason="The venue is closed.")
    url = change_url(meeting)
    # The form still holds the old reason when the status is set back.
    save(admin, url, django_capture_on_commit_callbacks, status="planned")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == (Meeting.Status.PLANNED, "")
    assert "The venue is closed." not in admin.get(url).content.decode()


def test_moving_and_cancelling_at_once_sends_only_the_cancellation(
    admin, meeting, django_capture_on_commit_callbacks
):
    url = change_url(meeting)
    save(admin, url, django_capture_on_commit_callbacks, status="cancelled", **A_WEEK_LATER)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    # One step for the move, one for the cancellation; the update is overtaken by it.
    sent_to_each_member("CANCEL", sequence=2)


def test_a_cancelled_meeting_on_again_is_sent_to_every_member(
    admin, meeting, django_capture_on_commit_callbacks
):
    meeting.cancel()
    save(admin, change_url(meeting), django_capture_on_commit_callbacks, status="planned")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (Meeting.Status.PLANNED, 2)
    # Their calendars dropped it: the new version puts it back.
    events = sent_to_each_member("REQUEST", sequence=2)
    assert {event["status"] for event in events} == {"TENTATIVE"}


def test_confirming_is_a_new_version_without_an_email(
    admin, meeting, django_capture_on_commit_callbacks
):
    save(admin, change_url(meeting), django_capture_on_commit_callbacks, status="confirmed")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (Meeting.Status.CONFIRMED, 1)
    assert mail.outbox == []  # as on the edit page: the members hear of time and venue


@pytest.mark.parametrize(
    "second",
    [
        {},
        # Not what an invitation's version is about, as on the edit page.
        {"title": "Spring dinner", "minutes": "Notes", "agenda_items-0-notes": "Scooters"},
    ],
    ids=["nothing", "title-minutes-agenda"],
)
def test_saving_again_without_a_new_time_venue_or_status_sends_nothing(
    admin, meeting, django_capture_on_commit_callbacks, second
):
    url = change_url(meeting)
    save(admin, url, django_capture_on_commit_callbacks, venue_name="Stadhuis")
    assert len(mail.outbox) == len(MEMBERS)
    mail.outbox.clear()
    versions = meeting.history.count()

    save(admin, url, django_capture_on_commit_callbacks, **second)
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert mail.outbox == []
    if not second:
        assert meeting.history.count() == versions  # nothing written
    assert meeting.title == second.get("title", "")
    assert meeting.minutes == second.get("minutes", "")
    assert meeting.agenda_items.get().notes == second.get("agenda_items-0-notes", "")


def test_a_held_meeting_cannot_be_cancelled_and_nothing_is_saved(
    admin, meeting, django_capture_on_commit_callbacks
):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    url = change_url(meeting)
    response = save(
        admin, url, django_capture_on_commit_callbacks, status="cancelled", title="Renamed"
    )
    assert response.url == url
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Nothing was saved: A meeting that was held cannot be cancelled."
    ]
    meeting.refresh_from_db()
    assert (meeting.status, meeting.title, meeting.sequence) == (Meeting.Status.HELD, "", 0)
    assert mail.outbox == []


def test_a_held_meeting_keeps_its_date_and_nobody_is_invited_again(
    admin, meeting, django_capture_on_commit_callbacks
):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    url = change_url(meeting)
    response = save(admin, url, django_capture_on_commit_callbacks, **A_WEEK_LATER)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Nothing was saved: A meeting that was held keeps its date and times."
    ]
    meeting.refresh_from_db()
    assert (meeting.starts_at.day, meeting.sequence) == (7, 0)
    assert mail.outbox == []


def new_meeting_data(circle, **changes) -> dict:
    return {
        "circle": circle.pk,
        "kind": "dinner",
        "starts_at_0": "2026-06-04",
        "starts_at_1": "18:30:00",
        "ends_at_0": "2026-06-04",
        "ends_at_1": "21:00:00",
        "venue_name": "Stadhuis",
        "venue_kind": "town_hall",
        "status": "planned",
        "minutes": "",
        "agenda_items-TOTAL_FORMS": "1",
        **changes,
    }


def test_a_meeting_entered_as_held_invites_no_one(
    admin, circle, cast, django_capture_on_commit_callbacks
):
    url = reverse("admin:meetings_meeting_add")
    past = {"starts_at_0": "2026-03-05", "ends_at_0": "2026-03-05", "status": "held"}
    past["agenda_items-TOTAL_FORMS"] = "0"
    save(admin, url, django_capture_on_commit_callbacks, **new_meeting_data(circle, **past))
    assert Meeting.objects.get().status == Meeting.Status.HELD
    assert mail.outbox == []


def test_adding_a_meeting_invites_the_members_with_its_agenda(
    admin, circle, cast, django_capture_on_commit_callbacks
):
    url = reverse("admin:meetings_meeting_add")
    topic = Topic.objects.get(name="Poverty")
    data = new_meeting_data(circle, **{"agenda_items-0-topic": topic.pk})
    data["agenda_items-0-order"] = "1"
    save(admin, url, django_capture_on_commit_callbacks, **data)
    meeting = Meeting.objects.get()
    assert (meeting.venue_name, meeting.sequence) == ("Stadhuis", 0)
    assert [item.topic for item in meeting.agenda_items.all()] == [topic]
    events = sent_to_each_member("REQUEST", sequence=0)
    assert {event["uid"] for event in events} == {f"{meeting.uid}@allies"}
    assert all(m.subject.startswith("Invitation: ") and "Poverty" in m.body for m in mail.outbox)
    assert meeting.history.get().history_type == "+"


def test_reverting_to_an_earlier_time_is_a_new_version(
    admin, meeting, django_capture_on_commit_callbacks
):
    earlier = meeting.history.get()
    save(admin, change_url(meeting), django_capture_on_commit_callbacks, **A_WEEK_LATER)
    mail.outbox.clear()
    url = reverse("admin:meetings_meeting_simple_history", args=[meeting.pk, earlier.pk])
    save(admin, url, django_capture_on_commit_callbacks)
    meeting.refresh_from_db()
    assert meeting.starts_at == earlier.starts_at
    assert meeting.sequence == 2
    sent_to_each_member("REQUEST", sequence=2)


def test_the_refusal_is_in_the_admins_language(
    admin, admin_user, meeting, django_capture_on_commit_callbacks
):
    admin_user.preferred_language = "nl"
    admin_user.save()
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    response = save(
        admin, change_url(meeting), django_capture_on_commit_callbacks, status="cancelled"
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Er is niets opgeslagen: Een bijeenkomst die al gehouden is, kun je niet meer annuleren."
    ]


def test_a_meeting_is_named_with_its_date_in_the_admins_language(admin, admin_user, meeting):
    admin_user.preferred_language = "nl"
    admin_user.save()
    html = admin.get(change_url(meeting)).content.decode()
    assert "Diner — Overvecht Allies, 7 mei 2026" in html
    assert "2026-05-07" not in html
