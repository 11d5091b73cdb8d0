import datetime

import pytest
import time_machine
from django.utils import timezone, translation

from actions.models import Action
from circles.models import DEFAULT_COMMITMENT, Membership, Sector
from meetings.models import Attendance, Meeting
from tests.conftest import (
    KEY_PAGE_MAX_QUERIES,
    count_queries,
    created_on,
    make_meeting,
    make_person,
)
from tests.polls.conftest import TO_CLOSE, passed_poll, poll_ahead


def url(circle):
    return f"/circles/{circle.pk}/"


def test_anonymous_is_sent_to_sign_in(client, circle):
    response = client.get(url(circle))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, circle, outsider):
    client.force_login(outsider)
    assert client.get(url(circle)).status_code == 404


def test_a_member_who_left_gets_404(client, circle, citizen):
    citizen.memberships.get().end()
    client.force_login(citizen)
    assert client.get(url(circle)).status_code == 404


def test_members_are_grouped_by_sector_with_organisation(client, circle, cast):
    cast["clerk"].organisation = "Gemeente Utrecht"
    cast["clerk"].save()
    client.force_login(cast["citizen"])
    html = client.get(url(circle)).content.decode()
    police, municipality, community = (
        html.index(">Police<"),
        html.index(">Municipality<"),
        html.index(">Community<"),
    )
    assert police < html.index("Officer") < municipality < html.index("Clerk") < community
    assert community < html.index("Citizen")
    assert "Gemeente Utrecht" in html
    assert "Outsider" not in html


def test_shared_numbers_have_call_and_whatsapp_links(client, circle, cast):
    client.force_login(cast["citizen"])
    html = client.get(url(circle)).content.decode()
    assert 'href="tel:+31612345002"' in html
    assert 'href="https://wa.me/31612345002"' in html
    assert 'href="tel:+31612345003"' in html


def test_numbers_without_consent_are_absent(client, circle, cast):
    client.force_login(cast["coordinator"])  # even a coordinator does not see them
    html = client.get(url(circle)).content.decode()
    for number in ("612345004", "612345001", "12 34 50 04", "12345004"):
        assert number not in html
    assert "612345002" in html


def test_a_withdrawn_consent_hides_the_number_again(client, circle, cast):
    cast["officer"].withdraw_phone_consent()
    client.force_login(cast["citizen"])
    html = client.get(url(circle)).content.decode()
    assert "612345002" not in html
    assert "12345002" not in html


def test_whatsapp_group_link_is_shown_to_members(client, circle, citizen):
    circle.whatsapp_link = "https://chat.whatsapp.com/AbCdEf1234567890GhIjKl"
    circle.save()
    client.force_login(citizen)
    html = client.get(url(circle)).content.decode()
    assert 'href="https://chat.whatsapp.com/AbCdEf1234567890GhIjKl"' in html


def keep_in_touch(html: str) -> str:
    return html[html.index('id="keep-in-touch"') : html.index('id="health-')]


@pytest.mark.parametrize(
    ("language", "prompt"),
    [
        ("en", "No WhatsApp group yet."),
        ("nl", "Nog geen WhatsApp-groep."),
    ],
)
def test_coordinators_are_asked_for_the_whatsapp_group_link(client, circle, cast, language, prompt):
    coordinator = cast["coordinator"]
    coordinator.preferred_language = language
    coordinator.save()
    client.force_login(coordinator)
    card = keep_in_touch(client.get(url(circle)).content.decode())
    assert prompt in card
    assert f'<a href="/circles/{circle.pk}/edit/#id_whatsapp_link">' in card
    # The settings form has the field the link goes to.
    form = client.get(f"/circles/{circle.pk}/edit/").content.decode()
    assert 'id="id_whatsapp_link"' in form
    # Members see nothing of a group there is not; with a link, there is nothing to ask.
    client.force_login(cast["citizen"])
    assert "whatsapp" not in keep_in_touch(client.get(url(circle)).content.decode()).lower()
    circle.whatsapp_link = "https://chat.whatsapp.com/AbCdEf1234567890GhIjKl"
    circle.save()
    client.force_login(coordinator)
    card = keep_in_touch(client.get(url(circle)).content.decode())
    assert "chat.whatsapp.com" in card and prompt not in card


def test_members_find_the_contacts_and_the_circle_calendar(client, circle, citizen):
    client.force_login(citizen)
    html = client.get(f"/circles/{circle.pk}/").content.decode()
    assert f'href="/circles/{circle.pk}/contacts.vcf"' in html
    assert f'href="/circles/{circle.pk}/calendar.ics"' in html


def test_it_shows_the_next_dinner_not_a_past_or_cancelled_one(client, circle, citizen):
    make_meeting(circle, days_ahead=-10, venue_name="Old place")
    make_meeting(circle, days_ahead=3, venue_name="Cancelled place", status="cancelled")
    make_meeting(circle, days_ahead=5, venue_name="Town hall Overvecht")
    make_meeting(circle, days_ahead=40, venue_name="Later place")
    client.force_login(citizen)
    html = client.get(url(circle)).content.decode()
    assert "Town hall Overvecht" in html
    for other in ("Old place", "Cancelled place", "Later place"):
        assert other not in html


def next_card(html: str) -> str:
    return html[html.index('id="next-dinner"') : html.index('id="keep-in-touch"')]


@pytest.mark.parametrize(
    ("language", "heading", "badge"),
    [("en", "Next meeting", "Extra meeting"), ("nl", "Volgende bijeenkomst", "Extra bijeenkomst")],
)
def test_an_extra_meeting_ahead_of_the_next_dinner_is_headed_as_a_meeting(
    client, circle, citizen, language, heading, badge
):
    citizen.preferred_language = language
    citizen.save()
    # The health panel's "next dinner planned" is the dinner after it: the card does not
    # claim to be the next dinner.
    extra = make_meeting(circle, days_ahead=5, kind="extra", title="After the unrest")
    make_meeting(circle, days_ahead=40)
    client.force_login(citizen)
    card = next_card(client.get(url(circle)).content.decode())
    assert f">{heading}</h2>" in card
    assert f'<span class="badge text-bg-info">{badge}</span>' in card
    assert "After the unrest · Police station" in card
    extra.cancel()
    card = next_card(client.get(url(circle)).content.decode())
    assert heading not in card and "badge" not in card


def test_it_says_when_no_dinner_is_planned(client, circle, citizen):
    client.force_login(citizen)
    assert "No dinner planned yet." in client.get(url(circle)).content.decode()


def test_it_lists_open_actions_with_their_owners(client, circle, other_circle, cast):
    today = timezone.localdate()
    late = Action.objects.create(
        circle=circle, title="Fix the lighting", due_date=today - datetime.timedelta(days=2)
    )
    late.owners.add(cast["clerk"], cast["citizen"])
    Action.objects.create(circle=circle, title="Finished walk", status="done")
    Action.objects.create(circle=circle, title="Dropped idea", status="dropped")
    Action.objects.create(circle=other_circle, title="Tilburg plan")
    client.force_login(cast["officer"])
    html = client.get(url(circle)).content.decode()
    assert "Fix the lighting" in html
    assert "overdue since" in html
    section = html[html.index("Open actions") :]
    assert "Clerk" in section and "Citizen" in section
    for hidden in ("Finished walk", "Dropped idea", "Tilburg plan"):
        assert hidden not in html


@time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC))
def test_it_shows_dinners_attended_this_year_against_the_target(client, circle, cast):
    def dinner(day, **extra):
        starts = datetime.datetime(*day, 18, tzinfo=datetime.UTC)
        return Meeting.objects.create(
            circle=circle,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            venue_name="x",
            **extra,
        )

    held = [dinner((2026, 2, 5), status="held"), dinner((2026, 4, 9), status="held")]
    last_year = dinner((2025, 11, 6), status="held")
    extra = dinner((2026, 5, 1), status="held", kind=Meeting.Kind.EXTRA)
    for meeting in held:
        Attendance.objects.create(meeting=meeting, person=cast["officer"])
    Attendance.objects.create(meeting=held[0], person=cast["clerk"])
    Attendance.objects.create(meeting=last_year, person=cast["clerk"])
    Attendance.objects.create(meeting=extra, person=cast["clerk"])
    client.force_login(cast["citizen"])
    html = client.get(url(circle)).content.decode()

    def row(name):
        start = html.index(f'<span class="member-name">{name}<')
        return html[start : html.index("</tr>", start)]

    assert "2 of 5" in row("Officer")
    assert "1 of 5" in row("Clerk")
    assert "0 of 5" in row("Citizen")


def first_year(circle, created: datetime.datetime, today: datetime.datetime):
    """The circle as created on `created`, seen on `today` (sign in there: a session started
    on the autouse day has expired by then)."""
    created_on(circle, created)
    return time_machine.travel(today, tick=False)


def members_part(html) -> str:
    """The members' section: its explanation and table."""
    start = html.index('id="members"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize(
    ("language", "aim", "first_year_says", "figures"),
    [
        (
            "en",
            "The circle aims at 5 dinners a year.",
            "The circle started in November 2026: 1 dinner counts for 2026, not 5.",
            ("1 of 1", "1 of 5", "0 of 5"),
        ),
        (
            "nl",
            "De kring streeft naar 5 diners per jaar.",
            "De kring is in november 2026 begonnen: voor 2026 telt 1 diner mee, niet 5.",
            ("1 van 1", "1 van 5", "0 van 5"),
        ),
    ],
)
def test_in_its_first_year_members_are_counted_against_that_years_target(
    client, circle, cast, language, aim, first_year_says, figures
):
    """Started on 20 November, the circle aims at one dinner that year: a member at its first
    dinner has held up their end, not "1 of 5"."""
    citizen = cast["citizen"]
    citizen.preferred_language = language
    citizen.save()
    created = datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC)
    with first_year(circle, created, datetime.datetime(2026, 12, 20, 12, tzinfo=datetime.UTC)):
        dinner = make_meeting(circle, days_ahead=-10, status="held")
        Attendance.objects.create(meeting=dinner, person=citizen)
        client.force_login(citizen)
        members = members_part(client.get(url(circle)).content.decode())
    assert aim in members and first_year_says in members
    first_year_figure, against_the_aim, next_year_figure = figures
    assert first_year_figure in citizen_row(members) and against_the_aim not in members
    with first_year(circle, created, datetime.datetime(2027, 1, 5, 12, tzinfo=datetime.UTC)):
        client.force_login(citizen)
        members = members_part(client.get(url(circle)).content.decode())
    assert aim in members and "2026" not in members
    assert next_year_figure in citizen_row(members)


def citizen_row(members) -> str:
    start = members.index('<span class="member-name">Citizen<')
    return members[start : members.index("</tr>", start)]


def test_a_circle_started_in_december_counts_no_dinner_against_a_target(client, circle, cast):
    created = datetime.datetime(2026, 12, 2, 9, tzinfo=datetime.UTC)
    with first_year(circle, created, datetime.datetime(2026, 12, 20, 12, tzinfo=datetime.UTC)):
        client.force_login(cast["citizen"])
        members = members_part(client.get(url(circle)).content.decode())
    assert "The circle started in December 2026: 0 dinners count for 2026, not 5." in members
    row = citizen_row(members)
    assert ">0</span>" in row and " of " not in row


@pytest.mark.parametrize(
    ("language", "column", "explained"),
    [
        ("en", "Dinners against the target", "dinners held so far since the member joined"),
        ("nl", "Diners tegenover het streefaantal", "tot nu toe zijn gehouden sinds het lid"),
    ],
)
def test_it_says_the_dinners_are_counted_against_the_target(
    client, circle, citizen, language, column, explained
):
    """A member's "2 of 5" here reads "2 of 3 held" in the year report: each page says what
    it counts the dinners against."""
    citizen.preferred_language = language
    citizen.save()
    client.force_login(citizen)
    html = client.get(url(circle)).content.decode()
    members = html[html.index('id="members"') :]
    assert f'<th scope="col" role="columnheader">{column}</th>' in members
    assert f'data-label="{column}"' in members
    assert explained in members[: members.index("</p>")]


@time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=datetime.UTC))
def test_a_dinner_still_ahead_is_not_counted_as_attended(client, circle, cast):
    """Attendance stored for a dinner that has not started (added in the admin, or kept when a
    held dinner was set back to planned and moved) counts neither here nor in the year report,
    which counts only the dinners held."""
    held = make_meeting(circle, days_ahead=-130, status="held")
    ahead = make_meeting(circle, days_ahead=87)  # 10 September
    for meeting in (held, ahead):
        Attendance.objects.create(meeting=meeting, person=cast["officer"])
    client.force_login(cast["citizen"])
    html = client.get(url(circle)).content.decode()
    start = html.index('<span class="member-name">Officer<')
    assert "1 of 5" in html[start : html.index("</tr>", start)]


@pytest.mark.parametrize("created_in", ["en", "nl"])
@pytest.mark.parametrize("reader", ["en", "nl"])
def test_the_standard_commitment_is_in_the_readers_language(
    client, circle, cast, created_in, reader
):
    with translation.override(created_in):
        circle.commitment_text = str(DEFAULT_COMMITMENT)
    circle.save()
    cast["citizen"].preferred_language = reader
    cast["citizen"].save()
    client.force_login(cast["citizen"])
    html = client.get(url(circle)).content.decode()
    expected = {"en": "As an ally I take part", "nl": "Als bondgenoot doe ik mee"}
    assert expected[reader] in html
    assert expected["nl" if reader == "en" else "en"] not in html


def test_members_see_only_their_own_commitment(client, circle, cast):
    circle.commitment_text = "We eat together and keep in touch."
    circle.save()
    client.force_login(cast["citizen"])
    html = client.get(url(circle)).content.decode()
    assert "We eat together and keep in touch." in html
    assert "I commit" in html
    assert "Commitments to follow up" not in html


@pytest.fixture
def first_of_march():
    """Today is 1 March 2026, from before the circle and its members are made: a member made on
    the real day would have joined after it, and not be a member yet in 2026."""
    with time_machine.travel(datetime.date(2026, 3, 1)):
        yield


def test_a_committed_member_sees_the_term_and_no_button(first_of_march, client, circle, citizen):
    citizen.memberships.get().commit()
    client.force_login(citizen)
    html = client.get(url(circle)).content.decode()
    assert "You agreed on 1 March 2026; your commitment runs until 1 March 2027." in html
    assert "I commit" not in html


def test_coordinators_see_who_has_not_agreed_or_runs_out_soon(first_of_march, client, circle, cast):
    today = datetime.date(2026, 3, 1)
    cast["officer"].memberships.get().commit(today=today - datetime.timedelta(days=350))
    cast["clerk"].memberships.get().commit(today=today - datetime.timedelta(days=100))
    cast["coordinator"].memberships.get().commit(today=today - datetime.timedelta(days=400))
    client.force_login(cast["coordinator"])
    html = client.get(url(circle)).content.decode()
    section = html[html.index("Commitments to follow up") : html.index('id="members"')]
    assert "Citizen: not agreed yet" in " ".join(section.split())
    assert "Officer" in section and "runs out on 16 March 2026" in section
    assert "Coordinator" in section and "ran out on 25 January 2026" in section
    assert "Clerk" not in section


def test_a_member_sees_that_the_commitment_changed_since_they_agreed(
    first_of_march, client, circle, citizen
):
    circle.commitment_text = "We eat together and keep in touch."
    circle.save()
    citizen.memberships.get().commit(today=datetime.date(2026, 2, 1))
    circle.commitment_text = "We eat together every month."
    circle.save()
    client.force_login(citizen)
    html = client.get(url(circle)).content.decode()
    assert "The circle's commitment has changed since you agreed." in html
    agreed = html[html.index("The text you agreed to") : html.index("</details>")]
    assert "We eat together and keep in touch." in agreed
    assert "I commit" in html  # to agree to the new text, though the term still runs


def test_the_same_commitment_saved_with_other_line_breaks_has_not_changed(client, circle, citizen):
    circle.commitment_text = "We eat together.\nWe keep in touch."
    circle.save()
    citizen.memberships.get().commit()
    circle.commitment_text = "We eat together.\r\nWe keep in touch."  # as a form sends it
    circle.save()
    client.force_login(citizen)
    html = client.get(url(circle)).content.decode()
    assert "The circle's commitment has changed since you agreed." not in html


@pytest.mark.parametrize("reader", ["en", "nl"])
def test_the_standard_commitment_in_another_language_has_not_changed(
    client, circle, citizen, reader
):
    with translation.override("en"):
        circle.commitment_text = str(DEFAULT_COMMITMENT)
    circle.save()
    with translation.override("nl"):
        citizen.memberships.get().commit()
    citizen.preferred_language = reader
    citizen.save()
    client.force_login(citizen)
    html = client.get(url(circle)).content.decode()
    assert "You agreed on" in html or "Je hebt op" in html
    assert "The text you agreed to" not in html
    assert "De tekst waarmee je instemde" not in html
    assert f'action="/circles/{circle.pk}/commit/"' not in html


def test_coordinators_see_who_agreed_to_an_earlier_text(first_of_march, client, circle, cast):
    for person in cast.values():
        for membership in person.memberships.all():
            membership.commit(today=datetime.date(2026, 2, 1))
    cast["citizen"].memberships.update(commitment_agreed_text="An earlier text.")
    client.force_login(cast["coordinator"])
    html = client.get(url(circle)).content.decode()
    section = " ".join(
        html[html.index("Commitments to follow up") : html.index('id="members"')].split()
    )
    assert "Citizen: runs out on 1 February 2027; agreed to an earlier text" in section
    assert "Officer" not in section


def test_coordinators_get_links_to_settings_invite_and_members(client, circle, cast):
    client.force_login(cast["coordinator"])
    html = client.get(url(circle)).content.decode()
    assert f'href="/circles/{circle.pk}/edit/"' in html
    assert f'href="/circles/{circle.pk}/members/invite/"' in html
    citizen_membership = cast["citizen"].memberships.get()
    assert f'href="/circles/{circle.pk}/members/{citizen_membership.pk}/edit/"' in html


def test_members_get_no_coordinator_links(client, circle, cast):
    client.force_login(cast["citizen"])
    html = client.get(url(circle)).content.decode()
    assert "/edit/" not in html
    assert "/members/invite/" not in html
    assert "/plan/" not in html


@time_machine.travel(datetime.datetime(2027, 3, 10, 12, tzinfo=datetime.UTC))
def test_coordinators_find_the_year_planner_of_this_year(client, circle, cast):
    client.force_login(cast["coordinator"])
    html = client.get(url(circle)).content.decode()
    assert f'href="/circles/{circle.pk}/plan/2027/"' in html
    assert "Plan 2027" in html


@time_machine.travel(datetime.datetime(2027, 11, 30, 12, tzinfo=datetime.UTC))
def test_once_this_years_dinners_are_all_planned_the_planner_of_next_year(client, circle, cast):
    circle.dinners_per_year = 2
    circle.save()
    make_meeting(circle, days_ahead=-30)
    client.force_login(cast["coordinator"])
    assert "Plan 2027" in client.get(url(circle)).content.decode()  # one more to plan
    make_meeting(circle, days_ahead=10)
    html = client.get(url(circle)).content.decode()
    assert f'href="/circles/{circle.pk}/plan/2028/"' in html and "Plan 2028" in html


@time_machine.travel(datetime.datetime(2027, 12, 20, 12, tzinfo=datetime.UTC))
def test_once_no_dinner_fits_this_year_the_planner_of_next_year(client, circle, cast):
    """Behind the target, but less than a fortnight is left of 2027."""
    make_meeting(circle, days_ahead=-30)
    client.force_login(cast["coordinator"])
    html = client.get(url(circle)).content.decode()
    assert "Behind the target" in html
    assert f'href="/circles/{circle.pk}/plan/2027/"' not in html
    assert f'href="/circles/{circle.pk}/plan/2028/"' in html and "Plan 2028" in html


def test_members_who_left_are_not_listed(client, circle, cast):
    cast["clerk"].memberships.get().end()
    client.force_login(cast["citizen"])
    html = client.get(url(circle)).content.decode()
    assert "Clerk" not in html


@pytest.mark.parametrize("sector", [Sector.POLICE, Sector.COMMUNITY])
def test_query_count_does_not_grow_with_members(client, circle, cast, sector):
    meeting = make_meeting(circle, days_ahead=-30, status="held")

    def add_member(n):
        person = make_person(
            f"member{n}", phone=f"+316123460{n:02}", phone_shared_at=timezone.now()
        )
        # Each agreed to the commitment, which is then changed: every member's agreed text
        # is compared with the circle's.
        Membership.objects.create(person=person, circle=circle, sector=sector).commit()
        Attendance.objects.create(meeting=meeting, person=person)
        Action.objects.create(circle=circle, title=f"Action {n}").owners.add(person)

    client.force_login(cast["coordinator"])
    for n in range(3):
        add_member(n)
    circle.commitment_text = "Come to three of the five dinners."
    circle.save()
    few = count_queries(client, url(circle))
    for n in range(3, 60):
        add_member(n)
    assert circle.memberships.active().count() == 64
    assert count_queries(client, url(circle)) == few
    assert few <= KEY_PAGE_MAX_QUERIES
    assert "agreed to an earlier text" in client.get(url(circle)).content.decode()


def test_a_long_member_list_is_paginated(client, circle, cast):
    for n in range(30):
        Membership.objects.create(
            person=make_person(f"zz{n:02}", name=f"Zz Member {n:02}"),
            circle=circle,
            sector=Sector.COMMUNITY,
        )
    client.force_login(cast["citizen"])
    first = client.get(url(circle)).content.decode()
    second = client.get(url(circle), {"members_page": 2}).content.decode()
    assert "Page 1 of 2" in first
    assert "Zz Member 29" not in first
    assert "Zz Member 29" in second


def test_open_actions_come_overdue_first_and_undated_last(client, circle, citizen):
    today = timezone.localdate()
    Action.objects.create(circle=circle, title="Undated idea")
    Action.objects.create(
        circle=circle, title="Next month", due_date=today + datetime.timedelta(30)
    )
    Action.objects.create(circle=circle, title="Last week", due_date=today - datetime.timedelta(7))
    client.force_login(citizen)
    html = client.get(url(circle)).content.decode()
    assert html.index("Last week") < html.index("Next month") < html.index("Undated idea")


def test_an_owner_without_a_name_is_shown_by_username_at_no_extra_cost(client, circle, cast):
    nameless = make_person("nameless", name="")
    Membership.objects.create(person=nameless, circle=circle, sector=Sector.COMMUNITY)
    action = Action.objects.create(circle=circle, title="Walk")
    action.owners.add(cast["officer"])
    client.force_login(cast["citizen"])
    named = count_queries(client, url(circle))
    action.owners.add(nameless)
    assert count_queries(client, url(circle)) == named
    section = client.get(url(circle)).content.decode().split("Open actions")[1]
    assert "nameless" in section


def test_the_circle_page_shows_its_health_and_open_polls(client, circle, cast):
    poll_ahead(circle, title="Spring dinner")
    client.force_login(cast["citizen"])
    html = client.get(f"/circles/{circle.pk}/").content.decode()
    assert "Circle health" in html
    assert "No dinner planned in the next 90 days." in html
    assert "Spring dinner" in html
    assert f"/circles/{circle.pk}/report/{timezone.localdate().year}/" in html
    assert "Absent from the last three dinners" not in html


def test_members_are_not_asked_about_a_poll_whose_dates_have_passed(client, circle, cast):
    over = passed_poll(circle)
    ahead = poll_ahead(circle, title="Still ahead")
    client.force_login(cast["citizen"])
    html = client.get(url(circle)).content.decode()
    assert f'href="/polls/{ahead.pk}/"' in html
    assert f'href="/polls/{over.pk}/"' not in html
    assert "has passed: close it" not in html  # theirs to close, not the members'


def test_coordinators_are_asked_to_close_a_poll_whose_dates_have_passed(client, circle, cast):
    over = passed_poll(circle)
    ahead = poll_ahead(circle, title="Still ahead")
    client.force_login(cast["coordinator"])
    html = client.get(url(circle)).content.decode()
    steps = html[html.index('id="next-steps"') : html.index('id="open-polls"')]
    assert TO_CLOSE.format("Extra meeting", "Overvecht Allies") in steps
    assert f'href="/polls/{over.pk}/close/"' in steps
    # A next step, not a question as well; the poll ahead is asked about as before.
    assert f'href="/polls/{over.pk}/"' not in html
    assert f'href="/polls/{ahead.pk}/"' in html


def test_query_count_with_polls_to_close_does_not_grow(client, circle, cast):
    client.force_login(cast["coordinator"])
    passed_poll(circle)
    poll_ahead(circle)
    few = count_queries(client, url(circle))
    for n in range(20):
        passed_poll(circle, title=f"Poll {n}")
        poll_ahead(circle)
    assert count_queries(client, url(circle)) == few
    assert client.get(url(circle)).content.decode().count("has passed: close it.") == 21
    assert few <= KEY_PAGE_MAX_QUERIES


def test_coordinators_are_told_who_stayed_away_from_three_dinners(client, circle, cast):
    for days_ago in (90, 60, 30):
        held = make_meeting(circle, days_ahead=-days_ago, status=Meeting.Status.HELD)
        Attendance.objects.create(meeting=held, person=cast["coordinator"])
    Membership.objects.filter(circle=circle).update(joined_on=datetime.date(2020, 1, 1))
    client.force_login(cast["coordinator"])
    html = client.get(f"/circles/{circle.pk}/").content.decode()
    assert "Absent from the last three dinners:" in html
    # In the order of the members list: police, municipality, community.
    assert "Officer, Clerk, Citizen" in html
