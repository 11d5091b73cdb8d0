import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.plans import full_scans
from meetings import views
from meetings.models import AgendaItem, Meeting, Topic
from tests.conftest import make_meeting, planned_ahead
from tests.formsets import formset_data

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 4, 20, 9, 0, tzinfo=AMS), tick=False):
        yield


@pytest.fixture
def meeting(circle, coordinator):
    starts = datetime.datetime(2026, 5, 7, 18, 30, tzinfo=AMS)
    return Meeting.objects.create(
        circle=circle,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=150),
        venue_name="Politiebureau Overvecht",
        venue_address="Zamenhofdreef 20, Utrecht",
    )


def url(meeting):
    return f"/meetings/{meeting.pk}/edit/"


def data(agenda=(), initial=0, **extra):
    values = {
        "kind": "dinner",
        "title": "",
        "date": "2026-05-07",
        "start_time": "18:30",
        "end_time": "21:00",
        "venue_name": "Politiebureau Overvecht",
        "venue_address": "Zamenhofdreef 20, Utrecht",
        "venue_kind": "police_station",
        "host": "",
        "status": "planned",
    }
    return values | extra | formset_data("agenda", list(agenda), initial=initial)


def topic(name):
    return Topic.objects.get(name=name)


def test_anonymous_is_sent_to_sign_in(client, meeting):
    response = client.get(url(meeting))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, meeting, outsider):
    client.force_login(outsider)
    assert client.get(url(meeting)).status_code == 404
    assert client.post(url(meeting), data(venue_name="Elsewhere")).status_code == 404


def test_member_who_does_not_coordinate_gets_403(client, meeting, citizen):
    client.force_login(citizen)
    assert client.get(url(meeting)).status_code == 403
    assert client.post(url(meeting), data(venue_name="Elsewhere")).status_code == 403
    meeting.refresh_from_db()
    assert meeting.venue_name == "Politiebureau Overvecht"


def test_the_form_shows_the_meeting_as_it_is(client, meeting, coordinator):
    AgendaItem.objects.create(meeting=meeting, topic=topic("Nuisance"), notes="Scooters", order=1)
    client.force_login(coordinator)
    html = client.get(url(meeting)).content.decode()
    assert 'value="2026-05-07"' in html and 'value="18:30"' in html and 'value="21:00"' in html
    assert 'value="Politiebureau Overvecht"' in html
    assert "Scooters" in html
    assert 'name="agenda-TOTAL_FORMS" value="3"' in html  # one item and two blank rows
    assert 'id="agenda-empty"' in html and "js/formset.js" in html
    assert '<option value="">(no topic: a title of its own)</option>' in html
    assert "---------" not in html


def test_moving_the_meeting_bumps_the_sequence_and_sets_the_agenda(client, meeting, coordinator):
    client.force_login(coordinator)
    agenda = [
        {"order": "2", "topic": str(topic("Poverty").pk), "title": "", "notes": "Food bank"},
        {"order": "1", "topic": "", "title": "Summer festival", "notes": ""},
    ]
    response = client.post(url(meeting), data(agenda, start_time="19:00", end_time="21:30"))
    assert response.status_code == 302
    assert response.url == f"/meetings/{meeting.pk}/"
    meeting.refresh_from_db()
    assert meeting.starts_at == datetime.datetime(2026, 5, 7, 19, 0, tzinfo=AMS)
    assert meeting.sequence == 1
    items = list(meeting.agenda_items.all())
    assert [str(item) for item in items] == ["Summer festival", "Poverty"]
    html = client.get(response.url).content.decode()
    assert html.index("Summer festival") < html.index("Poverty") < html.index("Food bank")


def test_changing_only_the_title_or_agenda_keeps_the_sequence(client, meeting, coordinator):
    client.force_login(coordinator)
    agenda = [{"order": "1", "topic": str(topic("Youth").pk), "title": "", "notes": ""}]
    client.post(url(meeting), data(agenda, title="Spring dinner"))
    meeting.refresh_from_db()
    assert meeting.title == "Spring dinner"
    assert meeting.sequence == 0
    assert meeting.agenda_items.count() == 1


@pytest.mark.parametrize(
    "changes",
    [{"venue_name": "Stadhuis"}, {"venue_address": "Elsewhere 1"}, {"status": "confirmed"}],
)
def test_venue_or_status_changes_bump_the_sequence_once(client, meeting, coordinator, changes):
    client.force_login(coordinator)
    client.post(url(meeting), data(**changes))
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    uid = meeting.uid
    client.post(url(meeting), data(**changes))  # the same values again: no change
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.uid == uid


def test_agenda_items_can_be_reordered_and_deleted(client, meeting, coordinator):
    first = AgendaItem.objects.create(meeting=meeting, title="First", order=1)
    second = AgendaItem.objects.create(meeting=meeting, title="Second", order=2)
    client.force_login(coordinator)
    agenda = [
        {"id": str(first.pk), "meeting": str(meeting.pk), "order": "3", "title": "First"},
        {
            "id": str(second.pk),
            "meeting": str(meeting.pk),
            "order": "2",
            "title": "Second",
            "DELETE": True,
        },
    ]
    response = client.post(url(meeting), data(agenda, initial=2))
    assert response.status_code == 302
    assert [(i.title, i.order) for i in meeting.agenda_items.all()] == [("First", 3)]


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, meeting, coordinator):
    client.force_login(coordinator)
    agenda = [{"order": "1", "topic": "", "title": "", "notes": "Only notes"}]
    response = client.post(url(meeting), data(agenda, venue_name="Buurthuis", end_time="17:00"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The meeting must end after it starts." in html
    assert "Choose a topic or write a title." in html
    assert 'value="Buurthuis"' in html and "Only notes" in html
    meeting.refresh_from_db()
    assert meeting.venue_name == "Politiebureau Overvecht" and meeting.sequence == 0
    assert not meeting.agenda_items.exists()


def test_a_bad_agenda_row_leaves_the_meeting_unchanged(client, meeting, coordinator):
    client.force_login(coordinator)
    agenda = [{"order": "1", "topic": "", "title": "", "notes": "x"}]
    client.post(url(meeting), data(agenda, venue_name="Stadhuis"))
    meeting.refresh_from_db()
    assert meeting.venue_name == "Politiebureau Overvecht"


def test_a_cancelled_meeting_cannot_be_edited(client, meeting, coordinator):
    meeting.cancel()
    client.force_login(coordinator)
    response = client.post(url(meeting), data(venue_name="Stadhuis"), follow=True)
    assert "This meeting is cancelled; it can no longer be changed." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.venue_name == "Politiebureau Overvecht" and meeting.sequence == 1


def read_then(monkeypatch, change):
    """The edit page reads the meeting, then `change` happens to it before the save."""
    read = views._get_meeting_for_user

    def read_then_changed(request, meeting_id):
        found = read(request, meeting_id)
        change(Meeting.objects.get(pk=meeting_id))
        monkeypatch.setattr(views, "_get_meeting_for_user", read)  # once
        return found

    monkeypatch.setattr(views, "_get_meeting_for_user", read_then_changed)


def test_a_meeting_cancelled_while_the_edit_was_on_its_way_stays_cancelled(
    client, meeting, coordinator, monkeypatch, mailoutbox
):
    read_then(monkeypatch, Meeting.cancel)
    client.force_login(coordinator)
    moved = data(date="2026-05-14", status="confirmed")
    response = client.post(url(meeting), moved, follow=True)
    assert "This meeting is cancelled; it can no longer be changed." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED and meeting.sequence == 1
    assert meeting.starts_at.date() == datetime.date(2026, 5, 7)
    assert mailoutbox == []


def test_a_meeting_recorded_while_the_edit_was_on_its_way_keeps_its_date(
    client, circle, coordinator, monkeypatch, mailoutbox
):
    started = planned_ahead(make_meeting(circle, days_ahead=-1))
    starts = started.starts_at
    read_then(monkeypatch, lambda m: Meeting.objects.filter(pk=m.pk).update(status="held"))
    client.force_login(coordinator)
    moved = data(date="2026-05-14", status="confirmed")
    response = client.post(url(started), moved, follow=True)
    assert "A meeting that was held keeps its date and times." in response.content.decode()
    started.refresh_from_db()
    assert started.status == Meeting.Status.HELD and started.starts_at == starts
    assert mailoutbox == []


def test_a_held_meeting_keeps_its_status_when_edited(client, circle, coordinator):
    held = make_meeting(circle, days_ahead=-7, status=Meeting.Status.HELD)
    client.force_login(coordinator)
    html = client.get(url(held)).content.decode()
    assert 'name="status"' not in html


def test_a_held_meeting_keeps_its_date_and_times(client, circle, coordinator, mailoutbox):
    held = make_meeting(circle, days_ahead=-7, status=Meeting.Status.HELD, sequence=1)
    starts, ends = held.starts_at, held.ends_at
    client.force_login(coordinator)
    html = client.get(url(held)).content.decode()
    assert "its date and times stay as recorded" in html
    disabled = re.findall(r'<input[^>]* name="(\w+)"[^>]* disabled', html)
    assert disabled == ["date", "start_time", "end_time"]
    moved = data(date="2026-06-04", start_time="19:00", end_time="22:00", title="Spring dinner")
    response = client.post(url(held), moved)
    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.starts_at, held.ends_at, held.status) == (starts, ends, Meeting.Status.HELD)
    assert (held.title, held.sequence) == ("Spring dinner", 2)
    assert mailoutbox == []


def test_new_agenda_rows_come_after_the_existing_items(client, meeting, coordinator):
    AgendaItem.objects.create(meeting=meeting, title="First", order=5)
    client.force_login(coordinator)
    html = client.get(url(meeting)).content.decode()
    assert 'name="agenda-1-order" value="6"' in html
    assert 'name="agenda-2-order" value="7"' in html
    assert 'name="agenda-0-DELETE"' in html and 'name="agenda-1-DELETE"' not in html


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ({"notes": "n" * 5001}, "Ensure this value has at most 5000 characters"),
        ({"notes": "Bring\x00food"}, "Null characters are not allowed."),
        ({"notes": "Bring\x1b[31mfood"}, "invisible control characters"),
        ({"title": "Summer\nfestival"}, "invisible control characters"),
        ({"order": "1000"}, "Ensure this value is less than or equal to 999."),
        ({"topic": str(10**30)}, "Select a valid choice."),
    ],
)
def test_a_bad_agenda_item_is_refused_next_to_the_field(client, meeting, coordinator, row, error):
    client.force_login(coordinator)
    agenda = [{"order": "1", "title": "Summer festival", "notes": "Typed notes"} | row]
    response = client.post(url(meeting), data(agenda, venue_name="Buurthuis"))
    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert 'value="Buurthuis"' in html
    meeting.refresh_from_db()
    assert meeting.venue_name == "Politiebureau Overvecht"
    assert not meeting.agenda_items.exists()


def test_agenda_notes_keep_their_line_breaks(client, meeting, coordinator):
    client.force_login(coordinator)
    notes = "Food bank:\r\n- opening hours\r\n\t- volunteers\r\n" + "x" * 4950
    agenda = [{"order": "1", "title": "Poverty", "notes": notes}]
    assert client.post(url(meeting), data(agenda)).status_code == 302
    assert meeting.agenda_items.get().notes == notes.strip().replace("\r\n", "\n")


def test_a_meeting_cannot_move_into_the_past(client, meeting, coordinator):
    """A meeting ahead stays ahead: its members were invited to it. (Only one gone by is put
    in the past, entered or corrected to record it.)"""
    client.force_login(coordinator)
    response = client.post(url(meeting), data(date="2026-04-16", title="Typed title"))
    html = response.content.decode()
    assert "Choose a moment in the future." in html and 'value="Typed title"' in html
    assert "A meeting that already took place can be entered too" not in html
    meeting.refresh_from_db()
    assert meeting.starts_at.date() == datetime.date(2026, 5, 7) and meeting.title == ""


def test_a_meeting_gone_by_is_moved_to_when_it_took_place_and_nobody_is_told(
    client, circle, cast, django_capture_on_commit_callbacks, mailoutbox
):
    """Entered with a wrong date to record it, it is put right before it is recorded."""
    entered = make_meeting(circle, days_ahead=-4)  # Thursday 16 April, 09:00
    client.force_login(cast["coordinator"])
    moved = data(date="2026-04-14", start_time="19:00", end_time="21:00")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(entered), moved).status_code == 302
    entered.refresh_from_db()
    assert entered.starts_at == datetime.datetime(2026, 4, 14, 19, 0, tzinfo=AMS)
    assert mailoutbox == []
    response = client.post(url(entered), data(date="2025-04-19", title="Typed title"))
    html = response.content.decode()
    assert "Choose a date within the last year." in html and 'value="Typed title"' in html
    entered.refresh_from_db()
    assert entered.starts_at.date() == datetime.date(2026, 4, 14) and entered.title == ""


def test_a_meeting_entered_afterwards_stays_in_the_past(
    client, circle, cast, django_capture_on_commit_callbacks, mailoutbox
):
    """Nobody was invited to it: moved ahead, the members' first word of it would be a
    "Changed:" email."""
    entered = make_meeting(circle, days_ahead=-4)
    client.force_login(cast["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(entered), data(date="2026-05-07", title="Typed title"))
    html = response.content.decode()
    assert "This meeting was entered after it took place: choose a moment gone by." in html
    assert 'value="Typed title"' in html
    entered.refresh_from_db()
    assert entered.starts_at < timezone.now() and mailoutbox == []


def test_a_dinner_planned_ahead_that_did_not_take_place_may_be_moved_ahead(
    client, circle, cast, django_capture_on_commit_callbacks, mailoutbox
):
    """Called off on the day, it is held a few weeks later: its members were invited, and are
    told of the new date."""
    postponed = planned_ahead(make_meeting(circle, days_ahead=-4))
    client.force_login(cast["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(postponed), data(date="2026-05-07")).status_code == 302
    postponed.refresh_from_db()
    assert postponed.starts_at.date() == datetime.date(2026, 5, 7)
    assert cast["citizen"].email in [m.to[0] for m in mailoutbox]


def test_a_meeting_cannot_move_more_than_ten_years_ahead(client, meeting, coordinator):
    client.force_login(coordinator)
    response = client.post(url(meeting), data(date="2036-04-21"))
    assert "Choose a date within the next 10 years." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.starts_at.year == 2026


def test_a_tampered_agenda_row_count_is_refused(client, meeting, coordinator):
    client.force_login(coordinator)
    values = data([{"order": "1", "title": "Festival"}]) | {"agenda-TOTAL_FORMS": "2000"}
    response = client.post(url(meeting), values)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please submit at most 30 forms." in html
    assert html.count('name="agenda-') < 30 * 8
    assert not meeting.agenda_items.exists()


def test_a_host_who_left_the_circle_stays_a_choice_and_is_kept(
    client, meeting, coordinator, citizen, outsider
):
    meeting.host = citizen
    meeting.save()
    citizen.memberships.update(
        joined_on=datetime.date(2026, 1, 5), left_on=datetime.date(2026, 4, 1)
    )
    client.force_login(coordinator)
    choices = client.get(url(meeting)).context["form"].fields["host"].queryset
    assert set(choices) == {coordinator, citizen}  # the outsider, of another circle, is not
    response = client.post(url(meeting), data(host=citizen.pk, title="Spring dinner"))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.host, meeting.title) == (citizen, "Spring dinner")
    refused = client.post(url(meeting), data(host=outsider.pk)).context["form"].errors
    assert refused["host"] == ["Choose a member of the circle as host."]


def test_a_new_host_learns_who_made_them_host(
    client, meeting, coordinator, officer, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(meeting), data(host=officer.pk))
    [message] = mailoutbox
    assert message.to == ["officer@example.org"]
    assert "Coordinator has made you the host of this meeting of Overvecht Allies:" in message.body


def test_moving_the_dinner_to_a_new_host_tells_the_previous_host_once(
    client, meeting, coordinator, officer, clerk, django_capture_on_commit_callbacks, mailoutbox
):
    meeting.host = officer
    meeting.save()
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(meeting), data(host=clerk.pk, date="2026-05-14"))
    [previous] = [m for m in mailoutbox if m.to == ["officer@example.org"]]
    assert previous.subject == (
        "Changed, and you are no longer the host: Dinner — Overvecht Allies, 14 May 2026"
    )
    assert "Coordinator has made someone else the host" in previous.body
    assert "When: Thursday 14 May 2026, 18:30" in previous.body


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan shows it at any size")
@pytest.mark.parametrize("page", ["new", "edit"])
def test_the_host_choices_do_not_read_every_user(client, circle, coordinator, meeting, page):
    """For `id IN (...) OR id IS NULL` SQLite read the whole user table; at national size that
    is 30,000 people for a list of fifteen. (PostgreSQL did so for any OR of two INs, the
    record form's attendees too, but only with many users: `make bench` shows that one.)"""
    page_url = {"new": f"/circles/{circle.pk}/meetings/new/", "edit": url(meeting)}[page]
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page_url).status_code == 200
    assert [q["sql"] for q in queries if full_scans(q["sql"], {"allies_user"})] == []
