"""/meetings/<meeting_id>/meeting.ics: one meeting as a calendar file, for its circle's members."""

from meetings.models import AgendaItem, Topic
from tests import ical
from tests.conftest import make_meeting


def url(meeting) -> str:
    return f"/meetings/{meeting.pk}/meeting.ics"


def test_anonymous_is_sent_to_sign_in(client, meeting):
    response = client.get(url(meeting))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, meeting, outsider):
    client.force_login(outsider)
    assert client.get(url(meeting)).status_code == 404


def test_a_member_who_left_gets_404(client, meeting, citizen):
    citizen.memberships.get().end()
    client.force_login(citizen)
    assert client.get(url(meeting)).status_code == 404


def test_post_is_not_allowed(client, meeting, citizen):
    client.force_login(citizen)
    assert client.post(url(meeting)).status_code == 405


def test_a_member_downloads_the_meeting(client, meeting, citizen):
    AgendaItem.objects.create(meeting=meeting, topic=Topic.objects.get(name="Nuisance"))
    client.force_login(citizen)
    response = client.get(url(meeting))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    [event] = ical.events(response.content)
    assert event["uid"] == f"{meeting.uid}@allies"
    assert event["start"] == meeting.starts_at
    assert event["summary"] == "Dinner — Overvecht Allies"
    assert "- Nuisance" in event["description"]


def test_a_cancelled_meeting_downloads_as_cancelled(client, circle, citizen):
    meeting = make_meeting(circle)
    meeting.cancel()
    client.force_login(citizen)
    [event] = ical.events(client.get(url(meeting)).content)
    assert event["status"] == "CANCELLED"
    assert event["sequence"] == 1
