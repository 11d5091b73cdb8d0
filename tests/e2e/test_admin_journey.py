"""An admin signs in through the site and works in Django admin."""

from playwright.sync_api import ConsoleMessage, expect

from allies.management.commands.seed_demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_no_horizontal_scroll, sign_in


def test_an_admin_reaches_the_circles_in_django_admin_from_the_menu(page, demo):
    # Console errors are how a Content Security Policy that blocks admin's scripts shows itself.
    errors = []

    def keep_error(message: ConsoleMessage):
        # Admin's pages name no icon, so the browser asks for /favicon.ico: a harmless 404.
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            errors.append(f"{page.url}: {message.text}")

    page.on("console", keep_error)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))

    sign_in(page, "admin", DEMO_PASSWORD)
    page.get_by_role("link", name="Administration").click()
    expect(page).to_have_url("/admin/")
    page.locator("tr.model-circle").get_by_role("link", name="Circles").click()

    expect(page.get_by_role("link", name="Overvecht Allies")).to_be_visible()
    expect(page.get_by_role("link", name="Tilburg-Noord Allies")).to_be_visible()
    assert errors == []


def test_a_member_has_no_administration_link(page, demo):
    sign_in(page, "coordinator", DEMO_PASSWORD)
    expect(page.get_by_role("link", name="Home")).to_be_visible()
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)


def test_an_admin_adds_a_circles_first_coordinator_who_is_emailed_a_link(page, demo, mailoutbox):
    """The add page hides the password fields while the email is chosen (Django's style sheet
    for its own choice, which the project's reuses), and shows them for a password to pass
    on; the circle is found by typing its name."""
    sign_in(page, "admin", DEMO_PASSWORD)
    page.goto("/admin/allies/user/add/")
    password = page.locator("#id_password1")
    expect(password).to_be_hidden()
    page.get_by_label("Enter a password to pass on to them").check()
    expect(password).to_be_visible()
    page.get_by_label("Email them a link to choose a password").check()
    expect(password).to_be_hidden()
    assert_no_horizontal_scroll(page)

    page.get_by_label("Username").fill("noor@example.org")
    page.locator("#id_name").fill("Noor Bakker")
    page.get_by_label("Email address").fill("noor@example.org")
    page.get_by_label("Preferred language").select_option("en")
    page.locator("#memberships-0 .select2-selection").click()
    page.locator(".select2-search__field").fill("Overvecht")
    page.locator(".select2-results__option", has_text="Overvecht Allies").click()
    page.locator("#id_memberships-0-sector").select_option("municipality")
    page.locator("#id_memberships-0-is_coordinator").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(
        page.get_by_text("1 welcome email sent, with a link to choose a password.")
    ).to_be_visible()
    (message,) = mailoutbox
    assert message.to == ["noor@example.org"]
    assert "You are its coordinator" in message.body
