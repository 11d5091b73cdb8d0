"""A member with a trail through every table, for the privacy tests: Fatima answers, attends,
owns and updates actions, is mentioned in minutes and in others' notes, and left a circle."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from actions.models import Action, ActionUpdate
from circles.models import Circle, Invitation, Membership, Sector
from meetings.models import Attendance, Meeting, Response, SentReminder
from polls.models import Poll, PollAnswer, PollOption, PollReminder
from tests.conftest import make_meeting, make_person

NAME = "Fatima Zahra Bouali"
EMAIL = "f.bouali@buurtnet.example"
PHONE = "+31687654321"


@pytest.fixture
def fatima(circle, other_circle, coordinator, officer, clerk):
    person = make_person(
        "fbouali",
        name=NAME,
        email=EMAIL,
        phone=PHONE,
        phone_shared_at=timezone.now(),
        dietary_needs="halal, no nuts",
        organisation="Buurtvereniging Noord",
    )
    Membership.objects.create(person=person, circle=circle, sector=Sector.COMMUNITY)
    left = Membership.objects.create(
        person=person,
        circle=other_circle,
        sector=Sector.COMMUNITY,
        joined_on=datetime.date(2024, 1, 1),
    )
    left.end(today=datetime.date(2025, 1, 1))
    held = make_meeting(
        circle,
        days_ahead=-40,
        status=Meeting.Status.HELD,
        minutes=f"{NAME} told about the playground. Call her on 06 87654321.",
    )
    coming = make_meeting(circle, days_ahead=10)
    for meeting in (held, coming):
        Response.objects.create(
            meeting=meeting,
            person=person,
            answer=Response.Answer.ATTENDING,
            dietary_needs="halal, no nuts",
            note="I bring my neighbour",
        )
        Response.objects.create(
            meeting=meeting,
            person=clerk,
            answer=Response.Answer.ATTENDING,
            dietary_needs="vegetarian",
            note=f"I will pick up {NAME}",
        )
    Attendance.objects.create(meeting=held, person=person)
    Attendance.objects.create(meeting=held, person=clerk)
    action = Action.objects.create(
        circle=circle,
        meeting=held,
        title=f"{NAME} and the police visit the school",
        description=f"Mail {EMAIL} for the key",
        created_by=coordinator,
    )
    action.owners.set([person, officer])
    action.title = f"{NAME} and the police visit the school together"
    action.save()  # a second history row carrying the name
    other_action = Action.objects.create(
        circle=circle, meeting=held, title="Clean the square", created_by=coordinator
    )
    other_action.owners.set([clerk])
    ActionUpdate.objects.create(action=action, author=person, text="Spoke to the head teacher")
    ActionUpdate.objects.create(action=action, author=officer, text=f"{PHONE} did not answer")
    LogEntry.objects.log_actions(
        user_id=coordinator.pk,
        queryset=[person],
        action_flag=CHANGE,
        change_message="Changed phone.",
        single_object=True,
    )
    assert ContentType.objects.exists()
    return person


def add_rows(person, circle: Circle, count: int):
    """More of everything for the person, for query-count tests."""
    neighbour = circle.memberships.exclude(person=person).first()
    for i in range(count):
        meeting = make_meeting(circle, days_ahead=-100 - i, host=person)
        Response.objects.create(meeting=meeting, person=person, answer="attending")
        Attendance.objects.create(meeting=meeting, person=person)
        action = Action.objects.create(
            circle=circle, meeting=meeting, title=f"Action {i}", created_by=person
        )
        action.owners.add(person)
        ActionUpdate.objects.create(action=action, author=person, text=f"Update {i}")
        # Changes the person made, to a meeting, an action and a neighbour's rows.
        for row in (meeting, action, neighbour):
            row._history_user = person
            row.save()
        their_answer = Response(meeting=meeting, person=neighbour.person, answer="maybe")
        their_answer._history_user = person
        their_answer.save()
        Membership.objects.create(
            person=person, circle=circle, sector=Sector.COMMUNITY, left_on=timezone.localdate()
        )
        Invitation.objects.create(
            circle=circle, person=person, sector=Sector.POLICE, answered_at=timezone.now()
        )
        poll = Poll.objects.create(circle=circle, venue_name="Town hall", created_by=person)
        option = PollOption.objects.create(poll=poll, starts_at=meeting.starts_at)
        PollAnswer.objects.create(option=option, person=person, answer="yes")
        PollReminder.objects.create(poll=poll, person=person)
        SentReminder.objects.create(
            kind="dinner", key=f"dinner:{meeting.pk}", meeting=meeting, person=person
        )
        SentReminder.objects.create(
            kind="action_due", key=f"action:{action.pk}", action=action, person=person
        )
        AccessAttempt.objects.create(
            username=person.username,
            ip_address="192.0.2.1",
            user_agent=f"Browser {meeting.pk}",
            failures_since_start=1,
            attempt_time=timezone.now(),
        )
        AccessFailureLog.objects.create(
            username=person.username, ip_address="192.0.2.1", attempt_time=timezone.now()
        )
        LogEntry.objects.log_actions(
            user_id=person.pk, queryset=[meeting], action_flag=CHANGE, single_object=True
        )


@pytest.fixture
def dutch_admin(client, admin_user):
    """A superuser reading Dutch, signed in."""
    admin_user.preferred_language = "nl"
    admin_user.save()
    client.force_login(admin_user)
    return client
