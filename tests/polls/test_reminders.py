"""The date-poll reminder of `manage.py send_reminders`: once, to members who did not answer."""

import datetime
import io

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circles.models import Circle, Membership, Sector
from polls import reminders
from polls.models import PollReminder
from tests.conftest import make_person
from tests.polls.conftest import answer, local, make_poll


def run(clock, *when) -> list[tuple[str, str]]:
    """Run the command at that local time; (recipient, subject) of the poll reminders sent."""
    clock.move_to(local(*when), tick=False)
    before = len(mail.outbox)
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    sent = sorted((m.to[0].split("@")[0], m.subject) for m in mail.outbox[before:])
    assert f"poll: {len(sent)}" in out.getvalue()
    return sent


def who(sent) -> list[str]:
    return [to for to, _subject in sent]


def test_members_who_did_not_answer_are_reminded_after_two_days(poll, cast, clock):
    answer(poll, cast["officer"], "yes", "no", "no")
    assert run(clock, 2027, 3, 3, 9, 59) == []
    sent = run(clock, 2027, 3, 3, 10, 1)
    assert who(sent) == ["citizen", "clerk", "coordinator"]
    assert sent[0][1] == "Reminder: which date suits you? Overvecht Allies"
    body = next(m.body for m in mail.outbox if m.to == ["citizen@example.org"])
    assert f"/polls/{poll.pk}/" in body and "Thursday 11 March 2027, 18:30" in body


HOUR = datetime.timedelta(hours=1)


@pytest.mark.parametrize(
    ("first_date_after", "reminder_after"),
    [
        (10 * 24 * HOUR, 48 * HOUR),  # far ahead: REMINDER_AFTER
        (96 * HOUR, 48 * HOUR),  # where halfway and REMINDER_AFTER meet
        (95 * HOUR, 47.5 * HOUR),  # closer: halfway
        (12 * HOUR, 6 * HOUR),  # where halfway and the opening email's time meet
        (11 * HOUR, 6 * HOUR),  # closer: the opening email's time first
        (5 * HOUR, 6 * HOUR),  # after that date: it goes unreminded
    ],
)
def test_the_reminder_is_due_after_two_days_or_halfway_to_a_close_date(
    first_date_after, reminder_after
):
    opened = local(2027, 11, 30, 10)
    assert reminders.reminder_due_at(opened, opened + first_date_after) == opened + reminder_after


def turmoil_poll(circle, clock, *starts):
    """An extra meeting's poll, opened on Tuesday 30 November 2027 at 10:00."""
    clock.move_to(local(2027, 11, 30, 10), tick=False)
    return make_poll(circle, *starts, kind="extra", title="After the unrest")


def bodies_to(person) -> list[str]:
    return [m.body for m in mail.outbox if m.to == [f"{person}@example.org"]]


def test_a_poll_at_short_notice_reminds_halfway_to_its_first_date(circle, cast, clock):
    # Wednesday 1 December at 19:30 is 33.5 hours after the opening: halfway is at 2:45.
    turmoil_poll(circle, clock, local(2027, 12, 1, 19, 30), local(2027, 12, 3, 19, 30))
    assert run(clock, 2027, 12, 1, 2, 44) == []
    assert who(run(clock, 2027, 12, 1, 2, 45)) == ["citizen", "clerk", "coordinator", "officer"]
    [body] = bodies_to("citizen")
    assert "Wednesday 1 December 2027, 19:30" in body and "Friday 3 December 2027, 19:30" in body
    # Once: not again after two days, nor once the first date has passed.
    assert run(clock, 2027, 12, 2, 10, 1) == []
    assert run(clock, 2027, 12, 2, 22) == []


def test_a_run_after_the_first_date_reminds_of_the_dates_still_ahead(circle, cast, clock):
    turmoil_poll(circle, clock, local(2027, 12, 1, 19, 30), local(2027, 12, 3, 19, 30))
    assert len(run(clock, 2027, 12, 2, 22)) == 4
    [body] = bodies_to("citizen")
    assert "1 December" not in body and "Friday 3 December 2027, 19:30" in body


def test_no_reminder_sooner_than_six_hours_after_the_opening(circle, cast, clock):
    # Halfway to 18:00 would be 14:00: too soon after the opening email.
    turmoil_poll(circle, clock, local(2027, 11, 30, 18), local(2027, 12, 3, 19, 30))
    assert run(clock, 2027, 11, 30, 15, 59) == []
    assert len(run(clock, 2027, 11, 30, 16)) == 4


def test_a_date_too_close_to_remind_of_leaves_it_to_the_next_one(circle, cast, clock):
    # 14:00 comes before the six hours are up; then Friday 19:30 is 81.5 hours after the
    # opening: halfway is Thursday 2 December at 2:45.
    turmoil_poll(circle, clock, local(2027, 11, 30, 14), local(2027, 12, 3, 19, 30))
    assert run(clock, 2027, 11, 30, 13, 59) == []
    assert run(clock, 2027, 11, 30, 16) == []
    assert run(clock, 2027, 12, 2, 2, 44) == []
    assert len(run(clock, 2027, 12, 2, 2, 45)) == 4
    [body] = bodies_to("citizen")
    assert "30 November" not in body and "Friday 3 December 2027, 19:30" in body


def test_the_reminder_lists_only_the_dates_still_ahead(poll, cast, clock):
    # The first run since the first date passed (the server was down, or the poll is old).
    run(clock, 2027, 3, 12, 8)
    message = next(m for m in mail.outbox if m.to == ["citizen@example.org"])
    for text in (message.body, message.alternatives[0].content):
        assert "11 March" not in text
        assert "Thursday 18 March 2027, 18:30" in text
        assert "Thursday 25 March 2027, 19:00" in text


def test_whoever_opened_the_poll_is_reminded_of_their_own_answer(circle, cast, clock):
    # Their answers count as anyone's (the tally, their answer to the meeting): opening the
    # poll did not give them.
    make_poll(circle, local(2027, 3, 18, 18, 30), created_by=cast["coordinator"])
    sent = dict(run(clock, 2027, 3, 3, 10, 1))
    assert sent["coordinator"] == "Reminder: your own answer to your date poll, Overvecht Allies"
    assert sent["citizen"] == "Reminder: which date suits you? Overvecht Allies"
    [mine] = [m for m in mail.outbox if m.to == ["coordinator@example.org"]]
    for text in (mine.body, mine.alternatives[0].content):
        assert "you opened a date poll for Overvecht Allies" in text
        assert "your own answer is still missing" in text
        assert "Overvecht Allies is looking for a date" not in text
    [theirs] = bodies_to("citizen")
    assert "you opened" not in theirs


def test_whoever_opened_the_poll_is_reminded_in_their_language(circle, cast, clock):
    cast["coordinator"].preferred_language = "nl"
    cast["coordinator"].save()
    make_poll(circle, local(2027, 3, 18, 18, 30), created_by=cast["coordinator"])
    sent = dict(run(clock, 2027, 3, 3, 10, 1))
    assert sent["coordinator"] == (
        "Herinnering: je eigen antwoord op je datumprikker, Overvecht Allies"
    )
    [body] = bodies_to("coordinator")
    assert "je hebt een datumprikker voor Overvecht Allies gemaakt" in body


def test_each_member_is_reminded_once(poll, cast, clock):
    assert len(run(clock, 2027, 3, 4, 8)) == 4
    assert run(clock, 2027, 3, 4, 8, 5) == []
    assert run(clock, 2027, 3, 8, 8) == []
    assert PollReminder.objects.count() == 4


def test_a_run_racing_another_sends_nothing_twice(poll, cast, clock, monkeypatch):
    assert len(run(clock, 2027, 3, 4, 8)) == 4
    # This run read the log before the other run's rows were there: the unique key still holds.
    monkeypatch.setattr(reminders, "already_reminded", lambda polls: set())
    assert run(clock, 2027, 3, 4, 8, 1) == []


class RefusesTheCitizen(EmailBackend):
    def send_messages(self, messages):
        if any(m.to == ["citizen@example.org"] for m in messages):
            raise OSError("451 try again later")
        return super().send_messages(messages)


def test_a_reminder_the_mail_server_refused_is_tried_again(poll, cast, clock, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusesTheCitizen"
    assert "citizen" not in who(run(clock, 2027, 3, 4, 8))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert who(run(clock, 2027, 3, 4, 8, 5)) == ["citizen"]


def test_no_reminder_for_a_closed_poll_or_one_whose_dates_passed(poll, cast, clock, circle):
    poll.closed_at = timezone.now()
    poll.save()
    make_poll(circle, local(2027, 3, 2, 18), local(2027, 3, 3, 18))
    assert run(clock, 2027, 3, 4, 8) == []


def test_no_reminder_for_those_who_turned_them_off_or_left(poll, cast, clock):
    cast["clerk"].reminders_enabled = False
    cast["clerk"].save()
    Membership.objects.get(person=cast["officer"]).end()
    assert who(run(clock, 2027, 3, 4, 8)) == ["citizen", "coordinator"]


def is_claim(sql: str) -> bool:
    """The statements of one claim: an insert of its PollReminder row, in a savepoint."""
    return "SAVEPOINT" in sql or sql.startswith('INSERT INTO "polls_pollreminder"')


def test_queries_do_not_grow_with_polls_and_members(clock):
    def make(count, start):
        for n in range(start, start + count):
            circle = Circle.objects.create(name=f"Circle {n}", municipality="Utrecht")
            for m in range(3):
                person = make_person(f"p{n}-{m}")
                Membership.objects.create(person=person, circle=circle, sector=Sector.POLICE)
            make_poll(circle)

    def queries_besides_claims() -> int:
        PollReminder.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            reminders.send_poll_reminders(local(2027, 3, 4, 8))
        return sum(1 for q in queries.captured_queries if not is_claim(q["sql"]))

    make(3, 0)
    few = queries_besides_claims()
    make(20, 3)
    assert queries_besides_claims() == few
