"""The respond form and the record form, completed with the keyboard alone: Tab to move, Space
to tick, arrow keys to choose, Enter to send. No mouse: a test that clicked would not show that
the forms work for people who cannot use one."""

import datetime

from playwright.sync_api import Locator, Page, expect

from allies.management.commands.seed_demo import DEMO_PASSWORD
from meetings.models import Meeting, Response


def sign_in_by_keyboard(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    # The field takes the focus.
    expect(page.get_by_label("Email address or username")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def tab_to(page: Page, target: Locator, limit: int = 40) -> None:
    """Press Tab until the target has the focus; fail, with the way the focus went, if it
    never gets there."""
    path = []
    while not target.evaluate("element => element === document.activeElement"):
        if len(path) == limit:
            raise AssertionError(f"{target} not reached in {limit} tabs:\n  " + "\n  ".join(path))
        page.keyboard.press("Tab")
        path.append(page.evaluate("document.activeElement.outerHTML.slice(0, 80)"))


def test_the_respond_form_by_keyboard(page, overvecht):
    dinner = overvecht.meetings.upcoming().order_by("starts_at")[1]  # she has not answered
    sign_in_by_keyboard(page, "citizen")
    page.goto(f"/meetings/{dinner.pk}/respond/")

    attending = page.get_by_role("radio", name="attending", exact=True)
    maybe = page.get_by_role("radio", name="maybe")
    tab_to(page, attending)
    page.keyboard.press("Space")
    expect(attending).to_be_checked()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(maybe).to_be_checked()
    expect(maybe).to_be_focused()

    dietary = page.get_by_label("Dietary needs")
    tab_to(page, dietary, limit=1)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("vegetarian")
    # The help text's link to the privacy statement, then on.
    tab_to(
        page,
        page.get_by_role("link", name="How the site handles them (opens in a new tab)"),
        limit=1,
    )
    tab_to(page, page.get_by_label("Note"), limit=1)
    page.keyboard.type("I may come later.")
    tab_to(page, page.get_by_role("button", name="Save my answer"), limit=1)
    page.keyboard.press("Enter")

    expect(page.get_by_text("Your answer is saved.")).to_be_visible()
    response = dinner.responses.get(person__username="citizen")
    assert (response.answer, response.dietary_needs, response.note) == (
        Response.Answer.MAYBE,
        "vegetarian",
        "I may come later.",
    )


def test_the_record_form_by_keyboard(page, last_nights_dinner):
    sign_in_by_keyboard(page, "coordinator")
    page.goto(f"/meetings/{last_nights_dinner.pk}/record/")

    attended = page.get_by_role("group", name="Who attended")
    tab_to(page, attended.get_by_role("checkbox", name="Anouk Jansen"))
    page.keyboard.press("Space")  # she said she would come, but did not
    tab_to(page, attended.get_by_role("checkbox", name="Sanne de Vries"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("textbox", name="Minutes"))
    page.keyboard.type("The youth centre.")
    page.keyboard.press("Enter")  # a new line in the minutes, not sending the form
    page.keyboard.type("The lights in the underpass.")

    first = page.get_by_role("group", name="New action 1")
    tab_to(page, first.get_by_label("Title"))
    page.keyboard.type("Visit the youth centre together")
    tab_to(page, first.get_by_role("checkbox", name="Fatima El Amrani"))
    page.keyboard.press("Space")
    tab_to(page, first.get_by_role("checkbox", name="Mehmet Yilmaz"))
    page.keyboard.press("Space")
    tab_to(page, first.get_by_label("Due date"))
    page.keyboard.type("05052027")  # the same day and month: whichever order the field shows

    # A third row, through the "Add an action" button; the new row's title takes the focus.
    tab_to(page, page.get_by_role("button", name="Add an action"))
    page.keyboard.press("Enter")
    added = page.get_by_role("group", name="New action", exact=True)
    expect(added.get_by_label("Title")).to_be_focused()
    page.keyboard.type("Report the broken lamps")
    tab_to(page, added.get_by_role("checkbox", name="Lotte Smit"))
    page.keyboard.press("Space")

    tab_to(page, page.get_by_role("button", name="Save the record"))
    page.keyboard.press("Enter")

    expect(page.get_by_text("The meeting is recorded.")).to_be_visible()
    dinner = Meeting.objects.get(pk=last_nights_dinner.pk)
    assert dinner.status == Meeting.Status.HELD
    assert dinner.minutes.splitlines() == ["The youth centre.", "The lights in the underpass."]
    assert {a.person.username for a in dinner.attendances.all()} == {"officer", "coordinator"}
    visit, lamps = dinner.actions.order_by("pk")  # the blank second row is left out
    assert visit.title == "Visit the youth centre together"
    assert {owner.username for owner in visit.owners.all()} == {"officer", "citizen"}
    assert visit.due_date == datetime.date(2027, 5, 5)
    assert lamps.title == "Report the broken lamps"
    assert [owner.username for owner in lamps.owners.all()] == ["member2"]
