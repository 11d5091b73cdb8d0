"""The journeys of issue 8, each from the sign-in page by clicking and typing as a person would.

Journeys 1-4 run at a desktop and on a phone (the `screen` fixture): on the phone every control
is tapped within the screen and no page scrolls sideways. Journey 6 (the language) is
test_language_journey.py. Each journey ends by checking what was stored, not only what the
page says.
"""

import datetime
import re
from urllib.parse import urlparse

import vobject
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action
from allies.management.commands.seed_demo import DEMO_PASSWORD
from circles import services
from circles.models import VenueKind
from meetings.models import Meeting, Response
from meetings.planner import is_public_holiday
from tests.e2e.conftest import TODAY, assert_accessible, assert_words_whole, sign_in
from tests.ical import parse

LIGHTING = "Ask the municipality for better lighting in the underpass"


def test_1_a_coordinator_plans_next_years_dinners_with_a_venue_and_an_agenda(screen, overvecht):
    page, next_year = screen.page, TODAY.year + 1
    sign_in(page, "coordinator", DEMO_PASSWORD)
    screen.arrive("Welcome, Sanne de Vries")
    circles = page.get_by_role("region", name="My circles")
    screen.press(circles.get_by_role("link", name="Overvecht Allies", exact=True))
    screen.arrive("Overvecht Allies")
    screen.press(page.get_by_role("link", name=f"Plan {TODAY.year}", exact=True))
    screen.arrive(f"The dinners of {TODAY.year}")
    screen.press(
        page.get_by_role("navigation", name="Other years").get_by_role("link", name=str(next_year))
    )
    screen.arrive(f"The dinners of {next_year}")

    expect(page.get_by_text(f"0 of 5 dinners planned in {next_year}.")).to_be_visible()
    expect(page.get_by_role("group", name=re.compile(r"^Dinner \d$"))).to_have_count(5)
    first = page.get_by_role("group", name="Dinner 1")
    expect(first.get_by_label("Plan this dinner")).to_be_checked()
    screen.fill(first.get_by_label("Venue", exact=True), "Stadhuis Utrecht")
    screen.fill(first.get_by_label("Address"), "Stadsplateau 1, 3521 AZ Utrecht")
    screen.choose(first.get_by_label("Venue kind"), "town hall")
    screen.choose(first.get_by_label("Host"), "Anouk Jansen")
    screen.press(page.get_by_role("button", name="Plan these dinners"))

    expect(page.get_by_text("5 dinners planned.")).to_be_visible()
    expect(page.get_by_text(f"5 of 5 dinners planned in {next_year}.")).to_be_visible()
    calendar = page.get_by_role("region", name="Already in the calendar")
    expect(calendar.get_by_role("row")).to_have_count(6)  # the header and five dinners
    expect(calendar.get_by_role("row").nth(1)).to_contain_text("Stadhuis Utrecht")
    assert_words_whole(calendar.get_by_role("cell").or_(calendar.get_by_role("columnheader")))
    screen.press(calendar.get_by_role("row").nth(1).get_by_role("link"))
    screen.arrive(re.compile(rf"^Dinner, \d+ \w+ {next_year} planned"))
    expect(page.get_by_text("Stadhuis Utrecht (town hall)")).to_be_visible()
    expect(page.get_by_text("No agenda yet.")).to_be_visible()

    screen.press(page.get_by_role("link", name="Edit meeting and agenda"))
    screen.arrive("Edit meeting and agenda")
    item = page.get_by_role("group", name="Item 1")
    screen.choose(item.get_by_label("Topic"), "Polarisation")
    screen.fill(item.get_by_label("Notes"), "What the election did to the neighbourhood.")
    screen.fill(page.get_by_role("group", name="Item 2").get_by_label("Title"), "Summer festival")
    screen.press(page.get_by_role("button", name="Save", exact=True))

    expect(page.get_by_text("The meeting is saved.")).to_be_visible()
    agenda = page.get_by_role("region", name="Agenda")
    expect(agenda.get_by_role("listitem")).to_have_text(
        ["Polarisation What the election did to the neighbourhood.", "Summer festival"]
    )

    dinners = list(overvecht.meetings.filter(starts_at__year=next_year).order_by("starts_at"))
    assert len(dinners) == 5
    for dinner in dinners:
        day = timezone.localtime(dinner.starts_at).date()
        assert dinner.kind == Meeting.Kind.DINNER and dinner.status == Meeting.Status.PLANNED
        assert day.weekday() == overvecht.preferred_weekday and not is_public_holiday(day)
    town_hall, *others = dinners
    assert (town_hall.venue_name, town_hall.venue_kind) == ("Stadhuis Utrecht", VenueKind.TOWN_HALL)
    assert town_hall.host.username == "clerk"
    assert [(str(i.topic or ""), i.title) for i in town_hall.agenda_items.order_by("order")] == [
        ("Polarisation", ""),
        ("", "Summer festival"),
    ]
    assert {dinner.venue_name for dinner in others} == {overvecht.default_venue_name}


def test_2_a_member_answers_attending_with_a_dietary_need_then_not_attending(screen, overvecht):
    page = screen.page
    sign_in(page, "citizen", DEMO_PASSWORD)
    screen.arrive("Welcome, Fatima El Amrani")
    # Of her next dinners she picks the one she has not answered yet.
    dinners = page.get_by_role("region", name="My next dinners")
    unanswered = dinners.locator(".card").filter(has_text="not answered yet")
    expect(unanswered).to_have_count(1)
    screen.press(unanswered.get_by_role("heading").get_by_role("link"))
    screen.arrive(re.compile(r"^Dinner, "))
    my_answer = page.get_by_role("region", name="My answer")
    expect(my_answer).to_contain_text("Not answered yet.")

    screen.press(my_answer.get_by_role("link", name="Answer"))
    screen.arrive("Will you come?")
    screen.press(page.get_by_role("radio", name="attending", exact=True))
    dietary = page.get_by_label("Dietary needs")
    expect(dietary).to_have_value("halal")  # from her profile
    screen.fill(dietary, "halal, no alcohol in the sauce")
    screen.fill(page.get_by_label("Note"), "I come straight from work.")
    screen.press(page.get_by_role("button", name="Save my answer"))

    expect(page.get_by_text("Your answer is saved.")).to_be_visible()
    expect(my_answer).to_contain_text("Attending")
    expect(my_answer).to_contain_text("Dietary needs: halal, no alcohol in the sauce")
    who_comes = page.get_by_role("region", name="Who comes")
    expect(who_comes).to_contain_text("Attending (1) Fatima El Amrani Not attending (0)")

    screen.press(my_answer.get_by_role("link", name="Change my answer"))
    screen.arrive("Will you come?")
    expect(page.get_by_role("radio", name="attending", exact=True)).to_be_checked()
    screen.press(page.get_by_role("radio", name="not attending"))
    screen.press(page.get_by_role("button", name="Save my answer"))

    expect(page.get_by_text("Your answer is saved.")).to_be_visible()
    expect(my_answer).to_contain_text("Not attending")
    dinner = overvecht.meetings.upcoming().order_by("starts_at")[1]
    response = dinner.responses.get(person__username="citizen")
    assert response.answer == Response.Answer.NOT_ATTENDING
    assert response.dietary_needs == "halal, no alcohol in the sauce"
    assert response.note == "I come straight from work."


def test_3_the_coordinator_records_a_held_dinner_with_two_actions(screen, last_nights_dinner):
    page = screen.page
    sign_in(page, "coordinator", DEMO_PASSWORD)
    screen.arrive("Welcome, Sanne de Vries")
    steps = page.get_by_role("region", name="Next steps")
    screen.press(steps.get_by_role("link", name=re.compile(r"^Record the dinner of 9 March 2027")))
    screen.arrive("Record the meeting")

    attended = page.get_by_role("group", name="Who attended")
    # Those who said they would come are ticked already.
    expect(attended.get_by_role("checkbox", checked=True)).to_have_count(2)
    screen.press(attended.get_by_role("checkbox", name="Anouk Jansen"))  # did not come after all
    screen.press(attended.get_by_role("checkbox", name="Sanne de Vries"))
    screen.press(attended.get_by_role("checkbox", name="Jeroen Visser"))
    screen.fill(
        page.get_by_role("textbox", name="Minutes"),
        "We talked about the youth centre and the lights.",
    )

    first = page.get_by_role("group", name="New action 1")
    screen.fill(first.get_by_label("Title"), "Visit the youth centre together")
    screen.fill(first.get_by_label("Description"), "Before the summer holidays.")
    screen.press(first.get_by_role("checkbox", name="Mehmet Yilmaz"))
    screen.press(first.get_by_role("checkbox", name="Jeroen Visser"))
    screen.fill(first.get_by_label("Due date"), "2027-05-01")
    second = page.get_by_role("group", name="New action 2")
    screen.fill(second.get_by_label("Title"), "Report the broken lamps in the underpass")
    screen.press(second.get_by_role("checkbox", name="Sanne de Vries"))
    screen.press(page.get_by_role("button", name="Save the record"))

    expect(page.get_by_text("The meeting is recorded.")).to_be_visible()
    screen.arrive("Dinner, 9 March 2027 held")
    expect(page.get_by_role("region", name="Minutes")).to_contain_text("the youth centre")
    agreed = page.get_by_role("region", name="Actions agreed").get_by_role("listitem")
    expect(agreed).to_have_count(2)
    visit = agreed.filter(has_text="Visit the youth centre together")
    expect(visit).to_contain_text("Jeroen Visser, Mehmet Yilmaz · due 1 May 2027")
    lamps = agreed.filter(has_text="Report the broken lamps in the underpass")
    expect(lamps).to_contain_text("Sanne de Vries")
    expect(page.get_by_role("region", name="Attendance: 3 people")).to_contain_text(
        "Jeroen Visser, Mehmet Yilmaz, Sanne de Vries"
    )
    assert_accessible(page)  # the held dinner's page: minutes, actions, attendance

    dinner = Meeting.objects.get(pk=last_nights_dinner.pk)
    assert dinner.status == Meeting.Status.HELD and dinner.recorded_at is not None
    assert dinner.minutes == "We talked about the youth centre and the lights."
    came = {attendance.person.username for attendance in dinner.attendances.all()}
    assert came == {"officer", "coordinator", "member1"}
    visit, lamps = dinner.actions.order_by("pk")
    assert {owner.username for owner in visit.owners.all()} == {"officer", "member1"}
    assert visit.due_date == datetime.date(2027, 5, 1)
    assert visit.description == "Before the summer holidays."
    assert [owner.username for owner in lamps.owners.all()] == ["coordinator"]
    assert lamps.due_date is None and lamps.status == Action.Status.OPEN


def test_3_recording_the_dinner_reviews_the_actions_carried_to_it(screen, last_nights_dinner):
    page = screen.page
    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.goto(f"/meetings/{last_nights_dinner.pk}/record/")
    screen.arrive("Record the meeting")
    carried = page.get_by_role("region", name="Open actions")
    expect(carried.get_by_role("group")).to_have_count(2)  # the overdue one, the one under way
    lighting = carried.get_by_role("group", name=LIGHTING)
    expect(lighting).to_contain_text("overdue since")
    screen.choose(lighting.get_by_label("New status"), "done")
    screen.fill(lighting.get_by_label("What was said about it?"), "The new lamps are in.")
    screen.press(page.get_by_role("button", name="Save the record"))

    expect(page.get_by_text("The meeting is recorded.")).to_be_visible()
    reviewed = page.get_by_role("region", name="Actions reviewed").get_by_role("listitem")
    expect(reviewed).to_have_count(2)
    expect(reviewed.filter(has_text=LIGHTING)).to_contain_text("done")
    expect(reviewed.filter(has_text="Invite the mosque board")).to_contain_text("in progress")
    assert_accessible(page)

    action = Action.objects.get(title=LIGHTING)
    assert action.status == Action.Status.DONE
    update = action.updates.get()
    assert (update.author.username, update.new_status) == ("coordinator", "done")
    assert update.text == "The new lamps are in."


def test_4_an_owner_finds_the_action_on_the_dashboard_adds_an_update_and_marks_it_done(
    screen, overvecht
):
    page = screen.page
    title = "Ask the municipality for better lighting in the underpass"
    sign_in(page, "citizen", DEMO_PASSWORD)
    screen.arrive("Welcome, Fatima El Amrani")
    mine = page.get_by_role("region", name="My open actions")
    expect(mine.get_by_role("listitem").first).to_contain_text(title)  # overdue comes first
    screen.press(mine.get_by_role("link", name=title))
    screen.arrive(f"{title} open")
    expect(page.get_by_text("No updates yet.")).to_be_visible()

    add = page.get_by_role("region", name="Add an update")
    screen.fill(add.get_by_label("What happened?"), "The municipality places two lamps in April.")
    screen.press(add.get_by_role("button", name="Save update"))
    expect(page.get_by_text("Your update is saved.")).to_be_visible()
    updates = page.get_by_role("region", name="Updates").get_by_role("listitem")
    expect(updates).to_have_count(1)
    expect(updates).to_contain_text("10 March 2027 · Fatima El Amrani")
    expect(updates).to_contain_text("The municipality places two lamps in April.")

    screen.fill(add.get_by_label("What happened?"), "The lamps are on: the underpass is light now.")
    screen.choose(add.get_by_label("New status"), "done")
    screen.press(add.get_by_role("button", name="Save update"))
    screen.arrive(f"{title} done")
    expect(updates).to_have_count(2)
    expect(updates.nth(1)).to_contain_text("status: done")
    expect(page.get_by_text("Done on")).to_be_visible()

    screen.menu("Home")
    screen.arrive("Welcome, Fatima El Amrani")
    expect(mine.get_by_role("link", name=title)).to_have_count(0)
    expect(
        mine.get_by_role("link", name="Invite the mosque board to the next dinner")
    ).to_be_visible()

    action = overvecht.actions.get(title=title)
    assert action.status == Action.Status.DONE and action.completed_at is not None
    texts = list(action.updates.order_by("created_at").values_list("text", "new_status"))
    assert texts == [
        ("The municipality places two lamps in April.", ""),
        ("The lamps are on: the underpass is light now.", Action.Status.DONE),
    ]


def test_a_coordinator_hands_over_and_leaves_and_the_new_one_hands_on_her_dinners(
    screen, overvecht, mailoutbox
):
    page = screen.page
    sign_in(page, "coordinator", DEMO_PASSWORD)
    screen.arrive("Welcome, Sanne de Vries")
    page.goto(f"/circles/{overvecht.pk}/")
    screen.arrive("Overvecht Allies")
    screen.press(page.get_by_role("link", name="Change the membership of Mehmet Yilmaz"))
    screen.arrive("Membership of Mehmet Yilmaz")
    screen.press(page.get_by_label("Coordinator"))
    screen.press(page.get_by_role("button", name="Save", exact=True))
    expect(
        page.get_by_text("Mehmet Yilmaz gets an email saying what a coordinator does.")
    ).to_be_visible()
    assert [m.subject for m in mailoutbox] == ["You now coordinate Overvecht Allies"]
    # She leaves the circle (what her own leaving shows her is not this journey's).
    sanne = overvecht.memberships.active().get(person__username="coordinator")
    services.membership_end(membership=sanne)
    hosted = list(overvecht.meetings.upcoming().filter(host=sanne.person).order_by("starts_at"))
    assert len(hosted) > 1

    page.context.clear_cookies()
    sign_in(page, "officer", DEMO_PASSWORD)
    screen.arrive("Welcome, Mehmet Yilmaz")
    steps = page.get_by_role("region", name="Next steps")
    expect(steps).to_contain_text("Sanne de Vries has left Overvecht Allies.")
    expect(steps).to_contain_text(f"{len(hosted)} dinners ahead still have Sanne de Vries as host:")
    assert_accessible(page)
    screen.press(page.get_by_role("link", name="Overvecht Allies", exact=True).first)
    screen.arrive("Overvecht Allies")
    expect(steps).to_contain_text("Sanne de Vries has left the circle.")
    assert_accessible(page)
    screen.menu("Home")
    screen.press(steps.get_by_role("link", name=re.compile("^choose another host for")).first)
    screen.arrive("Edit meeting and agenda")
    expect(page.get_by_label("Host")).to_have_value(str(sanne.person_id))
    screen.choose(page.get_by_label("Host"), "Mehmet Yilmaz")
    screen.press(page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_text("The meeting is saved.")).to_be_visible()
    # Her open action, shared with a member, stays hers; the agenda says she left.
    shared = page.get_by_role("listitem").filter(has_text="Invite the mosque board").last
    expect(shared).to_contain_text("Sanne de Vries (left the circle)")

    screen.menu("Home")
    screen.arrive("Welcome, Mehmet Yilmaz")
    expect(steps).to_contain_text(
        f"{len(hosted) - 1} dinners ahead still have Sanne de Vries as host:"
        if len(hosted) > 2
        else "1 dinner ahead still has Sanne de Vries as host:"
    )
    hosted[0].refresh_from_db()
    assert hosted[0].host.username == "officer"


def test_the_coordinator_cancels_a_dinner_saying_why_and_the_members_read_it(
    screen, overvecht, mailoutbox
):
    page = screen.page
    dinner = overvecht.meetings.upcoming().order_by("starts_at").first()
    sign_in(page, "coordinator", DEMO_PASSWORD)
    screen.arrive("Welcome, Sanne de Vries")
    dinners = page.get_by_role("region", name="My next dinners")
    screen.press(dinners.get_by_role("heading").get_by_role("link").first)
    screen.arrive(re.compile(r"^Dinner, "))
    screen.press(page.get_by_role("link", name="Cancel meeting"))
    screen.arrive("Cancel this meeting?")
    reason = "The police station is closed for a renovation; a date poll follows."
    screen.fill(page.get_by_label("Reason for cancelling"), reason)
    screen.press(page.get_by_role("button", name="Yes, cancel the meeting"))

    screen.arrive(re.compile(r"^Dinner, "))
    notice = page.locator(".alert-warning")
    expect(notice).to_contain_text("This meeting is cancelled.")
    expect(notice).to_contain_text(f"Reason: {reason}")
    dinner.refresh_from_db()
    assert dinner.status == Meeting.Status.CANCELLED and dinner.cancel_reason == reason
    to_citizen = next(m for m in mailoutbox if m.to == ["citizen@example.org"])
    assert f"Reason: {reason}" in to_citizen.body


def test_a_coordinator_leaves_the_circle_and_their_calendar_is_told(screen, overvecht, mailoutbox):
    page = screen.page
    overvecht.memberships.filter(person__username="clerk").update(is_coordinator=True)
    dinner = overvecht.meetings.upcoming().order_by("starts_at").first()
    Response.objects.update_or_create(
        meeting=dinner,
        person=overvecht.memberships.get(person__username="coordinator").person,
        defaults={"answer": "attending", "dietary_needs": "geen varkensvlees"},
    )
    sign_in(page, "coordinator", DEMO_PASSWORD)
    screen.arrive("Welcome, Sanne de Vries")
    circles = page.get_by_role("region", name="My circles")
    screen.press(circles.get_by_role("link", name="Overvecht Allies", exact=True))
    screen.arrive("Overvecht Allies")
    screen.press(page.get_by_role("link", name="Change the membership of Sanne de Vries"))
    screen.arrive("Membership of Sanne de Vries")
    expect(page.get_by_text("You leave Overvecht Allies, and your answers")).to_be_visible()
    screen.press(page.get_by_role("button", name="Leave the circle…"))
    screen.press(page.get_by_role("button", name="Yes, I leave Overvecht Allies"))

    screen.arrive("Welcome, Sanne de Vries")
    expect(page.get_by_text("You have left Overvecht Allies.")).to_be_visible()
    expect(page.get_by_text("You are not in a circle any more.")).to_be_visible()
    expect(page.get_by_text("You have no dinners ahead.")).to_be_visible()
    assert_accessible(page)
    membership = overvecht.memberships.get(person__username="coordinator")
    assert not membership.is_active
    assert not dinner.responses.filter(person=membership.person).exists()
    [told] = [m for m in mailoutbox if m.to == ["coordinator@example.org"]]
    assert told.subject == "You are no longer in Overvecht Allies"
    cancels = [p for p in told.message().walk() if p.get_content_type() == "text/calendar"]
    assert len(cancels) == overvecht.meetings.upcoming().count()


def test_5_a_member_downloads_a_dinners_calendar_file_and_the_contacts(page, overvecht):
    sign_in(page, "citizen", DEMO_PASSWORD)
    next_dinner = overvecht.meetings.upcoming().order_by("starts_at").first()
    page.get_by_role("region", name="My next dinners").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dinner, 22 March 2027")

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar").click()
    assert download.value.suggested_filename == "allies-2027-03-22.ics"
    calendar, _ = parse(download.value.path().read_text(encoding="utf-8"))
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Dinner — Overvecht Allies"
    assert event.decoded("dtstart") == timezone.localtime(next_dinner.starts_at)
    assert event.decoded("dtstart").tzinfo.key == "Europe/Amsterdam"
    assert str(event["location"]) == "Politiebureau Overvecht, Zamenhofdreef 20, 3562 JW Utrecht"
    assert str(event["url"]).endswith(f"/meetings/{next_dinner.pk}/")
    assert "Nuisance" in str(event["description"])  # the agenda's topic
    assert "halal" not in calendar.to_ical().decode()  # never anyone's dietary needs

    page.get_by_role("link", name="Overvecht Allies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overvecht Allies")
    with page.expect_download() as download:
        page.get_by_role("link", name="Members' phone numbers as a contacts file").click()
    assert download.value.suggested_filename == "overvecht-allies-contacts.vcf"
    text = download.value.path().read_text(encoding="utf-8")
    cards = {card.fn.value: card for card in vobject.readComponents(text)}
    # Those who agreed to share their number; not Fatima (she did not), not Youssef (no
    # number), not Pieter (another circle).
    assert sorted(cards) == [
        "Anouk Jansen",
        "Jeroen Visser",
        "Karin Mulder",
        "Lotte Smit",
        "Mehmet Yilmaz",
        "Sanne de Vries",
    ]
    assert cards["Mehmet Yilmaz"].tel.value == "+31612345002"
    assert cards["Mehmet Yilmaz"].org.value == ["Politie Midden-Nederland, wijkagent"]
    assert cards["Mehmet Yilmaz"].categories.value == ["Overvecht Allies"]
    assert "+31612345004" not in text


def test_7_an_outsider_following_a_link_to_another_circles_meeting_gets_404(page, overvecht):
    dinner = overvecht.meetings.upcoming().first()
    link = f"/meetings/{dinner.pk}/"
    answers = []
    page.on(
        "response",
        lambda response: (
            answers.append(response.status) if urlparse(response.url).path == link else None
        ),
    )
    page.goto(link)  # a link someone passed on
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in(page, "outsider", DEMO_PASSWORD)

    expect(page).to_have_url(link)
    assert answers == [302, 404]
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("not found|does not exist", re.IGNORECASE)
    )
    body = page.locator("body")
    for secret in ("Overvecht", "Politiebureau", "Zamenhofdreef", "Dinner"):
        expect(body).not_to_contain_text(secret)
    assert_accessible(page)
