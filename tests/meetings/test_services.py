"""The services the views use and that notifications will hang off: their transactions and
the calendar sequence rule (it grows with each change of time, venue or status, only then)."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import dateformat, timezone

from actions.models import Action
from meetings import services
from meetings.models import Attendance, Meeting
from tests import ical
from tests.conftest import make_meeting
from tests.meetings.test_notify import calendar_part, calendar_parts


def later(meeting, days):
    return meeting.starts_at + datetime.timedelta(days=days)


def test_scheduling_starts_at_sequence_zero(circle):
    starts = timezone.now() + datetime.timedelta(days=3)
    meeting = services.meeting_schedule(
        circle=circle,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue_name="Stadhuis",
    )
    assert meeting.status == Meeting.Status.PLANNED and meeting.sequence == 0


@pytest.mark.parametrize(
    ("changes", "bumps"),
    [
        ({"title": "Renamed", "kind": "extra"}, 0),
        ({"venue_kind": "town_hall"}, 1),
        ({"status": "confirmed", "venue_name": "Stadhuis"}, 1),
        ({"venue_name": "Police station"}, 0),  # the same value is no change
    ],
)
def test_update_grows_the_sequence_only_for_time_venue_or_status(meeting, changes, bumps):
    uid = meeting.uid
    services.meeting_update(meeting=meeting, changes=changes)
    meeting.refresh_from_db()
    assert meeting.sequence == bumps and meeting.uid == uid


def test_update_compares_with_the_stored_meeting(meeting):
    stale = Meeting.objects.get(pk=meeting.pk)
    services.meeting_update(
        meeting=meeting, changes={"starts_at": later(meeting, 1), "ends_at": later(meeting, 2)}
    )
    services.meeting_update(meeting=stale, changes={"venue_name": "Stadhuis"})
    meeting.refresh_from_db()
    assert meeting.sequence == 2
    assert meeting.venue_name == "Stadhuis" and meeting.starts_at == later(stale, 1)


def test_update_refuses_fields_it_does_not_own(meeting):
    with pytest.raises(ValueError, match="sequence"):
        services.meeting_update(meeting=meeting, changes={"sequence": 9})


def test_cancel_once_bumps_once(meeting):
    assert services.meeting_cancel(meeting=meeting) is True
    assert services.meeting_cancel(meeting=meeting) is False
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED and meeting.sequence == 1


def test_cancel_keeps_the_reason_of_the_first_cancellation(meeting):
    assert services.meeting_cancel(meeting=meeting, reason="The venue is closed.") is True
    assert services.meeting_cancel(meeting=meeting, reason="Another reason.") is False
    meeting.refresh_from_db()
    assert meeting.cancel_reason == "The venue is closed."
    # One step in the history: the cancellation and its reason together.
    latest = meeting.history.first()
    assert (latest.status, latest.cancel_reason) == (
        Meeting.Status.CANCELLED,
        meeting.cancel_reason,
    )
    assert meeting.history.count() == 2


def test_only_a_reopening_changes_a_cancelled_meeting(
    django_capture_on_commit_callbacks, meeting, mailoutbox
):
    services.meeting_cancel(meeting=meeting, reason="The venue is closed.")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.MeetingStateError),
    ):
        services.meeting_update(meeting=meeting, changes={"status": "planned"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, changes={"status": "planned"}, reopen=True)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    assert meeting.cancel_reason == ""  # on again, why it was off is past
    assert mailoutbox and all(m.subject.startswith("Changed:") for m in mailoutbox)


# Held, or gone by and not recorded yet (entered to record it, say): nobody can go there.
@pytest.mark.parametrize("status", [Meeting.Status.HELD, Meeting.Status.PLANNED])
def test_correcting_the_venue_or_host_of_a_meeting_gone_by_tells_nobody(
    django_capture_on_commit_callbacks, circle, cast, mailoutbox, status
):
    past = make_meeting(circle, days_ahead=-7, status=status)
    changes = {"venue_name": "Wijkcentrum", "host": cast["officer"]}
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.meeting_update(meeting=past, changes=changes, by=cast["coordinator"])
    assert changed == ["venue_name", "host"] and mailoutbox == []
    past.refresh_from_db()
    assert (past.venue_name, past.host) == ("Wijkcentrum", cast["officer"])


def test_a_held_meeting_cannot_be_cancelled(circle):
    held = make_meeting(circle, days_ahead=-2, status=Meeting.Status.HELD)
    with pytest.raises(services.MeetingStateError):
        services.meeting_cancel(meeting=held)


def test_plan_year_creates_all_or_nothing(circle):
    starts = timezone.now() + datetime.timedelta(days=30)
    dinners = [
        {
            "starts_at": starts + datetime.timedelta(days=n),
            "venue_name": "Stadhuis",
            "ends_at": starts + datetime.timedelta(days=n, hours=2),
        }
        for n in range(3)
    ]
    dinners[2]["ends_at"] = dinners[2]["starts_at"]  # the database refuses this one
    with pytest.raises(IntegrityError):
        services.meetings_plan_year(circle=circle, dinners=dinners)
    assert not Meeting.objects.exists()


def test_record_is_all_or_nothing(circle, cast, monkeypatch):
    started = make_meeting(circle, days_ahead=-1)
    Attendance.objects.create(meeting=started, person=cast["officer"])

    def broken_create(**kwargs):
        raise RuntimeError("database went away")

    # Attendance and minutes are written first; the action is the last step and fails.
    monkeypatch.setattr(Action.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        services.meeting_record(
            meeting=started,
            by=cast["coordinator"],
            attendees=[cast["citizen"]],
            minutes="Lost",
            actions=[{"title": "Lights", "owners": [cast["clerk"]]}],
        )
    started.refresh_from_db()
    assert started.minutes == "" and started.status == Meeting.Status.PLANNED
    assert list(started.attendees.all()) == [cast["officer"]]
    assert not Action.objects.exists()


def test_record_cannot_touch_a_cancelled_meeting(circle, coordinator):
    started = make_meeting(circle, days_ahead=-1)
    started.cancel()
    with pytest.raises(services.MeetingStateError):
        services.meeting_record(meeting=started, by=coordinator, attendees=[], minutes="x")


def _ics(message) -> str:
    return calendar_part(message).get_payload(decode=True).decode()


def _when(moment) -> str:
    """A start as the emails' details give it ("Thursday 7 May 2026, 18:30")."""
    return dateformat.format(timezone.localtime(moment), "l j F Y, H:i")


def _sent(capture, work):
    """The mails that `work` sends once its transaction commits, by recipient."""
    with capture(execute=True):
        work()
    return {message.to[0]: message for message in mail.outbox}


def test_scheduling_invites_every_member(django_capture_on_commit_callbacks, circle, cast):
    def schedule():
        starts = timezone.now() + datetime.timedelta(days=20)
        services.meeting_schedule(
            circle=circle,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            venue_name="Stadhuis",
        )

    sent = _sent(django_capture_on_commit_callbacks, schedule)
    assert set(sent) == {f"{n}@example.org" for n in ("coordinator", "officer", "clerk", "citizen")}
    assert all("METHOD:REQUEST" in _ics(m) for m in sent.values())


def _dinners(*days) -> list[dict]:
    """A year plan's dinners, these days after a month from now."""
    starts = timezone.now() + datetime.timedelta(days=30)
    return [
        {
            "starts_at": starts + datetime.timedelta(days=d),
            "ends_at": starts + datetime.timedelta(days=d, hours=2),
            "venue_name": "Stadhuis",
        }
        for d in days
    ]


def _uids(message) -> list[str]:
    """The UIDs of the message's calendar files, in order."""
    return [ical.events(p.get_payload(decode=True))[0]["uid"] for p in calendar_parts(message)]


def test_the_planner_invites_to_every_dinner_in_one_message(
    django_capture_on_commit_callbacks, circle, citizen
):
    with django_capture_on_commit_callbacks(execute=True):
        made = services.meetings_plan_year(circle=circle, dinners=_dinners(0, 70))
    [message] = [m for m in mail.outbox if m.to == ["citizen@example.org"]]
    assert _uids(message) == [f"{meeting.uid}@allies" for meeting in made]


def test_a_planned_dinner_cancelled_before_the_mail_is_left_out(
    django_capture_on_commit_callbacks, circle, citizen
):
    with django_capture_on_commit_callbacks(execute=True):
        first, *others = services.meetings_plan_year(circle=circle, dinners=_dinners(0, 70, 140))
        first.cancel()
    [message] = [m for m in mail.outbox if m.to == ["citizen@example.org"]]
    assert message.subject.startswith("Invitation: 2 dinners of Overvecht Allies in ")
    assert _uids(message) == [f"{meeting.uid}@allies" for meeting in others]


@pytest.mark.parametrize(
    ("changes", "mails"),
    [
        ({"venue_name": "Buurthuis"}, 1),
        ({"title": "Spring dinner"}, 0),
        ({"status": Meeting.Status.CONFIRMED}, 0),
    ],
)
def test_members_hear_of_a_new_time_or_venue_only(
    django_capture_on_commit_callbacks, meeting, citizen, changes, mails
):
    sent = _sent(
        django_capture_on_commit_callbacks,
        lambda: services.meeting_update(meeting=meeting, changes=changes),
    )
    assert ("citizen@example.org" in sent) == bool(mails)
    if mails:
        assert "SEQUENCE:1" in _ics(sent["citizen@example.org"])


def test_cancelling_tells_the_members_why(django_capture_on_commit_callbacks, meeting, citizen):
    sent = _sent(
        django_capture_on_commit_callbacks,
        lambda: services.meeting_cancel(meeting=meeting, reason="Too few could come."),
    )
    message = sent["citizen@example.org"]
    assert "Reason: Too few could come." in message.body
    [event] = ical.events(_ics(message))
    assert event["description"].startswith("Reason: Too few could come.\n")


def test_cancelling_tells_the_members_once(django_capture_on_commit_callbacks, meeting, citizen):
    sent = _sent(
        django_capture_on_commit_callbacks, lambda: services.meeting_cancel(meeting=meeting)
    )
    assert "METHOD:CANCEL" in _ics(sent["citizen@example.org"])
    mail.outbox.clear()
    assert (
        _sent(django_capture_on_commit_callbacks, lambda: services.meeting_cancel(meeting=meeting))
        == {}
    )


def test_a_new_host_and_the_previous_one_are_told(
    django_capture_on_commit_callbacks, circle, cast, mailoutbox
):
    dinner = make_meeting(circle, host=cast["officer"])
    cast["clerk"].preferred_language = "nl"
    cast["clerk"].save()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=dinner, changes={"host": cast["clerk"]})
    sent = {message.to[0]: message for message in mailoutbox}
    assert sorted(sent) == ["clerk@example.org", "officer@example.org"]
    new, previous = sent["clerk@example.org"], sent["officer@example.org"]
    assert new.subject.startswith("Je bent nu gastheer/gastvrouw: ")
    assert "Je bent nu gastheer/gastvrouw van deze bijeenkomst" in new.body
    assert "Clerk (dat ben jij)" in new.body
    assert previous.subject.startswith("You are no longer the host: ")
    assert "You are no longer the host of this meeting of Overvecht Allies:" in previous.body
    assert "Host: Clerk\n" in previous.body
    assert f"/meetings/{dinner.pk}/" in previous.body
    assert not any(p.get_content_type() == "text/calendar" for p in new.message().walk())


def test_whoever_changes_the_host_is_named_and_not_told_themselves(
    django_capture_on_commit_callbacks, circle, cast, mailoutbox
):
    dinner = make_meeting(circle, host=cast["officer"])
    coordinator = cast["coordinator"]
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=dinner, changes={"host": coordinator}, by=coordinator)
    [previous] = mailoutbox
    assert previous.to == ["officer@example.org"]
    intro = "Coordinator has made someone else the host of this meeting of Overvecht Allies:"
    assert intro in previous.body
    assert intro in previous.alternatives[0][0]


def test_a_host_taken_off_without_a_new_one_is_not_told_someone_else_hosts(
    django_capture_on_commit_callbacks, circle, cast, mailoutbox
):
    """The coordinator clears the host ("nobody yet"): nobody else hosts it."""
    dinner = make_meeting(circle, host=cast["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=dinner, changes={"host": None}, by=cast["coordinator"])
    [previous] = mailoutbox
    assert previous.subject.startswith("You are no longer the host: ")
    intro = (
        "Coordinator has taken you off as host of this meeting of Overvecht Allies; nobody "
        "hosts it yet:"
    )
    assert intro in previous.body and intro in previous.alternatives[0][0]
    assert "someone else" not in previous.body


def test_a_host_taken_off_while_moving_the_dinner_is_told_so_in_dutch(
    django_capture_on_commit_callbacks, circle, cast, mailoutbox
):
    dinner = make_meeting(circle, host=cast["officer"])
    cast["officer"].preferred_language = "nl"
    cast["officer"].save()
    moved = {
        "starts_at": later(dinner, 1),
        "ends_at": later(dinner, 1) + datetime.timedelta(hours=2),
        "host": None,
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=dinner, changes=moved, by=cast["coordinator"])
    previous = {message.to[0]: message for message in mailoutbox}["officer@example.org"]
    assert previous.subject.startswith("Gewijzigd, en je bent niet langer gastheer/gastvrouw: ")
    intro = (
        "Coordinator heeft deze bijeenkomst van Overvecht Allies gewijzigd, en je bent niet "
        "langer gastheer/gastvrouw; er is nog niemand anders. Dit is de nieuwe tijd en plaats:"
    )
    assert intro in previous.body and intro in previous.alternatives[0][0]
    assert "iemand anders gastheer" not in previous.body


def test_a_host_for_a_dinner_without_one_is_told_alone(
    django_capture_on_commit_callbacks, meeting, cast, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, changes={"host": cast["citizen"]})
    assert [m.to for m in mailoutbox] == [["citizen@example.org"]]
    assert mailoutbox[0].subject.startswith("You are now the host: ")


def test_a_new_host_and_a_new_time_are_told_in_one_update_each(
    django_capture_on_commit_callbacks, circle, cast, mailoutbox
):
    """The previous host learns they no longer host in the email that also brings the new time
    and the calendar update, not in a second email with the details again."""
    dinner = make_meeting(circle, host=cast["officer"])
    cast["clerk"].preferred_language = "nl"
    cast["clerk"].save()
    was = dinner.starts_at
    moved = {
        "starts_at": later(dinner, 1),
        "ends_at": later(dinner, 1) + datetime.timedelta(hours=2),
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            meeting=dinner, changes={**moved, "host": cast["clerk"]}, by=cast["coordinator"]
        )
    sent = {message.to[0]: message for message in mailoutbox}
    assert len(mailoutbox) == len(sent) == 4  # one each: the circle's four members
    assert all("METHOD:REQUEST" in _ics(message) for message in mailoutbox)

    previous = sent["officer@example.org"]
    assert previous.subject.startswith("Changed, and you are no longer the host: ")
    intro = (
        "Coordinator has made someone else the host of this meeting of Overvecht Allies and "
        "changed it. This is the new time and place:"
    )
    assert intro in previous.body and intro in previous.alternatives[0][0]
    assert "Host: Clerk\n" in previous.body
    assert f"When: {_when(moved['starts_at'])}" in previous.body
    assert _when(was) not in previous.body

    new = sent["clerk@example.org"]
    assert new.subject.startswith("Gewijzigd, en je bent nu gastheer/gastvrouw: ")
    intro = "Coordinator heeft je gastheer/gastvrouw gemaakt van deze bijeenkomst van Overvecht"
    assert intro in new.body and intro in new.alternatives[0][0]
    assert "Clerk (dat ben jij)" in new.body

    # Everyone else, and whoever made the change, get the update as it was.
    for address in ("citizen@example.org", "coordinator@example.org"):
        assert sent[address].subject.startswith("Changed: ")
        assert "A meeting of Overvecht Allies has changed." in sent[address].body
        assert "host of this meeting" not in sent[address].body


def test_a_host_change_with_a_new_venue_by_nobody_known_is_told_without_a_name(
    django_capture_on_commit_callbacks, circle, cast, mailoutbox
):
    dinner = make_meeting(circle, host=cast["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            meeting=dinner, changes={"host": cast["clerk"], "venue_name": "Stadhuis"}
        )
    sent = {message.to[0]: message for message in mailoutbox}
    assert len(mailoutbox) == 4
    assert (
        "You are no longer the host of this meeting of Overvecht Allies, and it has changed. "
        "This is the new time and place:" in sent["officer@example.org"].body
    )
    assert "You are now the host of this meeting of Overvecht Allies, and it has changed." in (
        sent["clerk@example.org"].body
    )
    assert "Host: Clerk (that is you)" in sent["clerk@example.org"].body
    assert sent["coordinator@example.org"].subject.startswith("Changed: ")


def test_whoever_takes_over_as_host_while_moving_the_dinner_is_not_told_twice(
    django_capture_on_commit_callbacks, circle, cast, mailoutbox
):
    dinner = make_meeting(circle, host=cast["officer"])
    coordinator = cast["coordinator"]
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            meeting=dinner,
            changes={"host": coordinator, "venue_name": "Stadhuis"},
            by=coordinator,
        )
    sent = {message.to[0]: message for message in mailoutbox}
    assert sent["coordinator@example.org"].subject.startswith("Changed: ")
    assert sent["officer@example.org"].subject.startswith(
        "Changed, and you are no longer the host: "
    )


def test_a_host_noted_after_the_dinner_tells_nobody(
    django_capture_on_commit_callbacks, circle, cast, mailoutbox
):
    past = make_meeting(circle, days_ahead=-1)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=past, changes={"host": cast["clerk"]})
    assert mailoutbox == []
