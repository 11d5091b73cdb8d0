"""meetings/calendar.py: the VEVENTs, read back by icalendar and vobject."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from actions.models import Action
from meetings import calendar
from meetings.models import AgendaItem, Meeting, Topic
from tests import ical

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=AMSTERDAM)


def dinner(circle, starts, **extra) -> Meeting:
    extra.setdefault("venue_name", "Politiebureau Overvecht")
    extra.setdefault("venue_address", "Zamenhofdreef 25, Utrecht")
    return Meeting.objects.create(
        circle=circle, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), **extra
    )


def only_event(body) -> dict:
    [event] = ical.events(body)
    return event


def test_a_meeting_has_its_uid_summary_location_url_and_agenda(circle, settings):
    settings.SITE_URL = "https://allies.example.nl"
    meeting = dinner(circle, at(2026, 5, 7, 18, 30))
    topic = Topic.objects.get(name="Polarisation")
    AgendaItem.objects.create(meeting=meeting, topic=topic, order=1)
    AgendaItem.objects.create(meeting=meeting, title="Summer festival", order=2)
    event = only_event(calendar.meeting_calendar(calendar.with_agenda(Meeting.objects).get()))
    assert event["uid"] == f"{meeting.uid}@allies"
    assert event["sequence"] == 0
    assert event["summary"] == "Dinner — Overvecht Allies"
    assert event["location"] == "Politiebureau Overvecht, Zamenhofdreef 25, Utrecht"
    assert event["url"] == f"https://allies.example.nl/meetings/{meeting.pk}/"
    assert "- Polarisation\n- Summer festival" in event["description"]
    assert event["description"].index("Polarisation") < event["description"].index("Summer")
    assert f"https://allies.example.nl/meetings/{meeting.pk}/" in event["description"]
    assert event["status"] == "TENTATIVE"


def test_an_extra_meeting_and_a_titled_one_are_named_so(circle):
    extra = dinner(circle, at(2026, 5, 7, 18, 30), kind=Meeting.Kind.EXTRA)
    titled = dinner(circle, at(2026, 5, 8, 18, 30), title="Summer barbecue")
    assert only_event(calendar.meeting_calendar(extra))["summary"] == (
        "Extra meeting — Overvecht Allies"
    )
    assert only_event(calendar.meeting_calendar(titled))["summary"] == (
        "Summer barbecue — Overvecht Allies"
    )


@pytest.mark.parametrize(
    ("starts", "utc_hour"),
    [
        (at(2026, 3, 26, 18, 30), 17),  # winter time, UTC+1
        (at(2026, 4, 2, 18, 30), 16),  # after the change of 29 March: summer time, UTC+2
        (at(2026, 10, 22, 18, 30), 16),  # still summer time
        (at(2026, 10, 29, 18, 30), 17),  # after the change of 25 October: winter time again
    ],
)
def test_times_stay_at_half_past_six_across_the_daylight_saving_change(circle, starts, utc_hour):
    event = only_event(calendar.meeting_calendar(dinner(circle, starts)))
    assert event["local_start"].replace(tzinfo=None) == datetime.datetime(
        starts.year, starts.month, starts.day, 18, 30
    )
    assert event["start"] == datetime.datetime(
        starts.year, starts.month, starts.day, utc_hour, 30, tzinfo=datetime.UTC
    )
    assert event["end"] - event["start"] == datetime.timedelta(hours=2)


def test_times_are_written_in_amsterdam_time_with_its_vtimezone(circle):
    body = calendar.meeting_calendar(dinner(circle, at(2026, 4, 2, 18, 30))).decode()
    assert "DTSTART;TZID=Europe/Amsterdam:20260402T183000" in body
    assert ical.timezones(body) == ["Europe/Amsterdam"]


def test_one_vtimezone_covers_meetings_in_different_years(circle):
    meetings = [dinner(circle, at(2026, 3, 26, 18, 30)), dinner(circle, at(2028, 7, 6, 18, 30))]
    body = calendar.circle_calendar(circle, calendar.with_agenda(Meeting.objects.all()))
    assert ical.timezones(body) == ["Europe/Amsterdam"]
    starts = [event["start"] for event in ical.events(body)]
    assert starts == [m.starts_at for m in meetings]
    assert starts[1].hour == 16  # summer of 2028 is still read as UTC+2


def test_the_uid_stays_and_the_sequence_grows_with_each_change(circle):
    meeting = dinner(circle, at(2026, 5, 7, 18, 30))
    before = only_event(calendar.meeting_calendar(meeting))
    # What meeting_update does when the time or venue changes:
    meeting.starts_at += datetime.timedelta(days=7)
    meeting.ends_at += datetime.timedelta(days=7)
    meeting.venue_name = "Stadhuis"
    meeting.sequence += 1
    meeting.save()
    moved = only_event(calendar.meeting_calendar(meeting))
    meeting.cancel()
    cancelled = only_event(calendar.meeting_calendar(meeting))
    assert before["uid"] == moved["uid"] == cancelled["uid"] == f"{meeting.uid}@allies"
    assert before["sequence"] < moved["sequence"] < cancelled["sequence"]
    assert moved["start"] == before["start"] + datetime.timedelta(days=7)
    assert moved["location"].startswith("Stadhuis")


def test_a_cancelled_meeting_says_so(circle):
    meeting = dinner(circle, at(2026, 5, 7, 18, 30))
    meeting.cancel()
    event = only_event(calendar.meeting_calendar(meeting))
    assert event["status"] == "CANCELLED"
    assert event["summary"] == "Cancelled: Dinner — Overvecht Allies"


def test_a_cancelled_meeting_says_why(circle):
    meeting = dinner(circle, at(2026, 5, 7, 18, 30))
    # Commas, semicolons, backslashes and line breaks are escaped (RFC 5545 3.3.11) and a
    # long line is folded: both parsers must read the reason back as it was written.
    reason = "Venue closed; sorry, really.\nA date poll (C:\\polls) follows. " + "é" * 120
    meeting.cancel(reason=reason)
    event = only_event(calendar.meeting_calendar(calendar.with_agenda(Meeting.objects).get()))
    assert event["status"] == "CANCELLED"
    assert event["description"].startswith(f"Reason: {reason}\n\n")


def test_a_cancelled_meeting_without_a_reason_gives_none(circle):
    meeting = dinner(circle, at(2026, 5, 7, 18, 30))
    meeting.cancel()
    event = only_event(calendar.meeting_calendar(meeting))
    assert event["description"].startswith("Details: ")


def answer_link(meeting) -> str:
    return only_event(calendar.meeting_calendar(meeting))["description"].split(": ")[0]


def test_only_a_dinner_ahead_asks_for_an_answer(circle):
    ahead = dinner(circle, timezone.now() + datetime.timedelta(days=20))
    assert answer_link(ahead) == "Details and your answer"
    # Nothing is left to answer once it is called off or has begun.
    past = dinner(circle, timezone.now() - datetime.timedelta(hours=1))
    assert answer_link(past) == "Details"
    ahead.cancel()
    assert answer_link(ahead) == "Details"


def test_the_reason_is_left_out_once_the_meeting_is_on_again(circle):
    meeting = dinner(circle, at(2026, 5, 7, 18, 30))
    meeting.cancel(reason="The venue is closed.")
    meeting.status = Meeting.Status.PLANNED
    meeting.save()
    assert "Reason" not in only_event(calendar.meeting_calendar(meeting))["description"]


def test_a_confirmed_meeting_is_confirmed(circle):
    meeting = dinner(circle, at(2026, 5, 7, 18, 30), status=Meeting.Status.CONFIRMED)
    assert only_event(calendar.meeting_calendar(meeting))["status"] == "CONFIRMED"


def test_an_action_is_an_all_day_event_linking_to_it(circle, settings):
    settings.SITE_URL = "https://allies.example.nl"
    action = Action.objects.create(
        circle=circle, title="Fix the lighting", due_date=datetime.date(2026, 3, 29)
    )
    body = calendar.personal_calendar([], [action])
    event = only_event(body)
    assert event["uid"] == f"action-{action.pk}@allies"
    assert event["summary"] == "Action due: Fix the lighting"
    assert event["start"] == datetime.date(2026, 3, 29)
    assert event["end"] == datetime.date(2026, 3, 30)
    assert event["url"] == f"https://allies.example.nl/actions/{action.pk}/"
    assert event["transp"] == "TRANSPARENT"
    assert ical.timezones(body) == []  # no times, so no time zone needed


def test_an_invitation_names_only_its_recipient(circle, citizen, officer):
    meeting = dinner(circle, at(2026, 5, 7, 18, 30))
    sender = "Allies <allies@example.nl>"
    body = calendar.invitation(meeting, recipient=citizen, method="REQUEST", sender=sender)
    assert ical.calendar_property(body, "METHOD") == "REQUEST"
    parsed, _ = ical.parse(body)
    [event] = parsed.walk("VEVENT")
    assert str(event["organizer"]) == "mailto:allies@example.nl"
    assert str(event["attendee"]) == "mailto:citizen@example.org"
    assert officer.email not in body.decode()
    assert only_event(body)["uid"] == f"{meeting.uid}@allies"


def test_the_vtimezone_agrees_with_the_tz_database_for_years_ahead():
    body = calendar.personal_calendar([], []).decode()  # no timed event: add the zone by hand
    body = body.replace("END:VCALENDAR", calendar.vtimezone().to_ical().decode() + "END:VCALENDAR")
    parsed, vcal = ical.parse(body)
    readers = [parsed.walk("VTIMEZONE")[0].to_tz(), vcal.vtimezone.gettzinfo()]
    day = datetime.date(2024, 1, 1)
    while day.year < 2040:
        # Noon every day, and every hour of the changeover Sundays (but the hour that is skipped
        # or doubled, which has no single answer).
        hours = range(24) if day.month in (3, 10) and day.weekday() == 6 else [12]
        for hour in hours:
            if hour == 2 and hours != [12]:
                continue
            wall = datetime.datetime(day.year, day.month, day.day, hour)
            expected = wall.replace(tzinfo=AMSTERDAM).utcoffset()
            assert [wall.replace(tzinfo=tz).utcoffset() for tz in readers] == [expected] * 2, wall
        day += datetime.timedelta(days=1)
