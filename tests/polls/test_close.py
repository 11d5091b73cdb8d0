"""Closing a poll without a date (/polls/<id>/close/): GET asks for confirmation, POST closes it
and tells the members by email."""

from django.core import mail

from meetings.models import Meeting
from polls.models import Poll
from tests.polls.conftest import local

URL = "/polls/{}/close/"


def close(client, poll, capture):
    with capture(execute=True):
        return client.post(URL.format(poll.pk), follow=True)


def test_get_asks_for_confirmation_and_changes_nothing(client, poll, cast):
    client.force_login(cast["coordinator"])
    response = client.get(URL.format(poll.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Close this poll without a date?" in html
    assert "This cannot be undone." in html
    assert "The 4 members of the circle are told by email" in html
    assert f'<form method="post" action="/polls/{poll.pk}/close/"' in html
    assert Poll.objects.get(pk=poll.pk).is_open
    assert mail.outbox == []


def test_the_coordinator_closes_the_poll_and_the_members_are_told(
    client, poll, cast, django_capture_on_commit_callbacks
):
    cast["citizen"].preferred_language = "nl"
    cast["citizen"].save()
    client.force_login(cast["coordinator"])
    html = close(client, poll, django_capture_on_commit_callbacks).content.decode()
    # The page says that it closed without a date; the message above it, who heard of it.
    assert html.count("closed without a date") == 1
    assert "The 4 members of the circle are told by email." in html
    poll.refresh_from_db()
    assert not poll.is_open and poll.chosen is None
    assert not Meeting.objects.exists()
    by_person = {message.to[0].split("@")[0]: message for message in mail.outbox}
    assert sorted(by_person) == ["citizen", "clerk", "coordinator", "officer"]  # not the outsider
    english, dutch = by_person["officer"], by_person["citizen"]
    assert english.subject == "No date found: Overvecht Allies"
    assert "has closed the date poll without picking a date" in english.body
    assert "Thursday 25 March 2027, 19:00" in english.body
    assert f"/polls/{poll.pk}/" in english.body
    assert dutch.subject == "Geen datum gevonden: Overvecht Allies"
    assert "donderdag 25 maart 2027, 19:00" in dutch.body


KEEP_FREE = "You no longer need to keep these dates free:"


def test_the_members_are_told_to_keep_free_no_longer_only_the_dates_ahead(
    client, poll, cast, clock, django_capture_on_commit_callbacks
):
    clock.move_to(local(2027, 3, 12, 9), tick=False)  # the first Thursday has passed
    client.force_login(cast["coordinator"])
    close(client, poll, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert KEEP_FREE in text
        assert "Thursday 18 March 2027, 18:30" in text and "Thursday 25 March 2027, 19:00" in text
        assert "11 March" not in text


def test_when_every_date_has_passed_the_members_are_not_told_to_keep_any_free(
    client, poll, cast, clock, django_capture_on_commit_callbacks
):
    clock.move_to(local(2027, 3, 26, 9), tick=False)
    client.force_login(cast["coordinator"])
    close(client, poll, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 4
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "has closed the date poll without picking a date" in text
        assert KEEP_FREE not in text and "March" not in text
    assert "<ul>" not in html


def test_closing_twice_says_so_and_tells_the_members_once(
    client, poll, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    close(client, poll, django_capture_on_commit_callbacks)
    closed_at, sent = Poll.objects.get(pk=poll.pk).closed_at, len(mail.outbox)
    response = close(client, poll, django_capture_on_commit_callbacks)
    assert "This poll is already closed." in response.content.decode()
    assert Poll.objects.get(pk=poll.pk).closed_at == closed_at
    assert sent == 4 and len(mail.outbox) == sent


def test_a_closed_poll_asks_for_no_confirmation(client, poll, coordinator):
    client.force_login(coordinator)
    client.post(URL.format(poll.pk))
    response = client.get(URL.format(poll.pk), follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(f"/polls/{poll.pk}/", 302)]
    assert "This poll is already closed." in html
    assert "Close this poll without a date?" not in html


def test_a_member_who_does_not_coordinate_gets_403(client, poll, citizen):
    client.force_login(citizen)
    assert client.get(URL.format(poll.pk)).status_code == 403
    assert client.post(URL.format(poll.pk)).status_code == 403
    assert Poll.objects.get(pk=poll.pk).is_open


def test_outsider_gets_404(client, poll, outsider):
    client.force_login(outsider)
    assert client.get(URL.format(poll.pk)).status_code == 404
    assert client.post(URL.format(poll.pk)).status_code == 404
    assert Poll.objects.get(pk=poll.pk).is_open


def test_anonymous_signs_in_and_comes_back_to_the_confirmation(client, poll, coordinator):
    response = client.get(URL.format(poll.pk))
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next=/polls/{poll.pk}/close/"
    assert client.post(URL.format(poll.pk)).status_code == 302
    assert Poll.objects.get(pk=poll.pk).is_open
    client.force_login(coordinator)
    assert "Close this poll without a date?" in client.get(URL.format(poll.pk)).content.decode()
