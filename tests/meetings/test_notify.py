"""meetings/notify.py: invitation, update and cancellation emails, each with its .ics."""

import datetime
import logging
import smtplib
import zoneinfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from actions.models import Action
from allies.models import User
from meetings.models import AgendaItem, Meeting, Response, Topic
from meetings.notify import notify_cancelled, notify_changed, notify_joined, notify_scheduled
from tests import ical
from tests.conftest import make_meeting, make_person

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def dinner(circle, coordinator, officer, clerk, citizen, outsider):
    starts = datetime.datetime(2026, 3, 5, 18, 30, tzinfo=AMSTERDAM)
    meeting = Meeting.objects.create(
        circle=circle,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2, minutes=30),
        venue_name="Politiebureau Overvecht",
        venue_address="Zamenhofdreef 25, Utrecht",
    )
    AgendaItem.objects.create(meeting=meeting, topic=Topic.objects.get(name="Nuisance"))
    return meeting


def send(django_capture_on_commit_callbacks, notify, meeting):
    with django_capture_on_commit_callbacks(execute=True):
        notify(meeting)
    return {message.to[0]: message for message in mail.outbox}


def calendar_parts(message):
    return [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]


def calendar_part(message):
    [part] = calendar_parts(message)
    return part


def test_the_invitation_goes_to_each_active_member_on_their_own(
    django_capture_on_commit_callbacks, dinner, circle
):
    gone = make_person("gone")
    circle.memberships.create(person=gone, sector="community").end()
    no_address = make_person("no_address", email="")
    circle.memberships.create(person=no_address, sector="community")
    sent = send(django_capture_on_commit_callbacks, notify_scheduled, dinner)
    assert sorted(sent) == [
        "citizen@example.org",
        "clerk@example.org",
        "coordinator@example.org",
        "officer@example.org",
    ]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)


def test_the_invitation_says_when_where_and_what(django_capture_on_commit_callbacks, dinner):
    message = send(django_capture_on_commit_callbacks, notify_scheduled, dinner)[
        "citizen@example.org"
    ]
    assert message.subject == "Invitation: Dinner — Overvecht Allies, 5 March 2026"
    assert "Hello Citizen," in message.body
    assert "Thursday 5 March 2026, 18:30\u201321:00" in message.body  # an en dash
    assert "Politiebureau Overvecht, Zamenhofdreef 25, Utrecht" in message.body
    assert "- Nuisance" in message.body
    assert f"/meetings/{dinner.pk}/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<li>Nuisance</li>" in html
    assert message.extra_headers["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("kind", "language", "invited"),
    [
        ("dinner", "en", "You are invited to a dinner of Overvecht Allies."),
        ("extra", "en", "You are invited to an extra meeting of Overvecht Allies."),
        ("dinner", "nl", "Je bent uitgenodigd voor een diner van Overvecht Allies."),
        ("extra", "nl", "Je bent uitgenodigd voor een extra bijeenkomst van Overvecht Allies."),
    ],
)
def test_the_invitation_says_what_kind_of_meeting_it_is(
    django_capture_on_commit_callbacks, dinner, citizen, kind, language, invited
):
    """Not "the next meeting": a date picked in a poll, or a dinner planned for next year,
    is often not the next."""
    dinner.kind = kind
    dinner.save()
    citizen.preferred_language = language
    citizen.save()
    message = send(django_capture_on_commit_callbacks, notify_scheduled, dinner)[
        "citizen@example.org"
    ]
    assert invited in message.body
    [(html, _mimetype)] = message.alternatives
    assert f"<p>{invited}</p>" in html


def test_the_invitation_names_the_host_and_tells_the_host(
    django_capture_on_commit_callbacks, dinner, clerk
):
    dinner.host = clerk
    dinner.save()
    sent = send(django_capture_on_commit_callbacks, notify_scheduled, dinner)
    assert "Host: Clerk\n" in sent["citizen@example.org"].body
    assert "Host: Clerk (that is you)" in sent["clerk@example.org"].body
    [(html, _mimetype)] = sent["clerk@example.org"].alternatives
    assert "<td>Clerk (that is you)</td>" in html


def test_the_invitation_carries_a_request_for_the_meeting(
    django_capture_on_commit_callbacks, dinner
):
    message = send(django_capture_on_commit_callbacks, notify_scheduled, dinner)[
        "citizen@example.org"
    ]
    part = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invite.ics"
    body = part.get_payload(decode=True)
    assert ical.calendar_property(body, "METHOD") == "REQUEST"
    [event] = ical.events(body)
    assert event["uid"] == f"{dinner.uid}@allies"
    assert event["sequence"] == 0
    assert event["start"] == dinner.starts_at
    assert b"mailto:citizen@example.org" in body
    assert b"officer@example.org" not in body


def test_an_update_carries_the_same_uid_and_the_new_sequence(
    django_capture_on_commit_callbacks, dinner
):
    dinner.starts_at += datetime.timedelta(days=7)
    dinner.ends_at += datetime.timedelta(days=7)
    dinner.sequence += 1
    dinner.save()
    message = send(django_capture_on_commit_callbacks, notify_changed, dinner)["clerk@example.org"]
    assert message.subject == "Changed: Dinner — Overvecht Allies, 12 March 2026"
    assert "Thursday 12 March 2026, 18:30" in message.body
    part = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    [event] = ical.events(part.get_payload(decode=True))
    assert event["uid"] == f"{dinner.uid}@allies"
    assert event["sequence"] == 1
    assert event["start"] == dinner.starts_at


def attendee(message):
    parsed, _ = ical.parse(calendar_part(message).get_payload(decode=True))
    [event] = parsed.walk("VEVENT")
    return event["attendee"]


def test_the_calendar_file_carries_the_members_answer(django_capture_on_commit_callbacks, dinner):
    answers = {"officer": "attending", "clerk": "maybe", "citizen": "not_attending"}
    for username, answer in answers.items():
        dinner.responses.create(person=User.objects.get(username=username), answer=answer)
    dinner.starts_at += datetime.timedelta(days=7)
    dinner.ends_at += datetime.timedelta(days=7)
    dinner.save()
    sent = send(django_capture_on_commit_callbacks, notify_changed, dinner)
    partstat = {to.split("@")[0]: attendee(m).params["partstat"] for to, m in sent.items()}
    # As the meeting page shows them: the answers stay when the dinner moves.
    assert partstat == {
        "officer": "ACCEPTED",
        "clerk": "TENTATIVE",
        "citizen": "DECLINED",
        "coordinator": "NEEDS-ACTION",
    }


def test_an_invitation_not_from_a_poll_tells_no_carried_answer(
    django_capture_on_commit_callbacks, dinner, officer
):
    # An answer stored with the meeting (in admin, say) was not given in a date poll.
    dinner.responses.create(person=officer, answer=Response.Answer.ATTENDING)
    message = send(django_capture_on_commit_callbacks, notify_scheduled, dinner)[
        "officer@example.org"
    ]
    assert "in the poll" not in message.body
    assert "Let us know whether you will come" in message.body
    assert attendee(message).params["partstat"] == "ACCEPTED"


def test_a_cancellation_carries_a_cancel(django_capture_on_commit_callbacks, dinner):
    dinner.cancel()
    message = send(django_capture_on_commit_callbacks, notify_cancelled, dinner)[
        "officer@example.org"
    ]
    assert message.subject == "Cancelled: Dinner — Overvecht Allies, 5 March 2026"
    assert "has been cancelled" in message.body
    part = calendar_part(message)
    assert part.get_param("method") == "CANCEL"
    body = part.get_payload(decode=True)
    assert ical.calendar_property(body, "METHOD") == "CANCEL"
    [event] = ical.events(body)
    assert event["uid"] == f"{dinner.uid}@allies"
    assert event["sequence"] == 1
    assert event["status"] == "CANCELLED"


def test_a_cancellation_says_why_in_text_html_and_calendar(
    django_capture_on_commit_callbacks, dinner
):
    dinner.cancel(reason='Closed for <repairs> & "painting".')
    message = send(django_capture_on_commit_callbacks, notify_cancelled, dinner)[
        "officer@example.org"
    ]
    assert 'Reason: Closed for <repairs> & "painting".' in message.body
    [(html, _mimetype)] = message.alternatives
    # Free text from the coordinator: escaped in the HTML, as written in the text.
    assert "<strong>Reason:</strong> Closed for &lt;repairs&gt; &amp; &quot;painting&quot;." in html
    assert "<repairs>" not in html
    [event] = ical.events(calendar_part(message).get_payload(decode=True))
    assert event["description"].startswith('Reason: Closed for <repairs> & "painting".\n\n')


def test_each_reads_why_in_their_own_language(django_capture_on_commit_callbacks, dinner, citizen):
    citizen.preferred_language = "nl"
    citizen.save()
    dinner.cancel(reason="De locatie is dicht.")
    sent = send(django_capture_on_commit_callbacks, notify_cancelled, dinner)
    dutch, english = sent["citizen@example.org"], sent["clerk@example.org"]
    assert "Reden: De locatie is dicht." in dutch.body
    assert "<strong>Reden:</strong> De locatie is dicht." in dutch.alternatives[0][0]
    [event] = ical.events(calendar_part(dutch).get_payload(decode=True))
    assert event["description"].startswith("Reden: De locatie is dicht.")
    assert "Reason: De locatie is dicht." in english.body
    assert "<strong>Reason:</strong> De locatie is dicht." in english.alternatives[0][0]


def test_a_cancellation_without_a_reason_reads_as_before(
    django_capture_on_commit_callbacks, dinner
):
    dinner.cancel()
    message = send(django_capture_on_commit_callbacks, notify_cancelled, dinner)[
        "officer@example.org"
    ]
    assert "- Nuisance\n\nOpen the attached calendar file" in message.body
    assert "Reason" not in message.body
    assert "Reason" not in message.alternatives[0][0]
    [event] = ical.events(calendar_part(message).get_payload(decode=True))
    assert event["description"].startswith("Agenda:")


def test_each_reads_the_mail_in_their_own_language(
    django_capture_on_commit_callbacks, dinner, citizen
):
    citizen.preferred_language = "nl"
    citizen.save()
    sent = send(django_capture_on_commit_callbacks, notify_scheduled, dinner)
    dutch, english = sent["citizen@example.org"], sent["clerk@example.org"]
    assert dutch.extra_headers["Content-Language"] == "nl"
    # Day and month names come from Django's own Dutch catalogue.
    assert "donderdag 5 maart 2026, 18:30" in dutch.body
    assert dutch.subject.endswith("5 maart 2026")
    assert dutch.subject.startswith("Uitnodiging: Diner — ")
    assert english.subject.startswith("Invitation: Dinner — ")
    assert english.extra_headers["Content-Language"] == "en"
    assert "Thursday 5 March 2026" in english.body
    # The inbox lists the sender by the product's name in the reader's language.
    assert dutch.from_email == "Bondgenoten <allies@localhost>"
    assert english.from_email == "Allies <allies@localhost>"


def test_a_sender_named_by_the_installation_keeps_its_name(
    django_capture_on_commit_callbacks, dinner, citizen, settings
):
    settings.DEFAULT_FROM_EMAIL = "Politie Utrecht <bondgenoten@politie.example>"
    citizen.preferred_language = "nl"
    citizen.save()
    sent = send(django_capture_on_commit_callbacks, notify_scheduled, dinner)
    senders = {message.from_email for message in sent.values()}
    assert senders == {"Politie Utrecht <bondgenoten@politie.example>"}


def organizer(message) -> tuple[str, str]:
    """The invitation's ORGANIZER: its name (CN) and its address."""
    parsed, _ = ical.parse(calendar_part(message).get_payload(decode=True))
    [event] = parsed.walk("VEVENT")
    return str(event["organizer"].params["cn"]), str(event["organizer"])


def test_the_calendar_names_the_organiser_as_the_inbox_names_the_sender(
    django_capture_on_commit_callbacks, dinner, citizen, settings
):
    citizen.preferred_language = "nl"
    citizen.save()
    sent = send(django_capture_on_commit_callbacks, notify_scheduled, dinner)
    assert organizer(sent["citizen@example.org"]) == ("Bondgenoten", "mailto:allies@localhost")
    assert organizer(sent["clerk@example.org"]) == ("Allies", "mailto:allies@localhost")
    mail.outbox.clear()
    dinner.cancel()
    sent = send(django_capture_on_commit_callbacks, notify_cancelled, dinner)
    assert organizer(sent["citizen@example.org"])[0] == "Bondgenoten"
    # A name the installation chose stays as it is, in every language.
    settings.DEFAULT_FROM_EMAIL = "Politie Utrecht <bondgenoten@politie.example>"
    mail.outbox.clear()
    sent = send(django_capture_on_commit_callbacks, notify_cancelled, dinner)
    organizers = {organizer(message) for message in sent.values()}
    assert organizers == {("Politie Utrecht", "mailto:bondgenoten@politie.example")}


def test_nothing_is_sent_when_the_change_is_rolled_back(django_capture_on_commit_callbacks, dinner):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify_scheduled(dinner)
        raise RuntimeError("the save failed")
    assert mail.outbox == []


def test_nothing_is_sent_before_the_commit(dinner):
    with transaction.atomic():
        notify_scheduled(dinner)
        assert mail.outbox == []


def test_an_invitation_overtaken_by_a_cancellation_is_not_sent(
    django_capture_on_commit_callbacks, dinner
):
    with django_capture_on_commit_callbacks(execute=True):
        notify_scheduled(dinner)
        dinner.cancel()
    assert mail.outbox == []


class RefusesTheCitizen(EmailBackend):
    def send_messages(self, messages):
        if any("citizen@" in address for m in messages for address in m.to):
            raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


class RefusesWithTheAddress(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"unknown user") for m in messages})


def test_a_refused_address_stays_out_of_the_log(
    django_capture_on_commit_callbacks, dinner, settings, caplog
):
    """An address in the logs is personal data that no erasure reaches."""
    settings.EMAIL_BACKEND = f"{__name__}.RefusesWithTheAddress"
    send(django_capture_on_commit_callbacks, notify_scheduled, dinner)
    failures = [r for r in caplog.records if r.name == "meetings.notify"]
    assert len(failures) == 4
    assert failures[0].getMessage().endswith("(SMTPRecipientsRefused)")
    logged = caplog.text + "".join(logging.Formatter().format(r) for r in failures)
    assert "@example.org" not in logged


def test_one_refused_address_does_not_stop_the_others(
    django_capture_on_commit_callbacks, dinner, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusesTheCitizen"
    sent = send(django_capture_on_commit_callbacks, notify_scheduled, dinner)
    assert "citizen@example.org" not in sent
    assert len(sent) == 3


# A new member is invited to the meetings ahead (notify_joined): one message, a .ics each.


@pytest.fixture
def newcomer(circle, coordinator, officer):
    """A member who joins after the others were invited to what is planned."""
    return circle.memberships.create(person=make_person("newcomer"), sector="community")


def joined(capture, membership):
    """The messages that notify_joined sends once the joining commits, the membership begun
    after the meetings the test planned (those planned since reached the member as planned)."""
    membership.history.update(history_date=timezone.now())
    with capture(execute=True):
        notify_joined(membership)
    return mail.outbox


def uids(message) -> list[str]:
    return [ical.events(p.get_payload(decode=True))[0]["uid"] for p in calendar_parts(message)]


def test_a_new_member_gets_one_request_for_each_meeting_ahead_and_nobody_else_a_thing(
    django_capture_on_commit_callbacks, circle, newcomer
):
    planned = make_meeting(circle, days_ahead=10)
    confirmed = make_meeting(circle, days_ahead=40, status="confirmed")
    make_meeting(circle, days_ahead=20, status="cancelled")
    make_meeting(circle, days_ahead=-10, status="held")
    make_meeting(circle, days_ahead=-0.02)  # under way: too late to invite to
    [message] = joined(django_capture_on_commit_callbacks, newcomer)
    assert message.to == ["newcomer@example.org"]
    assert message.subject == "Invitation: the next 2 dinners of Overvecht Allies"
    assert "Welcome to Overvecht Allies. You are invited to its next 2 dinners:" in message.body
    assert f"/meetings/{planned.pk}/respond/\n" in message.body
    assert f"/meetings/{confirmed.pk}/respond/\n" in message.body
    assert "Open the attached calendar files to add them to your calendar, one file each." in (
        message.body
    )
    events = ical.emailed(message, "REQUEST", "newcomer@example.org")
    assert [e["uid"] for e in events] == [f"{planned.uid}@allies", f"{confirmed.uid}@allies"]


@pytest.mark.parametrize(
    ("kinds", "subject", "intro", "note"),
    [
        (
            ["dinner"],
            "Invitation: the next dinner of Overvecht Allies",
            "Welcome to Overvecht Allies. You are invited to its next dinner:",
            "Open the attached calendar file to add it to your calendar.",
        ),
        (
            ["extra"],
            "Invitation: the next meeting of Overvecht Allies",
            "Welcome to Overvecht Allies. You are invited to its next meeting:",
            "Open the attached calendar file to add it to your calendar.",
        ),
        (
            ["dinner", "extra"],
            "Invitation: the next 2 meetings of Overvecht Allies",
            "Welcome to Overvecht Allies. You are invited to its next 2 meetings:",
            "one file each.",
        ),
    ],
)
def test_it_speaks_of_dinners_only_when_all_are_and_counts_them(
    django_capture_on_commit_callbacks, circle, newcomer, kinds, subject, intro, note
):
    for n, kind in enumerate(kinds):
        make_meeting(circle, days_ahead=10 + n, kind=kind)
    [message] = joined(django_capture_on_commit_callbacks, newcomer)
    assert message.subject == subject
    assert intro in message.body and note in message.body
    [(html, _mimetype)] = message.alternatives
    assert f"<p>{intro}</p>" in html and note in html
    assert len(calendar_parts(message)) == len(kinds)


def test_the_new_member_reads_it_in_their_own_language(
    django_capture_on_commit_callbacks, circle, newcomer
):
    newcomer.person.preferred_language = "nl"
    newcomer.person.save()
    make_meeting(circle, days_ahead=10)
    make_meeting(circle, days_ahead=40)
    [message] = joined(django_capture_on_commit_callbacks, newcomer)
    assert message.subject == "Uitnodiging: de volgende 2 diners van Overvecht Allies"
    assert "Welkom bij Overvecht Allies. Je bent uitgenodigd voor de volgende 2 diners:" in (
        message.body
    )
    assert "elk in een eigen bestand" in message.body
    assert "Diner — Overvecht Allies" in message.body


def test_without_a_meeting_ahead_no_email(django_capture_on_commit_callbacks, circle, newcomer):
    make_meeting(circle, days_ahead=-10, status="held")
    make_meeting(circle, days_ahead=10, status="cancelled")
    assert joined(django_capture_on_commit_callbacks, newcomer) == []


@pytest.mark.parametrize("since", ["left", "no address", "deactivated"])
def test_no_email_to_who_left_before_it_went_or_cannot_be_emailed(
    django_capture_on_commit_callbacks, circle, newcomer, since
):
    make_meeting(circle, days_ahead=10)
    with django_capture_on_commit_callbacks(execute=True):
        notify_joined(newcomer)
        if since == "left":
            newcomer.end()
        else:
            person = newcomer.person
            person.email = "" if since == "no address" else person.email
            person.is_active = since != "deactivated"
            person.save()
    assert mail.outbox == []


def test_a_member_who_comes_back_finds_their_earlier_answers_in_the_calendar_files(
    django_capture_on_commit_callbacks, circle, newcomer
):
    answered = make_meeting(circle, days_ahead=10)
    unanswered = make_meeting(circle, days_ahead=40)
    answered.responses.create(person=newcomer.person, answer="not_attending")
    newcomer.end()
    back = circle.memberships.create(person=newcomer.person, sector="community")
    [message] = joined(django_capture_on_commit_callbacks, back)
    partstats = [
        ical.parse(p.get_payload(decode=True))[0].walk("VEVENT")[0]["attendee"].params["partstat"]
        for p in calendar_parts(message)
    ]
    assert uids(message) == [f"{answered.uid}@allies", f"{unanswered.uid}@allies"]
    assert partstats == ["DECLINED", "NEEDS-ACTION"]


def test_a_member_let_back_in_is_sent_what_was_planned_until_they_came_back(
    django_capture_on_commit_callbacks, circle, newcomer
):
    """Counted from their coming back (in admin, left_on cleared), not from their first
    joining: a meeting planned while they were away never reached them, one planned since
    they came back did. A later change to the membership does not move that moment."""
    newcomer.end()
    while_away = make_meeting(circle, days_ahead=10)
    newcomer.left_on = None
    newcomer.save()
    make_meeting(circle, days_ahead=40)
    newcomer.sector = "police"
    newcomer.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify_joined(newcomer)
    [message] = mail.outbox
    assert uids(message) == [f"{while_away.uid}@allies"]


# The open actions carried to the meeting, after its agenda.


@pytest.fixture
def next_dinner(circle, coordinator, officer, clerk, citizen):
    meeting = make_meeting(circle, days_ahead=10)
    AgendaItem.objects.create(meeting=meeting, topic=Topic.objects.get(name="Nuisance"))
    return meeting


def open_action(circle, title, owners, **extra):
    action = Action.objects.create(circle=circle, title=title, **extra)
    action.owners.set(owners)
    return action


def test_the_invitation_lists_the_open_actions_carried_to_it(
    django_capture_on_commit_callbacks, next_dinner, circle, clerk, citizen, officer
):
    overdue = timezone.localdate() - datetime.timedelta(days=3)
    lights = open_action(circle, "Ask for street lights", [clerk, citizen], due_date=overdue)
    mosque = open_action(circle, "Visit the mosque", [officer], status="in_progress")
    open_action(circle, "Walk with youth workers", [officer], status="done")
    message = send(django_capture_on_commit_callbacks, notify_scheduled, next_dinner)[
        "citizen@example.org"
    ]
    day = date_format(overdue, "j F Y")
    assert (
        "- Nuisance\n"
        "Open actions:\n"
        f"- Ask for street lights · Citizen (that is you), Clerk · overdue since {day}\n"
        f"  http://testserver/actions/{lights.pk}/\n"
        "- Visit the mosque · Officer\n"
        f"  http://testserver/actions/{mosque.pk}/\n"
    ) in message.body.replace(settings.SITE_URL, "http://testserver")
    [(html, _mimetype)] = message.alternatives
    agenda = html[html.index("<h2>Agenda</h2>") :]
    assert agenda.index("Nuisance") < agenda.index("<h2>Open actions</h2>")
    link = f'<a href="{settings.SITE_URL}/actions/{lights.pk}/">Ask for street lights</a>'
    assert f"<li>{link} · Citizen (that is you), Clerk · <strong>overdue since {day}" in html
    assert "Walk with youth workers" not in message.body + html
    # A calendar app keeps an invitation's text as it came, where their status would go stale:
    # its link leads to the meeting page, which lists them as they are.
    [event] = ical.events(calendar_part(message).get_payload(decode=True))
    assert event["description"].startswith("Agenda:\n- Nuisance\n\nDetails and your answer")
    # On the agenda of the next meeting only.
    later = make_meeting(circle, days_ahead=40)
    mail.outbox.clear()
    message = send(django_capture_on_commit_callbacks, notify_scheduled, later)[
        "citizen@example.org"
    ]
    assert "Ask for street lights" not in message.body
    assert "Open actions" not in message.alternatives[0][0]


def test_an_open_action_shows_a_dot_only_between_the_facts_it_has(
    django_capture_on_commit_callbacks, next_dinner, circle
):
    due = datetime.date(2030, 3, 1)
    bare = open_action(circle, "Ask for street lights", [])
    dated = open_action(circle, "Visit the mosque", [], due_date=due)
    message = send(django_capture_on_commit_callbacks, notify_scheduled, next_dinner)[
        "citizen@example.org"
    ]
    body = message.body.replace(settings.SITE_URL, "http://testserver")
    assert (
        "Open actions:\n"
        "- Visit the mosque · due 1 March 2030\n"
        f"  http://testserver/actions/{dated.pk}/\n"
        "- Ask for street lights\n"
        f"  http://testserver/actions/{bare.pk}/"
    ) in body
    [(html, _mimetype)] = message.alternatives
    url = f"{settings.SITE_URL}/actions"
    assert f'<li><a href="{url}/{bare.pk}/">Ask for street lights</a></li>' in html
    assert f'<li><a href="{url}/{dated.pk}/">Visit the mosque</a> · due 1 March 2030</li>' in html


def test_the_open_actions_are_in_the_readers_language(
    django_capture_on_commit_callbacks, next_dinner, circle, officer, citizen
):
    citizen.preferred_language = "nl"
    citizen.save()
    due = datetime.date(2030, 3, 1)
    open_action(circle, "Ask for street lights", [citizen, officer], due_date=due)
    message = send(django_capture_on_commit_callbacks, notify_scheduled, next_dinner)[
        "citizen@example.org"
    ]
    assert "Open actiepunten:\n" in message.body
    assert "Citizen (dat ben jij), Officer · streefdatum 1 maart 2030" in message.body
    assert "<h2>Open actiepunten</h2>" in message.alternatives[0][0]


def test_the_open_actions_are_read_once_however_many_members_are_invited(
    django_capture_on_commit_callbacks, next_dinner, circle, officer
):
    for n in range(3):
        open_action(circle, f"Action {n}", [officer])

    def queries() -> int:
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as captured:
            send(django_capture_on_commit_callbacks, notify_scheduled, next_dinner)
        assert all("Action 2" in message.body for message in mail.outbox)
        return len(captured)

    few = queries()
    for n in range(10):
        circle.memberships.create(person=make_person(f"member{n}"), sector="community")
    assert queries() == few
