"""manage.py send_reminders: each reminder once, on its day, to whom it concerns."""

import datetime
import io
import zoneinfo

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from actions.models import Action
from allies.models import User
from bench.plans import full_scans
from circles.models import Circle, Membership, Sector
from meetings import reminders
from meetings.models import Meeting, Response, SentReminder
from meetings.reminders import send_reminders
from tests.conftest import make_person

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=AMSTERDAM)


@pytest.fixture
def clock(time_machine, db):
    """Time stands still at 1 February 2027 until a test moves it."""
    time_machine.move_to(local(2027, 2, 1, 9), tick=False)
    return time_machine


@pytest.fixture
def dinner(clock, circle, cast):
    """Thursday 4 March 2027, 18:30, planned a month before; the circle reminds 2 days ahead."""
    starts = local(2027, 3, 4, 18, 30)
    return Meeting.objects.create(
        circle=circle,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        venue_name="Politiebureau Overvecht",
    )


def run(clock, *when) -> list[tuple[str, str]]:
    """Run the command at that local time; (recipient, subject) of what it sent."""
    clock.move_to(local(*when), tick=False)
    before = len(mail.outbox)
    call_command("send_reminders", stdout=io.StringIO())
    return sorted((m.to[0].split("@")[0], m.subject) for m in mail.outbox[before:])


def recipients(sent) -> list[str]:
    return [to for to, _ in sent]


# Dinner reminders


def test_the_dinner_reminder_goes_out_on_its_day_and_not_before(clock, dinner):
    assert run(clock, 2027, 3, 1, 23, 55) == []
    sent = run(clock, 2027, 3, 2, 0, 5)
    assert recipients(sent) == ["citizen", "clerk", "coordinator", "officer"]
    assert sent[0][1] == "Will you come? Dinner — Overvecht Allies, 4 March 2027"


def test_run_twice_each_reminder_goes_once(clock, dinner):
    assert len(run(clock, 2027, 3, 2, 8)) == 4
    assert run(clock, 2027, 3, 2, 8, 5) == []
    assert run(clock, 2027, 3, 3, 8) == []
    assert SentReminder.objects.filter(kind="dinner").count() == 4


def test_a_missed_reminder_day_is_caught_up_until_the_dinner(clock, dinner):
    assert len(run(clock, 2027, 3, 4, 12)) == 4


def test_no_dinner_reminder_once_it_has_started(clock, dinner):
    assert run(clock, 2027, 3, 4, 18, 45) == []


def test_the_reminder_days_are_set_per_circle(clock, dinner, circle):
    circle.reminder_days = 5
    circle.save()
    assert run(clock, 2027, 2, 26, 23) == []
    assert len(run(clock, 2027, 2, 27, 7)) == 4


def test_who_declined_or_turned_reminders_off_or_left_gets_none(
    clock, dinner, citizen, officer, clerk, circle
):
    Response.objects.create(meeting=dinner, person=citizen, answer="not_attending")
    Response.objects.create(meeting=dinner, person=clerk, answer="maybe")
    officer.reminders_enabled = False
    officer.save()
    gone = make_person("gone")
    Membership.objects.create(person=gone, circle=circle, sector=Sector.COMMUNITY).end(
        datetime.date(2027, 2, 1)
    )
    assert recipients(run(clock, 2027, 3, 2, 8)) == ["clerk", "coordinator"]


def test_a_cancelled_dinner_is_not_reminded(clock, dinner):
    dinner.cancel()
    assert run(clock, 2027, 3, 2, 8) == []


def test_a_dinner_planned_inside_its_reminder_window_is_not_reminded(clock, circle, cast):
    clock.move_to(local(2027, 3, 3, 10), tick=False)
    starts = local(2027, 3, 4, 18, 30)
    Meeting.objects.create(
        circle=circle, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )
    assert run(clock, 2027, 3, 3, 10, 5) == []  # the invitation has only just gone out


def test_a_dinner_moved_to_another_day_is_reminded_again(clock, dinner):
    assert len(run(clock, 2027, 3, 2, 8)) == 4
    dinner.starts_at += datetime.timedelta(days=7)
    dinner.ends_at += datetime.timedelta(days=7)
    dinner.save()
    assert run(clock, 2027, 3, 8, 23) == []
    assert len(run(clock, 2027, 3, 9, 8)) == 4


def test_each_reads_the_reminder_in_their_own_language(clock, dinner, citizen):
    citizen.preferred_language = "nl"
    citizen.save()
    run(clock, 2027, 3, 2, 8)
    by_person = {m.to[0]: m for m in mail.outbox}
    dutch = by_person["citizen@example.org"]
    assert dutch.extra_headers["Content-Language"] == "nl"
    assert "donderdag 4 maart 2027, 18:30" in dutch.body
    assert "Thursday 4 March 2027, 18:30" in by_person["clerk@example.org"].body


def test_the_dinner_reminder_lists_the_open_actions_of_its_own_circle(
    clock, dinner, circle, citizen, officer, other_circle, outsider
):
    lights = Action.objects.create(
        circle=circle, title="Ask for street lights", due_date=datetime.date(2027, 2, 20)
    )
    lights.owners.set([citizen, officer])
    Action.objects.create(circle=circle, title="Walk with youth workers", status="done")
    theirs = Meeting.objects.create(
        circle=other_circle, starts_at=dinner.starts_at, ends_at=dinner.ends_at
    )
    Action.objects.create(circle=other_circle, title="Talk to the housing association")
    run(clock, 2027, 3, 2, 8)
    by_person = {m.to[0]: m for m in mail.outbox}
    body = by_person["citizen@example.org"].body
    assert "Open actions:\n- Ask for street lights · Citizen (that is you), Officer · " in body
    assert "overdue since 20 February 2027\n" in body
    assert f"/actions/{lights.pk}/" in body
    assert "Walk with youth workers" not in body and "housing association" not in body
    assert "Talk to the housing association" in by_person["outsider@example.org"].body
    assert theirs.pk  # reminded in the same run


# What the dinner reminder says, by the member's answer


def sent_to(username: str):
    return next(m for m in mail.outbox if m.to == [f"{username}@example.org"])


def reminder_of(clock, username: str):
    """Run the command on the dinner's reminder day; the reminder the person got."""
    run(clock, 2027, 3, 2, 8)
    return sent_to(username)


def html_of(message) -> str:
    return message.alternatives[0][0]


def test_who_has_not_answered_is_asked_to_with_the_link(clock, dinner, settings):
    settings.SITE_URL = "https://allies.example.nl"
    message = reminder_of(clock, "citizen")
    assert message.subject == "Will you come? Dinner — Overvecht Allies, 4 March 2027"
    respond_url = f"https://allies.example.nl/meetings/{dinner.pk}/respond/"
    assert (
        "You have not said yet whether you will come to the dinner of 4 March 2027 (Overvecht "
        "Allies). The coordinator orders the food for those who said yes.\n\n"
        f"Say whether you will come:\n{respond_url}\n"
    ) in message.body
    assert f'<a href="{respond_url}">Say whether you will come</a>' in html_of(message)
    assert "Dietary needs" not in message.body  # the profile's (halal) are not an answer


def test_who_is_coming_reads_it_with_their_dietary_needs_and_the_link_to_change(
    clock, dinner, citizen, settings
):
    Response.objects.create(
        meeting=dinner, person=citizen, answer="attending", dietary_needs="halal, no nuts"
    )
    message = reminder_of(clock, "citizen")
    assert message.subject == "Reminder: Dinner — Overvecht Allies, 4 March 2027"
    assert (
        "You said you are coming to the dinner of 4 March 2027 (Overvecht Allies).\n"
        "Dietary needs: halal, no nuts\n\n"
        f"Change your answer:\n{settings.SITE_URL}/meetings/{dinner.pk}/respond/\n"
    ) in message.body
    assert "<p>Dietary needs: halal, no nuts</p>" in html_of(message)
    assert "orders the food" not in message.body


def test_dietary_needs_are_only_in_the_members_own_reminder(clock, dinner, citizen, clerk):
    Response.objects.create(
        meeting=dinner, person=citizen, answer="attending", dietary_needs="halal, no nuts"
    )
    Response.objects.create(meeting=dinner, person=clerk, answer="maybe", dietary_needs="vegan")
    run(clock, 2027, 3, 2, 8)
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        mine = {"citizen": "halal, no nuts", "clerk": "vegan"}.get(message.to[0].split("@")[0])
        for needs in ("halal, no nuts", "vegan"):
            assert (needs in message.body) == (needs == mine)
            assert (needs in html_of(message)) == (needs == mine)


def test_who_said_maybe_is_asked_to_decide(clock, dinner, clerk, settings):
    Response.objects.create(meeting=dinner, person=clerk, answer="maybe")
    message = reminder_of(clock, "clerk")
    assert message.subject == "Yes or no? Dinner — Overvecht Allies, 4 March 2027"
    assert (
        "You said “maybe” to the dinner of 4 March 2027 (Overvecht Allies). Please decide whether "
        "you will come. The coordinator orders the food for those who said yes.\n\n"
        f"Say yes or no:\n{settings.SITE_URL}/meetings/{dinner.pk}/respond/\n"
    ) in message.body


def test_who_answers_between_two_runs_is_not_reminded_again(clock, dinner, citizen):
    assert ("citizen", "Will you come? Dinner — Overvecht Allies, 4 March 2027") in run(
        clock, 2027, 3, 2, 8
    )
    Response.objects.create(meeting=dinner, person=citizen, answer="attending")
    assert run(clock, 2027, 3, 2, 8, 5) == []


def test_an_extra_meeting_does_not_speak_of_food(clock, dinner):
    dinner.kind = Meeting.Kind.EXTRA
    dinner.save()
    message = reminder_of(clock, "citizen")
    assert message.subject == "Will you come? Extra meeting — Overvecht Allies, 4 March 2027"
    assert "will come to the extra meeting of 4 March 2027 (Overvecht Allies).\n" in message.body
    assert "food" not in message.body


def test_the_coordinators_reminder_counts_the_answers_so_far(
    clock, dinner, circle, citizen, clerk, officer
):
    Response.objects.create(meeting=dinner, person=citizen, answer="attending", dietary_needs="x")
    Response.objects.create(meeting=dinner, person=clerk, answer="maybe", dietary_needs="y")
    Response.objects.create(meeting=dinner, person=officer, answer="not_attending")
    quiet = make_person("quiet", reminders_enabled=False)  # gets no reminder, still awaited
    Membership.objects.create(person=quiet, circle=circle, sector=Sector.COMMUNITY)
    run(clock, 2027, 3, 2, 8)
    line = "Answers so far: 1 coming, 1 maybe, 2 with dietary needs, 2 have not answered yet."
    assert f"\n{line}\n" in sent_to("coordinator").body
    assert f"<p>{line}</p>" in html_of(sent_to("coordinator"))
    # Where the names and the dietary needs are: the meeting's page.
    link = f"http://127.0.0.1:8000/meetings/{dinner.pk}/"
    assert f"{line}\nWho comes, and their dietary needs: {link}\n" in sent_to("coordinator").body
    assert f'<a href="{link}">Who comes, and their dietary needs</a>' in html_of(
        sent_to("coordinator")
    )
    assert "orders the food" not in sent_to("coordinator").body  # they do
    assert "Catering" not in sent_to("citizen").body + sent_to("clerk").body


def test_a_coordinator_who_is_not_coming_gets_the_answers_so_far(
    clock, dinner, coordinator, citizen, clerk, officer
):
    Response.objects.create(
        meeting=dinner, person=coordinator, answer="not_attending", dietary_needs="vegan"
    )
    Response.objects.create(meeting=dinner, person=citizen, answer="attending")
    Response.objects.create(meeting=dinner, person=clerk, answer="maybe")
    Response.objects.create(meeting=dinner, person=officer, answer="not_attending")
    sent = run(clock, 2027, 3, 2, 8)
    # The officer, a member who is not coming, still gets nothing.
    assert recipients(sent) == ["citizen", "clerk", "coordinator"]
    message = sent_to("coordinator")
    assert message.subject == "Answers so far: Dinner — Overvecht Allies, 4 March 2027"
    link = f"http://127.0.0.1:8000/meetings/{dinner.pk}/"
    assert message.body.startswith(
        "Hello Coordinator,\n\n"
        "You are not coming yourself to the dinner of 4 March 2027 (Overvecht Allies). As its "
        "coordinator, you still get the answers so far.\n\nDinner — Overvecht Allies\n"
    )
    assert (
        f"\nAnswers so far: 1 coming, 1 maybe.\nWho comes, and their dietary needs: {link}\n"
    ) in message.body
    assert "<p>Answers so far: 1 coming, 1 maybe.</p>" in html_of(message)
    # No "will you come": no link to answer, nor their own dietary needs, nor who orders food.
    for text in (message.body, html_of(message)):
        assert "/respond/" not in text
        assert 'href=""' not in text
        assert "vegan" not in text
        assert "orders the food" not in text


def test_a_dutch_coordinator_who_is_not_coming_reads_the_note_in_dutch(
    clock, dinner, coordinator, citizen
):
    coordinator.preferred_language = "nl"
    coordinator.save()
    Response.objects.create(meeting=dinner, person=coordinator, answer="not_attending")
    Response.objects.create(meeting=dinner, person=citizen, answer="attending")
    message = reminder_of(clock, "coordinator")
    assert message.subject == "Antwoorden tot nu toe: Diner — Overvecht Allies, 4 maart 2027"
    assert (
        "Je komt zelf niet naar het diner van 4 maart 2027 (Overvecht Allies). Als coördinator "
        "krijg je toch de antwoorden tot nu toe.\n"
    ) in message.body
    assert "Antwoorden tot nu toe: 1 komt, 2 hebben nog niet geantwoord." in message.body


def test_a_coordinator_who_is_not_coming_and_turned_reminders_off_gets_nothing(
    clock, dinner, circle, coordinator
):
    other = make_person("other")
    Membership.objects.create(
        person=other, circle=circle, sector=Sector.MUNICIPALITY, is_coordinator=True
    )
    for person in (coordinator, other):
        Response.objects.create(meeting=dinner, person=person, answer="not_attending")
    coordinator.reminders_enabled = False
    coordinator.save()
    assert recipients(run(clock, 2027, 3, 2, 8)) == ["citizen", "clerk", "officer", "other"]


def test_the_note_to_a_coordinator_who_is_not_coming_goes_once(clock, dinner, coordinator):
    Response.objects.create(meeting=dinner, person=coordinator, answer="not_attending")
    note = ("coordinator", "Answers so far: Dinner — Overvecht Allies, 4 March 2027")
    assert note in run(clock, 2027, 3, 2, 8)
    assert run(clock, 2027, 3, 2, 8, 5) == []
    assert run(clock, 2027, 3, 3, 8) == []
    assert SentReminder.objects.filter(kind="dinner", person=coordinator).count() == 1


@pytest.mark.parametrize(
    ("answer", "subject", "text"),
    [
        (
            None,
            "Kom je? Diner — Overvecht Allies, 4 maart 2027",
            "Je hebt nog niet laten weten of je naar het diner van 4 maart 2027 (Overvecht "
            "Allies) komt. De coördinator bestelt het eten voor wie ja heeft gezegd.\n\n"
            "Laat weten of je komt:\n",
        ),
        (
            "maybe",
            "Ja of nee? Diner — Overvecht Allies, 4 maart 2027",
            "Je hebt “misschien” geantwoord op de uitnodiging voor het diner van 4 maart 2027 "
            "(Overvecht Allies). Wil je nu kiezen of je komt? De coördinator bestelt het eten "
            "voor wie ja heeft gezegd.\n"
            "Dieetwensen: halal\n\nZeg ja of nee:\n",
        ),
        (
            "attending",
            "Herinnering: Diner — Overvecht Allies, 4 maart 2027",
            "Je hebt laten weten dat je naar het diner van 4 maart 2027 (Overvecht Allies) "
            "komt.\nDieetwensen: halal\n\nWijzig je antwoord:\n",
        ),
    ],
)
def test_a_dutch_member_reads_their_reminder_in_dutch(
    clock, dinner, citizen, answer, subject, text
):
    citizen.preferred_language = "nl"
    citizen.save()
    if answer:
        Response.objects.create(
            meeting=dinner, person=citizen, answer=answer, dietary_needs="halal"
        )
    message = reminder_of(clock, "citizen")
    assert message.subject == subject
    assert text in message.body
    assert html_of(message).count("/respond/") == 1  # the one link


def test_a_dutch_coordinator_reads_the_counts_in_dutch(clock, dinner, coordinator, citizen):
    coordinator.preferred_language = "nl"
    coordinator.save()
    Response.objects.create(meeting=dinner, person=citizen, answer="attending")
    run(clock, 2027, 3, 2, 8)
    # No "0 maybe": only the counts there are.
    assert (
        "Antwoorden tot nu toe: 1 komt, 3 hebben nog niet geantwoord."
        in sent_to("coordinator").body
    )


# Action reminders


@pytest.fixture
def action(clock, circle, citizen, officer):
    action = Action.objects.create(
        circle=circle, title="Fix the lighting", due_date=datetime.date(2027, 3, 10)
    )
    action.owners.add(citizen, officer)
    return action


def test_owners_are_reminded_days_before_the_due_date(clock, action, settings):
    settings.ACTION_REMINDER_DAYS = 3
    assert run(clock, 2027, 3, 6, 23) == []
    sent = run(clock, 2027, 3, 7, 8)
    assert sent == [
        ("citizen", "Action due on 10 March 2027: Fix the lighting"),
        ("officer", "Action due on 10 March 2027: Fix the lighting"),
    ]
    assert f"/actions/{action.pk}/" in mail.outbox[-1].body
    assert run(clock, 2027, 3, 10, 8) == []


def test_owners_hear_once_when_it_becomes_overdue(clock, action):
    run(clock, 2027, 3, 7, 8)
    assert run(clock, 2027, 3, 10, 23) == []
    sent = run(clock, 2027, 3, 11, 0, 5)
    assert sent == [
        ("citizen", "Action overdue: Fix the lighting"),
        ("officer", "Action overdue: Fix the lighting"),
    ]
    assert run(clock, 2027, 3, 12, 8) == []


def test_finished_actions_and_owners_who_left_get_none(clock, action, circle, officer):
    officer.memberships.get(circle=circle).end(datetime.date(2027, 2, 1))
    assert recipients(run(clock, 2027, 3, 7, 8)) == ["citizen"]
    action.status = Action.Status.DONE
    action.save()
    assert run(clock, 2027, 3, 11, 8) == []


def test_long_overdue_actions_are_not_dug_up(clock, circle, citizen):
    old = Action.objects.create(circle=circle, title="Old", due_date=datetime.date(2026, 1, 5))
    old.owners.add(citizen)
    assert run(clock, 2027, 3, 7, 8) == []


# Record the dinner


def test_coordinators_are_asked_to_record_the_day_after(clock, dinner):
    assert recipients(run(clock, 2027, 3, 4, 23, 55)) == []
    sent = run(clock, 2027, 3, 5, 0, 5)
    assert sent == [
        ("coordinator", "Please record the meeting: Dinner — Overvecht Allies, 4 March 2027")
    ]
    body = mail.outbox[-1].body
    assert f"/meetings/{dinner.pk}/record/" in body
    assert "Open actions" not in body and "what became of" not in body  # none were carried
    assert run(clock, 2027, 3, 6, 8) == []


# What the record prompt says of the actions carried to the dinner
REVIEW_LINE = (
    "On the record page you can note what became of each open action: a new status, a few "
    "words, or both."
)


def test_the_record_prompt_lists_the_open_actions_carried_to_the_dinner(
    clock, dinner, circle, citizen, officer, other_circle, settings
):
    settings.SITE_URL = "https://allies.example.nl"
    lights = Action.objects.create(
        circle=circle, title="Ask for street lights", due_date=datetime.date(2027, 2, 20)
    )
    lights.owners.set([citizen, officer])
    Action.objects.create(circle=circle, title="Walk with youth workers", status="done")
    Action.objects.create(circle=other_circle, title="Talk to the housing association")
    clock.move_to(local(2027, 3, 4, 21), tick=False)
    Action.objects.create(circle=circle, meeting=dinner, title="Agreed that evening")
    run(clock, 2027, 3, 5, 8)
    message = sent_to("coordinator")
    assert (
        "Open actions:\n"
        "- Ask for street lights · Citizen, Officer · overdue since 20 February 2027\n"
        f"  https://allies.example.nl/actions/{lights.pk}/\n"
        f"\n{REVIEW_LINE}\n\n"
        f"https://allies.example.nl/meetings/{dinner.pk}/record/\n"
    ) in message.body
    for other in ("Walk with youth workers", "housing association", "Agreed that evening"):
        assert other not in message.body
    html = html_of(message)
    assert (
        f'<a href="https://allies.example.nl/actions/{lights.pk}/">Ask for street lights</a>'
        in (html)
    )
    assert f"<p>{REVIEW_LINE}</p>" in html


def test_a_dutch_coordinator_reads_the_open_actions_of_the_record_prompt_in_dutch(
    clock, dinner, circle, coordinator, citizen
):
    coordinator.preferred_language = "nl"
    coordinator.save()
    lights = Action.objects.create(
        circle=circle, title="Ask for street lights", due_date=datetime.date(2027, 3, 20)
    )
    lights.owners.set([coordinator, citizen])
    run(clock, 2027, 3, 5, 8)
    body = sent_to("coordinator").body
    assert (
        "Open actiepunten:\n- Ask for street lights · Citizen, Coordinator (dat ben jij) · "
        "streefdatum 20 maart 2027\n"
    ) in body
    assert (
        "Op de pagina om de bijeenkomst vast te leggen kun je bij elk open actiepunt opschrijven "
        "hoe het ermee staat: een nieuwe status, een paar woorden, of allebei."
    ) in body


def test_a_recorded_dinner_needs_no_prompt(clock, dinner):
    clock.move_to(local(2027, 3, 4, 22), tick=False)
    dinner.status = Meeting.Status.HELD
    dinner.recorded_at = local(2027, 3, 4, 22)
    dinner.save()
    assert run(clock, 2027, 3, 5, 8) == []


# Commitments that run out


@pytest.fixture
def committed(clock, circle, citizen):
    """The citizen's commitment, agreed on 15 March 2026, runs until 15 March 2027."""
    membership = citizen.memberships.get(circle=circle)
    membership.commit(today=datetime.date(2026, 3, 15))
    return membership


COMMITMENT_SUBJECT = "Your commitment to Overvecht Allies runs until 15 March 2027"


def test_a_member_hears_30_days_before_their_commitment_runs_out_and_once(clock, committed):
    assert run(clock, 2027, 2, 12, 23, 55) == []
    assert run(clock, 2027, 2, 13, 0, 5) == [("citizen", COMMITMENT_SUBJECT)]
    assert run(clock, 2027, 2, 13, 0, 10) == []
    assert run(clock, 2027, 3, 1, 8) == []
    assert SentReminder.objects.get().membership == committed


def test_the_commitment_reminder_says_until_when_with_the_link_to_renew(
    clock, committed, circle, settings
):
    settings.SITE_URL = "https://allies.example.nl"
    run(clock, 2027, 2, 13, 8)
    message = sent_to("citizen")
    link = f"https://allies.example.nl/circles/{circle.pk}/#commitment"
    assert (
        "Your commitment to Overvecht Allies runs until 15 March 2027. If you want to stay an "
        "ally, renew it for another year. It reads:\n\n" + circle.commitment
    ) in message.body
    assert f"Renew your commitment:\n{link}\n" in message.body
    assert f'<a href="{link}">Renew your commitment</a>' in html_of(message)
    assert "turn reminders off" in message.body


def test_a_missed_commitment_reminder_is_caught_up_until_the_last_day(
    clock, committed, circle, clerk
):
    clerk.memberships.get(circle=circle).commit(today=datetime.date(2026, 3, 14))  # ran out
    assert run(clock, 2027, 3, 15, 23) == [("citizen", COMMITMENT_SUBJECT)]


def test_a_dutch_member_reads_the_commitment_reminder_in_dutch(clock, committed, citizen):
    citizen.preferred_language = "nl"
    citizen.save()
    run(clock, 2027, 2, 13, 8)
    message = sent_to("citizen")
    assert message.subject == "Je toezegging aan Overvecht Allies loopt tot 15 maart 2027"
    assert (
        "Je toezegging aan Overvecht Allies loopt tot 15 maart 2027. Wil je bondgenoot blijven? "
        "Verleng je toezegging dan met een jaar. Die luidt:\n\nAls bondgenoot doe ik mee"
    ) in message.body  # the standard text, in Dutch
    assert "Verleng je toezegging:\n" in message.body


def test_a_renewed_commitment_is_reminded_again_before_its_new_end(clock, committed):
    assert len(run(clock, 2027, 2, 13, 8)) == 1
    clock.move_to(local(2027, 2, 20, 12), tick=False)
    committed.commit()
    until = committed.commitment_until
    day = until - datetime.timedelta(days=30)
    eve = day - datetime.timedelta(days=1)
    assert run(clock, eve.year, eve.month, eve.day, 23) == []
    subject = f"Your commitment to Overvecht Allies runs until {until:%-d %B %Y}"
    assert run(clock, day.year, day.month, day.day, 8) == [("citizen", subject)]


def test_a_term_carried_into_a_new_membership_is_not_reminded_again(
    clock, committed, circle, citizen
):
    assert len(run(clock, 2027, 2, 13, 8)) == 1
    committed.end(datetime.date(2027, 2, 13))  # removed by mistake, and back the next day
    clock.move_to(local(2027, 2, 14, 9), tick=False)
    back = Membership.objects.create(person=citizen, circle=circle, sector=Sector.COMMUNITY)
    assert back.commitment_until == datetime.date(2027, 3, 15)
    assert run(clock, 2027, 2, 14, 10) == []


def test_no_commitment_reminder_to_who_turned_reminders_off_left_or_was_deactivated(
    clock, circle, citizen, officer, clerk, coordinator
):
    for person in (citizen, officer, clerk, coordinator):
        person.memberships.get(circle=circle).commit(today=datetime.date(2026, 3, 15))
    officer.reminders_enabled = False
    officer.save()
    clerk.memberships.get(circle=circle).end(datetime.date(2027, 2, 1))
    citizen.is_active = False
    citizen.save()
    assert recipients(run(clock, 2027, 2, 13, 8)) == ["coordinator"]


# Exactly once, even when runs overlap or mail fails


def test_a_reminder_already_sent_is_not_sent_again(clock, dinner, citizen):
    clock.move_to(local(2027, 3, 2, 8), tick=False)
    send_reminders()
    mail.outbox.clear()
    SentReminder.objects.exclude(person=citizen).delete()
    assert recipients(run(clock, 2027, 3, 2, 8, 5)) == ["clerk", "coordinator", "officer"]


def test_a_run_racing_another_sends_nothing_twice(clock, dinner, monkeypatch):
    assert len(run(clock, 2027, 3, 2, 8)) == 4
    # This run looked before the other run's rows were there: the unique key still stops it.
    monkeypatch.setattr(reminders, "already_sent", lambda keys: set())
    assert run(clock, 2027, 3, 2, 8, 1) == []
    assert SentReminder.objects.count() == 4


def test_the_database_refuses_a_second_row_for_the_same_reminder(clock, dinner, citizen):
    SentReminder.objects.create(kind="dinner", key="k", person=citizen, meeting=dinner)
    with pytest.raises(IntegrityError), transaction.atomic():
        SentReminder.objects.create(kind="dinner", key="k", person=citizen, meeting=dinner)


class RefusesTheCitizen(EmailBackend):
    def send_messages(self, messages):
        if any(m.to == ["citizen@example.org"] for m in messages):
            raise OSError("451 try again later")
        return super().send_messages(messages)


def test_a_reminder_the_mail_server_refused_is_tried_again(clock, dinner, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusesTheCitizen"
    assert "citizen" not in recipients(run(clock, 2027, 3, 2, 8))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert recipients(run(clock, 2027, 3, 2, 8, 5)) == ["citizen"]


def test_the_command_reports_what_it_sent(clock, dinner):
    clock.move_to(local(2027, 3, 2, 8), tick=False)
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "dinner: 4" in out.getvalue()


def test_the_command_works_out_the_circle_summaries_that_no_longer_hold(clock, dinner):
    """The staff overview then finds them ready, also after a dinner started or a new year."""
    circle = dinner.circle
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert f"Circle summaries worked out again: {Circle.objects.count()}." in out.getvalue()
    circle.refresh_from_db()
    assert (circle.next_dinner_at, circle.summary_valid_until) == (dinner.starts_at,) * 2

    clock.move_to(dinner.starts_at + datetime.timedelta(minutes=5), tick=False)
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "Circle summaries worked out again: 1." in out.getvalue()
    circle.refresh_from_db()
    assert circle.next_dinner_at is None
    assert circle.summary_valid_until > dinner.starts_at


# Bounded queries


def make_circles(n, start):
    for i in range(start, start + n):
        circle = Circle.objects.create(name=f"Circle {i}", municipality="Utrecht")
        starts = local(2027, 3, 4, 18, 30)
        meeting = Meeting.objects.create(
            circle=circle, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
        )
        action = Action.objects.create(
            circle=circle, title="Action", due_date=datetime.date(2027, 3, 3)
        )
        for role in ("a", "b", "c"):
            person = make_person(f"{role}{i}")
            Membership.objects.create(
                person=person, circle=circle, sector=Sector.COMMUNITY, is_coordinator=role == "a"
            )
            action.owners.add(person)
        Response.objects.create(meeting=meeting, person=person, answer="maybe")


def is_claim(sql: str) -> bool:
    """The statements of one claim: an insert of its SentReminder row, in a savepoint."""
    return "SAVEPOINT" in sql or sql.startswith('INSERT INTO "meetings_sentreminder"')


def queries_besides_claims(clock, when=(2027, 3, 2, 8)) -> int:
    clock.move_to(local(*when), tick=False)
    with CaptureQueriesContext(connection) as queries:
        send_reminders()
    return sum(1 for query in queries.captured_queries if not is_claim(query["sql"]))


def test_commitment_reminders_do_not_add_queries_per_member(clock):
    make_circles(3, 0)
    for membership in Membership.objects.all():
        membership.commit(today=datetime.date(2026, 3, 20))  # runs until 20 March 2027
    few = queries_besides_claims(clock)
    assert len(mail.outbox) == 3 * 3 * 3  # a commitment reminder each, besides the others
    clock.move_to(local(2027, 2, 1, 9), tick=False)
    make_circles(20, 3)
    for membership in Membership.objects.filter(committed_on=None):
        membership.commit(today=datetime.date(2026, 3, 20))
    assert queries_besides_claims(clock) == few
    assert len(mail.outbox) == (3 + 20) * 3 * 3


def test_queries_do_not_grow_with_circles_and_members(clock):
    make_circles(3, 0)
    few = queries_besides_claims(clock)
    assert len(mail.outbox) == 3 * 3 * 2  # a dinner reminder and an action reminder each
    clock.move_to(local(2027, 2, 1, 9), tick=False)
    make_circles(20, 3)
    assert queries_besides_claims(clock) == few
    assert len(mail.outbox) == (3 + 20) * 3 * 2


def test_record_prompts_do_not_add_queries_per_dinner_or_carried_action(clock):
    make_circles(3, 0)
    after_the_dinners = (2027, 3, 5, 8)
    few = queries_besides_claims(clock, after_the_dinners)
    assert len(mail.outbox) == 3 * (1 + 3)  # a record prompt, and an overdue notice per owner
    prompt = next(m for m in mail.outbox if m.subject.startswith("Please record"))
    assert "Open actions:\n- Action · " in prompt.body
    clock.move_to(local(2027, 2, 1, 9), tick=False)
    make_circles(20, 3)
    for circle in Circle.objects.all():
        Action.objects.create(circle=circle, title="Another action")
    assert queries_besides_claims(clock, after_the_dinners) == few
    assert len(mail.outbox) == (3 + 20) * (1 + 3)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan shows it at any size")
def test_commitment_reminders_find_their_members_through_an_index(clock, circle):
    """Across every circle, the few whose commitment runs out this month: at national size,
    reading every membership for them grows with the country, every few minutes."""
    people = User.objects.bulk_create(
        User(username=f"p{n}", name=f"P{n}", email=f"p{n}@example.org") for n in range(600)
    )
    Membership.objects.bulk_create(
        Membership(
            person=person,
            circle=circle,
            sector=Sector.COMMUNITY,
            joined_on=datetime.date(2025, 1, 1),
            # One in ten has left; one in three has not agreed; the terms run out in a year.
            left_on=datetime.date(2026, 1, 1) if n % 10 == 0 else None,
            committed_on=datetime.date(2026, 1, 1) if n % 3 else None,
            commitment_until=datetime.date(2027, 1, 1) + datetime.timedelta(days=n % 365)
            if n % 3
            else None,
        )
        for n, person in enumerate(people)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as queries:
        found = list(reminders.commitment_reminders(datetime.date(2027, 2, 1)))
    assert len(found) == 37
    large = {"circles_membership", "allies_user"}
    assert [q["sql"] for q in queries if full_scans(q["sql"], large)] == []
