import pytest
from django.contrib.messages import get_messages
from django.core import mail

from meetings import views
from meetings.models import Meeting
from tests.conftest import make_meeting


def url(meeting):
    return f"/meetings/{meeting.pk}/cancel/"


def test_anonymous_is_sent_to_sign_in(client, meeting):
    response = client.post(url(meeting))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, meeting, outsider):
    client.force_login(outsider)
    assert client.get(url(meeting)).status_code == 404
    assert client.post(url(meeting)).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


def test_member_who_does_not_coordinate_gets_403(client, meeting, citizen):
    client.force_login(citizen)
    assert client.get(url(meeting)).status_code == 403
    assert client.post(url(meeting)).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


def test_get_asks_for_confirmation_and_changes_nothing(client, meeting, coordinator):
    client.force_login(coordinator)
    html = client.get(url(meeting)).content.decode()
    assert "Cancel this meeting?" in html
    assert "nothing is deleted" in html
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED and meeting.sequence == 0


def test_the_confirmation_asks_for_an_optional_reason(client, meeting, coordinator):
    client.force_login(coordinator)
    html = client.get(url(meeting)).content.decode()
    assert "Reason for cancelling" in html
    assert '<textarea name="reason"' in html
    assert 'maxlength="300"' in html
    assert "Optional, for example" in html


def test_post_cancels_without_deleting(client, meeting, coordinator):
    uid = meeting.uid
    client.force_login(coordinator)
    response = client.post(url(meeting), follow=True)
    html = response.content.decode()
    assert "This meeting is cancelled." in html
    assert "Reason:" not in html  # none given: the page reads as it did
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.sequence == 1 and meeting.uid == uid
    assert meeting.cancel_reason == ""


@pytest.mark.parametrize(
    ("language", "cancelled", "told"),
    [
        ("en", "is cancelled.", "The 4 members of the circle are told by email."),
        ("nl", "is geannuleerd.", "De 4 leden van de kring krijgen hierover een e-mail."),
    ],
)
def test_the_page_says_once_that_it_is_cancelled_and_then_who_was_told(
    client, meeting, cast, coordinator, language, cancelled, told
):
    """Its own notice says that it is cancelled; the message above it said that again."""
    coordinator.preferred_language = language
    coordinator.save()
    client.force_login(coordinator)
    html = client.post(url(meeting), follow=True).content.decode()
    assert html.count(cancelled) == 1 and told in html


def test_cancelling_a_meeting_gone_by_says_only_that_it_is_cancelled(client, circle, coordinator):
    """Nobody is told of it (see below): the page's own notice says all there is."""
    gone_by = make_meeting(circle, days_ahead=-2)
    client.force_login(coordinator)
    response = client.post(url(gone_by), follow=True)
    assert list(get_messages(response.wsgi_request)) == []
    assert "This meeting is cancelled." in response.content.decode()


def test_the_reason_is_stored_told_and_shown(
    client, meeting, coordinator, citizen, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    reason = "The venue is closed; a date poll follows."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(meeting), {"reason": f"  {reason}\n"}, follow=True)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.cancel_reason == reason  # tidied: no spaces or line break around it
    assert f"Reason: {reason}" in response.content.decode()
    [to_citizen] = [m for m in mail.outbox if m.to == [citizen.email]]
    assert f"Reason: {reason}" in to_citizen.body


def test_cancelling_a_meeting_gone_by_tells_nobody(
    client, circle, coordinator, citizen, django_capture_on_commit_callbacks
):
    """Entered by mistake to record it, it was never news to the members; its cancellation
    would be the first they heard of it."""
    gone_by = make_meeting(circle, days_ahead=-2)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(gone_by))
    gone_by.refresh_from_db()
    assert gone_by.status == Meeting.Status.CANCELLED
    assert mail.outbox == []
    ahead = make_meeting(circle)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(ahead))
    assert citizen.email in [address for message in mail.outbox for address in message.to]


@pytest.mark.parametrize(
    ("language", "told", "not_told"),
    [
        ("en", "The members see it in the email", "Nobody is told: the meeting has already taken"),
        ("nl", "De leden zien dit in de e-mail", "Niemand krijgt bericht: de bijeenkomst is al"),
    ],
)
def test_the_page_of_a_meeting_gone_by_promises_no_email(
    client, circle, coordinator, language, told, not_told
):
    coordinator.preferred_language = language
    coordinator.save()
    client.force_login(coordinator)
    html = client.get(url(make_meeting(circle))).content.decode()
    assert told in html and not_told not in html
    html = client.get(url(make_meeting(circle, days_ahead=-2))).content.decode()
    assert not_told in html and told not in html


def test_a_too_long_reason_comes_back_with_what_was_typed(
    client, meeting, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    typed = "The venue is closed " + "and so on " * 30  # 319 characters and a space
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(meeting), {"reason": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Keep the reason to at most 300 characters (it has 319)." in html
    assert typed.strip() in html
    assert "Cancel this meeting?" in html
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED and meeting.sequence == 0
    assert meeting.cancel_reason == ""
    assert mail.outbox == []


def test_the_reason_error_is_in_dutch_for_a_dutch_coordinator(client, meeting, coordinator):
    coordinator.preferred_language = "nl"
    coordinator.save()
    client.force_login(coordinator)
    html = client.post(url(meeting), {"reason": "x" * 301}).content.decode()
    assert "Houd de reden kort: hoogstens 300 tekens (het zijn er nu 301)." in html


def test_a_cancelled_meeting_is_not_asked_about_again(client, meeting, coordinator):
    meeting.cancel()
    client.force_login(coordinator)
    response = client.get(url(meeting), follow=True)
    assert response.redirect_chain == [(f"/meetings/{meeting.pk}/", 302)]
    assert "This meeting was already cancelled." in response.content.decode()


def test_cancelling_twice_bumps_the_sequence_once(client, meeting, coordinator):
    client.force_login(coordinator)
    client.post(url(meeting))
    response = client.post(url(meeting), follow=True)
    assert "This meeting was already cancelled." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.sequence == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_held_meeting_cannot_be_cancelled(client, circle, coordinator, method):
    held = make_meeting(circle, days_ahead=-7, status=Meeting.Status.HELD)
    client.force_login(coordinator)
    response = getattr(client, method)(url(held), follow=True)
    assert "This meeting has been held; it cannot be cancelled." in response.content.decode()
    held.refresh_from_db()
    assert held.status == Meeting.Status.HELD and held.sequence == 0


def test_a_meeting_recorded_while_the_cancel_was_on_its_way_stays_held(
    client, circle, coordinator, monkeypatch
):
    meeting = make_meeting(circle, days_ahead=-1)
    read = views._get_meeting_for_user

    def read_then_recorded(request, meeting_id):  # read just before the coordinator recorded it
        found = read(request, meeting_id)
        Meeting.objects.filter(pk=meeting_id).update(status=Meeting.Status.HELD)
        return found

    monkeypatch.setattr(views, "_get_meeting_for_user", read_then_recorded)
    client.force_login(coordinator)
    response = client.post(url(meeting), follow=True)
    assert response.status_code == 200
    assert "This meeting has been held; it cannot be cancelled." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.sequence == 0
