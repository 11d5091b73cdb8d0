"""Picking a date (POST /polls/<id>/pick/): the meeting is created and the members are invited
once, each with the calendar file."""

import datetime

from django.core import mail

from meetings.models import Meeting
from polls.models import Poll
from tests.polls.conftest import local, make_poll

URL = "/polls/{}/pick/"


def pick(client, poll, option, capture):
    with capture(execute=True):
        return client.post(URL.format(poll.pk), {"option": option.pk}, follow=True)


def test_the_coordinator_picks_a_date_and_the_members_are_invited(
    client, poll, cast, circle, django_capture_on_commit_callbacks
):
    option = poll.options.order_by("starts_at")[2]
    client.force_login(cast["coordinator"])
    response = pick(client, poll, option, django_capture_on_commit_callbacks)
    meeting = Meeting.objects.get()
    assert (meeting.circle, meeting.kind, meeting.title) == (circle, "dinner", "Spring dinner")
    assert meeting.starts_at == local(2027, 3, 25, 19, 0)
    assert meeting.ends_at - meeting.starts_at == datetime.timedelta(minutes=150)
    assert (meeting.venue_name, meeting.venue_address) == (
        "Politiebureau Overvecht",
        "Zamenhofdreef 20, Utrecht",
    )
    assert meeting.status == Meeting.Status.CONFIRMED
    poll.refresh_from_db()
    assert (poll.is_open, poll.chosen, poll.meeting) == (False, option, meeting)
    assert "the members are invited by email" in response.content.decode()
    assert sorted(m.to[0].split("@")[0] for m in mail.outbox) == [
        "citizen",
        "clerk",
        "coordinator",
        "officer",
    ]
    message = mail.outbox[0]
    assert message.subject == "Invitation: Spring dinner — Overvecht Allies, 25 March 2027"
    calendar = message.attachments[0]
    assert "METHOD:REQUEST" in calendar.as_string()


def test_a_second_pick_creates_nothing_and_sends_nothing(
    client, poll, coordinator, django_capture_on_commit_callbacks
):
    first, second, _third = poll.options.order_by("starts_at")
    client.force_login(coordinator)
    pick(client, poll, first, django_capture_on_commit_callbacks)
    sent = len(mail.outbox)
    response = pick(client, poll, second, django_capture_on_commit_callbacks)
    assert "This poll is already closed." in response.content.decode()
    assert Meeting.objects.count() == 1
    assert len(mail.outbox) == sent
    poll.refresh_from_db()
    assert poll.chosen == first


def test_an_extra_meeting_poll_makes_an_extra_meeting(
    client, clock, circle, coordinator, django_capture_on_commit_callbacks
):
    poll = make_poll(circle, kind=Meeting.Kind.EXTRA, title="")
    client.force_login(coordinator)
    pick(client, poll, poll.options.first(), django_capture_on_commit_callbacks)
    meeting = Meeting.objects.get()
    assert meeting.kind == Meeting.Kind.EXTRA
    assert mail.outbox[0].subject == "Invitation: Extra meeting — Overvecht Allies, 18 March 2027"


def test_a_passed_date_or_another_polls_date_is_refused(
    client, poll, circle, coordinator, clock, django_capture_on_commit_callbacks
):
    other = make_poll(circle)
    client.force_login(coordinator)
    response = pick(client, poll, other.options.first(), django_capture_on_commit_callbacks)
    assert "Pick one of the poll&#x27;s dates that has not passed." in response.content.decode()
    clock.move_to(local(2027, 3, 12), tick=False)
    pick(client, poll, poll.options.order_by("starts_at")[0], django_capture_on_commit_callbacks)
    assert not Meeting.objects.exists()
    assert Poll.objects.get(pk=poll.pk).is_open
    assert mail.outbox == []


def test_a_member_who_does_not_coordinate_gets_403(client, poll, citizen):
    client.force_login(citizen)
    response = client.post(URL.format(poll.pk), {"option": poll.options.first().pk})
    assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_get_is_not_allowed(client, poll, coordinator):
    client.force_login(coordinator)
    assert client.get(URL.format(poll.pk)).status_code == 405


def test_outsider_gets_404(client, poll, outsider):
    client.force_login(outsider)
    response = client.post(URL.format(poll.pk), {"option": poll.options.first().pk})
    assert response.status_code == 404
    assert not Meeting.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, poll):
    response = client.post(URL.format(poll.pk))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
