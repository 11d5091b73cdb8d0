import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape

from actions.models import Action, ActionUpdate
from meetings import services
from meetings.models import Attendance, Meeting, Response
from tests.conftest import count_queries, make_meeting, make_person, planned_ahead
from tests.error_summary import link, summary
from tests.formsets import formset_data


@pytest.fixture
def started(circle, coordinator):
    return make_meeting(circle, days_ahead=-1)


def url(meeting):
    return f"/meetings/{meeting.pk}/record/"


def data(attendees=(), minutes="", actions=()):
    values = {"attendees": [str(person.pk) for person in attendees], "minutes": minutes}
    return values | formset_data("actions", list(actions), initial=0)


def row(title, owners, **extra):
    return {"title": title, "owners": [str(person.pk) for person in owners]} | extra


def ticked(html) -> set[str]:
    return set(re.findall(r'name="attendees" value="(\d+)"[^>]*checked', html))


def test_anonymous_is_sent_to_sign_in(client, started):
    response = client.get(url(started))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, started, outsider):
    client.force_login(outsider)
    assert client.get(url(started)).status_code == 404
    assert client.post(url(started), data(minutes="x")).status_code == 404
    started.refresh_from_db()
    assert started.minutes == ""


def test_member_who_does_not_coordinate_gets_403(client, started, citizen):
    client.force_login(citizen)
    assert client.get(url(started)).status_code == 403
    assert client.post(url(started), data([citizen], "Mine")).status_code == 403
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_meeting_is_recorded_only_once_it_started(client, meeting, coordinator, method):
    client.force_login(coordinator)
    response = getattr(client, method)(url(meeting), data([coordinator], "Early"), follow=True)
    assert "A meeting can be recorded once it has started." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == "" and meeting.status == Meeting.Status.PLANNED


def test_recording_opens_when_the_dinner_starts(client, meeting, coordinator):
    with time_machine.travel(meeting.starts_at):
        client.force_login(coordinator)
        assert client.get(url(meeting)).status_code == 200


def test_a_cancelled_meeting_cannot_be_recorded(client, started, coordinator):
    started.cancel()
    client.force_login(coordinator)
    response = client.post(url(started), data([coordinator], "x"), follow=True)
    assert "A cancelled meeting cannot be recorded." in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_attending_answers_are_ticked_and_members_are_the_choices(client, started, cast):
    Response.objects.create(meeting=started, person=cast["citizen"], answer="attending")
    Response.objects.create(meeting=started, person=cast["clerk"], answer="maybe")
    cast["officer"].memberships.get().end()
    client.force_login(cast["coordinator"])
    html = client.get(url(started)).content.decode()
    assert ticked(html) == {str(cast["citizen"].pk)}
    choices = set(re.findall(r'name="attendees" value="(\d+)"', html))
    assert choices == {str(cast[name].pk) for name in ("coordinator", "clerk", "citizen")}


def test_recording_saves_attendance_minutes_and_actions(client, started, cast):
    client.force_login(cast["coordinator"])
    actions = [
        row("Ask for street lights", [cast["clerk"], cast["citizen"]], due_date="2030-03-01"),
        {},  # a blank row is left alone
        row("Meet the youth workers", [cast["officer"]], description="Before summer"),
    ]
    response = client.post(
        url(started), data([cast["citizen"], cast["clerk"]], "Good evening.", actions)
    )
    assert response.status_code == 302
    assert response.url == f"/meetings/{started.pk}/"
    started.refresh_from_db()
    assert started.status == Meeting.Status.HELD and started.recorded_at is not None
    assert started.minutes == "Good evening."
    assert set(started.attendees.all()) == {cast["citizen"], cast["clerk"]}
    lights, youth = Action.objects.order_by("pk")
    assert lights.meeting == started and lights.circle == started.circle
    assert set(lights.owners.all()) == {cast["clerk"], cast["citizen"]}
    assert lights.due_date == datetime.date(2030, 3, 1)
    assert lights.created_by == cast["coordinator"] and lights.status == Action.Status.OPEN
    assert youth.description == "Before summer" and youth.due_date is None
    html = client.get(response.url).content.decode()
    assert "The meeting is recorded." in html
    assert "Good evening." in html and "Ask for street lights" in html


def test_a_bad_action_row_saves_nothing_and_keeps_the_typed_values(client, started, cast):
    client.force_login(cast["coordinator"])
    actions = [
        row("Ask for street lights", [cast["clerk"]]),
        row("Nobody takes this on", []),
    ]
    response = client.post(
        url(started), data([cast["citizen"], cast["clerk"]], "Typed minutes.", actions)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert "Typed minutes." in html
    assert 'value="Nobody takes this on"' in html and 'value="Ask for street lights"' in html
    assert ticked(html) == {str(cast["citizen"].pk), str(cast["clerk"].pk)}
    started.refresh_from_db()
    assert started.minutes == "" and started.recorded_at is None
    assert started.status == Meeting.Status.PLANNED and started.sequence == 0
    assert not Attendance.objects.exists() and not Action.objects.exists()


def test_the_optional_action_rows_mark_no_field_required(client, started, cast):
    # "Leave a row empty" sits above them: a required mark on Title and Owners said otherwise.
    client.force_login(cast["coordinator"])
    html = client.get(url(started)).content.decode()
    rows = html[html.index('id="actions-heading"') :]
    assert 'for="id_actions-0-title"' in rows and "Owners" in rows
    assert "asteriskField" not in rows


@pytest.mark.parametrize(
    "filled",
    [{"description": "Before summer"}, {"due_date": "2030-03-01"}, {"title": "Street lights"}],
)
def test_a_row_partly_filled_is_told_what_it_lacks(client, started, cast, filled):
    client.force_login(cast["coordinator"])
    rows = [row("Ask for street lights", [cast["clerk"]]), filled]
    response = client.post(url(started), data([cast["clerk"]], "Typed minutes.", rows))
    html = response.content.decode()
    assert response.status_code == 200
    lacking = [name for name in ("title", "owners") if name not in filled]
    for name in lacking:
        anchor = "id_actions-1-title" if name == "title" else "id_actions-1-owners_0"
        label = f"New action 2 · {name.capitalize()}: This field is required."
        assert link(anchor, label) in summary(html)
    assert summary(html).count("<li>") == len(lacking)
    assert "Typed minutes." in html and 'value="Ask for street lights"' in html
    assert not Action.objects.exists() and not Attendance.objects.exists()


def labels(html: str, name: str) -> dict[str, str]:
    """The checkboxes of the field `name`: each value's label."""
    checkbox = rf'name="{name}" value="(\d+)"[^>]*id="([^"]+)"[^>]*>'
    pattern = checkbox + r'\s*<label for="\2"[^>]*>\s*([^<]*?)\s*<'
    return {value: label for value, _id, label in re.findall(pattern, html)}


def test_each_person_is_named_with_their_sector(client, started, cast):
    # Owners are picked from more than one sector: the circle acts together.
    client.force_login(cast["coordinator"])
    client.post(url(started), data([cast["citizen"]], "Minutes"))
    cast["citizen"].memberships.get().end()  # attended, then left: still in the list
    html = client.get(url(started)).content.decode()
    expected = {
        str(cast["coordinator"].pk): "Coordinator (police)",
        str(cast["officer"].pk): "Officer (police)",
        str(cast["clerk"].pk): "Clerk (municipality)",
    }
    left = {str(cast["citizen"].pk): "Citizen (community, left the circle)"}
    assert labels(html, "attendees") == expected | left
    assert labels(html, "actions-0-owners") == expected
    assert labels(html, "actions-1-owners") == expected


def test_the_sectors_are_in_the_readers_language(client, started, cast):
    cast["coordinator"].preferred_language = "nl"
    cast["coordinator"].save()
    client.force_login(cast["coordinator"])
    html = client.get(url(started)).content.decode()
    assert labels(html, "actions-0-owners")[str(cast["clerk"].pk)] == "Clerk (gemeente)"


def test_the_record_page_makes_as_many_queries_however_many_members(client, started, cast):
    client.force_login(cast["coordinator"])
    actions = [row("Ask for street lights", [cast["clerk"], cast["citizen"]])]
    client.post(url(started), data([cast["clerk"]], "Minutes", actions))
    few = count_queries(client, url(started))
    for n in range(15):
        person = make_person(f"member{n}")
        started.circle.memberships.create(person=person, sector="community")
        Attendance.objects.create(meeting=started, person=person)
        person.memberships.get().end()  # attended, then left: still in the list
    Action.objects.get().owners.add(person)
    assert count_queries(client, url(started)) == few
    assert "Member14 (community, left the circle)" in client.get(url(started)).content.decode()


def test_owners_must_be_active_members(client, started, cast):
    client.force_login(cast["coordinator"])
    actions = [row("Outside help", [cast["outsider"]])]
    response = client.post(url(started), data([], "Minutes", actions))
    assert "Choose owners among the members of the circle." in response.content.decode()
    assert not Action.objects.exists()


def test_recording_again_edits_attendance_and_minutes_and_keeps_actions(client, started, cast):
    client.force_login(cast["coordinator"])
    first = [row("Ask for street lights", [cast["clerk"]])]
    client.post(url(started), data([cast["citizen"], cast["clerk"]], "First draft", first))
    started.refresh_from_db()
    assert started.sequence == 1  # planned -> held
    Response.objects.create(meeting=started, person=cast["officer"], answer="attending")
    html = client.get(url(started)).content.decode()
    # The recorded attendance is ticked now, not the answers.
    assert ticked(html) == {str(cast["citizen"].pk), str(cast["clerk"].pk)}
    assert "First draft" in html and "Ask for street lights" in html
    client.post(url(started), data([cast["officer"], cast["clerk"]], "Final minutes"))
    started.refresh_from_db()
    assert started.minutes == "Final minutes"
    assert set(started.attendees.all()) == {cast["officer"], cast["clerk"]}
    assert Action.objects.get().title == "Ask for street lights"
    assert started.sequence == 1  # still held: no new calendar version


def test_someone_who_left_stays_in_the_attendance_when_recording_again(client, started, cast):
    client.force_login(cast["coordinator"])
    client.post(url(started), data([cast["citizen"]], "Minutes"))
    cast["citizen"].memberships.get().end()
    html = client.get(url(started)).content.decode()
    assert ticked(html) == {str(cast["citizen"].pk)}
    assert labels(html, "attendees")[str(cast["citizen"].pk)] == (
        "Citizen (community, left the circle)"
    )
    client.post(url(started), data([cast["citizen"]], "Minutes, edited"))
    assert set(started.attendees.all()) == {cast["citizen"]}


def meeting_day(meeting) -> datetime.date:
    """The meeting's day as the site and its emails name it: local time, a day ahead of UTC in
    the hour or two before midnight."""
    return timezone.localtime(meeting.starts_at).date()


@pytest.mark.parametrize(
    ("shift", "error"),
    [
        (datetime.timedelta(days=-1), "The due date cannot be before the meeting."),
        (datetime.timedelta(days=3653 + 1), "Choose a due date within 10 years of the meeting."),
    ],
)
def test_a_due_date_before_the_meeting_or_decades_ahead_is_refused(
    client, started, cast, shift, error
):
    client.force_login(cast["coordinator"])
    due = (meeting_day(started) + shift).isoformat()
    actions = [row("Ask for street lights", [cast["clerk"]], due_date=due)]
    response = client.post(url(started), data([cast["clerk"]], "Typed minutes.", actions))
    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert f'value="{due}"' in html and "Typed minutes." in html
    assert not Action.objects.exists()
    started.refresh_from_db()
    assert started.recorded_at is None


def test_an_action_may_be_due_on_the_day_of_the_meeting_and_up_to_ten_years_later(
    client, started, cast
):
    client.force_login(cast["coordinator"])
    day = meeting_day(started)
    later = day.replace(year=day.year + 10) if (day.month, day.day) != (2, 29) else None
    actions = [row("Tonight", [cast["clerk"]], due_date=day.isoformat())]
    if later:
        actions.append(row("Later", [cast["clerk"]], due_date=later.isoformat()))
    assert client.post(url(started), data([], "", actions)).status_code == 302
    dates = list(Action.objects.order_by("pk").values_list("due_date", flat=True))
    assert dates == [day, later] if later else [day]
    # The personal feed shows both as all-day events.
    feed = client.get(f"/calendar/{cast['clerk'].feed_token}.ics").content.decode()
    assert f"DTSTART;VALUE=DATE:{day:%Y%m%d}" in feed


@pytest.mark.parametrize(
    ("minutes", "actions", "error"),
    [
        ("m" * 20_001, [], "Ensure this value has at most 20000 characters"),
        ("Good\x00evening", [], "Null characters are not allowed."),
        ("Good\x1bevening", [], "invisible control characters"),
        ("", [{"description": "d" * 5001}], "Ensure this value has at most 5000 characters"),
        ("", [{"title": "Street\nlights"}], "invisible control characters"),
    ],
)
def test_oversized_or_control_text_is_refused(client, started, cast, minutes, actions, error):
    client.force_login(cast["coordinator"])
    rows = [row("Street lights", [cast["clerk"]]) | extra for extra in actions]
    response = client.post(url(started), data([cast["clerk"]], minutes, rows))
    assert response.status_code == 200
    assert error in response.content.decode()
    started.refresh_from_db()
    assert started.minutes == "" and started.recorded_at is None
    assert not Action.objects.exists() and not Attendance.objects.exists()


def test_long_minutes_with_line_breaks_are_kept(client, started, cast):
    client.force_login(cast["coordinator"])
    minutes = "Present: all.\r\n\r\n\tAgreed: street lights. 🍲 שלום\r\n" + "x" * 19_900
    assert client.post(url(started), data([], minutes)).status_code == 302
    started.refresh_from_db()
    assert started.minutes == minutes.replace("\r\n", "\n")  # each break one character


NOT_A_MEMBER = ("Choose among the members of the circle.", "Choose owners among the members")


@pytest.mark.parametrize(
    ("bad_id", "errors"),
    [
        (str(2**63), NOT_A_MEMBER),
        (str(10**30), NOT_A_MEMBER),
        ("0", NOT_A_MEMBER),
        ("-1", NOT_A_MEMBER),
        ("abc", ["“abc” is not a valid value."] * 2),
        ("1\x00", ["Null characters are not allowed."] * 2),
    ],
)
def test_an_id_that_names_no_member_is_refused_not_a_server_error(
    client, started, cast, bad_id, errors
):
    client.force_login(cast["coordinator"])
    actions = [{"title": "Street lights", "owners": [bad_id]}]
    values = data([], "Typed minutes.", actions) | {"attendees": [bad_id]}
    response = client.post(url(started), values)
    html = response.content.decode()
    assert response.status_code == 200
    # A message next to the attendees, and one next to the owners (crispy-forms puts each in
    # <strong>); both again in the error summary at the top, named by field and row.
    assert sum(html.count(f"<strong>{escape(error)}") for error in set(errors)) == 2
    assert sum(html.count(escape(error)) for error in set(errors)) == 4
    assert f'href="#id_attendees_0" class="alert-link">Who attended: {escape(errors[0])}' in html
    owners = 'href="#id_actions-0-owners_0" class="alert-link">New action 1 · Owners: '
    assert owners + escape(errors[1]) in html
    assert "Typed minutes." in html
    assert not Attendance.objects.exists() and not Action.objects.exists()


def test_more_action_rows_than_the_form_takes_are_refused(client, started, cast):
    client.force_login(cast["coordinator"])
    rows = [row(f"Action {n}", [cast["clerk"]]) for n in range(31)]
    response = client.post(url(started), data([cast["clerk"]], "Typed minutes.", rows))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please submit at most 30 forms." in html and "Typed minutes." in html
    assert not Action.objects.exists() and started.attendances.count() == 0


def test_a_meeting_cancelled_while_the_record_was_on_its_way_is_not_recorded(
    client, started, coordinator, monkeypatch
):
    record_now = services.meeting_record

    def cancelled_meanwhile(**kwargs):  # the meeting was read just before it was cancelled
        Meeting.objects.filter(pk=started.pk).update(status=Meeting.Status.CANCELLED)
        return record_now(**kwargs)

    monkeypatch.setattr(services, "meeting_record", cancelled_meanwhile)
    client.force_login(coordinator)
    response = client.post(url(started), data([coordinator], "Minutes"), follow=True)
    assert response.status_code == 200
    assert "A cancelled meeting cannot be recorded." in response.content.decode()
    started.refresh_from_db()
    assert started.minutes == "" and not Attendance.objects.exists()


def record(client, capture, meeting, *args):
    """Record the meeting; the emails go out as the commit would send them."""
    mail.outbox.clear()
    with capture(execute=True):
        response = client.post(url(meeting), data(*args))
    assert response.status_code == 302
    return {message.to[0]: message for message in mail.outbox}


def test_recording_tells_each_member_but_the_recorder_the_minutes_and_actions(
    client, django_capture_on_commit_callbacks, started, cast
):
    client.force_login(cast["coordinator"])
    actions = [
        row("Ask for street lights", [cast["clerk"], cast["citizen"]], due_date="2030-03-01"),
        row("Meet the youth workers", [cast["officer"]]),
    ]
    sent = record(
        client, django_capture_on_commit_callbacks, started, [cast["clerk"]], "We met.", actions
    )
    # The coordinator wrote it all down; each other member gets one message of their own.
    assert sorted(sent) == ["citizen@example.org", "clerk@example.org", "officer@example.org"]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    lights, youth = Action.objects.order_by("pk")
    summary, day = "Dinner — Overvecht Allies", date_format(meeting_day(started), "j F Y")
    citizen = sent["citizen@example.org"]  # absent, and an owner of the first action
    assert citizen.subject == f"Minutes and 1 action for you: {summary}, {day}"
    assert "Coordinator has written down what was said and agreed at this meeting" in citizen.body
    assert "Minutes:\nWe met.\n" in citizen.body
    assert "Your actions:\n- Ask for street lights\n" in citizen.body
    assert "  Owners: Citizen (that is you), Clerk\n" in citizen.body
    assert "  Due: Friday 1 March 2030\n" in citizen.body
    assert f"/actions/{lights.pk}/\n" in citizen.body
    assert f"/actions/{youth.pk}/" not in citizen.body  # not theirs: no link
    assert "Actions agreed:\n- Ask for street lights\n" in citizen.body
    assert "- Meet the youth workers\n  Owners: Officer\n\n" in citizen.body  # no due date
    assert f"/meetings/{started.pk}/\n" in citizen.body
    [(html, _mimetype)] = citizen.alternatives
    assert "<h2>Your actions</h2>" in html and "<p>We met.</p>" in html
    assert f'<a href="{settings.SITE_URL}/actions/{lights.pk}/">Ask for street lights</a>' in html
    officer = sent["officer@example.org"]
    assert officer.subject == f"Minutes and 1 action for you: {summary}, {day}"
    assert f"/actions/{youth.pk}/\n" in officer.body
    assert "We met." in sent["clerk@example.org"].body


def test_a_member_who_owns_nothing_gets_the_minutes(
    client, django_capture_on_commit_callbacks, started, cast
):
    client.force_login(cast["coordinator"])
    actions = [row("Ask for street lights", [cast["clerk"]])]
    sent = record(client, django_capture_on_commit_callbacks, started, [], "We met.", actions)
    citizen = sent["citizen@example.org"]
    day = date_format(meeting_day(started), "j F Y")
    assert citizen.subject == f"Minutes: Dinner — Overvecht Allies, {day}"
    assert "Your actions" not in citizen.body and "/actions/" not in citizen.body
    assert "Actions agreed:\n- Ask for street lights\n  Owners: Clerk\n" in citizen.body


def test_actions_without_minutes_are_sent_as_actions_agreed(
    client, django_capture_on_commit_callbacks, started, cast
):
    client.force_login(cast["coordinator"])
    actions = [row("Ask for street lights", [cast["clerk"], cast["officer"]])]
    sent = record(client, django_capture_on_commit_callbacks, started, [], "", actions)
    day = date_format(meeting_day(started), "j F Y")
    assert (
        sent["citizen@example.org"].subject == f"Actions agreed: Dinner — Overvecht Allies, {day}"
    )
    assert (
        sent["clerk@example.org"].subject == f"1 action for you: Dinner — Overvecht Allies, {day}"
    )
    assert "Minutes" not in sent["citizen@example.org"].body


def test_each_member_reads_the_record_in_their_own_language(
    client, django_capture_on_commit_callbacks, started, cast
):
    cast["citizen"].preferred_language = "nl"
    cast["citizen"].save()
    client.force_login(cast["coordinator"])
    actions = [
        row("Ask for street lights", [cast["citizen"]], due_date="2030-03-01"),
        row("Meet the youth workers", [cast["citizen"], cast["officer"]]),
    ]
    sent = record(client, django_capture_on_commit_callbacks, started, [], "We met.", actions)
    dutch = sent["citizen@example.org"]
    with translation.override("nl"):
        day = date_format(meeting_day(started), "j F Y")
    assert dutch.subject == f"Verslag en 2 actiepunten voor jou: Diner — Overvecht Allies, {day}"
    assert dutch.extra_headers["Content-Language"] == "nl"
    assert "Hallo Citizen," in dutch.body
    assert "Coordinator heeft vastgelegd wat er is besproken en afgesproken" in dutch.body
    assert "Jouw actiepunten:\n- Ask for street lights\n" in dutch.body
    assert "  Eigenaren: Citizen (dat ben jij)\n" in dutch.body
    assert "  Streefdatum: vrijdag 1 maart 2030\n" in dutch.body
    assert "Verslag:\nWe met.\n" in dutch.body
    assert "Afgesproken actiepunten:\n" in dutch.body
    assert sent["clerk@example.org"].subject.startswith("Minutes: Dinner — Overvecht Allies, ")


def test_the_record_goes_to_active_members_who_can_be_emailed(
    client, django_capture_on_commit_callbacks, started, circle, cast
):
    gone = make_person("gone")
    circle.memberships.create(person=gone, sector="community").end()
    circle.memberships.create(person=make_person("no_address", email=""), sector="community")
    erased = make_person("erased", is_active=False)
    circle.memberships.create(person=erased, sector="community")
    other = make_person("other_coordinator")
    circle.memberships.create(person=other, sector="police", is_coordinator=True)
    client.force_login(cast["coordinator"])
    sent = record(client, django_capture_on_commit_callbacks, started, [], "We met.")
    assert sorted(sent) == [
        f"{n}@example.org" for n in ("citizen", "clerk", "officer", "other_coordinator")
    ]


def test_a_record_without_minutes_or_actions_sends_nothing_until_they_are_written(
    client, django_capture_on_commit_callbacks, started, cast
):
    client.force_login(cast["coordinator"])
    assert record(client, django_capture_on_commit_callbacks, started, [cast["clerk"]]) == {}
    sent = record(client, django_capture_on_commit_callbacks, started, [cast["clerk"]], "We met.")
    assert sorted(sent) == ["citizen@example.org", "clerk@example.org", "officer@example.org"]
    assert all("We met." in m.body for m in sent.values())


def test_recording_again_tells_only_the_owners_of_the_actions_it_adds(
    client, django_capture_on_commit_callbacks, started, cast
):
    client.force_login(cast["coordinator"])
    first = [row("Ask for street lights", [cast["clerk"]])]
    record(client, django_capture_on_commit_callbacks, started, [], "First draft", first)
    # Correcting the minutes and the attendance is no news for anyone.
    assert (
        record(client, django_capture_on_commit_callbacks, started, [cast["clerk"]], "Final") == {}
    )
    added = [
        row("Meet the youth workers", [cast["officer"], cast["coordinator"]], due_date="2030-03-01")
    ]
    sent = record(client, django_capture_on_commit_callbacks, started, [], "Final", added)
    # The officer owns it; the coordinator owns it too, but added it.
    assert list(sent) == ["officer@example.org"]
    youth = Action.objects.get(title="Meet the youth workers")
    officer = sent["officer@example.org"]
    day = date_format(meeting_day(started), "j F Y")
    assert officer.subject == f"1 action for you: Dinner — Overvecht Allies, {day}"
    assert (
        "Coordinator has added an action for you to the record of this meeting of "
        "Overvecht Allies:" in officer.body
    )
    assert (
        "- Meet the youth workers\n  Owners: Coordinator, Officer (that is you)\n" in officer.body
    )
    assert f"/actions/{youth.pk}/\n" in officer.body
    assert "Final" not in officer.body and "Ask for street lights" not in officer.body


def test_minutes_written_after_a_record_of_the_actions_alone_are_sent(
    client, django_capture_on_commit_callbacks, started, cast
):
    client.force_login(cast["coordinator"])
    first = [row("Ask for street lights", [cast["clerk"]])]
    assert len(record(client, django_capture_on_commit_callbacks, started, [], "", first)) == 3
    sent = record(client, django_capture_on_commit_callbacks, started, [], "We met at last.")
    assert set(sent) == {"officer@example.org", "clerk@example.org", "citizen@example.org"}
    assert "We met at last." in sent["citizen@example.org"].body


def test_the_record_is_sent_only_once_it_is_committed(
    client, django_capture_on_commit_callbacks, started, cast
):
    client.force_login(cast["coordinator"])
    with django_capture_on_commit_callbacks() as on_commit:
        client.post(url(started), data([], "We met."))
    started.refresh_from_db()
    assert started.minutes == "We met." and mail.outbox == []
    for callback in on_commit:
        callback()
    assert len(mail.outbox) == 3


def test_recording_sends_in_queries_that_do_not_grow_with_the_members(
    client, django_capture_on_commit_callbacks, circle, cast
):
    client.force_login(cast["coordinator"])
    actions = [row("Ask for street lights", [cast["clerk"], cast["citizen"]])]

    def queries() -> int:
        meeting = make_meeting(circle, days_ahead=-1)
        mail.outbox.clear()
        with (
            CaptureQueriesContext(connection) as captured,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.post(url(meeting), data([cast["clerk"]], "We met.", actions))
        assert response.status_code == 302
        assert len(mail.outbox) == circle.memberships.count() - 1
        return len(captured)

    few = queries()
    for n in range(20):
        circle.memberships.create(person=make_person(f"member{n}"), sector="community")
    assert queries() == few


# The actions carried to the meeting: open when it began, reviewed in the same record.


IN_A_YEAR = timezone.localdate() + datetime.timedelta(days=365)


@pytest.fixture
def carried(started, cast, time_machine):
    """Three actions agreed at an earlier meeting, open when `started` began (it was planned a
    month before it)."""
    planned_ahead(started)
    now = timezone.now()
    time_machine.move_to(started.starts_at - datetime.timedelta(days=20))
    earlier = make_meeting(started.circle, days_ahead=-20)
    made = {}
    for title, owners, extra in (
        ("Ask for street lights", ["clerk", "citizen"], {"due_date": datetime.date(2026, 1, 1)}),
        ("Visit the mosque", ["officer"], {"status": "in_progress", "due_date": IN_A_YEAR}),
        ("Meet the youth workers", ["officer"], {"due_date": IN_A_YEAR}),
    ):
        action = Action.objects.create(circle=started.circle, meeting=earlier, title=title, **extra)
        action.owners.set([cast[name] for name in owners])
        made[title] = action
    time_machine.move_to(now)
    return made


def review(action, new_status="", text="") -> dict:
    return {"action_id": str(action.pk), "new_status": new_status, "text": text}


def with_reviews(values: dict, rows: list[dict]) -> dict:
    return values | formset_data("carried", rows)


def test_the_record_page_lists_the_actions_carried_to_the_meeting(client, started, carried, cast):
    Action.objects.create(circle=started.circle, meeting=started, title="Agreed that evening")
    client.force_login(cast["coordinator"])
    html = client.get(url(started)).content.decode()
    section = html[html.index('id="carried-heading"') : html.index('id="actions-heading"')]
    assert re.findall(r'<legend class="h6">([^<]+)</legend>', section) == list(carried)
    assert "Agreed that evening" not in section
    assert "in progress" in section and "overdue since 1 January 2026" in section
    for index, action in enumerate(carried.values()):
        assert f'name="carried-{index}-action_id" value="{action.pk}"' in section
    assert section.count('<option value="" selected>no change</option>') == 3
    assert 'name="carried-0-text"' in section


def test_recording_saves_the_reviews_as_updates_by_the_recorder(client, started, carried, cast):
    lights, mosque, youth = carried.values()
    client.force_login(cast["coordinator"])
    rows = [
        review(lights, "done", "The lamps are fixed."),
        # Its status chosen again is no change of status.
        review(mosque, "in_progress", "They will come to the next dinner."),
        review(youth, "open"),  # left as it was
    ]
    response = client.post(url(started), with_reviews(data([cast["clerk"]], "We met."), rows))
    assert response.status_code == 302
    lights.refresh_from_db()
    assert lights.status == "done" and lights.completed_at is not None
    [update] = lights.updates.all()
    assert (update.author, update.new_status, update.text) == (
        cast["coordinator"],
        "done",
        "The lamps are fixed.",
    )
    assert lights.history.first().status == "done"  # the history keeps it, as for any update
    [note] = mosque.updates.all()
    assert (note.new_status, note.text) == ("", "They will come to the next dinner.")
    assert Action.objects.get(pk=mosque.pk).status == "in_progress"
    assert not youth.updates.exists()
    started.refresh_from_db()
    assert started.status == Meeting.Status.HELD and started.minutes == "We met."
    # The meeting page shows what became of them.
    html = client.get(response.url).content.decode()
    reviewed = html[html.index('id="reviewed"') : html.index('id="agreed"')]
    assert re.search(r"Ask for street lights</a>\s*<span[^>]*>done</span>", reviewed)


def test_a_bad_review_saves_nothing_and_keeps_everything_typed(client, started, carried, cast):
    lights, mosque, youth = carried.values()
    client.force_login(cast["coordinator"])
    rows = [review(lights, "done", "The lamps are fixed."), review(mosque, "finished"), {}]
    rows[2] = review(youth, "", "x" * 5001)
    actions = [row("Ask the school", [cast["clerk"]])]
    values = with_reviews(data([cast["clerk"]], "Typed minutes.", actions), rows)
    response = client.post(url(started), values)
    html = response.content.decode()
    assert response.status_code == 200
    choice = "Select a valid choice. finished is not one of the available choices."
    assert link("id_carried-1-new_status", f"Visit the mosque · New status: {choice}") in (
        summary(html)
    )
    too_long = "Ensure this value has at most 5000 characters (it has 5001)."
    label = f"Meet the youth workers · What was said about it?: {too_long}"
    assert link("id_carried-2-text", label) in summary(html)
    # Beside the fields too, as crispy-forms shows each error.
    assert f"<strong>{choice}</strong>" in html and f"<strong>{too_long}</strong>" in html
    assert "Typed minutes." in html and 'value="Ask the school"' in html
    assert "The lamps are fixed." in html
    assert re.search(r'<option value="done" selected>', html)
    assert not ActionUpdate.objects.exists() and Action.objects.count() == 3
    lights.refresh_from_db()
    assert lights.status == "open"
    started.refresh_from_db()
    assert started.recorded_at is None and started.minutes == ""


def test_a_row_for_an_action_not_carried_to_the_meeting_is_refused(client, started, carried, cast):
    agreed_there = Action.objects.create(circle=started.circle, meeting=started, title="Later")
    client.force_login(cast["coordinator"])
    rows = [review(agreed_there, "dropped"), review(carried["Visit the mosque"], "done")]
    response = client.post(url(started), with_reviews(data([], "Typed minutes."), rows))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This action is no longer among those carried to the meeting." in summary(html)
    assert "Typed minutes." in html
    assert not ActionUpdate.objects.exists()
    assert set(Action.objects.values_list("status", flat=True)) == {"open", "in_progress"}


def test_the_record_page_makes_as_many_queries_however_many_actions_are_carried(
    client, started, carried, cast, time_machine
):
    client.force_login(cast["coordinator"])
    few = count_queries(client, url(started))
    now = timezone.now()
    time_machine.move_to(started.starts_at - datetime.timedelta(days=5))
    for n in range(20):
        action = Action.objects.create(circle=started.circle, title=f"More {n}")
        action.owners.set([cast["clerk"], cast["officer"]])
    time_machine.move_to(now)
    html = client.get(url(started)).content.decode()
    assert 'name="carried-22-action_id"' in html
    assert count_queries(client, url(started)) == few
