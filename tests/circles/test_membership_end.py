import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from circles import services
from circles.models import Membership
from meetings.models import Attendance, Meeting, Response
from tests import ical
from tests.conftest import make_meeting, make_person
from tests.polls.conftest import answer, poll_ahead, polls_answered_by


@pytest.fixture
def membership(citizen):
    return citizen.memberships.get()


def url(circle, membership):
    return f"/circles/{circle.pk}/members/{membership.pk}/end/"


def test_anonymous_is_sent_to_sign_in(client, circle, membership):
    response = client.post(url(circle, membership))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, circle, membership, outsider):
    client.force_login(outsider)
    assert client.post(url(circle, membership)).status_code == 404
    membership.refresh_from_db()
    assert membership.is_active


def test_a_member_who_does_not_coordinate_gets_403(client, circle, membership, officer):
    client.force_login(officer)
    assert client.post(url(circle, membership)).status_code == 403
    membership.refresh_from_db()
    assert membership.is_active


def test_get_is_not_allowed(client, circle, coordinator, membership):
    client.force_login(coordinator)
    assert client.get(url(circle, membership)).status_code == 405
    membership.refresh_from_db()
    assert membership.is_active


def test_a_membership_of_another_circle_gives_404(client, circle, coordinator, outsider):
    client.force_login(coordinator)
    theirs = outsider.memberships.get()
    assert client.post(url(circle, theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, tzinfo=datetime.UTC))
def test_a_coordinator_ends_a_membership_and_history_stays(
    client, circle, coordinator, membership, citizen
):
    Membership.objects.filter(pk=membership.pk).update(joined_on=datetime.date(2025, 1, 1))
    client.force_login(coordinator)
    response = client.post(url(circle, membership), follow=True)
    assert response.redirect_chain[-1][0] == f"/circles/{circle.pk}/"
    html = response.content.decode()
    assert "Citizen has left the circle." in html
    assert 'member-name">Citizen<' not in html
    membership.refresh_from_db()
    assert membership.left_on == datetime.date(2026, 5, 4)
    assert Membership.objects.filter(pk=membership.pk).exists()
    # Ending twice is not possible: the membership is no longer active.
    assert client.post(url(circle, membership)).status_code == 404


def test_the_person_loses_access_to_the_circle(client, circle, coordinator, membership, citizen):
    client.force_login(coordinator)
    client.post(url(circle, membership))
    client.force_login(citizen)
    assert client.get(f"/circles/{circle.pk}/").status_code == 404


def test_the_last_coordinator_cannot_leave(client, circle, coordinator, citizen):
    mine = coordinator.memberships.get()
    client.force_login(coordinator)
    response = client.post(url(circle, mine), follow=True)
    assert response.redirect_chain[-1][0] == f"/circles/{circle.pk}/members/{mine.pk}/edit/"
    assert "Coordinator is the circle&#x27;s only coordinator." in response.content.decode()
    mine.refresh_from_db()
    assert mine.is_active and mine.is_coordinator


def test_a_coordinator_may_leave_when_another_remains(client, circle, coordinator, membership):
    Membership.objects.filter(pk=membership.pk).update(is_coordinator=True)
    mine = coordinator.memberships.get()
    client.force_login(coordinator)
    response = client.post(url(circle, mine), follow=True)
    mine.refresh_from_db()
    assert not mine.is_active and not mine.is_coordinator
    # Not to the circle's page: it is no longer theirs to see.
    assert response.redirect_chain == [("/", 302)]
    assert "You have left Overvecht Allies." in response.content.decode()


def test_leaving_withdraws_the_answers_to_meetings_ahead_and_keeps_those_gone_by(
    client, circle, other_circle, coordinator, membership, citizen
):
    ahead = make_meeting(circle, days_ahead=10)
    later = make_meeting(circle, days_ahead=60, status=Meeting.Status.CANCELLED)
    under_way = make_meeting(circle, days_ahead=-0.02)
    held = make_meeting(circle, days_ahead=-30, status=Meeting.Status.HELD)
    elsewhere = make_meeting(other_circle, days_ahead=10)
    other_circle.memberships.create(person=citizen, sector="community")
    for meeting in (ahead, later, under_way, held, elsewhere):
        Response.objects.create(
            meeting=meeting, person=citizen, answer="attending", dietary_needs="geen varkensvlees"
        )
    Attendance.objects.create(meeting=held, person=citizen)
    client.force_login(coordinator)
    client.post(url(circle, membership))
    kept = set(citizen.responses.values_list("meeting", flat=True))
    assert kept == {under_way.pk, held.pk, elsewhere.pk}
    assert Attendance.objects.filter(meeting=held, person=citizen).exists()
    # The history tells who withdrew them, and keeps no dietary needs.
    withdrawn = Response.history.filter(person=citizen, history_type="-")
    assert {row.meeting_id for row in withdrawn} == {ahead.pk, later.pk}
    assert {row.history_user for row in withdrawn} == {coordinator}
    assert "dietary_needs" not in {field.name for field in Response.history.model._meta.fields}


def test_leaving_withdraws_the_answers_to_open_polls_and_keeps_those_of_closed_ones(
    client, circle, other_circle, coordinator, officer, membership, citizen
):
    poll, closed, elsewhere = polls_answered_by(citizen, circle, other_circle)
    answer(poll, officer, "yes", "no")
    client.force_login(coordinator)
    client.post(url(circle, membership))
    kept = set(citizen.poll_answers.values_list("option__poll", flat=True))
    assert kept == {closed.pk, elsewhere.pk}
    # The tally, who can come and the date that suits most are the members' again.
    html = client.get(f"/polls/{poll.pk}/").content.decode()
    tally = html[html.index('id="tally"') : html.index("</table>")]
    first = tally.split('<th scope="row" role="rowheader" class="fw-normal">')[1]
    assert "Officer</span>" in first and "Citizen" not in tally
    assert '<td role="cell" class="text-end" data-label="Yes">1</td>' in first


def test_who_left_no_longer_comes_on_the_meeting_page(
    client, circle, coordinator, officer, citizen
):
    """A coordinator who answered for a dinner ahead and then left, as the demo's did."""
    Membership.objects.filter(person=officer).update(is_coordinator=True)
    dinner = make_meeting(circle, days_ahead=10)
    Response.objects.create(
        meeting=dinner, person=coordinator, answer="attending", dietary_needs="geen varkensvlees"
    )
    Response.objects.create(
        meeting=dinner, person=citizen, answer="attending", dietary_needs="halal"
    )
    client.force_login(coordinator)
    client.post(url(circle, coordinator.memberships.get()))
    client.force_login(officer)
    html = client.get(f"/meetings/{dinner.pk}/").content.decode()
    assert "Attending (1)" in html and "1 person comes." in html
    assert "halal" in html and "geen varkensvlees" not in html


def test_who_comes_back_answers_again(client, circle, coordinator, membership, citizen):
    dinner = make_meeting(circle, days_ahead=10)
    Response.objects.create(meeting=dinner, person=citizen, answer="attending")
    client.force_login(coordinator)
    client.post(url(circle, membership))
    circle.memberships.create(person=citizen, sector="community")
    client.force_login(citizen)
    assert "Not answered yet" in client.get(f"/meetings/{dinner.pk}/").content.decode()


def test_a_membership_ended_already_is_not_ended_again(circle, coordinator, membership, citizen):
    Membership.objects.filter(pk=membership.pk).update(
        joined_on=datetime.date(2024, 1, 1), left_on=datetime.date(2025, 1, 1)
    )
    dinner = make_meeting(circle, days_ahead=10)
    circle.memberships.create(person=citizen, sector="community")
    Response.objects.create(meeting=dinner, person=citizen, answer="attending")
    # The page read it while it was active; another coordinator ended it meanwhile.
    assert services.membership_end(membership=membership) is False
    assert Membership.objects.get(pk=membership.pk).left_on == datetime.date(2025, 1, 1)
    assert dinner.responses.filter(person=citizen).exists()


def end(client, circle, membership, capture):
    """Post the end as the client's user; the messages sent once it commits."""
    with capture(execute=True):
        client.post(url(circle, membership))
    return mail.outbox


def calendar_parts(message):
    return [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]


def test_who_left_is_told_with_a_cancellation_of_each_meeting_ahead_they_were_invited_to(
    client,
    circle,
    other_circle,
    coordinator,
    officer,
    membership,
    citizen,
    django_capture_on_commit_callbacks,
):
    dinner = make_meeting(circle, days_ahead=10, title="Spring dinner")
    extra = make_meeting(circle, days_ahead=40, kind="extra", status="confirmed")
    make_meeting(circle, days_ahead=20, status="cancelled")  # they were told of it already
    make_meeting(circle, days_ahead=-10, status="held")
    make_meeting(other_circle, days_ahead=10)
    for meeting in (dinner, extra):
        Response.objects.create(meeting=meeting, person=membership.person, answer="attending")
    client.force_login(coordinator)
    [message] = end(client, circle, membership, django_capture_on_commit_callbacks)
    assert message.to == ["citizen@example.org"]
    assert message.subject == "You are no longer in Overvecht Allies"
    assert (
        "Coordinator has ended your membership of Overvecht Allies (Utrecht). Your answers to "
        "its meetings ahead have been withdrawn; what you did in the circle stays in its "
        "history.\n\nYou are no longer invited to its next 2 meetings:\n"
    ) in message.body
    assert "Spring dinner — Overvecht Allies" in message.body
    assert "Open the attached calendar files to remove them from your calendar" in message.body
    assert "because you were a member of Overvecht Allies." in message.body
    assert "/respond/" not in message.body
    [(html, _mimetype)] = message.alternatives
    assert "<p>You are no longer invited to its next 2 meetings:</p>" in html
    events = ical.emailed(message, "CANCEL", "citizen@example.org")
    assert [e["uid"] for e in events] == [f"{dinner.uid}@allies", f"{extra.uid}@allies"]
    # Above the invitation their calendar holds; kept, so that the next invitation is not older.
    assert [e["sequence"] for e in events] == [1, 1]
    assert Meeting.objects.get(pk=dinner.pk).sequence == 1
    # The meeting goes on for the others: not "cancelled" (RFC 5546 uninvites without a STATUS).
    assert all("status" not in e for e in events)
    assert events[0]["description"] == "You are no longer in Overvecht Allies."


def test_who_leaves_themselves_reads_it_in_their_language_without_by_whom(
    client, circle, coordinator, officer, django_capture_on_commit_callbacks
):
    Membership.objects.filter(person=officer).update(is_coordinator=True)
    coordinator.preferred_language = "nl"
    coordinator.save()
    make_meeting(circle, days_ahead=10)
    client.force_login(coordinator)
    [message] = end(
        client, circle, coordinator.memberships.get(), django_capture_on_commit_callbacks
    )
    assert message.subject == "Je zit niet meer in Overvecht Allies"
    assert message.body.startswith(
        "Hallo Coordinator,\n\nJe bent uit de kring Overvecht Allies (Utrecht) gegaan. "
        "Wat je in de kring deed, blijft in de geschiedenis van de kring bewaard.\n"
    )
    assert "Je bent niet meer uitgenodigd voor het volgende diner:\n" in message.body
    assert "Diner — Overvecht Allies" in message.body
    [part] = calendar_parts(message)
    [event] = ical.events(part.get_payload(decode=True))
    assert event["description"] == "Je zit niet meer in Overvecht Allies."


def test_without_a_meeting_ahead_the_email_only_says_they_left(
    client, circle, coordinator, membership, django_capture_on_commit_callbacks
):
    make_meeting(circle, days_ahead=-10, status="held")
    client.force_login(coordinator)
    [message] = end(client, circle, membership, django_capture_on_commit_callbacks)
    assert "Coordinator has ended your membership of Overvecht Allies (Utrecht)." in message.body
    assert "invited" not in message.body and "calendar" not in message.body
    assert calendar_parts(message) == []


def test_who_had_not_answered_is_not_told_of_answers_withdrawn(
    client, circle, coordinator, membership, django_capture_on_commit_callbacks
):
    make_meeting(circle, days_ahead=10)
    client.force_login(coordinator)
    [message] = end(client, circle, membership, django_capture_on_commit_callbacks)
    assert (
        "Coordinator has ended your membership of Overvecht Allies (Utrecht). What you did in "
        "the circle stays in its history.\n"
    ) in message.body
    assert "withdrawn" not in message.body
    [(html, _mimetype)] = message.alternatives
    assert "What you did in the circle stays in its history.</p>" in html
    assert "withdrawn" not in html


def test_an_answer_to_a_cancelled_meeting_is_not_told_as_withdrawn(
    client, circle, coordinator, membership, citizen, django_capture_on_commit_callbacks
):
    """The email lists the meetings ahead that are not cancelled: one it does not list is not
    spoken of. The answer goes all the same."""
    cancelled = make_meeting(circle, days_ahead=10, status="cancelled")
    Response.objects.create(meeting=cancelled, person=citizen, answer="attending")
    client.force_login(coordinator)
    [message] = end(client, circle, membership, django_capture_on_commit_callbacks)
    assert "withdrawn" not in message.body
    assert "What you did in the circle stays in its history." in message.body
    assert not Response.objects.filter(person=citizen).exists()


def test_one_answer_withdrawn_is_told_as_one(
    client, circle, coordinator, membership, citizen, django_capture_on_commit_callbacks
):
    dinner = make_meeting(circle, days_ahead=10)
    make_meeting(circle, days_ahead=40)  # not answered: nothing to withdraw
    Response.objects.create(meeting=dinner, person=citizen, answer="maybe")
    client.force_login(coordinator)
    [message] = end(client, circle, membership, django_capture_on_commit_callbacks)
    assert (
        "Your answer to its meeting ahead has been withdrawn; what you did in the circle stays "
        "in its history."
    ) in message.body


@pytest.mark.parametrize(
    ("dinners", "told"),
    [
        (0, "Your answers to its open date polls have been withdrawn;"),
        (1, "Your answers to its meeting ahead and to its open date polls have been withdrawn;"),
        (2, "Your answers to its meetings ahead and to its open date polls have been withdrawn;"),
    ],
)
def test_answers_to_open_polls_withdrawn_are_told(
    client,
    circle,
    coordinator,
    membership,
    citizen,
    django_capture_on_commit_callbacks,
    dinners,
    told,
):
    answer(poll_ahead(circle), citizen, "yes", "no")
    for days_ahead in (10, 40)[:dinners]:
        Response.objects.create(
            meeting=make_meeting(circle, days_ahead=days_ahead), person=citizen, answer="attending"
        )
    client.force_login(coordinator)
    [message] = end(client, circle, membership, django_capture_on_commit_callbacks)
    assert f"{told} what you did in the circle stays in its history." in message.body


@pytest.mark.parametrize("why", ["no address", "deactivated"])
def test_nothing_to_who_cannot_be_emailed(
    client, circle, coordinator, membership, citizen, why, django_capture_on_commit_callbacks
):
    if why == "no address":
        citizen.email = ""
    else:
        citizen.is_active = False
    citizen.save()
    make_meeting(circle, days_ahead=10)
    client.force_login(coordinator)
    assert end(client, circle, membership, django_capture_on_commit_callbacks) == []
    assert not Membership.objects.get(pk=membership.pk).is_active


def test_ended_twice_they_are_told_once(
    circle, coordinator, membership, django_capture_on_commit_callbacks
):
    dinner = make_meeting(circle, days_ahead=10)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.membership_end(membership=membership, by=coordinator)
    # The same page, sent again (a double click, or a second coordinator on it at once).
    with django_capture_on_commit_callbacks(execute=True):
        assert not services.membership_end(membership=membership, by=coordinator)
    assert len(mail.outbox) == 1
    assert Meeting.objects.get(pk=dinner.pk).sequence == 1


@pytest.mark.parametrize("has_password", [False, True])
def test_meetings_planned_before_they_joined_are_cancelled_only_if_they_were_invited(
    client, circle, coordinator, has_password, django_capture_on_commit_callbacks
):
    """Invited by email, a person who has not chosen a password yet was not invited to the
    meetings planned before their invitation: they are as they choose it (send_joined_mail),
    and so is one an admin adds with a password, whether they have signed in or not."""
    before = make_meeting(circle, days_ahead=10)
    Meeting.objects.filter(pk=before.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    newcomer = make_person("newcomer")
    if not has_password:
        newcomer.set_unusable_password()
        newcomer.save()
    membership = circle.memberships.create(person=newcomer, sector="community")
    membership.history.update(history_date=timezone.now() - datetime.timedelta(days=1))
    since = make_meeting(circle, days_ahead=20)
    client.force_login(coordinator)
    [message] = end(client, circle, membership, django_capture_on_commit_callbacks)
    uids = [ical.events(p.get_payload(decode=True))[0]["uid"] for p in calendar_parts(message)]
    expected = [before, since] if has_password else [since]
    assert uids == [f"{meeting.uid}@allies" for meeting in expected]
    assert Meeting.objects.get(pk=before.pk).sequence == (1 if has_password else 0)
