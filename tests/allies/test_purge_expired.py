"""manage.py purge_expired removes exactly what is no longer needed, and nothing else."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.utils import timezone

from allies.models import User
from allies.services import EMAIL_CHANGE_DAYS
from circles.models import Invitation, Membership, Sector
from meetings.models import Response
from tests.conftest import email_change_link_token, make_meeting, make_person

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def answer(circle, person, days_ago):
    meeting = make_meeting(circle, days_ahead=-days_ago)  # ends two hours after it starts
    return Response.objects.create(
        meeting=meeting, person=person, answer="attending", dietary_needs="gluten-free"
    )


def dietary(response) -> str:
    response.refresh_from_db()
    return response.dietary_needs


def former_member(username, circle, left_days_ago, **extra):
    person = make_person(
        username,
        phone="+31611111111",
        phone_shared_at=timezone.now(),
        dietary_needs="vegan",
        **extra,
    )
    membership = Membership.objects.create(
        person=person, circle=circle, sector=Sector.COMMUNITY, joined_on=datetime.date(2020, 1, 1)
    )
    membership.end(today=TODAY - datetime.timedelta(days=left_days_ago))
    return person


def contacts(person) -> tuple:
    person.refresh_from_db()
    return (
        str(person.phone),
        person.email,
        person.phone_shared_at is not None,
        person.dietary_needs,
    )


def test_dietary_needs_go_30_days_after_the_dinner(circle, citizen):
    old = answer(circle, citizen, days_ago=31)
    recent = answer(circle, citizen, days_ago=29)
    coming = answer(circle, citizen, days_ago=-5)
    call_command("purge_expired")
    assert dietary(old) == ""
    assert dietary(recent) == dietary(coming) == "gluten-free"
    # The answer itself stays: the dinner's head count does not change.
    assert Response.objects.filter(pk=old.pk, answer="attending").exists()


def test_the_number_of_days_is_an_option(circle, citizen):
    recent = answer(circle, citizen, days_ago=12)
    call_command("purge_expired", "--dietary-days", "10")
    assert dietary(recent) == ""


def test_the_number_of_days_is_a_setting(circle, citizen, settings):
    settings.DIETARY_NEEDS_RETENTION_DAYS = 60
    kept = answer(circle, citizen, days_ago=31)
    gone = answer(circle, citizen, days_ago=61)
    call_command("purge_expired")
    assert dietary(kept) == "gluten-free"
    assert dietary(gone) == ""


def test_contact_details_go_a_year_after_leaving_every_circle(circle, other_circle):
    gone = former_member("gone", circle, left_days_ago=400)
    recent = former_member("recent", circle, left_days_ago=300)
    still_in_one = former_member("still", circle, left_days_ago=400)
    Membership.objects.create(person=still_in_one, circle=other_circle, sector=Sector.POLICE)
    staff = former_member("staff", circle, left_days_ago=400, is_staff=True)
    never_member = make_person("admin2", phone="+31622222222")
    for person in (gone, recent):
        email_change_link_token(person, f"{person.username}@new.example")

    call_command("purge_expired")

    assert contacts(gone) == ("", "", False, "")
    assert contacts(recent) == ("+31611111111", "recent@example.org", True, "vegan")
    assert contacts(still_in_one) == ("+31611111111", "still@example.org", True, "vegan")
    assert contacts(staff) == ("+31611111111", "staff@example.org", True, "vegan")
    assert str(User.objects.get(pk=never_member.pk).phone) == "+31622222222"
    # So does a new address waiting for confirmation (its link no longer works either).
    assert User.objects.get(pk=gone.pk).pending_email == ""
    assert User.objects.get(pk=recent.pk).pending_email == "recent@new.example"
    # The person and their history stay; only the contact details went.
    gone.refresh_from_db()
    assert gone.name == "Gone"
    assert gone.memberships.count() == 1


def test_a_username_that_is_the_email_address_goes_too(circle, other_circle, coordinator):
    """An invited person's username is their address as it was then (circles.services
    ._free_username), in lower case, made unique with a number if need be."""
    gone = former_member("noor.b@buurt.example-2", circle, 400, email="Noor.B@Buurt.example")
    recent = former_member("sem@buurt.example", circle, left_days_ago=300)
    named = former_member("gone", circle, left_days_ago=400)
    answered = Invitation.objects.create(
        circle=other_circle,
        person=gone,
        sector=Sector.POLICE,
        email="noor.b@buurt.example",
        answered_at=timezone.now(),
    )

    call_command("purge_expired")

    gone.refresh_from_db()
    assert (gone.username, gone.email) == (f"former-{gone.pk}", "")
    assert User.objects.get(pk=recent.pk).username == "sem@buurt.example"
    assert User.objects.get(pk=named.pk).username == "gone"
    # The address the coordinator typed for it went too; the invitation's answer stays.
    answered.refresh_from_db()
    assert (answered.email, answered.accepted, answered.answered_at is not None) == (
        "",
        False,
        True,
    )


def test_an_invitation_waiting_for_an_answer_keeps_its_address(circle, other_circle):
    """The coordinator who asked sees it on the invite page until it is answered."""
    gone = former_member("noor@buurt.example", circle, left_days_ago=400)
    waiting = Invitation.objects.create(
        circle=other_circle, person=gone, sector=Sector.POLICE, email="noor@buurt.example"
    )
    call_command("purge_expired")
    assert Invitation.objects.get(pk=waiting.pk).email == "noor@buurt.example"


def test_a_new_address_goes_once_its_link_has_expired(citizen, officer, capsys):
    """The address waited for a link that no longer works; it may be a stranger's, mistyped.
    It showed in admin as "waiting for confirmation", and in the person's data, for ever."""
    email_change_link_token(citizen, "citizen@mistyped.example")
    email_change_link_token(officer, "officer@new.example")
    User.objects.filter(pk=citizen.pk).update(
        email_change_sent_at=timezone.now() - datetime.timedelta(days=EMAIL_CHANGE_DAYS)
    )
    call_command("purge_expired")
    assert User.objects.get(pk=citizen.pk).pending_email == ""
    assert User.objects.get(pk=officer.pk).pending_email == "officer@new.example"
    assert "1 new email addresses whose confirmation link expired" in capsys.readouterr().out


def test_it_reports_what_it_removed_and_is_safe_to_run_again(circle, citizen, capsys):
    answer(circle, citizen, days_ago=40)
    former_member("gone", circle, left_days_ago=400)
    call_command("purge_expired")
    assert "from 1 answers and contact details of 1 former members" in capsys.readouterr().out
    call_command("purge_expired")
    assert "from 0 answers and contact details of 0 former members" in capsys.readouterr().out


def days_ago(days: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def at(moment: datetime.datetime, row):
    """The row as if written at `moment` (axes stamps the time of writing)."""
    type(row).objects.filter(pk=row.pk).update(attempt_time=moment)
    return row


def sign_in(username, began, ended=None):
    row = AccessLog.objects.create(
        username=username, ip_address="192.0.2.7", user_agent="Firefox", logout_time=ended
    )
    return at(began, row)


def failure(username, moment, failures=1):
    at(moment, AccessFailureLog.objects.create(username=username, ip_address="192.0.2.7"))
    attempt = AccessAttempt.objects.create(
        username=username,
        ip_address="192.0.2.7",
        user_agent="Firefox",
        failures_since_start=failures,
    )
    return at(moment, attempt)


def sign_in_records() -> set[str]:
    return {
        f"{model.__name__} {row.username}"
        for model in (AccessLog, AccessFailureLog, AccessAttempt)
        for row in model.objects.all()
    }


def test_sign_in_records_go_90_days_after_the_sign_in(capsys):
    """The address and browser of each sign-in were kept for ever: axes cleans them up only
    with its own command, which nothing ran."""
    sign_in("old", days_ago(91), days_ago(91))
    sign_in("never-signed-out", days_ago(91))
    sign_in("recent", days_ago(89))
    sign_in("signed-out-lately", days_ago(95), days_ago(89))
    failure("old-failure", days_ago(91))
    failure("recent-failure", days_ago(89))

    call_command("purge_expired")

    assert sign_in_records() == {
        "AccessLog recent",
        "AccessLog signed-out-lately",
        "AccessFailureLog recent-failure",
        "AccessAttempt recent-failure",
    }
    assert "and 4 records of sign-ins." in capsys.readouterr().out


def test_the_number_of_days_is_a_setting_and_an_option(settings):
    settings.SIGN_IN_RETENTION_DAYS = 10
    sign_in("kept", days_ago(9))
    sign_in("gone", days_ago(11))
    call_command("purge_expired")
    assert sign_in_records() == {"AccessLog kept"}
    call_command("purge_expired", "--sign-in-days", "5")
    assert sign_in_records() == set()


def test_a_pause_still_running_is_kept_however_few_the_days(settings):
    """Deleting its count of failures would lift it before its time."""
    pausing = settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    paused = failure("paused", NOW - pausing, failures=settings.AXES_FAILURE_LIMIT)
    failure("over", NOW - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1), 5)
    call_command("purge_expired", "--sign-in-days", "0")
    assert list(AccessAttempt.objects.all()) == [paused]
    assert AccessFailureLog.objects.count() == 0
