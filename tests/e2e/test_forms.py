"""A form pressed again while it is on its way is not sent twice (static/js/submit-once.js), and
it can be sent again once the page is shown anew."""

import threading

from playwright.sync_api import expect

from allies.management.commands.seed_demo import DEMO_PASSWORD
from meetings import services
from meetings.models import Meeting
from tests.e2e.conftest import sign_in

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
    expect(page.get_by_text("Meeting scheduled for")).to_be_visible()
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
