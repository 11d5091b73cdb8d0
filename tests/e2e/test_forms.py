"""A form pressed again while it is on its way is not sent twice (static/js/submit-once.js), and
it can be sent again once the page is shown anew."""

import threading

from playwright.sync_api import expect

from allies.management.commands.seed_demo import DEMO_PASSWORD
from meetings import services
from meetings.models import Meeting
from tests.e2e.conftest import assert_accessible, sign_in

# Again once the first request is on its way: pressed twice in one go, the browser itself
# sends only the second.
PRESS_TWICE = """button => {
    button.click();
    setTimeout(() => { button.click(); console.log("pressed again"); }, 300);
}"""


def test_pressed_again_while_on_its_way_the_form_is_sent_once(page, overvecht, monkeypatch):
    answer = threading.Event()
    schedule = services.meeting_schedule

    def slow(**kwargs):  # the server takes its time: the first request stays on its way
        answer.wait(timeout=10)
        return schedule(**kwargs)

    monkeypatch.setattr(services, "meeting_schedule", slow)
    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.goto(f"/circles/{overvecht.pk}/meetings/new/")
    before = Meeting.objects.count()
    sent = []
    page.on("request", lambda request: request.method == "POST" and sent.append(request.url))
    # Pressed twice in the page: Playwright's own actions wait for the page under way.
    with page.expect_console_message(lambda message: message.text == "pressed again"):
        page.get_by_role("button", name="Schedule", exact=True).evaluate(PRESS_TWICE)
    answer.set()
    expect(page.get_by_text("members of the circle are invited by email")).to_be_visible()
    assert len(sent) == 1
    assert Meeting.objects.count() == before + 1


def test_shown_again_from_the_browsers_cache_the_form_can_be_sent(page, overvecht):
    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.goto(f"/circles/{overvecht.pk}/meetings/new/")
    form = page.locator("main form")
    form.evaluate("form => form.setAttribute('aria-busy', 'true')")  # as when it was sent
    page.evaluate("() => dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect(form).not_to_have_attribute("aria-busy", "true")


def test_the_calendar_link_is_reset_only_after_a_second_press(page, overvecht):
    sign_in(page, "citizen", DEMO_PASSWORD)
    page.goto("/accounts/profile/")
    old = page.locator("#calendar-feed-url").input_value()
    confirm = page.get_by_role("button", name="Yes, reset the link")
    expect(confirm).to_be_hidden()
    page.get_by_text("Reset link", exact=True).click()
    assert page.locator("#calendar-feed-url").input_value() == old  # nothing sent yet
    confirm.click()
    expect(page.get_by_text("Your calendar link has been reset.")).to_be_visible()
    assert page.locator("#calendar-feed-url").input_value() != old


# A form sent back with errors opens on its error summary (templates/_error_summary.html,
# static/js/error-summary.js): on a phone the page used to come back at its top, the one error
# a screen or two further down, and it looked as if nothing had happened.
HOLIDAY_ERROR = "27 April 2027 is King's Day. Choose another date."


def test_a_holiday_offered_in_a_poll_is_brought_into_view(screen, overvecht):
    page = screen.page
    sign_in(page, "coordinator", DEMO_PASSWORD)
    page.goto(f"/circles/{overvecht.pk}/polls/new/")
    screen.fill(page.get_by_label("Date 1", exact=True), "2027-03-18")
    screen.press(page.get_by_text("More dates", exact=True))  # the farthest down a date can be
    screen.fill(page.get_by_label("Date 6", exact=True), "2027-04-27")
    screen.press(page.get_by_role("button", name="Open the poll"))

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()  # so a screen reader reads it out
    expect(summary).to_be_in_viewport()
    screen.press(summary.get_by_role("link", name=f"Date 6: {HOLIDAY_ERROR}"))
    field = page.get_by_label("Date 6", exact=True)
    expect(field).to_be_focused()
    expect(field).to_have_value("2027-04-27")
    expect(field).to_be_in_viewport()
    expect(page.locator("#id_date_6_error")).to_have_text(HOLIDAY_ERROR)
    expect(page.locator("#id_date_6_error")).to_be_in_viewport()
    assert_accessible(page)


def test_a_holiday_in_the_year_plan_is_brought_into_view_on_a_phone(phone_page, overvecht):
    sign_in(phone_page, "coordinator", DEMO_PASSWORD)
    phone_page.goto(f"/circles/{overvecht.pk}/plan/2028/")
    dinner = phone_page.get_by_role("group", name="Dinner 3")
    date = dinner.get_by_label("Date")  # "Date*": required
    date.fill("2028-04-27")
    phone_page.get_by_role("button", name="Plan these dinners").tap()

    summary = phone_page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    link = summary.get_by_role("link", name="Dinner 3 · Date: 27 April 2028 is King's Day.")
    link.tap()
    expect(date).to_be_focused()
    expect(date).to_be_in_viewport()
    assert_accessible(phone_page)


def test_a_date_too_long_ago_for_a_new_meeting_is_brought_into_view_on_a_phone(
    phone_page, overvecht
):
    sign_in(phone_page, "coordinator", DEMO_PASSWORD)
    phone_page.goto(f"/circles/{overvecht.pk}/meetings/new/")
    date = phone_page.get_by_label("Date")  # "Date*": required
    date.fill("2026-03-01")
    button = phone_page.get_by_role("button", name="Schedule", exact=True)
    button.tap()  # at the bottom of the form, a screen below its top

    summary = phone_page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("link")).to_have_count(1)
    summary.get_by_role("link", name="Date: Choose a date within the last year.").tap()
    expect(date).to_be_focused()
    expect(date).to_have_value("2026-03-01")
    expect(date).to_be_in_viewport()
    assert_accessible(phone_page)
    assert not Meeting.objects.filter(circle=overvecht, starts_at__date="2026-03-01").exists()
