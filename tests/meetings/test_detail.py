import datetime
import re

import pytest
from django.utils import timezone

from actions.models import Action
from actions.services import action_add_update
from meetings.models import AgendaItem, Attendance, Meeting, Response, Topic
from tests.conftest import (
    KEY_PAGE_MAX_QUERIES,
    count_queries,
    make_meeting,
    make_person,
    planned_ahead,
)


def url(meeting):
    return f"/meetings/{meeting.pk}/"


@pytest.fixture
def answers(meeting, cast):
    Response.objects.create(
        meeting=meeting, person=cast["citizen"], answer="attending", dietary_needs="halal"
    )
    Response.objects.create(
        meeting=meeting, person=cast["clerk"], answer="attending", dietary_needs="vegetarian"
    )
    Response.objects.create(meeting=meeting, person=cast["officer"], answer="not_attending")


def action(circle, title, owners, **extra):
    made = Action.objects.create(circle=circle, title=title, **extra)
    made.owners.set(owners)
    return made


def test_anonymous_is_sent_to_sign_in(client, meeting):
    response = client.get(url(meeting))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, meeting, outsider):
    client.force_login(outsider)
    assert client.get(url(meeting)).status_code == 404


def test_a_member_who_left_gets_404(client, meeting, citizen):
    citizen.memberships.get().end()
    client.force_login(citizen)
    assert client.get(url(meeting)).status_code == 404


def test_it_shows_when_where_with_a_map_link(client, circle, citizen):
    meeting = make_meeting(
        circle,
        venue_name="Politiebureau Overvecht",
        venue_address="Zamenhofdreef 20, 3562 JW Utrecht",
        title="Spring dinner",
    )
    client.force_login(citizen)
    html = client.get(url(meeting)).content.decode()
    assert "Spring dinner" in html
    assert "Politiebureau Overvecht" in html and "police station" in html
    assert (
        "https://www.openstreetmap.org/search?query=Zamenhofdreef%2020%2C%203562%20JW%20Utrecht"
        in html
    )
    starts = timezone.localtime(meeting.starts_at)
    assert starts.strftime("%H:%M") in html


def test_the_page_title_starts_with_a_capital(client, meeting, citizen):
    client.force_login(citizen)
    html = client.get(url(meeting)).content.decode()
    assert re.search(r"<title>Dinner · \d+ \w+ \d{4}", html)


@pytest.mark.parametrize(
    ("language", "badge"), [("en", "Extra meeting"), ("nl", "Extra bijeenkomst")]
)
def test_a_titled_extra_meeting_says_it_is_one(client, circle, citizen, language, badge):
    citizen.preferred_language = language
    citizen.save()
    extra = make_meeting(circle, kind="extra", title="After the unrest")
    client.force_login(citizen)
    html = client.get(url(extra)).content.decode()
    heading = html[html.index("<h1") : html.index("</h1>")]
    assert "After the unrest, " in heading
    assert f'<span class="badge text-bg-info">{badge}</span>' in heading
    # Untitled, the heading says the kind; a titled dinner is what meetings usually are.
    extra.title = ""
    extra.save()
    dinner = make_meeting(circle, title="Spring dinner")
    assert "text-bg-info" not in client.get(url(extra)).content.decode()
    assert "text-bg-info" not in client.get(url(dinner)).content.decode()


def test_it_shows_the_agenda_in_order(client, meeting, citizen):
    AgendaItem.objects.create(meeting=meeting, title="Second point", order=2)
    AgendaItem.objects.create(
        meeting=meeting, topic=Topic.objects.get(name="Polarisation"), order=1, notes="Flags"
    )
    client.force_login(citizen)
    html = client.get(url(meeting)).content.decode()
    assert html.index("Polarisation") < html.index("Flags") < html.index("Second point")


def test_members_see_who_comes_but_not_dietary_needs(client, meeting, cast, answers):
    client.force_login(cast["officer"])
    html = client.get(url(meeting)).content.decode()
    assert "Attending (2)" in html and "Not attending (1)" in html
    assert "Citizen" in html and "Clerk" in html
    assert "halal" not in html and "vegetarian" not in html
    assert "Catering" not in html


def test_the_lists_of_who_comes_are_headed_as_lists_in_dutch(client, meeting, cast, answers):
    cast["officer"].preferred_language = "nl"
    cast["officer"].save()
    client.force_login(cast["officer"])
    html = client.get(url(meeting)).content.decode()
    assert "Komen (2)" in html and "Komen niet (1)" in html and "Misschien (0)" in html
    assert "Ik kom (2)" not in html


def test_i_see_my_own_answer_and_dietary_needs(client, meeting, cast, answers):
    client.force_login(cast["citizen"])
    html = client.get(url(meeting)).content.decode()
    assert "halal" in html  # my own
    assert "vegetarian" not in html  # someone else's
    assert "Change my answer" in html


def test_coordinators_see_the_catering_summary(client, meeting, cast, answers):
    Response.objects.create(
        meeting=meeting, person=cast["coordinator"], answer="maybe", dietary_needs="no nuts"
    )
    client.force_login(cast["coordinator"])
    html = client.get(url(meeting)).content.decode()
    assert "Catering" in html
    assert "2 people come, 1 maybe." in html
    assert "halal" in html and "vegetarian" in html
    # whoever orders the food plans for a maybe too
    assert re.search(r"Coordinator <span[^>]*>\(maybe\)</span></td><td>no nuts</td>", html)
    assert "No answer yet (0)" in html


def test_coordinators_see_the_notes_members_do_not(client, meeting, cast, answers):
    Response.objects.filter(person=cast["citizen"]).update(note="I come at 19:15")
    Response.objects.filter(person=cast["officer"]).update(note="On duty that night")
    client.force_login(cast["coordinator"])
    html = client.get(url(meeting)).content.decode()
    assert "Notes with the answers" in html
    assert re.search(r"Citizen</strong> <span[^>]*>\(attending\)</span>: I come at 19:15", html)
    assert re.search(r"Officer</strong> <span[^>]*>\(not attending\)</span>: On duty", html)
    client.force_login(cast["clerk"])
    html = client.get(url(meeting)).content.decode()
    assert "I come at 19:15" not in html and "On duty that night" not in html


def test_coordinators_see_who_has_not_answered(client, meeting, cast):
    Response.objects.create(meeting=meeting, person=cast["citizen"], answer="maybe")
    client.force_login(cast["coordinator"])
    html = client.get(url(meeting)).content.decode()
    assert "No answer yet (3)" in html


def test_open_actions_are_on_the_next_meetings_agenda_only(client, circle, meeting, cast):
    later = make_meeting(circle, days_ahead=60)
    action(circle, "Ask for street lights", [cast["clerk"], cast["citizen"]])
    action(circle, "Visit the mosque", [cast["officer"]], status="in_progress")
    action(circle, "Walk with youth workers", [cast["officer"]], status="done")
    action(circle, "Old plan", [cast["officer"]], status="dropped")
    client.force_login(cast["citizen"])
    html = client.get(url(meeting)).content.decode()
    assert "Ask for street lights" in html and "Visit the mosque" in html
    assert "Walk with youth workers" not in html and "Old plan" not in html
    assert "Clerk, Citizen" in html or "Citizen, Clerk" in html
    assert "Ask for street lights" not in client.get(url(later)).content.decode()


def test_a_cancelled_next_meeting_passes_the_actions_on(client, circle, meeting, cast):
    later = make_meeting(circle, days_ahead=60)
    action(circle, "Ask for street lights", [cast["clerk"]])
    meeting.cancel()
    client.force_login(cast["citizen"])
    assert "Ask for street lights" not in client.get(url(meeting)).content.decode()
    assert "Ask for street lights" in client.get(url(later)).content.decode()


def test_once_held_it_shows_attendance_minutes_and_actions(client, circle, cast):
    held = make_meeting(
        circle, days_ahead=-3, status=Meeting.Status.HELD, minutes="We talked about lights."
    )
    Attendance.objects.create(meeting=held, person=cast["citizen"])
    Attendance.objects.create(meeting=held, person=cast["officer"])
    action(circle, "Ask for street lights", [cast["clerk"]], meeting=held)
    client.force_login(cast["clerk"])
    html = client.get(url(held)).content.decode()
    assert "Attendance: 2 people" in html
    assert "We talked about lights." in html
    assert "Actions agreed" in html and "Ask for street lights" in html
    assert f"/meetings/{held.pk}/respond/" not in html
    # The answers given before it are past: the attendance says who came.
    assert "My answer" not in html and "Who comes" not in html and "Catering" not in html


def test_the_attendance_marks_who_left_the_circle_since(client, circle, cast):
    held = make_meeting(circle, days_ahead=-3, status=Meeting.Status.HELD)
    for person in (cast["citizen"], cast["officer"]):
        Attendance.objects.create(meeting=held, person=person)
    cast["citizen"].memberships.get().end()
    client.force_login(cast["clerk"])
    html = " ".join(client.get(url(held)).content.decode().split())
    attendance = html.split('id="attendance"')[1].split("</section>")[0]
    assert "Attendance: 2 people" in attendance
    assert (
        '<p>Citizen <span class="text-body-secondary">(left the circle)</span>, Officer</p>'
        in attendance
    )


def test_a_past_meeting_without_an_agenda_does_not_promise_one(client, circle, meeting, cast):
    held = make_meeting(circle, days_ahead=-3, status=Meeting.Status.HELD)
    client.force_login(cast["citizen"])
    assert "No agenda yet." in client.get(url(meeting)).content.decode()
    html = client.get(url(held)).content.decode()
    assert "No agenda was set." in html and "No agenda yet." not in html


def test_coordinators_get_the_buttons_members_do_not(client, meeting, cast):
    client.force_login(cast["coordinator"])
    html = client.get(url(meeting)).content.decode()
    assert f"/meetings/{meeting.pk}/edit/" in html and f"/meetings/{meeting.pk}/cancel/" in html
    assert f"/meetings/{meeting.pk}/record/" not in html  # not started yet
    client.force_login(cast["citizen"])
    html = client.get(url(meeting)).content.decode()
    assert f"/meetings/{meeting.pk}/edit/" not in html


def test_a_cancelled_meeting_shows_no_answers_or_catering(client, meeting, cast, answers):
    meeting.cancel()
    client.force_login(cast["coordinator"])
    html = client.get(url(meeting)).content.decode()
    assert "This meeting is cancelled." in html
    for gone in ("Who comes", "Catering", "No answer yet", "My answer", "halal"):
        assert gone not in html


@pytest.mark.parametrize(
    ("language", "lead", "schedule", "poll"),
    [
        ("en", "Plan a new date:", "Schedule a new meeting", "Start a date poll"),
        ("nl", "Plan een nieuwe datum:", "Nieuwe bijeenkomst plannen", "Start een datumprikker"),
    ],
)
def test_a_cancelled_meeting_offers_its_coordinators_a_new_date(
    client, circle, cast, language, lead, schedule, poll
):
    coordinator = cast["coordinator"]
    coordinator.preferred_language = language
    coordinator.save()
    extra = make_meeting(circle, kind="extra")
    client.force_login(coordinator)
    new = f'href="/circles/{circle.pk}/meetings/new/?kind=extra"'
    assert new not in client.get(url(extra)).content.decode()
    extra.cancel(reason="The venue is closed.")
    html = client.get(url(extra)).content.decode()
    assert lead in html
    assert f'{new}><i class="bi bi-calendar-plus" aria-hidden="true"></i> {schedule}</a>' in html
    assert f'href="/circles/{circle.pk}/polls/new/?kind=extra"' in html and poll in html
    # Members cannot plan: they read only that it is cancelled.
    client.force_login(cast["citizen"])
    html = client.get(url(extra)).content.decode()
    assert "/meetings/new/" not in html and "/polls/new/" not in html


def test_a_cancelled_meeting_says_why(client, meeting, cast):
    meeting.cancel(reason="The venue is closed.\nA date poll follows.")
    client.force_login(cast["citizen"])
    html = client.get(url(meeting)).content.decode()
    said = "This meeting is cancelled.<br>Reason: The venue is closed.<br>A date poll follows."
    assert said in html


def test_the_reason_is_escaped(client, meeting, cast):
    meeting.cancel(reason="<script>alert('x')</script> & co")
    client.force_login(cast["citizen"])
    html = client.get(url(meeting)).content.decode()
    assert "Reason: &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in html
    assert "<script>alert" not in html


def test_a_cancelled_meeting_without_a_reason_gives_none(client, meeting, cast):
    meeting.cancel()
    client.force_login(cast["citizen"])
    html = client.get(url(meeting)).content.decode()
    assert '<p class="alert alert-warning">This meeting is cancelled.</p>' in html
    assert "Reason:" not in html


def test_the_dutch_page_gives_the_reason_in_dutch(client, meeting, cast):
    cast["citizen"].preferred_language = "nl"
    cast["citizen"].save()
    meeting.cancel(reason="De locatie is dicht.")
    client.force_login(cast["citizen"])
    html = client.get(url(meeting)).content.decode()
    assert "Deze bijeenkomst is geannuleerd.<br>Reden: De locatie is dicht." in html


def entered_afterwards(circle, **extra) -> Meeting:
    """A meeting entered two days after it took place, to record it: nobody was asked."""
    return make_meeting(circle, days_ahead=-2, **extra)


def scheduled_ahead(circle, **extra) -> Meeting:
    """A meeting that took place two days ago, entered a month before."""
    return planned_ahead(make_meeting(circle, days_ahead=-2, **extra))


ANSWERS = ("My answer", "Not answered yet", "Who comes", "No answer yet", "Catering")


@pytest.mark.parametrize(
    ("language", "badge", "note", "record"),
    [
        (
            "en",
            "not recorded yet",
            "Entered after it took place: record who came, the minutes and the actions.",
            "Record attendance and minutes",
        ),
        (
            "nl",
            "nog niet vastgelegd",
            "Achteraf ingevoerd: leg vast wie er waren, het verslag en de actiepunten.",
            "Aanwezigheid en verslag vastleggen",
        ),
    ],
)
def test_a_meeting_entered_after_it_took_place_asks_its_coordinators_to_record_it(
    client, circle, cast, language, badge, note, record
):
    coordinator = cast["coordinator"]
    coordinator.preferred_language = language
    coordinator.save()
    meeting = entered_afterwards(circle)
    client.force_login(coordinator)
    html = client.get(url(meeting)).content.decode()
    assert f'<span class="badge text-bg-warning">{badge}</span>' in html
    assert note in html
    # One record button, beside the note.
    assert html.count(f'href="/meetings/{meeting.pk}/record/"') == 1
    assert html.index(note) < html.index(f"</i> {record}</a>")
    for gone in ANSWERS:
        assert gone not in html
    assert "Mijn antwoord" not in html and "Wie komt er" not in html


def test_its_members_read_that_the_coordinators_will_record_it(client, circle, cast):
    meeting = entered_afterwards(circle, status=Meeting.Status.CONFIRMED)
    client.force_login(cast["citizen"])
    html = client.get(url(meeting)).content.decode()
    assert "Its coordinators will record who came." in html
    assert "/record/" not in html and "Entered after it took place" not in html
    for gone in ANSWERS:
        assert gone not in html
    cast["citizen"].preferred_language = "nl"
    cast["citizen"].save()
    html = client.get(url(meeting)).content.decode()
    assert "De coördinatoren leggen vast wie er waren." in html


def test_a_meeting_scheduled_ahead_keeps_its_answers_once_it_took_place(client, circle, cast):
    meeting = scheduled_ahead(circle)
    Response.objects.create(meeting=meeting, person=cast["citizen"], answer="attending")
    client.force_login(cast["coordinator"])
    html = client.get(url(meeting)).content.decode()
    for kept in ANSWERS:
        assert kept in html
    assert "Answers closed when the meeting started." in html
    assert '<span class="badge text-bg-light border">planned</span>' in html
    assert "Entered after it took place" not in html and "not recorded yet" not in html
    assert html.count(f'href="/meetings/{meeting.pk}/record/"') == 1


def test_a_recorded_meeting_entered_afterwards_reads_as_held(client, circle, cast):
    meeting = entered_afterwards(
        circle, status=Meeting.Status.HELD, minutes="We met.", recorded_at=timezone.now()
    )
    client.force_login(cast["coordinator"])
    html = client.get(url(meeting)).content.decode()
    assert '<span class="badge text-bg-secondary">held</span>' in html
    assert "We met." in html and "Change the record" in html
    assert "Entered after it took place" not in html and "not recorded yet" not in html


def test_a_cancelled_meeting_entered_afterwards_offers_no_new_date(client, circle, cast):
    """Cancelled, it was entered by mistake: there is nothing to plan again."""
    meeting = entered_afterwards(circle)
    meeting.cancel(reason="Entered twice.")
    client.force_login(cast["coordinator"])
    html = client.get(url(meeting)).content.decode()
    assert "This meeting is cancelled.<br>Reason: Entered twice." in html
    assert "Plan a new date:" not in html and "/meetings/new/" not in html
    assert "/polls/new/" not in html
    assert "Entered after it took place" not in html
    cancelled_ahead = scheduled_ahead(circle)
    cancelled_ahead.cancel()
    assert "Plan a new date:" in client.get(url(cancelled_ahead)).content.decode()


def test_members_can_add_the_meeting_to_their_calendar(client, meeting, cast):
    client.force_login(cast["citizen"])
    html = client.get(url(meeting)).content.decode()
    assert f'href="/meetings/{meeting.pk}/meeting.ics"' in html
    assert "Add to my calendar" in html


def test_a_cancelled_meeting_offers_no_calendar_file(client, meeting, cast):
    meeting.cancel()
    client.force_login(cast["citizen"])
    html = client.get(url(meeting)).content.decode()
    assert "meeting.ics" not in html


def test_query_count_does_not_grow_with_actions_and_answers(client, circle, meeting, cast):
    client.force_login(cast["coordinator"])
    for n in range(3):
        action(circle, f"Action {n}", [cast["citizen"], cast["clerk"]])
        make_meeting(circle, days_ahead=30 + n)
        AgendaItem.objects.create(meeting=meeting, title=f"Item {n}", order=n)
    few = count_queries(client, url(meeting))
    for n in range(57):
        action(circle, f"More {n}", [cast["officer"]], due_date=datetime.date(2020, 1, 1))
        make_meeting(circle, days_ahead=40 + n)
        AgendaItem.objects.create(meeting=meeting, title=f"More {n}", order=10 + n)
        person = make_person(f"p{n}")
        circle.memberships.create(person=person, sector="community")
        Response.objects.create(meeting=meeting, person=person, answer="attending")
    assert count_queries(client, url(meeting)) == few
    assert few <= KEY_PAGE_MAX_QUERIES


def test_query_count_of_a_held_meeting_does_not_grow(client, circle, cast):
    held = make_meeting(circle, days_ahead=-3, status=Meeting.Status.HELD)
    client.force_login(cast["coordinator"])
    for n in range(3):
        action(circle, f"Action {n}", [cast["citizen"]], meeting=held)
    few = count_queries(client, url(held))
    for n in range(57):
        action(circle, f"More {n}", [cast["officer"], cast["clerk"]], meeting=held)
        person = make_person(f"p{n}")
        circle.memberships.create(person=person, sector="community")
        Attendance.objects.create(meeting=held, person=person)
    assert count_queries(client, url(held)) == few
    assert few <= KEY_PAGE_MAX_QUERIES


# The actions carried to a meeting that took place: those open when it began.


def before(meeting, days: int) -> datetime.datetime:
    return meeting.starts_at - datetime.timedelta(days=days)


def test_a_held_meeting_shows_the_actions_reviewed_there_with_their_status_now(
    client, circle, cast, time_machine
):
    held = planned_ahead(make_meeting(circle, days_ahead=-3, status=Meeting.Status.HELD))
    time_machine.move_to(before(held, 60))
    earlier = make_meeting(circle, days_ahead=-1)
    lights = action(circle, "Ask for street lights", [cast["clerk"]], meeting=earlier)
    done_since = action(circle, "Visit the mosque", [cast["officer"]], meeting=earlier)
    done_before = action(circle, "Walk with youth workers", [cast["officer"]], meeting=earlier)
    time_machine.move_to(before(held, 10))
    action_add_update(action=done_before, author=cast["officer"], new_status="done")
    time_machine.move_to(held.starts_at + datetime.timedelta(hours=1))
    action_add_update(action=done_since, author=cast["officer"], new_status="done")
    action(circle, "Agreed that evening", [cast["citizen"]], meeting=held)
    time_machine.move_to(held.starts_at + datetime.timedelta(days=3))
    client.force_login(cast["citizen"])
    html = client.get(url(held)).content.decode()
    reviewed = html[html.index('id="reviewed"') : html.index('id="agreed"')]
    assert "Ask for street lights" in reviewed and "Visit the mosque" in reviewed
    assert "Walk with youth workers" not in html  # done before the meeting: not carried to it
    assert "Agreed that evening" not in reviewed
    assert re.search(r"Visit the mosque</a>\s*<span[^>]*>done</span>", reviewed)
    assert f'href="/actions/{lights.pk}/"' in reviewed
    # Not also on its agenda, as "Open actions" of a meeting ahead.
    assert "Open actions" not in html


def test_a_meeting_under_way_keeps_the_actions_open_when_it_began(
    client, circle, cast, time_machine
):
    under_way = planned_ahead(make_meeting(circle, days_ahead=-1))
    under_way.ends_at = timezone.now() + datetime.timedelta(hours=1)
    under_way.save()
    time_machine.move_to(before(under_way, 30))
    action(circle, "Ask for street lights", [cast["clerk"]])
    time_machine.move_to(under_way.ends_at - datetime.timedelta(minutes=30))
    action(circle, "Agreed just now", [cast["citizen"]], meeting=under_way)
    client.force_login(cast["citizen"])
    html = client.get(url(under_way)).content.decode()
    agenda = html[html.index('id="agenda"') :]
    assert "Open actions" in agenda and "Ask for street lights" in agenda
    assert "Agreed just now" not in html
    # Ended and not recorded yet, it still shows them on its agenda.
    time_machine.move_to(under_way.ends_at + datetime.timedelta(days=1))
    assert "Ask for street lights" in client.get(url(under_way)).content.decode()


def test_query_count_of_a_held_meeting_does_not_grow_with_the_actions_reviewed(
    client, circle, cast, time_machine
):
    held = planned_ahead(make_meeting(circle, days_ahead=-3, status=Meeting.Status.HELD))
    client.force_login(cast["coordinator"])

    def carry(n, prefix):
        now = timezone.now()
        time_machine.move_to(before(held, 20))
        for i in range(n):
            carried = action(circle, f"{prefix} {i}", [cast["citizen"], cast["clerk"]])
            action_add_update(action=carried, author=cast["clerk"], text="Called them.")
        time_machine.move_to(now)

    carry(2, "Action")
    few = count_queries(client, url(held))
    carry(30, "More")
    html = client.get(url(held)).content.decode()
    assert "More 29" in html[html.index('id="reviewed"') :]
    assert count_queries(client, url(held)) == few
    assert few <= KEY_PAGE_MAX_QUERIES
