"""Closing a poll without a date (POST /polls/<id>/close/)."""

from meetings.models import Meeting
from polls.models import Poll

URL = "/polls/{}/close/"


def test_the_coordinator_closes_the_poll_without_a_date(client, poll, coordinator):
    client.force_login(coordinator)
    response = client.post(URL.format(poll.pk), follow=True)
    html = response.content.decode()
    assert "The poll is closed without a date." in html
    assert "This poll was closed without a date." in html
    poll.refresh_from_db()
    assert not poll.is_open and poll.chosen is None
    assert not Meeting.objects.exists()


def test_closing_twice_says_so(client, poll, coordinator):
    client.force_login(coordinator)
    client.post(URL.format(poll.pk))
    closed_at = Poll.objects.get(pk=poll.pk).closed_at
    response = client.post(URL.format(poll.pk), follow=True)
    assert "This poll is already closed." in response.content.decode()
    assert Poll.objects.get(pk=poll.pk).closed_at == closed_at


def test_a_member_who_does_not_coordinate_gets_403(client, poll, citizen):
    client.force_login(citizen)
    assert client.post(URL.format(poll.pk)).status_code == 403
    assert Poll.objects.get(pk=poll.pk).is_open


def test_get_is_not_allowed(client, poll, coordinator):
    client.force_login(coordinator)
    assert client.get(URL.format(poll.pk)).status_code == 405


def test_outsider_gets_404(client, poll, outsider):
    client.force_login(outsider)
    assert client.post(URL.format(poll.pk)).status_code == 404
    assert Poll.objects.get(pk=poll.pk).is_open
