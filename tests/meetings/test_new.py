import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from circles.health import health_for_circles
from meetings.models import Meeting

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(autouse=True)
def _today():
    # Monday 20 April 2026; the next Thursday is 23 April.
    with time_machine.travel(datetime.datetime(2026, 4, 20, 9, 0, tzinfo=AMS), tick=False):
        yield


@pytest.fixture
def circle(circle):
    circle.default_venue_name = "Stadhuis Utrecht"
    circle.default_venue_address = "Stadsplateau 1, Utrecht"
    circle.default_venue_kind = "town_hall"
    circle.save()
    return circle


def url(circle):
    return f"/circles/{circle.pk}/meetings/new/"


def data(**extra):
    values = {
        "kind": "dinner",
        "title": "",
        "date": "2026-05-07",
        "start_time": "18:30",
        "end_time": "21:00",
        "venue_name": "Stadhuis Utrecht",
        "venue_address": "Stadsplateau 1, Utrecht",
        "venue_kind": "town_hall",
        "host": "",
    }
    return values | extra


def test_anonymous_is_sent_to_sign_in(client, circle):
    response = client.get(url(circle))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, circle, outsider):
    client.force_login(outsider)
    assert client.get(url(circle)).status_code == 404
    assert client.post(url(circle), data()).status_code == 404
    assert not Meeting.objects.exists()


def test_member_who_does_not_coordinate_gets_403(client, circle, citizen):
    client.force_login(citizen)
    assert client.get(url(circle)).status_code == 403
    assert client.post(url(circle), data()).status_code == 403
    assert not Meeting.objects.exists()


def test_the_form_is_prefilled_from_the_circle(client, circle, coordinator):
    client.force_login(coordinator)
    html = client.get(url(circle)).content.decode()
    assert 'value="Stadhuis Utrecht"' in html
    assert 'value="Stadsplateau 1, Utrecht"' in html
    assert '<option value="town_hall" selected>' in html
    assert 'value="2026-04-23"' in html  # the next Thursday, the circle's weekday
    assert 'value="18:30"' in html and 'value="21:00"' in html  # 150 minutes
    assert f'<a href="/circles/{circle.pk}/" class="btn btn-link">Cancel</a>' in html


def test_the_prefilled_day_skips_a_public_holiday(client, circle, coordinator):
    with time_machine.travel(datetime.datetime(2026, 5, 8, 9, 0, tzinfo=AMS), tick=False):
        client.force_login(coordinator)
        html = client.get(url(circle)).content.decode()
    assert 'value="2026-05-14"' not in html  # Ascension Day
    assert 'value="2026-05-21"' in html


def test_the_prefilled_day_skips_christmas_eve_and_new_years_eve(client, circle, coordinator):
    with time_machine.travel(datetime.datetime(2026, 12, 21, 9, 0, tzinfo=AMS), tick=False):
        client.force_login(coordinator)
        html = client.get(url(circle)).content.decode()
    assert 'value="2026-12-24"' not in html and 'value="2026-12-31"' not in html
    assert 'value="2027-01-07"' in html  # the Thursday after both


def test_the_date_says_a_meeting_that_took_place_can_be_entered(client, circle, coordinator):
    client.force_login(coordinator)
    html = client.get(url(circle)).content.decode()
    assert "A meeting that already took place can be entered too, to record who came" in html


def test_it_schedules_a_meeting(client, circle, coordinator, officer):
    client.force_login(coordinator)
    response = client.post(
        url(circle), data(kind="extra", title="After the riot", host=str(officer.pk))
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == f"/meetings/{meeting.pk}/"
    assert meeting.circle == circle
    assert meeting.kind == "extra" and meeting.title == "After the riot"
    assert meeting.starts_at == datetime.datetime(2026, 5, 7, 18, 30, tzinfo=AMS)
    assert meeting.ends_at == datetime.datetime(2026, 5, 7, 21, 0, tzinfo=AMS)
    assert meeting.venue_kind == "town_hall" and meeting.host == officer
    assert meeting.status == Meeting.Status.PLANNED and meeting.sequence == 0
    html = client.get(response.url).content.decode()
    assert "After the riot, 7 May 2026" in html and "Thursday 7 May 2026, 18:30" in html
    # Said above them, the date was there three times; this is what the page does not say.
    assert "The 2 members of the circle are invited by email." in html
    assert "Meeting scheduled for" not in html


def test_the_dutch_message_says_who_was_invited(client, circle, coordinator):
    coordinator.preferred_language = "nl"
    coordinator.save()
    client.force_login(coordinator)
    html = client.post(url(circle), data(), follow=True).content.decode()
    assert "1 lid van de kring krijgt een uitnodiging per e-mail." in html
    assert "Bijeenkomst gepland op" not in html


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"end_time": "18:00"}, "The meeting must end after it starts."),
        ({"date": "2025-04-19"}, "Choose a date within the last year."),
        ({"venue_name": ""}, "This field is required."),
        ({"date": "not a date"}, "Enter a valid date."),
        ({"date": "2036-04-21"}, "Choose a date within the next 10 years."),
        ({"venue_name": "x" * 151}, "Ensure this value has at most 150 characters"),
        ({"venue_name": "Stadhuis\x00"}, "Null characters are not allowed."),
        ({"venue_name": "Stadhuis\nUtrecht"}, "invisible control characters"),
        ({"venue_address": "Stadsplateau 1\x1b[2J"}, "invisible control characters"),
        ({"host": str(10**30)}, "Choose a member of the circle as host."),
    ],
)
def test_bad_input_keeps_the_form_and_saves_nothing(client, circle, coordinator, changes, error):
    client.force_login(coordinator)
    response = client.post(url(circle), data(title="Typed title", **changes))
    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert 'value="Typed title"' in html
    assert not Meeting.objects.exists()


def test_host_must_be_a_member_of_the_circle(client, circle, coordinator, outsider):
    client.force_login(coordinator)
    response = client.post(url(circle), data(host=str(outsider.pk)))
    assert "Choose a member of the circle as host." in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_link_to_call_an_extra_meeting_prefills_its_kind(client, circle, coordinator):
    client.force_login(coordinator)
    html = client.get(f"/circles/{circle.pk}/meetings/new/?kind=extra").content.decode()
    assert '<option value="extra" selected>' in html
    html = client.get(f"/circles/{circle.pk}/meetings/new/?kind=nonsense").content.decode()
    assert '<option value="extra" selected>' not in html


def test_a_meeting_may_be_planned_up_to_ten_years_ahead(client, circle, coordinator):
    client.force_login(coordinator)
    response = client.post(url(circle), data(date="2036-04-20", title="Anniversary — dîner 🍲"))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.starts_at == datetime.datetime(2036, 4, 20, 18, 30, tzinfo=AMS)
    assert meeting.title == "Anniversary — dîner 🍲"


def test_a_future_meeting_invites_the_members(
    client, circle, cast, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(cast["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(circle), data())
    assert response.url == f"/meetings/{Meeting.objects.get().pk}/"
    assert sorted(m.to[0].split("@")[0] for m in mailoutbox) == [
        "citizen",
        "clerk",
        "coordinator",
        "officer",
    ]
    assert all(m.subject == "Invitation: Dinner — Overvecht Allies, 7 May 2026" for m in mailoutbox)


# A meeting that already took place, entered to record it


def enter_past_dinner(client, circle, coordinator, capture, **extra):
    """The coordinator enters last Thursday's dinner (16 April 2026); the response."""
    client.force_login(coordinator)
    with capture(execute=True):
        return client.post(url(circle), data(**{"date": "2026-04-16"} | extra))


def test_a_meeting_that_took_place_is_entered_without_inviting_anyone(
    client, circle, cast, django_capture_on_commit_callbacks, mailoutbox
):
    response = enter_past_dinner(
        client, circle, cast["coordinator"], django_capture_on_commit_callbacks
    )
    meeting = Meeting.objects.get()
    assert meeting.starts_at == datetime.datetime(2026, 4, 16, 18, 30, tzinfo=AMS)
    assert meeting.status == Meeting.Status.PLANNED and meeting.recorded_at is None
    assert mailoutbox == []  # nobody can come to a dinner gone by
    assert response.url == f"/meetings/{meeting.pk}/record/"
    html = client.get(response.url).content.decode()
    assert (
        "Meeting of 16 April 2026, 18:30 added. You can now record who came, the minutes and "
        "the actions." in html
    )


def test_a_meeting_earlier_today_counts_as_taken_place(
    client, circle, cast, django_capture_on_commit_callbacks, mailoutbox
):
    changes = {"date": "2026-04-20", "start_time": "07:30", "end_time": "08:30"}
    response = enter_past_dinner(
        client, circle, cast["coordinator"], django_capture_on_commit_callbacks, **changes
    )
    assert response.url.endswith("/record/") and mailoutbox == []


def test_the_dutch_message_of_a_meeting_that_took_place(
    client, circle, coordinator, django_capture_on_commit_callbacks
):
    coordinator.preferred_language = "nl"
    coordinator.save()
    response = enter_past_dinner(client, circle, coordinator, django_capture_on_commit_callbacks)
    html = client.get(response.url).content.decode()
    assert (
        "Bijeenkomst van 16 april 2026, 18:30 toegevoegd. Je kunt nu vastleggen wie er waren, "
        "het verslag en de actiepunten." in html
    )


def test_a_meeting_a_year_ago_is_entered_and_a_day_earlier_is_not(client, circle, coordinator):
    client.force_login(coordinator)
    response = client.post(url(circle), data(date="2025-04-19", title="Typed title"))
    html = response.content.decode()
    assert response.status_code == 200
    error = '<p id="error_1_id_date"><strong>Choose a date within the last year.</strong></p>'
    assert error in html  # next to the date
    assert 'value="2025-04-19"' in html and 'value="Typed title"' in html
    assert not Meeting.objects.exists()
    assert client.post(url(circle), data(date="2025-04-20")).status_code == 302
    assert Meeting.objects.get().starts_at.date() == datetime.date(2025, 4, 20)


def test_nobody_is_reminded_of_a_meeting_entered_after_it(
    client, circle, cast, django_capture_on_commit_callbacks, mailoutbox, time_machine
):
    enter_past_dinner(client, circle, cast["coordinator"], django_capture_on_commit_callbacks)
    for moment in (
        datetime.datetime(2026, 4, 20, 9, 5, tzinfo=AMS),
        datetime.datetime(2026, 4, 21, 8, 0, tzinfo=AMS),
    ):
        time_machine.move_to(moment, tick=False)
        call_command("send_reminders", stdout=io.StringIO())
    assert mailoutbox == []


def test_a_meeting_entered_and_recorded_counts_in_the_circles_health(
    client, circle, cast, django_capture_on_commit_callbacks
):
    response = enter_past_dinner(
        client, circle, cast["coordinator"], django_capture_on_commit_callbacks
    )
    record = {"attendees": [cast["coordinator"].pk, cast["citizen"].pk], "minutes": "We ate."}
    record |= {"actions-TOTAL_FORMS": "0", "actions-INITIAL_FORMS": "0"}
    assert client.post(response.url, record).status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.HELD
    health = health_for_circles([circle])[circle.pk]
    assert health.last_held == meeting.starts_at
    assert (health.held_this_year, health.planned_this_year) == (1, 0)
    assert (health.recent_dinners, health.attended_recent) == (1, 2)
