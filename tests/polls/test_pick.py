"""Picking a date (/polls/<id>/pick/): GET asks for confirmation (or, without a date, lists
those that can be picked); POST creates the meeting and invites the members once, each with
the calendar file."""

import datetime
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from meetings.models import Meeting
from meetings.views import respond
from polls import services
from polls.models import Poll
from tests.conftest import make_person
from tests.htmlforms import forms_on
from tests.polls.conftest import CARRY_OVER, answer, local, make_poll

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
    # The page says which date is picked; the message above it, who heard of it.
    html = response.content.decode()
    assert "The date is picked: Thursday 25 March 2027, 19:00." in html
    assert "The 4 members of the circle are invited by email." in html
    assert "Scheduled for" not in html
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


def test_the_dutch_page_says_the_date_once_and_who_was_invited(
    client, poll, cast, django_capture_on_commit_callbacks
):
    coordinator = cast["coordinator"]
    coordinator.preferred_language = "nl"
    coordinator.save()
    client.force_login(coordinator)
    option = poll.options.order_by("starts_at")[2]
    html = pick(client, poll, option, django_capture_on_commit_callbacks).content.decode()
    assert "De datum is gekozen: donderdag 25 maart 2027, 19:00." in html
    assert html.count("25 maart 2027") == 1
    assert "De 4 leden van de kring krijgen een uitnodiging per e-mail." in html


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


def confirm_url(poll, option) -> str:
    return f"{URL.format(poll.pk)}?option={option.pk}"


def pick_forms(poll, html: str):
    return [form for form in forms_on(html) if form.action == URL.format(poll.pk)]


def test_get_asks_for_confirmation_with_the_counts(client, poll, cast):
    answer(poll, cast["officer"], "yes", "yes", "no")
    answer(poll, cast["clerk"], "no", "if_need_be", "yes")
    option = poll.options.order_by("starts_at")[2]
    client.force_login(cast["coordinator"])
    response = client.get(confirm_url(poll, option))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pick this date?" in html
    assert (
        "This schedules the meeting on Thursday 25 March 2027, 19:00 and emails an invitation"
        " with a calendar file to the 4 members of the circle." in html
    )
    assert "2 of the 4 members have not answered yet:\n  Citizen, Coordinator</p>" in html
    assert "For this date: 1 yes, 0 if need be, 1 no." in html
    [form] = pick_forms(poll, html)
    assert form.action == URL.format(poll.pk)
    assert form.values()["option"] == str(option.pk)
    assert not Meeting.objects.exists()
    assert Poll.objects.get(pk=poll.pk).is_open
    assert mail.outbox == []


def test_the_confirmation_says_that_the_answers_carry_over(client, poll, coordinator):
    client.force_login(coordinator)
    html = client.get(confirm_url(poll, poll.options.first())).content.decode()
    assert CARRY_OVER in html


def test_when_everyone_answered_the_confirmation_says_so(client, poll, cast):
    for person in ("coordinator", "officer", "clerk", "citizen"):
        answer(poll, cast[person], "yes", "no", "no")
    client.force_login(cast["coordinator"])
    html = client.get(confirm_url(poll, poll.options.first())).content.decode()
    assert "Every member has answered." in html
    assert "not answered" not in html


def test_confirming_on_the_page_schedules_the_meeting(
    client, poll, coordinator, django_capture_on_commit_callbacks
):
    option = poll.options.order_by("starts_at")[1]
    client.force_login(coordinator)
    html = client.get(confirm_url(poll, option)).content.decode()
    [form] = pick_forms(poll, html)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form.action, form.values(), follow=True)
    assert "The 4 members of the circle are invited by email." in response.content.decode()
    assert Meeting.objects.get().starts_at == local(2027, 3, 18, 18, 30)
    assert Poll.objects.get(pk=poll.pk).chosen == option
    assert len(mail.outbox) == 4


def test_without_a_date_to_confirm_it_lists_those_that_can_be_picked(
    client, poll, circle, coordinator, clock
):
    clock.move_to(local(2027, 3, 12), tick=False)
    first, second, third = poll.options.order_by("starts_at")
    client.force_login(coordinator)
    for query in ("", f"?option={first.pk}", f"?option={make_poll(circle).options.first().pk}"):
        response = client.get(URL.format(poll.pk) + query)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Pick a date" in html and "Pick this date?" not in html
        links = [confirm_url(poll, option) for option in (first, second, third)]
        assert [f'href="{link}"' in html for link in links] == [False, True, True]
        assert ("Pick one of the poll&#x27;s dates that has not passed." in html) == bool(query)
        assert not pick_forms(poll, html)
    assert not Meeting.objects.exists()


def test_a_closed_poll_asks_for_no_confirmation(
    client, poll, coordinator, django_capture_on_commit_callbacks
):
    first, second, _third = poll.options.order_by("starts_at")
    client.force_login(coordinator)
    pick(client, poll, first, django_capture_on_commit_callbacks)
    response = client.get(confirm_url(poll, second), follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(f"/polls/{poll.pk}/", 302)]
    assert "This poll is already closed." in html
    assert "Pick this date?" not in html


@pytest.mark.parametrize(
    ("person", "status"),
    [("citizen", 403), ("outsider", 404)],
    ids=["a member who does not coordinate gets 403", "outsider gets 404"],
)
def test_only_a_coordinator_of_the_circle_may_pick(client, poll, cast, person, status):
    option = poll.options.first()
    client.force_login(cast[person])
    assert client.get(confirm_url(poll, option)).status_code == status
    assert client.post(URL.format(poll.pk), {"option": option.pk}).status_code == status
    assert not Meeting.objects.exists()


def test_anonymous_signs_in_and_comes_back_to_the_confirmation(client, poll, coordinator):
    option = poll.options.first()
    response = client.get(confirm_url(poll, option))
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={quote(confirm_url(poll, option), safe='/')}"
    assert client.post(URL.format(poll.pk)).status_code == 302
    assert not Meeting.objects.exists()
    client.force_login(coordinator)
    assert "Pick this date?" in client.get(confirm_url(poll, option)).content.decode()


# Carried-over answers: each member's answer for the picked date is their answer to the meeting.


def carried(meeting) -> dict[str, str]:
    return {r.person.username: r.answer for r in meeting.responses.select_related("person")}


def by_address(outbox) -> dict:
    return {message.to[0].split("@")[0]: message for message in outbox}


def coordinator_picks(client, poll, cast, capture, index=0) -> Meeting:
    """The coordinator picks the poll's date at `index` (in date order); the new meeting."""
    client.force_login(cast["coordinator"])
    pick(client, poll, poll.options.order_by("starts_at")[index], capture)
    return Meeting.objects.get()


def test_the_answers_for_the_picked_date_become_the_members_answers(
    client, poll, cast, django_capture_on_commit_callbacks
):
    # The answers for the other dates are not the ones that count.
    answer(poll, cast["officer"], "no", "no", "yes")
    answer(poll, cast["clerk"], "yes", "yes", "if_need_be")
    answer(poll, cast["citizen"], "yes", "yes", "no")
    meeting = coordinator_picks(client, poll, cast, django_capture_on_commit_callbacks, index=2)
    # The coordinator did not answer the poll: they answer the meeting themselves.
    assert carried(meeting) == {
        "officer": "attending",
        "clerk": "maybe",
        "citizen": "not_attending",
    }


def test_a_carried_answer_has_the_profiles_dietary_needs_as_the_answer_form_would(
    client, poll, cast, django_capture_on_commit_callbacks
):
    answer(poll, cast["citizen"], "yes", "no", "no")  # the citizen's profile says halal
    answer(poll, cast["officer"], "yes", "no", "no")  # the officer's says nothing
    meeting = coordinator_picks(client, poll, cast, django_capture_on_commit_callbacks)
    needs = dict(meeting.responses.values_list("person__username", "dietary_needs"))
    assert needs == {"citizen": "halal", "officer": ""}


def test_a_carried_no_keeps_no_dietary_needs(
    client, poll, cast, django_capture_on_commit_callbacks
):
    answer(poll, cast["citizen"], "no", "yes", "yes")  # the citizen's profile says halal
    answer(poll, cast["clerk"], "if_need_be", "no", "no")
    cast["clerk"].dietary_needs = "vegetarian"
    cast["clerk"].save()
    meeting = coordinator_picks(client, poll, cast, django_capture_on_commit_callbacks)
    needs = dict(meeting.responses.values_list("person__username", "dietary_needs"))
    assert needs == {"citizen": "", "clerk": "vegetarian"}


def test_a_member_who_left_before_the_pick_gets_no_answer(
    client, poll, cast, django_capture_on_commit_callbacks
):
    answer(poll, cast["clerk"], "yes", "yes", "yes")
    answer(poll, cast["officer"], "yes", "yes", "yes")
    cast["clerk"].memberships.get().end()
    meeting = coordinator_picks(client, poll, cast, django_capture_on_commit_callbacks)
    assert carried(meeting) == {"officer": "attending"}


def test_when_nobody_answered_the_pick_works_and_everyone_is_asked_to_answer(
    client, poll, cast, django_capture_on_commit_callbacks
):
    meeting = coordinator_picks(client, poll, cast, django_capture_on_commit_callbacks)
    assert Poll.objects.get(pk=poll.pk).meeting == meeting
    assert not meeting.responses.exists()
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        assert "Let us know whether you will come" in message.body
        assert "in the poll" not in message.body
        assert "/respond/" not in message.body
        assert "PARTSTAT=NEEDS-ACTION" in message.attachments[0].as_string()


CARRIED_TEXT = {
    "yes": "You said yes to this date in the poll, so you are down as coming.",
    "if_need_be": "You said “if need be” to this date in the poll, so you are down as maybe.",
    "no": "You said no to this date in the poll, so you are down as not coming.",
}
PARTSTAT = {"yes": "ACCEPTED", "if_need_be": "TENTATIVE", "no": "DECLINED"}


@pytest.mark.parametrize("given", ["yes", "if_need_be", "no"])
def test_the_invitation_tells_the_carried_answer_and_how_to_change_it(
    client, poll, cast, given, django_capture_on_commit_callbacks
):
    answer(poll, cast["officer"], given, "no", "no")
    meeting = coordinator_picks(client, poll, cast, django_capture_on_commit_callbacks)
    link = f"{settings.SITE_URL}/meetings/{meeting.pk}/respond/"
    sent = by_address(mail.outbox)
    message = sent["officer"]
    assert f"{CARRIED_TEXT[given]}\nChange your answer:\n{link}\n" in message.body
    assert "Let us know whether you will come" not in message.body
    [(html, _mimetype)] = message.alternatives
    assert f'{CARRIED_TEXT[given]} <a href="{link}">Change your answer</a>' in html
    assert f"PARTSTAT={PARTSTAT[given]}" in message.attachments[0].as_string()
    assert resolve(urlsplit(link).path).func is respond
    # Who did not answer the poll is asked to answer, as before.
    assert "in the poll" not in sent["clerk"].body
    assert f"/meetings/{meeting.pk}/\n" in sent["clerk"].body


def test_a_dutch_member_reads_the_carried_answer_in_dutch(
    client, poll, cast, django_capture_on_commit_callbacks
):
    clerk = cast["clerk"]
    clerk.preferred_language = "nl"
    clerk.save()
    answer(poll, clerk, "if_need_be", "no", "no")
    meeting = coordinator_picks(client, poll, cast, django_capture_on_commit_callbacks)
    link = f"{settings.SITE_URL}/meetings/{meeting.pk}/respond/"
    message = by_address(mail.outbox)["clerk"]
    sentence = (
        "Je zei “als het moet” tegen deze datum in de datumprikker, dus je staat genoteerd als "
        "“misschien”."
    )
    assert f"{sentence}\nWijzig je antwoord:\n{link}\n" in message.body
    [(html, _mimetype)] = message.alternatives
    assert f'{sentence} <a href="{link}">Wijzig je antwoord</a>' in html


def test_the_history_names_the_member_whose_answer_it_was(
    client, poll, cast, django_capture_on_commit_callbacks
):
    officer = cast["officer"]
    answer(poll, officer, "yes", "no", "no")
    meeting = coordinator_picks(client, poll, cast, django_capture_on_commit_callbacks)
    [row] = meeting.responses.get(person=officer).history.all()
    assert (row.history_type, row.answer, row.history_user) == ("+", "attending", officer)
    assert row.history_change_reason == "Carried over from the date poll"


def test_the_meeting_page_and_the_dashboard_show_the_carried_answer(
    client, poll, cast, django_capture_on_commit_callbacks
):
    citizen = cast["citizen"]
    answer(poll, citizen, "if_need_be", "no", "no")
    meeting = coordinator_picks(client, poll, cast, django_capture_on_commit_callbacks)
    client.force_login(citizen)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "<strong>Maybe</strong>" in page
    assert "Dietary needs: halal" in page
    dashboard = client.get("/").content.decode()
    assert "My answer:\n          maybe" in dashboard


def test_the_queries_do_not_grow_with_the_members_who_answered(clock, circle, coordinator):
    def pick_queries(members: int) -> int:
        poll = make_poll(circle)
        option = poll.options.first()
        for n in range(members):
            person = make_person(f"member{members}-{n}")
            circle.memberships.create(person=person, sector="community")
            answer(poll, person, "yes", "no")
        with CaptureQueriesContext(connection) as queries:
            meeting = services.poll_pick(poll=poll, option=option)
        assert meeting.responses.count() == members
        return len(queries)

    assert pick_queries(2) == pick_queries(20)
