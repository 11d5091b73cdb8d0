"""The database itself refuses rows that break the rules."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import translation

from allies.models import User
from circles.models import Circle, Membership, Sector
from meetings.models import Meeting, Response, Topic
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_meeting_must_end_after_it_starts(circle):
    starts = datetime.datetime(2026, 3, 5, 18, 30, tzinfo=datetime.UTC)
    assert refused(
        lambda: Meeting.objects.create(
            circle=circle, starts_at=starts, ends_at=starts, venue_name="x"
        )
    )
    assert not refused(
        lambda: Meeting.objects.create(
            circle=circle,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            venue_name="x",
        )
    )


def test_one_response_per_person_per_meeting(meeting, citizen):
    Response.objects.create(meeting=meeting, person=citizen, answer="attending")
    assert refused(lambda: Response.objects.create(meeting=meeting, person=citizen, answer="maybe"))


def test_one_active_membership_per_person_per_circle(circle, citizen):
    assert refused(
        lambda: Membership.objects.create(person=citizen, circle=circle, sector=Sector.POLICE)
    )


def test_a_person_may_rejoin_after_leaving(circle, citizen):
    citizen.memberships.get().end()
    assert not refused(
        lambda: Membership.objects.create(person=citizen, circle=circle, sector=Sector.COMMUNITY)
    )
    assert citizen.memberships.count() == 2


def test_membership_cannot_end_before_it_starts(circle):
    person = make_person("late")
    assert refused(
        lambda: Membership.objects.create(
            person=person,
            circle=circle,
            sector=Sector.COMMUNITY,
            joined_on=datetime.date(2026, 5, 1),
            left_on=datetime.date(2026, 4, 1),
        )
    )


@pytest.mark.parametrize("target", [0, 13])
def test_dinner_target_is_one_to_twelve(target):
    assert refused(
        lambda: Circle.objects.create(name="c", municipality="m", dinners_per_year=target)
    )


@pytest.mark.parametrize("target", [1, 12])
def test_dinner_target_bounds_are_allowed(target):
    assert not refused(
        lambda: Circle.objects.create(name="c", municipality="m", dinners_per_year=target)
    )


def test_email_is_unique_whatever_its_case():
    make_person("first", email="Sanne@Example.org")
    assert refused(lambda: User.objects.create_user(username="second", email="sanne@example.org"))


def test_people_without_email_do_not_clash():
    make_person("first", email="")
    assert not refused(lambda: User.objects.create_user(username="second", email=""))


def test_topics_are_seeded():
    names = set(Topic.objects.values_list("name", flat=True))
    assert {"Radicalisation", "Polarisation", "Nuisance", "Poverty"} <= names


def test_commit_records_a_year(circle, citizen):
    membership = citizen.memberships.get()
    membership.commit(datetime.date(2026, 2, 1))
    membership.refresh_from_db()
    assert membership.committed_on == datetime.date(2026, 2, 1)
    assert membership.commitment_until == datetime.date(2027, 2, 1)
    assert membership.commitment_agreed_text == circle.commitment


def test_commit_keeps_the_text_in_the_history(circle, citizen):
    circle.commitment_text = "We eat together and keep in touch."
    circle.save()
    citizen.memberships.get().commit(datetime.date(2026, 2, 1))
    circle.commitment_text = "We eat together every month."
    circle.save()
    membership = citizen.memberships.get()
    membership.commit(datetime.date(2026, 3, 1))
    agreed = membership.history.order_by("history_id").values_list(
        "commitment_agreed_text", flat=True
    )
    assert list(agreed) == [
        "",
        "We eat together and keep in touch.",
        "We eat together every month.",
    ]


@time_machine.travel(datetime.datetime(2026, 6, 5, 10, tzinfo=datetime.UTC))
def test_a_new_membership_carries_the_commitment_of_the_latest_ended_one_while_it_runs(
    circle, citizen, clerk, officer
):
    def rejoin(person) -> Membership:
        return Membership.objects.create(person=person, circle=circle, sector=Sector.POLICE)

    def leave(membership, committed_on, left_on):
        membership.commit(today=committed_on)
        membership.end(left_on)

    for person in (citizen, clerk, officer):
        Membership.objects.filter(person=person).update(joined_on=datetime.date(2024, 1, 1))
    leave(citizen.memberships.get(), datetime.date(2025, 6, 5), datetime.date(2026, 5, 1))
    leave(clerk.memberships.get(), datetime.date(2025, 6, 4), datetime.date(2026, 5, 1))
    leave(officer.memberships.get(), datetime.date(2025, 9, 1), datetime.date(2025, 12, 1))
    Membership.objects.create(  # back for a while, as the admin records it: without committing
        person=officer,
        circle=circle,
        sector=Sector.POLICE,
        joined_on=datetime.date(2025, 12, 2),
        left_on=datetime.date(2026, 5, 1),
    )
    # Runs until today, 5 June 2026, inclusive: carried, with its text and when it was given.
    carried = rejoin(citizen)
    assert (carried.committed_on, carried.commitment_until) == (
        datetime.date(2025, 6, 5),
        datetime.date(2026, 6, 5),
    )
    assert carried.commitment_agreed_text == circle.commitment
    carried.refresh_from_db()
    assert carried.commitment_agreed_key == circle.commitment_key
    assert rejoin(clerk).commitment_until is None  # it ran out yesterday
    assert rejoin(officer).commitment_until is None  # not on the latest membership ended


def test_cancel_keeps_the_meeting_and_bumps_the_sequence(meeting):
    meeting.cancel()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert meeting.sequence == 1


@pytest.mark.parametrize(
    ("kind", "title", "language", "expected"),
    [
        ("dinner", "", "en", "the dinner of 3 December 2026"),
        ("dinner", "Winter dinner", "en", "the dinner “Winter dinner” of 3 December 2026"),
        ("extra", "", "en", "the extra meeting of 3 December 2026"),
        ("extra", "Unrest", "en", "the extra meeting “Unrest” of 3 December 2026"),
        ("dinner", "", "nl", "het diner van 3 december 2026"),
        ("dinner", "Winterdiner", "nl", "het diner “Winterdiner” van 3 december 2026"),
        ("extra", "", "nl", "de extra bijeenkomst van 3 december 2026"),
        ("extra", "Onrust", "nl", "de extra bijeenkomst “Onrust” van 3 december 2026"),
    ],
)
def test_a_meeting_is_named_in_a_sentence_by_its_kind_and_title(
    circle, kind, title, language, expected
):
    starts = datetime.datetime(2026, 12, 3, 19, 0, tzinfo=datetime.UTC)
    meeting = Meeting(circle=circle, kind=kind, title=title, starts_at=starts)
    with translation.override(language):
        assert meeting.reference() == expected


def test_a_meeting_named_in_a_sentence_may_give_the_weekday(circle):
    starts = datetime.datetime(2026, 12, 3, 19, 0, tzinfo=datetime.UTC)
    meeting = Meeting(circle=circle, starts_at=starts)
    with translation.override("nl"):
        assert meeting.reference("l j F Y") == "het diner van donderdag 3 december 2026"


def test_circles_for_user_leaves_out_ended_memberships(circle, other_circle, citizen):
    assert list(Circle.objects.for_user(citizen)) == [circle]
    citizen.memberships.get().end()
    assert list(Circle.objects.for_user(citizen)) == []


def test_the_migrations_hold_every_change_to_the_models():
    """What the tests and the benchmark build comes from the migrations; a model change
    without its migration would go unnoticed there and fail on the first deploy."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
