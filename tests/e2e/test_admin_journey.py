"""An admin signs in through the site and works in Django admin."""

from playwright.sync_api import ConsoleMessage, expect

from allies.management.commands.seed_demo import DEMO_PASSWORD
from tests.e2e.conftest import sign_in


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
