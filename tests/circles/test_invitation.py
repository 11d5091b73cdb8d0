"""Answering an invitation to join a circle (/circles/invitations/<id>/): the invited person
joins or says no thanks; nobody else sees it."""

import datetime

import pytest
import time_machine
from django.core import mail

from circles.models import Invitation, Membership
from tests.conftest import make_meeting, make_person
from tests.meetings.test_notify import calendar_parts


def url(invitation):
    return f"/circles/invitations/{invitation.pk}/"


@pytest.fixture
def invitation(circle, coordinator, outsider):
    return Invitation.objects.create(
        circle=circle, person=outsider, sector="police", invited_by=coordinator
    )


def test_anonymous_is_sent_to_sign_in(client, invitation):
    response = client.get(url(invitation))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["coordinator", "citizen", "stranger"])
def test_anyone_but_the_invited_person_gets_404(client, invitation, cast, who):
    client.force_login(cast[who] if who in cast else make_person(who))
    assert client.get(url(invitation)).status_code == 404
    assert client.post(url(invitation), {"answer": "join"}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def test_the_invited_person_sees_who_asks_and_what_joining_shows(client, invitation, outsider):
    client.force_login(outsider)
    html = client.get(url(invitation)).content.decode()
    assert "Join Overvecht Allies?" in html
    assert "Coordinator invites you to join this circle, in the police sector." in html
    assert "once you join, this circle's members see it too" in html  # they share it
    assert "What the circle's allies commit to" in html
    assert "As an ally I take part in the circle&#x27;s dinners" in html


def test_it_names_the_sector_in_dutch_too(client, invitation, outsider):
    outsider.preferred_language = "nl"
    outsider.save()
    client.force_login(outsider)
    html = client.get(url(invitation)).content.decode()
    assert "Coordinator nodigt je uit voor deze kring, in de sector politie." in html


def test_without_an_inviter_nobody_is_named(client, invitation, outsider):
    """As the emails say it: the inviter's account is gone (invited_by is emptied)."""
    invitation.invited_by = None
    invitation.save()
    client.force_login(outsider)
    html = client.get(url(invitation)).content.decode()
    assert "You are invited to join this circle, in the police sector." in html
    assert "invites you" not in html


def test_joining_makes_them_a_member(client, circle, invitation, outsider):
    client.force_login(outsider)
    response = client.post(url(invitation), {"answer": "join"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/circles/{circle.pk}/"
    assert "Welcome to Overvecht Allies." in response.content.decode()
    membership = outsider.memberships.active().get(circle=circle)
    assert membership.sector == "police" and not membership.is_coordinator
    invitation.refresh_from_db()
    assert invitation.accepted and invitation.answered_at is not None


@time_machine.travel(datetime.datetime(2026, 6, 5, 10, tzinfo=datetime.UTC))
def test_who_comes_back_keeps_the_commitment_they_gave_while_it_runs(
    client, circle, invitation, outsider
):
    """Removed by mistake (ending a membership has no undo), and invited again."""
    earlier = Membership.objects.create(
        person=outsider, circle=circle, sector="police", joined_on=datetime.date(2026, 1, 5)
    )
    earlier.commit(today=datetime.date(2026, 2, 10))
    earlier.end(datetime.date(2026, 6, 1))
    client.force_login(outsider)
    html = client.post(url(invitation), {"answer": "join"}, follow=True).content.decode()
    assert "You agreed on 10 February 2026; your commitment runs until 10 February 2027." in html
    assert "I commit" not in html
    membership = outsider.memberships.active().get(circle=circle)
    assert membership.pk != earlier.pk
    assert membership.committed_on == datetime.date(2026, 2, 10)
    assert membership.commitment_until == datetime.date(2027, 2, 10)
    assert membership.commitment_agreed_text == earlier.commitment_agreed_text


def answer(client, capture, invitation, choice):
    """The invited person's answer, and the emails it sends once it commits."""
    client.force_login(invitation.person)
    with capture(execute=True):
        client.post(url(invitation), {"answer": choice})
    return mail.outbox


def test_joining_invites_them_to_the_meetings_ahead_in_their_language(
    client, circle, invitation, outsider, django_capture_on_commit_callbacks
):
    """The members who were in already were invited as the meetings were planned."""
    outsider.preferred_language = "nl"
    outsider.save()
    dinners = [make_meeting(circle, days_ahead=days) for days in (10, 50)]
    [message] = answer(client, django_capture_on_commit_callbacks, invitation, "join")
    assert message.to == ["outsider@example.org"]
    assert message.subject == "Uitnodiging: de volgende 2 diners van Overvecht Allies"
    for dinner, part in zip(dinners, calendar_parts(message), strict=True):
        assert part.get_param("method") == "REQUEST"
        assert f"UID:{dinner.uid}@allies" in part.get_payload(decode=True).decode()


@pytest.mark.parametrize("choice", ["decline", "join"])
def test_no_thanks_or_no_meeting_ahead_sends_nothing(
    client, circle, invitation, django_capture_on_commit_callbacks, choice
):
    if choice == "decline":
        make_meeting(circle, days_ahead=10)
    assert answer(client, django_capture_on_commit_callbacks, invitation, choice) == []


def test_joining_when_already_a_member_sends_nothing(
    client, circle, invitation, outsider, django_capture_on_commit_callbacks
):
    Membership.objects.create(person=outsider, circle=circle, sector="community")
    make_meeting(circle, days_ahead=10)
    assert answer(client, django_capture_on_commit_callbacks, invitation, "join") == []


def test_no_thanks_makes_no_member(client, circle, invitation, outsider):
    client.force_login(outsider)
    response = client.post(url(invitation), {"answer": "decline"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    text = "You said no thanks to Overvecht Allies. Its coordinators cannot ask you again for 90"
    assert text in response.content.decode()
    assert not outsider.memberships.filter(circle=circle).exists()
    invitation.refresh_from_db()
    assert not invitation.accepted and invitation.answered_at is not None


def test_a_joined_invitation_is_answered_once(client, circle, invitation, outsider):
    client.force_login(outsider)
    client.post(url(invitation), {"answer": "join"})
    response = client.post(url(invitation), {"answer": "decline"}, follow=True)
    assert "You already answered this invitation." in response.content.decode()
    assert outsider.memberships.active().filter(circle=circle).count() == 1


def test_after_no_thanks_they_may_still_join_while_it_holds(client, circle, invitation, outsider):
    client.force_login(outsider)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)):
        client.post(url(invitation), {"answer": "decline"})
    with time_machine.travel(datetime.datetime(2026, 5, 30, 12, 0, tzinfo=datetime.UTC)):
        html = client.get(url(invitation)).content.decode()
        assert "You said no thanks on 2 March 2026. Changed your mind? You can still join" in html
        assert 'value="join"' in html and 'value="decline"' not in html
        response = client.post(url(invitation), {"answer": "decline"}, follow=True)
        assert "You already answered this invitation." in response.content.decode()
        client.post(url(invitation), {"answer": "join"})
    assert outsider.memberships.active().filter(circle=circle).count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted


def test_once_no_thanks_no_longer_holds_it_is_final(client, circle, invitation, outsider):
    client.force_login(outsider)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)):
        client.post(url(invitation), {"answer": "decline"})
    with time_machine.travel(datetime.datetime(2026, 5, 31, 12, 0, 1, tzinfo=datetime.UTC)):
        response = client.get(url(invitation), follow=True)
        assert "You already answered this invitation." in response.content.decode()
        client.post(url(invitation), {"answer": "join"})
    assert not outsider.memberships.filter(circle=circle).exists()


def test_joining_when_already_a_member_adds_nothing(client, circle, invitation, outsider):
    Membership.objects.create(person=outsider, circle=circle, sector="community")
    client.force_login(outsider)
    client.post(url(invitation), {"answer": "join"})
    assert outsider.memberships.filter(circle=circle).count() == 1


def test_the_dashboard_shows_open_invitations(client, invitation, outsider):
    client.force_login(outsider)
    html = client.get("/").content.decode()
    assert "You are invited to join Overvecht Allies (Utrecht)." in html
    assert f'href="{url(invitation)}"' in html
    client.post(url(invitation), {"answer": "decline"})
    assert "You are invited to join" not in client.get("/").content.decode()


def test_a_post_that_is_neither_join_nor_no_thanks_answers_nothing(client, invitation, outsider):
    client.force_login(outsider)
    assert client.post(url(invitation), {"answer": "maybe"}).status_code == 200
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def test_the_dashboard_leaves_out_an_invitation_to_a_circle_joined_since(
    client, circle, invitation, outsider
):
    Membership.objects.create(person=outsider, circle=circle, sector="community")
    client.force_login(outsider)
    assert "You are invited to join" not in client.get("/").content.decode()
